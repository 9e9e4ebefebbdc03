//! The calling OS thread, as glibc's pthread_self() names it, without calling pthread_self:
//! programs built by `isomc cc` get the runtime's own pthread_self (pthread.zig), which names
//! the running actor, so the runtime asks the thread pointer directly. On x86_64 glibc keeps
//! the thread's descriptor address (what pthread_self returns) at %fs:0x10 (tcbhead_t.self);
//! like pthread_self, it stays the same in a forked copy, unlike a thread id.

const builtin = @import("builtin");

comptime {
    if (builtin.cpu.arch != .x86_64 or builtin.os.tag != .linux)
        @compileError("the runtime supports Linux x86_64 only");
}

/// glibc's pthread_self() of the calling thread.
pub fn current() usize {
    return asm volatile ("movq %%fs:0x10, %[self]"
        : [self] "=r" (-> usize),
    );
}

test "the thread pointer is glibc's pthread_self" {
    const std = @import("std");
    const real = struct {
        extern "c" fn pthread_self() usize;
    };
    try std.testing.expectEqual(real.pthread_self(), current());
}
