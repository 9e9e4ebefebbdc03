//! Arenas: the memory of the program's malloc under the checker (one per actor, malloc.zig) and
//! of the runtime's own objects (one per creator, kernel.zig). An arena's bytes must depend
//! only on which of its blocks are live, never on the order in which they were freed, so that
//! two interleavings that reach the same logical state leave the same bytes (docs/state.md,
//! "What is canonical"). Hence:
//!   - an arena is one reservation of address space whose used part grows from its start;
//!   - a freed block is zeroed whole, apart from the links of its free list;
//!   - free lists are kept sorted by address and a request takes the lowest block that fits,
//!     so a list is a function of the set of free blocks, whoever freed them and in which
//!     order (a receiver freeing the sender's message is the common case);
//!   - a free block that ends where the used part ends is given back to it, so an arena whose
//!     blocks were all freed is byte for byte the arena that never allocated;
//!   - every byte at or above the end of the used part is zero.

const std = @import("std");
const reservation = @import("reservation.zig");

pub const page_size = reservation.page_size;
pub const Reservation = reservation.Reservation;

/// Every block starts with this header; the pointer handed out is just after it.
const Header = extern struct {
    /// Usable bytes after the header.
    size: u64,
    /// For aligned allocations: how far back the underlying block's pointer is; else 0.
    back: u32,
    class: u16,
    /// Large blocks: the alignment padding carved just before the block, which goes back to
    /// the used part with it.
    gap: u16,
};

const header_size = @sizeOf(Header);
comptime {
    std.debug.assert(header_size == 16);
}

/// The links of a free block: at the block's start for small blocks (over the header), just
/// after the header for large ones (which keep theirs, for the size).
const Node = extern struct {
    next: ?*Node = null,
    prev: ?*Node = null,
};

/// A free list, sorted by address, lowest first.
const List = struct {
    head: ?*Node = null,
    tail: ?*Node = null,

    fn insert(l: *List, n: *Node) void {
        std.debug.assert(n.next == null and n.prev == null);
        // Appending and prepending are the common cases (blocks freed in or against the
        // order they were carved); anything else walks to its place.
        const tail = l.tail orelse {
            l.head = n;
            l.tail = n;
            return;
        };
        if (@intFromPtr(n) > @intFromPtr(tail)) {
            tail.next = n;
            n.prev = tail;
            l.tail = n;
            return;
        }
        // Walk from the end nearer by address (blocks are spread evenly, more or less).
        var before: ?*Node = null; // the first node above n
        const head = l.head.?;
        if (@intFromPtr(n) - @min(@intFromPtr(n), @intFromPtr(head)) <= @intFromPtr(tail) - @intFromPtr(n)) {
            var at: ?*Node = head;
            while (at) |x| : (at = x.next) {
                std.debug.assert(x != n);
                if (@intFromPtr(x) > @intFromPtr(n)) {
                    before = x;
                    break;
                }
            }
        } else {
            var at: ?*Node = tail;
            while (at) |x| : (at = x.prev) {
                std.debug.assert(x != n);
                if (@intFromPtr(x) < @intFromPtr(n)) break;
                before = x;
            }
        }
        const above = before.?; // n is below the tail
        n.next = above;
        n.prev = above.prev;
        if (above.prev) |p| p.next = n else l.head = n;
        above.prev = n;
    }

    fn remove(l: *List, n: *Node) void {
        if (n.prev) |p| p.next = n.next else l.head = n.next;
        if (n.next) |x| x.prev = n.prev else l.tail = n.prev;
        n.* = .{};
    }

    fn isSorted(l: *const List) bool {
        var prev: ?*Node = null;
        var at = l.head;
        while (at) |x| : (at = x.next) {
            if (x.prev != prev) return false;
            if (prev) |p| if (@intFromPtr(p) >= @intFromPtr(x)) return false;
            prev = x;
        }
        return prev == l.tail;
    }
};

/// Small blocks: total sizes (header included) 32, 48, 64, 96, 128, ... 4096.
const class_sizes = [_]u32{ 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096 };
const large_class: u16 = std.math.maxInt(u16);

comptime {
    for (class_sizes) |s| std.debug.assert(s % 16 == 0 and s >= header_size + @sizeOf(Node));
}

fn classFor(total: usize) ?u16 {
    for (class_sizes, 0..) |s, i| if (total <= s) return @intCast(i);
    return null;
}

fn largeNode(block: usize) *Node {
    return @ptrFromInt(block + header_size);
}

fn isZero(bytes: []const u8) bool {
    for (bytes) |b| if (b != 0) return false;
    return true;
}

/// Zeroes a block, skipping the whole pages already zero: writing them would make the kernel
/// give a never-touched page of a large block a frame of its own, for nothing.
fn zero(bytes: []u8) void {
    var rest = bytes;
    while (rest.len > 0) {
        const in_page = page_size - (@intFromPtr(rest.ptr) % page_size);
        const part = rest[0..@min(rest.len, in_page)];
        if (part.len < page_size or !isZero(part)) @memset(part, 0);
        rest = rest[part.len..];
    }
}

pub const Arena = struct {
    space: Reservation,
    /// Where blocks start: after the arena's own record when it lives in its space.
    first: usize = 0,
    /// Bump pointer: [base + first, base + used) has been handed out at least once.
    used: usize = 0,
    small: [class_sizes.len]List = @splat(.{}),
    /// Freed large blocks (whole pages).
    large: List = .{},
    /// Blocks handed out and not freed.
    live: usize = 0,

    pub fn init(len: usize, epoch: *u64) !Arena {
        return .{ .space = try Reservation.init(len, epoch) };
    }

    pub fn within(base: usize, len: usize, epoch: *u64) Arena {
        return .{ .space = Reservation.within(base, len, epoch) };
    }

    /// An arena that keeps its own record at the start of its space (slots.zig).
    pub fn inPlace(base: usize, len: usize, epoch: *u64) !*Arena {
        var space = Reservation.within(base, len, epoch);
        const first = std.mem.alignForward(usize, @sizeOf(Arena), 16);
        try space.commit(first);
        const a: *Arena = @ptrFromInt(base);
        a.* = .{ .space = space, .first = first, .used = first };
        return a;
    }

    /// Has nothing been allocated since the arena was made (or has all of it been freed)?
    pub fn isPristine(a: *const Arena) bool {
        return a.used == a.first and a.live == 0;
    }

    fn top(a: *const Arena) usize {
        return a.space.base + a.used;
    }

    fn carve(a: *Arena, total: usize, alignment: usize) ?struct { start: usize, gap: usize } {
        const start = std.mem.alignForward(usize, a.top(), alignment);
        const end = start + total;
        a.space.commit(end - a.space.base) catch return null;
        const gap = start - a.top();
        a.used = end - a.space.base;
        return .{ .start = start, .gap = gap };
    }

    pub fn alloc(a: *Arena, size: usize) ?[*]u8 {
        const total = std.math.add(usize, size, header_size) catch return null;
        if (classFor(total)) |class| {
            const block: usize = if (a.small[class].head) |n| blk: {
                a.small[class].remove(n);
                break :blk @intFromPtr(n);
            } else (a.carve(class_sizes[class], 16) orelse return null).start;
            const h: *Header = @ptrFromInt(block);
            h.* = .{ .size = class_sizes[class] - header_size, .back = 0, .class = class, .gap = 0 };
            a.live += 1;
            return @ptrFromInt(block + header_size);
        }
        const pages_total = std.mem.alignForward(usize, total, page_size);
        // First fit among freed large blocks: the lowest one big enough.
        var at = a.large.head;
        while (at) |n| : (at = n.next) {
            const block = @intFromPtr(n) - header_size;
            const h: *Header = @ptrFromInt(block);
            if (h.size + header_size >= pages_total) {
                a.large.remove(n);
                a.live += 1;
                return @ptrFromInt(block + header_size);
            }
        }
        const carved = a.carve(pages_total, page_size) orelse return null;
        const h: *Header = @ptrFromInt(carved.start);
        h.* = .{ .size = pages_total - header_size, .back = 0, .class = large_class, .gap = @intCast(carved.gap) };
        a.live += 1;
        return @ptrFromInt(carved.start + header_size);
    }

    /// An allocation aligned to `alignment` (a power of two).
    pub fn allocAligned(a: *Arena, size: usize, alignment: usize) ?[*]u8 {
        if (alignment <= 16) return a.alloc(size);
        const raw = a.alloc(size + alignment + header_size) orelse return null;
        const aligned = std.mem.alignForward(usize, @intFromPtr(raw) + header_size, alignment);
        const h: *Header = @ptrFromInt(aligned - header_size);
        h.* = .{ .size = size, .back = @intCast(aligned - @intFromPtr(raw)), .class = 0, .gap = 0 };
        return @ptrFromInt(aligned);
    }

    /// Frees a block of this arena, whoever frees it: zeroed, then in its place in its list,
    /// or given back to the used part when it ends there.
    pub fn free(a: *Arena, ptr: [*]u8) void {
        var p = @intFromPtr(ptr);
        var h: *Header = @ptrFromInt(p - header_size);
        if (h.back != 0) {
            const back = h.back;
            h.* = .{ .size = 0, .back = 0, .class = 0, .gap = 0 };
            p -= back;
            h = @ptrFromInt(p - header_size);
        }
        const block = p - header_size;
        std.debug.assert(block >= a.space.base + a.first and block < a.top());
        std.debug.assert(a.live > 0);
        a.live -= 1;
        const class = h.class;
        const gap = h.gap;
        const total: usize = @as(usize, @intCast(h.size)) + header_size;
        std.debug.assert(if (class == large_class) total % page_size == 0 else total == class_sizes[class]);
        zero(@as([*]u8, @ptrFromInt(block))[0..total]);
        if (block + total == a.top()) {
            a.used = block - gap - a.space.base;
            a.trimTop();
            return;
        }
        if (class == large_class) {
            const lh: *Header = @ptrFromInt(block);
            lh.* = .{ .size = total - header_size, .back = 0, .class = large_class, .gap = gap };
            a.large.insert(largeNode(block));
        } else {
            a.small[class].insert(@ptrFromInt(block));
        }
    }

    /// Gives back to the used part every free block that ends where it ends. Such a block is
    /// the highest free block, so the last of its list.
    fn trimTop(a: *Arena) void {
        while (true) {
            if (a.large.tail) |n| {
                const block = @intFromPtr(n) - header_size;
                const h: *Header = @ptrFromInt(block);
                if (block + h.size + header_size == a.top()) {
                    const gap = h.gap;
                    a.large.remove(n);
                    h.* = .{ .size = 0, .back = 0, .class = 0, .gap = 0 };
                    a.used = block - gap - a.space.base;
                    continue;
                }
            }
            const found = for (&a.small, 0..) |*l, c| {
                const n = l.tail orelse continue;
                if (@intFromPtr(n) + class_sizes[c] == a.top()) {
                    l.remove(n);
                    a.used = @intFromPtr(n) - a.space.base;
                    break true;
                }
            } else false;
            if (!found) return;
        }
    }

    pub fn usableSize(ptr: [*]const u8) usize {
        const h: *const Header = @ptrFromInt(@intFromPtr(ptr) - header_size);
        return @intCast(h.size);
    }

    /// Checks every invariant the canonical layout rests on (tests; costs a scan of the
    /// arena's free blocks and of the committed memory past the used part).
    pub fn validate(a: *const Arena) !void {
        for (&a.small, 0..) |*l, c| {
            if (!l.isSorted()) return error.FreeListUnsorted;
            var at = l.head;
            while (at) |n| : (at = n.next) {
                const bytes: [*]const u8 = @ptrCast(n);
                if (!isZero(bytes[@sizeOf(Node)..class_sizes[c]])) return error.FreeBlockNotZero;
                if (@intFromPtr(n) + class_sizes[c] >= a.top()) return error.FreeBlockAtTop;
            }
        }
        if (!a.large.isSorted()) return error.FreeListUnsorted;
        var at = a.large.head;
        while (at) |n| : (at = n.next) {
            const block = @intFromPtr(n) - header_size;
            const h: *const Header = @ptrFromInt(block);
            if (h.class != large_class) return error.FreeBlockNotZero;
            const bytes: [*]const u8 = @ptrFromInt(block);
            if (!isZero(bytes[header_size + @sizeOf(Node) .. h.size + header_size])) return error.FreeBlockNotZero;
            if (block + h.size + header_size >= a.top()) return error.FreeBlockAtTop;
        }
        const rest: [*]const u8 = @ptrFromInt(a.top());
        if (!isZero(rest[0 .. a.space.committed - a.used])) return error.TailNotZero;
        if (a.live == 0 and a.used != a.first) return error.EmptyArenaNotPristine;
    }

    /// The arena as a std.mem.Allocator (the runtime's objects). Memory handed out is zero.
    pub fn allocator(a: *Arena) std.mem.Allocator {
        return .{ .ptr = a, .vtable = &vtable };
    }

    const vtable = std.mem.Allocator.VTable{
        .alloc = vtAlloc,
        .resize = vtResize,
        .remap = vtRemap,
        .free = vtFree,
    };

    fn vtAlloc(ctx: *anyopaque, len: usize, alignment: std.mem.Alignment, _: usize) ?[*]u8 {
        const a: *Arena = @ptrCast(@alignCast(ctx));
        return a.allocAligned(len, alignment.toByteUnits());
    }

    fn vtResize(_: *anyopaque, memory: []u8, _: std.mem.Alignment, new_len: usize, _: usize) bool {
        if (new_len > usableSize(memory.ptr)) return false;
        // What a shrink leaves behind would outlive it: zero it, as a free does.
        if (new_len < memory.len) @memset(memory[new_len..], 0);
        return true;
    }

    fn vtRemap(ctx: *anyopaque, memory: []u8, alignment: std.mem.Alignment, new_len: usize, ret_addr: usize) ?[*]u8 {
        return if (vtResize(ctx, memory, alignment, new_len, ret_addr)) memory.ptr else null;
    }

    fn vtFree(ctx: *anyopaque, memory: []u8, _: std.mem.Alignment, _: usize) void {
        const a: *Arena = @ptrCast(@alignCast(ctx));
        a.free(memory.ptr);
    }
};

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

fn offsets(a: *const Arena, ptrs: []const [*]u8, out: []usize) void {
    for (ptrs, out) |p, *o| o.* = @intFromPtr(p) - a.space.base;
}

test "a freed block is reused, zeroed; large blocks too" {
    var epoch: u64 = 0;
    var a = try Arena.init(64 * 1024 * 1024, &epoch);
    const keep = a.alloc(8).?; // keeps the blocks below from being given back to the used part
    const p = a.alloc(40).?;
    const above = a.alloc(8).?;
    @memset(p[0..40], 0xee);
    try testing.expect(Arena.usableSize(p) >= 40);
    a.free(p);
    for (p[0..40]) |b| try testing.expectEqual(@as(u8, 0), b);
    try a.validate();
    const q = a.alloc(33).?;
    try testing.expectEqual(p, q);
    const big = a.alloc(100_000).?;
    const big_above = a.alloc(8).?;
    @memset(big[0..100_000], 0xaa);
    a.free(big);
    try a.validate();
    const big2 = a.alloc(90_000).?;
    try testing.expectEqual(big, big2);
    for (big2[0..90_000]) |b| try testing.expectEqual(@as(u8, 0), b);
    try testing.expect(epoch >= 2);
    for ([_][*]u8{ keep, above, q, big2, big_above }) |x| a.free(x);
    try a.validate();
    try testing.expect(a.isPristine());
}

test "free lists are sorted: the order of frees does not change the arena's bytes" {
    // Two arenas allocate the same blocks; one frees them in one order, the other in the
    // reverse order (as two receivers freeing a sender's messages may): same bytes after.
    var e1: u64 = 0;
    var e2: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &e1);
    var b = try Arena.init(16 * 1024 * 1024, &e2);
    const sizes = [_]usize{ 40, 40, 40, 5000, 40, 9000, 40, 8 };
    var pa: [sizes.len][*]u8 = undefined;
    var pb: [sizes.len][*]u8 = undefined;
    for (sizes, 0..) |s, i| {
        pa[i] = a.alloc(s).?;
        pb[i] = b.alloc(s).?;
        @memset(pa[i][0..s], @intCast(i + 1));
        @memset(pb[i][0..s], @intCast(i + 1));
    }
    const order = [_]usize{ 2, 0, 4, 3, 1, 5 }; // the last two blocks stay, so nothing trims
    for (order) |i| a.free(pa[i]);
    var k = order.len;
    while (k > 0) {
        k -= 1;
        b.free(pb[order[k]]);
    }
    try a.validate();
    try b.validate();
    const la = a.used;
    try testing.expectEqual(la, b.used);
    const bytes_a: [*]const u8 = @ptrFromInt(a.space.base);
    const bytes_b: [*]const u8 = @ptrFromInt(b.space.base);
    // Compare as offsets: links point into each arena's own space.
    var i: usize = 0;
    while (i < la) : (i += 8) {
        const wa = std.mem.readInt(u64, bytes_a[i..][0..8], .little);
        const wb = std.mem.readInt(u64, bytes_b[i..][0..8], .little);
        const in_a = wa >= a.space.base and wa < a.space.base + a.space.len;
        const in_b = wb >= b.space.base and wb < b.space.base + b.space.len;
        try testing.expectEqual(in_a, in_b);
        if (in_a) {
            try testing.expectEqual(wa - a.space.base, wb - b.space.base);
        } else {
            try testing.expectEqual(wa, wb);
        }
    }
    // The lowest free block of a class is taken first.
    try testing.expectEqual(@intFromPtr(pa[0]), @intFromPtr(a.alloc(40).?));
    try testing.expectEqual(@intFromPtr(pa[1]), @intFromPtr(a.alloc(40).?));
}

test "blocks freed at the top give their memory back: an emptied arena is pristine" {
    var epoch: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &epoch);
    const x = a.alloc(100).?;
    const y = a.alloc(10_000).?; // large: page aligned, after a gap
    const z = a.alloc(20).?;
    try testing.expect(!a.isPristine());
    a.free(y); // not at the top: listed
    try a.validate();
    a.free(z); // at the top: z and then y go back
    try a.validate();
    try testing.expectEqual(@intFromPtr(x) - 16 + 128 - a.space.base, a.used);
    a.free(x);
    try a.validate();
    try testing.expect(a.isPristine());
    // Allocating again gives the same addresses as the first time.
    try testing.expectEqual(x, a.alloc(100).?);
    try testing.expectEqual(y, a.alloc(10_000).?);
}

test "addresses depend only on the arena's own live blocks" {
    var e1: u64 = 0;
    var e2: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &e1);
    var b = try Arena.init(16 * 1024 * 1024, &e2);
    const sizes = [_]usize{ 10, 200, 5000, 17, 70_000, 3 };
    var pa: [sizes.len][*]u8 = undefined;
    var pb: [sizes.len][*]u8 = undefined;
    for (sizes, 0..) |s, i| pa[i] = a.alloc(s).?;
    a.free(pa[1]);
    for (sizes, 0..) |s, i| pb[i] = b.alloc(s).?;
    b.free(pb[1]);
    var oa: [sizes.len]usize = undefined;
    var ob: [sizes.len]usize = undefined;
    offsets(&a, &pa, &oa);
    offsets(&b, &pb, &ob);
    try testing.expectEqualSlices(usize, &oa, &ob);
    try testing.expectEqual(@intFromPtr(a.alloc(150).?) - a.space.base, @intFromPtr(b.alloc(150).?) - b.space.base);
}

test "aligned allocations are aligned and free their underlying block" {
    var epoch: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &epoch);
    const p = a.allocAligned(100, 256).?;
    try testing.expect(std.mem.isAligned(@intFromPtr(p), 256));
    try testing.expectEqual(@as(usize, 100), Arena.usableSize(p));
    a.free(p);
    try a.validate();
    try testing.expect(a.isPristine());
    const again = a.allocAligned(100, 256).?;
    try testing.expectEqual(p, again);
}

test "random frees in any order keep every invariant" {
    var epoch: u64 = 0;
    var a = try Arena.init(256 * 1024 * 1024, &epoch);
    var prng = std.Random.DefaultPrng.init(7);
    const rnd = prng.random();
    var live: [64]?[*]u8 = @splat(null);
    for (0..4000) |_| {
        const i = rnd.uintLessThan(usize, live.len);
        if (live[i]) |p| {
            a.free(p);
            live[i] = null;
        } else {
            const size = if (rnd.uintLessThan(u8, 8) == 0) rnd.uintLessThan(usize, 20_000) else rnd.uintLessThan(usize, 300);
            const p = a.alloc(size).?;
            @memset(p[0..size], 0x5a);
            live[i] = p;
        }
        try a.validate();
    }
    for (&live) |*l| if (l.*) |p| a.free(p);
    try a.validate();
    try testing.expect(a.isPristine());
}

test "the runtime's objects: an arena as an allocator" {
    var epoch: u64 = 0;
    var a = try Arena.init(16 * 1024 * 1024, &epoch);
    const al = a.allocator();
    const Thing = struct { x: u64, y: [3]u32 };
    const t = try al.create(Thing);
    t.* = .{ .x = 1, .y = .{ 2, 3, 4 } };
    var list: std.ArrayList(u32) = .empty;
    for (0..100) |i| try list.append(al, @intCast(i));
    list.deinit(al);
    al.destroy(t);
    try a.validate();
    try testing.expect(a.isPristine());
}
