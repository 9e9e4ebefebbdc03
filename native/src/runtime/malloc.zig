//! The program's malloc family, and its mmap family. Under the checker every allocation comes
//! from the arena of the actor that makes it (main's arena outside actors): one slot each of a
//! single address-space reservation, so an allocation's address depends only on its actor's
//! history (arena.zig). Run on its own or replayed, the program gets glibc's malloc untouched,
//! which valgrind watches. Memory allocated before isomc_init, by glibc, is given back to glibc.
//!
//! mmap, munmap and mremap are wrapped only to tell the checker that the mappings changed.

const std = @import("std");
const linux = std.os.linux;
const arena_mod = @import("arena.zig");

const Arena = arena_mod.Arena;

extern "c" fn __libc_malloc(size: usize) ?*anyopaque;
extern "c" fn __libc_free(ptr: ?*anyopaque) void;
extern "c" fn __libc_calloc(n: usize, size: usize) ?*anyopaque;
extern "c" fn __libc_realloc(ptr: ?*anyopaque, size: usize) ?*anyopaque;
extern "c" fn __libc_memalign(alignment: usize, size: usize) ?*anyopaque;
extern "c" fn dlsym(handle: ?*anyopaque, name: [*:0]const u8) ?*anyopaque;

/// One slot per arena; slot 0 is main's, slot i is actor i's.
pub const slot_size: usize = 1 << 30;
pub const slot_count: usize = 1 << 14;

const Arenas = struct {
    base: usize,
    /// Arenas made so far (slots are used in order, as actors are created).
    arenas: []?*Arena,
    /// Returns the slot of the running actor (0 outside actors).
    current: *const fn () usize,
    epoch: *u64,
    backing: std.mem.Allocator,
};

var state: ?Arenas = null;

/// Turns the arenas on (checker mode). `current` gives the running actor's id.
pub fn enable(epoch: *u64, backing: std.mem.Allocator, current: *const fn () usize) !void {
    const rc = linux.mmap(null, slot_size * slot_count, linux.PROT.NONE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true }, -1, 0);
    if (linux.E.init(rc) != .SUCCESS) return error.OutOfMemory;
    epoch.* +%= 1;
    const arenas = try backing.alloc(?*Arena, slot_count);
    @memset(arenas, null);
    state = .{ .base = rc, .arenas = arenas, .current = current, .epoch = epoch, .backing = backing };
    main_thread = pthread_self();
}

fn arenaOfSlot(s: *Arenas, slot: usize) ?*Arena {
    if (slot >= slot_count) return arenaOfSlot(s, 0);
    if (s.arenas[slot]) |a| return a;
    const a = s.backing.create(Arena) catch return null;
    a.* = Arena.within(s.base + slot * slot_size, slot_size, s.epoch);
    s.arenas[slot] = a;
    return a;
}

/// The thread the runtime runs on; set by enable().
var main_thread: usize = 0;
extern "c" fn pthread_self() usize;

/// Another OS thread (a pthread the program made, which the runtime reports as soon as it calls
/// an isomc function) gets glibc's malloc: the arenas are not thread-safe.
fn foreign() bool {
    return pthread_self() != main_thread;
}

fn currentArena() ?*Arena {
    const s = if (state) |*x| x else return null;
    if (foreign()) return null;
    return arenaOfSlot(s, s.current());
}

/// Is [start, end) inside the arenas' reservation? Such memory is given back by making it
/// inaccessible again, never unmapped: the reservation must stay whole.
pub fn reserved(start: usize, end: usize) bool {
    const s = state orelse return false;
    return start >= s.base and end <= s.base + slot_size * slot_count;
}

/// The arena a block belongs to, or null when glibc's malloc made it.
fn ownerOf(ptr: *const anyopaque) ?*Arena {
    const s = if (state) |*x| x else return null;
    const p = @intFromPtr(ptr);
    if (p < s.base or p >= s.base + slot_size * slot_count) return null;
    return s.arenas[(p - s.base) / slot_size];
}

export fn malloc(size: usize) ?*anyopaque {
    const a = currentArena() orelse return __libc_malloc(size);
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
    const a = currentArena() orelse return __libc_calloc(n, size);
    const total = std.math.mul(usize, n, size) catch return setNoMem();
    const p = a.alloc(total) orelse return setNoMem();
    @memset(p[0..total], 0);
    return @ptrCast(p);
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
    const a = currentArena() orelse return __libc_memalign(alignment, size);
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
    if (state) |s| s.epoch.* +%= 1;
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
