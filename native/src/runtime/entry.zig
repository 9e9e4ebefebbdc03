//! The entry points of the API, as programs call them (include/isomc.h renames each
//! declaration to isomc_entry_NAME with an asm label). Under the checker each zeroes the stack
//! below its caller, calls the function (api.zig), zeroes again what the runtime's frames
//! left there, and returns.
//!
//! Why: while an actor waits at a visible operation, its stack from the saved stack pointer up
//! is program state, and the checker hashes it. A frame does not write every byte it spans:
//! what a slot it leaves alone holds is whatever an earlier call left there — the runtime's
//! frames of the previous operation, or nothing on the first lap of a loop. So equal states
//! differed, both in the runtime's frames of the operation an actor waits in (cleared on the
//! way in) and in the frames of the program's own functions called after an operation
//! returned (cleared on the way out). What the program's other calls (glibc's, malloc's) leave
//! in its own frames is the program's. Only under the checker: alone, under valgrind, reading
//! below the stack pointer would be reported.

const std = @import("std");
const builtin = @import("builtin");

/// How much of the stack below the caller is cleared: more than the runtime's frames use
/// during a call (a few hundred bytes up to the point where the actor is parked).
pub const window = 4096;

/// Set under the checker (kernel.zig's connect).
export var isomc_entry_scrub: u8 = 0;

/// Every API function a program calls from an actor, but isomc_assert_fail (it does not
/// return) and isomc_init and isomc_run (main's).
const functions = [_][]const u8{
    "yield",         "random",         "send",           "recv",         "isend",
    "irecv",         "wait",           "test",           "waitany",      "mutex_lock",
    "mutex_trylock", "mutex_unlock",   "sem_acquire",    "sem_release",  "cond_wait",
    "cond_signal",   "cond_broadcast", "barrier_wait",   "load",         "store",
    "fetch_add",     "cas",            "mailbox",        "actor_create", "mutex_create",
    "sem_create",    "cond_create",    "barrier_create", "prop",         "self",
    "actor_name",
};

/// Zeroes the words of [rsp - window, rsp) that are not zero (a page written for nothing
/// would cost the checker a page read at the next snapshot). Uses r10 and r11 only: the
/// argument registers and the return value stay.
const scrub = std.fmt.comptimePrint(
    \\  leaq -{d}(%rsp), %r10
    \\1:
    \\  movq (%r10), %r11
    \\  testq %r11, %r11
    \\  je 2f
    \\  movq $0, (%r10)
    \\2:
    \\  addq $8, %r10
    \\  cmpq %rsp, %r10
    \\  jb 1b
    \\
, .{window});

fn stub(comptime name: []const u8) []const u8 {
    const entry = "isomc_entry_" ++ name;
    // The 8 bytes below the return address keep the callee's stack 16-byte aligned.
    return ".text\n.globl " ++ entry ++ "\n.type " ++ entry ++ ", @function\n" ++ entry ++ ":\n" ++
        \\  .cfi_startproc
        \\  cmpb $0, isomc_entry_scrub(%rip)
        \\  je 3f
        \\
    ++ scrub ++
        \\  subq $8, %rsp
        \\  .cfi_adjust_cfa_offset 8
        \\
    ++ "  call isomc_" ++ name ++ "\n" ++
        \\  addq $8, %rsp
        \\  .cfi_adjust_cfa_offset -8
        \\
    ++ scrub ++
        \\  ret
        \\3:
        \\
    ++ "  jmp isomc_" ++ name ++ "\n" ++
        \\  .cfi_endproc
        \\
    ++ ".size " ++ entry ++ ", .-" ++ entry ++ "\n";
}

comptime {
    @setEvalBranchQuota(100_000);
    for (functions) |name| asm (stub(name));
    if (builtin.is_test) asm (stub("probe"));
}

/// Turns the clearing on (checker mode).
pub fn enable() void {
    isomc_entry_scrub = 1;
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

/// Called through isomc_entry_probe: how many of the bytes below its own frame, within the
/// window, are not zero; then it leaves garbage there, as the runtime's frames would.
export fn isomc_probe(depth: usize) callconv(.c) usize {
    const sp = asm volatile ("movq %%rsp, %[sp]"
        : [sp] "=r" (-> usize),
    );
    // Stay clear of the probe's own frame and of the window's far end.
    const below: [*]volatile u8 = @ptrFromInt(sp - depth);
    var dirty: usize = 0;
    for (0..depth - 64) |i| dirty += @intFromBool(below[i] != 0);
    for (0..depth - 64) |i| below[i] = 0x3c;
    return dirty;
}

extern fn isomc_entry_probe(depth: usize) callconv(.c) usize;

/// Leaves garbage on the stack below the caller, as an earlier call would.
noinline fn scribble() void {
    var junk: [window]u8 = undefined;
    @memset(&junk, 0xa5);
    std.mem.doNotOptimizeAway(&junk);
}

/// How many bytes below the caller's frame are not zero.
noinline fn dirtyBelow(depth: usize) usize {
    const sp = asm volatile ("movq %%rsp, %[sp]"
        : [sp] "=r" (-> usize),
    );
    const below: [*]const volatile u8 = @ptrFromInt(sp - depth);
    var dirty: usize = 0;
    for (0..depth - 64) |i| dirty += @intFromBool(below[i] != 0);
    return dirty;
}

test "an entry point clears the stack below its caller on the way in and out, under the checker only" {
    const saved = isomc_entry_scrub;
    defer isomc_entry_scrub = saved;
    isomc_entry_scrub = 0;
    scribble();
    try testing.expect(isomc_entry_probe(window / 2) > 0);
    isomc_entry_scrub = 1;
    scribble();
    try testing.expectEqual(@as(usize, 0), isomc_entry_probe(window / 2));
    // What the probe left below itself is gone once it returned through its entry point.
    try testing.expectEqual(@as(usize, 0), dirtyBelow(window / 2));
    isomc_entry_scrub = 0;
    _ = isomc_entry_probe(window / 2);
    try testing.expect(dirtyBelow(window / 2) > 0);
}
