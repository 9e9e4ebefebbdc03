//! Start-up under the checker: the handshake (HELLO with what is not program state, then the
//! checker's WELCOME) and what it sets up — the crash handler's hooks (which find the kernel in
//! Kernel.the_kernel, having no argument; used alone and replayed too), malloc's and the
//! runtime objects' arenas, stdio's buffers, the agent's functions and the write tracker.

const std = @import("std");
const protocol = @import("protocol");
const Link = @import("link.zig").Link;
const control = @import("control.zig");
const crash = @import("crash.zig");
const malloc = @import("malloc.zig");
const Slots = @import("slots.zig").Slots;
const entry = @import("entry.zig");
const linux = std.os.linux;
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;
const fatal = kernel_mod.fatal;

/// Under the checker, each creator's objects (actors, requests and their payloads, mutexes...)
/// live in an arena of its own, one slot each (0 for main), apart from the arena of its mallocs:
/// the blocks other actors free there must not move the runtime's objects.
const object_slot_size: usize = 256 << 20;

/// Handshake: HELLO with what is not program state, then the checker's WELCOME.
pub fn connect(k: *Kernel) void {
    k.link = Link.open(k.options.fd) catch fatal(3, "cannot map the control channel buffers", .{});
    const link = &k.link.?;
    const stack_start = @intFromPtr(k.maestro_stack.mapping.ptr);
    const ignored = [_]protocol.Range{
        link.ignoredRange(),
        .{ .start = stack_start, .end = stack_start + k.maestro_stack.mapping.len },
        k.control.range(),
    };
    const pid: u32 = @intCast(std.c.getpid());
    link.send(protocol.encodeHello(link.out, pid, createWriteTracker(), &ignored));
    const frame = link.receive();
    if (frame.message != .welcome) link.fail(.malformed, "expected WELCOME after HELLO");
    const flags = protocol.decodeWelcome(frame.body) catch link.fail(.malformed, "malformed WELCOME");
    k.stateful = flags & protocol.welcome_flag_stateful != 0;
    k.report_stacks = k.stateful and flags & protocol.welcome_flag_stacks != 0;
    k.agent_apply_fds = agent(ApplyFds, "isomc_agent_apply_fds");
    k.agent_detach_files = agent(DetachFiles, "isomc_agent_detach_files");
    crash.install(k.control.altstack, .{ .actor = runningActor, .stack = runningStack, .steps = stepsSoFar, .report = sendCrash }, crash.mainStack());
    malloc.enable(&k.book.maps_epoch, runningSlot) catch
        fatal(3, "cannot reserve address space for the actors' heaps", .{});
    k.object_arenas = Slots.init(object_slot_size, malloc.slot_count, &k.book.maps_epoch) catch
        fatal(3, "cannot reserve address space for the runtime's objects", .{});
    k.gpa = k.allocatorOf(0);
    ownStdioBuffers();
    entry.enable();
}

pub fn runningActor() u32 {
    return if (Kernel.the_kernel.current) |a| a.id else 0;
}

fn runningSlot() usize {
    return runningActor();
}

pub fn stepsSoFar() u32 {
    return Kernel.the_kernel.book.steps;
}

pub fn runningStack() ?crash.StackBounds {
    const actor = Kernel.the_kernel.current orelse return null;
    const s = actor.stack orelse return null;
    const lo = @intFromPtr(s.usable.ptr);
    return .{ .guard_lo = @intFromPtr(s.mapping.ptr), .lo = lo, .hi = lo + s.usable.len };
}

/// The crash handler's report under the checker: a CRASH frame, with raw system calls (in
/// a signal handler) into the bookkeeping area's scratch (not program state).
fn sendCrash(c: protocol.Crash) void {
    const k = Kernel.the_kernel;
    const link = &(k.link orelse return);
    // Another thread may be writing a frame; the lock is never given back (the process
    // dies next).
    if (!link.lockForCrash()) return;
    // The reports of the steps before it first (a run-ahead's, waiting to be written).
    link.flushForCrash();
    const bytes = protocol.encodeCrash(&k.book.crash_frame, c);
    var sent: usize = 0;
    while (sent < bytes.len) {
        const rc = linux.sendto(link.fd, bytes[sent..].ptr, bytes.len - sent, linux.MSG.NOSIGNAL, null, 0);
        if (linux.E.init(rc) != .SUCCESS) break;
        sent += rc;
    }
}

extern "c" fn setvbuf(stream: ?*anyopaque, buf: ?[*]u8, mode: c_int, size: usize) c_int;
extern "c" fn __fbufsize(stream: ?*anyopaque) usize;
extern "c" var stdin: ?*anyopaque;
extern "c" var stdout: ?*anyopaque;

/// glibc allocates a stream's buffer at its first use, from the arena of whichever actor uses
/// it first: which one depends on the interleaving. Under the checker, stdin's and stdout's
/// buffers are allocated at isomc_init instead, from main's arena, in the mode glibc would
/// have chosen (stdout is a file or /dev/null there, never a terminal: fully buffered).
/// stderr has no buffer. A stream used before isomc_init keeps the buffer it has.
fn ownStdioBuffers() void {
    const full_buffering: c_int = 0; // _IOFBF
    const size = 8192; // BUFSIZ
    for ([_]?*anyopaque{ stdin, stdout }) |stream| {
        if (stream == null or __fbufsize(stream) != 0) continue;
        const buf: [*]u8 = @ptrCast(malloc.allocate(size) orelse continue);
        _ = setvbuf(stream, buf, full_buffering, size);
    }
}
extern "c" fn dlsym(handle: ?*anyopaque, name: [*:0]const u8) ?*anyopaque;

pub const ApplyFds = fn ([*]const control.FdOp, usize, *i32) callconv(.c) usize;
pub const DetachFiles = fn ([*]const i32, usize) callconv(.c) usize;

/// A function of the agent the checker preloads (native/src/agent/), if it is there.
fn agent(comptime F: type, comptime name: [:0]const u8) ?*const F {
    return @ptrCast(dlsym(null, name) orelse return null);
}

/// A userfaultfd with asynchronous write protection, for the checker to track which pages
/// the program writes (native/src/checker/state/tracker.zig); -1 when the kernel refuses.
fn createWriteTracker() i32 {
    const user_mode_only: usize = 1;
    const flags: usize = @as(u32, @bitCast(linux.O{ .CLOEXEC = true, .NONBLOCK = true })) | user_mode_only;
    const rc = linux.syscall1(.userfaultfd, flags);
    if (linux.E.init(rc) != .SUCCESS) return -1;
    const fd: i32 = @intCast(rc);
    const UffdioApi = extern struct { api: u64, features: u64, ioctls: u64 };
    const feature_wp_unpopulated: u64 = 1 << 13;
    const feature_wp_async: u64 = 1 << 15;
    var api = UffdioApi{ .api = 0xAA, .features = feature_wp_async | feature_wp_unpopulated, .ioctls = 0 };
    if (linux.E.init(linux.ioctl(fd, linux.IOCTL.IOWR(0xAA, 0x3F, UffdioApi), @intFromPtr(&api))) != .SUCCESS) {
        _ = linux.close(fd);
        return -1;
    }
    return fd;
}
