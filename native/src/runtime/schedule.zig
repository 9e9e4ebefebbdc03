//! Where the next step comes from when no checker is attached: a recorded trace (ISOMC_REPLAY,
//! read by trace.zig) or the deterministic default schedule. A trace of a liveness violation
//! is a lasso: its prefix once, then its cycle a given number of times.

const std = @import("std");
const protocol = @import("protocol");

pub const Schedule = struct {
    steps: []const protocol.Step,
    next: usize = 0,
    /// A lasso's: the index in `steps` where its cycle starts (steps.len: an empty cycle, the
    /// last state repeats), and how many times the cycle runs before the schedule ends.
    cycle_start: ?usize = null,
    cycles: u32 = 0,
    /// Times the cycle has been entered so far.
    round: u32 = 0,
    /// Set by the pop that entered the cycle again (for the step log's marker).
    entered: bool = false,

    pub fn pop(s: *Schedule) ?protocol.Step {
        s.entered = false;
        if (s.cycle_start) |c| if (c < s.steps.len) {
            if (s.next == s.steps.len) s.next = c;
            if (s.next == c) {
                if (s.round == s.cycles) return null;
                s.round += 1;
                s.entered = true;
            }
        };
        if (s.next >= s.steps.len) return null;
        defer s.next += 1;
        return s.steps[s.next];
    }
};

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

test "a lasso's schedule runs the prefix once and the cycle the given number of times" {
    const steps = [_]protocol.Step{ .{ .actor = 1, .choice = 0 }, .{ .actor = 2, .choice = 0 }, .{ .actor = 3, .choice = 1 } };
    var s = Schedule{ .steps = &steps, .cycle_start = 1, .cycles = 2 };
    var got: [8]u32 = undefined;
    var n: usize = 0;
    var rounds: u32 = 0;
    while (s.pop()) |step| : (n += 1) {
        got[n] = step.actor;
        if (s.entered) rounds += 1;
    }
    try testing.expectEqualSlices(u32, &.{ 1, 2, 3, 2, 3 }, got[0..n]);
    try testing.expectEqual(@as(u32, 2), rounds);
    try testing.expectEqual(@as(?protocol.Step, null), s.pop());
    // No cycle (the last state repeats) or no round: the prefix alone.
    var stutter = Schedule{ .steps = &steps, .cycle_start = 3, .cycles = 3 };
    n = 0;
    while (stutter.pop()) |_| n += 1;
    try testing.expectEqual(@as(usize, 3), n);
    var none = Schedule{ .steps = &steps, .cycle_start = 1, .cycles = 0 };
    n = 0;
    while (none.pop()) |_| n += 1;
    try testing.expectEqual(@as(usize, 1), n);
}

test "round robin starts after the last actor and skips disabled ones" {
    const enabled = [_]bool{ true, false, true };
    try testing.expectEqual(@as(?usize, 2), roundRobin(&enabled, 0));
    try testing.expectEqual(@as(?usize, 0), roundRobin(&enabled, 2));
    try testing.expectEqual(@as(?usize, null), roundRobin(&[_]bool{ false, false }, 0));
    try testing.expectEqual(@as(?usize, 2), roundRobin(&[_]bool{ false, false, true }, null));
}
