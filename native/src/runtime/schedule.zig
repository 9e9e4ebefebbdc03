//! Where the next step comes from when no checker is attached: a recorded trace (ISOMC_REPLAY,
//! read by trace.zig) or the deterministic default schedule.

const std = @import("std");
const protocol = @import("protocol");

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

test "round robin starts after the last actor and skips disabled ones" {
    const enabled = [_]bool{ true, false, true };
    try testing.expectEqual(@as(?usize, 2), roundRobin(&enabled, 0));
    try testing.expectEqual(@as(?usize, 0), roundRobin(&enabled, 2));
    try testing.expectEqual(@as(?usize, null), roundRobin(&[_]bool{ false, false }, 0));
    try testing.expectEqual(@as(?usize, 2), roundRobin(&[_]bool{ false, false, true }, null));
}
