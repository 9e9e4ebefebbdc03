//! The program's malloc family, and its mmap family. Under the checker every allocation comes
//! from the arena of the actor that makes it (main's arena outside actors): one slot each of a
//! single address-space reservation, so an allocation's address depends only on its actor's
//! history, and a block another actor frees goes back to its owner's sorted free list
//! (arena.zig). Run on its own or replayed, the program gets glibc's malloc untouched,
//! which valgrind watches. Memory allocated before isomc_init, by glibc, is given back to glibc.
//!
//! mmap, munmap and mremap are wrapped only to tell the checker that the mappings changed.

const std = @import("std");
const linux = std.os.linux;
const arena_mod = @import("arena.zig");
const Slots = @import("slots.zig").Slots;

const Arena = arena_mod.Arena;

extern "c" fn __libc_malloc(size: usize) ?*anyopaque;
extern "c" fn __libc_free(ptr: ?*anyopaque) void;
extern "c" fn __libc_calloc(n: usize, size: usize) ?*anyopaque;
extern "c" fn __libc_realloc(ptr: ?*anyopaque, size: usize) ?*anyopaque;
extern "c" fn __libc_memalign(alignment: usize, size: usize) ?*anyopaque;
extern "c" fn dlsym(handle: ?*anyopaque, name: [*:0]const u8) ?*anyopaque;

/// One slot per arena; slot 0 is main's, slot i is actor i's (slots.zig). The runtime
/// keeps the objects an actor creates in its arena too (kernel.zig).
pub const slot_size: usize = 1 << 30;
pub const slot_count: usize = Slots.max_count;

const Arenas = struct {
    slots: Slots,
    /// Returns the slot of the running actor (0 outside actors).
    current: *const fn () usize,
};

var state: ?Arenas = null;

/// Turns the arenas on (checker mode). `current` gives the running actor's id.
pub fn enable(epoch: *u64, current: *const fn () usize) !void {
    state = .{ .slots = try Slots.init(slot_size, slot_count, epoch), .current = current };
    main_thread = pthread_self();
}

/// The arena of an actor (0: main's), set up at its first use; null outside checker mode or
/// when its first page cannot be mapped.
pub fn arenaOf(slot: usize) ?*Arena {
    const s = if (state) |*x| x else return null;
    return s.slots.get(slot) catch null;
}

/// The thread the runtime runs on; set by enable().
var main_thread: usize = 0;
/// Not the C function: programs get the runtime's own (pthread.zig), which names actors.
const pthread_self = @import("os_thread.zig").current;

/// Another OS thread (a pthread the program made, which the runtime reports as soon as it calls
/// an isomc function) gets glibc's malloc: the arenas are not thread-safe.
fn foreign() bool {
    return pthread_self() != main_thread;
}

/// Whether glibc's malloc serves this call: outside checker mode, or on another OS thread.
fn glibcServes() bool {
    return state == null or foreign();
}

/// Where the running actor allocates; null outside checker mode, on another OS thread, or
/// when the arena's first page cannot be mapped.
fn currentArena() ?*Arena {
    const s = if (state) |*x| x else return null;
    if (foreign()) return null;
    return s.slots.get(s.current()) catch null;
}

/// Is [start, end) inside the arenas' reservation? Such memory is given back by making it
/// inaccessible again, never unmapped: the reservation must stay whole.
pub fn reserved(start: usize, end: usize) bool {
    const s = state orelse return false;
    return s.slots.contains(start, end);
}

/// The arena a block belongs to, or null when glibc's malloc made it.
fn ownerOf(ptr: *const anyopaque) ?*Arena {
    const s = if (state) |*x| x else return null;
    return s.slots.owner(@intFromPtr(ptr));
}

/// malloc, for the runtime (from the running actor's arena, main's outside actors).
pub fn allocate(size: usize) ?*anyopaque {
    return malloc(size);
}

export fn malloc(size: usize) ?*anyopaque {
    if (glibcServes()) return __libc_malloc(size);
    const a = currentArena() orelse return setNoMem();
    return @ptrCast(a.alloc(size) orelse return setNoMem());
}

export fn free(ptr: ?*anyopaque) void {
    const p = ptr orelse return;
    if (ownerOf(p)) |a| {
        // Freed by another thread: left alone rather than raced into an arena.
        if (foreign()) return;
        return a.free(@ptrCast(p));
    }
    __libc_free(p);
}

export fn calloc(n: usize, size: usize) ?*anyopaque {
    if (glibcServes()) return __libc_calloc(n, size);
    const a = currentArena() orelse return setNoMem();
    const total = std.math.mul(usize, n, size) catch return setNoMem();
    // Arena memory is handed out zeroed (arena.zig).
    return @ptrCast(a.alloc(total) orelse return setNoMem());
}

export fn realloc(ptr: ?*anyopaque, size: usize) ?*anyopaque {
    const old = ptr orelse return malloc(size);
    const owner = ownerOf(old) orelse return __libc_realloc(old, size);
    if (size == 0) {
        free(old);
        return null;
    }
    const have = Arena.usableSize(@ptrCast(old));
    if (size <= have and owner == currentArena()) return old;
    const fresh = malloc(size) orelse return null;
    const bytes: [*]u8 = @ptrCast(fresh);
    @memcpy(bytes[0..@min(have, size)], @as([*]const u8, @ptrCast(old))[0..@min(have, size)]);
    free(old);
    return fresh;
}

export fn reallocarray(ptr: ?*anyopaque, n: usize, size: usize) ?*anyopaque {
    const total = std.math.mul(usize, n, size) catch return setNoMem();
    return realloc(ptr, total);
}

export fn memalign(alignment: usize, size: usize) ?*anyopaque {
    if (!std.math.isPowerOfTwo(alignment)) return setErrno(.INVAL);
    if (glibcServes()) return __libc_memalign(alignment, size);
    const a = currentArena() orelse return setNoMem();
    return @ptrCast(a.allocAligned(size, alignment) orelse return setNoMem());
}

export fn aligned_alloc(alignment: usize, size: usize) ?*anyopaque {
    return memalign(alignment, size);
}

export fn posix_memalign(out: *?*anyopaque, alignment: usize, size: usize) c_int {
    if (!std.math.isPowerOfTwo(alignment) or alignment % @sizeOf(usize) != 0) return @intFromEnum(linux.E.INVAL);
    out.* = memalign(alignment, size) orelse return @intFromEnum(linux.E.NOMEM);
    return 0;
}

export fn valloc(size: usize) ?*anyopaque {
    return memalign(arena_mod.page_size, size);
}

export fn pvalloc(size: usize) ?*anyopaque {
    return memalign(arena_mod.page_size, std.mem.alignForward(usize, size, arena_mod.page_size));
}

var libc_usable_size: ?*const fn (?*anyopaque) callconv(.c) usize = null;

export fn malloc_usable_size(ptr: ?*anyopaque) usize {
    const p = ptr orelse return 0;
    if (ownerOf(p) != null) return Arena.usableSize(@ptrCast(p));
    if (libc_usable_size == null) {
        const next: ?*anyopaque = @ptrFromInt(std.math.maxInt(usize)); // RTLD_NEXT
        libc_usable_size = @ptrCast(dlsym(next, "malloc_usable_size") orelse return 0);
    }
    return libc_usable_size.?(p);
}

fn setNoMem() ?*anyopaque {
    return setErrno(.NOMEM);
}

fn setErrno(e: linux.E) ?*anyopaque {
    std.c._errno().* = @intFromEnum(e);
    return null;
}

// ---- mmap family: tell the checker the mappings changed ----------------------------------

fn mappingsChanged() void {
    if (state) |s| s.slots.epoch.* +%= 1;
}

fn syscallResult(rc: usize) isize {
    const e = linux.E.init(rc);
    if (e != .SUCCESS) {
        std.c._errno().* = @intFromEnum(e);
        return -1;
    }
    return @bitCast(rc);
}

export fn mmap(addr: ?*anyopaque, len: usize, prot: c_int, flags: c_int, fd: c_int, offset: i64) ?*anyopaque {
    const rc = linux.syscall6(.mmap, @intFromPtr(addr), len, @bitCast(@as(isize, prot)), @bitCast(@as(isize, flags)), @bitCast(@as(isize, fd)), @bitCast(offset));
    mappingsChanged();
    const r = syscallResult(rc);
    return if (r == -1) @ptrFromInt(std.math.maxInt(usize)) else @ptrFromInt(@as(usize, @bitCast(r)));
}

export fn mmap64(addr: ?*anyopaque, len: usize, prot: c_int, flags: c_int, fd: c_int, offset: i64) ?*anyopaque {
    return mmap(addr, len, prot, flags, fd, offset);
}

export fn munmap(addr: ?*anyopaque, len: usize) c_int {
    mappingsChanged();
    return @intCast(syscallResult(linux.syscall2(.munmap, @intFromPtr(addr), len)));
}

export fn mprotect(addr: ?*anyopaque, len: usize, prot: c_int) c_int {
    mappingsChanged();
    return @intCast(syscallResult(linux.syscall3(.mprotect, @intFromPtr(addr), len, @bitCast(@as(isize, prot)))));
}
