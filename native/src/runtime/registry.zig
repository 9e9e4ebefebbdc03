//! The mailbox registry: every mailbox looked up so far, by name. Actors look mailboxes up in
//! whatever order the interleaving gives, so nothing here may depend on that order: the
//! mailboxes are kept in one array sorted by id, their names in a second one in the same
//! order, both growing in place in reservations of their own (a reservation never moves, its
//! committed size only grows). The content is then a function of the set of names looked up.
//! Because inserting a mailbox moves the ones after it, the program never holds a mailbox's
//! address: its handle is the id (objects.MailboxHandle), and every use looks the id up.

const std = @import("std");
const objects = @import("objects.zig");
const reservation = @import("reservation.zig");

const Mailbox = objects.Mailbox;

/// At most this many mailboxes, with names of this many bytes in all (address space only).
const entries_space: usize = 64 << 20;
const names_space: usize = 64 << 20;

pub const Registry = struct {
    entries: reservation.Reservation,
    names: reservation.Reservation,
    count: usize = 0,
    names_len: usize = 0,

    pub fn init(epoch: *u64) !Registry {
        return .{
            .entries = try reservation.Reservation.init(entries_space, epoch),
            .names = try reservation.Reservation.init(names_space, epoch),
        };
    }

    fn all(r: *const Registry) []Mailbox {
        const first: [*]Mailbox = @ptrFromInt(r.entries.base);
        return first[0..r.count];
    }

    fn nameBytes(r: *const Registry) [*]u8 {
        return @ptrFromInt(r.names.base);
    }

    /// The index of the first mailbox whose id is not below `id`.
    fn position(r: *const Registry, id: u64) usize {
        var lo: usize = 0;
        var hi: usize = r.count;
        const list = r.all();
        while (lo < hi) {
            const mid = lo + (hi - lo) / 2;
            if (list[mid].id < id) lo = mid + 1 else hi = mid;
        }
        return lo;
    }

    /// The mailbox with this id, if it was looked up. The pointer is good until the next
    /// insertion.
    pub fn find(r: *const Registry, id: u64) ?*Mailbox {
        const i = r.position(id);
        if (i == r.count or r.all()[i].id != id) return null;
        return &r.all()[i];
    }

    pub fn name(r: *const Registry, mb: *const Mailbox) [:0]const u8 {
        return r.nameBytes()[mb.name_offset..][0..mb.name_len :0];
    }

    pub fn nameOf(r: *const Registry, id: u64) [:0]const u8 {
        return if (r.find(id)) |mb| r.name(mb) else "?";
    }

    pub const Found = union(enum) {
        existing: *Mailbox,
        created: *Mailbox,
        /// Another name has this id.
        collision: [:0]const u8,
    };

    /// The mailbox `text` names, whose id is `id`; created if it is new.
    pub fn lookup(r: *Registry, id: u64, text: []const u8) !Found {
        const i = r.position(id);
        if (i < r.count and r.all()[i].id == id) {
            const mb = &r.all()[i];
            if (!std.mem.eql(u8, r.name(mb), text)) return .{ .collision = r.name(mb) };
            return .{ .existing = mb };
        }
        if (text.len >= std.math.maxInt(u32) or r.names_len + text.len + 1 > std.math.maxInt(u32)) return error.OutOfMemory;
        const len: u32 = @intCast(text.len);
        try r.entries.commit((r.count + 1) * @sizeOf(Mailbox));
        try r.names.commit(r.names_len + len + 1);
        // The new name goes where the names of the mailboxes after it begin.
        const offset: usize = if (i < r.count) r.all()[i].name_offset else r.names_len;
        const bytes = r.nameBytes();
        std.mem.copyBackwards(u8, bytes[offset + len + 1 .. r.names_len + len + 1], bytes[offset..r.names_len]);
        @memcpy(bytes[offset..][0..len], text);
        bytes[offset + len] = 0;
        r.names_len += len + 1;
        r.count += 1;
        const list = r.all();
        std.mem.copyBackwards(Mailbox, list[i + 1 ..], list[i .. list.len - 1]);
        list[i] = .{ .id = id, .name_offset = @intCast(offset), .name_len = len };
        for (list[i + 1 ..]) |*after| after.name_offset += len + 1;
        return .{ .created = &list[i] };
    }

    /// Sorted by id, names packed in the same order, nothing written past the end.
    pub fn isCanonical(r: *const Registry) bool {
        var offset: usize = 0;
        for (r.all(), 0..) |mb, i| {
            if (i > 0 and r.all()[i - 1].id >= mb.id) return false;
            if (mb.name_offset != offset) return false;
            offset += mb.name_len + 1;
        }
        return offset == r.names_len;
    }
};

const testing = std.testing;

test "the registry's bytes depend on the set of names, not on the order they came in" {
    var e1: u64 = 0;
    var e2: u64 = 0;
    var a = try Registry.init(&e1);
    var b = try Registry.init(&e2);
    const names = [_][]const u8{ "ring-0", "x", "a much longer mailbox name", "ring-2", "" };
    const ids = [_]u64{ 50, 7, 900, 12, 3 };
    for (names, ids) |n, id| try testing.expect((try a.lookup(id, n)) == .created);
    var k: usize = names.len;
    while (k > 0) {
        k -= 1;
        try testing.expect((try b.lookup(ids[k], names[k])) == .created);
    }
    try testing.expect(a.isCanonical() and b.isCanonical());
    try testing.expectEqual(a.count, b.count);
    try testing.expectEqualSlices(u8, std.mem.sliceAsBytes(a.all()), std.mem.sliceAsBytes(b.all()));
    try testing.expectEqualSlices(u8, a.nameBytes()[0..a.names_len], b.nameBytes()[0..b.names_len]);
    try testing.expectEqualStrings("ring-2", a.nameOf(12));
    try testing.expectEqualStrings("", a.nameOf(3));
    try testing.expect((try a.lookup(12, "ring-2")) == .existing);
    switch (try a.lookup(12, "other")) {
        .collision => |other| try testing.expectEqualStrings("ring-2", other),
        else => return error.TestUnexpectedResult,
    }
    try testing.expectEqual(@as(?*Mailbox, null), a.find(13));
}
