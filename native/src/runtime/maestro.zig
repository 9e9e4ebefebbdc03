//! The maestro: the scheduling loop that runs on a stack of its own from isomc_run until every
//! actor has returned, choosing each step in one of three ways — asking the checker over the
//! control channel (its commands, one at a time), following a recorded trace, or the
//! deterministic default schedule — and the execution of one step. Kernel's run and progress.

const std = @import("std");
const protocol = @import("protocol");
const context = @import("context.zig");
const transitions = @import("transitions.zig");
const schedule = @import("schedule.zig");
const local = @import("local.zig");
const actors = @import("actors.zig");
const run_ahead = @import("run_ahead.zig");
const reports = @import("reports.zig");
const restore = @import("restore.zig");
const ends = @import("ends.zig");
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;

/// Runs the actors to completion on the maestro's stack; returns on the caller's stack.
pub fn run(k: *Kernel) void {
    if (k.running) k.violation(null, .misuse, "isomc_run called while actors are running", .{});
    k.running = true;
    k.maestro_context = context.make(k.maestro_stack.usable, maestroEntry, k);
    context.swap(&k.main_context, &k.maestro_context);
    k.running = false;
}

fn maestroEntry(arg: *anyopaque) callconv(.c) noreturn {
    const k: *Kernel = @ptrCast(@alignCast(arg));
    actors.startCreated(k);
    k.first_point = true;
    switch (k.options.mode) {
        .checker => checkerLoop(k),
        .replay, .standalone => localLoop(k),
    }
    context.swap(&k.maestro_context, &k.main_context);
    unreachable;
}

/// The checker's commands, until every actor has returned. Each RUN is answered with the
/// point it leads to (STATE, preceded by STACKS when stateful); MAP, FORK and FDS are
/// answered on their own. A stateful execution that ends does not return: the runtime
/// reports the final point (STACKS, then a STATE without records) and waits; FINISH runs
/// the rest of main in a forked copy (runTail), and any restore command may come instead
/// when the checker already knows how main ends from this final state.
pub fn checkerLoop(k: *Kernel) void {
    const link = &k.link.?;
    var report = true;
    while (true) {
        if (report) {
            if (k.alive > 0) {
                reports.sendState(k);
            } else if (k.stateful) {
                ends.sendFinalPoint(k);
            } else {
                // DONE waits for the program's exit (atExit): main's code after isomc_run,
                // its assertions included, is part of the execution's last transition.
                return;
            }
        }
        const frame = link.receive();
        switch (frame.message) {
            .run => {
                link.beginAnswer();
                const steps = protocol.decodeRun(frame.body) catch link.fail(.malformed, "malformed RUN");
                k.book.steps = steps.before;
                var actors_before = k.actors.items.len;
                var i: u32 = 0;
                while (i < steps.count) : (i += 1) {
                    const step = steps.get(i);
                    var why: [256]u8 = undefined;
                    if (checkStep(k, step, &why)) |message| {
                        link.send(protocol.encodeError(link.out, .{ .code = .diverged, .steps = k.book.steps, .message = message }));
                        std.c._exit(3);
                    }
                    actors_before = k.actors.items.len;
                    execute(k, k.actorById(step.actor).?, step.choice);
                }
                // A last step that created actors ends the batch: the checker's search may
                // start over with another relation (lib/explore/dpor/explorer.ts). The steps
                // before it replay a path the search took before (a restore's, sent with
                // the step: lib/state/memory_target.ts), whose creations it has seen.
                if (steps.ahead) |rule| {
                    if (k.actors.items.len == actors_before) run_ahead.runAhead(k, rule);
                }
                report = true;
            },
            .map => {
                if (!k.stateful) link.fail(.malformed, "MAP without a stateful WELCOME");
                const ops = protocol.decodeMap(frame.body) catch link.fail(.malformed, "malformed MAP");
                link.send(protocol.encodeMapped(link.out, restore.applyMaps(k, ops)));
                report = false;
            },
            .fds => {
                if (!k.stateful) link.fail(.malformed, "FDS without a stateful WELCOME");
                restore.applyFds(k, frame.body);
                report = false;
            },
            .fork => {
                if (!k.stateful) link.fail(.malformed, "FORK without a stateful WELCOME");
                protocol.decodeFork(frame.body) catch link.fail(.malformed, "malformed FORK");
                restore.forkRunner(k);
                report = false;
            },
            .finish => {
                if (!k.stateful) link.fail(.malformed, "FINISH without a stateful WELCOME");
                protocol.decodeFinish(frame.body) catch link.fail(.malformed, "malformed FINISH");
                if (k.alive > 0) link.fail(.malformed, "FINISH before every actor has returned");
                if (ends.runTail(k)) return;
                report = false;
            },
            else => link.fail(.malformed, "expected RUN, MAP, FORK, FDS or FINISH"),
        }
    }
}

/// Why a scheduled step cannot be executed, or null when it can.
pub fn checkStep(k: *Kernel, step: protocol.Step, buf: []u8) ?[]const u8 {
    const actor = k.actorById(step.actor) orelse
        return std.fmt.bufPrint(buf, "step {d}: there is no actor {d}", .{ k.book.steps + 1, step.actor }) catch buf;
    if (actor.status != .pending)
        return std.fmt.bufPrint(buf, "step {d}: actor {d} ({s}) has finished", .{ k.book.steps + 1, step.actor, actor.name }) catch buf;
    if (!transitions.isEnabled(actor))
        return std.fmt.bufPrint(buf, "step {d}: actor {d} ({s}) is not enabled", .{ k.book.steps + 1, step.actor, actor.name }) catch buf;
    if (step.choice >= transitions.choiceCount(actor))
        return std.fmt.bufPrint(buf, "step {d}: choice {d} is out of range for actor {d} ({s})", .{ k.book.steps + 1, step.choice, step.actor, actor.name }) catch buf;
    return null;
}

/// Replay and standalone modes: the trace first, then the default schedule. A lasso's
/// trace ends the run instead, once its cycle has run ISOMC_REPLAY_CYCLES times.
pub fn localLoop(k: *Kernel) void {
    if (k.options.verbose and k.props.items.len > 0) local.logProps(k, "initially: ");
    while (k.alive > 0) {
        if (k.replay.pop()) |step| {
            var why: [256]u8 = undefined;
            if (checkStep(k, step, &why)) |message| local.stop(k, "diverged", message, null);
            if (k.replay.entered and k.options.verbose) local.logCycle(k);
            // The default schedule that follows a trace goes on after its last actor.
            k.last_index = step.actor - 1;
            execute(k, k.actorById(step.actor).?, step.choice);
            continue;
        }
        if (k.lasso != null) local.lassoDone(k);
        k.enabled.clearRetainingCapacity();
        for (k.actors.items) |a| {
            k.enabled.append(k.gpa, a.status == .pending and transitions.isEnabled(a)) catch k.outOfMemory();
        }
        const index = schedule.roundRobin(k.enabled.items, k.last_index) orelse local.stuck(k);
        if (k.options.mode == .replay and !k.replay_notice_given) {
            k.replay_notice_given = true;
            std.debug.print("[isomc] the trace's {d} steps are done; going on with the default schedule\n", .{k.replay.steps.len});
        }
        k.last_index = index;
        execute(k, k.actors.items[index], 0);
    }
    // A lasso whose run ends (its last state repeats) stops where it ends, before main's end;
    // one whose cycle still had steps to run does not fit the program.
    if (k.lasso != null) {
        if (k.replay.pop() == null) local.lassoDone(k);
        var buf: [128]u8 = undefined;
        local.stop(k, "diverged", std.fmt.bufPrint(&buf, "every actor has finished after {d} steps, before the lasso's cycle could repeat", .{k.book.steps}) catch &buf, null);
    }
    if (k.options.report_path) |path| local.writeReport(path, "ok", "", "", k.book.steps);
}

pub fn execute(k: *Kernel, actor: *Actor, choice: u32) void {
    // Every caller checked the step first (checkStep, the default schedule, aheadStep).
    std.debug.assert(actor.status == .pending);
    k.book.steps += 1;
    // The step's window starts empty: what the actors run now is this step's.
    k.book.window.clear();
    if (k.options.verbose) local.logStep(k, actor, choice);
    // Only when set: a store of 0 over 0 would still dirty its page for the write tracker.
    if (kernel_mod.progress_passed != 0) kernel_mod.progress_passed = 0;
    switch (transitions.execute(k, actor, choice)) {
        .stay => {},
        .proceed => actors.resumeActor(k, actor),
    }
    actors.startCreated(k);
    if (k.options.verbose and k.props.items.len > 0) local.logProps(k, "");
}

/// isomc_progress(): the current transition passes a progress marker. Under the checker,
/// the flag's address goes out once per process, at the first call (a PROP frame).
pub fn progress(k: *Kernel) void {
    kernel_mod.progress_passed = 1;
    const link = if (k.link) |*l| l else return;
    if (k.book.progress_announced) return;
    k.book.progress_announced = true;
    link.send(protocol.encodeProp(link.out, .{ .kind = .progress, .address = @intFromPtr(&kernel_mod.progress_passed), .name = "" }));
}
