//! The entry points of the visible operations, as programs call them (include/isomc.h renames
//! each declaration to isomc_entry_NAME with an asm label). Each zeroes the stack below its
//! caller, then jumps to the operation (api.zig).
//!
//! Why: while an actor waits at a visible operation, its stack from the saved stack pointer up
//! is program state, and the checker hashes it. The runtime's frames are part of it, and a
//! frame does not write every byte it spans: what a slot it leaves alone holds is whatever
//! some earlier call left there (the frames of the previous operation, of a printf, of the
//! first lap of a loop or of none). Two states that differ only in such leftovers would be
//! told apart. Zeroing the stack the runtime is about to use makes its frames depend only on
//! the operation and its arguments. Only under the checker: alone, under valgrind, reading
//! below the stack pointer would be reported.

const std = @import("std");
const builtin = @import("builtin");

/// How much of the stack below the caller is cleared: more than the runtime's frames need up
/// to the point where the actor is parked (a few hundred bytes).
pub const window = 4096;

/// Set under the checker (kernel.zig's connect).
export var isomc_entry_scrub: u8 = 0;

/// The operations that can park the calling actor.
const visible = [_][]const u8{
    "yield",         "random",         "send",           "recv",            "isend",
    "irecv",         "wait",           "test",           "waitany",         "mutex_lock",
    "mutex_trylock", "mutex_unlock",   "sem_acquire",    "sem_release",     "cond_wait",
    "cond_signal",   "cond_broadcast", "barrier_wait",   "load",            "store",
    "fetch_add",     "cas",
};

fn stub(comptime name: []const u8) []const u8 {
    const entry = "isomc_entry_" ++ name;
    return std.fmt.comptimePrint(
        \\.text
        \\.globl {[e]s}
        \\.type {[e]s}, @function
        \\{[e]s}:
        \\  cmpb $0, isomc_entry_scrub(%rip)
        \\  je 3f
        \\  leaq -{[w]d}(%rsp), %r10
        \\1:
        \\  cmpq $0, (%r10)
        \\  je 2f
        \\  movq $0, (%r10)
        \\2:
        \\  addq $8, %r10
        \\  cmpq %rsp, %r10
        \\  jb 1b
        \\3:
        \\  jmp isomc_{[n]s}
        \\.size {[e]s}, .-{[e]s}
        \\
    , .{ .e = entry, .n = name, .w = window });
}

comptime {
    // Only the words that are not zero are written: a page written for nothing would cost the
    // checker a page read at the next snapshot. The argument registers are left alone.
    @setEvalBranchQuota(100_000);
    for (visible) |name| asm (stub(name));
    if (builtin.is_test) asm (stub("probe"));
}

/// Turns the clearing on (checker mode).
pub fn enable() void {
    isomc_entry_scrub = 1;
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

/// Called through isomc_entry_probe: how many of the bytes below its own frame, within the
/// window, are not zero.
export fn isomc_probe(depth: usize) callconv(.c) usize {
    const sp = asm volatile ("movq %%rsp, %[sp]"
        : [sp] "=r" (-> usize),
    );
    // Stay clear of the probe's own frame and of the window's far end.
    const below: [*]const volatile u8 = @ptrFromInt(sp - depth);
    var dirty: usize = 0;
    for (0..depth - 64) |i| dirty += @intFromBool(below[i] != 0);
    return dirty;
}

extern fn isomc_entry_probe(depth: usize) callconv(.c) usize;

/// Leaves garbage on the stack below the caller, as an earlier call would.
noinline fn scribble() void {
    var junk: [window]u8 = undefined;
    @memset(&junk, 0xa5);
    std.mem.doNotOptimizeAway(&junk);
}

test "an entry point clears the stack below its caller, under the checker only" {
    const saved = isomc_entry_scrub;
    defer isomc_entry_scrub = saved;
    isomc_entry_scrub = 0;
    scribble();
    try testing.expect(isomc_entry_probe(window / 2) > 0);
    isomc_entry_scrub = 1;
    scribble();
    try testing.expectEqual(@as(usize, 0), isomc_entry_probe(window / 2));
}
