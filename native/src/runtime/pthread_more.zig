//! The pthread functions beyond part 1's (docs/pthreads.md), each built from the kernel's
//! existing transitions so that their independence is that of docs/independence.md unchanged:
//! read-write locks (an internal mutex and condition, with the readers and the writer counted
//! in the program's pthread_rwlock_t), spinlocks (mutexes, their records in a runtime table:
//! a pthread_spinlock_t has no room for one), thread-specific data (keys: per thread, no step),
//! pthread_mutex_timedlock and pthread_cond_timedwait (a choice between getting it and timing
//! out), and a virtual clock (clock_gettime, time, gettimeofday: deterministic, so that
//! re-execution reaches the same state).

const std = @import("std");
const builtin = @import("builtin");
const api = @import("api.zig");
const kernel_mod = @import("kernel.zig");
const objects = @import("objects.zig");
const core = @import("pthread.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const real = core.real;
const outside = core.outside;
const actor = core.actor;
const step = core.step;
const idOf = core.idOf;
const EBUSY = core.EBUSY;
const EINVAL = core.EINVAL;
const EDEADLK = core.EDEADLK;
const EPERM = core.EPERM;
const ETIMEDOUT = 110;
const EAGAIN = 11;

// ---- Read-write locks ----------------------------------------------------------------------

/// A pthread_rwlock_t (56 bytes in glibc; PTHREAD_RWLOCK_INITIALIZER is zeros): readers in
/// parallel, a writer alone. Every operation holds `m` for its own steps only: rdlock waits on
/// `c` while a writer holds the lock, wrlock while anyone does; unlock broadcasts.
const RwLock = extern struct {
    m: objects.Mutex,
    c: objects.Condition,
    readers: u32,
    /// The writer's actor id, 0 when none.
    writer: u32,
};

comptime {
    std.debug.assert(@sizeOf(RwLock) <= 56);
}

fn rwOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *RwLock {
    const rw: *RwLock = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the rwlock is NULL", .{})));
    if (rw.m.id == 0) rw.m.id = idOf(&rw.m);
    if (rw.c.id == 0) rw.c.id = idOf(&rw.c);
    return rw;
}

fn rwInit(p: ?*anyopaque, attr: ?*const anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_rwlock_init", @TypeOf(rwInit), .{ p, attr });
    const kk = api.enter("pthread_rwlock_init");
    const rw: *RwLock = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, "pthread_rwlock_init: the rwlock is NULL", .{})));
    rw.* = .{ .m = .{ .id = idOf(&rw.m) }, .c = .{ .id = idOf(&rw.c) }, .readers = 0, .writer = 0 };
    return 0;
}

fn rwDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_rwlock_destroy", @TypeOf(rwDestroy), .{p});
    const rw = rwOf(api.enter("pthread_rwlock_destroy"), p, "pthread_rwlock_destroy");
    if (rw.readers != 0 or rw.writer != 0 or rw.c.waiting != 0) return EBUSY;
    rw.* = .{ .m = .{ .id = 0 }, .c = .{ .id = 0 }, .readers = 0, .writer = 0 };
    return 0;
}

/// Takes the lock for reading (`write` false) or writing, waiting if `wait`, else EBUSY.
fn rwTake(self: *Actor, p: ?*anyopaque, write: bool, wait: bool, comptime what: []const u8, site: usize) c_int {
    const kk = api.enter(what);
    const rw = rwOf(kk, p, what);
    if (rw.writer == self.id) return EDEADLK;
    _ = step(kk, .{ .mutex_lock = &rw.m }, site);
    while (rw.writer != 0 or (write and rw.readers != 0)) {
        if (!wait) {
            _ = step(kk, .{ .mutex_unlock = &rw.m }, site);
            return EBUSY;
        }
        _ = step(kk, .{ .cond_wait = .{ .cond = &rw.c, .mutex = &rw.m } }, site);
    }
    if (write) rw.writer = self.id else rw.readers += 1;
    _ = step(kk, .{ .mutex_unlock = &rw.m }, site);
    return 0;
}

fn rwRdlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_rwlock_rdlock", @TypeOf(rwRdlock), .{p});
    return rwTake(self, p, false, true, "pthread_rwlock_rdlock", @returnAddress());
}

fn rwWrlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_rwlock_wrlock", @TypeOf(rwWrlock), .{p});
    return rwTake(self, p, true, true, "pthread_rwlock_wrlock", @returnAddress());
}

fn rwTryrdlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_rwlock_tryrdlock", @TypeOf(rwTryrdlock), .{p});
    return rwTake(self, p, false, false, "pthread_rwlock_tryrdlock", @returnAddress());
}

fn rwTrywrlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_rwlock_trywrlock", @TypeOf(rwTrywrlock), .{p});
    return rwTake(self, p, true, false, "pthread_rwlock_trywrlock", @returnAddress());
}

fn rwUnlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_rwlock_unlock", @TypeOf(rwUnlock), .{p});
    const kk = api.enter("pthread_rwlock_unlock");
    const rw = rwOf(kk, p, "pthread_rwlock_unlock");
    // Whether this thread holds it for reading is not recorded (POSIX leaves it undefined):
    // any unlock without the writer's is a reader's.
    if (rw.writer != self.id and (rw.writer != 0 or rw.readers == 0)) return EPERM;
    const site = @returnAddress();
    _ = step(kk, .{ .mutex_lock = &rw.m }, site);
    if (rw.writer == self.id) rw.writer = 0 else rw.readers -= 1;
    _ = step(kk, .{ .cond_broadcast = &rw.c }, site);
    _ = step(kk, .{ .mutex_unlock = &rw.m }, site);
    return 0;
}

// ---- Spinlocks: mutexes ----------------------------------------------------------------------

/// The mutex of each spinlock used so far, by the spinlock's address (program state).
const max_spinlocks = 64;
var spin_addrs: [max_spinlocks]usize = @splat(0);
var spin_mutexes: [max_spinlocks]objects.Mutex = @splat(.{ .id = 0 });

fn spinOf(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *objects.Mutex {
    const addr = @intFromPtr(p orelse kk.violation(null, .misuse, what ++ ": the spinlock is NULL", .{}));
    for (&spin_addrs, &spin_mutexes) |*a, *m| {
        if (a.* == addr) return m;
        if (a.* == 0) {
            a.* = addr;
            // Named after the program's variable, as the other objects are.
            m.* = .{ .id = idOf(@ptrFromInt(addr)) };
            return m;
        }
    }
    kk.violation(null, .misuse, what ++ ": more than {d} spinlocks", .{max_spinlocks});
}

fn spinInit(p: ?*anyopaque, shared: c_int) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_spin_init", @TypeOf(spinInit), .{ p, shared });
    const m = spinOf(api.enter("pthread_spin_init"), p, "pthread_spin_init");
    m.owner = 0;
    return 0;
}

fn spinDestroy(p: ?*anyopaque) callconv(.c) c_int {
    if (actor() == null) return outside("pthread_spin_destroy", @TypeOf(spinDestroy), .{p});
    const m = spinOf(api.enter("pthread_spin_destroy"), p, "pthread_spin_destroy");
    return if (m.owner != 0) EBUSY else 0;
}

fn spinLock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_spin_lock", @TypeOf(spinLock), .{p});
    const kk = api.enter("pthread_spin_lock");
    const m = spinOf(kk, p, "pthread_spin_lock");
    if (m.owner == self.id) return EDEADLK;
    _ = step(kk, .{ .mutex_lock = m }, @returnAddress());
    return 0;
}

fn spinTrylock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_spin_trylock", @TypeOf(spinTrylock), .{p});
    const kk = api.enter("pthread_spin_trylock");
    const m = spinOf(kk, p, "pthread_spin_trylock");
    if (m.owner == self.id) return EBUSY;
    return if (step(kk, .{ .mutex_trylock = m }, @returnAddress()) == 1) 0 else EBUSY;
}

fn spinUnlock(p: ?*anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_spin_unlock", @TypeOf(spinUnlock), .{p});
    const kk = api.enter("pthread_spin_unlock");
    const m = spinOf(kk, p, "pthread_spin_unlock");
    if (m.owner != self.id) kk.violation(null, .misuse, "pthread_spin_unlock: {s} does not hold the spinlock", .{self.name});
    _ = step(kk, .{ .mutex_unlock = m }, @returnAddress());
    return 0;
}

// ---- Timed waits: a choice between getting it and timing out ---------------------------------

/// The kernel's mutex of a pthread_mutex_t (pthread_sync.zig's layout: the record comes first).
fn mutexRecord(kk: *Kernel, p: ?*anyopaque, comptime what: []const u8) *objects.Mutex {
    const m: *objects.Mutex = @ptrCast(@alignCast(p orelse kk.violation(null, .misuse, what ++ ": the mutex is NULL", .{})));
    if (m.id == 0) m.id = idOf(m);
    return m;
}

/// A try first (a free mutex is taken at once, as POSIX says); if it is held, a choice: 0 the
/// time runs out (ETIMEDOUT), 1 it is got when its holder lets it go.
fn mutexTimedlock(p: ?*anyopaque, abstime: ?*const anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_mutex_timedlock", @TypeOf(mutexTimedlock), .{ p, abstime });
    const kk = api.enter("pthread_mutex_timedlock");
    const m = mutexRecord(kk, p, "pthread_mutex_timedlock");
    if (m.owner == self.id) return EDEADLK;
    const site = @returnAddress();
    if (step(kk, .{ .mutex_trylock = m }, site) == 1) return 0;
    if (step(kk, .{ .random = .{ .min = 0, .max = 1 } }, site) == 0) return ETIMEDOUT;
    _ = step(kk, .{ .mutex_lock = m }, site);
    return 0;
}

/// A choice: 1 the wait of pthread_cond_wait, 0 the time runs out: the mutex is let go and
/// taken again without a signal (ETIMEDOUT).
fn condTimedwait(c: ?*anyopaque, mp: ?*anyopaque, abstime: ?*const anyopaque) callconv(.c) c_int {
    const self = actor() orelse return outside("pthread_cond_timedwait", @TypeOf(condTimedwait), .{ c, mp, abstime });
    const kk = api.enter("pthread_cond_timedwait");
    const m = mutexRecord(kk, mp, "pthread_cond_timedwait");
    if (m.owner != self.id) kk.violation(null, .misuse, "pthread_cond_timedwait: {s} does not hold the mutex", .{self.name});
    const cond: *objects.Condition = @ptrCast(@alignCast(c orelse kk.violation(null, .misuse, "pthread_cond_timedwait: the condition variable is NULL", .{})));
    if (cond.id == 0) cond.id = idOf(cond);
    const site = @returnAddress();
    if (step(kk, .{ .random = .{ .min = 0, .max = 1 } }, site) == 1) {
        _ = step(kk, .{ .cond_wait = .{ .cond = cond, .mutex = m } }, site);
        return 0;
    }
    _ = step(kk, .{ .mutex_unlock = m }, site);
    _ = step(kk, .{ .mutex_lock = m }, site);
    return ETIMEDOUT;
}

// ---- Thread-specific data ------------------------------------------------------------------

pub const max_keys = 64;
const Destructor = *const fn (?*anyopaque) callconv(.c) void;
/// Keys in use and their destructors (program state; a key is its index).
var key_used: [max_keys]bool = @splat(false);
var key_destructor: [max_keys]?Destructor = @splat(null);

fn keyCreate(key: ?*c_uint, destructor: ?Destructor) callconv(.c) c_int {
    _ = actor() orelse return real("pthread_key_create", @TypeOf(keyCreate))(key, destructor);
    const kk = api.enter("pthread_key_create");
    const out = key orelse kk.violation(null, .misuse, "pthread_key_create: the key pointer is NULL", .{});
    for (&key_used, 0..) |*used, i| {
        if (used.*) continue;
        used.* = true;
        key_destructor[i] = destructor;
        out.* = @intCast(i);
        return 0;
    }
    return EAGAIN;
}

fn keyDelete(key: c_uint) callconv(.c) c_int {
    _ = actor() orelse return real("pthread_key_delete", @TypeOf(keyDelete))(key);
    if (key >= max_keys or !key_used[key]) return EINVAL;
    key_used[key] = false;
    key_destructor[key] = null;
    for (api.enter("pthread_key_delete").actors.items) |a| {
        if (core.specificOf(a)) |values| values[key] = null;
    }
    return 0;
}

fn getSpecific(key: c_uint) callconv(.c) ?*anyopaque {
    const self = actor() orelse return real("pthread_getspecific", @TypeOf(getSpecific))(key);
    if (key >= max_keys or !key_used[key]) return null;
    const values = core.specificOf(self) orelse return null;
    return values[key];
}

fn setSpecific(key: c_uint, value: ?*const anyopaque) callconv(.c) c_int {
    const self = actor() orelse return real("pthread_setspecific", @TypeOf(setSpecific))(key, value);
    if (key >= max_keys or !key_used[key]) return EINVAL;
    const values = core.specificOf(self) orelse core.newSpecific(api.enter("pthread_setspecific"), self);
    values[key] = @constCast(value);
    return 0;
}

/// At a thread's end: each non-null value with a destructor is set to null and destroyed, in
/// rounds while destructors set new ones (at most PTHREAD_DESTRUCTOR_ITERATIONS, 4).
pub fn runDestructors(self: *Actor) void {
    const values = core.specificOf(self) orelse return;
    var round: u32 = 0;
    while (round < 4) : (round += 1) {
        var any = false;
        for (values, 0..) |*v, i| {
            const value = v.* orelse continue;
            const d = key_destructor[i] orelse continue;
            v.* = null;
            any = true;
            d(value);
        }
        if (!any) return;
    }
}

// ---- A virtual clock -------------------------------------------------------------------------

/// Nanoseconds since the epoch of the virtual clock (program state): it starts at a fixed
/// date and each reading advances it by a microsecond, so time passes and every execution
/// reads the same times.
var virtual_ns: u64 = 1_700_000_000 * std.time.ns_per_s;

fn tick() u64 {
    virtual_ns += std.time.ns_per_us;
    return virtual_ns;
}

const Timespec = extern struct { sec: i64, nsec: i64 };
const Timeval = extern struct { sec: i64, usec: i64 };

fn clockGettime(clock: c_int, ts: ?*Timespec) callconv(.c) c_int {
    _ = actor() orelse return real("clock_gettime", @TypeOf(clockGettime))(clock, ts);
    const t = ts orelse return EINVAL;
    const now = tick();
    t.* = .{ .sec = @intCast(now / std.time.ns_per_s), .nsec = @intCast(now % std.time.ns_per_s) };
    return 0;
}

fn timeCall(out: ?*i64) callconv(.c) i64 {
    _ = actor() orelse return real("time", @TypeOf(timeCall))(out);
    const now: i64 = @intCast(tick() / std.time.ns_per_s);
    if (out) |o| o.* = now;
    return now;
}

fn gettimeofday(tv: ?*Timeval, tz: ?*anyopaque) callconv(.c) c_int {
    _ = actor() orelse return real("gettimeofday", @TypeOf(gettimeofday))(tv, tz);
    const now = tick();
    if (tv) |t| t.* = .{ .sec = @intCast(now / std.time.ns_per_s), .usec = @intCast(now % std.time.ns_per_s / std.time.ns_per_us) };
    return 0;
}

comptime {
    if (!builtin.is_test) {
        @export(&rwInit, .{ .name = "pthread_rwlock_init" });
        @export(&rwDestroy, .{ .name = "pthread_rwlock_destroy" });
        @export(&rwRdlock, .{ .name = "pthread_rwlock_rdlock" });
        @export(&rwWrlock, .{ .name = "pthread_rwlock_wrlock" });
        @export(&rwTryrdlock, .{ .name = "pthread_rwlock_tryrdlock" });
        @export(&rwTrywrlock, .{ .name = "pthread_rwlock_trywrlock" });
        @export(&rwUnlock, .{ .name = "pthread_rwlock_unlock" });
        @export(&spinInit, .{ .name = "pthread_spin_init" });
        @export(&spinDestroy, .{ .name = "pthread_spin_destroy" });
        @export(&spinLock, .{ .name = "pthread_spin_lock" });
        @export(&spinTrylock, .{ .name = "pthread_spin_trylock" });
        @export(&spinUnlock, .{ .name = "pthread_spin_unlock" });
        @export(&mutexTimedlock, .{ .name = "pthread_mutex_timedlock" });
        @export(&condTimedwait, .{ .name = "pthread_cond_timedwait" });
        @export(&keyCreate, .{ .name = "pthread_key_create" });
        @export(&keyDelete, .{ .name = "pthread_key_delete" });
        @export(&getSpecific, .{ .name = "pthread_getspecific" });
        @export(&setSpecific, .{ .name = "pthread_setspecific" });
        @export(&clockGettime, .{ .name = "clock_gettime" });
        @export(&timeCall, .{ .name = "time" });
        @export(&gettimeofday, .{ .name = "gettimeofday" });
    }
}
