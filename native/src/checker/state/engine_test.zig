//! The snapshot engine against a real process: a forked child that behaves like a checked
//! program (it creates the userfaultfd, then waits for commands on a pipe, touching only a
//! region of its own), snapshotted and restored from the parent.

const std = @import("std");
const linux = std.os.linux;
const maps = @import("maps.zig");
const page_store = @import("page_store.zig");
const engine_mod = @import("engine.zig");
const tracker_mod = @import("tracker.zig");

const testing = std.testing;
const page_size = maps.page_size;
const region_pages = 64;

const Child = struct {
    pid: linux.pid_t,
    pidfd: i32,
    to: i32,
    from: i32,
    region: u64,
    uffd: i32,
    stack: maps.Range,

    fn command(c: *Child, cmd: [3]u64) u64 {
        _ = linux.write(c.to, std.mem.asBytes(&cmd), 24);
        var reply: u64 = 0;
        _ = linux.read(c.from, std.mem.asBytes(&reply), 8);
        return reply;
    }

    /// Writes `value` into every byte of page `page` of the child's region.
    fn fill(c: *Child, page: u64, value: u64) void {
        _ = c.command(.{ 1, page, value });
    }

    fn checksum(c: *Child) u64 {
        return c.command(.{ 2, 0, 0 });
    }

    /// Maps `pages` more pages at a fixed address after the region; returns its address.
    fn grow(c: *Child, pages: u64) u64 {
        return c.command(.{ 3, pages, 0 });
    }

    fn mapShared(c: *Child, pages: u64) u64 {
        return c.command(.{ 5, pages, 0 });
    }

    fn poke(c: *Child, addr: u64, value: u8) void {
        _ = c.command(.{ 6, addr, value });
    }

    fn peek(c: *Child, addr: u64) u8 {
        return @truncate(c.command(.{ 7, addr, 0 }));
    }

    fn unmap(c: *Child, addr: u64, len: u64) void {
        _ = c.command(.{ 4, addr, len });
    }

    fn stop(c: *Child) void {
        _ = linux.kill(c.pid, linux.SIG.KILL);
        var status: u32 = 0;
        _ = linux.waitpid(c.pid, &status, 0);
        _ = linux.close(c.pidfd);
        _ = linux.close(c.to);
        _ = linux.close(c.from);
    }
};

fn childLoop(region: [*]u8, cmd_fd: i32, reply_fd: i32) noreturn {
    while (true) {
        var cmd: [3]u64 = undefined;
        if (linux.read(cmd_fd, std.mem.asBytes(&cmd), 24) != 24) linux.exit_group(0);
        var reply: u64 = 0;
        switch (cmd[0]) {
            1 => @memset(region[cmd[1] * page_size ..][0..page_size], @truncate(cmd[2])),
            2 => for (0..region_pages * page_size) |i| {
                reply = reply *% 31 +% region[i];
            },
            3 => {
                const want = @intFromPtr(region) + region_pages * page_size;
                const rc = linux.mmap(@ptrFromInt(want), cmd[1] * page_size, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .FIXED_NOREPLACE = true }, -1, 0);
                reply = rc;
            },
            4 => _ = linux.munmap(@ptrFromInt(cmd[1]), cmd[2]),
            // Shared memory: map cmd[1] pages MAP_SHARED|MAP_ANONYMOUS; write and read a byte.
            5 => reply = linux.mmap(null, cmd[1] * page_size, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .SHARED, .ANONYMOUS = true }, -1, 0),
            6 => @as(*volatile u8, @ptrFromInt(cmd[1])).* = @truncate(cmd[2]),
            7 => reply = @as(*volatile u8, @ptrFromInt(cmd[1])).*,
            else => {},
        }
        _ = linux.write(reply_fd, std.mem.asBytes(&reply), 8);
    }
}

fn startChild() !Child {
    var to: [2]i32 = undefined;
    var from: [2]i32 = undefined;
    if (linux.pipe2(&to, .{ .CLOEXEC = true }) != 0) return error.Pipe;
    if (linux.pipe2(&from, .{ .CLOEXEC = true }) != 0) return error.Pipe;
    // Reserve twice the region so the child can later map right after it.
    const rc = linux.mmap(null, 2 * region_pages * page_size, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true }, -1, 0);
    if (linux.E.init(rc) != .SUCCESS) return error.Mmap;
    _ = linux.munmap(@ptrFromInt(rc + region_pages * page_size), region_pages * page_size);
    const region: [*]u8 = @ptrFromInt(rc);
    const pid: linux.pid_t = @intCast(linux.fork());
    if (pid == 0) {
        // glibc's rseq area gets the current CPU number written into it by the kernel: keep
        // the child on one CPU so that memory stays still (real programs run with rseq off).
        var cpus: linux.cpu_set_t = @splat(0);
        cpus[0] = 1;
        _ = linux.sched_setaffinity(0, &cpus) catch {};
        _ = linux.sched_yield();
        const uffd_rc = linux.syscall1(.userfaultfd, @as(usize, @bitCast(@as(isize, 0o2000000 | 0o4000 | 1))));
        var uffd: i64 = -1;
        if (linux.E.init(uffd_rc) == .SUCCESS) {
            var api = extern struct { api: u64, features: u64, ioctls: u64 }{ .api = 0xAA, .features = (1 << 15) | (1 << 13), .ioctls = 0 };
            const api_rc = linux.ioctl(@intCast(uffd_rc), linux.IOCTL.IOWR(0xAA, 0x3F, @TypeOf(api)), @intFromPtr(&api));
            if (linux.E.init(api_rc) == .SUCCESS) uffd = @intCast(uffd_rc);
        }
        @memset(region[0 .. region_pages * page_size], 0);
        region[0] = 1;
        var sp_probe: u64 = 0;
        const hello = [2]u64{ @bitCast(uffd), @intFromPtr(&sp_probe) };
        _ = linux.write(from[1], std.mem.asBytes(&hello), 16);
        childLoop(region, to[0], from[1]);
    }
    _ = linux.munmap(region, region_pages * page_size);
    _ = linux.close(to[0]);
    _ = linux.close(from[1]);
    var hello: [2]u64 = undefined;
    _ = linux.read(from[0], std.mem.asBytes(&hello), 16);
    // The child's own stack is where it waits for commands: not state in this test, as the
    // maestro's stack is not state for a real program.
    const stack = maps.Range{
        .start = std.mem.alignBackward(u64, hello[1], page_size) - 64 * page_size,
        .end = std.mem.alignForward(u64, hello[1], page_size) + 64 * page_size,
    };
    return .{
        .pid = pid,
        .pidfd = @intCast(linux.pidfd_open(pid, 0)),
        .to = to[1],
        .from = from[0],
        .region = rc,
        .uffd = @intCast(@as(i64, @bitCast(hello[0]))),
        .stack = stack,
    };
}

fn expectRestores(allow: tracker_mod.Kind) !void {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, allow, null);
    defer e.deinit();
    if (allow == .uffd_wp) try testing.expectEqual(tracker_mod.Kind.uffd_wp, e.tracker.kind);

    const s0 = try e.snapshot(false);
    defer e.drop(s0);
    const sum0 = child.checksum();

    child.fill(3, 0x33);
    child.fill(40, 0x44);
    const before_pages = e.stats.pages_read;
    const s1 = try e.snapshot(false);
    defer e.drop(s1);
    const sum1 = child.checksum();
    try testing.expect(sum0 != sum1);
    if (e.tracker.kind == .uffd_wp) {
        // Only the written pages were read (plus whatever the pipe I/O touched elsewhere).
        try testing.expect(e.stats.pages_read - before_pages < 16);
    }
    try testing.expect(s0.hash != s1.hash);

    child.fill(3, 0x99); // unsnapshotted change, must be undone too
    try e.restore(s0, false, false);
    try testing.expectEqual(sum0, child.checksum());
    try e.restore(s1, false, false);
    try testing.expectEqual(sum1, child.checksum());

    // Going back to equal content gives the same hash as the earlier snapshot.
    child.fill(3, 0);
    child.fill(40, 0);
    const s2 = try e.snapshot(false);
    defer e.drop(s2);
    try testing.expectEqual(s0.hash, s2.hash);
}

test "restore with uffd-wp tracking rewrites only what differs" {
    try expectRestores(.uffd_wp);
}

test "restore without a tracker reads everything but gives the same results" {
    try expectRestores(.none);
}

test "a clean restore (nothing ran since the last sync) writes back what differs, unasked" {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, .uffd_wp, null);
    defer e.deinit();
    const s0 = try e.snapshot(false);
    defer e.drop(s0);
    const sum0 = child.checksum();
    child.fill(3, 0x33);
    child.fill(40, 0x44);
    // A final state keyed: the view brought up to date, no snapshot kept.
    try e.sync(false);
    const written = e.stats.pages_written;
    try e.restore(s0, false, true);
    try testing.expectEqual(sum0, child.checksum());
    try testing.expectEqual(@as(u64, 1), e.stats.clean_restores);
    if (e.tracker.kind == .uffd_wp) {
        // The two pages that differ, and whatever the child's pipe I/O touched in between.
        try testing.expect(e.stats.pages_written - written >= 2);
        try testing.expect(e.stats.pages_written - written < 16);
    }
    // The tracker was reset after the writes: a later ordinary restore still sees new writes.
    child.fill(3, 0x55);
    try e.restore(s0, false, false);
    try testing.expectEqual(sum0, child.checksum());
}

test "new mappings are picked up, and removed on restore by following the plan" {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, .uffd_wp, null);
    defer e.deinit();
    const s0 = try e.snapshot(true);
    defer e.drop(s0);
    const extra = child.grow(4);
    try testing.expect(linux.E.init(extra) == .SUCCESS);
    const s1 = try e.snapshot(true);
    defer e.drop(s1);
    try testing.expect(s1.pageCount() == s0.pageCount() + 4);

    try testing.expectError(error.MappingsDiffer, e.restore(s0, true, false));
    var p = try e.plan(s0, true);
    defer p.deinit(testing.allocator);
    try testing.expectEqual(@as(usize, 1), p.unmap.len);
    try testing.expectEqual(@as(usize, 0), p.map.len);
    try testing.expectEqual(extra, p.unmap[0].start);
    child.unmap(p.unmap[0].start, p.unmap[0].len());
    try e.restore(s0, true, false);

    // And the page store frees pages when snapshots are dropped.
    const held = store.stats.pages;
    try testing.expect(held > 0);
}

test "one scan over a span reports the written pages of the given ranges only" {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, .uffd_wp, null);
    defer e.deinit();
    if (e.tracker.kind != .uffd_wp) return error.SkipZigTest;
    const s0 = try e.snapshot(false);
    defer e.drop(s0);

    // Pages 3 and 40 lie in the ranges asked about, page 20 between them (tracked all the same).
    child.fill(3, 1);
    child.fill(20, 2);
    child.fill(40, 3);
    const base = child.region;
    const ranges = [_]maps.Range{
        .{ .start = base, .end = base + 10 * page_size },
        .{ .start = base + 30 * page_size, .end = base + region_pages * page_size },
    };
    var out: std.ArrayList(u64) = .empty;
    defer out.deinit(testing.allocator);
    try e.tracker.collectSpan(&ranges, &out);
    try testing.expectEqualSlices(u64, &.{ base + 3 * page_size, base + 40 * page_size }, out.items);

    // The scan protected every written page of the span, page 20 too (which is why the engine
    // scans spans only over all the ranges it registered): nothing is written now.
    out.clearRetainingCapacity();
    try e.tracker.collect(&.{.{ .start = base, .end = base + region_pages * page_size }}, &out);
    try testing.expectEqual(@as(usize, 0), out.items.len);
}

test "shared memory is state: not write-tracked, read and restored whole, in the hash" {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, .uffd_wp, null);
    defer e.deinit();
    const shared = child.mapShared(3);
    try testing.expect(linux.E.init(shared) == .SUCCESS);
    child.poke(shared + page_size, 7);
    const s0 = try e.snapshot(true);
    defer e.drop(s0);
    try testing.expectEqual(@as(usize, 1), e.shared.len);
    try testing.expectEqual(shared, e.shared[0].start);
    // Its writes are seen without the tracker, and change the hash.
    child.poke(shared + page_size, 9);
    child.poke(shared + 2 * page_size, 1);
    const s1 = try e.snapshot(false);
    defer e.drop(s1);
    try testing.expect(s0.hash != s1.hash);
    try e.restore(s0, false, false);
    try testing.expectEqual(@as(u8, 7), child.peek(shared + page_size));
    try testing.expectEqual(@as(u8, 0), child.peek(shared + 2 * page_size));
    // A write after the last snapshot is undone too.
    child.poke(shared, 5);
    try e.restore(s1, false, false);
    try testing.expectEqual(@as(u8, 9), child.peek(shared + page_size));
    try testing.expectEqual(@as(u8, 0), child.peek(shared));
    const s2 = try e.snapshot(false);
    defer e.drop(s2);
    try testing.expectEqual(s1.hash, s2.hash);
}

test "words are read from the view's pages after a sync, and from the program otherwise" {
    var child = try startChild();
    defer child.stop();
    var store = try page_store.PageStore.init(testing.allocator);
    defer store.deinit();
    var e = try engine_mod.Engine.init(testing.allocator, &store, child.pid, child.pidfd, child.uffd, &.{child.stack}, .uffd_wp, null);
    defer e.deinit();
    child.poke(child.region + 2 * page_size + 8, 5);
    const s0 = try e.snapshot(false);
    defer e.drop(s0);
    const reads = e.stats.read.calls;
    // A word in a state page and one in the ignored stack (no page in the view).
    const addrs = [_]u64{ child.region + 2 * page_size + 8, child.stack.start + 64 * page_size };
    var out: [2]u32 = undefined;
    try testing.expectEqual(@as(?usize, null), try e.readWords(addrs[0..1], true, out[0..1]));
    try testing.expectEqual(@as(u32, 5), out[0]);
    try testing.expectEqual(reads, e.stats.read.calls);
    try testing.expectEqual(@as(?usize, null), try e.readWords(&addrs, true, &out));
    try testing.expectEqual(reads + 1, e.stats.read.calls);
    // The view is stale once the program moved: read from the program.
    child.poke(child.region + 2 * page_size + 8, 6);
    try testing.expectEqual(@as(?usize, null), try e.readWords(addrs[0..1], false, out[0..1]));
    try testing.expectEqual(@as(u32, 6), out[0]);
    // An address nothing maps is named by its index.
    const bad = [_]u64{ child.region + 8, 4096 };
    try testing.expectEqual(@as(?usize, 1), try e.readWords(&bad, true, &out));
}
