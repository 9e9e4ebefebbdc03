//! The synchronisation objects the runtime's kernel owns: mailboxes and their communication
//! requests, mutexes, semaphores, condition variables and barriers. Only data lives here; what
//! each transition does to these objects is in transitions.zig.
//!
//! Object identifiers are canonical: (creating actor id << 32) | that actor's object counter,
//! with actor 0 standing for main; mailboxes are named, so their id is a hash of the name. They depend only on the creator's own history, never on the
//! interleaving, so the checker can compare them across executions.

const std = @import("std");

/// Creators stay below 2^20 so every id is below 2^52 (exact in a JavaScript number).
pub const max_actors: u32 = 1 << 20;

pub fn objectId(creator: u32, counter: u32) u64 {
    std.debug.assert(counter != 0);
    std.debug.assert(creator < max_actors);
    return (@as(u64, creator) << 32) | counter;
}

/// Intrusive FIFO of requests waiting in a mailbox.
pub const Queue = struct {
    head: ?*Request = null,
    tail: ?*Request = null,

    pub fn push(q: *Queue, r: *Request) void {
        std.debug.assert(r.next == null);
        if (q.tail) |t| t.next = r else q.head = r;
        q.tail = r;
    }

    pub fn pop(q: *Queue) ?*Request {
        const r = q.head orelse return null;
        q.head = r.next;
        if (q.head == null) q.tail = null;
        r.next = null;
        return r;
    }

    pub fn isEmpty(q: *const Queue) bool {
        return q.head == null;
    }
};

pub const Mailbox = struct {
    id: u64,
    name: [:0]const u8,
    /// Posted sends nobody has received yet, oldest first.
    sends: Queue = .{},
    /// Posted receives no send has matched yet, oldest first.
    recvs: Queue = .{},
};

pub const Side = enum(u8) { send = 0, recv = 1 };

/// One side of a communication: what an isomc_comm_t points to.
pub const Request = struct {
    pub const live_magic: u32 = 0x1503_c033;

    /// live_magic while the handle is valid; the heap zeroes released blocks.
    magic: u32 = live_magic,
    id: u64,
    side: Side,
    owner: u32,
    mailbox: *Mailbox,
    state: enum(u8) { unposted, queued, matched } = .unposted,
    /// Send side, before posting: the program's data.
    data: ?[*]const u8 = null,
    /// Send side, while queued: the runtime's copy of the data.
    payload: []u8 = &.{},
    /// Receive side: the program's buffer and its capacity.
    buf: ?[*]u8 = null,
    cap: usize = 0,
    /// Size of the message: the sent size, then the matched size on the receive side.
    size: usize = 0,
    next: ?*Request = null,

    pub fn isLive(r: *const Request) bool {
        return r.magic == live_magic;
    }
};

pub const Mutex = struct {
    id: u64,
    /// Id of the owning actor, 0 when free.
    owner: u32 = 0,
};

pub const Semaphore = struct {
    id: u64,
    value: i64,
};

pub const Condition = struct {
    id: u64,
    /// Actors waiting for a signal, oldest first (ids).
    waiters: std.ArrayList(u32) = .empty,
};

pub const Barrier = struct {
    id: u64,
    count: u32,
    arrived: u32 = 0,
    /// Incremented each time `count` actors have arrived; leavers wait for it to move.
    generation: u32 = 0,
};

test "queue is FIFO" {
    var mb = Mailbox{ .id = 1, .name = "m" };
    var a = Request{ .id = 1, .side = .send, .owner = 1, .mailbox = &mb };
    var b = Request{ .id = 2, .side = .send, .owner = 2, .mailbox = &mb };
    var q = Queue{};
    q.push(&a);
    q.push(&b);
    try std.testing.expectEqual(&a, q.pop().?);
    try std.testing.expectEqual(&b, q.pop().?);
    try std.testing.expect(q.isEmpty());
    try std.testing.expectEqual(null, q.pop());
}

test "object ids put the creator in the high half" {
    try std.testing.expectEqual(@as(u64, 0x0000_0003_0000_0002), objectId(3, 2));
}
