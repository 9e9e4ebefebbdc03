//! The content of pipes inside the checked program, read and put back from the checker's
//! process. A pipe whose both ends the program holds is program state the memory snapshot does
//! not see (its buffer is the kernel's): the checker takes duplicates of the program's ends
//! with pidfd_getfd, copies the buffer without taking it (tee into a scratch pipe) at snapshot
//! time, and on a restore empties the pipe and writes the saved bytes back.

const std = @import("std");
const linux = std.os.linux;

/// fcntl's F_SETPIPE_SZ (F_LINUX_SPECIFIC_BASE + 7), which std does not name.
const F_SETPIPE_SZ = 1031;

pub const Error = error{ ProcessGone, NotAPipe, TooLarge, Failed };

/// A duplicate of descriptor `fd` of the process behind `pidfd`, in our process.
fn borrow(pidfd: i32, fd: i32) Error!i32 {
    const rc = linux.pidfd_getfd(pidfd, fd, 0);
    return switch (linux.E.init(rc)) {
        .SUCCESS => @intCast(rc),
        .SRCH, .BADF => error.ProcessGone,
        else => error.Failed,
    };
}

/// Bytes waiting in the pipe (either end).
fn buffered(fd: i32) Error!usize {
    var n: c_int = 0;
    return switch (linux.E.init(linux.ioctl(fd, linux.T.FIONREAD, @intFromPtr(&n)))) {
        .SUCCESS => @intCast(n),
        .NOTTY, .INVAL => error.NotAPipe,
        else => error.Failed,
    };
}

/// Reads exactly out.len bytes, which are known to be there.
fn readAll(fd: i32, out: []u8) Error!void {
    var got: usize = 0;
    while (got < out.len) {
        const rc = linux.read(fd, out[got..].ptr, out.len - got);
        switch (linux.E.init(rc)) {
            .SUCCESS => if (rc == 0) return error.Failed else {
                got += rc;
            },
            .INTR => {},
            else => return error.Failed,
        }
    }
}

/// Copies into `out` the bytes buffered in the pipe whose read end is `fd` in the program,
/// leaving them there; returns them. error.TooLarge when they do not fit in `out`.
pub fn peek(pidfd: i32, fd: i32, out: []u8) Error![]u8 {
    const local = try borrow(pidfd, fd);
    defer _ = linux.close(local);
    const n = try buffered(local);
    if (n == 0) return out[0..0];
    if (n > out.len) return error.TooLarge;
    var scratch: [2]i32 = undefined;
    if (linux.E.init(linux.pipe2(&scratch, .{ .CLOEXEC = true })) != .SUCCESS) return error.Failed;
    defer for (scratch) |s| {
        _ = linux.close(s);
    };
    // The scratch pipe must hold all of it, or tee would block on a full pipe.
    const want = std.math.ceilPowerOfTwo(usize, @max(n, 4096)) catch return error.TooLarge;
    if (linux.E.init(linux.fcntl(scratch[1], F_SETPIPE_SZ, want)) != .SUCCESS and n > 65536)
        return error.TooLarge;
    var copied: usize = 0;
    while (copied < n) {
        // tee copies from the start of the buffer every time: one call must take it all.
        const rc = linux.syscall4(.tee, @intCast(local), @intCast(scratch[1]), n, 0);
        switch (linux.E.init(rc)) {
            .SUCCESS => copied = rc,
            .INTR => continue,
            else => return error.Failed,
        }
        if (copied < n) return error.Failed;
    }
    try readAll(scratch[0], out[0..n]);
    return out[0..n];
}

/// Empties the pipe whose read end is `read_fd` in the program and writes `data` into it
/// through `write_fd` (an end of the same pipe).
pub fn refill(pidfd: i32, read_fd: i32, write_fd: i32, data: []const u8) Error!void {
    const reader = try borrow(pidfd, read_fd);
    defer _ = linux.close(reader);
    var sink: [4096]u8 = undefined;
    while (true) {
        const n = try buffered(reader);
        if (n == 0) break;
        try readAll(reader, sink[0..@min(n, sink.len)]);
    }
    if (data.len == 0) return;
    const writer = try borrow(pidfd, write_fd);
    defer _ = linux.close(writer);
    var sent: usize = 0;
    while (sent < data.len) {
        const rc = linux.write(writer, data[sent..].ptr, data.len - sent);
        switch (linux.E.init(rc)) {
            .SUCCESS => sent += rc,
            .INTR => {},
            else => return error.Failed,
        }
    }
}

test "a pipe's content is copied without being taken, and replaced" {
    const pidfd: i32 = @intCast(linux.pidfd_open(linux.getpid(), 0));
    defer _ = linux.close(pidfd);
    var p: [2]i32 = undefined;
    try std.testing.expectEqual(@as(usize, 0), linux.pipe2(&p, .{ .CLOEXEC = true }));
    defer for (p) |fd| {
        _ = linux.close(fd);
    };
    var buf: [64]u8 = undefined;
    try std.testing.expectEqualStrings("", try peek(pidfd, p[0], &buf));
    _ = linux.write(p[1], "hello", 5);
    try std.testing.expectEqualStrings("hello", try peek(pidfd, p[0], &buf));
    // Still there: peeking took nothing.
    try std.testing.expectEqualStrings("hello", try peek(pidfd, p[0], &buf));
    var tiny: [3]u8 = undefined;
    try std.testing.expectError(error.TooLarge, peek(pidfd, p[0], &tiny));

    try refill(pidfd, p[0], p[1], "ab");
    try std.testing.expectEqualStrings("ab", try peek(pidfd, p[0], &buf));
    try refill(pidfd, p[0], p[1], "");
    try std.testing.expectEqual(@as(usize, 0), try buffered(p[0]));
    // Not a pipe: a clear error, nothing read.
    const dev_null: i32 = @intCast(linux.open("/dev/null", .{ .ACCMODE = .RDONLY, .CLOEXEC = true }, 0));
    defer _ = linux.close(dev_null);
    try std.testing.expectError(error.NotAPipe, peek(pidfd, dev_null, &buf));
}
