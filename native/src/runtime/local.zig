//! What the runtime says when it runs on its own (ISOMC_REPLAY, or no checker at all): the step
//! log, and the one line on stderr and the ISOMC_REPORT line with which a violation, a deadlock,
//! an actor's exit() or a stack overflow ends the run — in the checker's words, so that a replay
//! reads like the counterexample it follows. Under the checker none of this runs: the kernel
//! reports over the control channel instead.

const std = @import("std");
const linux = std.os.linux;
const protocol = @import("protocol");
const kernel_mod = @import("kernel.zig");
const describe = @import("describe.zig");
const symbols = @import("symbols.zig");
const crash = @import("crash.zig");
const core = @import("pthread.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;

extern "c" fn fflush(stream: ?*anyopaque) c_int;

/// One line per step, in the checker's words (describe.zig): `[isomc] N. ACTOR: TRANSITION`.
pub fn logStep(k: *Kernel, actor: *const Actor, choice: u32) void {
    var buf: [4096]u8 = undefined;
    var w: std.Io.Writer = .fixed(&buf);
    // A transition too long for the line (a waitany on thousands of comms) is cut.
    const cut = if (describe.describe(&w, actor, choice, names(k), &k.mailboxes)) "" else |_| "...";
    std.debug.print("[isomc] {d}. {s}: {s}{s}\n", .{ k.book.steps, actor.name, w.buffered(), cut });
}

/// The propositions' values in the state the last step led to (or the initial one), when the
/// program registers any: `[isomc]    request_1=1 cs_1=0`.
pub fn logProps(k: *Kernel, label: []const u8) void {
    var buf: [4096]u8 = undefined;
    var w: std.Io.Writer = .fixed(&buf);
    for (k.props.items, 0..) |p, i| {
        w.print("{s}{s}={d}", .{ if (i == 0) "" else " ", p.name, @intFromBool(p.addr.* != 0) }) catch break;
    }
    std.debug.print("[isomc]    {s}{s}\n", .{ if (label.len == 0) "-> " else label, w.buffered() });
}

/// Replaying a lasso: the step about to run is the cycle's first, once more.
pub fn logCycle(k: *Kernel) void {
    const r = k.replay;
    std.debug.print("[isomc] --- the cycle repeats from step {d} (round {d} of {d}) ---\n", .{ r.cycle_start.? + 1, r.round, r.cycles });
}

/// Replaying a lasso (a liveness or non-progress violation): its prefix and its cycle, the
/// given number of times, are done. The run stops here as at any violation (abort, so that a
/// debugger shows every stack), since the cycle would repeat forever.
pub fn lassoDone(k: *Kernel) noreturn {
    const l = k.lasso.?;
    const r = k.replay;
    var buf: [512]u8 = undefined;
    const message = if (l.cycle_start == r.steps.len)
        std.fmt.bufPrint(&buf, "the trace's {d} step{s} are done: the run ends here, and its last state repeats forever", .{ r.steps.len, plural(r.steps.len) }) catch &buf
    else
        std.fmt.bufPrint(&buf, "the prefix ({d} step{s}) and the cycle (steps {d}..{d}) {d} time{s} ({s}) are done: the cycle repeats forever", .{
            l.cycle_start, plural(l.cycle_start), l.cycle_start + 1, r.steps.len, r.cycles, plural(r.cycles), protocol.ENV_REPLAY_CYCLES,
        }) catch &buf;
    stop(k, l.name(), message, null);
}

fn plural(n: usize) []const u8 {
    return if (n == 1) "" else "s";
}

/// The program's symbols, read the first time a line needs them.
fn names(k: *Kernel) *const symbols.Table {
    if (k.symbols == null) k.symbols = symbols.load(k.gpa);
    return &k.symbols.?;
}

/// Say what happened, leave the report, and abort so that a debugger stops right here with the
/// actor's stack.
pub fn stop(k: *Kernel, kind: []const u8, message: []const u8, actor: ?*const Actor) noreturn {
    _ = fflush(null);
    const name = if (actor) |a| a.name else "";
    if (actor != null) {
        std.debug.print("isomc: {s}: {s} (actor {s}, step {d})\n", .{ kind, message, name, k.book.steps });
    } else {
        std.debug.print("isomc: {s}: {s} (step {d})\n", .{ kind, message, k.book.steps });
    }
    if (k.options.report_path) |path| writeReport(path, kind, message, name, k.book.steps);
    // The C library's: the runtime's own abort() (svcomp.zig) blocks an actor under --svcomp,
    // which a replay of an SV-COMP task's trace runs with.
    core.real("abort", fn () callconv(.c) noreturn)();
}

/// No unfinished actor is enabled. With one blocked by a failed assumption the run is cut
/// there, as the checker counts it (docs/svcomp.md): one line, the report's kind `assume`, exit
/// 0; else a deadlock.
pub fn stuck(k: *Kernel) noreturn {
    for (k.actors.items) |a| {
        if (a.status != .pending or a.op.kind != .assume) continue;
        var buf: [640]u8 = undefined;
        var w: std.Io.Writer = .fixed(&buf);
        describe.describe(&w, a, null, names(k), &k.mailboxes) catch {};
        w.print(" failed: {s} is blocked by its assumption and nothing else can run", .{a.name}) catch {};
        const message = w.buffered();
        _ = fflush(null);
        std.debug.print("isomc: {s}: the execution ends here (step {d})\n", .{ message, k.book.steps });
        if (k.options.report_path) |path| writeReport(path, "assume", message, a.name, k.book.steps);
        std.c._exit(0);
    }
    deadlock(k);
}

/// No unfinished actor is enabled: name what each one waits at.
fn deadlock(k: *Kernel) noreturn {
    var buf: [4096]u8 = undefined;
    var writer: std.Io.Writer = .fixed(&buf);
    const w = &writer;
    w.writeAll("every unfinished actor is blocked:") catch {};
    var first = true;
    for (k.actors.items) |a| {
        if (a.status != .pending) continue;
        w.print("{s} {s} at ", .{ if (first) "" else ";", a.name }) catch break;
        describe.describe(w, a, null, names(k), &k.mailboxes) catch break;
        first = false;
    }
    stop(k, "deadlock", w.buffered(), null);
}

/// An actor called exit(), which ends the program there and which the checker reports as an
/// exit violation: say it in the same words, and let the program exit.
pub fn exitByActor(k: *Kernel, status: c_int) void {
    const actor = k.current orelse return;
    var buf: [2048]u8 = undefined;
    var w: std.Io.Writer = .fixed(&buf);
    w.print("actor {s} called exit({d})", .{ actor.name, status }) catch {};
    var left: usize = 0;
    for (k.actors.items) |a| {
        if (a == actor or a.status != .pending) continue;
        w.print("{s}{s}", .{ if (left == 0) ", leaving " else ", ", a.name }) catch {};
        left += 1;
    }
    w.writeAll(if (left == 0) "; no other actor was unfinished" else " unfinished") catch {};
    std.debug.print("isomc: exit: {s} (step {d})\n", .{ w.buffered(), k.book.steps });
    if (k.options.report_path) |path| writeReport(path, "exit", w.buffered(), actor.name, k.book.steps);
}

/// The crash handler's reporter (crash.zig), in a signal handler: an overflow is said in the
/// checker's words on stderr and in ISOMC_REPORT, with raw writes from static buffers; other
/// crashes speak for themselves.
pub fn crashReport(c: protocol.Crash) void {
    if (!c.overflow) return;
    const k = Kernel.the_kernel;
    const S = struct {
        var buf: [1024]u8 = undefined;
        var line: [1100]u8 = undefined;
    };
    var w: std.Io.Writer = .fixed(&S.buf);
    const who: ?[]const u8 = if (k.actorById(c.actor)) |a| a.name else null;
    crash.writeOverflow(&w, who, c.stack_size) catch {};
    const message = w.buffered();
    const text = std.fmt.bufPrint(&S.line, "isomc: crash: {s} (step {d})\n", .{ message, c.steps }) catch &S.line;
    _ = linux.write(2, text.ptr, text.len);
    if (k.options.report_path) |path| writeReport(path, "crash", message, who orelse "", c.steps);
}

/// Writes the outcome as one JSON line, for `isomc replay`.
pub fn writeReport(path: []const u8, kind: []const u8, message: []const u8, actor: []const u8, steps: u32) void {
    var buf: [8192]u8 = undefined;
    var writer: std.Io.Writer = .fixed(&buf);
    const w = &writer;
    w.print("{{\"kind\":\"{s}\",\"steps\":{d},\"actor\":", .{ kind, steps }) catch return;
    writeJsonString(w, actor) catch return;
    w.writeAll(",\"message\":") catch return;
    writeJsonString(w, message) catch return;
    w.writeAll("}\n") catch return;
    const file = std.fs.cwd().createFile(path, .{}) catch return;
    defer file.close();
    file.writeAll(w.buffered()) catch {};
}

fn writeJsonString(w: *std.Io.Writer, s: []const u8) !void {
    try w.writeByte('"');
    for (s) |c| switch (c) {
        '"' => try w.writeAll("\\\""),
        '\\' => try w.writeAll("\\\\"),
        '\n' => try w.writeAll("\\n"),
        0...0x09, 0x0b...0x1f => try w.print("\\u{x:0>4}", .{c}),
        else => try w.writeByte(c),
    };
    try w.writeByte('"');
}
