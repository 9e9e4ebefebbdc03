//! The runtime's messages to the checker, one encoder each (STATE and STACKS are in
//! points.zig): each builds its whole frame in the caller's buffer and returns it.

const std = @import("std");
const p = @import("../protocol.zig");
const FrameWriter = @import("frame.zig").FrameWriter;

const MAGIC = p.MAGIC;
const Range = p.Range;
const ActorInfo = p.ActorInfo;
const ObjectInfo = p.ObjectInfo;
const PropInfo = p.PropInfo;
const Violation = p.Violation;
const TailEnd = p.TailEnd;
const Crash = p.Crash;
const Exiting = p.Exiting;
const Done = p.Done;
const Error = p.Error;

pub fn encodeHello(buf: []u8, pid: u32, uffd: i32, ignored: []const Range) []const u8 {
    var w = FrameWriter.begin(buf, .hello);
    w.int(u32, MAGIC);
    w.int(u32, pid);
    w.int(u32, @intCast(ignored.len));
    w.int(i32, uffd);
    for (ignored) |r| {
        std.debug.assert(r.start <= r.end);
        w.int(u64, r.start);
        w.int(u64, r.end);
    }
    return w.finish();
}

pub fn encodeActor(buf: []u8, info: ActorInfo) []const u8 {
    var w = FrameWriter.begin(buf, .actor);
    w.int(u32, info.id);
    w.int(u32, info.parent);
    w.string(info.name);
    return w.finish();
}

pub fn encodeObject(buf: []u8, info: ObjectInfo) []const u8 {
    var w = FrameWriter.begin(buf, .object);
    w.int(u64, info.id);
    w.int(u8, @intFromEnum(info.kind));
    w.int(u8, 0);
    w.int(u16, 0);
    w.string(info.name);
    return w.finish();
}

/// A proposition registered by isomc_prop, or the progress flag's address (first
/// isomc_progress call): the checker reads the int there in every state.
pub fn encodeProp(buf: []u8, info: PropInfo) []const u8 {
    std.debug.assert((info.kind == .progress) == (info.name.len == 0));
    var w = FrameWriter.begin(buf, .prop);
    w.int(u64, info.address);
    w.int(u8, @intFromEnum(info.kind));
    w.int(u8, 0);
    w.int(u16, 0);
    w.string(info.name);
    return w.finish();
}

pub fn encodeViolation(buf: []u8, v: Violation) []const u8 {
    var w = FrameWriter.begin(buf, .violation);
    w.int(u8, @intFromEnum(v.kind));
    w.int(u8, 0);
    w.int(u16, 0);
    w.int(u32, v.actor);
    w.int(u32, v.steps);
    w.string(v.message[0..@min(v.message.len, w.room() -| 4)]);
    return w.finish();
}

pub fn encodeTail(buf: []u8, t: TailEnd) []const u8 {
    var w = FrameWriter.begin(buf, .tail);
    w.int(u32, @intFromBool(t.signaled));
    w.int(i32, t.value);
    return w.finish();
}

pub fn encodeCrash(buf: []u8, c: Crash) []const u8 {
    std.debug.assert(c.overflow or c.stack_size == 0);
    var w = FrameWriter.begin(buf, .crash);
    w.int(u32, c.signal);
    w.int(u32, c.actor);
    w.int(u32, c.steps);
    w.int(u32, if (c.overflow) p.crash_flag_overflow else 0);
    w.int(u64, c.stack_size);
    return w.finish();
}

pub fn encodeMapped(buf: []u8, errno: i32) []const u8 {
    var w = FrameWriter.begin(buf, .mapped);
    w.int(i32, errno);
    w.int(u32, 0);
    return w.finish();
}

/// Sent by a process that forked on FORK: the child's pid; the checker's end of the child's
/// control channel travels with it as SCM_RIGHTS.
pub fn encodeForked(buf: []u8, pid: u32) []const u8 {
    var w = FrameWriter.begin(buf, .forked);
    w.int(u32, pid);
    w.int(u32, 0);
    return w.finish();
}

/// An actor called exit(status) while actors were unfinished.
pub fn encodeExiting(buf: []u8, e: Exiting) []const u8 {
    var w = FrameWriter.begin(buf, .exiting);
    w.int(i32, e.status);
    w.int(u32, e.actor);
    return w.finish();
}

pub fn encodeDone(buf: []u8, d: Done) []const u8 {
    var w = FrameWriter.begin(buf, .done);
    w.int(u32, d.steps);
    w.int(u32, d.actors);
    return w.finish();
}

pub fn encodeError(buf: []u8, e: Error) []const u8 {
    var w = FrameWriter.begin(buf, .@"error");
    w.int(u16, @intFromEnum(e.code));
    w.int(u16, 0);
    w.int(u32, e.steps);
    w.string(e.message[0..@min(e.message.len, w.room() -| 4)]);
    return w.finish();
}

/// The answer to FDS: 0, or the errno of the change that failed and its position (from 1).
pub fn encodeFdset(buf: []u8, errno: i32, failed: u32) []const u8 {
    var w = FrameWriter.begin(buf, .fdset);
    w.int(i32, errno);
    w.int(u32, failed);
    return w.finish();
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "messages are truncated, never overflowed, when a string is too long" {
    var buf: [40]u8 = undefined;
    const long = "x" ** 100;
    const frame = encodeViolation(&buf, .{ .kind = .assertion, .actor = 1, .steps = 0, .message = long });
    try testing.expectEqual(@as(usize, 40), frame.len);
}
