//! The checker's commands to the runtime: the decoders the runtime reads them with (each
//! refuses a body that does not match its layout exactly), and encoders for the Zig tests and
//! the cross-boundary fixture (the checker's own encoders are in lib/process/protocol.ts).

const std = @import("std");
const p = @import("../protocol.zig");
const frame_mod = @import("frame.zig");
const FrameWriter = frame_mod.FrameWriter;
const FrameReader = frame_mod.FrameReader;

const MAGIC = p.MAGIC;
const DecodeError = p.DecodeError;
const Step = p.Step;
const MapOp = p.MapOp;
const FdChange = p.FdChange;
const HEADER_SIZE = p.HEADER_SIZE;

/// Returns the WELCOME flags (welcome_flag_*).
pub fn decodeWelcome(body: []const u8) DecodeError!u32 {
    var r = FrameReader{ .body = body };
    if (try r.int(u32) != MAGIC) return error.Malformed;
    const flags = try r.int(u32);
    try r.end();
    return flags;
}

/// A RUN message's steps, read lazily so the runtime needs no allocation for them.
pub const RunSteps = struct {
    count: u32,
    /// Transitions executed before the first of these steps (the runtime's counter is not
    /// program state, so after a restore the checker says where the execution stands).
    before: u32,
    raw: []const u8,
    /// What to do after the steps (run ahead on its own), or null: stop and report.
    ahead: ?Ahead = null,

    pub fn get(s: RunSteps, i: u32) Step {
        std.debug.assert(i < s.count);
        const at = @as(usize, i) * 8;
        return .{
            .actor = std.mem.readInt(u32, s.raw[at..][0..4], .little),
            .choice = std.mem.readInt(u32, s.raw[at + 4 ..][0..4], .little),
        };
    }
};

/// A RUN's continuation rule (version 10): after its steps the runtime keeps going on its own,
/// taking first the rule's known steps (version 13), then at each point the lowest enabled
/// actor's first choice, and stops at the first point where the checker must choose or act
/// (docs/protocol.md, "Running ahead").
pub const Ahead = struct {
    /// At most this many steps on its own, >= 1.
    max_steps: u32,
    /// Stop at the first point with more than one enabled step once `steps` reaches this
    /// (where the checker would take a snapshot).
    branch_stop: u32,
    /// Stop at a point whose lowest enabled actor is one of these (asleep in the checker's search).
    asleep_count: u32,
    raw_asleep: []const u8,
    /// The steps to take first, in order (a wakeup sequence the checker will follow), <= max_steps.
    known_count: u32 = 0,
    raw_known: []const u8 = &.{},

    pub fn known(a: Ahead, i: u32) Step {
        std.debug.assert(i < a.known_count);
        const at = @as(usize, i) * 8;
        return .{
            .actor = std.mem.readInt(u32, a.raw_known[at..][0..4], .little),
            .choice = std.mem.readInt(u32, a.raw_known[at + 4 ..][0..4], .little),
        };
    }

    pub fn isAsleep(a: Ahead, actor: u32) bool {
        var i: usize = 0;
        while (i < a.asleep_count) : (i += 1) {
            if (std.mem.readInt(u32, a.raw_asleep[i * 4 ..][0..4], .little) == actor) return true;
        }
        return false;
    }
};

pub fn decodeRun(body: []const u8) DecodeError!RunSteps {
    var r = FrameReader{ .body = body };
    const count = try r.int(u32);
    const before = try r.int(u32);
    if (count == 0) return error.Malformed;
    const raw = try r.bytes(@as(usize, count) * 8);
    if (r.pos == body.len) return .{ .count = count, .before = before, .raw = raw };
    const max_steps = try r.int(u32);
    const branch_stop = try r.int(u32);
    const asleep_count = try r.int(u32);
    const known_count = try r.int(u32);
    if (max_steps == 0 or known_count > max_steps) return error.Malformed;
    const raw_asleep = try r.bytes(@as(usize, asleep_count) * 4);
    const raw_known = try r.bytes(@as(usize, known_count) * 8);
    try r.end();
    return .{ .count = count, .before = before, .raw = raw, .ahead = .{
        .max_steps = max_steps,
        .branch_stop = branch_stop,
        .asleep_count = asleep_count,
        .raw_asleep = raw_asleep,
        .known_count = known_count,
        .raw_known = raw_known,
    } };
}

pub const MapOps = struct {
    count: u32,
    raw: []const u8,

    pub fn get(m: MapOps, i: u32) MapOp {
        std.debug.assert(i < m.count);
        const at = @as(usize, i) * 24;
        return .{
            .map = std.mem.readInt(u32, m.raw[at..][0..4], .little) == 1,
            .start = std.mem.readInt(u64, m.raw[at + 8 ..][0..8], .little),
            .end = std.mem.readInt(u64, m.raw[at + 16 ..][0..8], .little),
        };
    }
};

/// MAP: mapping changes to make before the checker writes a snapshot's pages back.
pub fn decodeMap(body: []const u8) DecodeError!MapOps {
    var r = FrameReader{ .body = body };
    const count = try r.int(u32);
    _ = try r.int(u32);
    const raw = try r.bytes(@as(usize, count) * 24);
    try r.end();
    var i: u32 = 0;
    while (i < count) : (i += 1) {
        const at = @as(usize, i) * 24;
        const op = std.mem.readInt(u32, raw[at..][0..4], .little);
        const start = std.mem.readInt(u64, raw[at + 8 ..][0..8], .little);
        const end = std.mem.readInt(u64, raw[at + 16 ..][0..8], .little);
        if (op > 1 or start >= end or start % 4096 != 0 or end % 4096 != 0) return error.Malformed;
    }
    return .{ .count = count, .raw = raw };
}

/// FDS, read change by change.
pub const FdChanges = struct {
    r: FrameReader,
    left: u32,

    pub fn next(c: *FdChanges) DecodeError!?FdChange {
        if (c.left == 0) {
            try c.r.end();
            return null;
        }
        c.left -= 1;
        const op = try c.r.int(u32);
        if (op > 2) return error.Malformed;
        const fd = try c.r.int(i32);
        const flags = try c.r.int(u32);
        _ = try c.r.int(u32);
        const pos = try c.r.int(u64);
        const path = try c.r.string();
        if (fd < 0 or (op == 1 and path.len == 0)) return error.Malformed;
        return .{ .op = @enumFromInt(op), .fd = fd, .flags = flags, .pos = pos, .path = path };
    }
};

pub fn decodeFds(body: []const u8) DecodeError!FdChanges {
    var r = FrameReader{ .body = body };
    const count = try r.int(u32);
    _ = try r.int(u32);
    return .{ .r = r, .left = count };
}

pub fn encodeFds(buf: []u8, changes: []const FdChange) []const u8 {
    var w = FrameWriter.begin(buf, .fds);
    w.int(u32, @intCast(changes.len));
    w.int(u32, 0);
    for (changes) |c| {
        w.int(u32, @intFromEnum(c.op));
        w.int(i32, c.fd);
        w.int(u32, c.flags);
        w.int(u32, 0);
        w.int(u64, c.pos);
        w.string(c.path);
    }
    return w.finish();
}

pub fn decodeFork(body: []const u8) DecodeError!void {
    return decodeReserved(body);
}

pub fn decodeFinish(body: []const u8) DecodeError!void {
    return decodeReserved(body);
}

/// FORK and FINISH carry two reserved u32 and nothing else.
fn decodeReserved(body: []const u8) DecodeError!void {
    var r = FrameReader{ .body = body };
    _ = try r.int(u32);
    _ = try r.int(u32);
    try r.end();
}

// ---- Checker -> runtime encoders, for the cross-boundary fixture and tests ---------------

pub fn encodeWelcome(buf: []u8, flags: u32) []const u8 {
    var w = FrameWriter.begin(buf, .welcome);
    w.int(u32, MAGIC);
    w.int(u32, flags);
    return w.finish();
}

pub fn encodeMap(buf: []u8, ops: []const MapOp) []const u8 {
    var w = FrameWriter.begin(buf, .map);
    w.int(u32, @intCast(ops.len));
    w.int(u32, 0);
    for (ops) |op| {
        w.int(u32, @intFromBool(op.map));
        w.int(u32, 0);
        w.int(u64, op.start);
        w.int(u64, op.end);
    }
    return w.finish();
}

pub fn encodeRun(buf: []u8, steps: []const Step, before: u32) []const u8 {
    return encodeRunAhead(buf, steps, before, null);
}

/// The continuation a test encodes: the rule's bounds, its asleep actors and its known steps.
pub const AheadRule = struct { max_steps: u32, branch_stop: u32, asleep: []const u32, known: []const Step = &.{} };

pub fn encodeRunAhead(buf: []u8, steps: []const Step, before: u32, ahead: ?AheadRule) []const u8 {
    var w = FrameWriter.begin(buf, .run);
    w.int(u32, @intCast(steps.len));
    w.int(u32, before);
    for (steps) |s| {
        w.int(u32, s.actor);
        w.int(u32, s.choice);
    }
    if (ahead) |a| {
        w.int(u32, a.max_steps);
        w.int(u32, a.branch_stop);
        w.int(u32, @intCast(a.asleep.len));
        w.int(u32, @intCast(a.known.len));
        for (a.asleep) |actor| w.int(u32, actor);
        for (a.known) |s| {
            w.int(u32, s.actor);
            w.int(u32, s.choice);
        }
    }
    return w.finish();
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

fn bodyOf(frame: []const u8) []const u8 {
    return frame[HEADER_SIZE..];
}

test "run round-trips and rejects truncation" {
    var buf: [128]u8 = undefined;
    const steps = [_]Step{ .{ .actor = 1, .choice = 0 }, .{ .actor = 3, .choice = 2 } };
    const frame = encodeRun(&buf, &steps, 17);
    const run = try decodeRun(bodyOf(frame));
    try testing.expectEqual(@as(u32, 2), run.count);
    try testing.expectEqual(@as(u32, 17), run.before);
    try testing.expectEqual(Step{ .actor = 3, .choice = 2 }, run.get(1));
    try testing.expectError(error.Malformed, decodeRun(bodyOf(frame)[0 .. frame.len - HEADER_SIZE - 1]));
    const empty = encodeRun(&buf, &.{}, 0);
    try testing.expectError(error.Malformed, decodeRun(bodyOf(empty)));
    try testing.expect(run.ahead == null);
}

test "run carries its continuation rule, refused when cut or without a bound" {
    var buf: [128]u8 = undefined;
    const steps = [_]Step{.{ .actor = 2, .choice = 0 }};
    const frame = encodeRunAhead(&buf, &steps, 5, .{ .max_steps = 64, .branch_stop = 13, .asleep = &.{ 1, 3 } });
    const run = try decodeRun(bodyOf(frame));
    const a = run.ahead.?;
    try testing.expectEqual(@as(u32, 64), a.max_steps);
    try testing.expectEqual(@as(u32, 13), a.branch_stop);
    try testing.expect(a.isAsleep(1) and a.isAsleep(3) and !a.isAsleep(2));
    try testing.expectError(error.Malformed, decodeRun(bodyOf(frame)[0 .. frame.len - HEADER_SIZE - 1]));
    try testing.expectError(error.Malformed, decodeRun(bodyOf(frame)[0 .. frame.len - HEADER_SIZE - 12]));
    var zero: [128]u8 = undefined;
    const unbounded = encodeRunAhead(&zero, &steps, 5, .{ .max_steps = 0, .branch_stop = 0, .asleep = &.{} });
    try testing.expectError(error.Malformed, decodeRun(bodyOf(unbounded)));
    try testing.expectEqual(@as(u32, 0), a.known_count);
}

test "run carries the rule's known steps, refused when more than its bound or cut" {
    var buf: [160]u8 = undefined;
    const steps = [_]Step{.{ .actor = 2, .choice = 0 }};
    const known = [_]Step{ .{ .actor = 3, .choice = 0 }, .{ .actor = 1, .choice = 4 } };
    const frame = encodeRunAhead(&buf, &steps, 5, .{ .max_steps = 2, .branch_stop = 9, .asleep = &.{7}, .known = &known });
    const a = (try decodeRun(bodyOf(frame))).ahead.?;
    try testing.expectEqual(@as(u32, 2), a.known_count);
    try testing.expectEqual(known[1], a.known(1));
    try testing.expect(a.isAsleep(7) and !a.isAsleep(3));
    try testing.expectError(error.Malformed, decodeRun(bodyOf(frame)[0 .. frame.len - HEADER_SIZE - 8]));
    var over: [160]u8 = undefined;
    const too_many = encodeRunAhead(&over, &steps, 5, .{ .max_steps = 1, .branch_stop = 9, .asleep = &.{}, .known = &known });
    try testing.expectError(error.Malformed, decodeRun(bodyOf(too_many)));
}

test "welcome checks the magic" {
    var buf: [32]u8 = undefined;
    const frame = encodeWelcome(&buf, p.welcome_flag_stateful);
    try testing.expectEqual(p.welcome_flag_stateful, try decodeWelcome(bodyOf(frame)));
    var bad = buf;
    bad[HEADER_SIZE] ^= 1;
    try testing.expectError(error.Malformed, decodeWelcome(bad[HEADER_SIZE..frame.len]));
}

test "map operations round-trip and bad ranges are refused" {
    var buf: [128]u8 = undefined;
    const ops = [_]MapOp{ .{ .map = false, .start = 0x1000, .end = 0x3000 }, .{ .map = true, .start = 0x8000, .end = 0x9000 } };
    const frame = encodeMap(&buf, &ops);
    const got = try decodeMap(bodyOf(frame));
    try testing.expectEqual(@as(u32, 2), got.count);
    try testing.expectEqual(ops[1], got.get(1));
    const bad = [_]MapOp{.{ .map = true, .start = 0x1001, .end = 0x3000 }};
    try testing.expectError(error.Malformed, decodeMap(bodyOf(encodeMap(&buf, &bad))));
}

test "fd changes round-trip" {
    var buf: [256]u8 = undefined;
    const changes = [_]FdChange{
        .{ .op = .open, .fd = 5, .flags = 2, .pos = 12, .path = "/tmp/x" },
        .{ .op = .close, .fd = 6, .flags = 0, .pos = 0, .path = "" },
    };
    var c = try decodeFds(bodyOf(encodeFds(&buf, &changes)));
    const first = (try c.next()).?;
    try testing.expectEqual(@as(i32, 5), first.fd);
    try testing.expectEqualStrings("/tmp/x", first.path);
    try testing.expectEqual(@as(u64, 12), first.pos);
    try testing.expectEqual(@as(i32, 6), (try c.next()).?.fd);
    try testing.expectEqual(null, try c.next());
}
