//! Reserved address space: a range mapped inaccessible (PROT_NONE, MAP_NORESERVE), made usable
//! from its start as it is needed. The runtime grows what must not move in reservations (the
//! arenas, the mailbox registry): a reservation never moves, and what it has committed only
//! grows, so its extent depends on the most it ever held, never on the order of its uses.

const std = @import("std");
const linux = std.os.linux;

pub const page_size = 4096;

/// A range of address space reserved inaccessible, made usable from its start as needed.
pub const Reservation = struct {
    base: usize,
    len: usize,
    /// [base, base + committed) is readable and writable.
    committed: usize = 0,
    /// Bumped whenever the mappings change, so the checker knows to read them again.
    epoch: *u64,

    pub const commit_step = 64 * 1024;

    pub fn init(len: usize, epoch: *u64) !Reservation {
        const rc = linux.mmap(null, len, linux.PROT.NONE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true }, -1, 0);
        if (linux.E.init(rc) != .SUCCESS) return error.OutOfMemory;
        epoch.* +%= 1;
        return .{ .base = rc, .len = len, .epoch = epoch };
    }

    /// A part of a larger reservation, still inaccessible.
    pub fn within(base: usize, len: usize, epoch: *u64) Reservation {
        std.debug.assert(base % page_size == 0 and len % page_size == 0);
        return .{ .base = base, .len = len, .epoch = epoch };
    }

    /// Makes [base, base + want) usable. What is committed stays committed: the committed
    /// size is the largest ever wanted, rounded up to commit_step.
    pub fn commit(r: *Reservation, want: usize) !void {
        if (want <= r.committed) return;
        if (want > r.len) return error.OutOfMemory;
        const target = @min(r.len, std.mem.alignForward(usize, want, commit_step));
        const rc = linux.mprotect(@ptrFromInt(r.base + r.committed), target - r.committed, linux.PROT.READ | linux.PROT.WRITE);
        if (linux.E.init(rc) != .SUCCESS) return error.OutOfMemory;
        r.committed = target;
        r.epoch.* +%= 1;
    }

    pub fn contains(r: *const Reservation, addr: usize) bool {
        return addr >= r.base and addr < r.base + r.len;
    }
};
