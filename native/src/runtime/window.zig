//! The window of the step being executed (docs/pthreads.md, "Data races"): under
//! `ISOMC_MEMORY=sync` the plain accesses of a pthread program are no steps, but the checker's
//! race detector needs them. The actors that run after a step (the one that took it, then those
//! it created, each up to its next visible operation) log them here, with the creations among
//! them, and the STATE the step leads to carries the log (protocol.zig, WindowEvent).
//!
//! The log is bounded (`capacity` events) and deduplicated: an access to the same bytes by the
//! same actor in one segment (between two of its creations) is one event, a write after a read
//! taking the read's place. The accesses of one segment share one vector clock in the checker
//! (nothing synchronises between them), so every race a later access to those bytes makes, an
//! earlier one makes too, a write's covering a read's. A creation ends a segment: what the
//! creator did before it happens before the new actor, what it does after does not.
//!
//! It lives in the bookkeeping area (control.zig), which is not program state: it says what the
//! last step did, and two paths to one state must hash alike. It is cleared when a step starts.

const std = @import("std");
const protocol = @import("protocol");

const WindowEvent = protocol.WindowEvent;

/// The most events one window holds; an access or a creation that does not fit is made a
/// visible step instead (tsan.zig), which ends the window.
pub const capacity = 1024;
const slot_bits = 11;
const slot_count = 1 << slot_bits;

comptime {
    // Open addressing stays below half full, so a probe always ends at an empty slot.
    std.debug.assert(slot_count >= 2 * capacity);
    std.debug.assert(capacity < std.math.maxInt(u16));
}

pub const Log = struct {
    len: u32 = 0,
    /// The first event of the current segment: older events are never merged with newer ones.
    segment: u32 = 0,
    /// How many events are accesses: a window of creations alone is not sent.
    accesses: u32 = 0,
    /// The access event last logged or merged, plus 1 (0: none): a loop's next access is
    /// usually to the same bytes, found here without a probe.
    last: u32 = 0,
    events: [capacity]WindowEvent = undefined,
    /// Indexes the accesses by (actor, address, size): 0 empty, else an event's index + 1.
    slots: [slot_count]u16 = @splat(0),

    /// A step starts: its window is empty.
    pub fn clear(l: *Log) void {
        if (l.len == 0) return;
        if (l.accesses > 0) @memset(&l.slots, 0);
        l.len = 0;
        l.segment = 0;
        l.accesses = 0;
        l.last = 0;
    }

    /// The events to send with the next STATE (none unless an access was logged).
    pub fn toSend(l: *const Log) []const WindowEvent {
        return if (l.accesses == 0) &.{} else l.events[0..l.len];
    }

    pub fn full(l: *const Log) bool {
        return l.len == capacity;
    }

    /// Logs an access; false when it does not fit (the caller makes it a visible step).
    pub fn access(l: *Log, actor: u32, write: bool, address: u64, size: u32, site: u64) bool {
        std.debug.assert(size > 0);
        std.debug.assert(l.len <= capacity and l.segment <= l.len);
        if (l.again(actor, write, address, size, site)) return true;
        var i = slotOf(actor, address, size);
        while (l.slots[i] != 0) : (i = (i + 1) & (slot_count - 1)) {
            const index = l.slots[i] - 1;
            // Of an earlier segment: kept apart, the new event goes further along the probe.
            if (index < l.segment) continue;
            const e = &l.events[index];
            if (e.actor == actor and e.address == address and e.size == size) {
                merge(e, write, site);
                l.last = index + 1;
                return true;
            }
        }
        if (l.full()) return false;
        l.slots[i] = @intCast(l.len + 1);
        l.last = l.len + 1;
        l.events[l.len] = .{ .actor = actor, .kind = if (write) .write else .read, .address = address, .size = size, .site = site };
        l.len += 1;
        l.accesses += 1;
        return true;
    }

    /// Merges an access to the bytes of the access last logged or merged, without a probe;
    /// false when it is to other bytes (access() then looks further).
    pub fn again(l: *Log, actor: u32, write: bool, address: u64, size: u32, site: u64) bool {
        if (l.last <= l.segment) return false;
        const e = &l.events[l.last - 1];
        if (e.actor != actor or e.address != address or e.size != size) return false;
        merge(e, write, site);
        return true;
    }

    /// The same bytes again: one event, a write taking a read's place.
    fn merge(e: *WindowEvent, write: bool, site: u64) void {
        std.debug.assert(e.kind != .create);
        if (write and e.kind == .read) {
            e.kind = .write;
            e.site = site;
        }
    }

    /// Logs that `actor` created `created` here; false when it does not fit.
    pub fn create(l: *Log, actor: u32, created: u32) bool {
        std.debug.assert(created > actor);
        if (l.full()) return false;
        l.events[l.len] = .{ .actor = actor, .kind = .create, .address = created, .size = 0 };
        l.len += 1;
        l.segment = l.len;
        return true;
    }
};

fn slotOf(actor: u32, address: u64, size: u32) usize {
    var h = address ^ (@as(u64, actor) << 40) ^ (@as(u64, size) << 56);
    h *%= 0x9E37_79B9_7F4A_7C15;
    return @intCast(h >> (64 - slot_bits));
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "the same bytes twice are one event; a write after a read takes its place" {
    var l = Log{};
    try testing.expect(!l.again(2, false, 0x1000, 4, 10));
    try testing.expect(l.access(2, false, 0x1000, 4, 10));
    try testing.expect(l.access(2, false, 0x1000, 4, 10));
    try testing.expect(l.access(2, false, 0x1000, 4, 11));
    try testing.expectEqual(@as(usize, 1), l.toSend().len);
    try testing.expect(l.access(2, true, 0x1000, 4, 12));
    try testing.expect(l.access(2, false, 0x1000, 4, 13));
    const events = l.toSend();
    try testing.expectEqual(@as(usize, 1), events.len);
    try testing.expectEqual(protocol.WindowKind.write, events[0].kind);
    try testing.expectEqual(@as(u64, 12), events[0].site);
    // Another actor, another size, another address: events of their own, in order.
    try testing.expect(l.access(3, false, 0x1000, 4, 10));
    try testing.expect(l.access(2, false, 0x1000, 8, 10));
    try testing.expect(l.access(2, false, 0x1004, 4, 10));
    try testing.expectEqual(@as(usize, 4), l.toSend().len);
    try testing.expectEqual(@as(u32, 3), l.toSend()[1].actor);
}

test "a creation ends a segment: the same access after it is an event of its own" {
    var l = Log{};
    try testing.expect(l.create(1, 2));
    // Creations alone are not sent.
    try testing.expectEqual(@as(usize, 0), l.toSend().len);
    try testing.expect(l.access(1, true, 0x1000, 4, 10));
    try testing.expect(l.create(1, 3));
    try testing.expect(l.access(1, false, 0x1000, 4, 10));
    try testing.expect(l.access(1, false, 0x1000, 4, 10));
    const events = l.toSend();
    try testing.expectEqual(@as(usize, 4), events.len);
    try testing.expectEqual(protocol.WindowKind.create, events[0].kind);
    try testing.expectEqual(@as(u64, 2), events[0].address);
    try testing.expectEqual(protocol.WindowKind.write, events[1].kind);
    try testing.expectEqual(protocol.WindowKind.read, events[3].kind);
}

test "the bound: a full log refuses a new event but still merges a known one; clear empties it" {
    var l = Log{};
    var i: u64 = 0;
    while (i < capacity) : (i += 1) try testing.expect(l.access(2, false, 0x10_0000 + 8 * i, 8, 1));
    try testing.expect(l.full());
    try testing.expect(!l.access(2, false, 0x1, 1, 1));
    try testing.expect(!l.create(2, 3));
    try testing.expect(l.access(2, true, 0x10_0000, 8, 2));
    try testing.expectEqual(protocol.WindowKind.write, l.toSend()[0].kind);
    l.clear();
    try testing.expectEqual(@as(usize, 0), l.toSend().len);
    try testing.expect(l.access(2, false, 0x10_0000, 8, 1));
    try testing.expectEqual(protocol.WindowKind.read, l.toSend()[0].kind);
}
