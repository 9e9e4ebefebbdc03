//! The checker's restore commands, in stateful runs: MAP (mappings created or removed before a
//! restore writes pages), FDS (the preloaded agent changes the fd table) and FORK (this process
//! freezes as a checkpoint and a forked copy runs on).

const std = @import("std");
const protocol = @import("protocol");
const control = @import("control.zig");
const malloc = @import("malloc.zig");
const arena = @import("arena.zig");
const linux = std.os.linux;
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;

/// Carries out the mapping changes a restore needs; returns 0 or the first errno.
pub fn applyMaps(k: *Kernel, ops: protocol.MapOps) i32 {
    k.book.maps_epoch +%= 1;
    var i: u32 = 0;
    while (i < ops.count) : (i += 1) {
        const op = ops.get(i);
        const len = op.end - op.start;
        const rc = if (op.map)
            linux.mmap(@ptrFromInt(op.start), len, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .FIXED = true }, -1, 0)
        else if (isReserved(k, op.start, op.end))
            // Uncommitted arena memory: back to reserved, the arena will commit it again.
            linux.mmap(@ptrFromInt(op.start), len, linux.PROT.NONE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .FIXED = true, .NORESERVE = true }, -1, 0)
        else
            linux.munmap(@ptrFromInt(op.start), len);
        const e = linux.E.init(rc);
        if (e != .SUCCESS) return @intCast(@intFromEnum(e));
    }
    return 0;
}

/// Is [start, end) in one of the reservations the runtime commits from (the arenas, the
/// mailbox registry)? Those are given back as reserved, never unmapped.
fn isReserved(k: *const Kernel, start: usize, end: usize) bool {
    if (malloc.reserved(start, end)) return true;
    if (k.object_arenas) |s| if (s.contains(start, end)) return true;
    for ([_]*const arena.Reservation{ &k.mailboxes.entries, &k.mailboxes.names }) |r| {
        if (r.contains(start) and end <= r.base + r.len) return true;
    }
    return false;
}

/// FDS: hands the fd changes to the agent (LD_PRELOAD'ed by the checker) and answers FDSET.
pub fn applyFds(k: *Kernel, body: []const u8) void {
    const link = &k.link.?;
    var changes = protocol.decodeFds(body) catch link.fail(.malformed, "malformed FDS");
    const book = k.book;
    var n: usize = 0;
    var used: usize = 0;
    while (changes.next() catch link.fail(.malformed, "malformed FDS")) |c| {
        if (n == control.max_fd_ops or used + c.path.len + 1 > book.fd_paths.len) link.fail(.malformed, "FDS too large");
        @memcpy(book.fd_paths[used..][0..c.path.len], c.path);
        book.fd_paths[used + c.path.len] = 0;
        book.fd_ops[n] = .{
            .op = @intFromEnum(c.op),
            .fd = c.fd,
            .flags = c.flags,
            .pos = c.pos,
            .path = @ptrCast(&book.fd_paths[used]),
        };
        used += c.path.len + 1;
        n += 1;
    }
    const apply = k.agent_apply_fds orelse {
        link.send(protocol.encodeFdset(link.out, @intFromEnum(linux.E.NOSYS), 1));
        return;
    };
    var errno: i32 = 0;
    const failed = apply(&book.fd_ops, n, &errno);
    link.send(protocol.encodeFdset(link.out, errno, @intCast(failed)));
}

/// FORK: this process becomes (or stays) a frozen checkpoint and a forked copy runs on,
/// with a control channel of its own whose other end goes to the checker.
pub fn forkRunner(k: *Kernel) void {
    const link = &k.link.?;
    var pair: [2]i32 = undefined;
    if (linux.E.init(linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, &pair)) != .SUCCESS)
        link.fail(.internal, "socketpair failed for FORK");
    // No fflush: what stdio buffers is program memory, which each copy has as its
    // checkpoint had it, as a memory restore puts it back; the checker truncates the
    // output files to the checkpoint's sizes. Flushing here would make a state's memory
    // depend on whether a checkpoint was taken after its last print.
    const parent = linux.getpid();
    // The fork system call, not glibc's fork(): glibc's updates program memory in the
    // copy (its thread id in struct pthread, a fork generation counter that grows with
    // every fork behind a process) and runs the program's atfork handlers, so a copy's
    // memory would differ from its checkpoint's by the checkpoints behind it, and equal
    // states would not hash equal (--visited, docs/state.md). One thread, no lock held at
    // a scheduling point: nothing of what glibc's fork resets needs it. glibc's calls on
    // the calling thread ask the kernel for its id (raise, pthread_kill).
    const forked = linux.fork();
    if (linux.E.init(forked) != .SUCCESS) link.fail(.internal, "fork failed for FORK");
    const pid: linux.pid_t = @intCast(forked);
    if (pid == 0) {
        _ = linux.prctl(@intFromEnum(linux.PR.SET_PDEATHSIG), linux.SIG.KILL, 0, 0, 0);
        if (linux.getppid() != parent) std.c._exit(0);
        // The copy leads a process group of its own (the parent does the same below, so it
        // is done before the checker hears of the copy): killing that group ends the copy
        // and what it forks, its checkpoints left alone (native/src/checker/process.zig).
        _ = linux.setpgid(0, 0);
        // A frozen checkpoint ignores SIGCHLD (its copies are reaped by the kernel); the
        // copy must wait for its own children (the rest of main, in runTail).
        var default_action = linux.Sigaction{ .handler = .{ .handler = linux.SIG.DFL }, .mask = linux.sigemptyset(), .flags = 0 };
        _ = linux.sigaction(linux.SIG.CHLD, &default_action, null);
        _ = linux.close(pair[0]);
        // The copy's channel takes the number the checkpoint's had: the copy's descriptors
        // are its checkpoint's number for number, and the program's next open gets the
        // number it gets in the first process (fd tables are state, keyed by number).
        const fd_flags = linux.fcntl(link.fd, linux.F.GETFD, 0);
        const cloexec: u32 = if (linux.E.init(fd_flags) == .SUCCESS and fd_flags & linux.FD_CLOEXEC != 0)
            @bitCast(linux.O{ .CLOEXEC = true })
        else
            0;
        if (linux.E.init(linux.dup3(pair[1], link.fd, cloexec)) != .SUCCESS)
            link.fail(.internal, "dup3 failed for the copy forked by FORK");
        _ = linux.close(pair[1]);
        // Open files are shared with the frozen parent (same offsets): the agent gives
        // the copy descriptions of its own.
        if (k.agent_detach_files) |detach| {
            const keep = [_]i32{link.fd};
            _ = detach(&keep, keep.len);
        }
        return;
    }
    _ = linux.close(pair[1]);
    switch (linux.E.init(linux.setpgid(pid, pid))) {
        // EACCES and ESRCH: the copy did it first, or is already gone.
        .SUCCESS, .ACCES, .SRCH => {},
        else => link.fail(.internal, "setpgid failed for the copy forked by FORK"),
    }
    // A frozen checkpoint never waits for its copies: let the kernel reap them.
    var ignore = linux.Sigaction{ .handler = .{ .handler = linux.SIG.IGN }, .mask = linux.sigemptyset(), .flags = 0 };
    _ = linux.sigaction(linux.SIG.CHLD, &ignore, null);
    link.sendWithFd(protocol.encodeForked(link.out, @intCast(pid)), pair[0]);
    _ = linux.close(pair[0]);
}
