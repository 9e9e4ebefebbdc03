//! The meaning of every visible transition: when it is enabled, how many choices it offers, what
//! it does when the maestro executes it and how it is reported to the checker (describe.zig says
//! how it reads in a log). docs/semantics.md is the prose version of this file; keep them in
//! step.

const std = @import("std");
const protocol = @import("protocol");
const objects = @import("objects.zig");
const kernel_mod = @import("kernel.zig");

const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const Request = objects.Request;

/// Operands of both phases of isomc_cond_wait.
pub const CondWait = struct { cond: *objects.Condition, mutex: *objects.Mutex };

/// The kinds of Op, as StoredOp keeps them.
pub const OpKind = enum(u64) {
    none,
    yield,
    random,
    isend,
    irecv,
    wait,
    @"test",
    waitany,
    mutex_lock,
    mutex_trylock,
    mutex_unlock,
    sem_acquire,
    sem_release,
    cond_wait,
    cond_wake,
    cond_signal,
    cond_broadcast,
    barrier_arrive,
    barrier_leave,
    load,
    store,
    fetch_add,
    cas,
    access,
    sem_trywait,
    sem_getvalue,
    assume,
};

/// What an actor waits to do: its pending visible operation and its operands. Every payload is
/// free of padding (see StoredOp).
pub const Op = union(OpKind) {
    none,
    yield,
    random: struct { min: i32, max: i32 },
    isend: *Request,
    irecv: *Request,
    wait: *Request,
    @"test": *Request,
    waitany: struct { comms: [*]?*Request, n: usize },
    mutex_lock: *objects.Mutex,
    mutex_trylock: *objects.Mutex,
    mutex_unlock: *objects.Mutex,
    sem_acquire: *objects.Semaphore,
    sem_release: *objects.Semaphore,
    cond_wait: CondWait,
    cond_wake: CondWait,
    cond_signal: *objects.Condition,
    cond_broadcast: *objects.Condition,
    barrier_arrive: *objects.Barrier,
    barrier_leave: struct { barrier: *objects.Barrier, generation: u64 },
    load: *const i64,
    store: struct { ptr: *i64, value: i64 },
    fetch_add: struct { ptr: *i64, delta: i64 },
    cas: struct { ptr: *i64, expected: i64, desired: i64 },
    /// A memory access of a pthread program (tsan.zig): nothing happens when it executes, the
    /// program makes the access itself once it runs again (atomics included), so its value is
    /// the one at the time it runs.
    access: Access,
    /// Takes the semaphore if its value is positive (result 1), else leaves it (result 0):
    /// always enabled, its result decided by the value when it runs.
    sem_trywait: *objects.Semaphore,
    /// Reads the semaphore's value (the result); changes nothing.
    sem_getvalue: *objects.Semaphore,
    /// A failed assumption (svcomp.zig): the actor is blocked for ever, its step never enabled,
    /// while the others run on; an execution left with nothing enabled and one of these is cut
    /// (docs/svcomp.md). The payload says which call failed (Assumption).
    assume: Assumption,
};

/// Which call's assumption failed: the record's arg0 (lib/model/transition.ts names them).
pub const Assumption = enum(u64) { verifier_assume = 0, assume_abort_if_not = 1, svcomp_abort = 2 };

/// A memory access as a step: its address, its value (the one read, or written by an atomic
/// store or read-modify-write's operand), and `info` (size, mode, atomic, spin; below).
pub const Access = extern struct { ptr: usize, value: u64, info: u64 };
pub const access_size_mask: u64 = 0xff;
pub const access_mode_shift = 8;
pub const AccessMode = enum(u64) { read = 0, write = 1, rmw = 2 };
pub const access_atomic: u64 = 1 << 12;
/// A read that would start again an iteration identical to the last one (tsan.zig): the
/// actor spins, and the step is never enabled (its execution is cut as blocked).
pub const access_spin: u64 = 1 << 13;
/// In a STATE record only, with access_spin: the reads of the spinning iteration would get the
/// values they got (tsan.stuck): it spins for ever unless another actor writes.
pub const access_stuck: u64 = 1 << 14;
/// A compare-exchange (an rmw): its value is the expected one, not the desired (tsan.zig), so
/// that each STATE can say whether its comparison fails there (casFails).
pub const access_cas: u64 = 1 << 15;

pub fn accessMode(a: Access) AccessMode {
    return @enumFromInt((a.info >> access_mode_shift) & 0xf);
}

/// Whether the actor's pending transition is a compare-exchange (the API's `cas`, or a
/// pthread program's) whose comparison fails in memory as it is now: taken here, it writes
/// nothing, a read (docs/independence.md). Only a write to its bytes by another actor can
/// change that, and such a write is dependent with the compare-exchange either way. Read when
/// the STATE record is made, not stored: the record stays a function of the actor's op.
pub fn casFails(actor: *const Actor) bool {
    switch (actor.op.get()) {
        .cas => |c| return @as(*const volatile i64, c.ptr).* != c.expected,
        .access => |a| {
            if (a.info & access_cas == 0) return false;
            std.debug.assert(accessMode(a) == .rmw);
            const size: usize = @intCast(a.info & access_size_mask);
            std.debug.assert(size > 0 and size <= 8);
            var v: u64 = 0;
            @memcpy(std.mem.asBytes(&v)[0..size], @as([*]const volatile u8, @ptrFromInt(a.ptr))[0..size]);
            return v != a.value;
        },
        else => return false,
    }
}

/// An Op as an actor's record keeps it: its kind, then its payload's bytes, then zeros. An
/// actor's record is program state: what an earlier, larger operation left in a union, or the
/// undefined bytes of the temporary it was copied from (the compiler copies whole unions),
/// must not make two equal states differ, so the record never holds a Zig union.
pub const StoredOp = extern struct {
    kind: OpKind = .none,
    words: [3]u64 = @splat(0),

    pub fn get(s: *const StoredOp) Op {
        switch (s.kind) {
            inline else => |tag| {
                const T = @FieldType(Op, @tagName(tag));
                if (T == void) return @unionInit(Op, @tagName(tag), {});
                var payload: T = undefined;
                @memcpy(std.mem.asBytes(&payload), std.mem.asBytes(&s.words)[0..@sizeOf(T)]);
                return @unionInit(Op, @tagName(tag), payload);
            },
        }
    }

    pub fn set(s: *StoredOp, op: Op) void {
        s.* = .{};
        switch (op) {
            inline else => |payload, tag| {
                s.kind = tag;
                const T = @TypeOf(payload);
                if (T != void) @memcpy(std.mem.asBytes(&s.words)[0..@sizeOf(T)], std.mem.asBytes(&payload));
            },
        }
    }
};

comptime {
    // Every payload fits the stored words and has no padding, so its bytes are its fields'.
    for (std.meta.fields(Op)) |f| {
        std.debug.assert(@sizeOf(f.type) <= @sizeOf([3]u64));
        if (@typeInfo(f.type) == .@"struct") {
            var sum: usize = 0;
            for (std.meta.fields(f.type)) |g| sum += @sizeOf(g.type);
            std.debug.assert(sum == @sizeOf(f.type));
        }
    }
}

/// Sets the actor's pending operation (StoredOp).
pub fn setOp(actor: *Actor, op: Op) void {
    actor.op.set(op);
}

pub fn kindOf(op: Op) protocol.Kind {
    return switch (op) {
        .none => unreachable,
        .yield => .yield,
        .random => .random,
        .isend => .isend,
        .irecv => .irecv,
        .wait => .wait,
        .@"test" => .@"test",
        .waitany => .waitany,
        .mutex_lock => .mutex_lock,
        .mutex_trylock => .mutex_trylock,
        .mutex_unlock => .mutex_unlock,
        .sem_acquire => .sem_acquire,
        .sem_release => .sem_release,
        .cond_wait => .cond_wait,
        .cond_wake => .cond_wake,
        .cond_signal => .cond_signal,
        .cond_broadcast => .cond_broadcast,
        .barrier_arrive => .barrier_arrive,
        .barrier_leave => .barrier_leave,
        .load => .load,
        .store => .store,
        .fetch_add => .fetch_add,
        .cas => .cas,
        .access => |a| switch (accessMode(a)) {
            .read => .access_read,
            .write => .access_write,
            .rmw => .access_rmw,
        },
        .sem_trywait => .sem_trywait,
        .sem_getvalue => .sem_getvalue,
        .assume => .assume,
    };
}

pub fn isEnabled(actor: *const Actor) bool {
    return switch (actor.op.get()) {
        .none => false,
        .wait => |r| r.state == .matched,
        .waitany => |w| readyCount(w.comms, w.n) > 0,
        .mutex_lock => |m| m.owner == 0,
        .sem_acquire => |s| s.value > 0,
        .cond_wake => |c| actor.signalled and c.mutex.owner == 0,
        .barrier_leave => |b| b.barrier.generation != b.generation,
        .access => |a| a.info & access_spin == 0,
        .assume => false,
        else => true,
    };
}

/// How many alternatives executing this transition offers (the checker explores each).
pub fn choiceCount(actor: *const Actor) u32 {
    return switch (actor.op.get()) {
        .random => |r| @intCast(@as(i64, r.max) - @as(i64, r.min) + 1),
        .waitany => |w| @max(readyCount(w.comms, w.n), 1),
        else => 1,
    };
}

fn readyCount(comms: [*]?*Request, n: usize) u32 {
    var count: u32 = 0;
    for (comms[0..n]) |c| {
        if (c) |r| {
            if (r.state == .matched) count += 1;
        }
    }
    return count;
}

pub const After = enum {
    /// The actor goes on running its code until its next visible operation.
    proceed,
    /// The operation has a second phase; the actor stays parked with that as its new op.
    stay,
};

/// Executes the actor's pending operation with the given choice. The caller has checked that
/// it is enabled and that the choice is in range.
pub fn execute(k: *Kernel, actor: *Actor, choice: u32) After {
    std.debug.assert(isEnabled(actor));
    std.debug.assert(choice < choiceCount(actor));
    switch (actor.op.get()) {
        .none => unreachable,
        .yield => {},
        .random => |r| actor.result = @as(i64, r.min) + choice,
        .isend => |s| {
            const mb = k.mailbox(s.mailbox);
            if (mb.recvs.pop()) |r| {
                match(k, actor, s, r);
            } else {
                // The payload was allocated with the request (objects.Request).
                const data = s.data orelse unreachable;
                @memcpy(s.payload()[0..@intCast(s.size)], data[0..@intCast(s.size)]);
                s.data = null;
                s.state = .queued;
                mb.sends.push(s);
            }
        },
        .irecv => |r| {
            const mb = k.mailbox(r.mailbox);
            if (mb.sends.pop()) |s| {
                match(k, actor, s, r);
            } else {
                r.state = .queued;
                mb.recvs.push(r);
            }
        },
        .wait => |r| {
            actor.result = @intCast(r.size);
            k.releaseRequest(r);
        },
        .@"test" => |r| {
            if (r.state == .matched) {
                actor.result = 1;
                k.releaseRequest(r);
            } else {
                actor.result = 0;
            }
        },
        .waitany => |w| {
            var seen: u32 = 0;
            for (w.comms[0..w.n], 0..) |c, i| {
                const r = c orelse continue;
                if (r.state != .matched) continue;
                if (seen == choice) {
                    actor.result = @intCast(i);
                    w.comms[i] = null;
                    k.releaseRequest(r);
                    break;
                }
                seen += 1;
            } else unreachable;
        },
        .mutex_lock => |m| m.owner = actor.id,
        .mutex_trylock => |m| {
            if (m.owner == 0) {
                m.owner = actor.id;
                actor.result = 1;
            } else {
                actor.result = 0;
            }
        },
        .mutex_unlock => |m| {
            std.debug.assert(m.owner == actor.id);
            m.owner = 0;
        },
        .sem_acquire => |s| s.value -= 1,
        .sem_release => |s| s.value += 1,
        .cond_wait => |c| {
            std.debug.assert(c.mutex.owner == actor.id);
            c.mutex.owner = 0;
            enqueueWaiter(k, c.cond, actor);
            actor.signalled = false;
            setOp(actor, .{ .cond_wake = c });
            return .stay;
        },
        .cond_wake => |c| {
            c.mutex.owner = actor.id;
            actor.signalled = false;
        },
        .cond_signal => |c| {
            if (dequeueWaiter(k, c)) |w| w.signalled = true;
        },
        .cond_broadcast => |c| {
            while (dequeueWaiter(k, c)) |w| w.signalled = true;
        },
        .barrier_arrive => |b| {
            const generation = b.generation;
            b.arrived += 1;
            if (b.arrived == b.count) {
                b.arrived = 0;
                b.generation +%= 1;
                actor.result = 1;
            } else {
                actor.result = 0;
            }
            setOp(actor, .{ .barrier_leave = .{ .barrier = b, .generation = generation } });
            return .stay;
        },
        .barrier_leave => {},
        .load => |p| actor.result = p.*,
        .store => |s| s.ptr.* = s.value,
        .fetch_add => |f| {
            actor.result = f.ptr.*;
            f.ptr.* +%= f.delta;
        },
        .cas => |c| {
            if (c.ptr.* == c.expected) {
                c.ptr.* = c.desired;
                actor.result = 1;
            } else {
                actor.result = 0;
            }
        },
        .access => {},
        // Never enabled: the checker and the local loop schedule enabled steps only.
        .assume => unreachable,
        .sem_trywait => |s| {
            if (s.value > 0) {
                s.value -= 1;
                actor.result = 1;
            } else {
                actor.result = 0;
            }
        },
        .sem_getvalue => |s| actor.result = s.value,
    }
    return .proceed;
}

/// Pairs a send with a receive: copies the message into the receiver's buffer. A queued send's
/// payload is zeroed once delivered: a matched send is then the same bytes whether it was
/// queued first or matched at once.
fn match(k: *Kernel, actor: *Actor, s: *Request, r: *Request) void {
    std.debug.assert(s.side == .send and r.side == .recv);
    if (s.size > r.cap) {
        k.violation(actor, .misuse, "message of {d} bytes sent by {s} on mailbox '{s}' does not fit the {d}-byte buffer of {s}", .{
            s.size, k.actorName(s.owner), k.mailboxName(s.mailbox), r.cap, k.actorName(r.owner),
        });
    }
    const size: usize = @intCast(s.size);
    const source: []const u8 = if (s.state == .queued) s.payload()[0..size] else (s.data orelse unreachable)[0..size];
    if (size > 0) @memcpy((r.buf orelse unreachable)[0..size], source);
    if (s.state == .queued) @memset(s.payload(), 0);
    r.size = s.size;
    s.data = null;
    s.state = .matched;
    r.state = .matched;
}

/// Appends an actor to a condition's waiters (objects.Condition); `actors` finds actors by id.
fn enqueueWaiter(actors: anytype, c: *objects.Condition, actor: *Actor) void {
    std.debug.assert(actor.next_waiter == 0 and actor.id != c.last);
    if (c.last == 0) c.first = actor.id else actors.actorById(c.last).?.next_waiter = actor.id;
    c.last = actor.id;
    c.waiting += 1;
}

/// Takes the longest-waiting actor off a condition's waiters, its link cleared.
fn dequeueWaiter(actors: anytype, c: *objects.Condition) ?*Actor {
    if (c.first == 0) {
        std.debug.assert(c.last == 0 and c.waiting == 0);
        return null;
    }
    const w = actors.actorById(c.first).?;
    c.first = w.next_waiter;
    if (c.first == 0) c.last = 0;
    w.next_waiter = 0;
    c.waiting -= 1;
    return w;
}

/// The record that describes this actor's pending transition to the checker. Its extras are
/// written into `extras` (large enough for any waitany: the API caps its count).
pub fn record(actor: *const Actor, extras: []u64) protocol.Record {
    var flags: u8 = if (isEnabled(actor)) protocol.record_flag_enabled else 0;
    var object: u64 = 0;
    var arg0: i64 = 0;
    var arg1: i64 = 0;
    var n_extras: usize = 0;
    switch (actor.op.get()) {
        .none => unreachable,
        .yield => {},
        .barrier_leave => |b| object = b.barrier.id,
        .random => |r| {
            arg0 = r.min;
            arg1 = r.max;
        },
        .isend, .irecv => |r| {
            object = r.mailbox;
            arg0 = @bitCast(r.id);
            arg1 = @intCast(if (r.side == .send) r.size else r.cap);
        },
        .wait, .@"test" => |r| {
            object = r.id;
            arg0 = @bitCast(r.mailbox);
            arg1 = @intFromEnum(r.side);
            if (r.state == .matched) flags |= protocol.record_flag_ready;
        },
        .waitany => |w| {
            arg0 = @intCast(w.n);
            for (w.comms[0..w.n]) |c| {
                const r = c orelse continue;
                const ready: u64 = if (r.state == .matched) protocol.extra_ready_bit else 0;
                extras[n_extras] = r.id | ready;
                n_extras += 1;
            }
        },
        .mutex_lock, .mutex_trylock, .mutex_unlock => |m| {
            object = m.id;
            arg0 = m.owner;
        },
        .sem_acquire, .sem_release, .sem_trywait, .sem_getvalue => |s| {
            object = s.id;
            arg0 = s.value;
        },
        .cond_wait, .cond_wake => |c| {
            object = c.cond.id;
            arg0 = @bitCast(c.mutex.id);
        },
        .cond_signal, .cond_broadcast => |c| {
            object = c.id;
            arg0 = c.waiting;
        },
        .barrier_arrive => |b| {
            object = b.id;
            arg0 = b.count;
            arg1 = b.arrived;
        },
        .load => |p| object = @intFromPtr(p),
        .store => |s| {
            object = @intFromPtr(s.ptr);
            arg0 = s.value;
        },
        .fetch_add => |f| {
            object = @intFromPtr(f.ptr);
            arg0 = f.delta;
        },
        .cas => |c| {
            object = @intFromPtr(c.ptr);
            arg0 = c.expected;
            arg1 = c.desired;
        },
        .access => |a| {
            object = a.ptr;
            arg0 = @bitCast(a.value);
            arg1 = @bitCast(a.info);
            if (a.info & access_spin != 0) flags |= protocol.record_flag_spin;
        },
        .assume => |which| arg0 = @intCast(@intFromEnum(which)),
    }
    return .{
        .actor = actor.id,
        .kind = kindOf(actor.op.get()),
        .flags = flags,
        .choices = choiceCount(actor),
        .object = object,
        .arg0 = arg0,
        .arg1 = arg1,
        .extras = extras[0..n_extras],
    };
}

// ---- Tests: the "enabled when", choices and record columns of docs/semantics.md ------------

const testing = std.testing;

fn noCode(_: ?*anyopaque) callconv(.c) void {}

fn parked(op: Op) Actor {
    var a = Actor{ .kernel = undefined, .id = 1, .parent = 0, .name = "t", .code = noCode, .arg = null, .stack = null, .status = .pending };
    setOp(&a, op);
    return a;
}

test "mutex_lock is enabled when the mutex is free; trylock and unlock always" {
    var m = objects.Mutex{ .id = 7 };
    try testing.expect(isEnabled(&parked(.{ .mutex_lock = &m })));
    m.owner = 2;
    try testing.expect(!isEnabled(&parked(.{ .mutex_lock = &m })));
    try testing.expect(isEnabled(&parked(.{ .mutex_trylock = &m })));
    const rec = record(&parked(.{ .mutex_lock = &m }), &extras_for_tests);
    try testing.expectEqual(@as(u64, 7), rec.object);
    try testing.expectEqual(@as(i64, 2), rec.arg0);
    try testing.expectEqual(@as(u8, 0), rec.flags & protocol.record_flag_enabled);
}

test "sem_acquire is enabled when the value is positive" {
    var s = objects.Semaphore{ .id = 3, .value = 0 };
    try testing.expect(!isEnabled(&parked(.{ .sem_acquire = &s })));
    try testing.expect(isEnabled(&parked(.{ .sem_release = &s })));
    s.value = 1;
    try testing.expect(isEnabled(&parked(.{ .sem_acquire = &s })));
}

test "sem_trywait takes a positive semaphore, else leaves it; sem_getvalue reads it" {
    var s = objects.Semaphore{ .id = 3, .value = 1 };
    var k: Kernel = undefined; // the semaphore operations never touch the kernel
    var a = parked(.{ .sem_trywait = &s });
    try testing.expect(isEnabled(&a));
    try testing.expectEqual(protocol.Kind.sem_trywait, record(&a, &extras_for_tests).kind);
    try testing.expectEqual(@as(i64, 1), record(&a, &extras_for_tests).arg0);
    _ = execute(&k, &a, 0);
    try testing.expectEqual(@as(i64, 1), a.result);
    try testing.expectEqual(@as(i64, 0), s.value);
    a = parked(.{ .sem_trywait = &s });
    try testing.expect(isEnabled(&a));
    _ = execute(&k, &a, 0);
    try testing.expectEqual(@as(i64, 0), a.result);
    try testing.expectEqual(@as(i64, 0), s.value);
    s.value = 2;
    a = parked(.{ .sem_getvalue = &s });
    try testing.expect(isEnabled(&a));
    try testing.expectEqual(protocol.Kind.sem_getvalue, record(&a, &extras_for_tests).kind);
    _ = execute(&k, &a, 0);
    try testing.expectEqual(@as(i64, 2), a.result);
    try testing.expectEqual(@as(i64, 2), s.value);
}

test "a failed assumption is never enabled and says which call failed" {
    for ([_]Assumption{ .verifier_assume, .assume_abort_if_not, .svcomp_abort }) |which| {
        const a = parked(.{ .assume = which });
        try testing.expect(!isEnabled(&a));
        try testing.expectEqual(@as(u32, 1), choiceCount(&a));
        const rec = record(&a, &extras_for_tests);
        try testing.expectEqual(protocol.Kind.assume, rec.kind);
        try testing.expectEqual(@as(u8, 0), rec.flags);
        try testing.expectEqual(@as(i64, @intCast(@intFromEnum(which))), rec.arg0);
    }
}

test "cond_wake needs a signal and a free mutex" {
    var m = objects.Mutex{ .id = 1, .owner = 2 };
    var c = objects.Condition{ .id = 2 };
    var a = parked(.{ .cond_wake = .{ .cond = &c, .mutex = &m } });
    try testing.expect(!isEnabled(&a));
    a.signalled = true;
    try testing.expect(!isEnabled(&a));
    m.owner = 0;
    try testing.expect(isEnabled(&a));
    a.signalled = false;
    try testing.expect(!isEnabled(&a));
}

test "barrier_leave waits for its generation to complete" {
    var b = objects.Barrier{ .id = 4, .count = 2, .arrived = 1 };
    const a = parked(.{ .barrier_leave = .{ .barrier = &b, .generation = 0 } });
    try testing.expect(!isEnabled(&a));
    b.generation = 1;
    try testing.expect(isEnabled(&a));
}

test "wait needs a matched comm; waitany offers one choice per matched comm" {
    const mb: u64 = 1 << 52;
    var r1 = Request{ .id = 11, .side = .recv, .owner = 1, .mailbox = mb, .state = .queued };
    var r2 = Request{ .id = 12, .side = .recv, .owner = 1, .mailbox = mb, .state = .queued };
    try testing.expect(!isEnabled(&parked(.{ .wait = &r1 })));
    try testing.expect(isEnabled(&parked(.{ .@"test" = &r1 })));
    var comms = [_]?*Request{ &r1, null, &r2 };
    const any = parked(.{ .waitany = .{ .comms = &comms, .n = 3 } });
    try testing.expect(!isEnabled(&any));
    try testing.expectEqual(@as(u32, 1), choiceCount(&any));
    r2.state = .matched;
    try testing.expect(isEnabled(&any));
    try testing.expectEqual(@as(u32, 1), choiceCount(&any));
    r1.state = .matched;
    try testing.expect(isEnabled(&parked(.{ .wait = &r1 })));
    try testing.expectEqual(@as(u32, 2), choiceCount(&any));
    const rec = record(&any, &extras_for_tests);
    try testing.expectEqual(@as(i64, 3), rec.arg0);
    try testing.expectEqualSlices(u64, &.{ 11 | protocol.extra_ready_bit, 12 | protocol.extra_ready_bit }, rec.extras);
}

test "random offers max - min + 1 choices" {
    try testing.expectEqual(@as(u32, 5), choiceCount(&parked(.{ .random = .{ .min = -2, .max = 2 } })));
    try testing.expectEqual(@as(u32, 1), choiceCount(&parked(.{ .random = .{ .min = 7, .max = 7 } })));
    try testing.expectEqual(@as(u32, 1 << 31), choiceCount(&parked(.{ .random = .{ .min = -(1 << 30), .max = (1 << 30) - 1 } })));
}

var extras_for_tests: [8]u64 = undefined;

test "a stored operation keeps only its own bytes" {
    var a = parked(.none);
    @memset(std.mem.asBytes(&a.op), 0xaa);
    var s = objects.Semaphore{ .id = 1, .value = 0 };
    setOp(&a, .{ .sem_acquire = &s });
    try testing.expectEqual(OpKind.sem_acquire, a.op.kind);
    try testing.expectEqual(@intFromPtr(&s), a.op.words[0]);
    try testing.expectEqualSlices(u64, &.{ 0, 0 }, a.op.words[1..]);
    try testing.expectEqual(&s, a.op.get().sem_acquire);
    setOp(&a, .{ .cas = .{ .ptr = @ptrFromInt(0x1000), .expected = -1, .desired = 2 } });
    setOp(&a, .yield);
    try testing.expectEqualSlices(u64, &.{ 0, 0, 0 }, &a.op.words);
    setOp(&a, .{ .barrier_leave = .{ .barrier = @ptrFromInt(0x2000), .generation = 7 } });
    try testing.expectEqual(@as(u64, 7), a.op.get().barrier_leave.generation);
    try testing.expectEqual(@as(u64, 0), a.op.words[2]);
}

test "condition waiters: a FIFO through the actors' records, nothing left behind" {
    const Table = struct {
        actors: [4]Actor,
        fn actorById(t: *@This(), id: u32) ?*Actor {
            return if (id == 0 or id > t.actors.len) null else &t.actors[id - 1];
        }
    };
    var t = Table{ .actors = undefined };
    for (&t.actors, 1..) |*a, id| {
        a.* = parked(.yield);
        a.id = @intCast(id);
    }
    var c = objects.Condition{ .id = 9 };
    for ([_]u32{ 3, 1, 4 }) |id| enqueueWaiter(&t, &c, &t.actors[id - 1]);
    try testing.expectEqual(@as(u32, 3), c.waiting);
    try testing.expectEqual(@as(u32, 3), dequeueWaiter(&t, &c).?.id);
    enqueueWaiter(&t, &c, &t.actors[1]);
    for ([_]u32{ 1, 4, 2 }) |id| try testing.expectEqual(id, dequeueWaiter(&t, &c).?.id);
    try testing.expectEqual(@as(?*Actor, null), dequeueWaiter(&t, &c));
    // Emptied, the condition and every record are as if nobody had ever waited.
    try testing.expectEqual(objects.Condition{ .id = 9 }, c);
    for (t.actors) |a| try testing.expectEqual(@as(u32, 0), a.next_waiter);
}
