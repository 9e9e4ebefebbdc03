//! Crash reports from inside the program. A fatal signal (segmentation fault, abort, illegal
//! instruction...) first runs this handler, on a signal stack of its own so that an overflowed
//! stack can still be reported. It tells a stack overflow from other faults — the fault is in
//! the running stack's guard region, or the stack pointer itself has left the stack (a frame
//! larger than the guard) — and hands what it found to the mode's reporter: under the checker a
//! CRASH frame (the checker need not be the program's parent to know how it died: a forked copy
//! of a checkpoint is not its child), on its own a line on stderr for an overflow. Then the
//! signal takes its default action, so the process still dies of it.

const std = @import("std");
const linux = std.os.linux;
const protocol = @import("protocol");

/// A stack and the inaccessible region below it: [guard_lo, lo) guard, [lo, hi) usable.
pub const StackBounds = struct { guard_lo: usize, lo: usize, hi: usize };

/// What the handler asks the runtime; each runs inside the signal handler and may only read.
pub const Hooks = struct {
    /// The running actor's id, 0 for main.
    actor: *const fn () u32,
    /// The running actor's stack, or null when main runs.
    stack: *const fn () ?StackBounds,
    steps: *const fn () u32,
    /// Says what happened (sends CRASH, or prints): async-signal-safe code only.
    report: *const fn (protocol.Crash) void,
};

/// What the handler needs, set once by install(); a signal handler can reach nothing else.
var hooks: ?Hooks = null;
/// Main's stack (the process stack), when its limit is known.
var main_stack: ?StackBounds = null;

const fatal_signals = [_]u6{ linux.SIG.SEGV, linux.SIG.BUS, linux.SIG.ILL, linux.SIG.FPE, linux.SIG.ABRT, linux.SIG.TRAP, linux.SIG.SYS };

pub fn install(altstack: []u8, h: Hooks, main: ?StackBounds) void {
    hooks = h;
    main_stack = main;
    var ss = linux.stack_t{ .sp = altstack.ptr, .flags = 0, .size = altstack.len };
    _ = linux.sigaltstack(&ss, null);
    var action = linux.Sigaction{
        .handler = .{ .sigaction = handle },
        .mask = linux.sigemptyset(),
        .flags = linux.SA.ONSTACK | linux.SA.RESETHAND | linux.SA.SIGINFO,
    };
    for (fatal_signals) |sig| _ = linux.sigaction(sig, &action, null);
    action = undefined;
}

/// The kernel's gap below a growing process stack (stack_guard_gap: 256 pages).
const main_guard_gap = 256 * 4096;

/// Main's stack as the kernel lets it grow: down to its top minus RLIMIT_STACK. Null when the
/// limit is unlimited (an overflow of main's stack is then not told apart).
pub fn mainStack() ?StackBounds {
    var limit: linux.rlimit = undefined;
    if (linux.E.init(linux.getrlimit(.STACK, &limit)) != .SUCCESS) return null;
    if (limit.cur == linux.RLIM.INFINITY) return null;
    var attr: PthreadAttr = undefined;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) return null;
    defer _ = pthread_attr_destroy(&attr);
    var addr: ?*anyopaque = null;
    var size: usize = 0;
    if (pthread_attr_getstack(&attr, &addr, &size) != 0) return null;
    const lo = @intFromPtr(addr orelse return null);
    return .{ .guard_lo = lo -| main_guard_gap, .lo = lo, .hi = lo + size };
}

const PthreadAttr = extern struct { bytes: [64]u8 align(8) };
/// Not the C function: programs get the runtime's own (pthread.zig), which names actors.
const pthread_self = @import("os_thread.zig").current;
extern "c" fn pthread_getattr_np(thread: usize, attr: *PthreadAttr) c_int;
extern "c" fn pthread_attr_getstack(attr: *const PthreadAttr, addr: *?*anyopaque, size: *usize) c_int;
extern "c" fn pthread_attr_destroy(attr: *PthreadAttr) c_int;

/// How far below its stack a stack pointer may be and still be this stack's overflow: one
/// frame, however large (a local array of hundreds of MiB is not a real program's).
const frame_window = 1 << 30;
/// How far below the stack pointer the faulting access may be (a push, a stack probe).
const below_sp = 64 * 1024;

/// Is a fault at `addr`, with the stack pointer at `sp`, this stack running off its end?
pub fn overflowed(s: StackBounds, sp: usize, addr: usize) bool {
    // Nothing but a stack running off its end touches its guard region.
    if (addr >= s.guard_lo and addr < s.lo) return true;
    // A frame larger than the guard jumped it: the stack pointer is below the stack, and the
    // access is right around it (the first store into the frame, a call, a probe).
    return sp < s.lo and sp + frame_window >= s.lo and addr + below_sp >= sp and addr < s.lo;
}

fn handle(sig: i32, info: *const linux.siginfo_t, context: ?*anyopaque) callconv(.c) void {
    const h = hooks orelse return;
    var c = protocol.Crash{ .signal = @intCast(sig), .actor = h.actor(), .steps = h.steps() };
    // A fault raised by the kernel (si_code > 0), not a SIGSEGV sent by kill.
    if (sig == linux.SIG.SEGV and info.code > 0) {
        if (context) |ctx| {
            const uc: *const linux.ucontext_t = @ptrCast(@alignCast(ctx));
            const sp = uc.mcontext.gregs[linux.REG.RSP];
            const addr = @intFromPtr(info.fields.sigfault.addr);
            const stack = if (c.actor != 0) h.stack() else main_stack;
            if (stack) |s| {
                if (overflowed(s, sp, addr)) {
                    c.overflow = true;
                    c.stack_size = s.hi - s.lo;
                }
            }
        }
    }
    h.report(c);
    // The disposition is back to the default (SA_RESETHAND). A fault re-executes and kills the
    // process; a signal sent from outside is raised again and does the same.
    _ = linux.kill(linux.getpid(), sig);
}

/// "1 MiB", "260 KiB", "70000 bytes": how an overflow message gives a stack's size, in the
/// words of lib/process/outcomes.ts.
pub fn writeSize(w: *std.Io.Writer, bytes: u64) std.Io.Writer.Error!void {
    if (bytes != 0 and bytes % (1 << 20) == 0) return w.print("{d} MiB", .{bytes >> 20});
    if (bytes != 0 and bytes % 1024 == 0) return w.print("{d} KiB", .{bytes >> 10});
    return w.print("{d} bytes", .{bytes});
}

/// The message of an overflow, as the checker words it (outcomes.ts, stackOverflow).
pub fn writeOverflow(w: *std.Io.Writer, who: ?[]const u8, stack_size: u64) std.Io.Writer.Error!void {
    try w.writeAll("the program was killed by SIGSEGV (segmentation fault): ");
    if (who) |name| try w.print("actor {s}", .{name}) else try w.writeAll("main");
    try w.writeAll(" overflowed its ");
    try writeSize(w, stack_size);
    try w.writeAll(if (who != null) " stack (raise ISOMC_STACK_SIZE or --isomc-stack-size)" else " stack (raise it with ulimit -s)");
}

const testing = std.testing;

test "a fault in the guard region, or a stack pointer below the stack, is an overflow" {
    const s = StackBounds{ .guard_lo = 0x200000, .lo = 0x210000, .hi = 0x310000 };
    try testing.expect(overflowed(s, 0x210010, 0x20fff8)); // a push into the guard
    try testing.expect(overflowed(s, 0x210010, 0x200000));
    // A 1 MiB frame too many: the stack pointer far below, the first store at it.
    try testing.expect(overflowed(s, 0x110000, 0x110000));
    // A fault inside the stack, or far from the stack pointer, is something else.
    try testing.expect(!overflowed(s, 0x210010, 0x220000));
    try testing.expect(!overflowed(s, 0x210010, 0));
    try testing.expect(!overflowed(s, 0x110000, 0x8));
    try testing.expect(!overflowed(s, 0x250000, 0x310000));
}

test "sizes read in MiB, KiB or bytes, as the checker writes them" {
    var buf: [256]u8 = undefined;
    var w: std.Io.Writer = .fixed(&buf);
    try writeOverflow(&w, "deep", 1 << 20);
    try testing.expectEqualStrings("the program was killed by SIGSEGV (segmentation fault): actor deep overflowed its 1 MiB stack (raise ISOMC_STACK_SIZE or --isomc-stack-size)", w.buffered());
    w = .fixed(&buf);
    try writeSize(&w, 266240);
    try writeSize(&w, 70000);
    try testing.expectEqualStrings("260 KiB70000 bytes", w.buffered());
}
