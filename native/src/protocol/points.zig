//! The frames that describe a scheduling point, built incrementally from the kernel's actor
//! table: STATE (every unfinished actor's next step) and STACKS (every actor's stack).

const std = @import("std");
const p = @import("../protocol.zig");
const FrameWriter = @import("frame.zig").FrameWriter;

const RECORD_SIZE = p.RECORD_SIZE;
const Record = p.Record;
const StackInfo = p.StackInfo;
const HEADER_SIZE = p.HEADER_SIZE;

/// STATE is built incrementally because its records come from the kernel's actor table.
pub const StateWriter = struct {
    w: FrameWriter,
    count_at: usize,
    count: u32 = 0,

    pub fn begin(buf: []u8, steps: u32, flags: u32) StateWriter {
        var w = FrameWriter.begin(buf, .state);
        w.int(u32, steps);
        const at = w.len;
        w.int(u32, 0);
        w.int(u32, flags);
        w.int(u32, 0);
        return .{ .w = w, .count_at = at };
    }

    pub fn fits(s: *const StateWriter, extras: usize) bool {
        return s.w.room() >= RECORD_SIZE + 8 * extras;
    }

    pub fn record(s: *StateWriter, r: Record) void {
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
