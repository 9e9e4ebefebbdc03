//! libisomc_agent.so: the part of the checker that runs inside the checked program, for what
//! Linux does not let one process do to another — its file descriptors. The checker injects it
//! with LD_PRELOAD; the runtime finds it with dlsym and calls it, on its own stack, when the
//! checker asks (FDS) or when a forked copy must stop sharing file offsets with its checkpoint.
//! Only raw system calls: it must not disturb the program's libc or heap.

const std = @import("std");
const linux = std.os.linux;
const fd_list = @import("fd_list");

/// One change to the fd table. `path` is NUL-terminated, for `open`.
pub const FdOp = extern struct {
    /// 0 close, 1 open at `fd` with `flags`, then seek to `pos`; 2 seek to `pos`.
    op: u32,
    fd: i32,
    flags: u32,
    reserved: u32 = 0,
    pos: u64,
    path: ?[*:0]const u8,
};

/// Applies the ops in order. Returns 0, or the index of the first failing op plus one, with
/// its errno in `errno`.
export fn isomc_agent_apply_fds(ops: [*]const FdOp, n: usize, errno: *i32) usize {
    for (ops[0..n], 0..) |op, i| {
        const e = apply(op);
        if (e != .SUCCESS) {
            errno.* = @intCast(@intFromEnum(e));
            return i + 1;
        }
    }
    errno.* = 0;
    return 0;
}

fn apply(op: FdOp) linux.E {
    switch (op.op) {
        0 => _ = linux.close(op.fd),
        1 => {
            // Reopen without the flags that would change the file (it is restored as it is).
            const create_like: u32 = 0o100 | 0o200 | 0o1000; // O_CREAT | O_EXCL | O_TRUNC
            const rc = linux.syscall4(.openat, @bitCast(@as(isize, linux.AT.FDCWD)), @intFromPtr(op.path.?), op.flags & ~create_like, 0);
            const e = linux.E.init(rc);
            if (e != .SUCCESS) return e;
            const fresh: i32 = @intCast(rc);
            if (fresh != op.fd) {
                const d = linux.E.init(linux.dup2(fresh, op.fd));
                _ = linux.close(fresh);
                if (d != .SUCCESS) return d;
            }
            return seek(op.fd, op.pos);
        },
        2 => return seek(op.fd, op.pos),
        else => return .INVAL,
    }
    return .SUCCESS;
}

fn seek(fd: i32, pos: u64) linux.E {
    return linux.E.init(linux.lseek(fd, @bitCast(pos), linux.SEEK.SET));
}

/// In a forked copy: give every regular file an open file description of its own (same file,
/// flags and offset), so the copy's reads and writes no longer move the offsets its frozen
/// parent will resume with. `keep` lists descriptors to leave alone (the runtime's own).
/// Returns how many files could not be detached.
export fn isomc_agent_detach_files(keep: [*]const i32, n_keep: usize) usize {
    const dir = linux.open("/proc/self/fd", .{ .ACCMODE = .RDONLY, .DIRECTORY = true, .CLOEXEC = true }, 0);
    if (linux.E.init(dir) != .SUCCESS) return 1;
    defer _ = linux.close(@intCast(dir));
    var listed: [1024]i32 = undefined;
    const all = listed[0 .. fd_list.list(@intCast(dir), &listed) catch return 1];
    var fds: [1024]i32 = undefined;
    var count: usize = 0;
    for (all) |fd| {
        if (std.mem.indexOfScalar(i32, keep[0..n_keep], fd) != null) continue;
        fds[count] = fd;
        count += 1;
    }
    var failed: usize = 0;
    for (fds[0..count]) |fd| {
        var st: linux.Stat = undefined;
        if (linux.E.init(linux.fstat(fd, &st)) != .SUCCESS) continue;
        if (st.mode & linux.S.IFMT != linux.S.IFREG) continue;
        var path: [64]u8 = undefined;
        const proc = std.fmt.bufPrintZ(&path, "/proc/self/fd/{d}", .{fd}) catch continue;
        const flags = linux.fcntl(fd, linux.F.GETFL, 0);
        const pos = linux.lseek(fd, 0, linux.SEEK.CUR);
        if (linux.E.init(flags) != .SUCCESS or linux.E.init(pos) != .SUCCESS) continue;
        const op = FdOp{ .op = 1, .fd = fd, .flags = @intCast(flags), .pos = pos, .path = proc.ptr };
        if (apply(op) != .SUCCESS) failed += 1;
    }
    return failed;
}
