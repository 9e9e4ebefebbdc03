//! Where the next step comes from when no checker is attached: a recorded trace (ISOMC_REPLAY)
//! or the deterministic default schedule. The trace file is the JSON that `isomc check` writes;
//! only its format tag and the actor and choice of each step matter here.

const std = @import("std");
const protocol = @import("protocol");

pub const TraceError = error{ Unreadable, NotATrace, OutOfMemory };

pub const Schedule = struct {
    steps: []const protocol.Step,
    next: usize = 0,

    pub fn pop(s: *Schedule) ?protocol.Step {
        if (s.next >= s.steps.len) return null;
        defer s.next += 1;
        return s.steps[s.next];
    }

    pub fn exhausted(s: *const Schedule) bool {
        return s.next >= s.steps.len;
    }
};

const TraceFile = struct {
    format: []const u8,
    steps: []const struct { actor: u32, choice: u32 = 0 },
};

/// Parses a trace; the returned steps are owned by `gpa`.
pub fn parseTrace(gpa: std.mem.Allocator, text: []const u8) TraceError![]protocol.Step {
    const parsed = std.json.parseFromSlice(TraceFile, gpa, text, .{ .ignore_unknown_fields = true }) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return error.NotATrace,
    };
    defer parsed.deinit();
    if (!std.mem.eql(u8, parsed.value.format, "isomc-trace")) return error.NotATrace;
    const steps = try gpa.alloc(protocol.Step, parsed.value.steps.len);
    for (parsed.value.steps, steps) |in, *out| out.* = .{ .actor = in.actor, .choice = in.choice };
    return steps;
}

pub fn loadTrace(gpa: std.mem.Allocator, path: []const u8) TraceError![]protocol.Step {
    const text = std.fs.cwd().readFileAlloc(gpa, path, 256 * 1024 * 1024) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return error.Unreadable,
    };
    defer gpa.free(text);
    return parseTrace(gpa, text);
}

/// The default schedule: round robin over the enabled actors, in creation order, starting after
/// the one that moved last; every choice takes its first value.
pub fn roundRobin(enabled: []const bool, last: ?usize) ?usize {
    const n = enabled.len;
    if (n == 0) return null;
    const first = if (last) |l| (l + 1) % n else 0;
    var i: usize = 0;
    while (i < n) : (i += 1) {
        const candidate = (first + i) % n;
        if (enabled[candidate]) return candidate;
    }
    return null;
}

const testing = std.testing;

test "trace steps are read and other fields ignored" {
    const text =
        \\{"format": "isomc-trace", "version": 1, "program": ["./a"],
        \\ "steps": [{"actor": 2, "choice": 1, "actor_name": "b", "transition": "x"}, {"actor": 1}]}
    ;
    const steps = try parseTrace(testing.allocator, text);
    defer testing.allocator.free(steps);
    try testing.expectEqual(@as(usize, 2), steps.len);
    try testing.expectEqual(protocol.Step{ .actor = 2, .choice = 1 }, steps[0]);
    try testing.expectEqual(protocol.Step{ .actor = 1, .choice = 0 }, steps[1]);
}

test "a file that is not a trace is refused" {
    try testing.expectError(error.NotATrace, parseTrace(testing.allocator, "{\"format\": \"other\", \"steps\": []}"));
    try testing.expectError(error.NotATrace, parseTrace(testing.allocator, "not json"));
    try testing.expectError(error.NotATrace, parseTrace(testing.allocator, "{\"format\": \"isomc-trace\", \"steps\": [{\"actor\": -1}]}"));
}

test "round robin starts after the last actor and skips disabled ones" {
    const enabled = [_]bool{ true, false, true };
    try testing.expectEqual(@as(?usize, 2), roundRobin(&enabled, 0));
    try testing.expectEqual(@as(?usize, 0), roundRobin(&enabled, 2));
    try testing.expectEqual(@as(?usize, null), roundRobin(&[_]bool{ false, false }, 0));
    try testing.expectEqual(@as(?usize, 2), roundRobin(&[_]bool{ false, false, true }, null));
}
