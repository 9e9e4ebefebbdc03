//! Crash reports from inside the program. Under the checker, a fatal signal (segmentation
//! fault, abort, illegal instruction...) first runs this handler, on a signal stack of its own
//! so that an overflowed actor stack can still be reported. It sends a CRASH frame naming the
//! signal and the running actor, then lets the signal take its default action. The checker
//! does not need to be the program's parent to know how it died (a forked copy of a
//! checkpoint is not its child).

const std = @import("std");
const linux = std.os.linux;
const protocol = @import("protocol");

/// What the handler needs, set once by install(); a signal handler can reach nothing else.
var link_fd: i32 = -1;
var frame: []u8 = &.{};
var current_actor: *const fn () u32 = undefined;
var current_steps: *const fn () u32 = undefined;

const fatal_signals = [_]u6{ linux.SIG.SEGV, linux.SIG.BUS, linux.SIG.ILL, linux.SIG.FPE, linux.SIG.ABRT, linux.SIG.TRAP, linux.SIG.SYS };

pub fn install(fd: i32, altstack: []u8, scratch: []u8, actor: *const fn () u32, steps: *const fn () u32) void {
    link_fd = fd;
    frame = scratch;
    current_actor = actor;
    current_steps = steps;
    var ss = linux.stack_t{ .sp = altstack.ptr, .flags = 0, .size = altstack.len };
    _ = linux.sigaltstack(&ss, null);
    var action = linux.Sigaction{
        .handler = .{ .handler = handle },
        .mask = linux.sigemptyset(),
        .flags = linux.SA.ONSTACK | linux.SA.RESETHAND,
    };
    for (fatal_signals) |sig| _ = linux.sigaction(sig, &action, null);
    action = undefined;
}

/// The channel's descriptor changes in a forked copy.
pub fn setFd(fd: i32) void {
    link_fd = fd;
}

fn handle(sig: i32) callconv(.c) void {
    const bytes = protocol.encodeCrash(frame, .{
        .signal = @intCast(sig),
        .actor = current_actor(),
        .steps = current_steps(),
    });
    var sent: usize = 0;
    while (sent < bytes.len) {
        const rc = linux.sendto(link_fd, bytes[sent..].ptr, bytes.len - sent, linux.MSG.NOSIGNAL, null, 0);
        if (linux.E.init(rc) != .SUCCESS) break;
        sent += rc;
    }
    // The disposition is back to the default (SA_RESETHAND). A fault re-executes and kills the
    // process; a signal sent from outside is raised again and does the same.
    _ = linux.kill(linux.getpid(), sig);
}
