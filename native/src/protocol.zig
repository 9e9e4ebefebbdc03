//! The control-channel protocol between the checker and the runtime, Zig side: the one
//! definition of its frames, message layouts and transition kinds for native code. The checker's
//! TypeScript side mirrors it in lib/process/protocol.ts; docs/protocol.md is the prose version.
//! Both sides carry PROTOCOL_VERSION in every frame so a mismatch is caught on the first one.

const std = @import("std");

pub const PROTOCOL_VERSION: u16 = 4;
/// "ISMC" read as a little-endian u32.
pub const MAGIC: u32 = 0x434D_5349;
pub const HEADER_SIZE: usize = 8;
/// A frame longer than this is malformed, whatever it claims to carry.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;
/// Fixed part of a transition record inside a STATE message (extras follow it).
pub const RECORD_SIZE: usize = 40;

/// Environment variables through which the checker and the user talk to the runtime.
pub const ENV_FD = "ISOMC_FD";
pub const ENV_REPLAY = "ISOMC_REPLAY";
pub const ENV_REPORT = "ISOMC_REPORT";
pub const ENV_VERBOSE = "ISOMC_VERBOSE";
pub const ENV_STACK_SIZE = "ISOMC_STACK_SIZE";

pub const MessageType = enum(u16) {
    // runtime -> checker
    hello = 0x01,
    actor = 0x02,
    object = 0x03,
    state = 0x04,
    violation = 0x05,
    done = 0x06,
    @"error" = 0x07,
    stacks = 0x08,
    tail = 0x09,
    crash = 0x0a,
    mapped = 0x0b,
    forked = 0x0c,
    exiting = 0x0d,
    fdset = 0x0e,
    // checker -> runtime
    welcome = 0x81,
    run = 0x82,
    map = 0x83,
    fork = 0x84,
    fds = 0x85,
    finish = 0x86,
    _,
};

/// What an actor is about to do. The numbers are part of the protocol.
pub const Kind = enum(u8) {
    yield = 1,
    random = 2,
    isend = 3,
    irecv = 4,
    wait = 5,
    @"test" = 6,
    waitany = 7,
    mutex_lock = 8,
    mutex_trylock = 9,
    mutex_unlock = 10,
    sem_acquire = 11,
    sem_release = 12,
    cond_wait = 13,
    cond_wake = 14,
    cond_signal = 15,
    cond_broadcast = 16,
    barrier_arrive = 17,
    barrier_leave = 18,
    load = 19,
    store = 20,
    fetch_add = 21,
    cas = 22,
    _,
};

pub const ObjectKind = enum(u8) {
    mailbox = 1,
    mutex = 2,
    semaphore = 3,
    condition = 4,
    barrier = 5,
    _,
};

pub const ViolationKind = enum(u8) {
    /// isomc_assert / isomc_assert_msg failed.
    assertion = 1,
    /// The program used the API against its rules (oversized message, unlock by a non-owner...).
    misuse = 2,
    _,
};

pub const ErrorCode = enum(u16) {
    malformed = 1,
    version = 2,
    /// A scheduled step does not fit the program (no such actor, not enabled, bad choice).
    diverged = 3,
    internal = 4,
    _,
};

/// WELCOME flag: the checker restores states (memory or fork): keep the process alive at the
/// end of an execution, report stacks, accept MAP and FORK.
pub const welcome_flag_stateful: u32 = 1 << 0;
/// WELCOME flag: send STACKS before every STATE (the checker hashes states).
pub const welcome_flag_stacks: u32 = 1 << 1;
/// STATE flag: the runtime's mappings changed since the previous STATE.
pub const state_flag_maps_changed: u32 = 1 << 0;

pub const record_flag_enabled: u8 = 1 << 0;
/// For test/wait: the communication is already matched.
pub const record_flag_ready: u8 = 1 << 1;
/// In a waitany record's extras: the communication is matched.
pub const extra_ready_bit: u64 = 1 << 63;

pub const DecodeError = error{ Malformed, VersionMismatch, TooLarge };

pub const Range = struct { start: u64, end: u64 };

pub const Hello = struct { pid: u32, uffd: i32, ignored: []const Range };
pub const ActorInfo = struct { id: u32, parent: u32, name: []const u8 };
pub const ObjectInfo = struct { id: u64, kind: ObjectKind, name: []const u8 };
pub const Record = struct {
    actor: u32,
    kind: Kind,
    flags: u8,
    choices: u32,
    object: u64,
    arg0: i64,
    arg1: i64,
    extras: []const u64,
};
pub const Violation = struct { kind: ViolationKind, actor: u32, steps: u32, message: []const u8 };
pub const Done = struct { steps: u32, actors: u32 };
pub const Error = struct { code: ErrorCode, steps: u32, message: []const u8 };
pub const Step = struct { actor: u32, choice: u32 };
/// An actor's stack: [lo, hi), with its saved stack pointer (hi when it has finished).
pub const StackInfo = struct { actor: u32, lo: u64, hi: u64, sp: u64 };
pub const TailEnd = struct { signaled: bool, value: i32 };
pub const Crash = struct { signal: u32, actor: u32, steps: u32 };
pub const MapOp = struct { map: bool, start: u64, end: u64 };
pub const Exiting = struct { status: i32, actor: u32 };
/// One change to the program's fd table (FDS): close; open `path` with `flags` at `fd` and
/// seek to `pos`; or only seek.
pub const FdChange = struct { op: enum(u32) { close = 0, open = 1, seek = 2 }, fd: i32, flags: u32, pos: u64, path: []const u8 };

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

// ---- Runtime -> checker encoders (the runtime's side) ------------------------------------

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
        for (r.extras) |e| s.w.int(u64, e);
        s.count += 1;
    }

    pub fn finish(s: *StateWriter) []const u8 {
        std.mem.writeInt(u32, s.w.buf[s.count_at..][0..4], s.count, .little);
        return s.w.finish();
    }
};

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

pub fn encodeTail(buf: []u8, t: TailEnd) []const u8 {
    var w = FrameWriter.begin(buf, .tail);
    w.int(u32, @intFromBool(t.signaled));
    w.int(i32, t.value);
    return w.finish();
}

pub fn encodeCrash(buf: []u8, c: Crash) []const u8 {
    var w = FrameWriter.begin(buf, .crash);
    w.int(u32, c.signal);
    w.int(u32, c.actor);
    w.int(u32, c.steps);
    w.int(u32, 0);
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

// ---- Checker -> runtime decoders (the runtime's side) ------------------------------------

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

    pub fn get(s: RunSteps, i: u32) Step {
        std.debug.assert(i < s.count);
        const at = @as(usize, i) * 8;
        return .{
            .actor = std.mem.readInt(u32, s.raw[at..][0..4], .little),
            .choice = std.mem.readInt(u32, s.raw[at + 4 ..][0..4], .little),
        };
    }
};

pub fn decodeRun(body: []const u8) DecodeError!RunSteps {
    var r = FrameReader{ .body = body };
    const count = try r.int(u32);
    const before = try r.int(u32);
    if (count == 0) return error.Malformed;
    const raw = try r.bytes(@as(usize, count) * 8);
    try r.end();
    return .{ .count = count, .before = before, .raw = raw };
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

/// The answer to FDS: 0, or the errno of the change that failed and its position (from 1).
pub fn encodeFdset(buf: []u8, errno: i32, failed: u32) []const u8 {
    var w = FrameWriter.begin(buf, .fdset);
    w.int(i32, errno);
    w.int(u32, failed);
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
    var w = FrameWriter.begin(buf, .run);
    w.int(u32, @intCast(steps.len));
    w.int(u32, before);
    for (steps) |s| {
        w.int(u32, s.actor);
        w.int(u32, s.choice);
    }
    return w.finish();
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

fn bodyOf(frame: []const u8) []const u8 {
    return frame[HEADER_SIZE..];
}

test "header carries length, type and version" {
    var buf: [64]u8 = undefined;
    const frame = encodeDone(&buf, .{ .steps = 7, .actors = 3 });
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
}

test "welcome checks the magic" {
    var buf: [32]u8 = undefined;
    const frame = encodeWelcome(&buf, welcome_flag_stateful);
    try testing.expectEqual(welcome_flag_stateful, try decodeWelcome(bodyOf(frame)));
    var bad = buf;
    bad[HEADER_SIZE] ^= 1;
    try testing.expectError(error.Malformed, decodeWelcome(bad[HEADER_SIZE..frame.len]));
}

test "state writer counts records and lays out extras" {
    var buf: [256]u8 = undefined;
    var s = StateWriter.begin(&buf, 5, state_flag_maps_changed);
    s.record(.{ .actor = 1, .kind = .yield, .flags = record_flag_enabled, .choices = 1, .object = 0, .arg0 = 0, .arg1 = 0, .extras = &.{} });
    s.record(.{ .actor = 2, .kind = .waitany, .flags = 0, .choices = 1, .object = 0, .arg0 = 2, .arg1 = 0, .extras = &.{ 7, 8 | extra_ready_bit } });
    const frame = s.finish();
    try testing.expectEqual(HEADER_SIZE + 16 + RECORD_SIZE * 2 + 16, frame.len);
    var r = FrameReader{ .body = bodyOf(frame) };
    try testing.expectEqual(@as(u32, 5), try r.int(u32));
    try testing.expectEqual(@as(u32, 2), try r.int(u32));
    try testing.expectEqual(state_flag_maps_changed, try r.int(u32));
}

test "messages are truncated, never overflowed, when a string is too long" {
    var buf: [40]u8 = undefined;
    const long = "x" ** 100;
    const frame = encodeViolation(&buf, .{ .kind = .assertion, .actor = 1, .steps = 0, .message = long });
    try testing.expectEqual(@as(usize, 40), frame.len);
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
