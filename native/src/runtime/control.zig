//! The runtime's memory that is not program state. It lives in a mapping of its own, which the
//! runtime reports to the checker as ignored: the checker neither snapshots, restores nor
//! hashes it. What goes here is what differs between two interleavings that reach the same
//! logical state (the step counter, scratch buffers) or what must survive a restore (the
//! signal stack the crash handler runs on).

const std = @import("std");
const posix = std.posix;
const protocol = @import("protocol");
const window_log = @import("window.zig");

/// The most extras one STATE record can carry (a waitany's communications).
pub const max_extras = std.math.maxInt(u16);
pub const max_fd_ops = 256;

/// The agent's view of one fd change (native/src/agent/agent.zig).
pub const FdOp = extern struct {
    op: u32,
    fd: i32,
    flags: u32,
    reserved: u32 = 0,
    pos: u64,
    path: ?[*:0]const u8,
};

pub const Bookkeeping = struct {
    /// Transitions executed since the start of the execution.
    steps: u32 = 0,
    /// Bumped whenever the runtime maps, unmaps or re-protects memory.
    maps_epoch: u64 = 0,
    /// The epoch last reported to the checker.
    reported_epoch: u64 = 0,
    /// The progress flag's address was sent (PROP): once per process, whatever the restores.
    progress_announced: bool = false,
    /// A wide __VERIFIER_nondet_* drew from the nondet range (svcomp.zig): every later STATE
    /// says so, whatever the restores, so the checker never calls the search complete.
    nondet_range_used: bool = false,
    /// Which functions -finstrument-functions reported are __VERIFIER_atomic_* (svcomp.zig):
    /// what paths called first differs, so it is not program state.
    atomic_functions: FunctionCache = .{},
    /// The plain accesses of the step being executed, under ISOMC_MEMORY=sync (window.zig): what
    /// the last step did, sent with the STATE it leads to.
    window: window_log.Log = .{},
    /// Scratch for the extras of the record being built.
    extras: [max_extras]u64 = undefined,
    /// Scratch for the crash handler's frame.
    crash_frame: [64]u8 = undefined,
    /// Scratch for FDS: the changes for the agent, and their NUL-terminated paths.
    fd_ops: [max_fd_ops]FdOp = undefined,
    fd_paths: [max_fd_ops * 256]u8 = undefined,
};

pub const FunctionCache = struct {
    /// Addresses, bit 63 set for the atomic ones.
    entries: [256]usize = undefined,
    len: usize = 0,
};

const altstack_size = 64 * 1024;

pub const Control = struct {
    mapping: []align(std.heap.page_size_min) u8,
    book: *Bookkeeping,
    altstack: []u8,

    pub fn init() !Control {
        const book_size = std.mem.alignForward(usize, @sizeOf(Bookkeeping), std.heap.pageSize());
        const mapping = try posix.mmap(
            null,
            book_size + altstack_size,
            posix.PROT.READ | posix.PROT.WRITE,
            .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true },
            -1,
            0,
        );
        const book: *Bookkeeping = @ptrCast(@alignCast(mapping.ptr));
        book.* = .{};
        return .{ .mapping = mapping, .book = book, .altstack = mapping[book_size..] };
    }

    pub fn range(c: *const Control) protocol.Range {
        const start = @intFromPtr(c.mapping.ptr);
        return .{ .start = start, .end = start + c.mapping.len };
    }
};

test {
    _ = window_log;
}
