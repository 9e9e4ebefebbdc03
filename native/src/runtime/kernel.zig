//! The runtime's kernel (the maestro): the actor table, the scheduling loop that runs on a stack
//! of its own, and the three ways of choosing the next step — asking the checker over the
//! control channel, following a recorded trace, or the deterministic default schedule. It also
//! owns how violations are reported to the checker; local.zig says them when the program runs
//! on its own.

const std = @import("std");
const posix = std.posix;
const protocol = @import("protocol");
const context = @import("context.zig");
const objects = @import("objects.zig");
const tsan = @import("tsan.zig");
const transitions = @import("transitions.zig");
const schedule = @import("schedule.zig");
const trace = @import("trace.zig");
const printable = @import("printable.zig");
const symbols = @import("symbols.zig");
const local = @import("local.zig");
const Heap = @import("heap.zig").Heap;
const Link = @import("link.zig").Link;
const control = @import("control.zig");
const crash = @import("crash.zig");
const malloc = @import("malloc.zig");
const arena = @import("arena.zig");
const Slots = @import("slots.zig").Slots;
const Registry = @import("registry.zig").Registry;
const entry = @import("entry.zig");
const tls_mod = @import("tls.zig");
const linux = std.os.linux;

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
    op: transitions.StoredOp = .{},
    /// What the last executed operation returns to the actor.
    result: i64 = 0,
    /// Where the program called the API for `op`: the return address of its isomc_* call,
    /// reported with the pending transition (0 while the actor runs). It adds nothing to the
    /// state: the same address is on the actor's live stack.
    site: usize = 0,
    /// Counter behind the canonical ids of the objects this actor creates.
    objects_created: u32 = 0,
    /// Set by cond_signal / cond_broadcast while the actor waits on a condition.
    signalled: bool = false,
    /// The next actor waiting on the condition this one waits on (0: none; objects.Condition).
    next_waiter: u32 = 0,
    /// The communications this actor posted and has not released, by id.
    comms: objects.LiveComms = .{},
    /// Its image of the executable's TLS block, when the kernel switches TLS per actor
    /// (tls.zig; pthread programs).
    tls: ?[*]u8 = null,
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
    /// Replaying a lasso: how many times its cycle runs before the runtime stops.
    replay_cycles: u32 = 3,
};

pub const Prop = struct { name: [:0]const u8, addr: *const c_int };

/// Set by isomc_progress(), cleared when the next transition starts: whether the transition
/// that led to the current state passed a progress marker. It is program memory, hashed with
/// the rest, so that equal states agree on it (docs/liveness.md, non-progress cycles); the
/// checker reads it at the address the PROP frame of kind progress gives.
pub var progress_passed: c_int = 0;

const maestro_stack_size = 1024 * 1024;

/// Under the checker, each creator's objects (actors, requests and their payloads, mutexes...)
/// live in an arena of its own, one slot each (0 for main), apart from the arena of its mallocs:
/// the blocks other actors free there must not move the runtime's objects.
const object_slot_size: usize = 256 << 20;

pub const Kernel = struct {
    heap: Heap = .{},
    /// The runtime's allocator for what belongs to no actor (the actor list, props): under the
    /// checker main's object arena, where during the run only the actor list grows (with the
    /// number of actors); alone or replayed the heap, which then holds everything.
    gpa: std.mem.Allocator = undefined,
    /// Checker mode: the arenas of the objects each creator makes, so that their addresses
    /// depend only on their creator's history (docs/state.md, "What is canonical").
    object_arenas: ?Slots = null,
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
    done_sent: bool = false,
    /// Memory that is not program state (step counter, scratch): see control.zig.
    control: control.Control = undefined,
    book: *control.Bookkeeping = undefined,
    /// The checker restores states: keep the process at the end of an execution (the rest
    /// of main runs in a forked copy), report stacks, obey MAP and FORK.
    stateful: bool = false,
    /// Send STACKS before every STATE (the checker hashes states).
    report_stacks: bool = false,
    /// In the forked copy that runs the rest of main after the last transition.
    is_tail: bool = false,
    last_index: ?usize = null,
    main_objects_created: u32 = 0,
    mailboxes: Registry = undefined,
    props: std.ArrayList(Prop) = .empty,
    /// The first scheduling point has been reached: the actors created before isomc_run have
    /// run to their first visible operation. Propositions are registered before it.
    first_point: bool = false,
    /// Replaying the trace of a liveness violation (ISOMC_REPLAY): which one.
    lasso: ?trace.Lasso = null,
    enabled: std.ArrayList(bool) = .empty,
    /// The program's symbols, for the names in logs (read when first needed).
    symbols: ?symbols.Table = null,
    /// Looked up once, at the handshake: a lookup bumps the dynamic linker's counters, which
    /// are program memory, so one at every FDS or FORK would make equal states differ by
    /// their history (the number of restores or checkpoints behind them).
    agent_apply_fds: ?*const ApplyFds = null,
    agent_detach_files: ?*const DetachFiles = null,
    /// Set by enableTls (pthread programs): each actor has its own `__thread` variables.
    tls: ?tls_mod.Block = null,
    /// Set by enableTls: where errno is (the one OS thread's), which each actor has its own of
    /// (pthread.zig), looked up once for the plain accesses logged under sync (tsan.zig).
    errno_at: usize = 0,

    /// Sets the kernel up in place (it must not move afterwards: its allocator points into it).
    pub fn init(k: *Kernel, options: Options) void {
        k.* = .{ .options = options };
        the_kernel = k;
        k.control = control.Control.init() catch fatal(3, "cannot map the runtime's control area", .{});
        k.book = k.control.book;
        k.heap.epoch = &k.book.maps_epoch;
        k.gpa = k.heap.allocator();
        k.mailboxes = Registry.init(&k.book.maps_epoch) catch fatal(3, "cannot reserve address space for the mailboxes", .{});
        k.maestro_stack = context.Stack.init(maestro_stack_size) catch
            fatal(3, "cannot map the maestro's stack", .{});
        switch (options.mode) {
            .checker => k.connect(),
            .replay => {
                const path = options.trace_path.?;
                // The words are readTrace's (lib/report/trace.ts), so that `isomc replay` and
                // ISOMC_REPLAY refuse a trace with the same line.
                var problem: trace.Problem = .{};
                const loaded = trace.loadTrace(k.gpa, path, &problem) catch |err| switch (err) {
                    error.Unreadable => fatal(2, "cannot read the trace {f}: {f}", .{ printable.fmt(path), printable.fmt(problem.text()) }),
                    error.NotATrace => fatal(2, "{f} is not an isomc trace: {f}", .{ printable.fmt(path), printable.fmt(problem.text()) }),
                    error.OutOfMemory => fatal(3, "out of memory reading the trace {f}", .{printable.fmt(path)}),
                };
                k.replay = .{ .steps = loaded.steps };
                // A lasso: its prefix, then its cycle ISOMC_REPLAY_CYCLES times, then a stop.
                if (loaded.lasso) |l| {
                    k.lasso = l;
                    k.replay.cycle_start = l.cycle_start;
                    k.replay.cycles = options.replay_cycles;
                }
            },
            .standalone => {},
        }
        if (options.mode != .checker) {
            crash.install(k.control.altstack, .{ .actor = runningActor, .stack = runningStack, .steps = stepsSoFar, .report = local.crashReport }, crash.mainStack());
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
            k.control.range(),
        };
        const pid: u32 = @intCast(std.c.getpid());
        link.send(protocol.encodeHello(link.out, pid, createWriteTracker(), &ignored));
        const frame = link.receive();
        if (frame.message != .welcome) link.fail(.malformed, "expected WELCOME after HELLO");
        const flags = protocol.decodeWelcome(frame.body) catch link.fail(.malformed, "malformed WELCOME");
        k.stateful = flags & protocol.welcome_flag_stateful != 0;
        k.report_stacks = k.stateful and flags & protocol.welcome_flag_stacks != 0;
        k.agent_apply_fds = agent(ApplyFds, "isomc_agent_apply_fds");
        k.agent_detach_files = agent(DetachFiles, "isomc_agent_detach_files");
        crash.install(k.control.altstack, .{ .actor = runningActor, .stack = runningStack, .steps = stepsSoFar, .report = sendCrash }, crash.mainStack());
        malloc.enable(&k.book.maps_epoch, runningSlot) catch
            fatal(3, "cannot reserve address space for the actors' heaps", .{});
        k.object_arenas = Slots.init(object_slot_size, malloc.slot_count, &k.book.maps_epoch) catch
            fatal(3, "cannot reserve address space for the runtime's objects", .{});
        k.gpa = k.allocatorOf(0);
        ownStdioBuffers();
        entry.enable();
    }

    /// The kernel, for the crash handler and malloc, which get no argument.
    pub var the_kernel: *Kernel = undefined;

    fn runningActor() u32 {
        return if (the_kernel.current) |a| a.id else 0;
    }

    fn runningSlot() usize {
        return runningActor();
    }

    fn stepsSoFar() u32 {
        return the_kernel.book.steps;
    }

    fn runningStack() ?crash.StackBounds {
        const actor = the_kernel.current orelse return null;
        const s = actor.stack orelse return null;
        const lo = @intFromPtr(s.usable.ptr);
        return .{ .guard_lo = @intFromPtr(s.mapping.ptr), .lo = lo, .hi = lo + s.usable.len };
    }

    /// The crash handler's report under the checker: a CRASH frame, with raw system calls (in
    /// a signal handler) into the bookkeeping area's scratch (not program state).
    fn sendCrash(c: protocol.Crash) void {
        const k = the_kernel;
        const link = &(k.link orelse return);
        // Another thread may be writing a frame; the lock is never given back (the process
        // dies next).
        if (!link.lockForCrash()) return;
        // The reports of the steps before it first (a run-ahead's, waiting to be written).
        link.flushForCrash();
        const bytes = protocol.encodeCrash(&k.book.crash_frame, c);
        var sent: usize = 0;
        while (sent < bytes.len) {
            const rc = linux.sendto(link.fd, bytes[sent..].ptr, bytes.len - sent, linux.MSG.NOSIGNAL, null, 0);
            if (linux.E.init(rc) != .SUCCESS) break;
            sent += rc;
        }
    }

    pub fn actorById(k: *Kernel, id: u32) ?*Actor {
        if (id == 0 or id > k.actors.items.len) return null;
        return k.actors.items[id - 1];
    }

    pub fn actorName(k: *Kernel, id: u32) []const u8 {
        return if (k.actorById(id)) |a| a.name else "main";
    }

    /// Where the objects an actor creates are allocated (0: main).
    pub fn allocatorOf(k: *Kernel, creator: u32) std.mem.Allocator {
        const slots = if (k.object_arenas) |*s| s else return k.gpa;
        const a = slots.get(creator) catch k.outOfMemory();
        return a.allocator();
    }

    /// The allocator for objects the running actor creates (main's outside actors).
    pub fn objectAllocator(k: *Kernel) std.mem.Allocator {
        return k.allocatorOf(if (k.current) |a| a.id else 0);
    }

    /// A new request of `actor` on mailbox `mailbox_id`, with room for a payload of `capacity`
    /// bytes, numbered after the actor's live communications (objects.LiveComms).
    pub fn newRequest(k: *Kernel, actor: *Actor, side: objects.Side, mailbox_id: u64, capacity: usize) *objects.Request {
        const al = k.allocatorOf(actor.id);
        // Under the checker the arenas hand memory out zeroed, so the payload's part needs no
        // clearing (a large one is not touched at all when the send is matched at once); alone,
        // the payload is written before it is read. rawAlloc, not alloc: std.mem.Allocator
        // fills what it hands out with undefined bytes. The header is written whole below.
        const size = objects.Request.blockSize(capacity);
        const bytes = al.rawAlloc(size, .of(objects.Request), @returnAddress()) orelse k.outOfMemory();
        if (k.object_arenas != null) std.debug.assert(std.mem.allEqual(u8, bytes[0..@sizeOf(objects.Request)], 0));
        const r: *objects.Request = @ptrCast(@alignCast(bytes));
        r.* = .{ .id = 0, .side = side, .owner = actor.id, .mailbox = mailbox_id, .capacity = capacity };
        actor.comms.add(actor.id, r);
        return r;
    }

    /// Releases a completed request: it stops being live, its number is free again, and its
    /// block goes back zeroed to its owner's arena.
    pub fn releaseRequest(k: *Kernel, r: *objects.Request) void {
        std.debug.assert(r.isLive());
        const owner = k.actorById(r.owner).?;
        owner.comms.remove(r);
        const block: [*]u8 = @ptrCast(r);
        const size = objects.Request.blockSize(@intCast(r.capacity));
        k.allocatorOf(r.owner).rawFree(block[0..size], .of(objects.Request), @returnAddress());
    }

    /// The mailbox a live request or a program's handle names (it was looked up before).
    pub fn mailbox(k: *Kernel, id: u64) *objects.Mailbox {
        return k.mailboxes.find(id).?;
    }

    pub fn mailboxName(k: *const Kernel, id: u64) [:0]const u8 {
        return k.mailboxes.nameOf(id);
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

    /// From now on each actor created gets its own copy of the executable's TLS block (tls.zig):
    /// the first a copy of the block as it is (main's, set by the constructors that ran), the
    /// others the segment's initial image, as a new thread does.
    /// The program called a function the runtime does not model (`message` names it): the
    /// checker stops with it as bad input (an ERROR frame), or, on its own, the process does.
    pub fn unsupported(k: *Kernel, message: []const u8) noreturn {
        if (k.link) |*link| {
            link.send(protocol.encodeError(link.out, .{ .code = .unsupported, .steps = k.book.steps, .message = message }));
            link.waitForEnd();
        }
        fatal(2, "{s}", .{message});
    }

    pub fn enableTls(k: *Kernel) void {
        std.debug.assert(k.actors.items.len == 0);
        k.tls = tls_mod.find();
        k.errno_at = @intFromPtr(__errno_location());
    }

    pub fn createActor(k: *Kernel, name: []const u8, code: ActorCode, arg: ?*anyopaque) *Actor {
        if (k.actors.items.len + 1 >= objects.max_actors)
            fatal(3, "a program may create at most {d} actors", .{objects.max_actors - 1});
        const id: u32 = @intCast(k.actors.items.len + 1);
        const al = k.objectAllocator();
        const actor = al.create(Actor) catch k.outOfMemory();
        var stack = context.Stack.init(k.options.stack_size) catch k.outOfMemory();
        k.book.maps_epoch +%= 1;
        // An actor's arenas are set up at their first use, or when it is created if the checker
        // compares states: whether an actor has ever allocated must not make two equal states
        // differ, but an arena costs a mapping, which costs every snapshot a little.
        if (k.report_stacks) {
            _ = k.object_arenas.?.get(id) catch k.outOfMemory();
            _ = malloc.arenaOf(id) orelse k.outOfMemory();
        }
        actor.* = .{
            .kernel = k,
            .id = id,
            .parent = if (k.current) |c| c.id else 0,
            .name = al.dupeZ(u8, name) catch k.outOfMemory(),
            .code = code,
            .arg = arg,
            .stack = stack,
        };
        actor.context = context.make(stack.usable, actorEntry, actor);
        if (k.tls) |*b| {
            const image = al.alloc(u8, b.live.len) catch k.outOfMemory();
            if (k.actors.items.len == 0) @memcpy(image, b.live) else b.fresh(image);
            actor.tls = image.ptr;
        }
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
        actor.kernel.finishCurrent();
    }

    /// Ends the running actor where it stands, as if its code returned (its code's return, or
    /// pthread_exit from any depth: the frames left on its stack are dead).
    pub fn finishCurrent(k: *Kernel) noreturn {
        const actor = k.current.?;
        std.debug.assert(actor.status == .running);
        actor.status = .finished;
        k.alive -= 1;
        context.swap(&actor.context, &k.maestro_context);
        unreachable;
    }

    /// Called by the API, in the actor's context: parks the actor at a visible operation until
    /// the maestro executes it, and returns the operation's result. `site` is the program's
    /// call site (the return address into the program of the isomc_* function it called).
    pub fn perform(k: *Kernel, op: transitions.Op, site: usize) i64 {
        const actor = k.current orelse
            k.violation(null, .misuse, "isomc_{s} called outside an actor", .{@tagName(op)});
        std.debug.assert(actor.status == .running);
        transitions.setOp(actor, op);
        actor.site = site;
        actor.status = .pending;
        context.swap(&actor.context, &k.maestro_context);
        std.debug.assert(k.current == actor);
        // Taken, not kept: a stale result would make equal states differ (docs/state.md).
        const result = actor.result;
        actor.result = 0;
        return result;
    }

    fn resumeActor(k: *Kernel, actor: *Actor) void {
        std.debug.assert(k.current == null);
        actor.status = .running;
        transitions.setOp(actor, .none);
        // Like `op`: a finished actor keeps no trace of where it last called the API.
        actor.site = 0;
        k.current = actor;
        if (k.tls) |*b| b.load(actor.tls.?[0..b.live.len]);
        context.swap(&k.maestro_context, &actor.context);
        // Saved and cleared: the live block holds nobody's variables while the maestro runs.
        if (k.tls) |*b| b.save(actor.tls.?[0..b.live.len]);
        // Where the maestro's stack was when it switched: stale now, and different after
        // different paths to the same state (the record is program state, the stack is not).
        k.maestro_context = .{};
        k.current = null;
        // Under the checker a finished actor's stack stays mapped: a restore may bring the
        // actor back, and mappings that come and go cost the checker a re-read of the maps.
        if (actor.status == .finished and k.link == null) {
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
        k.first_point = true;
        switch (k.options.mode) {
            .checker => k.checkerLoop(),
            .replay, .standalone => k.localLoop(),
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
    fn checkerLoop(k: *Kernel) void {
        const link = &k.link.?;
        var report = true;
        while (true) {
            if (report) {
                if (k.alive > 0) {
                    k.sendState();
                } else if (k.stateful) {
                    k.sendFinalPoint();
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
                        if (k.checkStep(step, &why)) |message| {
                            link.send(protocol.encodeError(link.out, .{ .code = .diverged, .steps = k.book.steps, .message = message }));
                            std.c._exit(3);
                        }
                        actors_before = k.actors.items.len;
                        k.execute(k.actorById(step.actor).?, step.choice);
                    }
                    // A last step that created actors ends the batch: the checker's search may
                    // start over with another relation (lib/explore/dpor/explorer.ts). The steps
                    // before it replay a path the search took before (a restore's, sent with
                    // the step: lib/state/memory_target.ts), whose creations it has seen.
                    if (steps.ahead) |rule| {
                        if (k.actors.items.len == actors_before) k.runAhead(rule);
                    }
                    report = true;
                },
                .map => {
                    if (!k.stateful) link.fail(.malformed, "MAP without a stateful WELCOME");
                    const ops = protocol.decodeMap(frame.body) catch link.fail(.malformed, "malformed MAP");
                    link.send(protocol.encodeMapped(link.out, k.applyMaps(ops)));
                    report = false;
                },
                .fds => {
                    if (!k.stateful) link.fail(.malformed, "FDS without a stateful WELCOME");
                    k.applyFds(frame.body);
                    report = false;
                },
                .fork => {
                    if (!k.stateful) link.fail(.malformed, "FORK without a stateful WELCOME");
                    protocol.decodeFork(frame.body) catch link.fail(.malformed, "malformed FORK");
                    k.forkRunner();
                    report = false;
                },
                .finish => {
                    if (!k.stateful) link.fail(.malformed, "FINISH without a stateful WELCOME");
                    protocol.decodeFinish(frame.body) catch link.fail(.malformed, "malformed FINISH");
                    if (k.alive > 0) link.fail(.malformed, "FINISH before every actor has returned");
                    if (k.runTail()) return;
                    report = false;
                },
                else => link.fail(.malformed, "expected RUN, MAP, FORK, FDS or FINISH"),
            }
        }
    }

    /// Carries out the mapping changes a restore needs; returns 0 or the first errno.
    fn applyMaps(k: *Kernel, ops: protocol.MapOps) i32 {
        k.book.maps_epoch +%= 1;
        var i: u32 = 0;
        while (i < ops.count) : (i += 1) {
            const op = ops.get(i);
            const len = op.end - op.start;
            const rc = if (op.map)
                linux.mmap(@ptrFromInt(op.start), len, linux.PROT.READ | linux.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .FIXED = true }, -1, 0)
            else if (k.isReserved(op.start, op.end))
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
    fn applyFds(k: *Kernel, body: []const u8) void {
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

    /// Every actor has returned (stateful): the stacks, all dead, so the checker can hash the
    /// final state, then a point with no actor, which tells it the rest is main's. What stdout
    /// holds is flushed first, as FINISH would before it forks the rest of main: the final state
    /// is then the same bytes whether the checker runs main's end from it or reuses a known one.
    /// Only when it holds something: fflush takes glibc's locks, and a page written for nothing
    /// costs a page read at the next snapshot.
    fn sendFinalPoint(k: *Kernel) void {
        const link = &k.link.?;
        if (stdout != null and __fpending(stdout) > 0) _ = fflush(stdout);
        k.sendStacks();
        var w = protocol.StateWriter.begin(link.out, k.book.steps, k.stateFlags());
        link.send(w.finish());
    }

    /// STATE's flags: whether mappings changed since the last STATE, and whether a value was
    /// ever drawn from the nondet range in this process (svcomp.zig).
    fn stateFlags(k: *Kernel) u32 {
        const range: u32 = if (k.book.nondet_range_used) protocol.state_flag_nondet_range else 0;
        if (k.book.maps_epoch == k.book.reported_epoch) return range;
        k.book.reported_epoch = k.book.maps_epoch;
        return protocol.state_flag_maps_changed | range;
    }

    /// FINISH: main's remaining code runs in a forked copy, which ends with DONE (or a
    /// violation, or a crash) like a stateless execution; this process reports how the copy
    /// ended with TAIL and stays at the final state. Returns true in the copy.
    fn runTail(k: *Kernel) bool {
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

    /// FORK: this process becomes (or stays) a frozen checkpoint and a forked copy runs on,
    /// with a control channel of its own whose other end goes to the checker.
    fn forkRunner(k: *Kernel) void {
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

    /// A RUN's continuation (docs/protocol.md, "Running ahead"): the runtime goes on by itself,
    /// reporting each point it passes (STATE with the ran-on flag) before it takes the rule's
    /// next known step there, or past them the lowest enabled actor's first choice, and stops —
    /// the caller reports the point — at the end, at a point with nothing enabled, a known step
    /// that cannot be taken, a point whose lowest enabled actor is asleep in the checker's search
    /// (past the known steps), a branching point at or past the rule's depth (where the checker
    /// snapshots), after a step that created actors, or after the rule's number of steps. A
    /// violation or a crash stops it on its own. The rule needs no independence relation: an
    /// actor not asleep where the batch starts is not asleep below (a sleep set only shrinks).
    fn runAhead(k: *Kernel, rule: protocol.Ahead) void {
        const link = &k.link.?;
        link.beginBatch();
        defer link.endBatch();
        var taken: u32 = 0;
        while (taken < rule.max_steps and k.alive > 0) : (taken += 1) {
            const next = k.aheadStep(rule, taken) orelse return;
            k.sendStateFlagged(protocol.state_flag_ran_on);
            link.flushOld();
            const actors_before = k.actors.items.len;
            k.execute(next.actor, next.choice);
            if (k.actors.items.len != actors_before) return;
        }
    }

    const AheadChoice = struct { actor: *Actor, choice: u32 };

    /// The step the continuation rule takes at this point (its `taken`-th), or null where it stops.
    fn aheadStep(k: *Kernel, rule: protocol.Ahead, taken: u32) ?AheadChoice {
        if (taken < rule.known_count) {
            const step = rule.known(taken);
            // A snapshot point stops known steps too: the checker snapshots there.
            if (k.book.steps >= rule.branch_stop and k.branchesHere()) return null;
            const actor = k.actorById(step.actor) orelse return null;
            if (actor.status != .pending or !transitions.isEnabled(actor)) return null;
            if (step.choice >= transitions.choiceCount(actor)) return null;
            return .{ .actor = actor, .choice = step.choice };
        }
        var lowest: ?*Actor = null;
        var choices: u64 = 0;
        const may_snapshot = k.book.steps >= rule.branch_stop;
        for (k.actors.items) |a| {
            if (a.status != .pending or !transitions.isEnabled(a)) continue;
            if (lowest == null) {
                if (rule.isAsleep(a.id)) return null;
                lowest = a;
            }
            choices += transitions.choiceCount(a);
            if (choices > 1 and may_snapshot) return null;
            // Past the lowest, only whether the point branches matters.
            if (!may_snapshot) break;
        }
        return if (lowest) |a| .{ .actor = a, .choice = 0 } else null;
    }

    /// Whether this point offers two or more enabled steps (every choice of every actor counted).
    fn branchesHere(k: *Kernel) bool {
        var choices: u64 = 0;
        for (k.actors.items) |a| {
            if (a.status != .pending or !transitions.isEnabled(a)) continue;
            choices += transitions.choiceCount(a);
            if (choices > 1) return true;
        }
        return false;
    }

    fn sendState(k: *Kernel) void {
        k.sendStateFlagged(0);
    }

    fn sendStateFlagged(k: *Kernel, extra: u32) void {
        const link = &k.link.?;
        if (k.report_stacks) k.sendStacks();
        var w = protocol.StateWriter.begin(link.out, k.book.steps, k.stateFlags() | extra);
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
    fn sendStacks(k: *Kernel) void {
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

    /// Why a scheduled step cannot be executed, or null when it can.
    fn checkStep(k: *Kernel, step: protocol.Step, buf: []u8) ?[]const u8 {
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
    fn localLoop(k: *Kernel) void {
        if (k.options.verbose and k.props.items.len > 0) local.logProps(k, "initially: ");
        while (k.alive > 0) {
            if (k.replay.pop()) |step| {
                var why: [256]u8 = undefined;
                if (k.checkStep(step, &why)) |message| local.stop(k, "diverged", message, null);
                if (k.replay.entered and k.options.verbose) local.logCycle(k);
                // The default schedule that follows a trace goes on after its last actor.
                k.last_index = step.actor - 1;
                k.execute(k.actorById(step.actor).?, step.choice);
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
            k.execute(k.actors.items[index], 0);
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

    fn execute(k: *Kernel, actor: *Actor, choice: u32) void {
        k.book.steps += 1;
        // The step's window starts empty: what the actors run now is this step's.
        k.book.window.clear();
        if (k.options.verbose) local.logStep(k, actor, choice);
        // Only when set: a store of 0 over 0 would still dirty its page for the write tracker.
        if (progress_passed != 0) progress_passed = 0;
        switch (transitions.execute(k, actor, choice)) {
            .stay => {},
            .proceed => k.resumeActor(actor),
        }
        k.startCreated();
        if (k.options.verbose and k.props.items.len > 0) local.logProps(k, "");
    }

    /// isomc_progress(): the current transition passes a progress marker. Under the checker,
    /// the flag's address goes out once per process, at the first call (a PROP frame).
    pub fn progress(k: *Kernel) void {
        progress_passed = 1;
        const link = if (k.link) |*l| l else return;
        if (k.book.progress_announced) return;
        k.book.progress_announced = true;
        link.send(protocol.encodeProp(link.out, .{ .kind = .progress, .address = @intFromPtr(&progress_passed), .name = "" }));
    }

    // ---- Violations --------------------------------------------------------------------

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
};

extern "c" fn fflush(stream: ?*anyopaque) c_int;
extern "c" fn __errno_location() *c_int;
extern "c" fn setvbuf(stream: ?*anyopaque, buf: ?[*]u8, mode: c_int, size: usize) c_int;
extern "c" fn __fbufsize(stream: ?*anyopaque) usize;
extern "c" fn __fpending(stream: ?*anyopaque) usize;
extern "c" var stdin: ?*anyopaque;
extern "c" var stdout: ?*anyopaque;

/// glibc allocates a stream's buffer at its first use, from the arena of whichever actor uses
/// it first: which one depends on the interleaving. Under the checker, stdin's and stdout's
/// buffers are allocated at isomc_init instead, from main's arena, in the mode glibc would
/// have chosen (stdout is a file or /dev/null there, never a terminal: fully buffered).
/// stderr has no buffer. A stream used before isomc_init keeps the buffer it has.
fn ownStdioBuffers() void {
    const full_buffering: c_int = 0; // _IOFBF
    const size = 8192; // BUFSIZ
    for ([_]?*anyopaque{ stdin, stdout }) |stream| {
        if (stream == null or __fbufsize(stream) != 0) continue;
        const buf: [*]u8 = @ptrCast(malloc.allocate(size) orelse continue);
        _ = setvbuf(stream, buf, full_buffering, size);
    }
}
extern "c" fn dlsym(handle: ?*anyopaque, name: [*:0]const u8) ?*anyopaque;

const ApplyFds = fn ([*]const control.FdOp, usize, *i32) callconv(.c) usize;
const DetachFiles = fn ([*]const i32, usize) callconv(.c) usize;

/// A function of the agent the checker preloads (native/src/agent/), if it is there.
fn agent(comptime F: type, comptime name: [:0]const u8) ?*const F {
    return @ptrCast(dlsym(null, name) orelse return null);
}

/// A userfaultfd with asynchronous write protection, for the checker to track which pages
/// the program writes (native/src/checker/state/tracker.zig); -1 when the kernel refuses.
fn createWriteTracker() i32 {
    const user_mode_only: usize = 1;
    const flags: usize = @as(u32, @bitCast(linux.O{ .CLOEXEC = true, .NONBLOCK = true })) | user_mode_only;
    const rc = linux.syscall1(.userfaultfd, flags);
    if (linux.E.init(rc) != .SUCCESS) return -1;
    const fd: i32 = @intCast(rc);
    const UffdioApi = extern struct { api: u64, features: u64, ioctls: u64 };
    const feature_wp_unpopulated: u64 = 1 << 13;
    const feature_wp_async: u64 = 1 << 15;
    var api = UffdioApi{ .api = 0xAA, .features = feature_wp_async | feature_wp_unpopulated, .ioctls = 0 };
    if (linux.E.init(linux.ioctl(fd, linux.IOCTL.IOWR(0xAA, 0x3F, UffdioApi), @intFromPtr(&api))) != .SUCCESS) {
        _ = linux.close(fd);
        return -1;
    }
    return fd;
}

/// A problem that stops the program before or outside any execution (bad environment, no
/// memory): one line on stderr and the given exit status.
pub fn fatal(status: u8, comptime fmt: []const u8, args: anytype) noreturn {
    std.debug.print("isomc: " ++ fmt ++ "\n", args);
    std.c._exit(status);
}
