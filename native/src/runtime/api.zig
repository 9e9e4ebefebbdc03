//! The C API of include/isomc.h: argument checking at the call site (misuse is reported against
//! the calling actor, at the moment it happens) and translation into kernel operations. The
//! runtime is a process-wide singleton by nature, so its one kernel lives here.

const std = @import("std");
const protocol = @import("protocol");
const kernel_mod = @import("kernel.zig");
const objects = @import("objects.zig");
const entry = @import("entry.zig");
const printable = @import("printable.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const Request = objects.Request;
const fatal = kernel_mod.fatal;

var kernel: Kernel = undefined;
var initialized = false;

/// The running actor, or null before isomc_init, outside actors, or on another OS thread: the
/// pthread layer (pthread.zig) asks before it intercepts a call.
pub fn currentActor() ?*Actor {
    if (!initialized or pthread_self() != main_thread) return null;
    return kernel.current;
}

comptime {
    // Unmodified pthread programs: main as an actor, pthread calls as transitions.
    _ = @import("pthread.zig");
}
/// Whether the running actor is the only one the program has made so far (main before its
/// first pthread_create): what it does then cannot race with, nor be reordered against, any
/// other actor's step, since every later actor's creation comes after it (tsan.zig).
pub fn alone() bool {
    std.debug.assert(initialized);
    return kernel.actors.items.len == 1;
}

/// The thread that called isomc_init (pthread_self: unlike a thread id, it stays the same in a
/// forked copy). Actors are contexts of this thread; no other thread may enter the runtime.
var main_thread: usize = 0;

/// Not the C function: programs get the runtime's own (pthread.zig), which names actors.
const pthread_self = @import("os_thread.zig").current;

/// Every entry point: the runtime is set up, and the caller is the thread that set it up. A
/// call from another OS thread (a pthread the program made) is a misuse named after the call.
pub fn enter(comptime what: []const u8) *Kernel {
    if (!initialized) fatal(2, "isomc_init must be called before any other isomc function", .{});
    if (pthread_self() != main_thread) kernel.foreignThread(what);
    return &kernel;
}

// ---- Lifecycle ---------------------------------------------------------------------------

fn envValue(name: [:0]const u8) ?[]const u8 {
    const v = std.c.getenv(name) orelse return null;
    return std.mem.sliceTo(v, 0);
}

fn parseSize(text: []const u8, what: []const u8) usize {
    return std.fmt.parseUnsigned(usize, text, 10) catch fatal(2, "{s}: '{f}' is not a size in bytes", .{ what, printable.fmt(text) });
}

pub export fn isomc_init(argc: ?*c_int, argv: ?[*]?[*:0]u8) void {
    if (initialized) {
        if (pthread_self() != main_thread) kernel.foreignThread("isomc_init");
        fatal(2, "isomc_init called twice", .{});
    }
    main_thread = pthread_self();
    var options = kernel_mod.Options{ .mode = .standalone };

    if (envValue(protocol.ENV_STACK_SIZE)) |v| options.stack_size = parseSize(v, protocol.ENV_STACK_SIZE);
    if (envValue(protocol.ENV_VERBOSE)) |v| options.verbose = !std.mem.eql(u8, v, "0");
    options.report_path = envValue(protocol.ENV_REPORT);
    if (envValue(protocol.ENV_REPLAY_CYCLES)) |v| {
        options.replay_cycles = std.fmt.parseUnsigned(u32, v, 10) catch
            fatal(2, "{s}: '{f}' is not a number of cycles (0, 1, 2...)", .{ protocol.ENV_REPLAY_CYCLES, printable.fmt(v) });
    }

    // Take the runtime's own options out of argv, as SimGrid does with --cfg.
    if (argc != null and argv != null) {
        const args = argv.?;
        const n: usize = @intCast(argc.?.*);
        var kept: usize = 0;
        for (0..n) |i| {
            const arg = std.mem.sliceTo(args[i].?, 0);
            if (i > 0 and std.mem.startsWith(u8, arg, "--isomc-")) {
                if (std.mem.eql(u8, arg, "--isomc-verbose")) {
                    options.verbose = true;
                } else if (std.mem.startsWith(u8, arg, "--isomc-stack-size=")) {
                    options.stack_size = parseSize(arg["--isomc-stack-size=".len..], "--isomc-stack-size");
                } else {
                    fatal(2, "unknown runtime option '{f}' (known: --isomc-verbose, --isomc-stack-size=BYTES)", .{printable.fmt(arg)});
                }
                continue;
            }
            args[kept] = args[i];
            kept += 1;
        }
        args[kept] = null;
        argc.?.* = @intCast(kept);
    }

    if (envValue(protocol.ENV_FD)) |v| {
        options.mode = .checker;
        options.fd = std.fmt.parseInt(std.posix.fd_t, v, 10) catch fatal(2, "{s}: '{s}' is not a file descriptor", .{ protocol.ENV_FD, v });
        options.verbose = false;
    } else if (envValue(protocol.ENV_REPLAY)) |path| {
        options.mode = .replay;
        options.trace_path = path;
        // A replay exists to be watched: log its steps unless told otherwise.
        if (envValue(protocol.ENV_VERBOSE) == null) options.verbose = true;
    }
    kernel.init(options);
    initialized = true;
    if (on_exit(onExit, null) != 0) fatal(3, "cannot register the runtime's exit handler", .{});
}

extern "c" fn on_exit(handler: *const fn (c_int, ?*anyopaque) callconv(.c) void, arg: ?*anyopaque) c_int;

fn onExit(status: c_int, _: ?*anyopaque) callconv(.c) void {
    kernel.atExit(status);
}

export fn isomc_actor_create(name: ?[*:0]const u8, code: ?kernel_mod.ActorCode, arg: ?*anyopaque) ?*Actor {
    const kk = enter("isomc_actor_create");
    const c = code orelse kk.violation(null, .misuse, "isomc_actor_create: the actor's code is NULL", .{});
    const actor_name = if (name) |n| std.mem.sliceTo(n, 0) else "actor";
    return kk.createActor(actor_name, c, arg);
}

pub export fn isomc_run() c_int {
    enter("isomc_run").run();
    return 0;
}

export fn isomc_self() ?*Actor {
    return enter("isomc_self").current;
}

export fn isomc_actor_name() [*:0]const u8 {
    return if (enter("isomc_actor_name").current) |a| a.name.ptr else "main";
}

/// The calling actor. A visible operation outside an actor (in main, before or after
/// isomc_run) has nobody to schedule: it is a misuse, named after the API function called.
pub fn actorFor(kk: *Kernel, comptime what: []const u8) *Actor {
    return kk.current orelse kk.violation(null, .misuse, what ++ " called outside an actor", .{});
}

// ---- Choices and properties --------------------------------------------------------------

export fn isomc_yield() void {
    const kk = enter("isomc_yield");
    _ = actorFor(kk, "isomc_yield");
    _ = kk.perform(.yield, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_random(min: c_int, max: c_int) c_int {
    const kk = enter("isomc_random");
    _ = actorFor(kk, "isomc_random");
    if (min > max) kk.violation(null, .misuse, "isomc_random({d}, {d}): min is greater than max", .{ min, max });
    if (@as(i64, max) - @as(i64, min) >= 1 << 31)
        kk.violation(null, .misuse, "isomc_random({d}, {d}): more than 2^31 values to explore", .{ min, max });
    return @intCast(kk.perform(.{ .random = .{ .min = min, .max = max } }, entry.callSite(@returnAddress(), @frameAddress())));
}

export fn isomc_assert_fail(expr: ?[*:0]const u8, msg: ?[*:0]const u8, file: ?[*:0]const u8, line: c_int) noreturn {
    const kk = enter("isomc_assert");
    const e: []const u8 = if (expr) |x| std.mem.sliceTo(x, 0) else "?";
    const f: []const u8 = if (file) |x| std.mem.sliceTo(x, 0) else "?";
    if (msg) |m| {
        kk.violation(null, .assertion, "{s} (isomc_assert_msg({s}) at {s}:{d})", .{ std.mem.sliceTo(m, 0), e, f, line });
    }
    kk.violation(null, .assertion, "isomc_assert({s}) failed at {s}:{d}", .{ e, f, line });
}

/// Longest proposition name: formulas and reports name them in full.
const max_prop_name = 128;

/// Whether `name` reads as one proposition in a formula (lib/ltl/parser.ts): a word of letters,
/// digits, `_` and `.` that starts with a letter or `_`, and neither an operator letter nor a
/// constant.
fn isPropositionName(name: []const u8) bool {
    if (name.len == 0 or name.len > max_prop_name) return false;
    if (!std.ascii.isAlphabetic(name[0]) and name[0] != '_') return false;
    for (name) |c| if (!std.ascii.isAlphanumeric(c) and c != '_' and c != '.') return false;
    const reserved = [_][]const u8{ "X", "F", "G", "U", "R", "V", "W", "true", "false" };
    for (reserved) |r| if (std.mem.eql(u8, name, r)) return false;
    return true;
}

/// Registration is a misuse after the first scheduling point: the checker reads the
/// propositions from the first state on, and a formula naming one must find it there.
export fn isomc_prop(name: ?[*:0]const u8, addr: ?*align(1) const c_int) void {
    const kk = enter("isomc_prop");
    const n = std.mem.sliceTo(name orelse kk.violation(null, .misuse, "isomc_prop: the name is NULL", .{}), 0);
    if (!isPropositionName(n))
        kk.violation(null, .misuse, "isomc_prop(\"{f}\"): not a proposition name (letters, digits, _ and ., starting with a letter or _, at most {d}; not X F G U R V W true false)", .{ printable.fmt(n[0..@min(n.len, max_prop_name)]), max_prop_name });
    // align(1): the C caller may pass any address, and the check must not be assumed away.
    const raw = @intFromPtr(addr orelse kk.violation(null, .misuse, "isomc_prop(\"{s}\"): the address is NULL", .{n}));
    if (!std.mem.isAligned(raw, @alignOf(c_int)))
        kk.violation(null, .misuse, "isomc_prop(\"{s}\"): the address 0x{x} is not aligned for an int", .{ n, raw });
    const a: *const c_int = @ptrFromInt(raw);
    if (kk.first_point)
        kk.violation(null, .misuse, "isomc_prop(\"{s}\") after the first scheduling point: register propositions before isomc_run (or in an actor created before it, before its first visible operation)", .{n});
    for (kk.props.items) |p| {
        if (std.mem.eql(u8, p.name, n)) kk.violation(null, .misuse, "isomc_prop(\"{s}\"): the name is registered twice", .{n});
    }
    const copy = kk.gpa.dupeZ(u8, n) catch kk.outOfMemory();
    kk.props.append(kk.gpa, .{ .name = copy, .addr = a }) catch kk.outOfMemory();
    if (kk.link) |*link| {
        link.send(protocol.encodeProp(link.out, .{ .kind = .proposition, .address = @intFromPtr(a), .name = copy }));
    }
}

/// Not a transition: the transition running passes a progress marker (SPIN's progress
/// labels), for the search of non-progress cycles (isomc check --non-progress).
export fn isomc_progress() void {
    enter("isomc_progress").progress();
}

// ---- Mailboxes ---------------------------------------------------------------------------

fn fnv1a(s: []const u8) u64 {
    var h: u64 = 0xcbf2_9ce4_8422_2325;
    for (s) |c| h = (h ^ c) *% 0x0000_0100_0000_01b3;
    return h;
}

/// The program's handle on a mailbox is its id (registry.zig says why).
export fn isomc_mailbox(name: ?[*:0]const u8) *objects.MailboxHandle {
    const kk = enter("isomc_mailbox");
    const n = std.mem.sliceTo(name orelse kk.violation(null, .misuse, "isomc_mailbox: the name is NULL", .{}), 0);
    // The id comes from the name, so it does not depend on which actor looked it up first.
    // Bit 52 marks the mailbox space; ids stay below 2^53 so JavaScript numbers hold them.
    const id = (fnv1a(n) & ((1 << 52) - 1)) | (1 << 52);
    switch (kk.mailboxes.lookup(id, n) catch kk.outOfMemory()) {
        .existing => {},
        .created => if (kk.link) |*link| {
            link.send(protocol.encodeObject(link.out, .{ .id = id, .kind = .mailbox, .name = kk.mailboxName(id) }));
        },
        .collision => |other| fatal(3, "mailbox names '{s}' and '{s}' collide; rename one", .{ n, other }),
    }
    return objects.mailboxHandle(id);
}

/// The id of a mailbox handle, checked: it must come from isomc_mailbox.
fn checkMailbox(kk: *Kernel, mb: ?*objects.MailboxHandle, what: []const u8) u64 {
    const h = mb orelse kk.violation(null, .misuse, "{s}: the mailbox is NULL", .{what});
    const id = objects.mailboxIdOf(h);
    if (kk.mailboxes.find(id) == null) kk.violation(null, .misuse, "{s}: 0x{x} is not a mailbox (isomc_mailbox returns them)", .{ what, id });
    return id;
}

export fn isomc_isend(mb: ?*objects.MailboxHandle, data: ?*const anyopaque, size: usize) *Request {
    return isend(enter("isomc_isend"), entry.callSite(@returnAddress(), @frameAddress()), mb, data, size);
}

/// `site` is the program's call: isomc_isend's own, or isomc_send's.
fn isend(kk: *Kernel, site: usize, mb: ?*objects.MailboxHandle, data: ?*const anyopaque, size: usize) *Request {
    const self = actorFor(kk, "isomc_isend");
    const m = checkMailbox(kk, mb, "isomc_isend");
    if (data == null and size > 0) kk.violation(null, .misuse, "isomc_isend: data is NULL but size is {d}", .{size});
    const r = kk.newRequest(self, .send, m, size);
    r.data = if (data) |d| @ptrCast(d) else "";
    r.size = size;
    _ = kk.perform(.{ .isend = r }, site);
    return r;
}

export fn isomc_irecv(mb: ?*objects.MailboxHandle, buf: ?*anyopaque, cap: usize) *Request {
    return irecv(enter("isomc_irecv"), entry.callSite(@returnAddress(), @frameAddress()), mb, buf, cap);
}

fn irecv(kk: *Kernel, site: usize, mb: ?*objects.MailboxHandle, buf: ?*anyopaque, cap: usize) *Request {
    const self = actorFor(kk, "isomc_irecv");
    const m = checkMailbox(kk, mb, "isomc_irecv");
    if (buf == null and cap > 0) kk.violation(null, .misuse, "isomc_irecv: buf is NULL but cap is {d}", .{cap});
    const r = kk.newRequest(self, .recv, m, 0);
    r.buf = if (buf) |b| @ptrCast(b) else null;
    r.cap = cap;
    _ = kk.perform(.{ .irecv = r }, site);
    return r;
}

/// Released handles are caught as long as their memory was not handed out again (the
/// runtime's heap reuses blocks), so this check is best effort, like free()'s.
fn checkRequest(kk: *Kernel, self: *const Actor, comm: ?*Request, what: []const u8) *Request {
    const r = comm orelse kk.violation(null, .misuse, "{s}: the communication is NULL", .{what});
    if (!r.isLive()) kk.violation(null, .misuse, "{s}: the communication was already completed and released", .{what});
    if (r.owner != self.id) kk.violation(null, .misuse, "{s}: the communication belongs to {s}", .{ what, kk.actorName(r.owner) });
    return r;
}

export fn isomc_wait(comm: ?*Request) usize {
    return wait(enter("isomc_wait"), entry.callSite(@returnAddress(), @frameAddress()), comm);
}

fn wait(kk: *Kernel, site: usize, comm: ?*Request) usize {
    const self = actorFor(kk, "isomc_wait");
    return @intCast(kk.perform(.{ .wait = checkRequest(kk, self, comm, "isomc_wait") }, site));
}

export fn isomc_test(comm: ?*Request) c_int {
    const kk = enter("isomc_test");
    const self = actorFor(kk, "isomc_test");
    return @intCast(kk.perform(.{ .@"test" = checkRequest(kk, self, comm, "isomc_test") }, entry.callSite(@returnAddress(), @frameAddress())));
}

/// A waitany's comms travel in one STATE record, whose extras count is 16 bits.
const max_waitany = std.math.maxInt(u16);

export fn isomc_waitany(comms: ?[*]?*Request, n: c_int) c_int {
    const kk = enter("isomc_waitany");
    const self = actorFor(kk, "isomc_waitany");
    if (n < 0) kk.violation(null, .misuse, "isomc_waitany: negative count {d}", .{n});
    if (n == 0) return -1;
    if (n > max_waitany) kk.violation(null, .misuse, "isomc_waitany: {d} communications, more than the {d} supported", .{ n, max_waitany });
    const array = comms orelse kk.violation(null, .misuse, "isomc_waitany: the array is NULL", .{});
    const list = array[0..@intCast(n)];
    var any = false;
    for (list, 0..) |c, i| {
        const r = c orelse continue;
        _ = checkRequest(kk, self, r, "isomc_waitany");
        // Completing one entry releases its handle; a second entry for it would dangle.
        for (list[0..i], 0..) |earlier, j| {
            if (earlier == r) kk.violation(null, .misuse, "isomc_waitany: entries {d} and {d} are the same communication", .{ j, i });
        }
        any = true;
    }
    if (!any) return -1;
    return @intCast(kk.perform(.{ .waitany = .{ .comms = array, .n = @intCast(n) } }, entry.callSite(@returnAddress(), @frameAddress())));
}

// Both halves of a blocking send or receive are at the program's one call.
export fn isomc_send(mb: ?*objects.MailboxHandle, data: ?*const anyopaque, size: usize) void {
    const kk = enter("isomc_send");
    const site = entry.callSite(@returnAddress(), @frameAddress());
    _ = wait(kk, site, isend(kk, site, mb, data, size));
}

export fn isomc_recv(mb: ?*objects.MailboxHandle, buf: ?*anyopaque, cap: usize) usize {
    const kk = enter("isomc_recv");
    const site = entry.callSite(@returnAddress(), @frameAddress());
    return wait(kk, site, irecv(kk, site, mb, buf, cap));
}

// ---- Synchronisation ---------------------------------------------------------------------

export fn isomc_mutex_create() *objects.Mutex {
    const kk = enter("isomc_mutex_create");
    const m = kk.objectAllocator().create(objects.Mutex) catch kk.outOfMemory();
    m.* = .{ .id = kk.newObjectId() };
    return m;
}

fn checkMutex(kk: *Kernel, m: ?*objects.Mutex, what: []const u8) *objects.Mutex {
    return m orelse kk.violation(null, .misuse, "{s}: the mutex is NULL", .{what});
}

export fn isomc_mutex_lock(m: ?*objects.Mutex) void {
    const kk = enter("isomc_mutex_lock");
    const self = actorFor(kk, "isomc_mutex_lock");
    const mutex = checkMutex(kk, m, "isomc_mutex_lock");
    // Ownership cannot change while the owner is parked, so checking at the call is exact.
    if (mutex.owner == self.id)
        kk.violation(null, .misuse, "isomc_mutex_lock: the actor already holds this mutex (it would wait for itself)", .{});
    _ = kk.perform(.{ .mutex_lock = mutex }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_mutex_trylock(m: ?*objects.Mutex) c_int {
    const kk = enter("isomc_mutex_trylock");
    _ = actorFor(kk, "isomc_mutex_trylock");
    return @intCast(kk.perform(.{ .mutex_trylock = checkMutex(kk, m, "isomc_mutex_trylock") }, entry.callSite(@returnAddress(), @frameAddress())));
}

export fn isomc_mutex_unlock(m: ?*objects.Mutex) void {
    const kk = enter("isomc_mutex_unlock");
    const self = actorFor(kk, "isomc_mutex_unlock");
    const mutex = checkMutex(kk, m, "isomc_mutex_unlock");
    if (mutex.owner != self.id) {
        if (mutex.owner == 0) kk.violation(null, .misuse, "isomc_mutex_unlock: the mutex is not locked", .{});
        kk.violation(null, .misuse, "isomc_mutex_unlock: the mutex is held by {s}, not by this actor", .{kk.actorName(mutex.owner)});
    }
    _ = kk.perform(.{ .mutex_unlock = mutex }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_sem_create(initial: c_int) *objects.Semaphore {
    const kk = enter("isomc_sem_create");
    if (initial < 0) kk.violation(null, .misuse, "isomc_sem_create({d}): negative initial value", .{initial});
    const s = kk.objectAllocator().create(objects.Semaphore) catch kk.outOfMemory();
    s.* = .{ .id = kk.newObjectId(), .value = initial };
    return s;
}

fn checkSem(kk: *Kernel, s: ?*objects.Semaphore, what: []const u8) *objects.Semaphore {
    return s orelse kk.violation(null, .misuse, "{s}: the semaphore is NULL", .{what});
}

export fn isomc_sem_acquire(s: ?*objects.Semaphore) void {
    const kk = enter("isomc_sem_acquire");
    _ = actorFor(kk, "isomc_sem_acquire");
    _ = kk.perform(.{ .sem_acquire = checkSem(kk, s, "isomc_sem_acquire") }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_sem_release(s: ?*objects.Semaphore) void {
    const kk = enter("isomc_sem_release");
    _ = actorFor(kk, "isomc_sem_release");
    _ = kk.perform(.{ .sem_release = checkSem(kk, s, "isomc_sem_release") }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_cond_create() *objects.Condition {
    const kk = enter("isomc_cond_create");
    const c = kk.objectAllocator().create(objects.Condition) catch kk.outOfMemory();
    c.* = .{ .id = kk.newObjectId() };
    return c;
}

fn checkCond(kk: *Kernel, c: ?*objects.Condition, what: []const u8) *objects.Condition {
    return c orelse kk.violation(null, .misuse, "{s}: the condition variable is NULL", .{what});
}

export fn isomc_cond_wait(c: ?*objects.Condition, m: ?*objects.Mutex) void {
    const kk = enter("isomc_cond_wait");
    const self = actorFor(kk, "isomc_cond_wait");
    const cond = checkCond(kk, c, "isomc_cond_wait");
    const mutex = checkMutex(kk, m, "isomc_cond_wait");
    if (mutex.owner != self.id)
        kk.violation(null, .misuse, "isomc_cond_wait: the actor does not hold the mutex", .{});
    _ = kk.perform(.{ .cond_wait = .{ .cond = cond, .mutex = mutex } }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_cond_signal(c: ?*objects.Condition) void {
    const kk = enter("isomc_cond_signal");
    _ = actorFor(kk, "isomc_cond_signal");
    _ = kk.perform(.{ .cond_signal = checkCond(kk, c, "isomc_cond_signal") }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_cond_broadcast(c: ?*objects.Condition) void {
    const kk = enter("isomc_cond_broadcast");
    _ = actorFor(kk, "isomc_cond_broadcast");
    _ = kk.perform(.{ .cond_broadcast = checkCond(kk, c, "isomc_cond_broadcast") }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_barrier_create(count: c_uint) *objects.Barrier {
    const kk = enter("isomc_barrier_create");
    if (count == 0) kk.violation(null, .misuse, "isomc_barrier_create(0): a barrier needs at least one actor", .{});
    const b = kk.objectAllocator().create(objects.Barrier) catch kk.outOfMemory();
    b.* = .{ .id = kk.newObjectId(), .count = count };
    return b;
}

export fn isomc_barrier_wait(b: ?*objects.Barrier) c_int {
    const kk = enter("isomc_barrier_wait");
    _ = actorFor(kk, "isomc_barrier_wait");
    const barrier = b orelse kk.violation(null, .misuse, "isomc_barrier_wait: the barrier is NULL", .{});
    return @intCast(kk.perform(.{ .barrier_arrive = barrier }, entry.callSite(@returnAddress(), @frameAddress())));
}

// ---- Shared variables --------------------------------------------------------------------

// The C caller may pass any address: the parameters are align(1) so that the alignment check
// is a real test and not something the compiler may assume away from the pointer type.
fn checkAddress(kk: *Kernel, p: ?*align(1) const i64, comptime what: []const u8) *i64 {
    _ = actorFor(kk, what);
    const addr = @intFromPtr(p orelse kk.violation(null, .misuse, what ++ ": the address is NULL", .{}));
    if (!std.mem.isAligned(addr, @alignOf(i64)))
        kk.violation(null, .misuse, what ++ ": the address 0x{x} is not 8-byte aligned", .{addr});
    return @ptrFromInt(addr);
}

export fn isomc_load(p: ?*align(1) const i64) i64 {
    const kk = enter("isomc_load");
    return kk.perform(.{ .load = checkAddress(kk, p, "isomc_load") }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_store(p: ?*align(1) i64, v: i64) void {
    const kk = enter("isomc_store");
    _ = kk.perform(.{ .store = .{ .ptr = checkAddress(kk, p, "isomc_store"), .value = v } }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_fetch_add(p: ?*align(1) i64, d: i64) i64 {
    const kk = enter("isomc_fetch_add");
    return kk.perform(.{ .fetch_add = .{ .ptr = checkAddress(kk, p, "isomc_fetch_add"), .delta = d } }, entry.callSite(@returnAddress(), @frameAddress()));
}

export fn isomc_cas(p: ?*align(1) i64, expected: i64, desired: i64) c_int {
    const kk = enter("isomc_cas");
    return @intCast(kk.perform(.{ .cas = .{ .ptr = checkAddress(kk, p, "isomc_cas"), .expected = expected, .desired = desired } }, entry.callSite(@returnAddress(), @frameAddress())));
}

test {
    _ = @import("tls.zig");
    _ = @import("heap.zig");
    _ = @import("arena.zig");
    _ = @import("slots.zig");
    _ = @import("reservation.zig");
    _ = @import("registry.zig");
    _ = @import("entry.zig");
    _ = @import("context.zig");
    _ = @import("objects.zig");
    _ = @import("schedule.zig");
    _ = @import("trace.zig");
    _ = @import("printable.zig");
    _ = @import("symbols.zig");
    _ = @import("describe.zig");
    _ = @import("link.zig");
    _ = @import("transitions.zig");
    _ = @import("os_thread.zig");
    _ = @import("pthread.zig");
}

test "proposition names are those a formula reads as one" {
    for ([_][]const u8{ "p", "in_cs", "_x", "a.b", "Fx", "GF", "request_1", "TRUE" }) |n| try std.testing.expect(isPropositionName(n));
    for ([_][]const u8{ "", "1p", "in cs", "a-b", "F", "V", "true", "false", "x" ** 129 }) |n| try std.testing.expect(!isPropositionName(n));
}
