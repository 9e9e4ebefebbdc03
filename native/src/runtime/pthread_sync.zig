//! The synchronisation calls of pthread programs (docs/pthreads.md) as the kernel's visible
//! transitions: mutexes (normal, recursive, errorcheck), condition variables, unnamed
//! semaphores (wait, post, trywait, timedwait as a choice, getvalue), barriers, and sched_yield/usleep/sleep/nanosleep as yields. Each object's
//! kernel record lives in the program's own pthread_mutex_t, pthread_cond_t, sem_t or
//! pthread_barrier_t (pthread.zig says why, and owns the mode, the threads and the helpers).

const std = @import("std");
const builtin = @import("builtin");
const api = @import("api.zig");
const kernel_mod = @import("kernel.zig");
const objects = @import("objects.zig");
const core = @import("pthread.zig");
const svcomp = @import("svcomp.zig");

const Kernel = kernel_mod.Kernel;
const real = core.real;
const outside = core.outside;
const actor = core.actor;
const step = core.step;
const idOf = core.idOf;
const EBUSY = core.EBUSY;
const EINVAL = core.EINVAL;
const EDEADLK = core.EDEADLK;
const EPERM = core.EPERM;
const PTHREAD_BARRIER_SERIAL_THREAD = core.PTHREAD_BARRIER_SERIAL_THREAD;

// glibc's x86_64 sizes of the types whose storage the kernel's records take.
const mutex_size = 40;
const cond_size = 48;
const sem_size = 32;
const barrier_size = 32;

/// A pthread mutex: the kernel's mutex, then glibc's `__kind` at the same offset (16), so that
/// PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP and PTHREAD_ERRORCHECK_MUTEX_INITIALIZER_NP work too.
const Mutex = extern struct {
    m: objects.Mutex,
    kind: i32,
    /// Holds of a recursive mutex beyond the first: not transitions, nobody else can see them.
    count: u32,
};
const kind_recursive = 1;
const kind_errorcheck = 2;

comptime {
    std.debug.assert(@offsetOf(Mutex, "kind") == 16);
    std.debug.assert(@sizeOf(Mutex) <= mutex_size);
    std.debug.assert(@sizeOf(objects.Condition) <= cond_size);
    std.debug.assert(@sizeOf(objects.Semaphore) <= sem_size);
    std.debug.assert(@sizeOf(objects.Barrier) <= barrier_size);
}

extern "c" fn pthread_mutexattr_gettype(attr: *const anyopaque, kind: *c_int) c_int;

// ---- Mutexes -------------------------------------------------------------------------------

fn mutexOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *Mutex {
    const m: *Mutex = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the mutex is NULL", .{})));
    if (m.m.id == 0) m.m.id = idOf(m);
    return m;
}

fn mutexInit(p: ?*anyopaque, attr: ?*const anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_mutex_init", @TypeOf(mutexInit), .{ p, attr });
    const kk = api.enter("pthread_mutex_init");
    const m: *Mutex = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, "pthread_mutex_init: the mutex is NULL", .{})));
    var kind: c_int = 0;
    if (attr) |a| {
        if (pthread_mutexattr_gettype(a, &kind) != 0) kind = 0;
    }
    m.* = .{ .m = .{ .id = idOf(m) }, .kind = kind, .count = 0 };
    return 0;
}

fn mutexDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_mutex_destroy", @TypeOf(mutexDestroy), .{p});
    const m = mutexOf(api.enter("pthread_mutex_destroy"), p, "pthread_mutex_destroy");
    if (m.m.owner != 0) return EBUSY;
    m.* = .{ .m = .{ .id = 0 }, .kind = 0, .count = 0 };
    return 0;
}

fn mutexLock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_mutex_lock", @TypeOf(mutexLock), .{p});
    const kk = api.enter("pthread_mutex_lock");
    const m = mutexOf(kk, p, "pthread_mutex_lock");
    // Ownership cannot change while the owner is parked, so checking at the call is exact.
    if (m.m.owner == self.id) switch (m.kind) {
        kind_recursive => {
            m.count += 1;
            return 0;
        },
        kind_errorcheck => return EDEADLK,
        else => kk.violation(null, .misuse, "pthread_mutex_lock: {s} already holds this mutex (a normal mutex: it would wait for itself forever)", .{self.name}),
    };
    _ = step(kk, .{ .mutex_lock = &m.m }, @returnAddress());
    return 0;
}

fn mutexTrylock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_mutex_trylock", @TypeOf(mutexTrylock), .{p});
    const kk = api.enter("pthread_mutex_trylock");
    const m = mutexOf(kk, p, "pthread_mutex_trylock");
    if (m.m.owner == self.id) {
        if (m.kind != kind_recursive) return EBUSY;
        m.count += 1;
        return 0;
    }
    return if (step(kk, .{ .mutex_trylock = &m.m }, @returnAddress()) == 1) 0 else EBUSY;
}

fn mutexUnlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_mutex_unlock", @TypeOf(mutexUnlock), .{p});
    const kk = api.enter("pthread_mutex_unlock");
    const m = mutexOf(kk, p, "pthread_mutex_unlock");
    if (m.m.owner != self.id) {
        if (m.kind == kind_recursive or m.kind == kind_errorcheck) return EPERM;
        if (m.m.owner == 0) kk.violation(null, .misuse, "pthread_mutex_unlock: the mutex is not locked", .{});
        kk.violation(null, .misuse, "pthread_mutex_unlock: the mutex is held by {s}, not by {s}", .{ kk.actorName(m.m.owner), self.name });
    }
    if (m.count > 0) {
        m.count -= 1;
        return 0;
    }
    _ = step(kk, .{ .mutex_unlock = &m.m }, @returnAddress());
    return 0;
}

// ---- Condition variables -------------------------------------------------------------------

fn condOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *objects.Condition {
    const c: *objects.Condition = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the condition variable is NULL", .{})));
    if (c.id == 0) c.id = idOf(c);
    return c;
}

fn condInit(p: ?*anyopaque, attr: ?*const anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_cond_init", @TypeOf(condInit), .{ p, attr });
    const c = condOf(api.enter("pthread_cond_init"), p, "pthread_cond_init");
    c.* = .{ .id = idOf(c) };
    return 0;
}

fn condDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_cond_destroy", @TypeOf(condDestroy), .{p});
    const c = condOf(api.enter("pthread_cond_destroy"), p, "pthread_cond_destroy");
    if (c.waiting != 0) return EBUSY;
    c.* = .{ .id = 0 };
    return 0;
}

fn condWait(p: ?*anyopaque, mp: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_cond_wait", @TypeOf(condWait), .{ p, mp });
    const kk = api.enter("pthread_cond_wait");
    const c = condOf(kk, p, "pthread_cond_wait");
    const m = mutexOf(kk, mp, "pthread_cond_wait");
    if (m.m.owner != self.id) {
        if (m.kind == kind_errorcheck or m.kind == kind_recursive) return EPERM;
        kk.violation(null, .misuse, "pthread_cond_wait: {s} does not hold the mutex", .{self.name});
    }
    if (m.count > 0) kk.violation(null, .misuse, "pthread_cond_wait: the recursive mutex is held {d} times; waiting releases it once", .{m.count + 1});
    _ = step(kk, .{ .cond_wait = .{ .cond = c, .mutex = &m.m } }, @returnAddress());
    return 0;
}

fn condSignal(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_cond_signal", @TypeOf(condSignal), .{p});
    const kk = api.enter("pthread_cond_signal");
    _ = step(kk, .{ .cond_signal = condOf(kk, p, "pthread_cond_signal") }, @returnAddress());
    return 0;
}

fn condBroadcast(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_cond_broadcast", @TypeOf(condBroadcast), .{p});
    const kk = api.enter("pthread_cond_broadcast");
    _ = step(kk, .{ .cond_broadcast = condOf(kk, p, "pthread_cond_broadcast") }, @returnAddress());
    return 0;
}

// ---- Semaphores (unnamed) ------------------------------------------------------------------

fn semOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *objects.Semaphore {
    const s: *objects.Semaphore = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the semaphore is NULL", .{})));
    if (s.id != idOf(s)) kk.violation(null, .misuse, what ++ ": the semaphore was not initialised by sem_init", .{});
    return s;
}

fn semInit(p: ?*anyopaque, shared: c_int, value: c_uint) callconv(.c) c_int {
    if (actor() == null) return outside("sem_init", @TypeOf(semInit), .{ p, shared, value });
    const kk = api.enter("sem_init");
    const s: *objects.Semaphore = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, "sem_init: the semaphore is NULL", .{})));
    s.* = .{ .id = idOf(s), .value = value };
    return 0;
}

fn semDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("sem_destroy", @TypeOf(semDestroy), .{p});
    const s = semOf(api.enter("sem_destroy"), p, "sem_destroy");
    s.* = .{ .id = 0, .value = 0 };
    return 0;
}

fn semWait(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("sem_wait", @TypeOf(semWait), .{p});
    const kk = api.enter("sem_wait");
    _ = step(kk, .{ .sem_acquire = semOf(kk, p, "sem_wait") }, @returnAddress());
    return 0;
}

fn semPost(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("sem_post", @TypeOf(semPost), .{p});
    const kk = api.enter("sem_post");
    _ = step(kk, .{ .sem_release = semOf(kk, p, "sem_post") }, @returnAddress());
    return 0;
}

extern "c" fn __errno_location() *c_int;
const EAGAIN = 11;
const ETIMEDOUT = 110;

/// -1 with errno set, as the semaphore functions fail (after the step: it keeps the thread's
/// errno across it).
fn semFail(errno: c_int) c_int {
    __errno_location().* = errno;
    return -1;
}

/// One always-enabled step: it takes the semaphore if its value is positive, else fails.
fn semTrywait(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("sem_trywait", @TypeOf(semTrywait), .{p});
    const kk = api.enter("sem_trywait");
    const s = semOf(kk, p, "sem_trywait");
    return if (step(kk, .{ .sem_trywait = s }, @returnAddress()) == 1) 0 else semFail(EAGAIN);
}

/// A try first (a positive semaphore is taken at once, as POSIX says); if it is at 0, a
/// choice, as pthread_mutex_timedlock's (pthread_more.zig): 0 the time runs out (ETIMEDOUT),
/// 1 it is taken once posted.
fn semTimedwait(p: ?*anyopaque, abstime: ?*const anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("sem_timedwait", @TypeOf(semTimedwait), .{ p, abstime });
    const kk = api.enter("sem_timedwait");
    const s = semOf(kk, p, "sem_timedwait");
    const site = @returnAddress();
    if (step(kk, .{ .sem_trywait = s }, site) == 1) return 0;
    if (step(kk, .{ .random = .{ .min = 0, .max = 1 } }, site) == 0) return semFail(ETIMEDOUT);
    _ = step(kk, .{ .sem_acquire = s }, site);
    return 0;
}

/// A read of the value: dependent with the posts and waits of the semaphore, not with other
/// reads of it.
fn semGetvalue(p: ?*anyopaque, out: ?*c_int) callconv(.c) c_int {
    if (actor() == null) return outside("sem_getvalue", @TypeOf(semGetvalue), .{ p, out });
    const kk = api.enter("sem_getvalue");
    const s = semOf(kk, p, "sem_getvalue");
    const value = out orelse kk.violation(null, .misuse, "sem_getvalue: the value pointer is NULL", .{});
    value.* = @intCast(step(kk, .{ .sem_getvalue = s }, @returnAddress()));
    return 0;
}

// ---- Barriers ------------------------------------------------------------------------------

fn barrierOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *objects.Barrier {
    const b: *objects.Barrier = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the barrier is NULL", .{})));
    if (b.id != idOf(b)) kk.violation(null, .misuse, what ++ ": the barrier was not initialised by pthread_barrier_init", .{});
    return b;
}

fn barrierInit(p: ?*anyopaque, attr: ?*const anyopaque, count: c_uint) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_barrier_init", @TypeOf(barrierInit), .{ p, attr, count });
    const kk = api.enter("pthread_barrier_init");
    const b: *objects.Barrier = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, "pthread_barrier_init: the barrier is NULL", .{})));
    if (count == 0) return EINVAL;
    b.* = .{ .id = idOf(b), .count = count };
    return 0;
}

fn barrierDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_barrier_destroy", @TypeOf(barrierDestroy), .{p});
    const b = barrierOf(api.enter("pthread_barrier_destroy"), p, "pthread_barrier_destroy");
    if (b.arrived != 0) return EBUSY;
    b.* = .{ .id = 0, .count = 0 };
    return 0;
}

fn barrierWait(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_barrier_wait", @TypeOf(barrierWait), .{p});
    const kk = api.enter("pthread_barrier_wait");
    const last = step(kk, .{ .barrier_arrive = barrierOf(kk, p, "pthread_barrier_wait") }, @returnAddress());
    return if (last == 1) PTHREAD_BARRIER_SERIAL_THREAD else 0;
}

// ---- Yields: no time passes, another thread may run ----------------------------------------

fn yieldHere(site: usize) void {
    const kk = api.enter("sched_yield");
    // Inside an SV-COMP atomic section nobody else may run: no step.
    if (svcomp.inAtomic(kk.current.?)) return;
    _ = step(kk, .yield, site);
}

fn schedYield() callconv(.c) c_int {
    if (actor() == null) return real("sched_yield", @TypeOf(schedYield))();
    yieldHere(@returnAddress());
    return 0;
}

fn pthreadYield() callconv(.c) c_int {
    if (actor() == null) return real("pthread_yield", @TypeOf(pthreadYield))();
    yieldHere(@returnAddress());
    return 0;
}

fn usleepYield(us: c_uint) callconv(.c) c_int {
    if (actor() == null) return real("usleep", @TypeOf(usleepYield))(us);
    yieldHere(@returnAddress());
    return 0;
}

fn sleepYield(s: c_uint) callconv(.c) c_uint {
    if (actor() == null) return real("sleep", @TypeOf(sleepYield))(s);
    yieldHere(@returnAddress());
    return 0;
}

fn nanosleepYield(req: ?*const anyopaque, rem: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return real("nanosleep", @TypeOf(nanosleepYield))(req, rem);
    yieldHere(@returnAddress());
    return 0;
}

comptime {
    if (!builtin.is_test) {
        @export(&mutexInit, .{ .name = "pthread_mutex_init" });
        @export(&mutexDestroy, .{ .name = "pthread_mutex_destroy" });
        @export(&mutexLock, .{ .name = "pthread_mutex_lock" });
        @export(&mutexTrylock, .{ .name = "pthread_mutex_trylock" });
        @export(&mutexUnlock, .{ .name = "pthread_mutex_unlock" });
        @export(&condInit, .{ .name = "pthread_cond_init" });
        @export(&condDestroy, .{ .name = "pthread_cond_destroy" });
        @export(&condWait, .{ .name = "pthread_cond_wait" });
        @export(&condSignal, .{ .name = "pthread_cond_signal" });
        @export(&condBroadcast, .{ .name = "pthread_cond_broadcast" });
        @export(&semInit, .{ .name = "sem_init" });
        @export(&semDestroy, .{ .name = "sem_destroy" });
        @export(&semWait, .{ .name = "sem_wait" });
        @export(&semPost, .{ .name = "sem_post" });
        @export(&semTrywait, .{ .name = "sem_trywait" });
        @export(&semTimedwait, .{ .name = "sem_timedwait" });
        @export(&semGetvalue, .{ .name = "sem_getvalue" });
        @export(&barrierInit, .{ .name = "pthread_barrier_init" });
        @export(&barrierDestroy, .{ .name = "pthread_barrier_destroy" });
        @export(&barrierWait, .{ .name = "pthread_barrier_wait" });
        @export(&schedYield, .{ .name = "sched_yield" });
        @export(&pthreadYield, .{ .name = "pthread_yield" });
        @export(&usleepYield, .{ .name = "usleep" });
        @export(&sleepYield, .{ .name = "sleep" });
        @export(&nanosleepYield, .{ .name = "nanosleep" });
    }
}
