//! The shared memory of a checkpoint (--restore=fork). A forked copy shares its checkpoint's
//! MAP_SHARED memory instead of getting a copy of it, so what one copy writes there every
//! later copy would see: the checker saves that memory when it freezes a checkpoint and writes
//! it back into each copy forked from it. Which mappings count, and which are refused, is
//! maps.zig's choice, as for memory snapshots.

const std = @import("std");
const linux = std.os.linux;
const maps = @import("maps.zig");
const remote = @import("remote.zig");

const Range = maps.Range;
const page_size = maps.page_size;

pub const Error = error{ ProcessGone, OutOfMemory, BadMaps, Unrestorable };

pub const Image = struct {
    /// The shared state ranges and their bytes, one after the other.
    ranges: []Range,
    bytes: []u8,

    /// Reads the shared state memory of `pid` (stopped at a scheduling point). A mapping that
    /// cannot be restored is error.Unrestorable, described in `why`.
    pub fn save(gpa: std.mem.Allocator, pid: linux.pid_t, ignored: []const Range, why: *maps.Why) Error!Image {
        var text: std.ArrayList(u8) = .empty;
        defer text.deinit(gpa);
        const t = maps.read(gpa, pid, &text) catch |err| switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            else => return error.ProcessGone,
        };
        const ms = maps.parse(gpa, t) catch |err| switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            error.BadMapsLine => return error.BadMaps,
        };
        defer gpa.free(ms);
        var st = try maps.stateRanges(gpa, ms, ignored);
        defer st.deinit(gpa);
        if (st.refused) |r| {
            why.set(r);
            return error.Unrestorable;
        }
        const ranges = try gpa.dupe(Range, st.shared);
        errdefer gpa.free(ranges);
        var total: usize = 0;
        for (ranges) |r| total += @intCast(r.len());
        const bytes = try gpa.alloc(u8, total);
        errdefer gpa.free(bytes);
        const addrs = try pagesOf(gpa, ranges);
        defer gpa.free(addrs);
        var traffic = remote.Traffic{};
        try remote.readPages(pid, addrs, bytes, &traffic);
        return .{ .ranges = ranges, .bytes = bytes };
    }

    /// Writes the saved memory into `pid`, a copy forked from the checkpoint it was saved in
    /// (its shared mappings are the checkpoint's).
    pub fn restore(img: *const Image, gpa: std.mem.Allocator, pid: linux.pid_t) Error!void {
        if (img.ranges.len == 0) return;
        const addrs = try pagesOf(gpa, img.ranges);
        defer gpa.free(addrs);
        const pages = try gpa.alloc(*const [page_size]u8, addrs.len);
        defer gpa.free(pages);
        for (pages, 0..) |*p, i| p.* = img.bytes[i * page_size ..][0..page_size];
        var traffic = remote.Traffic{};
        try remote.writePages(pid, addrs, pages, &traffic);
    }

    pub fn deinit(img: *Image, gpa: std.mem.Allocator) void {
        gpa.free(img.ranges);
        gpa.free(img.bytes);
        img.* = undefined;
    }
};

/// Every page address of `ranges`, ascending.
fn pagesOf(gpa: std.mem.Allocator, ranges: []const Range) ![]u64 {
    var n: usize = 0;
    for (ranges) |r| n += @intCast(r.pages());
    const out = try gpa.alloc(u64, n);
    var i: usize = 0;
    for (ranges) |r| {
        var a = r.start;
        while (a < r.end) : (a += page_size) {
            out[i] = a;
            i += 1;
        }
    }
    std.debug.assert(i == n);
    return out;
}

const testing = std.testing;

test "a copy's writes to shared memory are undone from the image of its checkpoint" {
    const posix = std.posix;
    const mem = try posix.mmap(null, 2 * page_size, posix.PROT.READ | posix.PROT.WRITE, .{ .TYPE = .SHARED, .ANONYMOUS = true }, -1, 0);
    defer posix.munmap(mem);
    @memset(mem, 5);
    var why = maps.Why{};
    var img = try Image.save(testing.allocator, linux.getpid(), &.{}, &why);
    defer img.deinit(testing.allocator);
    var found = false;
    for (img.ranges) |r| found = found or r.start == @intFromPtr(mem.ptr);
    try testing.expect(found);
    // A "copy" (here a child) writes the shared page; the image puts it back.
    const pid = try posix.fork();
    if (pid == 0) {
        mem[0] = 9;
        linux.exit_group(0);
    }
    _ = posix.waitpid(pid, 0);
    try testing.expectEqual(@as(u8, 9), mem[0]);
    try img.restore(testing.allocator, linux.getpid());
    try testing.expectEqual(@as(u8, 5), mem[0]);
}
