//! Arenas for the program's malloc under the checker: each actor allocates from an arena of
//! its own (and code outside actors from main's), so the addresses an actor's allocations get
//! depend only on that actor's own history, never on how the actors interleaved. Each arena
//! is one reservation of address space whose used part grows from its start; freed blocks are
//! zeroed, and reused last-in first-out. Two interleavings that reach the same logical state
//! therefore leave the same bytes at the same addresses, which is what lets the checker
//! recognise states it has seen.

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

    const commit_step = 64 * 1024;

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

    /// Makes [base, base + want) usable.
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

/// Every block starts with this header; the pointer handed out is just after it.
const Header = extern struct {
    /// Usable bytes after the header.
    size: u64,
    /// For aligned allocations: how far back the underlying block's pointer is; else 0.
    back: u32,
    class: u32,
};

const header_size = @sizeOf(Header);
comptime {
    std.debug.assert(header_size == 16);
}

/// A free small block: the link overwrites the header (rewritten when the block is reused).
const FreeBlock = struct { next: ?*FreeBlock };

/// A free large block keeps its header, so its size is known, and links through the first
/// word after it.
const LargeFree = extern struct { header: Header, next: ?*LargeFree };

/// Small blocks: total sizes (header included) 32, 48, 64, 96, 128, ... 4096.
const class_sizes = [_]u32{ 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096 };
const large_class: u32 = std.math.maxInt(u32);

fn classFor(total: usize) ?u32 {
    for (class_sizes, 0..) |s, i| if (total <= s) return @intCast(i);
    return null;
}

pub const Arena = struct {
    space: Reservation,
    /// Bump pointer: [base, base + used) has been handed out at least once.
    used: usize = 0,
    free_small: [class_sizes.len]?*FreeBlock = @splat(null),
    /// Freed large blocks (whole pages), most recently freed first.
    free_large: ?*LargeFree = null,

    pub fn init(len: usize, epoch: *u64) !Arena {
        return .{ .space = try Reservation.init(len, epoch) };
    }

    pub fn within(base: usize, len: usize, epoch: *u64) Arena {
        return .{ .space = Reservation.within(base, len, epoch) };
    }

    fn carve(a: *Arena, total: usize, alignment: usize) ?usize {
        const start = std.mem.alignForward(usize, a.space.base + a.used, alignment);
        const end = start + total;
        a.space.commit(end - a.space.base) catch return null;
        a.used = end - a.space.base;
        return start;
    }

    pub fn alloc(a: *Arena, size: usize) ?[*]u8 {
        const total = std.math.add(usize, size, header_size) catch return null;
        if (classFor(total)) |class| {
            const block: usize = if (a.free_small[class]) |b| blk: {
                a.free_small[class] = b.next;
                b.next = null;
                break :blk @intFromPtr(b);
            } else a.carve(class_sizes[class], 16) orelse return null;
            const h: *Header = @ptrFromInt(block);
            h.* = .{ .size = class_sizes[class] - header_size, .back = 0, .class = class };
            return @ptrFromInt(block + header_size);
        }
        const pages_total = std.mem.alignForward(usize, total, page_size);
        // First fit among freed large blocks of at least this size.
        var link: *?*LargeFree = &a.free_large;
        while (link.*) |b| : (link = &b.next) {
            const have = @as(usize, @intCast(b.header.size)) + header_size;
            if (have >= pages_total) {
                link.* = b.next;
                b.next = null;
                b.header.back = 0;
                return @ptrFromInt(@intFromPtr(b) + header_size);
            }
        }
        const block = a.carve(pages_total, page_size) orelse return null;
        const h: *Header = @ptrFromInt(block);
        h.* = .{ .size = pages_total - header_size, .back = 0, .class = large_class };
        return @ptrFromInt(block + header_size);
    }

    /// An allocation aligned to `alignment` (a power of two).
    pub fn allocAligned(a: *Arena, size: usize, alignment: usize) ?[*]u8 {
        if (alignment <= 16) return a.alloc(size);
        const raw = a.alloc(size + alignment + header_size) orelse return null;
        const aligned = std.mem.alignForward(usize, @intFromPtr(raw) + header_size, alignment);
        const h: *Header = @ptrFromInt(aligned - header_size);
        h.* = .{ .size = size, .back = @intCast(aligned - @intFromPtr(raw)), .class = 0 };
        return @ptrFromInt(aligned);
    }

    /// Frees a block of this arena: zeroed, then first in line for reuse.
    pub fn free(a: *Arena, ptr: [*]u8) void {
        var p = @intFromPtr(ptr);
        var h: *Header = @ptrFromInt(p - header_size);
        if (h.back != 0) {
            const back = h.back;
            h.* = .{ .size = 0, .back = 0, .class = 0 };
            p -= back;
            h = @ptrFromInt(p - header_size);
        }
        std.debug.assert(a.space.contains(p));
        const total: usize = @as(usize, @intCast(h.size)) + header_size;
        const block: [*]u8 = @ptrFromInt(p - header_size);
        if (h.class == large_class) {
            @memset(block[0..total], 0);
            const b: *LargeFree = @ptrCast(@alignCast(block));
            b.header = .{ .size = total - header_size, .back = 0, .class = large_class };
            b.next = a.free_large;
            a.free_large = b;
            return;
        }
        std.debug.assert(h.class < class_sizes.len);
        const class = h.class;
        @memset(block[0..total], 0);
        const fb: *FreeBlock = @ptrCast(@alignCast(block));
        fb.next = a.free_small[class];
        a.free_small[class] = fb;
    }

    pub fn usableSize(ptr: [*]const u8) usize {
        const h: *const Header = @ptrFromInt(@intFromPtr(ptr) - header_size);
        return @intCast(h.size);
    }
};

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "small and large blocks are reused last-in first-out, zeroed" {
    var epoch: u64 = 0;
    var a = try Arena.init(64 * 1024 * 1024, &epoch);
    const p = a.alloc(40).?;
    @memset(p[0..40], 0xee);
    try testing.expect(Arena.usableSize(p) >= 40);
    a.free(p);
    for (p[16..40]) |b| try testing.expectEqual(@as(u8, 0), b);
    const q = a.alloc(33).?;
    try testing.expectEqual(p, q);
    const big = a.alloc(100_000).?;
    @memset(big[0..100_000], 0xaa);
    a.free(big);
    const big2 = a.alloc(90_000).?;
    try testing.expectEqual(big, big2);
    for (big2[0..90_000]) |b| try testing.expectEqual(@as(u8, 0), b);
    try testing.expect(epoch >= 2);
}

test "addresses depend only on the arena's own sequence of calls" {
    var e1: u64 = 0;
    var e2: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &e1);
    var b = try Arena.init(16 * 1024 * 1024, &e2);
    const sizes = [_]usize{ 10, 200, 5000, 17, 70_000, 3 };
    var pa: [sizes.len]usize = undefined;
    var pb: [sizes.len]usize = undefined;
    for (sizes, 0..) |s, i| pa[i] = @intFromPtr(a.alloc(s).?) - a.space.base;
    a.free(@ptrFromInt(pa[1] + a.space.base));
    for (sizes, 0..) |s, i| pb[i] = @intFromPtr(b.alloc(s).?) - b.space.base;
    b.free(@ptrFromInt(pb[1] + b.space.base));
    try testing.expectEqualSlices(usize, &pa, &pb);
    try testing.expectEqual(@intFromPtr(a.alloc(150).?) - a.space.base, @intFromPtr(b.alloc(150).?) - b.space.base);
}

test "aligned allocations are aligned and free their underlying block" {
    var epoch: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &epoch);
    const p = a.allocAligned(100, 256).?;
    try testing.expect(std.mem.isAligned(@intFromPtr(p), 256));
    try testing.expectEqual(@as(usize, 100), Arena.usableSize(p));
    a.free(p);
    const again = a.allocAligned(100, 256).?;
    try testing.expectEqual(p, again);
}
