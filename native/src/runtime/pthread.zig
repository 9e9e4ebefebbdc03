//! Unmodified pthread programs (docs/pthreads.md): a program built by `isomc cc` that includes
//! <pthread.h> and not isomc.h gets the runtime before main (a constructor), main runs as an
//! actor, each pthread_create makes an actor, and the synchronisation calls are the kernel's
//! visible transitions (mutexes, condition variables, semaphores, barriers, yields).
//!
//! How the calls are intercepted: the runtime library defines pthread_create, pthread_mutex_lock,
//! sem_wait... itself. It is a static archive linked into the program, so the program's calls
//! bind to these definitions, not to the C library's (`zig cc` has no `-Wl,--wrap`), while
//! the C library's own internal calls keep its own. In a program of the isomc API (isomc.h) or
//! one that never included <pthread.h>, every function here forwards to the C library's (found
//! with dlsym(RTLD_NEXT)), so those programs behave as before. The runtime itself never calls
//! any of them (os_thread.zig stands for pthread_self).
//!
//! Preloaded into a binary built elsewhere (`isomc check --preload`), the same code is a shared
//! library, libisomc_preload.so: it then starts from __libc_start_main rather than from the
//! constructor (preload.zig), and the program's calls bind to it by the dynamic linker's order.
//!
//! This file owns the start-up, the threads and the mode; pthread_sync.zig the synchronisation
//! objects and the yields. The objects live in the program's own pthread_mutex_t, pthread_cond_t, sem_t and
//! pthread_barrier_t: the kernel's records (objects.zig) are smaller than glibc's types, and
//! the zero bytes of PTHREAD_MUTEX_INITIALIZER / PTHREAD_COND_INITIALIZER read as a free mutex
//! and an empty condition. An object's id is its address (with bit 51 set, above every id of
//! objects.objectId): the same in every interleaving, whoever uses it first.

const std = @import("std");
const builtin = @import("builtin");
const api = @import("api.zig");
const kernel_mod = @import("kernel.zig");
const objects = @import("objects.zig");
const transitions = @import("transitions.zig");
const more = @import("pthread_more.zig");
const tsan = @import("tsan.zig");
const build_options = @import("build_options");
const protocol = @import("protocol");
const svcomp = @import("svcomp.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const fatal = kernel_mod.fatal;

pub const EBUSY = 16;
pub const EINVAL = 22;
pub const EDEADLK = 35;
pub const EPERM = 1;
pub const ESRCH = 3;
const ETIMEDOUT = 110;
pub const PTHREAD_BARRIER_SERIAL_THREAD: c_int = -1;
const PTHREAD_CREATE_DETACHED: c_int = 1;

const StartFn = *const fn (?*anyopaque) callconv(.c) ?*anyopaque;

/// What the runtime keeps of a thread, in the object arena (program state, no padding); the
/// thread's actor has it as its `arg`. The thread's end is its last transition, a release of
/// `done`, and a join acquires it: a semaphore, not a mutex the thread would hold from its
/// creation, because the reductions' models of the objects (lib/explore/dpor/shadow.ts) see
/// only transitions, and a mutex taken without one would look free to them.
const Thread = extern struct {
    magic: u32 = thread_magic,
    detached: u32 = 0,
    /// The actor whose join (or successful try) took `done`, 0 before: the thread has ended.
    joined_by: u32 = 0,
    reserved: u32 = 0,
    start: ?StartFn,
    arg: ?*anyopaque,
    result: ?*anyopaque = null,
    done: objects.Semaphore,
    /// Its thread-specific values, by key (pthread_more.zig), once it set one.
    specific: ?*Specific = null,
};
const Specific = [more.max_keys]?*anyopaque;
const thread_magic: u32 = 0x7468_7264;

/// Set by the constructor: the program is a pthread program and the runtime runs it.
var pthread_mode = false;
var main_argc: c_int = 0;
var main_argv: ?[*]?[*:0]u8 = null;
var main_envp: ?[*]?[*:0]u8 = null;
/// main's return value: the process's exit status once every thread has ended.
var main_status: c_int = 0;
/// pthread_once runs its routine holding this (one mutex for every once control: a
/// pthread_once_t has no room for one).
var once_lock: objects.Mutex = .{ .id = 0 };

pub const MainFn = *const fn (c_int, ?[*]?[*:0]u8, ?[*]?[*:0]u8) callconv(.c) c_int;

/// The address of a weak symbol, 0 when the link left it undefined, read from the GOT at run
/// time: Zig folds a null check of a weak `@extern` to "not null".
fn weakAddress(comptime name: []const u8) usize {
    return asm ("movq " ++ name ++ "@GOTPCREL(%%rip), %[addr]"
        : [addr] "=r" (-> usize),
    );
}

comptime {
    // Weak references for weakAddress (the asm names the symbols; these make them weak). Not
    // in the runtime's unit tests, whose main is the test runner's.
    if (!builtin.is_test) asm (
        \\.weak main
        \\.weak isomc_pthread_program
        \\.weak isomc_api_program
        \\.weak isomc_svcomp_program
    );
}

// isomc_pthread_program is defined by include/pthread.h in every file that includes
// <pthread.h> (isomc cc puts the include directory first), isomc_api_program by isomc.h in
// programs of the API, which win. isomc_svcomp_program is defined by `isomc cc` when it links
// an SV-COMP task (a `.i` file, or an input naming __VERIFIER_ or reach_error: lib/build/
// cc.ts): preprocessed elsewhere, such a task never included isomc's <pthread.h>, and even a
// sequential one needs main as an actor for its nondet choices.
fn isPthreadProgram() bool {
    const marked = weakAddress("isomc_pthread_program") != 0 or weakAddress("isomc_svcomp_program") != 0;
    return weakAddress("isomc_api_program") == 0 and marked and weakAddress("main") != 0;
}

/// The program's main: the executable's `main` (linked with the runtime), or the one
/// __libc_start_main was given (preloaded: preload.zig).
var program_main: ?MainFn = null;

pub fn idOf(p: *const anyopaque) u64 {
    const addr: u64 = @intFromPtr(p);
    std.debug.assert(addr < 1 << 51);
    return (1 << 51) | addr;
}

extern "c" fn __errno_location() *c_int;
extern "c" fn dlsym(handle: ?*anyopaque, name: [*:0]const u8) ?*anyopaque;
extern "c" fn pthread_attr_getdetachstate(attr: *const anyopaque, state: *c_int) c_int;

/// The C library's definition of `name`, for programs the runtime does not run as pthreads.
pub fn real(comptime name: [:0]const u8, comptime F: type) *const F {
    const S = struct {
        var f: ?*const F = null;
    };
    if (S.f) |f| return f;
    const rtld_next: ?*anyopaque = @ptrFromInt(std.math.maxInt(usize));
    const p = dlsym(rtld_next, name) orelse fatal(3, "{s}: not found in the C library", .{name});
    S.f = @ptrCast(@alignCast(p));
    return S.f.?;
}

/// A call on a synchronisation object outside any thread: the C library's in a program the
/// runtime does not run as pthreads; in one it does, nothing (0): only an exit handler or a
/// destructor runs then, with no thread left to synchronise with, and the C library's own
/// functions would misread the kernel's records in the object (a lock would wait forever).
pub fn outside(comptime name: [:0]const u8, comptime F: type, args: std.meta.ArgsTuple(F)) c_int {
    if (pthread_mode) return 0;
    return @call(.auto, real(name, F), args);
}

/// The calling actor when the runtime runs this program as pthreads, else null: the call is
/// the C library's (a program of the API), or there is no thread left to synchronise with
/// (an exit handler after main's end).
pub fn actor() ?*Actor {
    if (!pthread_mode) return null;
    return api.currentActor();
}

/// A visible transition; errno is the thread's own across it (actors share one OS thread, and
/// the others run while this one is parked).
pub fn step(kk: *Kernel, op: transitions.Op, site: usize) i64 {
    const e = __errno_location();
    const saved = e.*;
    if (op != .access) tsan.forget(kk.current.?);
    const result = kk.perform(op, site);
    e.* = saved;
    return result;
}

/// The thread's values of the keys, null until it sets one.
pub fn specificOf(a: *const Actor) ?*Specific {
    return threadOf(a).specific;
}

pub fn newSpecific(kk: *Kernel, a: *const Actor) *Specific {
    const values = kk.objectAllocator().create(Specific) catch kk.outOfMemory();
    values.* = @splat(null);
    threadOf(a).specific = values;
    return values;
}

fn threadOf(a: *const Actor) *Thread {
    const t: *Thread = @ptrCast(@alignCast(a.arg.?));
    std.debug.assert(t.magic == thread_magic);
    return t;
}

fn newThread(kk: *Kernel, start: ?StartFn, arg: ?*anyopaque, name: []const u8, code: kernel_mod.ActorCode) *Actor {
    const t = kk.objectAllocator().create(Thread) catch kk.outOfMemory();
    t.* = .{ .start = start, .arg = arg, .done = .{ .id = 0, .value = 0 } };
    t.done.id = idOf(&t.done);
    return kk.createActor(name, code, t);
}

// ---- Start-up: main as an actor ------------------------------------------------------------

fn constructor(argc: c_int, argv: ?[*]?[*:0]u8, envp: ?[*]?[*:0]u8) callconv(.c) void {
    if (!isPthreadProgram()) return;
    startProgram(@ptrFromInt(weakAddress("main")), argc, argv, envp);
}

/// Runs the program as pthreads: main as the actor `main`, then every actor, then exits with
/// main's status. From the constructor (linked by `isomc cc`), or from the main the preloaded
/// runtime gives __libc_start_main (preload.zig), after the program's constructors.
pub fn startProgram(main: MainFn, argc: c_int, argv: ?[*]?[*:0]u8, envp: ?[*]?[*:0]u8) noreturn {
    std.debug.assert(!pthread_mode);
    program_main = main;
    pthread_mode = true;
    var n = argc;
    api.isomc_init(&n, argv);
    main_argc = n;
    main_argv = argv;
    main_envp = envp;
    const kk = api.enter("main");
    kk.enableTls();
    _ = newThread(kk, null, null, "main", mainCode);
    _ = api.isomc_run();
    real("exit", @TypeOf(exitCall))(main_status);
}

const init_entry: *const fn (c_int, ?[*]?[*:0]u8, ?[*]?[*:0]u8) callconv(.c) void = &constructor;

fn mainCode(_: ?*anyopaque) callconv(.c) void {
    const status = program_main.?(main_argc, main_argv, main_envp);
    mainReturned(status);
}

/// --join-on-exit (ISOMC_JOIN_ON_EXIT=1): main's return waits for the threads still running.
fn joinOnExit() bool {
    const v = std.c.getenv(protocol.ENV_JOIN_ON_EXIT) orelse return false;
    return std.mem.eql(u8, std.mem.sliceTo(v, 0), "1");
}

/// main returned: as POSIX says, that is exit(status), which cuts the threads still running
/// (exitProbing says how). With --join-on-exit the threads run to their end, and the process
/// exits with main's status once the last has (GenMC's convention); so does --svcomp.
fn mainReturned(status: c_int) void {
    main_status = status;
    const kk = api.enter("main");
    // Main reads nothing more: its log must not tell apart two equal final states.
    tsan.forget(kk.current.?);
    // --svcomp: a task's errors are reached as well with the threads run to their end (what
    // a thread does after main's return it can do before it), and a quiet cut there would be
    // an execution whose pending steps no reduction ever races with.
    if (joinOnExit() or svcomp.svcompAbort(kk)) return;
    exitProbing(kk, status);
}

/// exit(status) by the running actor, from main's return or an exit() call: it ends the
/// process, cutting the threads still running (the C library's exit, which the checker reports
/// as an `exit` violation naming them); returns when every other thread has ended, the
/// program's normal end. Whether a thread has ended is a step of its own, a sem_getvalue of its
/// "done" semaphore, dependent with the thread's end (the release of it), so that every
/// reduction explores both orders; without it, which threads were still running would be a
/// read of the kernel that no reduction sees. One probe per thread in creation order (a
/// thread's creator comes before it: if the creator has ended, the thread exists), except
/// those the caller joined itself (ended, by program order). main is no such thread: its end is
/// no transition (a pthread_exit), so a thread's exit() cuts it unless it has ended already.
fn exitProbing(kk: *Kernel, status: c_int) void {
    const self = kk.current.?;
    var i: usize = 0;
    // Threads may be created while the caller waits at a probe: the list is read again each time.
    while (i < kk.actors.items.len) : (i += 1) {
        const a = kk.actors.items[i];
        if (a == self) continue;
        const t = threadOf(a);
        if (t.joined_by == self.id) continue;
        if (t.start != null) _ = step(kk, .{ .sem_getvalue = &t.done }, 0);
        if (a.status != .finished) real("exit", @TypeOf(exitCall))(status);
    }
}

fn threadCode(arg: ?*anyopaque) callconv(.c) void {
    const t: *Thread = @ptrCast(@alignCast(arg.?));
    __errno_location().* = 0;
    t.result = t.start.?(t.arg);
    more.runDestructors(api.currentActor().?);
    threadEnd(api.enter("pthread_exit"), t, 0);
}

/// The thread's last transition: it releases `done` (a join waits for it).
fn threadEnd(kk: *Kernel, t: *Thread, site: usize) void {
    _ = step(kk, .{ .sem_release = &t.done }, site);
}

// ---- Threads -------------------------------------------------------------------------------

fn pthreadCreate(thread: ?*usize, attr: ?*const anyopaque, start: ?StartFn, arg: ?*anyopaque) callconv(.c) c_int {
    if (!pthread_mode) return real("pthread_create", @TypeOf(pthreadCreate))(thread, attr, start, arg);
    _ = actor() orelse fatal(2, "pthread_create called outside a thread (before or after main)", .{});
    const kk = api.enter("pthread_create");
    const out = thread orelse kk.violation(null, .misuse, "pthread_create: the pthread_t pointer is NULL", .{});
    const code = start orelse kk.violation(null, .misuse, "pthread_create: the start routine is NULL", .{});
    tsan.beforeCreate(kk, @returnAddress());
    var name_buf: [32]u8 = undefined;
    const name = std.fmt.bufPrint(&name_buf, "thread-{d}", .{kk.actors.items.len}) catch unreachable;
    const a = newThread(kk, code, arg, name, threadCode);
    tsan.created(kk, a);
    if (attr) |at| {
        var state: c_int = 0;
        if (pthread_attr_getdetachstate(at, &state) == 0 and state == PTHREAD_CREATE_DETACHED) threadOf(a).detached = 1;
    }
    out.* = a.id;
    return 0;
}

fn threadById(kk: *Kernel, id: usize) ?*Thread {
    if (id == 0 or id > kk.actors.items.len) return null;
    return threadOf(kk.actors.items[id - 1]);
}

fn pthreadJoin(thread: usize, result: ?*?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return real("pthread_join", @TypeOf(pthreadJoin))(thread, result);
    const kk = api.enter("pthread_join");
    const t = switch (joinable(kk, self, thread)) {
        .thread => |t| t,
        .err => |e| return e,
    };
    _ = step(kk, .{ .sem_acquire = &t.done }, @returnAddress());
    return joined(self, t, result);
}

fn joined(self: *const Actor, t: *Thread, result: ?*?*anyopaque) c_int {
    t.joined_by = self.id;
    if (result) |r| r.* = t.result;
    return 0;
}

/// The thread to join, or the error a join of it fails with.
fn joinable(kk: *Kernel, self: *Actor, thread: usize) union(enum) { thread: *Thread, err: c_int } {
    const t = threadById(kk, thread) orelse return .{ .err = ESRCH };
    if (thread == self.id) return .{ .err = EDEADLK };
    if (t.detached != 0) return .{ .err = EINVAL };
    return .{ .thread = t };
}

/// A probe of the thread's end: one always-enabled try of its "done" semaphore, dependent with
/// the thread's end (its release) and with the other joins.
fn pthreadTryjoin(thread: usize, result: ?*?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return real("pthread_tryjoin_np", @TypeOf(pthreadTryjoin))(thread, result);
    const kk = api.enter("pthread_tryjoin_np");
    const t = switch (joinable(kk, self, thread)) {
        .thread => |t| t,
        .err => |e| return e,
    };
    if (step(kk, .{ .sem_trywait = &t.done }, @returnAddress()) == 0) return EBUSY;
    return joined(self, t, result);
}

/// A try first; if the thread is still running, a choice as pthread_mutex_timedlock's: 0 the
/// time runs out (ETIMEDOUT), 1 it is joined once it ends.
fn pthreadTimedjoin(thread: usize, result: ?*?*anyopaque, abstime: ?*const anyopaque) callconv(.c) c_int {
    const self = actor() orelse return real("pthread_timedjoin_np", @TypeOf(pthreadTimedjoin))(thread, result, abstime);
    const kk = api.enter("pthread_timedjoin_np");
    const t = switch (joinable(kk, self, thread)) {
        .thread => |t| t,
        .err => |e| return e,
    };
    const site = @returnAddress();
    if (step(kk, .{ .sem_trywait = &t.done }, site) == 0) {
        if (step(kk, .{ .random = .{ .min = 0, .max = 1 } }, site) == 0) return ETIMEDOUT;
        _ = step(kk, .{ .sem_acquire = &t.done }, site);
    }
    return joined(self, t, result);
}

fn pthreadExit(value: ?*anyopaque) callconv(.c) noreturn {
    const self = actor() orelse real("pthread_exit", @TypeOf(pthreadExit))(value);
    const kk = api.enter("pthread_exit");
    const t = threadOf(self);
    if (t.start == null) {
        // main's pthread_exit: the other threads go on; the process ends with the last, status 0.
        main_status = 0;
    } else {
        t.result = value;
        more.runDestructors(self);
        threadEnd(kk, t, @returnAddress());
    }
    kk.finishCurrent();
}

/// exit() from a thread ends the process there, as in POSIX, probing the threads as main's
/// return does (exitProbing). When every other thread has ended (main calling exit after
/// joining them all), that is the program's normal end: the actor ends, and the process exits
/// with that status once the runtime has reported the end. Else the threads still running are
/// cut (docs/pthreads.md, "exit() from any thread").
fn exitCall(status: c_int) callconv(.c) noreturn {
    _ = actor() orelse real("exit", @TypeOf(exitCall))(status);
    const kk = api.enter("exit");
    exitProbing(kk, status);
    main_status = status;
    kk.finishCurrent();
}

fn pthreadDetach(thread: usize) callconv(.c) c_int {
    _ = actor() orelse return real("pthread_detach", @TypeOf(pthreadDetach))(thread);
    const t = threadById(api.enter("pthread_detach"), thread) orelse return ESRCH;
    t.detached = 1;
    return 0;
}

fn pthreadSelf() callconv(.c) usize {
    const self = actor() orelse return real("pthread_self", @TypeOf(pthreadSelf))();
    return self.id;
}

fn pthreadEqual(a: usize, b: usize) callconv(.c) c_int {
    return @intFromBool(a == b);
}

fn pthreadOnce(control: ?*c_int, routine: ?*const fn () callconv(.c) void) callconv(.c) c_int {
    const self = actor() orelse return real("pthread_once", @TypeOf(pthreadOnce))(control, routine);
    const kk = api.enter("pthread_once");
    const c = control orelse kk.violation(null, .misuse, "pthread_once: the once control is NULL", .{});
    const f = routine orelse kk.violation(null, .misuse, "pthread_once: the routine is NULL", .{});
    if (once_lock.id == 0) once_lock.id = idOf(&once_lock);
    // A routine that calls pthread_once itself already holds the lock.
    const nested = once_lock.owner == self.id;
    if (!nested) _ = step(kk, .{ .mutex_lock = &once_lock }, @returnAddress());
    if (c.* == 0) {
        c.* = 1;
        f();
        c.* = 2;
    }
    if (!nested) _ = step(kk, .{ .mutex_unlock = &once_lock }, @returnAddress());
    return 0;
}

comptime {
    // Not in the runtime's own unit tests: the test runner is no checked program.
    if (!builtin.is_test) {
        // Preloaded, the runtime is no part of the executable's link: it starts from
        // __libc_start_main (preload.zig), and must not take a program of another runtime.
        if (!build_options.preload)
            @export(&init_entry, .{ .name = "isomc_pthread_constructor", .section = ".init_array" });
        @export(&pthreadCreate, .{ .name = "pthread_create" });
        @export(&pthreadJoin, .{ .name = "pthread_join" });
        @export(&pthreadTryjoin, .{ .name = "pthread_tryjoin_np" });
        @export(&pthreadTimedjoin, .{ .name = "pthread_timedjoin_np" });
        @export(&pthreadExit, .{ .name = "pthread_exit" });
        @export(&pthreadDetach, .{ .name = "pthread_detach" });
        @export(&exitCall, .{ .name = "exit" });
        @export(&pthreadSelf, .{ .name = "pthread_self" });
        @export(&pthreadEqual, .{ .name = "pthread_equal" });
        @export(&pthreadOnce, .{ .name = "pthread_once" });
    }
}

comptime {
    _ = @import("pthread_sync.zig");
    _ = @import("svcomp.zig");
    _ = @import("pthread_more.zig");
    _ = tsan;
    // The preloaded runtime's start-up (its unit tests run in every build).
    if (build_options.preload or builtin.is_test) _ = @import("preload.zig");
}

test "ids of pthread objects are their addresses, apart from objects.objectId's" {
    var m: objects.Mutex = undefined;
    const id = idOf(&m);
    try std.testing.expect(id >= 1 << 51);
    try std.testing.expect(id > objects.objectId(objects.max_actors / 2 - 1, std.math.maxInt(u32)));
    try std.testing.expectEqual(@as(u64, @intFromPtr(&m)), id & ((1 << 51) - 1));
}
