//! Frames of the control channel: the 8-byte header (length, type, version) and the bounds-
//! checked writer and reader every message is built and read with.

const std = @import("std");
const p = @import("../protocol.zig");

const HEADER_SIZE = p.HEADER_SIZE;
const MAX_FRAME = p.MAX_FRAME;
const PROTOCOL_VERSION = p.PROTOCOL_VERSION;
const MessageType = p.MessageType;
const DecodeError = p.DecodeError;

/// Builds one frame in a caller-provided buffer. Running out of room is a programming error
/// (callers size their buffer for the largest message they send), hence the assertions.
pub const FrameWriter = struct {
    buf: []u8,
    len: usize,

    pub fn begin(buf: []u8, message: MessageType) FrameWriter {
        std.debug.assert(buf.len >= HEADER_SIZE);
        var w = FrameWriter{ .buf = buf, .len = HEADER_SIZE };
        std.mem.writeInt(u16, buf[4..6], @intFromEnum(message), .little);
        std.mem.writeInt(u16, buf[6..8], PROTOCOL_VERSION, .little);
        w.len = HEADER_SIZE;
        return w;
    }

    pub fn room(w: *const FrameWriter) usize {
        return w.buf.len - w.len;
    }

    pub fn bytes(w: *FrameWriter, data: []const u8) void {
        std.debug.assert(w.room() >= data.len);
        @memcpy(w.buf[w.len..][0..data.len], data);
        w.len += data.len;
    }

    pub fn int(w: *FrameWriter, comptime T: type, value: T) void {
        std.debug.assert(w.room() >= @sizeOf(T));
        std.mem.writeInt(T, w.buf[w.len..][0..@sizeOf(T)], value, .little);
        w.len += @sizeOf(T);
    }

    pub fn string(w: *FrameWriter, s: []const u8) void {
        w.int(u32, @intCast(s.len));
        w.bytes(s);
    }

    /// Writes the length into the header and returns the finished frame.
    pub fn finish(w: *FrameWriter) []const u8 {
        std.debug.assert(w.len <= MAX_FRAME);
        std.mem.writeInt(u32, w.buf[0..4], @intCast(w.len), .little);
        return w.buf[0..w.len];
    }
};

/// Reads the fields of one frame's body; every read is bounds-checked.
pub const FrameReader = struct {
    body: []const u8,
    pos: usize = 0,

    pub fn int(r: *FrameReader, comptime T: type) DecodeError!T {
        if (r.body.len - r.pos < @sizeOf(T)) return error.Malformed;
        const v = std.mem.readInt(T, r.body[r.pos..][0..@sizeOf(T)], .little);
        r.pos += @sizeOf(T);
        return v;
    }

    pub fn bytes(r: *FrameReader, n: usize) DecodeError![]const u8 {
        if (r.body.len - r.pos < n) return error.Malformed;
        const s = r.body[r.pos..][0..n];
        r.pos += n;
        return s;
    }

    pub fn string(r: *FrameReader) DecodeError![]const u8 {
        const n = try r.int(u32);
        return r.bytes(n);
    }

    pub fn end(r: *const FrameReader) DecodeError!void {
        if (r.pos != r.body.len) return error.Malformed;
    }
};

pub const Header = struct { len: u32, message: MessageType, version: u16 };

/// Validates a frame header. The version is checked before anything else is trusted.
pub fn parseHeader(raw: *const [HEADER_SIZE]u8) DecodeError!Header {
    const len = std.mem.readInt(u32, raw[0..4], .little);
    const message: MessageType = @enumFromInt(std.mem.readInt(u16, raw[4..6], .little));
    const version = std.mem.readInt(u16, raw[6..8], .little);
    if (version != PROTOCOL_VERSION) return error.VersionMismatch;
    if (len < HEADER_SIZE) return error.Malformed;
    if (len > MAX_FRAME) return error.TooLarge;
    return .{ .len = len, .message = message, .version = version };
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "header carries length, type and version" {
    var buf: [64]u8 = undefined;
    const frame = p.encodeDone(&buf, .{ .steps = 7, .actors = 3 });
    const h = try parseHeader(frame[0..HEADER_SIZE]);
    try testing.expectEqual(@as(u32, @intCast(frame.len)), h.len);
    try testing.expectEqual(MessageType.done, h.message);
    try testing.expectEqual(PROTOCOL_VERSION, h.version);
}

test "a frame of another version is refused before its length is trusted" {
    var raw = [_]u8{ 0xff, 0xff, 0xff, 0x7f, 0x06, 0x00, 0x09, 0x00 };
    try testing.expectError(error.VersionMismatch, parseHeader(&raw));
    std.mem.writeInt(u16, raw[6..8], PROTOCOL_VERSION, .little);
    try testing.expectError(error.TooLarge, parseHeader(&raw));
    std.mem.writeInt(u32, raw[0..4], 3, .little);
    try testing.expectError(error.Malformed, parseHeader(&raw));
}
