//! User-level execution contexts: the stacks actors and the maestro run on, and the switch
//! between them. A switch saves the callee-saved registers on the current stack and its stack
//! pointer in the context, then loads the other context's; no system call is made, so a switch
//! costs a few nanoseconds and the signal mask is never touched.

const std = @import("std");
const builtin = @import("builtin");
const posix = std.posix;

comptime {
    if (builtin.cpu.arch != .x86_64) @compileError("isomc's context switch is written for x86_64");
}

// isomc_context_swap(save: *usize, load: usize): saves the current context, resumes `load`.
// isomc_context_entry: the first code a new context runs; calls r12(rbx) and never returns.
comptime {
    asm (
        \\.text
        \\.globl isomc_context_swap
        \\.hidden isomc_context_swap
        \\.type isomc_context_swap, @function
        \\isomc_context_swap:
        \\  pushq %rbp
        \\  pushq %rbx
        \\  pushq %r12
        \\  pushq %r13
        \\  pushq %r14
        \\  pushq %r15
        \\  subq $8, %rsp
        \\  stmxcsr (%rsp)
        \\  fnstcw 4(%rsp)
        \\  movq %rsp, (%rdi)
        \\  movq %rsi, %rsp
        \\  ldmxcsr (%rsp)
        \\  fldcw 4(%rsp)
        \\  addq $8, %rsp
        \\  popq %r15
        \\  popq %r14
        \\  popq %r13
        \\  popq %r12
        \\  popq %rbx
        \\  popq %rbp
        \\  ret
        \\.size isomc_context_swap, .-isomc_context_swap
        \\
        \\.globl isomc_context_entry
        \\.hidden isomc_context_entry
        \\.type isomc_context_entry, @function
        \\isomc_context_entry:
        \\  .cfi_startproc
        \\  .cfi_undefined %rip
        \\  xorl %ebp, %ebp
        \\  movq %rbx, %rdi
        \\  andq $-16, %rsp
        \\  callq *%r12
        \\  ud2
        \\  .cfi_endproc
        \\.size isomc_context_entry, .-isomc_context_entry
    );
}

extern fn isomc_context_swap(save: *usize, load: usize) callconv(.c) void;
extern fn isomc_context_entry() callconv(.c) void;

/// A suspended context: its saved stack pointer (the registers are on its stack).
pub const Context = struct {
    sp: usize = 0,
};

pub const Entry = *const fn (arg: *anyopaque) callconv(.c) noreturn;

/// Suspends the running code into `save` and resumes `load`.
pub fn swap(save: *Context, load: *const Context) void {
    std.debug.assert(load.sp != 0);
    isomc_context_swap(&save.sp, load.sp);
}

const default_mxcsr: u32 = 0x1f80;
const default_fpu_control: u16 = 0x037f;

/// Prepares a context that, when first resumed, calls entry(arg) on `stack`.
pub fn make(stack: []align(std.heap.page_size_min) u8, entry: Entry, arg: *anyopaque) Context {
    const top = std.mem.alignBackward(usize, @intFromPtr(stack.ptr) + stack.len, 16);
    const slots: [*]usize = @ptrFromInt(top - 8 * @sizeOf(usize));
    slots[0] = default_mxcsr | (@as(usize, default_fpu_control) << 32);
    slots[1] = 0; // r15
    slots[2] = 0; // r14
    slots[3] = 0; // r13
    slots[4] = @intFromPtr(entry); // r12
    slots[5] = @intFromPtr(arg); // rbx
    slots[6] = 0; // rbp
    slots[7] = @intFromPtr(&isomc_context_entry); // return address of the first swap
    return .{ .sp = @intFromPtr(slots) };
}

/// Size of the inaccessible region below each stack. A function's frame is not touched in
/// order (its first write may be anywhere in it), so a one-page guard is jumped over by any
/// frame larger than a page and the overflow lands, silently, in the mapping below: often
/// the next actor's stack. Frames up to this size cannot jump it; the region is only
/// reserved address space.
pub const guard_size: usize = 64 * 1024;

/// A stack with an inaccessible guard region below it, so an overflow faults instead of
/// silently overwriting a neighbour. Registered with valgrind when running under it.
pub const Stack = struct {
    mapping: []align(std.heap.page_size_min) u8,
    usable: []align(std.heap.page_size_min) u8,
    valgrind_id: usize,

    pub fn init(size: usize) !Stack {
        const page = std.heap.pageSize();
        const usable_len = std.mem.alignForward(usize, @max(size, 4 * page), page);
        const guard = std.mem.alignForward(usize, guard_size, page);
        const mapping = try posix.mmap(
            null,
            usable_len + guard,
            posix.PROT.READ | posix.PROT.WRITE,
            .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true },
            -1,
            0,
        );
        errdefer posix.munmap(mapping);
        try posix.mprotect(mapping[0..guard], posix.PROT.NONE);
        const usable: []align(std.heap.page_size_min) u8 = @alignCast(mapping[guard..]);
        return .{
            .mapping = mapping,
            .usable = usable,
            .valgrind_id = std.valgrind.stackRegister(usable),
        };
    }

    pub fn deinit(stack: *Stack) void {
        std.valgrind.stackDeregister(stack.valgrind_id);
        posix.munmap(stack.mapping);
        stack.* = undefined;
    }
};

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

const PingPong = struct {
    main: Context = .{},
    fiber: Context = .{},
    trace: [8]u8 = undefined,
    len: usize = 0,

    fn note(p: *PingPong, c: u8) void {
        p.trace[p.len] = c;
        p.len += 1;
    }

    fn run(arg: *anyopaque) callconv(.c) noreturn {
        const p: *PingPong = @ptrCast(@alignCast(arg));
        var local: f64 = 1.5; // lives on the fiber's stack across switches
        p.note('a');
        swap(&p.fiber, &p.main);
        local *= 2;
        p.note(if (local == 3.0) 'b' else '?');
        swap(&p.fiber, &p.main);
        unreachable;
    }
};

test "contexts switch back and forth and keep their locals" {
    var stack = try Stack.init(64 * 1024);
    defer stack.deinit();
    var p = PingPong{};
    p.fiber = make(stack.usable, PingPong.run, &p);
    p.note('0');
    swap(&p.main, &p.fiber);
    p.note('1');
    swap(&p.main, &p.fiber);
    p.note('2');
    try testing.expectEqualStrings("0a1b2", p.trace[0..p.len]);
}

test "a stack's guard region lies right below its usable part and covers guard_size" {
    var stack = try Stack.init(64 * 1024);
    defer stack.deinit();
    const guard = stack.mapping[0 .. stack.mapping.len - stack.usable.len];
    try testing.expect(guard.len >= guard_size);
    try testing.expectEqual(@intFromPtr(guard.ptr) + guard.len, @intFromPtr(stack.usable.ptr));
    try testing.expect(stack.usable.len >= 64 * 1024);
    // The usable part is writable end to end (the overflow tests check that the guard faults).
    stack.usable[0] = 1;
    stack.usable[stack.usable.len - 1] = 1;
}

test "a new context starts with a 16-byte aligned stack" {
    const Probe = struct {
        main: Context = .{},
        fiber: Context = .{},
        aligned: bool = false,
        fn run(arg: *anyopaque) callconv(.c) noreturn {
            const self: *@This() = @ptrCast(@alignCast(arg));
            var v: @Vector(4, f32) align(16) = @splat(1.0);
            self.aligned = std.mem.isAligned(@intFromPtr(&v), 16) and v[0] == 1.0;
            v += v;
            swap(&self.fiber, &self.main);
            unreachable;
        }
    };
    var stack = try Stack.init(64 * 1024);
    defer stack.deinit();
    var probe = Probe{};
    probe.fiber = make(stack.usable, Probe.run, &probe);
    swap(&probe.main, &probe.fiber);
    try testing.expect(probe.aligned);
}
