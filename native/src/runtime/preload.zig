//! The runtime preloaded into a binary built elsewhere (`isomc check --preload`,
//! docs/pthreads.md): zig-out/lib/libisomc_preload.so is this runtime, from the same sources,
//! built with `build_options.preload`. LD_PRELOAD puts it before the C library in the lookup
//! order, so the program's calls to pthread_create, pthread_mutex_lock, sem_wait... bind to the
//! runtime's definitions (pthread.zig, pthread_sync.zig, pthread_more.zig), while the C
//! library's internal calls keep its own (glibc binds them inside itself).
//!
//! How main becomes an actor: a preloaded library is no part of the executable's link, so it
//! cannot take `main` by name (a plain `cc` binary does not export it) nor count on running its
//! constructor after the program's. It interposes __libc_start_main, which the executable's
//! start code calls with main's address: the runtime hands the C library its own main, which
//! starts the runtime (pthread.startProgram) once the program's constructors have run, as a linked
//! runtime's constructor would.
//!
//! What the runtime does not model, a linked program is refused for at build time
//! (lib/build/pthread_check.ts); a preloaded one has no build step, so each such function is
//! defined here to stop the check at its first call, naming it (an ERROR frame of code
//! `unsupported`: the checker stops with exit 2), rather than let the C library's real one run
//! unseen, or block the one OS thread every actor shares.

const std = @import("std");
const builtin = @import("builtin");
const pthread = @import("pthread.zig");
const api = @import("api.zig");
const kernel = @import("kernel.zig");

const MainFn = pthread.MainFn;
const StartMain = fn (
    main: MainFn,
    argc: c_int,
    argv: ?[*]?[*:0]u8,
    init: ?*const anyopaque,
    fini: ?*const anyopaque,
    rtld_fini: ?*const anyopaque,
    stack_end: ?*anyopaque,
) callconv(.c) c_int;

/// The program's main, as its start code gave it.
var program_main: ?MainFn = null;

fn libcStartMain(
    main: MainFn,
    argc: c_int,
    argv: ?[*]?[*:0]u8,
    init: ?*const anyopaque,
    fini: ?*const anyopaque,
    rtld_fini: ?*const anyopaque,
    stack_end: ?*anyopaque,
) callconv(.c) c_int {
    std.debug.assert(program_main == null);
    program_main = main;
    forgetPreload();
    return pthread.real("__libc_start_main", StartMain)(runtimeMain, argc, argv, init, fini, rtld_fini, stack_end);
}

const DlInfo = extern struct {
    fname: ?[*:0]const u8,
    fbase: ?*anyopaque,
    sname: ?[*:0]const u8,
    saddr: ?*anyopaque,
};
extern "c" fn dladdr(addr: *const anyopaque, info: *DlInfo) c_int;
extern "c" fn setenv(name: [*:0]const u8, value: [*:0]const u8, overwrite: c_int) c_int;
extern "c" fn unsetenv(name: [*:0]const u8) c_int;

/// Takes the runtime out of the program's LD_PRELOAD before main: a process the program
/// starts (`system("...")`, popen, fork and exec) must not start a runtime of its own on the
/// inherited control channel (the checker would see a second HELLO). The program itself is
/// loaded already; the other preloads (the fd agent, the user's) stay.
fn forgetPreload() void {
    const value = std.c.getenv("LD_PRELOAD") orelse return;
    var info: DlInfo = undefined;
    if (dladdr(@ptrCast(&libcStartMain), &info) == 0) return;
    const self = std.mem.sliceTo(info.fname orelse return, 0);
    var buf: [4096]u8 = undefined;
    const kept = without(std.mem.sliceTo(value, 0), self, buf[0 .. buf.len - 1]) orelse return;
    buf[kept.len] = 0;
    const rc = if (kept.len == 0) unsetenv("LD_PRELOAD") else setenv("LD_PRELOAD", @ptrCast(kept.ptr), 1);
    // Out of memory for the environment this early: the runtime cannot start either.
    if (rc != 0) kernel.fatal(3, "cannot take the runtime out of LD_PRELOAD", .{});
}

/// `list` (LD_PRELOAD: paths separated by spaces or colons) without the entries equal to
/// `self`, separated by spaces, in `out`; null when it does not fit (left as it is, then).
fn without(list: []const u8, self: []const u8, out: []u8) ?[]const u8 {
    var n: usize = 0;
    var entries = std.mem.tokenizeAny(u8, list, " :");
    while (entries.next()) |entry| {
        if (std.mem.eql(u8, entry, self)) continue;
        const sep: usize = @intFromBool(n > 0);
        if (n + sep + entry.len > out.len) return null;
        if (sep == 1) out[n] = ' ';
        @memcpy(out[n + sep ..][0..entry.len], entry);
        n += sep + entry.len;
    }
    return out[0..n];
}

test "the runtime is taken out of LD_PRELOAD, the other entries kept in order" {
    var buf: [64]u8 = undefined;
    const rt = "/x/libisomc_preload.so";
    try std.testing.expectEqualStrings("/a/agent.so", without("/a/agent.so " ++ rt, rt, &buf).?);
    try std.testing.expectEqualStrings("/a/agent.so /u/mine.so", without("/a/agent.so:" ++ rt ++ " /u/mine.so", rt, &buf).?);
    try std.testing.expectEqualStrings("", without(rt, rt, &buf).?);
    try std.testing.expectEqualStrings("/u/mine.so", without("  /u/mine.so  ", rt, &buf).?);
    try std.testing.expectEqual(null, without("/a/a-rather-long-name.so " ++ rt, rt, buf[0..8]));
}

/// What the C library calls as main, after the program's constructors.
fn runtimeMain(argc: c_int, argv: ?[*]?[*:0]u8, envp: ?[*]?[*:0]u8) callconv(.c) c_int {
    pthread.startProgram(program_main.?, argc, argv, envp);
}

/// The functions the runtime does not model (lib/build/pthread_check.ts's list, in the C
/// library's names; tests/preload_test.ts checks that the two lists agree); each stops the
/// check at its first call by an actor.
const unsupported = [_][:0]const u8{
    "pthread_mutex_clocklock",
    "pthread_mutex_consistent",
    "pthread_cond_clockwait",
    "pthread_rwlock_timedrdlock",
    "pthread_rwlock_timedwrlock",
    "pthread_rwlock_clockrdlock",
    "pthread_rwlock_clockwrlock",
    "pthread_cancel",
    "pthread_kill",
    "pthread_clockjoin_np",
    "sem_clockwait",
    "sem_open",
    "thrd_create",
    "thrd_join",
    "mtx_lock",
    "mtx_timedlock",
    "mtx_trylock",
    "cnd_wait",
    "cnd_timedwait",
    "call_once",
    "tss_create",
};

/// A stop for `name`. Outside any actor (a constructor, an exit handler) there is nothing to
/// check, and the call is the C library's, with the arguments as they came: the stop takes the
/// six integer argument registers and passes them on unchanged (none of these functions takes
/// more, nor a floating-point argument).
fn Stop(comptime name: [:0]const u8) type {
    return struct {
        const F = fn (usize, usize, usize, usize, usize, usize) callconv(.c) usize;
        fn call(a: usize, b: usize, c: usize, d: usize, e: usize, f: usize) callconv(.c) usize {
            if (pthread.actor() == null) return pthread.real(name, F)(a, b, c, d, e, f);
            const kk = api.enter(name);
            kk.unsupported("the program called " ++ name ++ ", which isomc does not support yet (docs/pthreads.md lists what it does)");
        }
    };
}

comptime {
    if (!builtin.is_test) {
        @export(&libcStartMain, .{ .name = "__libc_start_main" });
        for (unsupported) |name| @export(&Stop(name).call, .{ .name = name });
    }
}
