//! What the runtime reports to the checker: the point it is at (STATE, after STACKS when the
//! checker hashes states) and what went wrong — a violation, an isomc call from a thread that
//! is not an actor, a function the runtime does not model. local.zig says the latter when the
//! program runs on its own. Kernel's violation, foreignThread and unsupported.

const std = @import("std");
const protocol = @import("protocol");
const transitions = @import("transitions.zig");
const tsan = @import("tsan.zig");
const local = @import("local.zig");
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const fatal = kernel_mod.fatal;

pub fn sendState(k: *Kernel) void {
    sendStateFlagged(k, 0);
}

pub fn sendStateFlagged(k: *Kernel, extra: u32) void {
    const link = &k.link.?;
    if (k.report_stacks) sendStacks(k);
    var w = protocol.StateWriter.begin(link.out, k.book.steps, stateFlags(k) | extra);
    for (k.actors.items) |actor| {
        if (actor.status != .pending) continue;
        var rec = transitions.record(actor, &k.book.extras);
        rec.site = actor.site;
        if (rec.flags & protocol.record_flag_spin != 0 and tsan.stuck(actor)) rec.arg1 |= @bitCast(transitions.access_stuck);
        if (transitions.casFails(actor)) rec.flags |= protocol.record_flag_fails;
        if (!w.fits(rec.extras.len)) link.fail(.internal, "the state does not fit in one frame");
        w.record(rec);
    }
    // What the step that led here did that is no step (plain accesses, ISOMC_MEMORY=sync).
    const window = k.book.window.toSend();
    if (window.len > 0) {
        if (!w.fitsWindow(window.len)) link.fail(.internal, "the state does not fit in one frame");
        w.window(window);
    }
    link.send(w.finish());
}

/// Every actor's stack and saved stack pointer: below it, the stack is dead and the checker
/// leaves it out of state hashes.
pub fn sendStacks(k: *Kernel) void {
    const link = &k.link.?;
    var w = protocol.StacksWriter.begin(link.out);
    for (k.actors.items) |a| {
        const st = a.stack orelse continue;
        if (!w.fits()) link.fail(.internal, "the stacks do not fit in one frame");
        const lo: u64 = @intFromPtr(st.usable.ptr);
        const hi: u64 = lo + st.usable.len;
        const sp: u64 = if (a.status == .pending) @max(lo, @min(hi, a.context.sp)) else hi;
        w.add(.{ .actor = a.id, .lo = lo, .hi = hi, .sp = sp });
    }
    link.send(w.finish());
}

/// STATE's flags: whether mappings changed since the last STATE, and whether a value was
/// ever drawn from the nondet range in this process (svcomp.zig).
pub fn stateFlags(k: *Kernel) u32 {
    const range: u32 = if (k.book.nondet_range_used) protocol.state_flag_nondet_range else 0;
    if (k.book.maps_epoch == k.book.reported_epoch) return range;
    k.book.reported_epoch = k.book.maps_epoch;
    return protocol.state_flag_maps_changed | range;
}

/// The program called a function the runtime does not model (`message` names it): the
/// checker stops with it as bad input (an ERROR frame), or, on its own, the process does.
pub fn unsupported(k: *Kernel, message: []const u8) noreturn {
    if (k.link) |*link| {
        link.send(protocol.encodeError(link.out, .{ .code = .unsupported, .steps = k.book.steps, .message = message }));
        link.waitForEnd();
    }
    fatal(2, "{s}", .{message});
}

/// Reports a violation found by the runtime and ends the execution.
pub fn violation(
    k: *Kernel,
    actor: ?*const Actor,
    kind: protocol.ViolationKind,
    comptime fmt: []const u8,
    args: anytype,
) noreturn {
    var buf: [2048]u8 = undefined;
    const message = std.fmt.bufPrint(&buf, fmt, args) catch buf[0..];
    const who = actor orelse k.current;
    if (k.link) |*link| {
        link.send(protocol.encodeViolation(link.out, .{
            .kind = kind,
            .actor = if (who) |a| a.id else 0,
            .steps = k.book.steps,
            .message = message,
        }));
        // The copy running the rest of main shares the channel: it must not read from it.
        if (k.is_tail) std.c._exit(0);
        link.waitForEnd();
    }
    const kind_name = switch (kind) {
        .assertion => "assertion",
        .misuse => "misuse",
        _ => "violation",
    };
    local.stop(k, kind_name, message, who);
}

/// An OS thread other than the one that called isomc_init (a pthread of the program) called
/// an isomc function: a misuse, named after the call, in every mode. Under the checker it
/// goes through the channel's lock (link.zig) and this thread waits to be killed; on its
/// own the program says it and aborts, like any misuse. Actors are not OS threads.
pub fn foreignThread(k: *Kernel, comptime what: []const u8) noreturn {
    const message = what ++ " called from a thread that is not an actor (pthreads cannot call isomc functions: make the code an actor with isomc_actor_create)";
    // Read while the thread that owns the kernel runs on: the actor it was running then.
    const who = @atomicLoad(?*Actor, &k.current, .monotonic);
    if (k.link) |*link| link.reportForeign(.{
        .kind = .misuse,
        .actor = if (who) |a| a.id else 0,
        .steps = @atomicLoad(u32, &k.book.steps, .monotonic),
        .message = message,
    }, k.is_tail);
    local.stop(k, "misuse", message, who);
}
