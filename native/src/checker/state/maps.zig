//! Reading another process's memory map (/proc/PID/maps) and choosing which mappings are
//! program state: private writable memory — the program's and its libraries' data and bss,
//! the heap, anonymous mappings (actor stacks, arenas, mmap'd buffers) and the main stack —
//! minus the ranges the runtime declared as not state (its control buffers and the maestro's
//! stack) and the kernel's special mappings.

const std = @import("std");
const linux = std.os.linux;

pub const page_size = 4096;

pub const Range = struct {
    start: u64,
    end: u64,

    pub fn len(r: Range) u64 {
        return r.end - r.start;
    }

    pub fn pages(r: Range) u64 {
        return r.len() / page_size;
    }

    pub fn contains(r: Range, addr: u64) bool {
        return addr >= r.start and addr < r.end;
    }
};

pub const Mapping = struct {
    range: Range,
    readable: bool,
    writable: bool,
    private: bool,
    offset: u64,
    inode: u64,
    /// Empty for anonymous mappings; "[heap]", "[stack]", "[vvar]"... for special ones.
    path: []const u8,
};

pub const ParseError = error{ BadMapsLine, OutOfMemory };

/// Parses the text of /proc/PID/maps. Paths point into `text`.
pub fn parse(gpa: std.mem.Allocator, text: []const u8) ParseError![]Mapping {
    var list: std.ArrayList(Mapping) = .empty;
    errdefer list.deinit(gpa);
    var lines = std.mem.splitScalar(u8, text, '\n');
    while (lines.next()) |line| {
        if (line.len == 0) continue;
        try list.append(gpa, try parseLine(line));
    }
    return list.toOwnedSlice(gpa);
}

fn parseLine(line: []const u8) ParseError!Mapping {
    // start-end perms offset dev inode [path]
    var it = std.mem.tokenizeScalar(u8, line, ' ');
    const span = it.next() orelse return error.BadMapsLine;
    const perms = it.next() orelse return error.BadMapsLine;
    const offset = it.next() orelse return error.BadMapsLine;
    _ = it.next() orelse return error.BadMapsLine; // device
    const inode = it.next() orelse return error.BadMapsLine;
    const dash = std.mem.indexOfScalar(u8, span, '-') orelse return error.BadMapsLine;
    if (perms.len < 4) return error.BadMapsLine;
    const path = std.mem.trim(u8, it.rest(), " ");
    const range = Range{
        .start = std.fmt.parseInt(u64, span[0..dash], 16) catch return error.BadMapsLine,
        .end = std.fmt.parseInt(u64, span[dash + 1 ..], 16) catch return error.BadMapsLine,
    };
    if (range.end <= range.start or range.start % page_size != 0 or range.end % page_size != 0)
        return error.BadMapsLine;
    return .{
        .range = range,
        .readable = perms[0] == 'r',
        .writable = perms[1] == 'w',
        .private = perms[3] == 'p',
        .offset = std.fmt.parseInt(u64, offset, 16) catch return error.BadMapsLine,
        .inode = std.fmt.parseInt(u64, inode, 10) catch return error.BadMapsLine,
        .path = path,
    };
}

fn isKernelSpecial(path: []const u8) bool {
    const specials = [_][]const u8{ "[vvar]", "[vvar_vclock]", "[vdso]", "[vsyscall]", "[uprobes]" };
    for (specials) |s| if (std.mem.eql(u8, path, s)) return true;
    return false;
}

/// Is this mapping program state (before the runtime's ignored ranges are cut out)?
pub fn isState(m: Mapping) bool {
    return m.readable and m.writable and m.private and !isKernelSpecial(m.path);
}

/// The state ranges: state mappings minus the ignored ranges, merged where adjacent, sorted.
pub fn stateRanges(gpa: std.mem.Allocator, mappings: []const Mapping, ignored: []const Range) ![]Range {
    var out: std.ArrayList(Range) = .empty;
    errdefer out.deinit(gpa);
    for (mappings) |m| {
        if (!isState(m)) continue;
        try subtract(gpa, &out, m.range, ignored);
    }
    std.mem.sort(Range, out.items, {}, struct {
        fn lessThan(_: void, a: Range, b: Range) bool {
            return a.start < b.start;
        }
    }.lessThan);
    // Merge touching ranges so one region spans e.g. a library's .data and .bss.
    var merged: std.ArrayList(Range) = .empty;
    errdefer merged.deinit(gpa);
    for (out.items) |r| {
        if (merged.items.len > 0 and merged.items[merged.items.len - 1].end == r.start) {
            merged.items[merged.items.len - 1].end = r.end;
        } else {
            try merged.append(gpa, r);
        }
    }
    out.deinit(gpa);
    return merged.toOwnedSlice(gpa);
}

/// Appends `r` minus every ignored range (page-rounded outwards) to `out`.
fn subtract(gpa: std.mem.Allocator, out: *std.ArrayList(Range), r: Range, ignored: []const Range) !void {
    var pieces: std.ArrayList(Range) = .empty;
    defer pieces.deinit(gpa);
    try pieces.append(gpa, r);
    for (ignored) |ig_raw| {
        const ig = Range{
            .start = std.mem.alignBackward(u64, ig_raw.start, page_size),
            .end = std.mem.alignForward(u64, ig_raw.end, page_size),
        };
        var i: usize = 0;
        while (i < pieces.items.len) {
            const p = pieces.items[i];
            if (ig.end <= p.start or ig.start >= p.end) {
                i += 1;
                continue;
            }
            _ = pieces.orderedRemove(i);
            if (p.start < ig.start) {
                try pieces.insert(gpa, i, .{ .start = p.start, .end = ig.start });
                i += 1;
            }
            if (ig.end < p.end) {
                try pieces.insert(gpa, i, .{ .start = ig.end, .end = p.end });
                i += 1;
            }
        }
    }
    try out.appendSlice(gpa, pieces.items);
}

/// Reads /proc/PID/maps into `buf` (grown as needed); returns the text.
pub fn read(gpa: std.mem.Allocator, pid: linux.pid_t, buf: *std.ArrayList(u8)) ![]const u8 {
    var path_buf: [64]u8 = undefined;
    const path = try std.fmt.bufPrintZ(&path_buf, "/proc/{d}/maps", .{pid});
    const rc = linux.open(path, .{ .ACCMODE = .RDONLY, .CLOEXEC = true }, 0);
    if (linux.E.init(rc) != .SUCCESS) return error.ProcessGone;
    const fd: i32 = @intCast(rc);
    defer _ = linux.close(fd);
    buf.clearRetainingCapacity();
    while (true) {
        try buf.ensureUnusedCapacity(gpa, 16 * 1024);
        const spare = buf.unusedCapacitySlice();
        const n = linux.read(fd, spare.ptr, spare.len);
        switch (linux.E.init(n)) {
            .SUCCESS => {},
            .INTR => continue,
            else => return error.ProcessGone,
        }
        if (n == 0) break;
        buf.items.len += n;
    }
    return buf.items;
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

const sample =
    \\555555554000-555555555000 r--p 00000000 fe:01 1234 /usr/bin/app
    \\555555555000-555555556000 r-xp 00001000 fe:01 1234 /usr/bin/app
    \\555555557000-555555558000 rw-p 00002000 fe:01 1234 /usr/bin/app
    \\555555558000-555555559000 rw-p 00000000 00:00 0 
    \\555555559000-55555557a000 rw-p 00000000 00:00 0                          [heap]
    \\7ffff7d80000-7ffff7d90000 rw-s 00000000 00:05 99 /dev/shm/x
    \\7ffff7da0000-7ffff7dc0000 rw-p 00000000 00:00 0 
    \\7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]
    \\7ffff7fc1000-7ffff7fc5000 r--p 00000000 00:00 0                          [vvar]
    \\7ffff7fc5000-7ffff7fc7000 r-xp 00000000 00:00 0                          [vdso]
;

test "maps lines are parsed with their paths" {
    const ms = try parse(testing.allocator, sample);
    defer testing.allocator.free(ms);
    try testing.expectEqual(@as(usize, 10), ms.len);
    try testing.expectEqualStrings("/usr/bin/app", ms[0].path);
    try testing.expectEqualStrings("", ms[3].path);
    try testing.expectEqualStrings("[heap]", ms[4].path);
    try testing.expect(!ms[5].private);
    try testing.expectEqual(@as(u64, 0x2000), ms[2].offset);
}

test "state ranges: writable private memory, merged, minus ignored ranges" {
    const ms = try parse(testing.allocator, sample);
    defer testing.allocator.free(ms);
    const ignored = [_]Range{.{ .start = 0x7ffff7da4000, .end = 0x7ffff7da8000 }};
    const rs = try stateRanges(testing.allocator, ms, &ignored);
    defer testing.allocator.free(rs);
    try testing.expectEqualSlices(Range, &.{
        .{ .start = 0x555555557000, .end = 0x55555557a000 }, // data + bss + heap, merged
        .{ .start = 0x7ffff7da0000, .end = 0x7ffff7da4000 },
        .{ .start = 0x7ffff7da8000, .end = 0x7ffff7dc0000 },
        .{ .start = 0x7ffffffde000, .end = 0x7ffffffff000 },
    }, rs);
}

test "a bad line is an error, not a guess" {
    try testing.expectError(error.BadMapsLine, parse(testing.allocator, "zz-10 rw-p 0 0:0 0\n"));
    try testing.expectError(error.BadMapsLine, parse(testing.allocator, "1000-0 rw-p 0 0:0 0\n"));
}

test "our own maps parse and include our stack" {
    var buf: std.ArrayList(u8) = .empty;
    defer buf.deinit(testing.allocator);
    const text = try read(testing.allocator, linux.getpid(), &buf);
    const ms = try parse(testing.allocator, text);
    defer testing.allocator.free(ms);
    const rs = try stateRanges(testing.allocator, ms, &.{});
    defer testing.allocator.free(rs);
    var local: u64 = 7;
    const addr = @intFromPtr(&local);
    var found = false;
    for (rs) |r| found = found or r.contains(addr);
    try testing.expect(found);
}
