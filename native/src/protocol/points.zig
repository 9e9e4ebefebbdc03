//! The frames that describe a scheduling point, built incrementally from the kernel's actor
//! table: STATE (every unfinished actor's next step) and STACKS (every actor's stack).

const std = @import("std");
const p = @import("../protocol.zig");
const FrameWriter = @import("frame.zig").FrameWriter;

const RECORD_SIZE = p.RECORD_SIZE;
const Record = p.Record;
const WindowEvent = p.WindowEvent;
const WINDOW_EVENT_SIZE = p.WINDOW_EVENT_SIZE;
const StackInfo = p.StackInfo;
const HEADER_SIZE = p.HEADER_SIZE;

/// STATE is built incrementally because its records come from the kernel's actor table.
/// The window (version 14) goes after the records, and only when it has events.
pub const StateWriter = struct {
    w: FrameWriter,
    count_at: usize,
    count: u32 = 0,
    windowed: bool = false,

    pub fn begin(buf: []u8, steps: u32, flags: u32) StateWriter {
        std.debug.assert(flags & p.state_flag_window == 0);
        var w = FrameWriter.begin(buf, .state);
        w.int(u32, steps);
        const at = w.len;
        w.int(u32, 0);
        w.int(u32, flags);
        w.int(u32, 0);
        return .{ .w = w, .count_at = at };
    }

    pub fn fitsWindow(s: *const StateWriter, events: usize) bool {
        return s.w.room() >= 8 + WINDOW_EVENT_SIZE * events;
    }

    /// The window's events, after every record: the flag says it is there.
    pub fn window(s: *StateWriter, events: []const WindowEvent) void {
        std.debug.assert(!s.windowed and events.len > 0);
        s.windowed = true;
        const flags_at = s.count_at + 4;
        const flags = std.mem.readInt(u32, s.w.buf[flags_at..][0..4], .little);
        std.mem.writeInt(u32, s.w.buf[flags_at..][0..4], flags | p.state_flag_window, .little);
        s.w.int(u32, @intCast(events.len));
        s.w.int(u32, 0);
        for (events) |e| {
            std.debug.assert((e.kind == .create) == (e.size == 0));
            s.w.int(u64, e.address);
            s.w.int(u64, e.site);
            s.w.int(u32, e.actor);
            s.w.int(u32, e.size);
            s.w.int(u8, @intFromEnum(e.kind));
            s.w.int(u8, 0);
            s.w.int(u16, 0);
            s.w.int(u32, 0);
        }
    }

    pub fn fits(s: *const StateWriter, extras: usize) bool {
        return s.w.room() >= RECORD_SIZE + 8 * extras;
    }

    pub fn record(s: *StateWriter, r: Record) void {
        std.debug.assert(!s.windowed);
        std.debug.assert(r.choices >= 1);
        std.debug.assert(r.extras.len <= std.math.maxInt(u16));
        s.w.int(u32, r.actor);
        s.w.int(u8, @intFromEnum(r.kind));
        s.w.int(u8, r.flags);
        s.w.int(u16, @intCast(r.extras.len));
        s.w.int(u32, r.choices);
        s.w.int(u32, 0);
        s.w.int(u64, r.object);
        s.w.int(i64, r.arg0);
        s.w.int(i64, r.arg1);
        s.w.int(u64, r.site);
        for (r.extras) |e| s.w.int(u64, e);
        s.count += 1;
    }

    pub fn finish(s: *StateWriter) []const u8 {
        std.mem.writeInt(u32, s.w.buf[s.count_at..][0..4], s.count, .little);
        return s.w.finish();
    }
};

/// STACKS is built actor by actor, like STATE.
pub const StacksWriter = struct {
    w: FrameWriter,
    count_at: usize,
    count: u32 = 0,

    pub fn begin(buf: []u8) StacksWriter {
        var w = FrameWriter.begin(buf, .stacks);
        const at = w.len;
        w.int(u32, 0);
        w.int(u32, 0);
        return .{ .w = w, .count_at = at };
    }

    pub fn fits(s: *const StacksWriter) bool {
        return s.w.room() >= 32;
    }

    pub fn add(s: *StacksWriter, st: StackInfo) void {
        std.debug.assert(st.lo <= st.sp and st.sp <= st.hi);
        s.w.int(u32, st.actor);
        s.w.int(u32, 0);
        s.w.int(u64, st.lo);
        s.w.int(u64, st.hi);
        s.w.int(u64, st.sp);
        s.count += 1;
    }

    pub fn finish(s: *StacksWriter) []const u8 {
        std.mem.writeInt(u32, s.w.buf[s.count_at..][0..4], s.count, .little);
        return s.w.finish();
    }
};

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;
const FrameReader = @import("frame.zig").FrameReader;

fn bodyOf(frame: []const u8) []const u8 {
    return frame[HEADER_SIZE..];
}

test "state writer counts records and lays out extras" {
    var buf: [256]u8 = undefined;
    var s = StateWriter.begin(&buf, 5, p.state_flag_maps_changed);
    s.record(.{ .actor = 1, .kind = .yield, .flags = p.record_flag_enabled, .choices = 1, .object = 0, .arg0 = 0, .arg1 = 0, .extras = &.{} });
    s.record(.{ .actor = 2, .kind = .waitany, .flags = 0, .choices = 1, .object = 0, .arg0 = 2, .arg1 = 0, .extras = &.{ 7, 8 | p.extra_ready_bit } });
    const frame = s.finish();
    try testing.expectEqual(HEADER_SIZE + 16 + RECORD_SIZE * 2 + 16, frame.len);
    var r = FrameReader{ .body = bodyOf(frame) };
    try testing.expectEqual(@as(u32, 5), try r.int(u32));
    try testing.expectEqual(@as(u32, 2), try r.int(u32));
    try testing.expectEqual(p.state_flag_maps_changed, try r.int(u32));
}

test "a record carries its call site after arg1, before the extras" {
    var buf: [256]u8 = undefined;
    var s = StateWriter.begin(&buf, 1, 0);
    s.record(.{ .actor = 3, .kind = .waitany, .flags = 0, .choices = 1, .object = 0, .arg0 = 1, .arg1 = 0, .site = 0x40_1234, .extras = &.{9} });
    const frame = s.finish();
    try testing.expectEqual(HEADER_SIZE + 16 + RECORD_SIZE + 8, frame.len);
    const record_at = HEADER_SIZE + 16;
    try testing.expectEqual(@as(u64, 0x40_1234), std.mem.readInt(u64, frame[record_at + 40 ..][0..8], .little));
    try testing.expectEqual(@as(u64, 9), std.mem.readInt(u64, frame[record_at + RECORD_SIZE ..][0..8], .little));
}

test "a window goes after the records, with its flag; none, no flag and no section" {
    var buf: [512]u8 = undefined;
    var s = StateWriter.begin(&buf, 2, p.state_flag_ran_on);
    s.record(.{ .actor = 1, .kind = .yield, .flags = p.record_flag_enabled, .choices = 1, .object = 0, .arg0 = 0, .arg1 = 0, .extras = &.{} });
    s.window(&.{
        .{ .actor = 1, .kind = .create, .address = 2, .size = 0 },
        .{ .actor = 1, .kind = .write, .address = 0x4000, .size = 4, .site = 0x40_1000 },
    });
    const frame = s.finish();
    try testing.expectEqual(HEADER_SIZE + 16 + RECORD_SIZE + 8 + 2 * WINDOW_EVENT_SIZE, frame.len);
    var r = FrameReader{ .body = bodyOf(frame) };
    _ = try r.int(u32);
    try testing.expectEqual(@as(u32, 1), try r.int(u32));
    try testing.expectEqual(p.state_flag_ran_on | p.state_flag_window, try r.int(u32));
    const at = HEADER_SIZE + 16 + RECORD_SIZE;
    try testing.expectEqual(@as(u32, 2), std.mem.readInt(u32, frame[at..][0..4], .little));
    const second = at + 8 + WINDOW_EVENT_SIZE;
    try testing.expectEqual(@as(u64, 0x4000), std.mem.readInt(u64, frame[second..][0..8], .little));
    try testing.expectEqual(@as(u64, 0x40_1000), std.mem.readInt(u64, frame[second + 8 ..][0..8], .little));
    try testing.expectEqual(@as(u32, 4), std.mem.readInt(u32, frame[second + 20 ..][0..4], .little));
    try testing.expectEqual(@as(u8, 1), frame[second + 24]);

    var none = StateWriter.begin(&buf, 2, 0);
    const plain = none.finish();
    try testing.expectEqual(HEADER_SIZE + 16, plain.len);
}
