//! Starting the checked program and ending it, checker side. The child is set up so it can
//! never outlive the checker: it asks for SIGKILL when its parent dies, lives in a process
//! group of its own (the terminal's Ctrl-C reaches only the checker, which then kills the
//! group), and gets the default disposition for every signal. Between fork and exec only raw
//! system calls run, as the checker (Deno) is multi-threaded.
//!
//! Ending a program ends its whole process group: the processes it forked (a `sleep` it
//! started, the runtime's copy that runs the rest of main) are in it, and a forked checkpoint
//! copy leads a group of its own (native/src/runtime/restore.zig). The checker is a child
//! subreaper, so a member whose parent died first is re-parented to the checker, which reaps
//! it: nothing is left running, and no zombie goes to whoever started the checker.

const std = @import("std");
const linux = std.os.linux;
const posix = std.posix;
const assert = std.debug.assert;
const exec_random = @import("exec_random.zig");

pub const SpawnError = error{ OutOfMemory, SystemResources, ExecFailed };

pub const SpawnOptions = struct {
    /// argv[0] is the path that is executed.
    argv: [*:null]const ?[*:0]const u8,
    envp: [*:null]const ?[*:0]const u8,
    /// A descriptor the child keeps (the control channel), or -1.
    keep_fd: i32 = -1,
    /// Give the child our stdout and stderr; otherwise they go to /dev/null.
    inherit_output: bool = false,
    /// With inherit_output: the child's stdout goes to our stderr (our stdout is for a report).
    stdout_to_stderr: bool = false,
    /// Descriptors of ours that become the child's stdout and stderr (the files that capture
    /// its output), or -1 for what inherit_output says.
    stdout_fd: i32 = -1,
    stderr_fd: i32 = -1,
    /// Run on this CPU only (and move the calling thread there too): a blocking round trip
    /// between two processes costs several times less when both share one CPU.
    pin_cpu: ?u32 = null,
    /// Run with address-space randomisation off, so addresses repeat from run to run.
    no_aslr: bool = true,
    /// The kept descriptor takes this number in the child (>= 3), or -1: the number it has
    /// here. A fixed number keeps the copies of a program alike (the runtime stores it, the
    /// environment names it).
    keep_fd_as: i32 = -1,
    /// Fixed bytes at AT_RANDOM (exec_random.zig): the canary and the pointer guard are then
    /// the same in every copy.
    fixed_random: bool = false,
};

pub const Child = struct {
    pid: linux.pid_t,
    pidfd: i32,
    /// AT_RANDOM holds exec_random.fixed_bytes (fixed_random asked, and the kernel let the
    /// child be traced).
    random_fixed: bool = false,
};

pub const Spawned = union(enum) {
    child: Child,
    /// exec failed in the child with this errno (the child has been reaped).
    exec_errno: u16,
};

const ADDR_NO_RANDOMIZE: usize = 0x0040000;

fn check(rc: usize) SpawnError!usize {
    return switch (linux.E.init(rc)) {
        .SUCCESS => rc,
        .NOMEM => error.OutOfMemory,
        else => error.SystemResources,
    };
}

pub fn spawn(options: SpawnOptions) SpawnError!Spawned {
    const devnull_rc = linux.open("/dev/null", .{ .ACCMODE = .RDWR, .CLOEXEC = true }, 0);
    const devnull: i32 = @intCast(try check(devnull_rc));
    defer _ = linux.close(devnull);

    var report: [2]i32 = undefined;
    _ = try check(linux.pipe2(&report, .{ .CLOEXEC = true }));
    var report_open = [2]bool{ true, true };
    defer for (report, report_open) |fd, open| {
        if (open) _ = linux.close(fd);
    };

    const parent = linux.getpid();
    const fork_rc = linux.fork();
    const pid: linux.pid_t = @intCast(try check(fork_rc));
    if (pid == 0) childSetup(options, parent, devnull, report[1]);
    // The child does the same: whichever runs first, the child leads its group before any
    // kill of the group (EACCES: it has already exec'd, after its own setpgid).
    switch (linux.E.init(linux.setpgid(pid, pid))) {
        .SUCCESS, .ACCES, .SRCH => {},
        else => |e| std.debug.panic("setpgid of a new child failed: {s}", .{@tagName(e)}),
    }

    _ = linux.close(report[1]);
    report_open[1] = false;

    // The report pipe closes on a successful exec; before that, it carries exec's errno,
    // after untraced_mark if the child asked to be traced and the kernel refused.
    var report_bytes: [4]u8 = undefined;
    var got: usize = 0;
    while (got < report_bytes.len) {
        const rc = linux.read(report[0], report_bytes[got..].ptr, report_bytes.len - got);
        switch (linux.E.init(rc)) {
            .SUCCESS => {},
            .INTR => continue,
            else => break,
        }
        if (rc == 0) break;
        got += rc;
    }
    const untraced = got >= 2 and std.mem.readInt(u16, report_bytes[0..2], .little) == untraced_mark;
    const errno_at: usize = if (untraced) 2 else 0;
    if (got == errno_at + 2) {
        var status: u32 = 0;
        // Traced or not, the child exits (127) after a failed exec.
        while (linux.E.init(linux.waitpid(pid, &status, 0x40000000)) == .INTR) {}
        return .{ .exec_errno = std.mem.readInt(u16, report_bytes[errno_at..][0..2], .little) };
    }
    const traced = options.fixed_random and !untraced;
    if (traced) exec_random.fixAtExec(pid) catch |err| {
        if (err != error.ChildGone) kill(.{ .pid = pid, .pidfd = -1 });
        return error.SystemResources;
    };

    const pidfd_rc = linux.pidfd_open(pid, 0);
    if (linux.E.init(pidfd_rc) != .SUCCESS) {
        kill(.{ .pid = pid, .pidfd = -1 });
        return error.SystemResources;
    }
    return .{ .child = .{ .pid = pid, .pidfd = @intCast(pidfd_rc), .random_fixed = traced } };
}

/// What the child writes on the report pipe when it could not be traced (no errno is 0xffff).
const untraced_mark: u16 = 0xffff;

fn childSetup(options: SpawnOptions, parent: linux.pid_t, devnull: i32, report: i32) noreturn {
    _ = linux.prctl(@intFromEnum(linux.PR.SET_PDEATHSIG), linux.SIG.KILL, 0, 0, 0);
    // The parent may have died before the request above took effect.
    if (linux.getppid() != parent) linux.exit_group(126);
    _ = linux.setpgid(0, 0);
    if (options.no_aslr) {
        const current = linux.syscall1(.personality, 0xffff_ffff);
        if (linux.E.init(current) == .SUCCESS) _ = linux.syscall1(.personality, current | ADDR_NO_RANDOMIZE);
    }
    if (options.pin_cpu) |cpu| pinTo(cpu);
    const empty = linux.sigemptyset();
    _ = linux.sigprocmask(linux.SIG.SETMASK, &empty, null);
    // Ignored signals stay ignored across exec (Deno ignores SIGPIPE); give them back.
    var default_action = linux.Sigaction{ .handler = .{ .handler = linux.SIG.DFL }, .mask = empty, .flags = 0 };
    var sig: u8 = 1;
    while (sig < 32) : (sig += 1) {
        if (sig == linux.SIG.KILL or sig == linux.SIG.STOP) continue;
        _ = linux.sigaction(sig, &default_action, null);
    }
    default_action = undefined;
    _ = linux.dup2(devnull, 0);
    // Stdout first: it may become our stderr before stderr is replaced.
    const out: i32 = if (options.stdout_fd >= 0) options.stdout_fd else if (!options.inherit_output) devnull else if (options.stdout_to_stderr) 2 else 1;
    const err: i32 = if (options.stderr_fd >= 0) options.stderr_fd else if (!options.inherit_output) devnull else 2;
    if (out != 1) _ = linux.dup2(out, 1);
    if (err != 2) _ = linux.dup2(err, 2);
    // The program gets stdio and its control channel, nothing else the checker has open
    // (the report pipe is close-on-exec and stays open until exec).
    closeAllBut(options.keep_fd, report);
    var report_fd = report;
    if (options.keep_fd >= 0) {
        var kept = options.keep_fd;
        if (options.keep_fd_as >= 0 and options.keep_fd_as != kept) {
            // The report pipe moves out of the way first (it closes at exec anyway).
            if (report_fd == options.keep_fd_as) {
                const moved = linux.fcntl(report_fd, 1030, // F_DUPFD_CLOEXEC
                    @intCast(options.keep_fd_as + 1));
                if (linux.E.init(moved) != .SUCCESS) linux.exit_group(127);
                report_fd = @intCast(moved);
            }
            if (linux.E.init(linux.dup2(kept, options.keep_fd_as)) != .SUCCESS) linux.exit_group(127);
            _ = linux.close(kept);
            kept = options.keep_fd_as;
        }
        _ = linux.fcntl(kept, linux.F.SETFD, 0);
    }
    if (options.fixed_random and !exec_random.traceMe()) {
        var mark: [2]u8 = undefined;
        std.mem.writeInt(u16, &mark, untraced_mark, .little);
        _ = linux.write(report_fd, &mark, mark.len);
    }
    const rc = linux.execve(options.argv[0].?, options.argv, options.envp);
    var errno_bytes: [2]u8 = undefined;
    std.mem.writeInt(u16, &errno_bytes, @intFromEnum(linux.E.init(rc)), .little);
    _ = linux.write(report_fd, &errno_bytes, errno_bytes.len);
    linux.exit_group(127);
}

/// Restricts the calling thread to one CPU (best effort: a refusal only costs speed).
pub fn pinTo(cpu: u32) void {
    var set: linux.cpu_set_t = @splat(0);
    const bits = @bitSizeOf(usize);
    if (cpu / bits >= set.len) return;
    set[cpu / bits] = @as(usize, 1) << @intCast(cpu % bits);
    _ = linux.syscall3(.sched_setaffinity, 0, @sizeOf(linux.cpu_set_t), @intFromPtr(&set));
}

/// The CPU the calling thread runs on now.
pub fn currentCpu() ?u32 {
    var cpu: u32 = 0;
    const rc = linux.syscall3(.getcpu, @intFromPtr(&cpu), 0, 0);
    return if (linux.E.init(rc) == .SUCCESS) cpu else null;
}

/// Closes every descriptor from 3 up except `a` and `b` (either may be -1).
fn closeAllBut(a: i32, b: i32) void {
    const lo = @min(a, b);
    const hi = @max(a, b);
    var from: i32 = 3;
    for ([_]i32{ lo, hi }) |keep| {
        if (keep < from) continue;
        if (keep > from) _ = linux.syscall3(.close_range, @intCast(from), @intCast(keep - 1), 0);
        from = keep + 1;
    }
    _ = linux.syscall3(.close_range, @intCast(from), std.math.maxInt(u32), 0);
}

pub const Exit = union(enum) {
    /// Still running when the wait timed out.
    running,
    exited: u8,
    signaled: u8,
};

/// Waits up to timeout_ms (negative: forever) for the child to end. When it has, the rest of
/// its process group is killed and reaped with it (a program that exits leaves nothing behind).
/// A process that is not our child (a checkpoint's copy) is reported as killed: its status is
/// its parent's to read.
pub fn wait(child: Child, timeout_ms: i32) Exit {
    var fds = [_]linux.pollfd{.{ .fd = child.pidfd, .events = linux.POLL.IN, .revents = 0 }};
    var ended = false;
    while (true) {
        const rc = linux.poll(&fds, 1, timeout_ms);
        switch (linux.E.init(rc)) {
            .SUCCESS => ended = rc > 0,
            .INTR => continue,
            else => {}, // fall through to a non-blocking waitid, which is authoritative
        }
        break;
    }
    // Look without reaping: while the child is an unreaped zombie its pid stays reserved, so
    // its process group is still its own when it is killed.
    var info: linux.siginfo_t = undefined;
    const flags: u32 = linux.W.EXITED | linux.W.NOWAIT | if (timeout_ms < 0) @as(u32, 0) else linux.W.NOHANG;
    while (true) {
        @memset(std.mem.asBytes(&info), 0);
        const rc = linux.waitid(.PID, child.pid, &info, flags);
        switch (linux.E.init(rc)) {
            .SUCCESS => if (info.fields.common.first.piduid.pid == 0) return .running else break,
            .INTR => continue,
            // Not our child (a checkpoint's copy): the pidfd says whether it ended.
            .CHILD => {
                if (!ended) return .running;
                endGroup(child.pid);
                return .{ .signaled = linux.SIG.KILL };
            },
            else => return .running,
        }
    }
    endGroup(child.pid);
    var status: u32 = 0;
    while (true) {
        const rc = linux.waitpid(child.pid, &status, 0);
        switch (linux.E.init(rc)) {
            .SUCCESS => break,
            .INTR => continue,
            else => return .{ .signaled = linux.SIG.KILL },
        }
    }
    drainGroup(child.pid);
    if (linux.W.IFEXITED(status)) return .{ .exited = linux.W.EXITSTATUS(status) };
    if (linux.W.IFSIGNALED(status)) return .{ .signaled = @intCast(linux.W.TERMSIG(status)) };
    return .{ .signaled = linux.SIG.KILL };
}

/// Kills the child's whole process group and reaps the child and the group, so nothing is
/// left behind. A process that is not our child (a copy forked by a checkpoint) is waited for
/// through its pidfd: its parent must still be alive when it dies, to reap it, so the caller
/// kills parents only after this returns.
pub fn kill(child: Child) void {
    endGroup(child.pid);
    _ = linux.kill(child.pid, linux.SIG.KILL);
    var status: u32 = 0;
    while (true) {
        switch (linux.E.init(linux.waitpid(child.pid, &status, 0))) {
            .INTR => continue,
            .CHILD => if (child.pidfd >= 0) {
                var fds = [_]linux.pollfd{.{ .fd = child.pidfd, .events = linux.POLL.IN, .revents = 0 }};
                while (linux.E.init(linux.poll(&fds, 1, drain_limit_ms)) == .INTR) {}
            },
            else => {},
        }
        break;
    }
    drainGroup(child.pid);
    if (child.pidfd >= 0) _ = linux.close(child.pidfd);
}

/// Makes the calling process a child subreaper: a descendant of a checked program whose
/// parent dies first is re-parented to the checker instead of init (or of whoever started
/// the checker), and wait() and kill() reap it. Returns false if the kernel refused.
pub fn becomeSubreaper() bool {
    const rc = linux.prctl(@intFromEnum(linux.PR.SET_CHILD_SUBREAPER), 1, 0, 0, 0);
    return linux.E.init(rc) == .SUCCESS;
}

/// Whether the calling process has any child, running or a zombie not yet reaped: waitid's
/// ECHILD says it has none, in one syscall, where listing /proc reads every process's stat.
/// Nothing is reaped (WNOWAIT). A result other than ECHILD counts as "may have children".
pub fn hasChildren() bool {
    var info: linux.siginfo_t = undefined;
    const flags = linux.W.EXITED | linux.W.NOHANG | linux.W.NOWAIT;
    while (true) {
        switch (linux.E.init(linux.waitid(.ALL, 0, &info, flags))) {
            .INTR => continue,
            .CHILD => return false,
            else => return true,
        }
    }
}

/// How long kill() and wait() wait for the members of a killed group to die.
const drain_limit_ms = 2000;

/// Sends SIGKILL to every process of the group `pgid` (none: ESRCH, nothing to do).
fn endGroup(pgid: linux.pid_t) void {
    assert(pgid > 0);
    _ = linux.kill(-pgid, linux.SIG.KILL);
}

/// Waits until the killed group `pgid` is empty, reaping the members that are the checker's
/// children (its leader, and those re-parented here when their parent died). The others are
/// reaped by their parents, members themselves, which die too. Gives up after drain_limit_ms
/// (a process in uninterruptible sleep dies when it wakes).
fn drainGroup(pgid: linux.pid_t) void {
    assert(pgid > 0);
    const deadline = monotonicMs() + drain_limit_ms;
    while (true) {
        var status: u32 = 0;
        const rc = linux.waitpid(-pgid, &status, linux.W.NOHANG);
        switch (linux.E.init(rc)) {
            .SUCCESS => if (rc > 0) continue,
            .INTR => continue,
            .CHILD => {},
            else => return,
        }
        // Zombies count as members until reaped: an empty group is one with nobody left.
        if (linux.E.init(linux.kill(-pgid, 0)) == .SRCH) return;
        if (monotonicMs() >= deadline) return;
        // A member forked while the group was being killed may have missed the signal.
        endGroup(pgid);
        const pause = linux.timespec{ .sec = 0, .nsec = 200 * std.time.ns_per_us };
        _ = linux.nanosleep(&pause, null);
    }
}

/// The C library's clock, in the vDSO (channel.zig nowMs says why not std.os.linux's).
fn monotonicMs() i64 {
    const ts = std.posix.clock_gettime(.MONOTONIC) catch unreachable; // MONOTONIC always exists
    return @as(i64, ts.sec) * 1000 + @divTrunc(@as(i64, ts.nsec), std.time.ns_per_ms);
}

/// Releases the pidfd of a child that has been reaped by wait().
pub fn release(child: Child) void {
    if (child.pidfd >= 0) _ = linux.close(child.pidfd);
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "exec failure is reported with its errno" {
    const argv = [_:null]?[*:0]const u8{"/nonexistent/program"};
    const envp = [_:null]?[*:0]const u8{};
    const result = try spawn(.{ .argv = &argv, .envp = &envp });
    try testing.expectEqual(Spawned{ .exec_errno = @intFromEnum(linux.E.NOENT) }, result);
}

test "exit status and signals are reported" {
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sh", "-c", "exit 7" };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp })).child;
    try testing.expectEqual(Exit{ .exited = 7 }, wait(child, -1));
    release(child);

    const argv2 = [_:null]?[*:0]const u8{ "/bin/sh", "-c", "kill -SEGV $$" };
    const child2 = (try spawn(.{ .argv = &argv2, .envp = &envp })).child;
    try testing.expectEqual(Exit{ .signaled = linux.SIG.SEGV }, wait(child2, 5000));
    release(child2);
}

test "stdout and stderr go to the descriptors given" {
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sh", "-c", "echo out; echo err >&2" };
    var files: [2]i32 = undefined;
    for (&files) |*f| f.* = @intCast(linux.memfd_create("isomc-test", linux.MFD.CLOEXEC));
    defer for (files) |f| {
        _ = linux.close(f);
    };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp, .stdout_fd = files[0], .stderr_fd = files[1] })).child;
    try testing.expectEqual(Exit{ .exited = 0 }, wait(child, -1));
    release(child);
    for (files, [_][]const u8{ "out\n", "err\n" }) |f, want| {
        var buf: [16]u8 = undefined;
        const n = linux.pread(f, &buf, buf.len, 0);
        try testing.expectEqualStrings(want, buf[0..n]);
    }
}

test "a wait times out on a running child, and kill ends it" {
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sleep", "30" };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp })).child;
    try testing.expectEqual(Exit.running, wait(child, 50));
    kill(child);
    try testing.expectEqual(linux.E.SRCH, linux.E.init(linux.kill(child.pid, 0)));
}

/// Reads the pid a shell wrote to `path`, waiting up to 5 s for it to be there.
fn readPidFile(path: [:0]const u8) !linux.pid_t {
    var waited: u32 = 0;
    while (waited < 5000) : (waited += 10) {
        const text = std.fs.cwd().readFileAlloc(testing.allocator, path, 64) catch |err| switch (err) {
            error.FileNotFound => null,
            else => return err,
        };
        if (text) |t| {
            defer testing.allocator.free(t);
            const line = std.mem.trimRight(u8, t, "\n");
            if (t.len > 0 and t[t.len - 1] == '\n') return try std.fmt.parseInt(linux.pid_t, line, 10);
        }
        const pause = linux.timespec{ .sec = 0, .nsec = 10 * std.time.ns_per_ms };
        _ = linux.nanosleep(&pause, null);
    }
    return error.Timeout;
}

fn pidFilePath(buf: []u8, tag: []const u8) ![:0]const u8 {
    return try std.fmt.bufPrintZ(buf, "/tmp/isomc-process-test-{d}-{s}", .{ linux.getpid(), tag });
}

test "kill ends the processes the child started, and reaps them" {
    try testing.expect(becomeSubreaper());
    var buf: [128]u8 = undefined;
    const path = try pidFilePath(&buf, "kill");
    defer std.fs.cwd().deleteFile(path) catch {};
    var script_buf: [256]u8 = undefined;
    const script = try std.fmt.bufPrintZ(&script_buf, "sleep 31 & echo $! > {s}.tmp && mv {s}.tmp {s}; wait", .{ path, path, path });
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sh", "-c", script };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp })).child;
    const grandchild = try readPidFile(path);
    kill(child);
    // Gone, not merely dying: the checker (a subreaper here) reaped it.
    try testing.expectEqual(linux.E.SRCH, linux.E.init(linux.kill(grandchild, 0)));
    try testing.expectEqual(linux.E.SRCH, linux.E.init(linux.kill(-child.pid, 0)));
}

test "a child that exits leaves nothing running: wait ends its group" {
    try testing.expect(becomeSubreaper());
    var buf: [128]u8 = undefined;
    const path = try pidFilePath(&buf, "wait");
    defer std.fs.cwd().deleteFile(path) catch {};
    var script_buf: [256]u8 = undefined;
    const script = try std.fmt.bufPrintZ(&script_buf, "sleep 32 & echo $! > {s}.tmp && mv {s}.tmp {s}; exit 4", .{ path, path, path });
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sh", "-c", script };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp })).child;
    const grandchild = try readPidFile(path);
    try testing.expectEqual(Exit{ .exited = 4 }, wait(child, 5000));
    release(child);
    try testing.expectEqual(linux.E.SRCH, linux.E.init(linux.kill(grandchild, 0)));
}

test "hasChildren sees a running child, a zombie, and none once it is reaped" {
    const envp = [_:null]?[*:0]const u8{};
    const argv = [_:null]?[*:0]const u8{ "/bin/sleep", "30" };
    const child = (try spawn(.{ .argv = &argv, .envp = &envp })).child;
    try testing.expect(hasChildren());
    _ = linux.kill(child.pid, linux.SIG.KILL);
    // Dead but not reaped: still a child.
    var fds = [_]linux.pollfd{.{ .fd = child.pidfd, .events = linux.POLL.IN, .revents = 0 }};
    try testing.expectEqual(@as(usize, 1), linux.poll(&fds, 1, 5000));
    try testing.expect(hasChildren());
    kill(child);
    try testing.expect(!hasChildren());
}
