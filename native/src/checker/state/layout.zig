//! What the checker knows of a program's memory: its state regions and, for each page, the id
//! of its content in the page store. The checker's view of the live program and every snapshot
//! are layouts. Page ids are kept in copy-on-write chunks of 64 (256 KiB of memory), shared
//! between layouts, so taking a snapshot costs O(chunks) and a step that writes k pages costs
//! O(k), not O(memory). A layout also keeps a 64-bit hash of its content, maintained page by
//! page: an order-independent sum over pages of mix(address, page hash), zero pages counting
//! for nothing, so equal memory gives equal hashes however it was reached.

const std = @import("std");
const maps = @import("maps.zig");
const page_store = @import("page_store.zig");

const Range = maps.Range;
const PageId = page_store.PageId;
const PageStore = page_store.PageStore;
const page_size = maps.page_size;

pub const chunk_pages = 64;

pub const Chunk = struct {
    refs: u32,
    ids: [chunk_pages]PageId,
};

pub const Region = struct {
    range: Range,
    chunks: []*Chunk,
    /// Its pages' share of the layout's hash (the region's bounds aside): a stack wholly dead
    /// is left out of a hash at the cost of one subtraction (engine.zig maskedHash).
    sum: u64 = 0,

    pub fn pageCount(r: Region) usize {
        return @intCast(r.range.pages());
    }
};

fn mix(addr: u64, hash: u64) u64 {
    // splitmix64 finaliser over the pair; any good 64-bit mixer keyed by address works.
    var z = addr *% 0x9e37_79b9_7f4a_7c15 ^ hash;
    z = (z ^ (z >> 30)) *% 0xbf58_476d_1ce4_e5b9;
    z = (z ^ (z >> 27)) *% 0x94d0_49bb_1331_11eb;
    return z ^ (z >> 31);
}

pub fn pageContribution(store: *const PageStore, addr: u64, id: PageId) u64 {
    if (id == page_store.zero_page) return 0;
    return mix(addr, store.hashOf(id));
}

/// The contribution of a page of content hash `hash` at `addr` (not the zero page).
pub fn mixPage(addr: u64, hash: u64) u64 {
    return mix(addr, hash);
}

fn regionContribution(r: Range) u64 {
    return mix(r.start ^ 0x5eed, r.end);
}

pub const Layout = struct {
    regions: std.ArrayList(Region) = .empty,
    hash: u64 = 0,

    /// A layout of the given ranges, every page the zero page.
    pub fn initZero(gpa: std.mem.Allocator, of: []const Range) !Layout {
        var l = Layout{};
        errdefer l.deinitChunksOnly(gpa);
        for (of) |r| {
            const pages: usize = @intCast(r.pages());
            const n = (pages + chunk_pages - 1) / chunk_pages;
            const chunks = try gpa.alloc(*Chunk, n);
            var made: usize = 0;
            errdefer {
                for (chunks[0..made]) |c| gpa.destroy(c);
                gpa.free(chunks);
            }
            for (chunks) |*c| {
                c.* = try gpa.create(Chunk);
                c.*.* = .{ .refs = 1, .ids = @splat(page_store.zero_page) };
                made += 1;
            }
            try l.regions.append(gpa, .{ .range = r, .chunks = chunks });
            l.hash +%= regionContribution(r);
        }
        return l;
    }

    fn deinitChunksOnly(l: *Layout, gpa: std.mem.Allocator) void {
        for (l.regions.items) |r| {
            for (r.chunks) |c| gpa.destroy(c);
            gpa.free(r.chunks);
        }
        l.regions.deinit(gpa);
    }

    /// Drops this layout's hold on its chunks (and, through them, on pages).
    pub fn deinit(l: *Layout, gpa: std.mem.Allocator, store: *PageStore) void {
        for (l.regions.items) |r| {
            for (r.chunks, 0..) |c, ci| releaseChunk(gpa, store, c, chunkLen(r, ci));
            gpa.free(r.chunks);
        }
        l.regions.deinit(gpa);
        l.* = undefined;
    }

    /// A copy sharing every chunk (O(chunks)).
    pub fn clone(l: *const Layout, gpa: std.mem.Allocator) !Layout {
        var c = Layout{ .hash = l.hash };
        errdefer c.regions.deinit(gpa);
        try c.regions.ensureTotalCapacity(gpa, l.regions.items.len);
        for (l.regions.items) |r| {
            const chunks = try gpa.dupe(*Chunk, r.chunks);
            for (chunks) |ch| ch.refs += 1;
            c.regions.appendAssumeCapacity(.{ .range = r.range, .chunks = chunks, .sum = r.sum });
        }
        return c;
    }

    pub fn ranges(l: *const Layout, gpa: std.mem.Allocator) ![]Range {
        const out = try gpa.alloc(Range, l.regions.items.len);
        for (l.regions.items, out) |r, *o| o.* = r.range;
        return out;
    }

    pub fn sameRanges(l: *const Layout, rs: []const Range) bool {
        if (l.regions.items.len != rs.len) return false;
        for (l.regions.items, rs) |r, x| {
            if (r.range.start != x.start or r.range.end != x.end) return false;
        }
        return true;
    }

    /// Where a page lives: region index and page index, or null when not in the layout.
    pub fn find(l: *const Layout, addr: u64) ?struct { region: usize, page: usize } {
        var lo: usize = 0;
        var hi: usize = l.regions.items.len;
        while (lo < hi) {
            const mid = (lo + hi) / 2;
            const r = l.regions.items[mid].range;
            if (addr < r.start) {
                hi = mid;
            } else if (addr >= r.end) {
                lo = mid + 1;
            } else {
                return .{ .region = mid, .page = @intCast((addr - r.start) / page_size) };
            }
        }
        return null;
    }

    pub fn get(l: *const Layout, region: usize, page: usize) PageId {
        const r = l.regions.items[region];
        return r.chunks[page / chunk_pages].ids[page % chunk_pages];
    }

    /// Sets a page, taking over one reference to `id` and releasing the old one. A chunk
    /// shared with another layout is copied first.
    pub fn set(l: *Layout, gpa: std.mem.Allocator, store: *PageStore, region: usize, page: usize, id: PageId) !void {
        const r = &l.regions.items[region];
        const ci = page / chunk_pages;
        var chunk = r.chunks[ci];
        if (chunk.refs > 1) {
            const copy = try gpa.create(Chunk);
            copy.* = .{ .refs = 1, .ids = chunk.ids };
            for (copy.ids[0..chunkLen(r.*, ci)]) |pid| store.retain(pid);
            chunk.refs -= 1;
            r.chunks[ci] = copy;
            chunk = copy;
        }
        const slot = &chunk.ids[page % chunk_pages];
        const addr = r.range.start + page * page_size;
        const delta = pageContribution(store, addr, id) -% pageContribution(store, addr, slot.*);
        l.hash +%= delta;
        r.sum +%= delta;
        store.release(slot.*);
        slot.* = id;
    }

    pub fn pageCount(l: *const Layout) usize {
        var n: usize = 0;
        for (l.regions.items) |r| n += r.pageCount();
        return n;
    }
};

fn chunkLen(r: Region, ci: usize) usize {
    const pages = r.pageCount();
    return @min(chunk_pages, pages - ci * chunk_pages);
}

fn releaseChunk(gpa: std.mem.Allocator, store: *PageStore, c: *Chunk, used: usize) void {
    std.debug.assert(c.refs > 0);
    c.refs -= 1;
    if (c.refs > 0) return;
    for (c.ids[0..used]) |id| store.release(id);
    gpa.destroy(c);
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "clones share chunks until one side writes" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const ranges = [_]Range{.{ .start = 0x10000, .end = 0x10000 + 1000 * page_size }};
    var a = try Layout.initZero(testing.allocator, &ranges);
    defer a.deinit(testing.allocator, &store);
    const page: page_store.Page = @splat(7);
    try a.set(testing.allocator, &store, 0, 3, try store.intern(&page));
    var b = try a.clone(testing.allocator);
    try testing.expectEqual(a.regions.items[0].chunks[0], b.regions.items[0].chunks[0]);
    try testing.expectEqual(a.hash, b.hash);
    const other: page_store.Page = @splat(9);
    try b.set(testing.allocator, &store, 0, 3, try store.intern(&other));
    try testing.expect(a.regions.items[0].chunks[0] != b.regions.items[0].chunks[0]);
    try testing.expectEqual(a.regions.items[0].chunks[1], b.regions.items[0].chunks[1]);
    try testing.expect(a.hash != b.hash);
    // Setting the page back makes the hashes equal again: the hash depends on content only.
    try b.set(testing.allocator, &store, 0, 3, try store.intern(&page));
    try testing.expectEqual(a.hash, b.hash);
    b.deinit(testing.allocator, &store);
    try testing.expectEqual(@as(u64, 1), store.stats.pages);
}

test "the hash ignores where zero pages are and is order-independent" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const ranges = [_]Range{.{ .start = 0x20000, .end = 0x20000 + 4 * page_size }};
    var a = try Layout.initZero(testing.allocator, &ranges);
    defer a.deinit(testing.allocator, &store);
    var b = try Layout.initZero(testing.allocator, &ranges);
    defer b.deinit(testing.allocator, &store);
    const p1: page_store.Page = @splat(1);
    const p2: page_store.Page = @splat(2);
    try a.set(testing.allocator, &store, 0, 0, try store.intern(&p1));
    try a.set(testing.allocator, &store, 0, 2, try store.intern(&p2));
    try b.set(testing.allocator, &store, 0, 2, try store.intern(&p2));
    try b.set(testing.allocator, &store, 0, 0, try store.intern(&p1));
    try testing.expectEqual(a.hash, b.hash);
    // The same content at another address is another state.
    try b.set(testing.allocator, &store, 0, 1, try store.intern(&p1));
    try b.set(testing.allocator, &store, 0, 0, page_store.zero_page);
    try testing.expect(a.hash != b.hash);
}

test "a region's sum is its pages' share of the hash, kept through sets and clones" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const ranges = [_]Range{
        .{ .start = 0x40000, .end = 0x40000 + 600 * page_size },
        .{ .start = 0x80000, .end = 0x80000 + 4 * page_size },
    };
    var a = try Layout.initZero(testing.allocator, &ranges);
    defer a.deinit(testing.allocator, &store);
    const p1: page_store.Page = @splat(1);
    const p2: page_store.Page = @splat(2);
    try a.set(testing.allocator, &store, 0, 3, try store.intern(&p1));
    try a.set(testing.allocator, &store, 0, 550, try store.intern(&p2));
    try a.set(testing.allocator, &store, 1, 1, try store.intern(&p2));
    var b = try a.clone(testing.allocator);
    defer b.deinit(testing.allocator, &store);
    try b.set(testing.allocator, &store, 0, 3, page_store.zero_page);
    for ([_]*const Layout{ &a, &b }) |l| {
        var total: u64 = 0;
        for (l.regions.items, 0..) |r, ri| {
            var sum: u64 = 0;
            for (0..r.pageCount()) |k| sum +%= pageContribution(&store, r.range.start + k * page_size, l.get(ri, k));
            try testing.expectEqual(sum, r.sum);
            total +%= sum +% regionContribution(r.range);
        }
        try testing.expectEqual(total, l.hash);
    }
}

test "find locates pages by address" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const ranges = [_]Range{
        .{ .start = 0x1000, .end = 0x3000 },
        .{ .start = 0x8000, .end = 0x9000 },
    };
    var l = try Layout.initZero(testing.allocator, &ranges);
    defer l.deinit(testing.allocator, &store);
    try testing.expectEqual(@as(usize, 1), l.find(0x2000).?.page);
    try testing.expectEqual(@as(usize, 1), l.find(0x8000).?.region);
    try testing.expectEqual(null, l.find(0x3000));
    try testing.expectEqual(null, l.find(0x0));
}
