//! Shared memory accesses of pthread programs as visible steps (docs/pthreads.md, "Memory").
//! `isomc cc` compiles programs with the compiler's thread-sanitizer instrumentation
//! (`-Xclang -fsanitize=thread`: the instrumentation without the sanitizer's runtime), which
//! calls `__tsan_read4(addr)`, `__tsan_write8(addr)`, `__tsan_atomic32_fetch_add(addr, v, mo)`...
//! at every load, store and atomic operation. This file is the runtime those calls bind to:
//!
//! - an access by an actor to memory another thread can reach (not its own stack) is the
//!   kernel's `access` transition, taken *before* the access: the actor parks at the call, and
//!   makes the access itself once the checker has scheduled it, so the value it reads or
//!   overwrites is the one at the time it runs (sequential consistency);
//! - atomics are performed here, after their step; memory orders are ignored (SC);
//! - accesses outside any actor (before main's actor, in destructors), by main before it has
//!   created any thread, in programs that are not pthread programs, inside an SV-COMP atomic
//!   section (svcomp.zig), and under `ISOMC_MEMORY=sync` the plain ones, are not steps;
//! - under `ISOMC_MEMORY=sync` the plain ones are logged instead, in the window of the step
//!   being executed (window.zig), which the next STATE carries to the checker's race detector;
//!   one that does not fit in the window is a step after all (it ends the window), so that no
//!   access goes unseen.
//!
//! A function the compiler emits and this file lacks is an undefined symbol at link time: a
//! clear build error, never a silent hole.
//!
//! Spin loops (docs/pthreads.md, "Spin loops"): each actor keeps a log of the reads it made
//! since its last write or synchronisation step, with a hash of its live stack at each. Coming
//! back to a read of the same call site and address with the same stack, without having written
//! anything, the actor has run an iteration that changed nothing (whatever it read: it came
//! back to where it was): the actor spins, and its step is never enabled (an execution where
//! only such actors remain is cut as blocked, as GenMC does with its await loops). The executions
//! where the loop goes on after another thread's write are those where that write comes before
//! the iteration's reads, which the search reaches by reversing their races. The decision is the
//! actor's own history only, never the current values of memory: two orders of independent
//! steps make the same decision (the reductions rely on it).

const std = @import("std");
const builtin = @import("builtin");
const api = @import("api.zig");
const kernel_mod = @import("kernel.zig");
const transitions = @import("transitions.zig");
const core = @import("pthread.zig");
const svcomp = @import("svcomp.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const Access = transitions.Access;
const AccessMode = transitions.AccessMode;

pub const env_memory = "ISOMC_MEMORY";

/// Which accesses are steps: every shared one, or only atomics (plain ones run unseen).
const MemoryMode = enum { unknown, all, sync };
var memory_mode: MemoryMode = .unknown;

fn memoryMode() MemoryMode {
    if (memory_mode == .unknown) {
        memory_mode = .all;
        if (std.c.getenv(env_memory)) |v| {
            const text = std.mem.sliceTo(v, 0);
            if (std.mem.eql(u8, text, "sync")) {
                memory_mode = .sync;
            } else if (!std.mem.eql(u8, text, "all")) {
                kernel_mod.fatal(2, "{s}: '{s}' is not a memory mode (all, sync)", .{ env_memory, text });
            }
        }
    }
    return memory_mode;
}

// ---- Spin logs ---------------------------------------------------------------------------

const log_entries = 16;
/// `value`: what the read got (its low 8 bytes), to tell whether memory changed since.
const Read = extern struct { addr: usize, size: u64, site: usize, stack: u64, value: u64 = 0 };
const Log = extern struct { n: u64 = 0, reads: [log_entries]Read = undefined };
/// Actors with an id below this have a log; the others are never found spinning.
const logged_actors = 128;
/// Program state (in the runtime's data, restored with the program's memory): the decisions
/// are a function of the path.
var logs: [logged_actors]Log = @splat(.{});

fn logOf(a: *const Actor) ?*Log {
    return if (a.id < logged_actors) &logs[a.id] else null;
}

/// The actor wrote, synchronised or ended: no iteration since then can repeat an older one.
/// The entries are cleared, not only dropped: the log is program memory, and entries left
/// behind would keep the path that led to a state (lastzero.c's 3,328 executions ended in
/// 3,328 distinct final states, and equal states of a --visited search differed).
pub fn forget(a: *const Actor) void {
    const l = logOf(a) orelse return;
    std.debug.assert(l.n <= log_entries);
    @memset(std.mem.sliceAsBytes(l.reads[0..@intCast(l.n)]), 0);
    l.n = 0;
}

/// Reads `size` bytes at `addr` (at most 8: wider reads are keyed by their low word).
fn valueAt(addr: usize, size: u64) u64 {
    var v: u64 = 0;
    const n: usize = @intCast(@min(size, 8));
    @memcpy(std.mem.asBytes(&v)[0..n], @as([*]const u8, @ptrFromInt(addr))[0..n]);
    return v;
}

/// A hash of the actor's live stack above the instrumented function's frame: the locals an
/// iteration could change (registers are not seen: docs/pthreads.md says what that means).
fn stackHash(a: *const Actor, frame: usize) u64 {
    const s = a.stack orelse return 0;
    const hi = @intFromPtr(s.usable.ptr) + s.usable.len;
    const lo = frame + 2 * @sizeOf(usize);
    if (lo >= hi or lo < @intFromPtr(s.usable.ptr)) return 0;
    return std.hash.Wyhash.hash(0, @as([*]const u8, @ptrFromInt(lo))[0 .. hi - lo]);
}

fn spins(l: *const Log, addr: usize, size: u64, site: usize, stack: u64) bool {
    const n: usize = @intCast(l.n);
    for (l.reads[0..n]) |r| {
        if (r.addr == addr and r.size == size and r.site == site and r.stack == stack) return true;
    }
    return false;
}

/// Whether a spinning actor spins for ever: every read of its log would get the value it got,
/// so that, with nobody else able to run, its next iteration repeats the last one exactly (a
/// livelock; the checker reports it under --non-progress, docs/pthreads.md). Read when its
/// STATE record is made, so that a write by another actor since the reads counts.
pub fn stuck(a: *const Actor) bool {
    return stuckLog(logOf(a) orelse return false);
}

fn stuckLog(l: *const Log) bool {
    const n: usize = @intCast(l.n);
    if (n == 0) return false;
    for (l.reads[0..n]) |r| {
        if (valueAt(r.addr, r.size) != r.value) return false;
    }
    return true;
}

fn remember(l: *Log, r: Read) void {
    // Full: start again, cleared as forget() says why (an iteration of more reads than the
    // log holds is never recognised).
    if (l.n == log_entries) {
        @memset(std.mem.sliceAsBytes(l.reads[0..]), 0);
        l.n = 0;
    }
    l.reads[@intCast(l.n)] = r;
    l.n += 1;
}

// ---- Steps -------------------------------------------------------------------------------

/// The actor making an access another thread can reach, or null when nobody else can see it
/// (no actor, the actor's own stack) or it is part of a step already (an atomic section).
fn sharer(addr: usize) ?*Actor {
    const a = core.actor() orelse return null;
    // Main before any thread exists: its accesses are ordered before every other actor's
    // (thread creation), so no reduction needs them as steps and no race involves them
    // (indexer's 128 atomic_inits were 128 steps of each execution).
    if (api.alone()) return null;
    // Inside an SV-COMP atomic section (__VERIFIER_atomic_*) the whole section is one step.
    if (svcomp.inAtomic(a)) return null;
    if (a.stack) |s| {
        const lo = @intFromPtr(s.mapping.ptr);
        if (addr >= lo and addr < lo + s.mapping.len) return null;
    }
    // Its own TLS block and errno, as its own stack: no other actor reaches them (perThread).
    if (perThread(a.kernel, addr)) return null;
    return a;
}

/// The actor making a shared access, or null when the access is no step.
fn stepper(addr: usize, atomic: bool) ?*Actor {
    if (!atomic and memoryMode() != .all) return null;
    return sharer(addr);
}

/// Under ISOMC_MEMORY=sync, logs a plain access in the window of the step being executed;
/// false when it must be a step: the mode is `all`, or the window is full. Logged the same way
/// whether a checker listens or not, so that a replayed trace takes the same steps.
fn logged(a: *const Actor, addr: usize, size: u64, write: bool, site: usize) bool {
    if (memoryMode() != .sync) return false;
    std.debug.assert(size > 0 and size <= std.math.maxInt(u32));
    const k = a.kernel;
    const log = &k.book.window;
    // A loop's next access to the bytes it just touched: merged at once.
    if (log.again(a.id, write, addr, @intCast(size), site)) return true;
    return log.access(a.id, write, addr, @intCast(size), site);
}

/// Memory each thread has its own of, at one address for all actors (they share one OS thread):
/// the executable's TLS block, which the kernel switches with the actor (tls.zig), and errno,
/// which pthread.zig keeps per thread. An access there is to the accessing actor's own copy:
/// no step and no race, under either memory mode (docs/pthreads.md, "Thread-local storage").
fn perThread(k: *const Kernel, addr: usize) bool {
    if (k.tls) |b| {
        const lo = @intFromPtr(b.live.ptr);
        if (addr >= lo and addr < lo + b.live.len) return true;
    }
    return addr >= k.errno_at and addr < k.errno_at + @sizeOf(c_int);
}

/// pthread_create, before it creates the actor: under ISOMC_MEMORY=sync the creation goes in
/// the window; when the window is full, the creator takes a step first (a yield), which ends
/// the window, so that the creation is logged in a new one.
pub fn beforeCreate(kk: *Kernel, site: usize) void {
    if (memoryMode() != .sync) return;
    const a = kk.current orelse return;
    if (svcomp.inAtomic(a)) return;
    if (kk.book.window.full()) _ = core.step(kk, .yield, site);
}

/// pthread_create made `created`: under ISOMC_MEMORY=sync, logged in the window (what the
/// creator did before happens before the new actor's accesses, what it does after does not).
pub fn created(kk: *Kernel, created_actor: *const Actor) void {
    if (memoryMode() != .sync) return;
    const a = kk.current orelse return;
    if (svcomp.inAtomic(a)) return;
    const fits = kk.book.window.create(a.id, created_actor.id);
    // beforeCreate made room.
    std.debug.assert(fits);
}

fn info(size: u64, mode: AccessMode, atomic: bool) u64 {
    std.debug.assert(size > 0 and size <= transitions.access_size_mask);
    return size | (@intFromEnum(mode) << transitions.access_mode_shift) | (if (atomic) transitions.access_atomic else 0);
}

/// One access as a step. `reads_only`: the access writes nothing if it runs now (a plain or
/// atomic load, a compare-exchange that would fail), so it may be an await loop's read (a
/// compare-exchange that swaps after all forgets the log).
fn step(a: *Actor, addr: usize, size: u64, mode: AccessMode, atomic: bool, value: u64, reads_only: bool, site: usize, frame: usize, extra: u64) void {
    const kk = api.enter("a memory access");
    var i = info(size, mode, atomic) | extra;
    const watch = kk.options.mode != .standalone;
    var stack: u64 = 0;
    if (watch and reads_only) {
        if (logOf(a)) |l| {
            stack = stackHash(a, frame);
            if (spins(l, addr, size, site, stack)) i |= transitions.access_spin;
        }
    }
    _ = core.step(kk, .{ .access = .{ .ptr = addr, .value = value, .info = i } }, site);
    // A spinning step is never enabled: the actor does not come back here.
    std.debug.assert(i & transitions.access_spin == 0);
    if (!watch) return;
    if (reads_only) {
        // The actor reads now, right after its step: the value it gets is the one here.
        if (logOf(a)) |l| remember(l, .{ .addr = addr, .size = size, .site = site, .stack = stack, .value = valueAt(addr, size) });
    } else forget(a);
}

inline fn plain(addr: usize, size: u64, mode: AccessMode, site: usize, frame: usize) void {
    const a = sharer(addr) orelse return;
    if (logged(a, addr, size, mode == .write, site)) return;
    const value = if (mode == .read) valueAt(addr, size) else 0;
    step(a, addr, size, mode, false, value, mode == .read, site, frame, 0);
}

/// A range access (memcpy, memset, aggregates): steps of at most 8 bytes each; under
/// ISOMC_MEMORY=sync one event of the window, when it fits.
fn range(addr: usize, len: usize, mode: AccessMode, site: usize, frame: usize) void {
    if (len == 0) return;
    if (memoryMode() == .sync and len <= std.math.maxInt(u32)) {
        const a = sharer(addr) orelse return;
        if (logged(a, addr, len, mode == .write, site)) return;
    }
    var at = addr;
    const end = addr + len;
    while (at < end) {
        const n: u64 = @min(8, end - at);
        plain(at, n, mode, site, frame);
        at += @intCast(n);
    }
}

fn Plain(comptime size: u64, comptime mode: AccessMode) type {
    return struct {
        fn hook(addr: ?*anyopaque) callconv(.c) void {
            plain(@intFromPtr(addr), size, mode, @returnAddress(), @frameAddress());
        }
        fn hookPc(addr: ?*anyopaque, pc: ?*anyopaque) callconv(.c) void {
            plain(@intFromPtr(addr), size, mode, @intFromPtr(pc), @frameAddress());
        }
    };
}

fn readRange(addr: ?*anyopaque, len: usize) callconv(.c) void {
    range(@intFromPtr(addr), len, .read, @returnAddress(), @frameAddress());
}

fn writeRange(addr: ?*anyopaque, len: usize) callconv(.c) void {
    range(@intFromPtr(addr), len, .write, @returnAddress(), @frameAddress());
}

fn memcpyHook(dst: ?*anyopaque, src: ?*const anyopaque, len: usize) callconv(.c) ?*anyopaque {
    range(@intFromPtr(src), len, .read, @returnAddress(), @frameAddress());
    range(@intFromPtr(dst), len, .write, @returnAddress(), @frameAddress());
    if (len > 0) @memmove(@as([*]u8, @ptrCast(dst.?))[0..len], @as([*]const u8, @ptrCast(src.?))[0..len]);
    return dst;
}

fn memsetHook(dst: ?*anyopaque, c: c_int, len: usize) callconv(.c) ?*anyopaque {
    range(@intFromPtr(dst), len, .write, @returnAddress(), @frameAddress());
    if (len > 0) @memset(@as([*]u8, @ptrCast(dst.?))[0..len], @truncate(@as(c_uint, @bitCast(c))));
    return dst;
}

fn nothing() callconv(.c) void {}
fn nothingPc(_: ?*anyopaque) callconv(.c) void {}
fn nothing2(_: ?*anyopaque, _: ?*anyopaque) callconv(.c) void {}
fn fence(_: c_int) callconv(.c) void {}

// ---- Atomics -----------------------------------------------------------------------------

const Rmw = enum { exchange, fetch_add, fetch_sub, fetch_and, fetch_or, fetch_xor, fetch_nand };

fn Atomic(comptime T: type) type {
    const size = @sizeOf(T);
    return struct {
        fn at(p: ?*anyopaque) *T {
            return @ptrCast(@alignCast(p.?));
        }
        fn bits(v: T) u64 {
            return @as(u64, v);
        }
        fn load(p: ?*anyopaque, _: c_int) callconv(.c) T {
            if (stepper(@intFromPtr(p), true)) |a| step(a, @intFromPtr(p), size, .read, true, bits(at(p).*), true, @returnAddress(), @frameAddress(), 0);
            return @atomicLoad(T, at(p), .seq_cst);
        }
        fn store(p: ?*anyopaque, v: T, _: c_int) callconv(.c) void {
            if (stepper(@intFromPtr(p), true)) |a| step(a, @intFromPtr(p), size, .write, true, bits(v), false, @returnAddress(), @frameAddress(), 0);
            @atomicStore(T, at(p), v, .seq_cst);
        }
        fn rmw(comptime op: Rmw) type {
            return struct {
                fn hook(p: ?*anyopaque, v: T, _: c_int) callconv(.c) T {
                    if (stepper(@intFromPtr(p), true)) |a| step(a, @intFromPtr(p), size, .rmw, true, bits(v), false, @returnAddress(), @frameAddress(), 0);
                    // Atomic for real: a program of the API may have real threads.
                    return @atomicRmw(T, at(p), switch (op) {
                        .exchange => .Xchg,
                        .fetch_add => .Add,
                        .fetch_sub => .Sub,
                        .fetch_and => .And,
                        .fetch_or => .Or,
                        .fetch_xor => .Xor,
                        .fetch_nand => .Nand,
                    }, v, .seq_cst);
                }
            };
        }
        /// Whether the compare-exchange swaps; `expected` gets the old value when it does not.
        fn cas(p: ?*anyopaque, expected: T, desired: T, site: usize, frame: usize) T {
            const addr = @intFromPtr(p);
            if (stepper(addr, true)) |a| {
                // One that would fail now only reads: it may be a spinlock's await loop. Its
                // value is the expected one, so that each STATE says whether it fails there
                // (transitions.casFails: a read to the checker when it does).
                step(a, addr, size, .rmw, true, bits(expected), at(p).* != expected, site, frame, transitions.access_cas);
                const failed = @cmpxchgStrong(T, at(p), expected, desired, .seq_cst, .seq_cst);
                if (failed == null) forget(a);
                return failed orelse expected;
            }
            return @cmpxchgStrong(T, at(p), expected, desired, .seq_cst, .seq_cst) orelse expected;
        }
        fn casStrong(p: ?*anyopaque, c: ?*T, v: T, _: c_int, _: c_int) callconv(.c) c_int {
            const old = cas(p, c.?.*, v, @returnAddress(), @frameAddress());
            if (old == c.?.*) return 1;
            c.?.* = old;
            return 0;
        }
        fn casVal(p: ?*anyopaque, c: T, v: T, _: c_int, _: c_int) callconv(.c) T {
            return cas(p, c, v, @returnAddress(), @frameAddress());
        }
    };
}

comptime {
    // Not in the runtime's own unit tests: the test runner is no instrumented program.
    if (!builtin.is_test) {
        for (.{ 1, 2, 4, 8, 16 }) |size| {
            const n = std.fmt.comptimePrint("{d}", .{size});
            @export(&Plain(size, .read).hook, .{ .name = "__tsan_read" ++ n });
            @export(&Plain(size, .write).hook, .{ .name = "__tsan_write" ++ n });
            @export(&Plain(size, .read).hookPc, .{ .name = "__tsan_read" ++ n ++ "_pc" });
            @export(&Plain(size, .write).hookPc, .{ .name = "__tsan_write" ++ n ++ "_pc" });
            @export(&Plain(size, .read).hook, .{ .name = "__tsan_volatile_read" ++ n });
            @export(&Plain(size, .write).hook, .{ .name = "__tsan_volatile_write" ++ n });
            if (size > 1) {
                @export(&Plain(size, .read).hook, .{ .name = "__tsan_unaligned_read" ++ n });
                @export(&Plain(size, .write).hook, .{ .name = "__tsan_unaligned_write" ++ n });
            }
        }
        @export(&readRange, .{ .name = "__tsan_read_range" });
        @export(&writeRange, .{ .name = "__tsan_write_range" });
        @export(&memcpyHook, .{ .name = "__tsan_memcpy" });
        @export(&memcpyHook, .{ .name = "__tsan_memmove" });
        @export(&memsetHook, .{ .name = "__tsan_memset" });
        @export(&nothing, .{ .name = "__tsan_init" });
        @export(&nothingPc, .{ .name = "__tsan_func_entry" });
        @export(&nothing, .{ .name = "__tsan_func_exit" });
        @export(&nothing, .{ .name = "__tsan_ignore_thread_begin" });
        @export(&nothing, .{ .name = "__tsan_ignore_thread_end" });
        @export(&nothing2, .{ .name = "__tsan_vptr_update" });
        @export(&nothingPc, .{ .name = "__tsan_vptr_read" });
        @export(&fence, .{ .name = "__tsan_atomic_thread_fence" });
        @export(&fence, .{ .name = "__tsan_atomic_signal_fence" });
        for (.{ u8, u16, u32, u64 }) |T| {
            const n = std.fmt.comptimePrint("__tsan_atomic{d}_", .{@bitSizeOf(T)});
            const A = Atomic(T);
            @export(&A.load, .{ .name = n ++ "load" });
            @export(&A.store, .{ .name = n ++ "store" });
            for (std.meta.tags(Rmw)) |op| @export(&A.rmw(op).hook, .{ .name = n ++ @tagName(op) });
            @export(&A.casStrong, .{ .name = n ++ "compare_exchange_strong" });
            @export(&A.casStrong, .{ .name = n ++ "compare_exchange_weak" });
            @export(&A.casVal, .{ .name = n ++ "compare_exchange_val" });
        }
    }
}

test "a log whose reads would get their values again is stuck; a value changed since is not" {
    var flag: u32 = 0;
    var other: u64 = 7;
    var l = Log{};
    try std.testing.expect(!stuckLog(&l));
    remember(&l, .{ .addr = @intFromPtr(&flag), .size = 4, .site = 10, .stack = 5, .value = valueAt(@intFromPtr(&flag), 4) });
    remember(&l, .{ .addr = @intFromPtr(&other), .size = 8, .site = 11, .stack = 5, .value = valueAt(@intFromPtr(&other), 8) });
    try std.testing.expect(stuckLog(&l));
    flag = 1;
    try std.testing.expect(!stuckLog(&l));
    flag = 0;
    other = 8;
    try std.testing.expect(!stuckLog(&l));
}

test "coming back to a read with the same stack, nothing written, spins" {
    var l = Log{};
    remember(&l, .{ .addr = 0x1000, .size = 4, .site = 10, .stack = 5 });
    remember(&l, .{ .addr = 0x2000, .size = 4, .site = 11, .stack = 5 });
    try std.testing.expect(spins(&l, 0x1000, 4, 10, 5));
    try std.testing.expect(spins(&l, 0x2000, 4, 11, 5));
    // Another call site, address or size, or another stack (a local changed): a new iteration.
    try std.testing.expect(!spins(&l, 0x1000, 4, 12, 5));
    try std.testing.expect(!spins(&l, 0x1004, 4, 10, 5));
    try std.testing.expect(!spins(&l, 0x1000, 8, 10, 5));
    try std.testing.expect(!spins(&l, 0x1000, 4, 10, 6));
    // A write forgets the log.
    l.n = 0;
    try std.testing.expect(!spins(&l, 0x1000, 4, 10, 5));
}
