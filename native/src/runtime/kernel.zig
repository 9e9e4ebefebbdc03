//! The runtime's kernel: the `Kernel` record (the actor table, the maestro's stack, the control
//! channel, the arenas of the runtime's objects) and its set-up, the lookup and allocation of
//! actors and objects. What it does is in files by concern, reached as Kernel's methods:
//! actors.zig (an actor's life and the context switches), maestro.zig (the scheduling loop and
//! the execution of a step, under the checker or on its own), run_ahead.zig (a RUN's
//! continuation), reports.zig (STATE, STACKS and violations to the checker; local.zig says them
//! when the program runs on its own), restore.zig (MAP, FDS, FORK), ends.zig (the program's
//! exit, the final point and the rest of main) and startup.zig (the handshake and its set-up).

const std = @import("std");
const posix = std.posix;
const context = @import("context.zig");
const objects = @import("objects.zig");
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
const Slots = @import("slots.zig").Slots;
const Registry = @import("registry.zig").Registry;
const tls_mod = @import("tls.zig");
const actors = @import("actors.zig");
const maestro = @import("maestro.zig");
const reports = @import("reports.zig");
const ends = @import("ends.zig");
const startup = @import("startup.zig");

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
    agent_apply_fds: ?*const startup.ApplyFds = null,
    agent_detach_files: ?*const startup.DetachFiles = null,
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
            .checker => startup.connect(k),
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
            crash.install(k.control.altstack, .{ .actor = startup.runningActor, .stack = startup.runningStack, .steps = startup.stepsSoFar, .report = local.crashReport }, crash.mainStack());
        }
    }

    /// The kernel, for the crash handler and malloc, which get no argument.
    pub var the_kernel: *Kernel = undefined;

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

    /// From now on each actor created gets its own copy of the executable's TLS block (tls.zig):
    /// the first a copy of the block as it is (main's, set by the constructors that ran), the
    /// others the segment's initial image, as a new thread does.
    pub fn enableTls(k: *Kernel) void {
        std.debug.assert(k.actors.items.len == 0);
        k.tls = tls_mod.find();
        k.errno_at = @intFromPtr(__errno_location());
    }

    // ---- Defined by concern in other files, called as methods ----------------------------

    pub const createActor = actors.createActor;
    pub const finishCurrent = actors.finishCurrent;
    pub const perform = actors.perform;
    pub const run = maestro.run;
    pub const progress = maestro.progress;
    pub const atExit = ends.atExit;
    pub const violation = reports.violation;
    pub const foreignThread = reports.foreignThread;
    pub const unsupported = reports.unsupported;
};

extern "c" fn __errno_location() *c_int;

/// A problem that stops the program before or outside any execution (bad environment, no
/// memory): one line on stderr and the given exit status.
pub fn fatal(status: u8, comptime fmt: []const u8, args: anytype) noreturn {
    std.debug.print("isomc: " ++ fmt ++ "\n", args);
    std.c._exit(status);
}
