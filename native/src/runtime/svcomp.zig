//! The conventions of the C verification benchmarks (SV-COMP `unreach-call` tasks;
//! docs/svcomp.md): reach_error() and __VERIFIER_error() are assertion violations, as is a
//! failed assert() (__assert_fail); __VERIFIER_assume(c) blocks its actor for ever when c is
//! false (a step never enabled, transitions.Op.assume: the others run on, and an execution left
//! with nothing enabled is cut, not deadlocked); __VERIFIER_nondet_bool/char/uchar are choices over every value
//! of their type, the wider ones over the nondet range (ISOMC_NONDET_RANGE, default -2..2), which
//! the checker is told of so that such a search never ends `ok`; __VERIFIER_atomic_begin/end and
//! the functions named __VERIFIER_atomic_* (through -finstrument-functions, which `isomc cc`
//! adds for them) make the yields inside them invisible; abort() under --svcomp
//! (ISOMC_SVCOMP=1) blocks its actor as a failed assumption does (the tasks mean "this path is
//! infeasible").
//!
//! Each works in any program built by `isomc cc`, from an actor (main is one in pthread and
//! SV-COMP programs: pthread.zig); outside any actor each falls back to the C library's
//! behaviour (assert and abort abort, assume exits 0, nondet returns 0). Definitions the tasks
//! give themselves (reach_error, assume_abort_if_not) are weak here, so theirs win.

const std = @import("std");
const builtin = @import("builtin");
const protocol = @import("protocol");
const api = @import("api.zig");
const kernel_mod = @import("kernel.zig");
const core = @import("pthread.zig");
const transitions = @import("transitions.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;

/// The actor inside an atomic section (__VERIFIER_atomic_begin, or a __VERIFIER_atomic_*
/// function), 0 when none, and how deep. Program state: a section open at a visible step (a
/// mutex inside it) is part of the state the checker saves and restores.
var atomic_owner: u32 = 0;
var atomic_depth: u32 = 0;

/// Whether `actor` runs inside an atomic section: its yields are then no step (pthread_sync.zig),
/// and neither should any other step that can be made invisible (memory accesses).
pub fn inAtomic(actor: *const Actor) bool {
    return atomic_depth > 0 and atomic_owner == actor.id;
}

fn atomicBegin(actor: *const Actor) void {
    if (atomic_depth > 0 and atomic_owner != actor.id) {
        // Another actor's section is open while it is parked at a visible step inside it: the
        // sections of two actors cannot nest. The kernel ran this one, so report it plainly.
        actor.kernel.violation(null, .misuse, "__VERIFIER_atomic_begin: {s} is inside an atomic section that {s} opened (a blocking call inside an atomic section let it run)", .{ actor.name, actor.kernel.actorName(atomic_owner) });
    }
    atomic_owner = actor.id;
    atomic_depth += 1;
}

fn atomicEnd(actor: *const Actor) void {
    if (atomic_depth == 0 or atomic_owner != actor.id) return;
    atomic_depth -= 1;
    if (atomic_depth == 0) atomic_owner = 0;
}

// ---- Violations and assumptions ------------------------------------------------------------

fn span(p: ?[*:0]const u8) []const u8 {
    return if (p) |x| std.mem.sliceTo(x, 0) else "?";
}

const AssertFail = fn (?[*:0]const u8, ?[*:0]const u8, c_uint, ?[*:0]const u8) callconv(.c) noreturn;

/// assert() of <assert.h> failed: an assertion violation with its text and place.
fn assertFail(expr: ?[*:0]const u8, file: ?[*:0]const u8, line: c_uint, func: ?[*:0]const u8) callconv(.c) noreturn {
    _ = api.currentActor() orelse core.real("__assert_fail", AssertFail)(expr, file, line, func);
    const kk = api.enter("__assert_fail");
    kk.violation(null, .assertion, "assert({s}) failed at {s}:{d} (in {s})", .{ span(expr), span(file), line, span(func) });
}

fn reachError() callconv(.c) noreturn {
    _ = api.currentActor() orelse core.real("abort", @TypeOf(abortCall))();
    api.enter("reach_error").violation(null, .assertion, "reach_error() was called", .{});
}

fn verifierError() callconv(.c) noreturn {
    _ = api.currentActor() orelse core.real("abort", @TypeOf(abortCall))();
    api.enter("__VERIFIER_error").violation(null, .assertion, "__VERIFIER_error() was called", .{});
}

/// The actor's assumption failed: it parks at a step that is never enabled and never comes
/// back (the peers' semantics: Nidhugg and GenMC block the thread; the other threads' later
/// steps, and their races with what this one did, are part of the execution).
fn blockForEver(kk: *Kernel, which: transitions.Assumption, site: usize) noreturn {
    _ = core.step(kk, .{ .assume = which }, site);
    unreachable;
}

fn assume(cond: c_int, comptime what: []const u8, which: transitions.Assumption, site: usize) void {
    if (cond != 0) return;
    _ = api.currentActor() orelse std.c._exit(0);
    blockForEver(api.enter(what), which, site);
}

fn verifierAssume(cond: c_int) callconv(.c) void {
    assume(cond, "__VERIFIER_assume", .verifier_assume, @returnAddress());
}

fn assumeAbortIfNot(cond: c_int) callconv(.c) void {
    assume(cond, "assume_abort_if_not", .assume_abort_if_not, @returnAddress());
}

/// Whether abort() is a failed assumption: --svcomp, under the checker or replaying one of its
/// traces (which records --svcomp), from an actor (and so does main's return cutting threads:
/// pthread.zig).
pub fn svcompAbort(kk: *const Kernel) bool {
    if (kk.link == null and kk.options.mode != .replay) return false;
    const v = std.c.getenv(protocol.ENV_SVCOMP) orelse return false;
    return std.mem.eql(u8, std.mem.sliceTo(v, 0), "1");
}

fn abortCall() callconv(.c) noreturn {
    _ = api.currentActor() orelse core.real("abort", @TypeOf(abortCall))();
    const kk = api.enter("abort");
    if (svcompAbort(kk)) blockForEver(kk, .svcomp_abort, @returnAddress());
    core.real("abort", @TypeOf(abortCall))();
}

// ---- Nondeterministic values ---------------------------------------------------------------

/// The nondet range when the environment gives none (docs/svcomp.md).
pub const default_range = [2]i64{ -2, 2 };

/// "LO..HI" as two numbers, or null when it is not that.
pub fn parseRange(text: []const u8) ?[2]i64 {
    const dots = std.mem.indexOf(u8, text, "..") orelse return null;
    const lo = std.fmt.parseInt(i64, text[0..dots], 10) catch return null;
    const hi = std.fmt.parseInt(i64, text[dots + 2 ..], 10) catch return null;
    if (lo > hi) return null;
    return .{ lo, hi };
}

fn range() [2]i64 {
    const v = std.c.getenv(protocol.ENV_NONDET_RANGE) orelse return default_range;
    const text = std.mem.sliceTo(v, 0);
    return parseRange(text) orelse kernel_mod.fatal(2, "{s}: '{s}' is not a range LO..HI", .{ protocol.ENV_NONDET_RANGE, text });
}

/// A choice among min..max (the kernel's random transition), 0 outside any actor.
fn choose(min: i64, max: i64, site: usize, from_range: bool) i64 {
    std.debug.assert(min <= max);
    std.debug.assert(max - min < 1 << 31);
    _ = api.currentActor() orelse return 0;
    const kk = api.enter("__VERIFIER_nondet");
    if (from_range) kk.book.nondet_range_used = true;
    return kk.perform(.{ .random = .{ .min = @intCast(min), .max = @intCast(max) } }, site);
}

/// A wide type's value: the nondet range, within the type's values (empty: the type's value
/// nearest to it).
fn wide(comptime T: type, site: usize) T {
    const r = range();
    const lo: i128 = @max(r[0], std.math.minInt(T));
    const hi: i128 = @min(r[1], std.math.maxInt(T));
    if (lo > hi) return if (r[0] > 0) std.math.maxInt(T) else std.math.minInt(T);
    // The checker refuses a range of more values than a choice can have (--nondet-range).
    const top = @min(hi, lo + (1 << 31) - 2);
    return @intCast(choose(@intCast(lo), @intCast(top), site, true));
}

fn nondetBool() callconv(.c) bool {
    return choose(0, 1, @returnAddress(), false) != 0;
}
fn nondetChar() callconv(.c) i8 {
    return @intCast(choose(-128, 127, @returnAddress(), false));
}
fn nondetUchar() callconv(.c) u8 {
    return @intCast(choose(0, 255, @returnAddress(), false));
}
fn nondetShort() callconv(.c) c_short {
    return wide(c_short, @returnAddress());
}
fn nondetUshort() callconv(.c) c_ushort {
    return wide(c_ushort, @returnAddress());
}
fn nondetInt() callconv(.c) c_int {
    return wide(c_int, @returnAddress());
}
fn nondetUint() callconv(.c) c_uint {
    return wide(c_uint, @returnAddress());
}
fn nondetLong() callconv(.c) c_long {
    return wide(c_long, @returnAddress());
}
fn nondetUlong() callconv(.c) c_ulong {
    return wide(c_ulong, @returnAddress());
}

// ---- Atomic sections -----------------------------------------------------------------------

fn verifierAtomicBegin() callconv(.c) void {
    const a = api.currentActor() orelse return;
    atomicBegin(a);
}

fn verifierAtomicEnd() callconv(.c) void {
    const a = api.currentActor() orelse return;
    atomicEnd(a);
}

const DlInfo = extern struct {
    fname: ?[*:0]const u8,
    fbase: ?*anyopaque,
    sname: ?[*:0]const u8,
    saddr: ?*anyopaque,
};
extern "c" fn dladdr(addr: ?*const anyopaque, info: *DlInfo) c_int;

/// Whether the function at `f` is named __VERIFIER_atomic_*, remembered in the bookkeeping
/// area (not program state: which functions were called first differs between paths).
fn isAtomicFunction(kk: *Kernel, f: usize) bool {
    const cache = &kk.book.atomic_functions;
    for (cache.entries[0..cache.len]) |e| {
        if (e & ~atomic_bit == f) return e & atomic_bit != 0;
    }
    var info: DlInfo = undefined;
    const named = dladdr(@ptrFromInt(f), &info) != 0 and info.sname != null and
        @intFromPtr(info.saddr) == f and
        std.mem.startsWith(u8, std.mem.sliceTo(info.sname.?, 0), "__VERIFIER_atomic_");
    if (cache.len < cache.entries.len) {
        cache.entries[cache.len] = f | if (named) atomic_bit else 0;
        cache.len += 1;
    }
    return named;
}
const atomic_bit: usize = 1 << 63;

/// -finstrument-functions' hooks (`isomc cc` adds the flag to programs that define
/// __VERIFIER_atomic_* functions, and -rdynamic so that dladdr names them).
fn funcEnter(f: ?*anyopaque, _: ?*anyopaque) callconv(.c) void {
    const a = api.currentActor() orelse return;
    if (isAtomicFunction(a.kernel, @intFromPtr(f))) atomicBegin(a);
}

fn funcExit(f: ?*anyopaque, _: ?*anyopaque) callconv(.c) void {
    const a = api.currentActor() orelse return;
    if (isAtomicFunction(a.kernel, @intFromPtr(f))) atomicEnd(a);
}

comptime {
    if (!builtin.is_test) {
        @export(&assertFail, .{ .name = "__assert_fail" });
        @export(&reachError, .{ .name = "reach_error", .linkage = .weak });
        @export(&verifierError, .{ .name = "__VERIFIER_error" });
        @export(&verifierAssume, .{ .name = "__VERIFIER_assume" });
        @export(&assumeAbortIfNot, .{ .name = "assume_abort_if_not", .linkage = .weak });
        @export(&abortCall, .{ .name = "abort" });
        @export(&nondetBool, .{ .name = "__VERIFIER_nondet_bool" });
        @export(&nondetBool, .{ .name = "__VERIFIER_nondet__Bool" });
        @export(&nondetChar, .{ .name = "__VERIFIER_nondet_char" });
        @export(&nondetUchar, .{ .name = "__VERIFIER_nondet_uchar" });
        @export(&nondetShort, .{ .name = "__VERIFIER_nondet_short" });
        @export(&nondetUshort, .{ .name = "__VERIFIER_nondet_ushort" });
        @export(&nondetInt, .{ .name = "__VERIFIER_nondet_int" });
        @export(&nondetUint, .{ .name = "__VERIFIER_nondet_uint" });
        @export(&nondetUint, .{ .name = "__VERIFIER_nondet_unsigned" });
        @export(&nondetLong, .{ .name = "__VERIFIER_nondet_long" });
        @export(&nondetLong, .{ .name = "__VERIFIER_nondet_longlong" });
        @export(&nondetUlong, .{ .name = "__VERIFIER_nondet_ulong" });
        @export(&nondetUlong, .{ .name = "__VERIFIER_nondet_ulonglong" });
        @export(&nondetUlong, .{ .name = "__VERIFIER_nondet_size_t" });
        @export(&verifierAtomicBegin, .{ .name = "__VERIFIER_atomic_begin" });
        @export(&verifierAtomicEnd, .{ .name = "__VERIFIER_atomic_end" });
        @export(&funcEnter, .{ .name = "__cyg_profile_func_enter" });
        @export(&funcExit, .{ .name = "__cyg_profile_func_exit" });
    }
}

test "the nondet range reads LO..HI" {
    try std.testing.expectEqual([2]i64{ -2, 2 }, parseRange("-2..2").?);
    try std.testing.expectEqual([2]i64{ 0, 100 }, parseRange("0..100").?);
    try std.testing.expect(parseRange("3..1") == null);
    try std.testing.expect(parseRange("x..1") == null);
    try std.testing.expect(parseRange("12") == null);
}
