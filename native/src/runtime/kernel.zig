//! The runtime's kernel (the maestro): the actor table, the scheduling loop that runs on a stack
//! of its own, and the three ways of choosing the next step — asking the checker over the
//! control channel, following a recorded trace, or the deterministic default schedule. It also
//! owns how violations are reported in each of those modes.

const std = @import("std");
const posix = std.posix;
const protocol = @import("protocol");
const context = @import("context.zig");
const objects = @import("objects.zig");
const transitions = @import("transitions.zig");
const schedule = @import("schedule.zig");
const Heap = @import("heap.zig").Heap;
const Link = @import("link.zig").Link;

pub const ActorCode = *const fn (arg: ?*anyopaque) callconv(.c) void;

pub const Status = enum { created, running, pending, finished };

pub const Actor = struct {
    kernel: *Kernel,
    id: u32,
    parent: u32,
    name: [:0]const u8,
    code: ActorCode,
    arg: ?*anyopaque,
    context: context.Context = .{},
    stack: ?context.Stack,
    status: Status = .created,
    /// The visible operation the actor is parked at, while `status == .pending`.
    op: transitions.Op = .none,
    /// What the last executed operation returns to the actor.
    result: i64 = 0,
    /// Counter behind the canonical ids of the objects this actor creates.
    objects_created: u32 = 0,
    /// Set by cond_signal / cond_broadcast while the actor waits on a condition.
    signalled: bool = false,
};

pub const Mode = enum { checker, replay, standalone };

pub const Options = struct {
    mode: Mode,
    /// The control channel's fd, in checker mode.
    fd: posix.fd_t = -1,
    /// The trace to follow, in replay mode.
    trace_path: ?[]const u8 = null,
    /// Where to write the outcome as one JSON line (replay and standalone modes).
    report_path: ?[]const u8 = null,
    verbose: bool = false,
    stack_size: usize = 1024 * 1024,
};

pub const Prop = struct { name: [:0]const u8, addr: *const c_int };

const maestro_stack_size = 1024 * 1024;

pub const Kernel = struct {
    heap: Heap = .{},
    gpa: std.mem.Allocator = undefined,
    options: Options,
    link: ?Link = null,
    replay: schedule.Schedule = .{ .steps = &.{} },
    replay_notice_given: bool = false,
    actors: std.ArrayList(*Actor) = .empty,
    /// Actors before this index have been started.
    started: usize = 0,
    alive: u32 = 0,
    current: ?*Actor = null,
    main_context: context.Context = .{},
    maestro_context: context.Context = .{},
    maestro_stack: context.Stack = undefined,
    running: bool = false,
    steps: u32 = 0,
    last_index: ?usize = null,
    main_objects_created: u32 = 0,
    mailboxes: std.StringHashMapUnmanaged(*objects.Mailbox) = .empty,
    props: std.ArrayList(Prop) = .empty,
    extras: std.ArrayList(u64) = .empty,
    enabled: std.ArrayList(bool) = .empty,

    /// Sets the kernel up in place (it must not move afterwards: its allocator points into it).
    pub fn init(k: *Kernel, options: Options) void {
        k.* = .{ .options = options };
        k.gpa = k.heap.allocator();
        k.maestro_stack = context.Stack.init(maestro_stack_size) catch
            fatal(3, "cannot map the maestro's stack", .{});
        switch (options.mode) {
            .checker => k.connect(),
            .replay => {
                const path = options.trace_path.?;
                const steps = schedule.loadTrace(k.gpa, path) catch |err| switch (err) {
                    error.Unreadable => fatal(2, "replay: cannot read the trace file '{s}'", .{path}),
                    error.NotATrace => fatal(2, "replay: '{s}' is not an isomc trace", .{path}),
                    error.OutOfMemory => fatal(3, "replay: out of memory reading '{s}'", .{path}),
                };
                k.replay = .{ .steps = steps };
            },
            .standalone => {},
        }
    }

    /// Handshake: HELLO with what is not program state, then the checker's WELCOME.
    fn connect(k: *Kernel) void {
        k.link = Link.open(k.options.fd) catch fatal(3, "cannot map the control channel buffers", .{});
        const link = &k.link.?;
        const stack_start = @intFromPtr(k.maestro_stack.mapping.ptr);
        const ignored = [_]protocol.Range{
            link.ignoredRange(),
            .{ .start = stack_start, .end = stack_start + k.maestro_stack.mapping.len },
        };
        const pid: u32 = @intCast(std.c.getpid());
        link.send(protocol.encodeHello(link.out, pid, &ignored));
        const frame = link.receive();
        if (frame.message != .welcome) link.fail(.malformed, "expected WELCOME after HELLO");
        protocol.decodeWelcome(frame.body) catch link.fail(.malformed, "malformed WELCOME");
    }

    pub fn actorById(k: *Kernel, id: u32) ?*Actor {
        if (id == 0 or id > k.actors.items.len) return null;
        return k.actors.items[id - 1];
    }

    pub fn actorName(k: *Kernel, id: u32) []const u8 {
        return if (k.actorById(id)) |a| a.name else "main";
    }

    pub fn newObjectId(k: *Kernel) u64 {
        if (k.current) |a| {
            a.objects_created += 1;
            return objects.objectId(a.id, a.objects_created);
        }
        k.main_objects_created += 1;
        return objects.objectId(0, k.main_objects_created);
    }

    pub fn outOfMemory(k: *Kernel) noreturn {
        _ = k;
        fatal(3, "the runtime is out of memory", .{});
    }

    // ---- Actors ------------------------------------------------------------------------

    pub fn createActor(k: *Kernel, name: []const u8, code: ActorCode, arg: ?*anyopaque) *Actor {
        if (k.actors.items.len + 1 >= objects.max_actors)
            fatal(3, "a program may create at most {d} actors", .{objects.max_actors - 1});
        const actor = k.gpa.create(Actor) catch k.outOfMemory();
        var stack = context.Stack.init(k.options.stack_size) catch k.outOfMemory();
        actor.* = .{
            .kernel = k,
            .id = @intCast(k.actors.items.len + 1),
            .parent = if (k.current) |c| c.id else 0,
            .name = k.gpa.dupeZ(u8, name) catch k.outOfMemory(),
            .code = code,
            .arg = arg,
            .stack = stack,
        };
        actor.context = context.make(stack.usable, actorEntry, actor);
        k.actors.append(k.gpa, actor) catch k.outOfMemory();
        k.alive += 1;
        if (k.link) |*link| {
            link.send(protocol.encodeActor(link.out, .{ .id = actor.id, .parent = actor.parent, .name = actor.name }));
        }
        stack = undefined;
        return actor;
    }

    fn actorEntry(arg: *anyopaque) callconv(.c) noreturn {
        const actor: *Actor = @ptrCast(@alignCast(arg));
        actor.code(actor.arg);
        const k = actor.kernel;
        actor.status = .finished;
        k.alive -= 1;
        context.swap(&actor.context, &k.maestro_context);
        unreachable;
    }

    /// Called by the API, in the actor's context: parks the actor at a visible operation until
    /// the maestro executes it, and returns the operation's result.
    pub fn perform(k: *Kernel, op: transitions.Op) i64 {
        const actor = k.current orelse
            k.violation(null, .misuse, "isomc_{s} called outside an actor", .{@tagName(op)});
        std.debug.assert(actor.status == .running);
        actor.op = op;
        actor.status = .pending;
        context.swap(&actor.context, &k.maestro_context);
        std.debug.assert(k.current == actor);
        return actor.result;
    }

    fn resumeActor(k: *Kernel, actor: *Actor) void {
        std.debug.assert(k.current == null);
        actor.status = .running;
        actor.op = .none;
        k.current = actor;
        context.swap(&k.maestro_context, &actor.context);
        k.current = null;
        if (actor.status == .finished) {
            if (actor.stack) |*s| s.deinit();
            actor.stack = null;
        }
    }

    /// Runs every actor created since the last call up to its first visible operation.
    fn startCreated(k: *Kernel) void {
        while (k.started < k.actors.items.len) {
            const actor = k.actors.items[k.started];
            k.started += 1;
            std.debug.assert(actor.status == .created);
            k.resumeActor(actor);
        }
    }

    // ---- Scheduling --------------------------------------------------------------------

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
        k.startCreated();
        switch (k.options.mode) {
            .checker => k.checkerLoop(),
            .replay, .standalone => k.localLoop(),
        }
        context.swap(&k.maestro_context, &k.main_context);
        unreachable;
    }

    fn checkerLoop(k: *Kernel) void {
        const link = &k.link.?;
        while (k.alive > 0) {
            k.sendState();
            const frame = link.receive();
            if (frame.message != .run) link.fail(.malformed, "expected RUN");
            const steps = protocol.decodeRun(frame.body) catch link.fail(.malformed, "malformed RUN");
            var i: u32 = 0;
            while (i < steps.count) : (i += 1) {
                const step = steps.get(i);
                var why: [256]u8 = undefined;
                if (k.checkStep(step, &why)) |message| {
                    link.send(protocol.encodeError(link.out, .{ .code = .diverged, .steps = k.steps, .message = message }));
                    std.c._exit(3);
                }
                k.execute(k.actorById(step.actor).?, step.choice);
            }
        }
        link.send(protocol.encodeDone(link.out, .{ .steps = k.steps, .actors = @intCast(k.actors.items.len) }));
    }

    fn sendState(k: *Kernel) void {
        const link = &k.link.?;
        var w = protocol.StateWriter.begin(link.out, k.steps);
        for (k.actors.items) |actor| {
            if (actor.status != .pending) continue;
            const rec = transitions.record(actor, &k.extras, k.gpa);
            if (!w.fits(rec.extras.len)) link.fail(.internal, "the state does not fit in one frame");
            w.record(rec);
        }
        link.send(w.finish());
    }

    /// Why a scheduled step cannot be executed, or null when it can.
    fn checkStep(k: *Kernel, step: protocol.Step, buf: []u8) ?[]const u8 {
        const actor = k.actorById(step.actor) orelse
            return std.fmt.bufPrint(buf, "step {d}: there is no actor {d}", .{ k.steps + 1, step.actor }) catch buf;
        if (actor.status != .pending)
            return std.fmt.bufPrint(buf, "step {d}: actor {d} ({s}) has finished", .{ k.steps + 1, step.actor, actor.name }) catch buf;
        if (!transitions.isEnabled(actor))
            return std.fmt.bufPrint(buf, "step {d}: actor {d} ({s}) is not enabled", .{ k.steps + 1, step.actor, actor.name }) catch buf;
        if (step.choice >= transitions.choiceCount(actor))
            return std.fmt.bufPrint(buf, "step {d}: choice {d} is out of range for actor {d} ({s})", .{ k.steps + 1, step.choice, step.actor, actor.name }) catch buf;
        return null;
    }

    /// Replay and standalone modes: the trace first, then the default schedule.
    fn localLoop(k: *Kernel) void {
        while (k.alive > 0) {
            if (k.replay.pop()) |step| {
                var why: [256]u8 = undefined;
                if (k.checkStep(step, &why)) |message| k.stop("diverged", message, null);
                k.execute(k.actorById(step.actor).?, step.choice);
                continue;
            }
            k.enabled.clearRetainingCapacity();
            for (k.actors.items) |a| {
                k.enabled.append(k.gpa, a.status == .pending and transitions.isEnabled(a)) catch k.outOfMemory();
            }
            const index = schedule.roundRobin(k.enabled.items, k.last_index) orelse k.deadlock();
            if (k.options.mode == .replay and !k.replay_notice_given) {
                k.replay_notice_given = true;
                std.debug.print("[isomc] the trace's {d} steps are done; going on with the default schedule\n", .{k.replay.steps.len});
            }
            k.last_index = index;
            k.execute(k.actors.items[index], 0);
        }
        if (k.options.report_path) |path| writeReport(path, "ok", "", "", k.steps);
    }

    fn execute(k: *Kernel, actor: *Actor, choice: u32) void {
        k.steps += 1;
        if (k.options.verbose) k.logStep(actor, choice);
        switch (transitions.execute(k, actor, choice)) {
            .stay => {},
            .proceed => k.resumeActor(actor),
        }
        k.startCreated();
    }

    fn logStep(k: *Kernel, actor: *const Actor, choice: u32) void {
        var buf: [512]u8 = undefined;
        const what = transitions.describe(actor, &buf);
        switch (actor.op) {
            .random => |r| std.debug.print("[isomc] {d}. {s}: {s} = {d}\n", .{ k.steps, actor.name, what, @as(i64, r.min) + choice }),
            else => std.debug.print("[isomc] {d}. {s}: {s}\n", .{ k.steps, actor.name, what }),
        }
    }

    // ---- Violations --------------------------------------------------------------------

    pub fn releaseRequest(k: *Kernel, r: *objects.Request) void {
        std.debug.assert(r.isLive());
        k.gpa.destroy(r);
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
                .steps = k.steps,
                .message = message,
            }));
            link.waitForEnd();
        }
        const kind_name = switch (kind) {
            .assertion => "assertion",
            .misuse => "misuse",
            _ => "violation",
        };
        k.stop(kind_name, message, who);
    }

    fn deadlock(k: *Kernel) noreturn {
        var buf: [4096]u8 = undefined;
        var writer: std.Io.Writer = .fixed(&buf);
        const w = &writer;
        w.writeAll("every unfinished actor is blocked:") catch {};
        var first = true;
        for (k.actors.items) |a| {
            if (a.status != .pending) continue;
            var what: [512]u8 = undefined;
            w.print("{s} {s} at {s}", .{ if (first) "" else ";", a.name, transitions.describe(a, &what) }) catch break;
            first = false;
        }
        k.stop("deadlock", w.buffered(), null);
    }

    /// Replay and standalone modes: say what happened, leave the report, and abort so that a
    /// debugger stops right here with the actor's stack.
    fn stop(k: *Kernel, kind: []const u8, message: []const u8, actor: ?*const Actor) noreturn {
        _ = fflush(null);
        const name = if (actor) |a| a.name else "";
        if (actor != null) {
            std.debug.print("isomc: {s}: {s} (actor {s}, step {d})\n", .{ kind, message, name, k.steps });
        } else {
            std.debug.print("isomc: {s}: {s} (step {d})\n", .{ kind, message, k.steps });
        }
        if (k.options.report_path) |path| writeReport(path, kind, message, name, k.steps);
        std.c.abort();
    }
};

extern "c" fn fflush(stream: ?*anyopaque) c_int;

/// Writes the outcome as one JSON line, for `isomc replay`.
fn writeReport(path: []const u8, kind: []const u8, message: []const u8, actor: []const u8, steps: u32) void {
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

/// A problem that stops the program before or outside any execution (bad environment, no
/// memory): one line on stderr and the given exit status.
pub fn fatal(status: u8, comptime fmt: []const u8, args: anytype) noreturn {
    std.debug.print("isomc: " ++ fmt ++ "\n", args);
    std.c._exit(status);
}
