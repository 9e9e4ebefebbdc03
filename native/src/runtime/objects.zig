//! The synchronisation objects the runtime's kernel owns: mailboxes and their communication
//! requests, mutexes, semaphores, condition variables and barriers. Only data lives here; what
//! each transition does to these objects is in transitions.zig, where they live in kernel.zig
//! and registry.zig.
//!
//! These structures are program state: the checker hashes them byte for byte. So they are
//! extern structs without implicit padding (a padding byte could carry garbage that makes two
//! equal states differ), and what they hold depends only on the logical state:
//!   - object ids are (creating actor id << 32) | that actor's object counter, with actor 0
//!     standing for main; mailboxes are named, so their id is a hash of the name;
//!   - a communication's id is (owner << 32) | n where n is the smallest number no other live
//!     communication of its owner has: ids come back when communications are released, so a
//!     program that posts forever uses finitely many (a token ring comes back to its ids).

const std = @import("std");

/// Creators stay below 2^20 so every id is below 2^52 (exact in a JavaScript number).
pub const max_actors: u32 = 1 << 20;

pub fn objectId(creator: u32, counter: u32) u64 {
    std.debug.assert(counter != 0);
    std.debug.assert(creator < max_actors);
    return (@as(u64, creator) << 32) | counter;
}

/// Intrusive FIFO of requests waiting in a mailbox.
pub const Queue = extern struct {
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

/// What the program holds for a mailbox: its id, never an address (registry.zig says why).
pub const MailboxHandle = opaque {};

pub fn mailboxHandle(id: u64) *MailboxHandle {
    return @ptrFromInt(id);
}

pub fn mailboxIdOf(h: *const MailboxHandle) u64 {
    return @intFromPtr(h);
}

/// A mailbox, as the registry keeps it (registry.zig): sorted by id, its name elsewhere.
pub const Mailbox = extern struct {
    id: u64,
    /// Posted sends nobody has received yet, oldest first.
    sends: Queue = .{},
    /// Posted receives no send has matched yet, oldest first.
    recvs: Queue = .{},
    /// Where its name (NUL-terminated) lies in the registry's names.
    name_offset: u32 = 0,
    name_len: u32 = 0,
};

pub const Side = enum(u8) { send = 0, recv = 1 };
pub const CommState = enum(u8) { unposted, queued, matched };

/// One side of a communication: what an isomc_comm_t points to. A send's payload lives right
/// after it, in the same block, allocated with it when the send is posted whether or not it
/// will be needed: so the owner's arena sees the same allocations whatever the interleaving.
pub const Request = extern struct {
    pub const live_magic: u32 = 0x1503_c033;

    /// live_magic while the handle is valid; released blocks are zeroed.
    magic: u32 = live_magic,
    owner: u32,
    id: u64,
    mailbox: u64,
    side: Side,
    state: CommState = .unposted,
    reserved: [6]u8 = @splat(0),
    /// Send side, before posting: the program's data.
    data: ?[*]const u8 = null,
    /// Send side: the bytes of payload after the request (the message's size).
    capacity: u64 = 0,
    /// Receive side: the program's buffer and its capacity.
    buf: ?[*]u8 = null,
    cap: u64 = 0,
    /// Size of the message: the sent size, then the matched size on the receive side.
    size: u64 = 0,
    /// The mailbox queue it waits in.
    next: ?*Request = null,
    /// The owner's live communications, by increasing id.
    live_next: ?*Request = null,

    pub fn isLive(r: *const Request) bool {
        return r.magic == live_magic;
    }

    /// The runtime's copy of a queued send's data.
    pub fn payload(r: *Request) []u8 {
        const after: [*]u8 = @ptrFromInt(@intFromPtr(r) + @sizeOf(Request));
        return after[0..@intCast(r.capacity)];
    }

    /// Bytes of the block that holds a request with `capacity` bytes of payload.
    pub fn blockSize(capacity: usize) usize {
        return @sizeOf(Request) + capacity;
    }

    /// The counter half of the id.
    pub fn number(r: *const Request) u32 {
        return @truncate(r.id);
    }
};

/// An actor's live communications, sorted by id: the smallest free number is the next id.
pub const LiveComms = extern struct {
    first: ?*Request = null,

    /// Gives `r` the smallest number none of the live ones has, and makes it live.
    pub fn add(l: *LiveComms, owner: u32, r: *Request) void {
        var n: u32 = 1;
        var link: *?*Request = &l.first;
        while (link.*) |x| : (link = &x.live_next) {
            std.debug.assert(x.number() >= n);
            if (x.number() != n) break;
            n += 1;
        }
        r.id = objectId(owner, n);
        r.live_next = link.*;
        link.* = r;
    }

    pub fn remove(l: *LiveComms, r: *Request) void {
        var link: *?*Request = &l.first;
        while (link.*) |x| : (link = &x.live_next) {
            if (x == r) {
                link.* = r.live_next;
                r.live_next = null;
                return;
            }
        }
        unreachable; // a released request was live
    }

    pub fn isSorted(l: *const LiveComms) bool {
        var last: u32 = 0;
        var at = l.first;
        while (at) |x| : (at = x.live_next) {
            if (x.number() <= last) return false;
            last = x.number();
        }
        return true;
    }
};

pub const Mutex = extern struct {
    id: u64,
    /// Id of the owning actor, 0 when free.
    owner: u32 = 0,
    reserved: u32 = 0,
};

pub const Semaphore = extern struct {
    id: u64,
    value: i64,
};

/// Waiting actors are linked through their own records (kernel.zig's Actor.next_waiter), oldest
/// first: a list that takes no memory of its own, so nothing is left behind when it shrinks.
pub const Condition = extern struct {
    id: u64,
    /// Ids of the oldest and newest waiters, 0 when nobody waits.
    first: u32 = 0,
    last: u32 = 0,
    waiting: u32 = 0,
    reserved: u32 = 0,
};

pub const Barrier = extern struct {
    id: u64,
    count: u32,
    arrived: u32 = 0,
    /// Incremented each time `count` actors have arrived; leavers wait for it to move.
    generation: u32 = 0,
    reserved: u32 = 0,
};

comptime {
    // No implicit padding: every byte of these is a field.
    for (.{ Queue, Mailbox, Request, LiveComms, Mutex, Semaphore, Condition, Barrier }) |T| {
        var sum: usize = 0;
        for (std.meta.fields(T)) |f| sum += @sizeOf(f.type);
        std.debug.assert(sum == @sizeOf(T));
    }
}

const testing = std.testing;

fn testRequest(owner: u32) Request {
    return .{ .id = 0, .side = .send, .owner = owner, .mailbox = 1 };
}

test "queue is FIFO" {
    var a = testRequest(1);
    var b = testRequest(2);
    var q = Queue{};
    q.push(&a);
    q.push(&b);
    try testing.expectEqual(&a, q.pop().?);
    try testing.expectEqual(&b, q.pop().?);
    try testing.expect(q.isEmpty());
    try testing.expectEqual(null, q.pop());
}

test "object ids put the creator in the high half" {
    try testing.expectEqual(@as(u64, 0x0000_0003_0000_0002), objectId(3, 2));
}

test "communication ids: the smallest free number, whatever the order of releases" {
    var live = LiveComms{};
    var rs: [4]Request = .{ testRequest(3), testRequest(3), testRequest(3), testRequest(3) };
    for (&rs) |*r| live.add(3, r);
    for (rs, 1..) |r, n| try testing.expectEqual(objectId(3, @intCast(n)), r.id);
    live.remove(&rs[1]);
    live.remove(&rs[0]);
    try testing.expect(live.isSorted());
    var again = testRequest(3);
    live.add(3, &again);
    try testing.expectEqual(objectId(3, 1), again.id);
    var next = testRequest(3);
    live.add(3, &next);
    try testing.expectEqual(objectId(3, 2), next.id);
    try testing.expect(live.isSorted());
    // Every id in a long run of posts and releases stays below the most ever live at once.
    var pool: [5]Request = @splat(testRequest(4));
    var other = LiveComms{};
    var held: [5]bool = @splat(false);
    var prng = std.Random.DefaultPrng.init(3);
    for (0..2000) |_| {
        const i = prng.random().uintLessThan(usize, pool.len);
        if (held[i]) other.remove(&pool[i]) else other.add(4, &pool[i]);
        held[i] = !held[i];
        if (held[i]) try testing.expect(pool[i].number() <= pool.len);
        try testing.expect(other.isSorted());
    }
}
