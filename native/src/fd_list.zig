//! Lists a process's descriptors from its /proc/PID/fd directory. One reader for both sides
//! that need it: the checker (the program's table, at every snapshot) and the agent inside the
//! program (its own table, in a forked copy).

const std = @import("std");
const linux = std.os.linux;

pub const Error = error{ReadFailed};

/// Fills `out` with the descriptors above 2 listed in the open directory `dir` (read from its
/// start, so one open directory serves many calls), leaving out `dir` itself. Returns how many
/// were listed; those beyond `out.len` are dropped.
pub fn list(dir: i32, out: []i32) Error!usize {
    if (linux.E.init(linux.lseek(dir, 0, linux.SEEK.SET)) != .SUCCESS) return error.ReadFailed;
    var n: usize = 0;
    var buf: [4096]u8 align(8) = undefined;
    while (true) {
        const got = linux.getdents64(dir, &buf, buf.len);
        if (linux.E.init(got) != .SUCCESS) return error.ReadFailed;
        if (got == 0) return n;
        var off: usize = 0;
        while (off < got) {
            // struct linux_dirent64: ino u64, off i64, reclen u16, type u8, then the name.
            const reclen = std.mem.readInt(u16, buf[off + 16 ..][0..2], .little);
            std.debug.assert(reclen > 19 and off + reclen <= got);
            const name = std.mem.sliceTo(@as([*:0]const u8, @ptrCast(&buf[off + 19])), 0);
            off += reclen;
            const fd = std.fmt.parseInt(i32, name, 10) catch continue; // "." and ".."
            if (fd <= 2 or fd == dir or n == out.len) continue;
            out[n] = fd;
            n += 1;
        }
    }
}

test "our own descriptors are listed, stdio and the directory left out" {
    const dir: i32 = @intCast(linux.open("/proc/self/fd", .{ .ACCMODE = .RDONLY, .DIRECTORY = true, .CLOEXEC = true }, 0));
    defer _ = linux.close(dir);
    var pipe: [2]i32 = undefined;
    try std.testing.expectEqual(@as(usize, 0), linux.pipe2(&pipe, .{ .CLOEXEC = true }));
    var fds: [256]i32 = undefined;
    const n = try list(dir, &fds);
    try std.testing.expect(std.mem.indexOfScalar(i32, fds[0..n], pipe[0]) != null);
    try std.testing.expect(std.mem.indexOfScalar(i32, fds[0..n], pipe[1]) != null);
    try std.testing.expect(std.mem.indexOfScalar(i32, fds[0..n], dir) == null);
    for (fds[0..n]) |fd| try std.testing.expect(fd > 2);
    _ = linux.close(pipe[0]);
    _ = linux.close(pipe[1]);
    // Read again from the start: the closed pair is gone.
    const again = try list(dir, &fds);
    try std.testing.expectEqual(n - 2, again);
    // A short buffer keeps the first ones and drops the rest.
    var one: [1]i32 = undefined;
    try std.testing.expect(try list(dir, &one) <= 1);
}
