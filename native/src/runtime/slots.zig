//! Slots: one reservation cut into equal slots, one arena each (arena.zig), for the arenas of
//! the actors (slot i for actor i, 0 for main): the program's malloc (malloc.zig) and the
//! runtime's objects (kernel.zig) each use one.

const std = @import("std");
const arena_mod = @import("arena.zig");
const Reservation = @import("reservation.zig").Reservation;

const Arena = arena_mod.Arena;

/// One reservation cut into equal slots, one arena per slot, each keeping its record at the
/// start of its slot: an arena's address, and its record's, depend only on its slot number.
/// A slot's arena is set up at its first allocation, which its own actor makes: whether an
/// arena exists depends only on that actor's history.
pub const Slots = struct {
    pub const max_count = 1 << 14;

    base: usize,
    slot_size: usize,
    count: usize,
    /// The slots whose arena is set up.
    open: std.StaticBitSet(max_count) = .initEmpty(),
    epoch: *u64,

    pub fn init(slot_size: usize, count: usize, epoch: *u64) !Slots {
        std.debug.assert(slot_size % arena_mod.page_size == 0 and count <= max_count);
        const r = try Reservation.init(slot_size * count, epoch);
        return .{ .base = r.base, .slot_size = slot_size, .count = count, .epoch = epoch };
    }

    fn index(s: *const Slots, slot: usize) usize {
        return if (slot < s.count) slot else 0;
    }

    /// The arena of a slot, set up if it was not (slots past the last share slot 0's).
    pub fn get(s: *Slots, slot: usize) !*Arena {
        const i = s.index(slot);
        if (!s.open.isSet(i)) {
            _ = try Arena.inPlace(s.base + i * s.slot_size, s.slot_size, s.epoch);
            s.open.set(i);
        }
        return s.arena(i);
    }

    /// The arena of a slot that is set up.
    pub fn arena(s: *const Slots, slot: usize) *Arena {
        const i = s.index(slot);
        std.debug.assert(s.open.isSet(i));
        return @ptrFromInt(s.base + i * s.slot_size);
    }

    /// The arena whose slot holds `addr`, or null when it lies outside the reservation.
    pub fn owner(s: *const Slots, addr: usize) ?*Arena {
        if (addr < s.base or addr >= s.base + s.slot_size * s.count) return null;
        const slot = (addr - s.base) / s.slot_size;
        if (!s.open.isSet(slot)) return null;
        return s.arena(slot);
    }

    /// Is [start, end) inside the reservation?
    pub fn contains(s: *const Slots, start: usize, end: usize) bool {
        return start >= s.base and end <= s.base + s.slot_size * s.count;
    }
};

const testing = std.testing;

test "slots keep their arenas at fixed places, set up at their first use" {
    var epoch: u64 = 0;
    var s = try Slots.init(1 << 20, 8, &epoch);
    const a2 = try s.get(2);
    try testing.expectEqual(s.base + 2 * (1 << 20), @intFromPtr(a2));
    try testing.expect(!s.open.isSet(1));
    const p = a2.alloc(10).?;
    try testing.expectEqual(a2, s.owner(@intFromPtr(p)).?);
    try testing.expect(@intFromPtr(p) >= @intFromPtr(a2) + @sizeOf(Arena));
    try testing.expectEqual(@as(?*Arena, null), s.owner(s.base + 1 * (1 << 20) + 64));
    try testing.expectEqual(try s.get(0), try s.get(100));
    try testing.expectEqual(a2, try s.get(2));
    a2.free(p);
    try a2.validate();
    try testing.expect(a2.isPristine());
}
