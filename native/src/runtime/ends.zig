//! How an execution ends: the program's exit (DONE from main, EXITING from an actor, a misuse
//! when actors were never run), and in stateful runs the final point and FINISH, which runs the
//! rest of main in a forked copy whose outcome this process relays, then reports with TAIL.
//! Kernel's atExit.

const std = @import("std");
const protocol = @import("protocol");
const local = @import("local.zig");
const reports = @import("reports.zig");
const linux = std.os.linux;
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;

extern "c" fn fflush(stream: ?*anyopaque) c_int;
extern "c" fn __fpending(stream: ?*anyopaque) usize;
extern "c" var stdout: ?*anyopaque;

/// Called when the program exits. In checker mode, an exit from main with every actor
/// finished ends the execution cleanly: DONE. An exit from main that leaves actors never
/// started is a misuse (isomc_run was not called for them). An exit from an actor sends
/// nothing: the checker sees the process end and reports an exit violation.
pub fn atExit(k: *Kernel, status: c_int) void {
    const link = if (k.link) |*l| l else return local.exitByActor(k, status);
    if (k.current != null) {
        // An actor called exit(): say with what status (the checker may not be the
        // program's parent, and then cannot ask the kernel).
        link.send(protocol.encodeExiting(link.out, .{ .status = status, .actor = k.current.?.id }));
        return;
    }
    if (k.done_sent) return;
    if (k.started < k.actors.items.len) {
        const waiting = k.actors.items.len - k.started;
        k.violation(null, .misuse, "the program exited without running {d} actor{s}: isomc_run was not called after creating {s}", .{
            waiting, if (waiting == 1) "" else "s", if (waiting == 1) "it" else "them",
        });
    }
    if (k.alive > 0) return;
    k.done_sent = true;
    link.send(protocol.encodeDone(link.out, .{ .steps = k.book.steps, .actors = @intCast(k.actors.items.len) }));
}

/// Every actor has returned (stateful): the stacks, all dead, so the checker can hash the
/// final state, then a point with no actor, which tells it the rest is main's. What stdout
/// holds is flushed first, as FINISH would before it forks the rest of main: the final state
/// is then the same bytes whether the checker runs main's end from it or reuses a known one.
/// Only when it holds something: fflush takes glibc's locks, and a page written for nothing
/// costs a page read at the next snapshot.
pub fn sendFinalPoint(k: *Kernel) void {
    const link = &k.link.?;
    if (stdout != null and __fpending(stdout) > 0) _ = fflush(stdout);
    reports.sendStacks(k);
    var w = protocol.StateWriter.begin(link.out, k.book.steps, reports.stateFlags(k));
    link.send(w.finish());
}

/// FINISH: main's remaining code runs in a forked copy, which ends with DONE (or a
/// violation, or a crash) like a stateless execution; this process reports how the copy
/// ended with TAIL and stays at the final state. Returns true in the copy.
pub fn runTail(k: *Kernel) bool {
    const link = &k.link.?;
    _ = fflush(null);
    // The copy's frames (DONE, a violation, CRASH...) go to a socket of this process, which
    // passes them on once it has reaped the copy: told of the outcome by the copy itself,
    // the checker could kill this process before it reaped the copy, whose zombie would go
    // to whatever reaper is above (the test suite, a subreaper, finds it there).
    var pair: [2]i32 = undefined;
    if (linux.E.init(linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, &pair)) != .SUCCESS)
        link.fail(.internal, "socketpair failed for the rest of main");
    const parent = linux.getpid();
    const pid = std.c.fork();
    if (pid < 0) link.fail(.internal, "fork failed for the rest of main");
    if (pid == 0) {
        _ = linux.prctl(@intFromEnum(linux.PR.SET_PDEATHSIG), linux.SIG.KILL, 0, 0, 0);
        if (linux.getppid() != parent) std.c._exit(0);
        _ = linux.close(pair[0]);
        _ = linux.close(link.fd);
        // The crash handler writes on link.fd too (sendCrash).
        link.fd = pair[1];
        k.is_tail = true;
        // The copy answers FINISH (DONE or VIOLATION), through this process (above); this
        // process then answers with TAIL, and says nothing before.
        link.answerInCopy();
        return true;
    }
    _ = linux.close(pair[1]);
    // The copy's frames are small (a violation's message is at most 2 KiB); the scratch for
    // records is not in use at a final point.
    const relay = std.mem.sliceAsBytes(&k.book.extras);
    var have: usize = 0;
    while (true) {
        if (have == relay.len) {
            link.relay(relay);
            have = 0;
        }
        const rc = linux.read(pair[0], relay[have..].ptr, relay.len - have);
        switch (linux.E.init(rc)) {
            .SUCCESS => if (rc == 0) break else {
                have += rc;
            },
            .INTR => continue,
            else => break,
        }
    }
    _ = linux.close(pair[0]);
    var status: u32 = 0;
    while (true) {
        const rc = linux.waitpid(pid, &status, 0);
        switch (linux.E.init(rc)) {
            .SUCCESS => break,
            .INTR => continue,
            else => link.fail(.internal, "cannot wait for the copy that ran the rest of main"),
        }
    }
    if (have > 0) link.relay(relay[0..have]);
    const signaled = linux.W.IFSIGNALED(status);
    const value: i32 = if (signaled) @intCast(linux.W.TERMSIG(status)) else @intCast(linux.W.EXITSTATUS(status));
    link.send(protocol.encodeTail(link.out, .{ .signaled = signaled, .value = value }));
    return false;
}
