//! Reading and writing another process's pages from the checker's own process, with
//! process_vm_readv and process_vm_writev. Runs of consecutive pages become one remote iovec
//! and up to IOV_MAX iovecs go in one system call, so copying k scattered pages costs about
//! k/1024 calls. The program must be stopped at a scheduling point while this happens.

const std = @import("std");
const linux = std.os.linux;
const posix = std.posix;

pub const page_size = 4096;
const iov_max = linux.IOV_MAX;

pub const RemoteError = error{ProcessGone};

/// Counts of system calls and bytes, for the statistics.
pub const Traffic = struct {
    calls: u64 = 0,
    bytes: u64 = 0,
};

/// Reads the pages at `addrs` (page-aligned, ascending) into `out` (addrs.len pages).
pub fn readPages(pid: linux.pid_t, addrs: []const u64, out: []u8, traffic: *Traffic) RemoteError!void {
    std.debug.assert(out.len == addrs.len * page_size);
    var remote: [iov_max]posix.iovec_const = undefined;
    var i: usize = 0;
    while (i < addrs.len) {
        // One call: as many runs as fit in IOV_MAX remote iovecs.
        const first = i;
        var n: usize = 0;
        while (i < addrs.len and n < iov_max) {
            const start = addrs[i];
            std.debug.assert(start % page_size == 0);
            var len: usize = page_size;
            i += 1;
            while (i < addrs.len and addrs[i] == start + len) : (i += 1) len += page_size;
            remote[n] = .{ .base = @ptrFromInt(start), .len = len };
            n += 1;
        }
        const want = (i - first) * page_size;
        const local = [_]posix.iovec{.{ .base = out[first * page_size ..].ptr, .len = want }};
        const rc = linux.process_vm_readv(pid, &local, remote[0..n], 0);
        traffic.calls += 1;
        if (linux.E.init(rc) != .SUCCESS or rc != want) return error.ProcessGone;
        traffic.bytes += want;
    }
}

/// Writes `pages[j]` to `addrs[j]` (page-aligned, ascending).
pub fn writePages(pid: linux.pid_t, addrs: []const u64, pages: []const *const [page_size]u8, traffic: *Traffic) RemoteError!void {
    std.debug.assert(addrs.len == pages.len);
    var local: [iov_max]posix.iovec_const = undefined;
    var remote: [iov_max]posix.iovec_const = undefined;
    var i: usize = 0;
    while (i < addrs.len) {
        const count: usize = @min(iov_max, addrs.len - i);
        var n_remote: usize = 0;
        for (0..count) |j| {
            const addr = addrs[i + j];
            std.debug.assert(addr % page_size == 0);
            local[j] = .{ .base = pages[i + j], .len = page_size };
            if (n_remote > 0 and @intFromPtr(remote[n_remote - 1].base) + remote[n_remote - 1].len == addr) {
                remote[n_remote - 1].len += page_size;
            } else {
                remote[n_remote] = .{ .base = @ptrFromInt(addr), .len = page_size };
                n_remote += 1;
            }
        }
        const want = count * page_size;
        const rc = linux.process_vm_writev(pid, local[0..count], remote[0..n_remote], 0);
        traffic.calls += 1;
        if (linux.E.init(rc) != .SUCCESS or rc != want) return error.ProcessGone;
        traffic.bytes += want;
        i += count;
    }
}

/// Reads the 4-byte words at `addrs` (any order) into `out`, in as few calls as IOV_MAX allows.
/// Returns null, or the index of the first word that cannot be read (not mapped, not
/// readable); error.ProcessGone when the process is.
pub fn readWords(pid: linux.pid_t, addrs: []const u64, out: []u32, traffic: *Traffic) RemoteError!?usize {
    std.debug.assert(out.len == addrs.len);
    var remote: [iov_max]posix.iovec_const = undefined;
    var i: usize = 0;
    while (i < addrs.len) {
        const n: usize = @min(iov_max, addrs.len - i);
        for (addrs[i..][0..n], remote[0..n]) |a, *r| r.* = .{ .base = @ptrFromInt(a), .len = 4 };
        const local = [_]posix.iovec{.{ .base = @ptrCast(out[i..].ptr), .len = 4 * n }};
        const rc = linux.process_vm_readv(pid, &local, remote[0..n], 0);
        traffic.calls += 1;
        switch (linux.E.init(rc)) {
            .SUCCESS => {},
            // The first remote iovec failed: that word is not readable.
            .FAULT, .PERM, .NOMEM => return i,
            else => return error.ProcessGone,
        }
        traffic.bytes += rc;
        // A partial transfer stops at the first iovec that failed.
        if (rc < 4 * n) return i + rc / 4;
        i += n;
    }
    return null;
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "pages are read and written in our own process" {
    const mem = try posix.mmap(null, 8 * page_size, posix.PROT.READ | posix.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true }, -1, 0);
    defer posix.munmap(mem);
    for (0..8) |p| @memset(mem[p * page_size ..][0..page_size], @intCast(p + 1));
    const base = @intFromPtr(mem.ptr);
    // Pages 1, 2, 3 (one run) and 6.
    const addrs = [_]u64{ base + page_size, base + 2 * page_size, base + 3 * page_size, base + 6 * page_size };
    var out: [4 * page_size]u8 = undefined;
    var traffic = Traffic{};
    try readPages(linux.getpid(), &addrs, &out, &traffic);
    try testing.expectEqual(@as(u8, 2), out[0]);
    try testing.expectEqual(@as(u8, 4), out[2 * page_size]);
    try testing.expectEqual(@as(u8, 7), out[3 * page_size + 100]);
    try testing.expectEqual(@as(u64, 1), traffic.calls);

    const a: [page_size]u8 = @splat(0xa1);
    const b: [page_size]u8 = @splat(0xb2);
    const targets = [_]u64{ base, base + page_size, base + 7 * page_size };
    const sources = [_]*const [page_size]u8{ &a, &b, &a };
    try writePages(linux.getpid(), &targets, &sources, &traffic);
    try testing.expectEqual(@as(u8, 0xa1), mem[0]);
    try testing.expectEqual(@as(u8, 0xb2), mem[page_size + 5]);
    try testing.expectEqual(@as(u8, 3), mem[2 * page_size]);
    try testing.expectEqual(@as(u8, 0xa1), mem[7 * page_size + page_size - 1]);
}

test "an unmapped page is an error, not garbage" {
    var out: [page_size]u8 = undefined;
    var traffic = Traffic{};
    const addrs = [_]u64{page_size}; // page 1 is never mapped
    try testing.expectError(error.ProcessGone, readPages(linux.getpid(), &addrs, &out, &traffic));
}

test "words are read from anywhere, and an unmapped one is named by its index" {
    var words = [_]u32{ 7, 0, 0xdead_beef };
    const addrs = [_]u64{ @intFromPtr(&words[2]), @intFromPtr(&words[0]), @intFromPtr(&words[1]) };
    var out: [3]u32 = undefined;
    var traffic = Traffic{};
    try testing.expectEqual(@as(?usize, null), try readWords(linux.getpid(), &addrs, &out, &traffic));
    try testing.expectEqualSlices(u32, &.{ 0xdead_beef, 7, 0 }, &out);
    const bad = [_]u64{ @intFromPtr(&words[0]), page_size + 8 };
    var two: [2]u32 = undefined;
    try testing.expectEqual(@as(?usize, 1), try readWords(linux.getpid(), &bad, &two, &traffic));
    try testing.expectEqual(@as(?usize, 0), try readWords(linux.getpid(), bad[1..], two[0..1], &traffic));
}
