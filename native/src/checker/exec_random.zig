//! The same start in every copy of a program: the kernel fills the 16 bytes of AT_RANDOM with
//! fresh random bytes at every exec, and glibc derives from them the stack protector's canary
//! and the pointer guard, which it stores in the thread's control block and which end up in
//! saved frames, jmp_bufs, atexit entries and every mangled pointer. Two copies of a program
//! at one state would differ there (docs/state.md, "Copies of one program"). The child asks to
//! be traced before its exec; the checker, at the stop that follows the exec (before the new
//! image's first instruction), writes fixed bytes over AT_RANDOM and lets it go.

const std = @import("std");
const linux = std.os.linux;
const assert = std.debug.assert;

/// What every copy finds at AT_RANDOM (the canary is the first 8 bytes with the low byte
/// cleared, the pointer guard the next 8). Predictable on purpose: a checked program is not
/// defended against an attacker, its states are compared.
pub const fixed_bytes: [16]u8 = "isomc AT_RANDOM!".*;

const AT_RANDOM: u64 = 25;
const AT_NULL: u64 = 0;

pub const Error = error{ ChildGone, SystemResources };

/// In the child, before exec: be traced by the parent, so that exec stops the new image.
/// False when the kernel refuses (then the copy starts with the kernel's random bytes).
pub fn traceMe() bool {
    return linux.E.init(linux.ptrace(linux.PTRACE.TRACEME, 0, 0, 0, 0)) == .SUCCESS;
}

/// In the parent, after a successful exec of a child that called traceMe: waits for the
/// exec's stop, writes `fixed_bytes` over AT_RANDOM, and detaches (the child runs on, without
/// the SIGTRAP). ChildGone: the child died first (it has been reaped).
pub fn fixAtExec(pid: linux.pid_t) Error!void {
    assert(pid > 0);
    var status: u32 = 0;
    while (true) {
        const rc = linux.waitpid(pid, &status, linux.W.UNTRACED | 0x40000000); // __WALL
        switch (linux.E.init(rc)) {
            .SUCCESS => break,
            .INTR => continue,
            else => return error.SystemResources,
        }
    }
    if (!linux.W.IFSTOPPED(status)) return error.ChildGone;
    assert(linux.W.STOPSIG(status) == linux.SIG.TRAP);
    const written = writeRandom(pid);
    // Detached either way, the pending SIGTRAP dropped: a copy left stopped would hang.
    const detach = linux.ptrace(linux.PTRACE.DETACH, pid, 0, 0, 0);
    if (linux.E.init(detach) != .SUCCESS) return error.SystemResources;
    return written;
}

fn writeRandom(pid: linux.pid_t) Error!void {
    const address = try randomAddress(pid);
    const local = [_]std.posix.iovec_const{.{ .base = &fixed_bytes, .len = fixed_bytes.len }};
    const remote = [_]std.posix.iovec_const{.{ .base = @ptrFromInt(address), .len = fixed_bytes.len }};
    const rc = linux.process_vm_writev(pid, &local, &remote, 0);
    if (linux.E.init(rc) != .SUCCESS or rc != fixed_bytes.len) return error.SystemResources;
}

/// AT_RANDOM's address in the stopped child, from /proc/PID/auxv.
fn randomAddress(pid: linux.pid_t) Error!usize {
    var path_buffer: [64]u8 = undefined;
    const path = std.fmt.bufPrintZ(&path_buffer, "/proc/{d}/auxv", .{pid}) catch unreachable;
    const open_rc = linux.open(path, .{ .ACCMODE = .RDONLY, .CLOEXEC = true }, 0);
    if (linux.E.init(open_rc) != .SUCCESS) return error.SystemResources;
    const fd: i32 = @intCast(open_rc);
    defer _ = linux.close(fd);
    // The auxiliary vector has a few dozen entries of two words each.
    var words: [256]u64 = undefined;
    const bytes = std.mem.sliceAsBytes(&words);
    var got: usize = 0;
    while (got < bytes.len) {
        const rc = linux.read(fd, bytes[got..].ptr, bytes.len - got);
        switch (linux.E.init(rc)) {
            .SUCCESS => if (rc == 0) break else {
                got += rc;
            },
            .INTR => continue,
            else => return error.SystemResources,
        }
    }
    var i: usize = 0;
    while (i + 1 < got / 8) : (i += 2) {
        if (words[i] == AT_NULL) break;
        if (words[i] == AT_RANDOM) return @intCast(words[i + 1]);
    }
    return error.SystemResources;
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;
const process = @import("process.zig");

test "a child started with fixed_random finds the fixed bytes at AT_RANDOM" {
    const argv = [_:null]?[*:0]const u8{ "/bin/sleep", "5" };
    const envp = [_:null]?[*:0]const u8{};
    for (0..2) |_| {
        const child = (try process.spawn(.{ .argv = &argv, .envp = &envp, .fixed_random = true })).child;
        defer process.kill(child);
        try testing.expect(child.random_fixed);
        const address = try randomAddress(child.pid);
        var bytes: [16]u8 = undefined;
        const local = [_]std.posix.iovec{.{ .base = &bytes, .len = bytes.len }};
        const remote = [_]std.posix.iovec_const{.{ .base = @ptrFromInt(address), .len = bytes.len }};
        try testing.expectEqual(@as(usize, 16), linux.process_vm_readv(child.pid, &local, &remote, 0));
        try testing.expectEqualSlices(u8, &fixed_bytes, &bytes);
    }
}

test "the kept descriptor takes the number asked for in the child" {
    var fds: [2]i32 = undefined;
    try testing.expectEqual(@as(usize, 0), linux.pipe2(&fds, .{ .CLOEXEC = true }));
    defer _ = linux.close(fds[0]);
    const argv = [_:null]?[*:0]const u8{ "/bin/sh", "-c", "echo ok >&3" };
    const envp = [_:null]?[*:0]const u8{};
    const spawned = process.spawn(.{ .argv = &argv, .envp = &envp, .keep_fd = fds[1], .keep_fd_as = 3, .fixed_random = true });
    _ = linux.close(fds[1]);
    const child = (try spawned).child;
    var buffer: [8]u8 = undefined;
    const n = linux.read(fds[0], &buffer, buffer.len);
    try testing.expectEqualStrings("ok\n", buffer[0..n]);
    try testing.expectEqual(process.Exit{ .exited = 0 }, process.wait(child, 5000));
    process.release(child);
}
