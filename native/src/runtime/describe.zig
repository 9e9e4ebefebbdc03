//! How a pending transition reads in the runtime's own words — a replay's step log and a
//! deadlock report — in exactly the words the checker prints it in a counterexample
//! (describeTransition in lib/model/transition.ts): an ISOMC_REPLAY log reads line for line
//! like the trace it follows (tests/replay_log_test.ts compares them). Shared variables are
//! named from the program's symbols (symbols.zig); a step's choice shows what it picked.

const std = @import("std");
const objects = @import("objects.zig");
const kernel_mod = @import("kernel.zig");
const symbols = @import("symbols.zig");
const Registry = @import("registry.zig").Registry;
const transitions = @import("transitions.zig");

const Actor = kernel_mod.Actor;
const Writer = std.Io.Writer;

/// An object id as the checker shows it: "counter", or "creator.counter" for an actor's.
fn id(w: *Writer, value: u64) Writer.Error!void {
    const creator = value >> 32;
    const counter = value & 0xffff_ffff;
    if (creator == 0) return w.print("{d}", .{counter});
    return w.print("{d}.{d}", .{ creator, counter });
}

fn sideName(side: objects.Side) []const u8 {
    return switch (side) {
        .send => "send",
        .recv => "receive",
    };
}

/// Writes the actor's pending transition; `choice` is the alternative a step takes (null in a
/// deadlock report, where nothing is taken). A request names its mailbox by id, looked up in
/// `mailboxes` (registry.zig).
pub fn describe(w: *Writer, actor: *const Actor, choice: ?u32, names: *const symbols.Table, mailboxes: *const Registry) Writer.Error!void {
    const op = actor.op.get();
    switch (op) {
        .none => try w.writeAll("nothing"),
        .yield => try w.writeAll("yield()"),
        .random => |r| {
            try w.print("random({d}, {d})", .{ r.min, r.max });
            if (choice) |c| try w.print(" = {d}", .{@as(i64, r.min) + c});
        },
        .isend => |r| {
            try w.print("isend(mailbox '{s}', {d} bytes) -> comm ", .{ mailboxes.nameOf(r.mailbox), r.size });
            try id(w, r.id);
        },
        .irecv => |r| {
            try w.print("irecv(mailbox '{s}', {d}-byte buffer) -> comm ", .{ mailboxes.nameOf(r.mailbox), r.cap });
            try id(w, r.id);
        },
        .wait, .@"test" => |r| {
            try w.writeAll(if (op == .wait) "wait(comm " else "test(comm ");
            try id(w, r.id);
            try w.print(": {s} on mailbox '{s}')", .{ sideName(r.side), mailboxes.nameOf(r.mailbox) });
            if (op == .@"test") try w.writeAll(if (r.state == .matched) " = 1" else " = 0");
        },
        .waitany => |wa| {
            try w.writeAll("waitany([");
            var first = true;
            var picked: ?u64 = null;
            var ready: u32 = 0;
            for (wa.comms[0..wa.n]) |c| {
                const r = c orelse continue;
                if (!first) try w.writeAll(", ");
                first = false;
                try id(w, r.id);
                if (r.state == .matched) {
                    try w.writeByte('*');
                    if (choice == ready) picked = r.id;
                    ready += 1;
                }
            }
            try w.writeAll("])");
            if (choice != null) {
                try w.writeAll(" -> comm ");
                try id(w, picked orelse 0);
            }
        },
        .mutex_lock => |m| {
            try w.writeAll("mutex_lock(mutex ");
            try id(w, m.id);
            try w.writeByte(')');
        },
        .mutex_trylock => |m| {
            try w.writeAll("mutex_trylock(mutex ");
            try id(w, m.id);
            try w.writeAll(if (m.owner == 0) ") = 1" else ") = 0");
        },
        .mutex_unlock => |m| {
            try w.writeAll("mutex_unlock(mutex ");
            try id(w, m.id);
            try w.writeByte(')');
        },
        .sem_acquire, .sem_release => |s| {
            try w.writeAll(if (op == .sem_acquire) "sem_acquire(sem " else "sem_release(sem ");
            try id(w, s.id);
            try w.writeByte(')');
        },
        .sem_trywait => |s| {
            try w.writeAll("sem_trywait(sem ");
            try id(w, s.id);
            try w.writeAll(if (s.value > 0) ") = 1" else ") = 0");
        },
        .assume => |which| try w.writeAll(switch (which) {
            .verifier_assume => "__VERIFIER_assume(0)",
            .assume_abort_if_not => "assume_abort_if_not(0)",
            .svcomp_abort => "abort() under --svcomp",
        }),
        .sem_getvalue => |s| {
            try w.writeAll("sem_getvalue(sem ");
            try id(w, s.id);
            try w.print(") = {d}", .{s.value});
        },
        .cond_wait, .cond_wake => |c| {
            try w.writeAll(if (op == .cond_wait) "cond_wait(cond " else "cond_wait returns(cond ");
            try id(w, c.cond.id);
            try w.writeAll(", mutex ");
            try id(w, c.mutex.id);
            try w.writeByte(')');
        },
        .cond_signal, .cond_broadcast => |c| {
            try w.writeAll(if (op == .cond_signal) "cond_signal(cond " else "cond_broadcast(cond ");
            try id(w, c.id);
            try w.writeByte(')');
        },
        .barrier_arrive => |b| {
            try w.writeAll("barrier_wait arrives(barrier ");
            try id(w, b.id);
            try w.print(", {d} of {d})", .{ b.arrived + 1, b.count });
        },
        .barrier_leave => |b| {
            try w.writeAll("barrier_wait leaves(barrier ");
            try id(w, b.barrier.id);
            try w.writeByte(')');
        },
        .load => |p| {
            try w.writeAll("load(");
            try names.write(w, @intFromPtr(p));
            try w.writeByte(')');
        },
        .store => |s| {
            try w.writeAll("store(");
            try names.write(w, @intFromPtr(s.ptr));
            try w.print(", {d})", .{s.value});
        },
        .fetch_add => |f| {
            try w.writeAll("fetch_add(");
            try names.write(w, @intFromPtr(f.ptr));
            try w.print(", {d})", .{f.delta});
        },
        .cas => |c| {
            try w.writeAll("cas(");
            try names.write(w, @intFromPtr(c.ptr));
            try w.print(", {d}, {d})", .{ c.expected, c.desired });
        },
        .access => |a| {
            const mode = transitions.accessMode(a);
            try w.writeAll(switch (mode) {
                .read => "read(",
                .write => "write(",
                .rmw => "rmw(",
            });
            try names.write(w, a.ptr);
            try w.print(", {d} bytes)", .{a.info & transitions.access_size_mask});
        },
    }
}

// ---- Tests: the checker's words for the cases its own tests show -------------------------

const testing = std.testing;

fn noCode(_: ?*anyopaque) callconv(.c) void {}

/// The mailboxes the tests' requests name ("m", "box"), looked up once.
fn testMailboxes() !*const Registry {
    const S = struct {
        var epoch: u64 = 0;
        var registry: ?Registry = null;
    };
    if (S.registry == null) {
        S.registry = try Registry.init(&S.epoch);
        _ = try S.registry.?.lookup(1 << 52, "m");
        _ = try S.registry.?.lookup((1 << 52) + 1, "box");
    }
    return &S.registry.?;
}

fn described(op: transitions.Op, choice: ?u32) ![]const u8 {
    const S = struct {
        var buf: [256]u8 = undefined;
    };
    var actor = Actor{ .kernel = undefined, .id = 1, .parent = 0, .name = "t", .code = noCode, .arg = null, .stack = null, .status = .pending };
    transitions.setOp(&actor, op);
    var w: Writer = .fixed(&S.buf);
    try describe(&w, &actor, choice, &.{}, try testMailboxes());
    return w.buffered();
}

test "random shows its range and the value a step picks" {
    try testing.expectEqualStrings("random(5, 9)", try described(.{ .random = .{ .min = 5, .max = 9 } }, null));
    try testing.expectEqualStrings("random(-1, 1) = 0", try described(.{ .random = .{ .min = -1, .max = 1 } }, 1));
}

test "waitany lists its comms, marks the matched ones and names the one a step takes" {
    const mb: u64 = 1 << 52;
    var a = objects.Request{ .id = objects.objectId(2, 1), .side = .recv, .owner = 2, .mailbox = mb, .state = .matched };
    var b = objects.Request{ .id = objects.objectId(2, 2), .side = .recv, .owner = 2, .mailbox = mb, .state = .matched };
    var c = objects.Request{ .id = objects.objectId(2, 3), .side = .recv, .owner = 2, .mailbox = mb };
    var comms = [_]?*objects.Request{ &a, null, &c, &b };
    const op: transitions.Op = .{ .waitany = .{ .comms = &comms, .n = comms.len } };
    try testing.expectEqualStrings("waitany([2.1*, 2.3, 2.2*])", try described(op, null));
    try testing.expectEqualStrings("waitany([2.1*, 2.3, 2.2*]) -> comm 2.2", try described(op, 1));
}

test "mutexes, tests and barriers read as in a counterexample" {
    var m = objects.Mutex{ .id = 3 };
    try testing.expectEqualStrings("mutex_trylock(mutex 3) = 1", try described(.{ .mutex_trylock = &m }, 0));
    m.owner = 2;
    try testing.expectEqualStrings("mutex_trylock(mutex 3) = 0", try described(.{ .mutex_trylock = &m }, 0));
    var r = objects.Request{ .id = objects.objectId(1, 4), .side = .send, .owner = 1, .mailbox = (1 << 52) + 1 };
    try testing.expectEqualStrings("test(comm 1.4: send on mailbox 'box') = 0", try described(.{ .@"test" = &r }, 0));
    try testing.expectEqualStrings("isend(mailbox 'box', 0 bytes) -> comm 1.4", try described(.{ .isend = &r }, 0));
    var bar = objects.Barrier{ .id = 5, .count = 3, .arrived = 1 };
    try testing.expectEqualStrings("barrier_wait arrives(barrier 5, 2 of 3)", try described(.{ .barrier_arrive = &bar }, 0));
}
