//! The content-addressed page store: every 4 KiB page the checker has read from the program is
//! kept once, whatever number of snapshots (or places in one snapshot) hold it, with a
//! reference count. Pages are identified by a small PageId; identical content gets the same id
//! (the hash finds candidates, a byte comparison confirms), so two snapshots are equal exactly
//! when their page ids are.

const std = @import("std");

pub const page_size = 4096;
pub const Page = [page_size]u8;
pub const PageId = u32;

/// The all-zero page: always present, never freed (unpopulated memory reads as it).
pub const zero_page: PageId = 0;

const pages_per_slab = 256;

pub fn hashPage(data: *const Page) u64 {
    return std.hash.XxHash3.hash(0x1503c0, data);
}

pub const Stats = struct {
    /// Distinct pages held, now and at most.
    pages: u64 = 0,
    peak_pages: u64 = 0,
    /// References to pages from snapshots (a page held by 3 snapshots counts 3).
    references: u64 = 0,
    /// Pages submitted to intern() over the store's life, and how many were already present.
    interned: u64 = 0,
    deduplicated: u64 = 0,
};

pub const PageStore = struct {
    gpa: std.mem.Allocator,
    slabs: std.ArrayList(*[pages_per_slab]Page) = .empty,
    hashes: std.ArrayList(u64) = .empty,
    refs: std.ArrayList(u32) = .empty,
    /// Next page with the same hash (collision chain), or null_id.
    chain: std.ArrayList(PageId) = .empty,
    free_ids: std.ArrayList(PageId) = .empty,
    index: std.AutoHashMapUnmanaged(u64, PageId) = .empty,
    stats: Stats = .{},

    const null_id: PageId = std.math.maxInt(PageId);

    pub fn init(gpa: std.mem.Allocator) !PageStore {
        var store = PageStore{ .gpa = gpa };
        errdefer store.deinit();
        const zero = try store.newSlot();
        std.debug.assert(zero == zero_page);
        @memset(store.data(zero_page), 0);
        const h = hashPage(store.data(zero_page));
        store.hashes.items[zero_page] = h;
        store.refs.items[zero_page] = 1; // pinned
        try store.index.put(gpa, h, zero_page);
        return store;
    }

    pub fn deinit(store: *PageStore) void {
        for (store.slabs.items) |slab| store.gpa.destroy(slab);
        store.slabs.deinit(store.gpa);
        store.hashes.deinit(store.gpa);
        store.refs.deinit(store.gpa);
        store.chain.deinit(store.gpa);
        store.free_ids.deinit(store.gpa);
        store.index.deinit(store.gpa);
        store.* = undefined;
    }

    pub fn data(store: *const PageStore, id: PageId) *Page {
        return &store.slabs.items[id / pages_per_slab][id % pages_per_slab];
    }

    pub fn hashOf(store: *const PageStore, id: PageId) u64 {
        return store.hashes.items[id];
    }

    fn newSlot(store: *PageStore) !PageId {
        if (store.free_ids.pop()) |id| return id;
        const id: PageId = @intCast(store.hashes.items.len);
        std.debug.assert(id != null_id);
        if (id % pages_per_slab == 0) {
            const slab = try store.gpa.create([pages_per_slab]Page);
            errdefer store.gpa.destroy(slab);
            try store.slabs.append(store.gpa, slab);
        }
        try store.hashes.append(store.gpa, 0);
        try store.refs.append(store.gpa, 0);
        try store.chain.append(store.gpa, null_id);
        return id;
    }

    /// The id of a page with this content, holding one new reference to it.
    pub fn intern(store: *PageStore, page: *const Page) !PageId {
        return store.internHashed(page, hashPage(page));
    }

    pub fn internHashed(store: *PageStore, page: *const Page, hash: u64) !PageId {
        store.stats.interned += 1;
        const head = store.index.get(hash);
        var cursor = head orelse null_id;
        while (cursor != null_id) : (cursor = store.chain.items[cursor]) {
            if (std.mem.eql(u8, store.data(cursor), page)) {
                store.retain(cursor);
                store.stats.deduplicated += 1;
                return cursor;
            }
        }
        const id = try store.newSlot();
        errdefer store.free_ids.append(store.gpa, id) catch {};
        @memcpy(store.data(id), page);
        store.hashes.items[id] = hash;
        store.refs.items[id] = 1;
        store.chain.items[id] = head orelse null_id;
        try store.index.put(store.gpa, hash, id);
        store.stats.pages += 1;
        store.stats.peak_pages = @max(store.stats.peak_pages, store.stats.pages);
        store.stats.references += 1;
        return id;
    }

    pub fn retain(store: *PageStore, id: PageId) void {
        std.debug.assert(store.refs.items[id] > 0);
        store.refs.items[id] += 1;
        if (id != zero_page) store.stats.references += 1;
    }

    /// Drops one reference; the page is freed when none is left.
    pub fn release(store: *PageStore, id: PageId) void {
        if (id == zero_page) return;
        std.debug.assert(store.refs.items[id] > 0);
        store.refs.items[id] -= 1;
        store.stats.references -= 1;
        if (store.refs.items[id] > 0) return;
        store.unlink(id);
        store.free_ids.append(store.gpa, id) catch {
            // Keeping the slot unused is safe; only the memory is not reused.
        };
        store.stats.pages -= 1;
    }

    /// Removes a page from its hash chain.
    fn unlink(store: *PageStore, id: PageId) void {
        const hash = store.hashes.items[id];
        const head = store.index.get(hash).?;
        if (head == id) {
            const next = store.chain.items[id];
            if (next == null_id) {
                _ = store.index.remove(hash);
            } else {
                store.index.putAssumeCapacity(hash, next);
            }
        } else {
            var cursor = head;
            while (store.chain.items[cursor] != id) cursor = store.chain.items[cursor];
            store.chain.items[cursor] = store.chain.items[id];
        }
        store.chain.items[id] = null_id;
    }

    pub fn bytesHeld(store: *const PageStore) u64 {
        return store.stats.pages * page_size;
    }
};

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

fn filled(byte: u8) Page {
    return @splat(byte);
}

test "identical pages are stored once and freed with their last reference" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const a = filled(1);
    const id1 = try store.intern(&a);
    const id2 = try store.intern(&a);
    try testing.expectEqual(id1, id2);
    try testing.expectEqual(@as(u64, 1), store.stats.pages);
    try testing.expectEqual(@as(u64, 2), store.stats.references);
    try testing.expectEqual(@as(u64, 1), store.stats.deduplicated);
    store.release(id1);
    try testing.expectEqual(@as(u64, 1), store.stats.pages);
    store.release(id2);
    try testing.expectEqual(@as(u64, 0), store.stats.pages);
    try testing.expectEqual(@as(u64, 0), store.stats.references);
    try testing.expectEqual(@as(u64, 1), store.stats.peak_pages);
    // The slot is reused and the content is found again only when re-interned.
    const b = filled(2);
    const id3 = try store.intern(&b);
    try testing.expectEqual(id1, id3);
    try testing.expectEqualSlices(u8, &b, store.data(id3));
    store.release(id3);
}

test "zero pages map to the pinned zero page" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const z = filled(0);
    try testing.expectEqual(zero_page, try store.intern(&z));
    store.release(zero_page);
    try testing.expectEqual(zero_page, try store.intern(&z));
    try testing.expectEqual(@as(u64, 0), store.stats.pages);
}

test "colliding hashes are told apart by content" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const a = filled(3);
    const b = filled(4);
    const ida = try store.internHashed(&a, 42);
    const idb = try store.internHashed(&b, 42);
    try testing.expect(ida != idb);
    try testing.expectEqual(ida, try store.internHashed(&a, 42));
    try testing.expectEqual(idb, try store.internHashed(&b, 42));
    store.release(ida);
    store.release(ida);
    // b must still be found after a left the chain.
    try testing.expectEqual(idb, try store.internHashed(&b, 42));
    store.release(idb);
    store.release(idb);
    store.release(idb);
    try testing.expectEqual(@as(u64, 0), store.stats.pages);
}
