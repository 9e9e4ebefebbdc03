//! The entry points of the API, as programs call them (include/isomc.h renames each
//! declaration to isomc_entry_NAME with an asm label). Under the checker each zeroes the stack
//! below its caller and the scratch registers that carry no argument, calls the function
//! (api.zig), zeroes again what the runtime's frames left there and the scratch registers that
//! carry no result, and returns.
//!
//! Why: while an actor waits at a visible operation, its stack from the saved stack pointer up
//! is program state, and the checker hashes it. A frame does not write every byte it spans:
//! what a slot it leaves alone holds is whatever an earlier call left there — the runtime's
//! frames of the previous operation, or nothing on the first lap of a loop. So equal states
//! differed, both in the runtime's frames of the operation an actor waits in (cleared on the
//! way in) and in the frames of the program's own functions called after an operation
//! returned (cleared on the way out). Registers too: a function's prologue may push a scratch
//! register that holds no argument to align its frame (`push %rax`), storing whatever the
//! caller left there, and a program's function called after a void operation may do the same
//! with what the runtime left in it; so on the way in the registers that carry no argument are
//! zeroed, and on the way out those that carry no result. What the program's other calls
//! (glibc's, malloc's) leave in its own frames is the program's. Only under the checker: alone,
//! under valgrind, reading below the stack pointer would be reported.
//!
//! The program's call site: under the checker an API function is called from its stub, so its
//! @returnAddress() points into the stub. The stub pushes a copy of the program's return
//! address as the word that keeps the callee's stack aligned, right above the callee's own
//! return address: an API function gets the program's call site, with or without the checker,
//! as `entry.callSite(@returnAddress(), @frameAddress())` (the runtime keeps frame pointers,
//! build.zig). The copy adds nothing to the state: it equals the word above it, and it is
//! cleared with the rest of the window on the way out.

const std = @import("std");
const builtin = @import("builtin");

/// How much of the stack below the caller is cleared: more than the runtime's frames use
/// during a call (a few hundred bytes up to the point where the actor is parked).
pub const window = 4096;

/// Set under the checker (startup.zig's connect). Hidden: the stubs read it PC-relative, which
/// a shared library (libisomc_preload.so) allows only for a symbol nobody else can define.
var isomc_entry_scrub: u8 = 0;
comptime {
    @export(&isomc_entry_scrub, .{ .name = "isomc_entry_scrub", .visibility = .hidden });
}

/// An API function a program calls: its name after isomc_, how many (integer) arguments it
/// takes, and whether it returns a value (in rax).
const Function = struct { name: []const u8, args: u3, returns: bool };

fn f(name: []const u8, args: u3, returns: bool) Function {
    return .{ .name = name, .args = args, .returns = returns };
}

/// Every API function a program calls from an actor, but isomc_assert_fail (it does not
/// return) and isomc_init and isomc_run (main's); as include/isomc.h declares them.
const functions = [_]Function{
    f("yield", 0, false),         f("random", 2, true),          f("send", 3, false),
    f("recv", 3, true),           f("isend", 3, true),           f("irecv", 3, true),
    f("wait", 1, true),           f("test", 1, true),            f("waitany", 2, true),
    f("mutex_lock", 1, false),    f("mutex_trylock", 1, true),   f("mutex_unlock", 1, false),
    f("sem_acquire", 1, false),   f("sem_release", 1, false),    f("cond_wait", 2, false),
    f("cond_signal", 1, false),   f("cond_broadcast", 1, false), f("barrier_wait", 1, true),
    f("load", 1, true),           f("store", 2, false),          f("fetch_add", 2, true),
    f("cas", 3, true),            f("mailbox", 1, true),         f("actor_create", 3, true),
    f("mutex_create", 0, true),   f("sem_create", 1, true),      f("cond_create", 0, true),
    f("barrier_create", 1, true), f("prop", 2, false),           f("progress", 0, false),
    f("self", 0, true),           f("actor_name", 0, true),
};

/// The integer argument registers, in order (System V x86-64).
const argument_registers = [_][]const u8{ "edi", "esi", "edx", "ecx", "r8d", "r9d" };

/// Zeroes the scratch registers that carry none of the first `args` arguments (rax carries the
/// count of vector arguments only for variadic functions, which the API has none of).
fn clearIn(comptime args: u3) []const u8 {
    var out: []const u8 = "  xorl %eax, %eax\n  xorl %r10d, %r10d\n  xorl %r11d, %r11d\n";
    for (argument_registers[args..]) |r| out = out ++ "  xorl %" ++ r ++ ", %" ++ r ++ "\n";
    return out;
}

/// Zeroes the scratch registers that carry no result: all but rax, and rax too after a void
/// function.
fn clearOut(comptime returns: bool) []const u8 {
    var out: []const u8 = "  xorl %r10d, %r10d\n  xorl %r11d, %r11d\n";
    for (argument_registers) |r| out = out ++ "  xorl %" ++ r ++ ", %" ++ r ++ "\n";
    if (!returns) out = out ++ "  xorl %eax, %eax\n";
    return out;
}

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

fn stub(comptime function: Function) []const u8 {
    const name = function.name;
    const entry = "isomc_entry_" ++ name;
    // The 8 bytes below the return address keep the callee's stack 16-byte aligned; they hold
    // a copy of the return address, for callSite.
    return ".globl " ++ entry ++ "\n.type " ++ entry ++ ", @function\n" ++ entry ++ ":\n" ++
        \\  .cfi_startproc
        \\  cmpb $0, isomc_entry_scrub(%rip)
        \\  je 3f
        \\
    ++ scrub ++ clearIn(function.args) ++
        \\  pushq (%rsp)
        \\  .cfi_adjust_cfa_offset 8
        \\
    ++ "  call isomc_" ++ name ++ "\n" ++
        \\  addq $8, %rsp
        \\  .cfi_adjust_cfa_offset -8
        \\
    ++ scrub ++ clearOut(function.returns) ++
        \\  ret
        \\3:
        \\
    ++ "  jmp isomc_" ++ name ++ "\n" ++
        \\  .cfi_endproc
        \\
    ++ ".size " ++ entry ++ ", .-" ++ entry ++ "\n";
}

/// The stubs, in one block of .text between isomc_entry_begin and isomc_entry_end, so that
/// callSite can tell a return address inside a stub.
fn stubs() []const u8 {
    var out: []const u8 = ".text\n.globl isomc_entry_begin\nisomc_entry_begin:\n";
    for (functions) |function| out = out ++ stub(function);
    if (builtin.is_test) {
        for ([_]Function{ f("probe", 1, true), f("regprobe", 1, true), f("regprobe_void", 1, false), f("siteprobe", 0, true) }) |function|
            out = out ++ stub(function);
    }
    return out ++ ".globl isomc_entry_end\nisomc_entry_end:\n";
}

comptime {
    @setEvalBranchQuota(200_000);
    asm (stubs());
    if (builtin.is_test) asm (register_tests ++ site_tests);
}

extern const isomc_entry_begin: u8;
extern const isomc_entry_end: u8;

/// The program's call site of the API function whose @returnAddress() and @frameAddress() are
/// given: the return address itself when the call did not come through a stub (no checker, or
/// a call from inside the runtime), else the copy the stub pushed above it.
pub fn callSite(return_address: usize, frame_address: usize) usize {
    const begin = @intFromPtr(&isomc_entry_begin);
    const end = @intFromPtr(&isomc_entry_end);
    if (return_address < begin or return_address >= end) return return_address;
    // The frame: saved rbp at frame_address, the return into the stub above it, the copy above.
    const words: [*]const usize = @ptrFromInt(frame_address);
    std.debug.assert(words[1] == return_address);
    return words[2];
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

/// For the register test: isomc_regprobe returns the OR of the scratch registers other than
/// its argument as it found them; isomc_regprobe_void leaves junk in rax, as a void function
/// may. isomc_test_regs(which) fills the scratch registers with junk, calls the entry point of
/// one (0: regprobe, 1: regprobe_void) and answers bit 0: rax after the call is not zero (junk
/// seen inside, or left by the void function), bit 1: a scratch register other than rax holds
/// junk after the call.
const register_tests =
    \\.text
    \\.globl isomc_regprobe
    \\.type isomc_regprobe, @function
    \\isomc_regprobe:
    \\  orq %rsi, %rax
    \\  orq %rdx, %rax
    \\  orq %rcx, %rax
    \\  orq %r8, %rax
    \\  orq %r9, %rax
    \\  orq %r10, %rax
    \\  orq %r11, %rax
    \\  ret
    \\.size isomc_regprobe, .-isomc_regprobe
    \\.globl isomc_regprobe_void
    \\.type isomc_regprobe_void, @function
    \\isomc_regprobe_void:
    \\  movq $0x99, %rax
    \\  ret
    \\.size isomc_regprobe_void, .-isomc_regprobe_void
    \\.globl isomc_test_regs
    \\.type isomc_test_regs, @function
    \\isomc_test_regs:
    \\  pushq %rbx
    \\  pushq %r12
    \\  pushq %r13
    \\  movq %rdi, %rbx
    \\  movq $0x11, %rax
    \\  movq $0x22, %rsi
    \\  movq $0x33, %rdx
    \\  movq $0x44, %rcx
    \\  movq $0x55, %r8
    \\  movq $0x66, %r9
    \\  movq $0x77, %r10
    \\  movq $0x88, %r11
    \\  movl $1, %edi
    \\  testq %rbx, %rbx
    \\  jnz 1f
    \\  call isomc_entry_regprobe
    \\  jmp 2f
    \\1:
    \\  call isomc_entry_regprobe_void
    \\2:
    \\  movq %rax, %r12
    \\  movq %rcx, %rax
    \\  orq %rdx, %rax
    \\  orq %rsi, %rax
    \\  orq %rdi, %rax
    \\  orq %r8, %rax
    \\  orq %r9, %rax
    \\  orq %r10, %rax
    \\  orq %r11, %rax
    \\  xorl %r13d, %r13d
    \\  testq %rax, %rax
    \\  jz 3f
    \\  orq $2, %r13
    \\3:
    \\  testq %r12, %r12
    \\  jz 4f
    \\  orq $1, %r13
    \\4:
    \\  movq %r13, %rax
    \\  popq %r13
    \\  popq %r12
    \\  popq %rbx
    \\  ret
    \\.size isomc_test_regs, .-isomc_test_regs
    \\
;

extern fn isomc_test_regs(which: usize) callconv(.c) usize;

/// For the call-site test: isomc_siteprobe answers its call site, as an API function would
/// find it; isomc_test_site calls it through its entry point and answers the difference
/// between that and the address the call returns to (0 when they agree).
export fn isomc_siteprobe() callconv(.c) usize {
    return callSite(@returnAddress(), @frameAddress());
}

const site_tests =
    \\.text
    \\.globl isomc_test_site
    \\.type isomc_test_site, @function
    \\isomc_test_site:
    \\  subq $8, %rsp
    \\  call isomc_entry_siteprobe
    \\1:
    \\  leaq 1b(%rip), %rcx
    \\  subq %rcx, %rax
    \\  addq $8, %rsp
    \\  ret
    \\.size isomc_test_site, .-isomc_test_site
    \\
;

extern fn isomc_test_site() callconv(.c) usize;

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

test "an entry point clears the scratch registers that carry no argument on the way in and no result on the way out, under the checker only" {
    const saved = isomc_entry_scrub;
    defer isomc_entry_scrub = saved;
    isomc_entry_scrub = 0;
    try testing.expectEqual(@as(usize, 3), isomc_test_regs(0));
    try testing.expectEqual(@as(usize, 3), isomc_test_regs(1));
    isomc_entry_scrub = 1;
    try testing.expectEqual(@as(usize, 0), isomc_test_regs(0));
    try testing.expectEqual(@as(usize, 0), isomc_test_regs(1));
}

test "an API function finds the program's call site through its entry point, with the checker or without" {
    const saved = isomc_entry_scrub;
    defer isomc_entry_scrub = saved;
    isomc_entry_scrub = 0;
    try testing.expectEqual(@as(usize, 0), isomc_test_site());
    isomc_entry_scrub = 1;
    try testing.expectEqual(@as(usize, 0), isomc_test_site());
}
