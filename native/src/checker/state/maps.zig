//! Reading another process's memory map (/proc/PID/maps) and choosing which mappings are
//! program state: writable memory — the program's and its libraries' data and bss, the heap,
//! anonymous mappings (actor stacks, arenas, mmap'd buffers), the main stack, and shared
//! memory only the program's processes can reach (MAP_SHARED|MAP_ANONYMOUS, memfd) — minus
//! the ranges the runtime declared as not state (its control buffers and the maestro's stack)
//! and the kernel's special mappings. Writable memory the checker cannot restore soundly
//! (a shared mapping of a file or of a SysV segment, which other processes may see and which
//! outlives the program; write-only memory, which cannot be read) is refused, never skipped:
//! docs/state.md has the table.

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

/// What a mapping is to the checker.
pub const Class = enum {
    /// Not state: read-only memory (it cannot change without an mprotect the runtime sees),
    /// the kernel's special mappings.
    skip,
    /// Private writable memory: state, write-tracked.
    private,
    /// Shared memory only the program's own processes can reach (MAP_SHARED|MAP_ANONYMOUS,
    /// memfd): state, but not write-tracked (the write tracker registers private memory only),
    /// so read whole at every snapshot.
    shared,
    /// A MAP_SHARED mapping of a file: writing it back writes the file, which other processes
    /// may read and which outlives the program.
    refuse_file,
    /// A SysV shared memory segment: other processes may attach it, and it outlives the program.
    refuse_sysv,
    /// Writable but not readable: its content cannot be read from outside.
    refuse_write_only,
};

pub fn classify(m: Mapping) Class {
    if (!m.writable or isKernelSpecial(m.path)) return .skip;
    if (!m.readable) return .refuse_write_only;
    if (m.private) return .private;
    // The kernel names shared anonymous memory "/dev/zero (deleted)" (or "[anon_shmem:NAME]"
    // once named), a memfd "/memfd:NAME (deleted)", a SysV segment "/SYSV<key> (deleted)".
    if (std.mem.startsWith(u8, m.path, "/dev/zero") or std.mem.startsWith(u8, m.path, "[anon_shmem") or
        std.mem.startsWith(u8, m.path, "/memfd:")) return .shared;
    if (std.mem.startsWith(u8, m.path, "/SYSV")) return .refuse_sysv;
    return .refuse_file;
}

/// A writable mapping the checker cannot restore.
pub const Refused = struct {
    range: Range,
    class: Class,
    /// Points into the maps text.
    path: []const u8,

    /// "0x7f..-0x7f.. (MAP_SHARED file /tmp/x)": the mapping in words, for the user.
    pub fn describe(r: Refused, buf: []u8) []const u8 {
        const what = switch (r.class) {
            .refuse_file => "a MAP_SHARED mapping of the file",
            .refuse_sysv => "a SysV shared memory segment",
            .refuse_write_only => "a write-only mapping",
            else => "a mapping",
        };
        const path = std.mem.trimRight(u8, r.path, " ");
        return std.fmt.bufPrint(buf, "0x{x}-0x{x} ({s}{s}{s})", .{
            r.range.start,                 r.range.end, what,
            if (path.len > 0) " " else "", path,
        }) catch buf[0..0];
    }
};

/// Why the maps were refused (error.Unrestorable): the mapping, in words.
pub const Why = struct {
    buf: [512]u8 = undefined,
    len: usize = 0,

    pub fn text(w: *const Why) []const u8 {
        return w.buf[0..w.len];
    }

    pub fn set(w: *Why, r: Refused) void {
        w.len = r.describe(&w.buf).len;
    }
};

/// The program's state memory: every state range, sorted, and those of shared mappings.
pub const State = struct {
    /// Merged where adjacent, but never a shared range with a private one.
    ranges: []Range,
    /// The shared ones among `ranges` (the same ranges, in the same order).
    shared: []Range,
    /// The first writable mapping that cannot be restored, if any (then `ranges` is partial).
    refused: ?Refused = null,

    pub fn deinit(s: *State, gpa: std.mem.Allocator) void {
        gpa.free(s.ranges);
        gpa.free(s.shared);
        s.* = undefined;
    }
};

const Piece = struct { range: Range, shared: bool };

/// The state ranges: state mappings minus the ignored ranges, merged where adjacent, sorted.
pub fn stateRanges(gpa: std.mem.Allocator, mappings: []const Mapping, ignored: []const Range) !State {
    var pieces: std.ArrayList(Piece) = .empty;
    defer pieces.deinit(gpa);
    var cut: std.ArrayList(Range) = .empty;
    defer cut.deinit(gpa);
    var refused: ?Refused = null;
    for (mappings) |m| {
        const class = classify(m);
        if (class == .skip) continue;
        cut.clearRetainingCapacity();
        try subtract(gpa, &cut, m.range, ignored);
        if (cut.items.len == 0) continue;
        switch (class) {
            .private, .shared => for (cut.items) |r| try pieces.append(gpa, .{ .range = r, .shared = class == .shared }),
            else => if (refused == null) {
                refused = .{ .range = m.range, .class = class, .path = m.path };
            },
        }
    }
    std.mem.sort(Piece, pieces.items, {}, struct {
        fn lessThan(_: void, a: Piece, b: Piece) bool {
            return a.range.start < b.range.start;
        }
    }.lessThan);
    // Merge touching ranges of one kind so one region spans e.g. a library's .data and .bss.
    var merged: std.ArrayList(Piece) = .empty;
    defer merged.deinit(gpa);
    for (pieces.items) |p| {
        if (merged.items.len > 0) {
            const last = &merged.items[merged.items.len - 1];
            if (last.range.end == p.range.start and last.shared == p.shared) {
                last.range.end = p.range.end;
                continue;
            }
        }
        try merged.append(gpa, p);
    }
    var n_shared: usize = 0;
    for (merged.items) |p| n_shared += @intFromBool(p.shared);
    const ranges = try gpa.alloc(Range, merged.items.len);
    errdefer gpa.free(ranges);
    const shared = try gpa.alloc(Range, n_shared);
    var j: usize = 0;
    for (merged.items, ranges) |p, *r| {
        r.* = p.range;
        if (p.shared) {
            shared[j] = p.range;
            j += 1;
        }
    }
    std.debug.assert(j == n_shared);
    return .{ .ranges = ranges, .shared = shared, .refused = refused };
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
    var st = try stateRanges(testing.allocator, ms, &ignored);
    defer st.deinit(testing.allocator);
    try testing.expectEqualSlices(Range, &.{
        .{ .start = 0x555555557000, .end = 0x55555557a000 }, // data + bss + heap, merged
        .{ .start = 0x7ffff7da0000, .end = 0x7ffff7da4000 },
        .{ .start = 0x7ffff7da8000, .end = 0x7ffff7dc0000 },
        .{ .start = 0x7ffffffde000, .end = 0x7ffffffff000 },
    }, st.ranges);
    try testing.expectEqual(@as(usize, 0), st.shared.len);
    // The shared mapping of /dev/shm/x is a file: refused, named.
    var buf: [128]u8 = undefined;
    try testing.expectEqualStrings(
        "0x7ffff7d80000-0x7ffff7d90000 (a MAP_SHARED mapping of the file /dev/shm/x)",
        st.refused.?.describe(&buf),
    );
}

test "shared memory only the program reaches is state, never merged with private memory" {
    const text =
        \\7ffff7d70000-7ffff7d80000 rw-p 00000000 00:00 0 
        \\7ffff7d80000-7ffff7d81000 rw-s 00000000 00:01 7 /dev/zero (deleted)
        \\7ffff7d81000-7ffff7d83000 rw-s 00000000 00:01 8 /memfd:isomc (deleted)
        \\7ffff7d83000-7ffff7d84000 r--s 00000000 00:01 9 /SYSV00000000 (deleted)
        \\7ffff7d84000-7ffff7d85000 rw-p 00000000 00:00 0 
    ;
    const ms = try parse(testing.allocator, text);
    defer testing.allocator.free(ms);
    var st = try stateRanges(testing.allocator, ms, &.{});
    defer st.deinit(testing.allocator);
    try testing.expectEqualSlices(Range, &.{
        .{ .start = 0x7ffff7d70000, .end = 0x7ffff7d80000 },
        .{ .start = 0x7ffff7d80000, .end = 0x7ffff7d83000 }, // anonymous + memfd, both shared
        .{ .start = 0x7ffff7d84000, .end = 0x7ffff7d85000 },
    }, st.ranges);
    try testing.expectEqualSlices(Range, &.{.{ .start = 0x7ffff7d80000, .end = 0x7ffff7d83000 }}, st.shared);
    // A read-only SysV segment cannot change: not state, not refused.
    try testing.expectEqual(null, st.refused);
}

test "what cannot be restored is refused: SysV segments, write-only memory" {
    for ([_][]const u8{
        "1000-2000 rw-s 00000000 00:01 9 /SYSV0000abcd (deleted)",
        "1000-2000 -w-p 00000000 00:00 0 ",
    }, [_]Class{ .refuse_sysv, .refuse_write_only }) |line, class| {
        const ms = try parse(testing.allocator, line);
        defer testing.allocator.free(ms);
        var st = try stateRanges(testing.allocator, ms, &.{});
        defer st.deinit(testing.allocator);
        try testing.expectEqual(class, st.refused.?.class);
        try testing.expectEqual(@as(usize, 0), st.ranges.len);
    }
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
    var st = try stateRanges(testing.allocator, ms, &.{});
    defer st.deinit(testing.allocator);
    var local: u64 = 7;
    const addr = @intFromPtr(&local);
    var found = false;
    for (st.ranges) |r| found = found or r.contains(addr);
    try testing.expect(found);
}
