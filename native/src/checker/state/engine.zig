//! The snapshot engine for one running program: it keeps the checker's view of the program's
//! memory (a Layout) in step with the real one — reading only the pages the tracker says were
//! written — takes snapshots as cheap clones of that view, and restores a snapshot by writing
//! back only the pages that differ. Mapping changes (a region that must be created or removed
//! before pages can be written) are returned as a plan that the runtime carries out in its own
//! process; the engine then checks the result and writes the pages. Shared memory the program
//! maps (maps.zig) is state too but is not write-tracked: it is read whole at every sync and
//! written whole at every restore. A mapping that cannot be restored fails every call that
//! reads the maps with error.Unrestorable, the mapping described in `why`.

const std = @import("std");
const linux = std.os.linux;
const maps = @import("maps.zig");
const page_store = @import("page_store.zig");
const layout_mod = @import("layout.zig");
const remote = @import("remote.zig");
const tracker_mod = @import("tracker.zig");

const Range = maps.Range;
const Layout = layout_mod.Layout;
const PageStore = page_store.PageStore;
const Tracker = tracker_mod.Tracker;
const page_size = maps.page_size;
/// Pages read into the buffer at once (16 MiB).
const read_batch_pages = 4096;

pub const Stats = struct {
    syncs: u64 = 0,
    snapshots: u64 = 0,
    restores: u64 = 0,
    /// Restores told the program had not run since the last look (no tracker scan).
    clean_restores: u64 = 0,
    maps_reads: u64 = 0,
    relayouts: u64 = 0,
    pages_read: u64 = 0,
    pages_written: u64 = 0,
    read: remote.Traffic = .{},
    written: remote.Traffic = .{},
    sync_ns: u64 = 0,
    restore_ns: u64 = 0,
};

pub const EngineError = error{ ProcessGone, TrackingFailed, OutOfMemory, MappingsDiffer, BadMaps, Unrestorable };

pub const Why = maps.Why;

/// What the runtime must do before a snapshot's pages can be written back.
pub const Plan = struct {
    unmap: []Range,
    map: []Range,

    pub fn isEmpty(p: Plan) bool {
        return p.unmap.len == 0 and p.map.len == 0;
    }

    pub fn deinit(p: *Plan, gpa: std.mem.Allocator) void {
        gpa.free(p.unmap);
        gpa.free(p.map);
        p.* = undefined;
    }
};

pub const Engine = struct {
    gpa: std.mem.Allocator,
    store: *PageStore,
    pid: linux.pid_t,
    tracker: Tracker,
    ignored: []Range,
    current: Layout,
    /// The regions of `current` the tracker registered (private memory) and the others
    /// (shared memory, read and written whole); both sorted, together `current`'s regions.
    tracked: []Range = &.{},
    shared: []Range = &.{},
    /// Set with error.Unrestorable.
    why: Why = .{},
    maps_text: std.ArrayList(u8) = .empty,
    addrs: std.ArrayList(u64) = .empty,
    buffer: std.ArrayList(u8) = .empty,
    stats: Stats = .{},

    pub fn init(
        gpa: std.mem.Allocator,
        store: *PageStore,
        pid: linux.pid_t,
        pidfd: i32,
        remote_uffd: i32,
        ignored: []const Range,
        allow: tracker_mod.Kind,
        /// Receives the refused mapping when init fails with error.Unrestorable.
        why: ?*Why,
    ) EngineError!Engine {
        var e = Engine{
            .gpa = gpa,
            .store = store,
            .pid = pid,
            .tracker = try Tracker.init(gpa, pid, pidfd, remote_uffd, allow),
            .ignored = try gpa.dupe(Range, ignored),
            .current = .{},
        };
        errdefer e.deinit();
        var st = e.readStateRanges() catch |err| {
            if (err == error.Unrestorable) if (why) |w| {
                w.* = e.why;
            };
            return err;
        };
        defer st.deinit(gpa);
        try e.relayout(st, true);
        return e;
    }

    pub fn deinit(e: *Engine) void {
        e.current.deinit(e.gpa, e.store);
        e.gpa.free(e.tracked);
        e.gpa.free(e.shared);
        e.tracker.deinit();
        e.gpa.free(e.ignored);
        e.maps_text.deinit(e.gpa);
        e.addrs.deinit(e.gpa);
        e.buffer.deinit(e.gpa);
        e.* = undefined;
    }

    fn readStateRanges(e: *Engine) EngineError!maps.State {
        e.stats.maps_reads += 1;
        const text = maps.read(e.gpa, e.pid, &e.maps_text) catch |err| switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            else => return error.ProcessGone,
        };
        const ms = maps.parse(e.gpa, text) catch |err| switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            error.BadMapsLine => return error.BadMaps,
        };
        defer e.gpa.free(ms);
        var st = try maps.stateRanges(e.gpa, ms, e.ignored);
        if (st.refused) |r| {
            e.why.set(r);
            st.deinit(e.gpa);
            return error.Unrestorable;
        }
        return st;
    }

    /// Whether the view's regions are those of `st`, shared ones included.
    fn sameState(e: *const Engine, st: maps.State) bool {
        if (!e.current.sameRanges(st.ranges) or e.shared.len != st.shared.len) return false;
        for (e.shared, st.shared) |a, b| {
            if (a.start != b.start or a.end != b.end) return false;
        }
        return true;
    }

    /// Appends every page of the shared regions: they are not tracked, so always read (and on
    /// a restore, always written).
    fn appendShared(e: *Engine, out: *std.ArrayList(u64)) EngineError!void {
        for (e.shared) |r| {
            var addr = r.start;
            while (addr < r.end) : (addr += page_size) try out.append(e.gpa, addr);
        }
    }

    /// Brings the view up to date with the program's memory. `maps_changed` says whether the
    /// program may have mapped or unmapped memory since the last sync (the maps are re-read).
    pub fn sync(e: *Engine, maps_changed: bool) EngineError!void {
        const t0 = std.time.nanoTimestamp();
        defer e.stats.sync_ns += @intCast(std.time.nanoTimestamp() - t0);
        e.stats.syncs += 1;
        if (maps_changed) {
            var st = try e.readStateRanges();
            defer st.deinit(e.gpa);
            if (!e.sameState(st)) return e.relayout(st, false);
        }
        const ranges = e.tracked;
        e.addrs.clearRetainingCapacity();
        const collected = if (maps_changed) e.tracker.collect(ranges, &e.addrs) else e.tracker.collectSpan(ranges, &e.addrs);
        collected catch |err| switch (err) {
            // A region was replaced by a mapping the tracker does not know: read it all again.
            error.TrackingFailed => {
                const all = try e.current.ranges(e.gpa);
                defer e.gpa.free(all);
                const shared = try e.gpa.dupe(Range, e.shared);
                defer e.gpa.free(shared);
                return e.relayout(.{ .ranges = all, .shared = shared }, true);
            },
            else => |x| return x,
        };
        try e.appendShared(&e.addrs);
        if (e.shared.len > 0) std.mem.sort(u64, e.addrs.items, {}, std.sort.asc(u64));
        try e.readPages(e.addrs.items, &e.current);
    }

    /// Moves the view to new ranges: keeps what is known of pages that stay, reads what was
    /// written in them, reads new memory, and starts tracking it. With `full`, everything
    /// present is read again (after a tracking failure, or the first time).
    fn relayout(e: *Engine, st: maps.State, full: bool) EngineError!void {
        e.stats.relayouts += 1;
        const ranges = st.ranges;
        var next = try Layout.initZero(e.gpa, ranges);
        errdefer next.deinit(e.gpa, e.store);
        const shared = try e.gpa.dupe(Range, st.shared);
        errdefer e.gpa.free(shared);
        const tracked = try subtractAll(e.gpa, ranges, shared);
        errdefer e.gpa.free(tracked);
        e.addrs.clearRetainingCapacity();
        var reread_all = full;
        if (!reread_all) {
            const old = try e.current.ranges(e.gpa);
            defer e.gpa.free(old);
            const kept = try intersect(e.gpa, old, ranges);
            defer e.gpa.free(kept);
            // Written pages in the tracked parts that stay, collected before anything is
            // re-protected. Shared memory, kept or new, is read whole below.
            const kept_tracked = try intersect(e.gpa, e.tracked, tracked);
            defer e.gpa.free(kept_tracked);
            e.tracker.collect(kept_tracked, &e.addrs) catch |err| switch (err) {
                error.TrackingFailed => reread_all = true,
                else => |x| return x,
            };
            // Carry over what is known of the kept pages.
            for (kept) |k| {
                var addr = k.start;
                while (addr < k.end) : (addr += page_size) {
                    const from = e.current.find(addr).?;
                    const to = next.find(addr).?;
                    const id = e.current.get(from.region, from.page);
                    e.store.retain(id);
                    try next.set(e.gpa, e.store, to.region, to.page, id);
                }
            }
            // New tracked memory: every present page of it.
            const fresh = try subtractAll(e.gpa, tracked, kept_tracked);
            defer e.gpa.free(fresh);
            for (fresh) |r| e.tracker.presentPages(r, &e.addrs) catch |err| switch (err) {
                error.TrackingFailed => reread_all = true,
                else => |x| return x,
            };
        }
        for (tracked) |r| try e.tracker.track(r);
        if (reread_all) {
            e.addrs.clearRetainingCapacity();
            for (tracked) |r| try e.tracker.presentPages(r, &e.addrs);
        }
        e.current.deinit(e.gpa, e.store);
        e.current = next;
        e.gpa.free(e.tracked);
        e.gpa.free(e.shared);
        e.tracked = tracked;
        e.shared = shared;
        try e.appendShared(&e.addrs);
        std.mem.sort(u64, e.addrs.items, {}, std.sort.asc(u64));
        try e.readPages(uniq(e.addrs.items), &e.current);
    }

    /// Reads the pages at `addrs` (ascending, inside `into`) and stores their ids in `into`, a
    /// batch at a time: the buffer stays small when a snapshot reads a lot (the first snapshot
    /// of 5,000 actors reads their 5 GiB of stacks, mostly zero pages the store keeps once).
    fn readPages(e: *Engine, addrs: []const u64, into: *Layout) EngineError!void {
        var from: usize = 0;
        while (from < addrs.len) {
            const batch = addrs[from..@min(addrs.len, from + read_batch_pages)];
            try e.buffer.resize(e.gpa, batch.len * page_size);
            try remote.readPages(e.pid, batch, e.buffer.items, &e.stats.read);
            e.stats.pages_read += batch.len;
            for (batch, 0..) |addr, i| {
                const page: *const page_store.Page = @ptrCast(e.buffer.items[i * page_size ..][0..page_size]);
                const id = try e.store.intern(page);
                const at = into.find(addr) orelse unreachable;
                // A page read again with the content the view has (one a restore wrote, one the
                // program wrote back as it was): its chunk stays shared with the snapshots.
                if (into.get(at.region, at.page) == id) {
                    e.store.release(id);
                    continue;
                }
                try into.set(e.gpa, e.store, at.region, at.page, id);
            }
            from += batch.len;
        }
        std.debug.assert(e.buffer.items.len <= read_batch_pages * page_size);
    }

    /// Reads the 4-byte words at `addrs` (each 4-byte aligned) as the program holds them now:
    /// from the view's pages when `from_view` (the view is up to date: nothing ran since the
    /// last sync or restore), reading from the program only the words the view has no page for
    /// (memory that is not state: read-only, ignored), in one system call; without
    /// `from_view`, every word from the program. Returns null, or the index of a word that
    /// cannot be read.
    pub fn readWords(e: *Engine, addrs: []const u64, from_view: bool, out: []u32) EngineError!?usize {
        std.debug.assert(addrs.len == out.len);
        var missing: std.ArrayList(usize) = .empty;
        defer missing.deinit(e.gpa);
        for (addrs, out, 0..) |addr, *o, i| {
            std.debug.assert(addr % 4 == 0);
            const at = if (from_view) e.current.find(addr) else null;
            if (at) |where| {
                const page = e.store.data(e.current.get(where.region, where.page));
                const off: usize = @intCast(addr % page_size);
                o.* = std.mem.readInt(u32, page[off..][0..4], .little);
            } else try missing.append(e.gpa, i);
        }
        if (missing.items.len == 0) return null;
        const where = try e.gpa.alloc(u64, missing.items.len);
        defer e.gpa.free(where);
        const got = try e.gpa.alloc(u32, missing.items.len);
        defer e.gpa.free(got);
        for (missing.items, where) |i, *w| w.* = addrs[i];
        if (try remote.readWords(e.pid, where, got, &e.stats.read)) |bad| return missing.items[bad];
        for (missing.items, got) |i, v| out[i] = v;
        return null;
    }

    /// Takes a snapshot of the program as it is now. The caller owns it (release with drop()).
    pub fn snapshot(e: *Engine, maps_changed: bool) EngineError!*Layout {
        try e.sync(maps_changed);
        e.stats.snapshots += 1;
        const snap = try e.gpa.create(Layout);
        errdefer e.gpa.destroy(snap);
        snap.* = try e.current.clone(e.gpa);
        return snap;
    }

    pub fn drop(e: *Engine, snap: *Layout) void {
        snap.deinit(e.gpa, e.store);
        e.gpa.destroy(snap);
    }

    /// What must be mapped or unmapped in the program before `target` can be restored. With
    /// `reread`, from the program's maps as they are now; else from the view (its ranges are
    /// the program's as of the last sync, when the mappings have not changed since).
    pub fn plan(e: *Engine, target: *const Layout, reread: bool) EngineError!Plan {
        if (reread) {
            var st = try e.readStateRanges();
            defer st.deinit(e.gpa);
            // Having read them, bring the view to the maps now: a restore that needs no
            // mapping change then needs no second read.
            if (!e.sameState(st)) try e.relayout(st, false);
        }
        const now = try e.current.ranges(e.gpa);
        defer e.gpa.free(now);
        const want = try target.ranges(e.gpa);
        defer e.gpa.free(want);
        const unmap = try subtractAll(e.gpa, now, want);
        errdefer e.gpa.free(unmap);
        return .{ .unmap = unmap, .map = try subtractAll(e.gpa, want, now) };
    }

    /// Writes back every page that differs between the program and `target`. The program's
    /// mappings must already match the target's (see plan()). `clean`: the caller knows that
    /// the program has not run since the last sync or restore (it told it nothing: a final
    /// state keyed just before), so no page was written since and the tracker is not asked
    /// which were; otherwise the pages written since are rewritten whatever their id.
    pub fn restore(e: *Engine, target: *const Layout, maps_changed: bool, clean: bool) EngineError!void {
        const t0 = std.time.nanoTimestamp();
        defer e.stats.restore_ns += @intCast(std.time.nanoTimestamp() - t0);
        // A mapping change is the program's doing (MAP): it ran.
        std.debug.assert(!(clean and maps_changed));
        e.stats.restores += 1;
        if (clean) e.stats.clean_restores += 1;
        if (maps_changed) {
            var st = try e.readStateRanges();
            defer st.deinit(e.gpa);
            if (!target.sameRanges(st.ranges)) return error.MappingsDiffer;
            if (!e.sameState(st)) try e.relayout(st, false);
        }
        std.debug.assert(e.current.regions.items.len == target.regions.items.len);
        // Pages written since the last sync are unknown: they are rewritten whatever their id.
        // So are shared pages: their writes are not tracked.
        const ranges = e.tracked;
        e.addrs.clearRetainingCapacity();
        const collected: tracker_mod.TrackerError!void = if (clean) {} else if (maps_changed) e.tracker.collect(ranges, &e.addrs) else e.tracker.collectSpan(ranges, &e.addrs);
        collected catch |err| switch (err) {
            // A mapping was replaced in place (unmapped, mapped again): it is not tracked, and
            // what it holds is unknown. Track it, and rewrite every present page.
            error.TrackingFailed => {
                e.addrs.clearRetainingCapacity();
                for (ranges) |r| try e.tracker.track(r);
                for (ranges) |r| try e.tracker.presentPages(r, &e.addrs);
            },
            else => |x| return x,
        };
        try e.appendShared(&e.addrs);
        for (target.regions.items, e.current.regions.items) |t, c| {
            std.debug.assert(t.range.start == c.range.start and t.range.end == c.range.end);
            for (t.chunks, c.chunks, 0..) |tc, cc, ci| {
                if (tc == cc) continue;
                const base = ci * layout_mod.chunk_pages;
                const used = @min(layout_mod.chunk_pages, t.pageCount() - base);
                for (0..used) |k| {
                    if (tc.ids[k] != cc.ids[k]) try e.addrs.append(e.gpa, t.range.start + (base + k) * page_size);
                }
            }
        }
        std.mem.sort(u64, e.addrs.items, {}, std.sort.asc(u64));
        const writes = uniq(e.addrs.items);
        if (writes.len > 0) {
            const sources = try e.gpa.alloc(*const page_store.Page, writes.len);
            defer e.gpa.free(sources);
            for (writes, sources) |addr, *src| {
                const at = target.find(addr) orelse unreachable;
                src.* = e.store.data(target.get(at.region, at.page));
            }
            try remote.writePages(e.pid, writes, sources, &e.stats.written);
            e.stats.pages_written += writes.len;
            // Our own writes marked those pages written, and they stay so: the next sync reads
            // them again (a few pages, which the program mostly writes again anyway) rather than
            // a scan of every tracked page now to protect them again. The view says what they
            // hold; a superset of the written pages is all the tracker promises.
        }
        const next = try target.clone(e.gpa);
        e.current.deinit(e.gpa, e.store);
        e.current = next;
    }
};

/// The hash of the view with the dead parts of stacks left out: for each mask [lo, sp), the
/// pages wholly below sp count as zero pages and the bytes below sp on sp's page as zeros.
/// What a stack held below its pointer is garbage from earlier calls, which differs between
/// interleavings that reach the same state.
pub fn maskedHash(e: *const Engine, masks: []const Range) u64 {
    return layoutMaskedHash(e.store, &e.current, masks);
}

fn layoutMaskedHash(store: *const PageStore, layout: *const Layout, masks: []const Range) u64 {
    var h = layout.hash;
    for (masks) |m| {
        if (m.end <= m.start) continue;
        const at = layout.find(m.start) orelse continue;
        const region = layout.regions.items[at.region];
        // A whole region dead (a finished actor's stack, every stack at a final state): its
        // pages' share at once.
        if (m.start <= region.range.start and m.end >= region.range.end) {
            h -%= region.sum;
            continue;
        }
        var addr = std.mem.alignBackward(u64, m.start, page_size);
        var page = at.page;
        while (addr < m.end and addr < region.range.end) : ({
            addr += page_size;
            page += 1;
        }) {
            const id = layout.get(at.region, page);
            if (id == page_store.zero_page) continue;
            h -%= layout_mod.pageContribution(store, addr, id);
            if (addr + page_size <= m.end) continue;
            // sp's own page: keep the bytes from sp on.
            var copy: page_store.Page = store.data(id).*;
            @memset(copy[0..@intCast(m.end - addr)], 0);
            if (std.mem.allEqual(u8, &copy, 0)) continue;
            h +%= layout_mod.mixPage(addr, page_store.hashPage(&copy));
        }
    }
    return h;
}

fn touches(masks: []const Range, r: Range) bool {
    for (masks) |m| {
        if (m.start < r.end and r.start < m.end) return true;
    }
    return false;
}

/// How many bytes at the start of the page at `addr` are dead under `masks` ([lo, sp) each).
fn deadBytes(masks: []const Range, addr: u64) usize {
    for (masks) |m| {
        if (addr >= m.start and addr < m.end) return @intCast(@min(m.end - addr, page_size));
    }
    return 0;
}

/// Whether two layouts hold the same state once the dead parts of stacks are zeroed (each with
/// its own masks, as for maskedHash): the exact check behind a matching masked hash. Equal page
/// ids mean equal content (the page store tells colliding hashes apart by content), so only the
/// pages a mask touches are compared byte by byte.
pub fn maskedEqual(store: *PageStore, a: *const Layout, masks_a: []const Range, b: *const Layout, masks_b: []const Range) bool {
    if (a.regions.items.len != b.regions.items.len) return false;
    for (a.regions.items, b.regions.items, 0..) |ra, rb, ri| {
        if (ra.range.start != rb.range.start or ra.range.end != rb.range.end) return false;
        for (ra.chunks, rb.chunks, 0..) |ca, cb, ci| {
            const base = ci * layout_mod.chunk_pages;
            const used = @min(layout_mod.chunk_pages, ra.pageCount() - base);
            const span = Range{ .start = ra.range.start + base * page_size, .end = ra.range.start + (base + used) * page_size };
            if (!touches(masks_a, span) and !touches(masks_b, span)) {
                // No stack pointer here: the page ids say it all (shared chunks at once).
                if (ca != cb and !std.mem.eql(page_store.PageId, ca.ids[0..used], cb.ids[0..used])) return false;
                continue;
            }
            for (0..used) |k| {
                const addr = ra.range.start + (base + k) * page_size;
                const dead_a = deadBytes(masks_a, addr);
                const dead_b = deadBytes(masks_b, addr);
                const ia = ca.ids[k];
                const ib = cb.ids[k];
                if (dead_a == 0 and dead_b == 0) {
                    if (ia != ib) return false;
                    continue;
                }
                if (dead_a == page_size and dead_b == page_size) continue;
                const pa = store.data(ia);
                const pb = store.data(ib);
                for (0..page_size) |j| {
                    const va: u8 = if (j < dead_a) 0 else pa[j];
                    const vb: u8 = if (j < dead_b) 0 else pb[j];
                    if (va != vb) return false;
                }
            }
        }
        _ = ri;
    }
    return true;
}

/// Removes adjacent duplicates from a sorted slice, in place; returns the unique prefix.
fn uniq(items: []u64) []u64 {
    if (items.len == 0) return items;
    var n: usize = 1;
    for (items[1..]) |x| {
        if (x != items[n - 1]) {
            items[n] = x;
            n += 1;
        }
    }
    return items[0..n];
}

/// a ∩ b, for sorted disjoint range lists.
fn intersect(gpa: std.mem.Allocator, a: []const Range, b: []const Range) ![]Range {
    var out: std.ArrayList(Range) = .empty;
    errdefer out.deinit(gpa);
    var i: usize = 0;
    var j: usize = 0;
    while (i < a.len and j < b.len) {
        const lo = @max(a[i].start, b[j].start);
        const hi = @min(a[i].end, b[j].end);
        if (lo < hi) try out.append(gpa, .{ .start = lo, .end = hi });
        if (a[i].end < b[j].end) i += 1 else j += 1;
    }
    return out.toOwnedSlice(gpa);
}

/// a \ b, for sorted disjoint range lists.
fn subtractAll(gpa: std.mem.Allocator, a: []const Range, b: []const Range) ![]Range {
    var out: std.ArrayList(Range) = .empty;
    errdefer out.deinit(gpa);
    for (a) |r| {
        var start = r.start;
        for (b) |x| {
            if (x.end <= start or x.start >= r.end) continue;
            if (x.start > start) try out.append(gpa, .{ .start = start, .end = x.start });
            start = @max(start, x.end);
        }
        if (start < r.end) try out.append(gpa, .{ .start = start, .end = r.end });
    }
    return out.toOwnedSlice(gpa);
}

const testing = std.testing;

test "range algebra" {
    const a = [_]Range{ .{ .start = 0, .end = 10 }, .{ .start = 20, .end = 30 } };
    const b = [_]Range{.{ .start = 5, .end = 25 }};
    const i = try intersect(testing.allocator, &a, &b);
    defer testing.allocator.free(i);
    try testing.expectEqualSlices(Range, &.{ .{ .start = 5, .end = 10 }, .{ .start = 20, .end = 25 } }, i);
    const s = try subtractAll(testing.allocator, &a, &b);
    defer testing.allocator.free(s);
    try testing.expectEqualSlices(Range, &.{ .{ .start = 0, .end = 5 }, .{ .start = 25, .end = 30 } }, s);
    var xs = [_]u64{ 1, 1, 2, 3, 3, 3 };
    try testing.expectEqualSlices(u64, &.{ 1, 2, 3 }, uniq(&xs));
}

test "masked hash: a region wholly dead counts as its pages one by one do" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const base: u64 = 0x10000;
    const ranges = [_]Range{ .{ .start = base, .end = base + 4 * page_size }, .{ .start = base + 8 * page_size, .end = base + 10 * page_size } };
    var l = try Layout.initZero(testing.allocator, &ranges);
    defer l.deinit(testing.allocator, &store);
    var p: page_store.Page = @splat(7);
    try l.set(testing.allocator, &store, 0, 0, try store.intern(&p));
    p[5] = 1;
    try l.set(testing.allocator, &store, 0, 3, try store.intern(&p));
    try l.set(testing.allocator, &store, 1, 1, try store.intern(&p));
    // The whole first region at once, and the same pages through the page-by-page path.
    const whole = [_]Range{.{ .start = base, .end = base + 4 * page_size }};
    const split = [_]Range{ .{ .start = base, .end = base + page_size }, .{ .start = base + page_size, .end = base + 4 * page_size } };
    const h = layoutMaskedHash(&store, &l, &whole);
    try testing.expectEqual(h, layoutMaskedHash(&store, &l, &split));
    try testing.expect(h != l.hash);
    // Nothing of the first region left: the hash of a layout with its pages zero.
    var z = try l.clone(testing.allocator);
    defer z.deinit(testing.allocator, &store);
    try z.set(testing.allocator, &store, 0, 0, page_store.zero_page);
    try z.set(testing.allocator, &store, 0, 3, page_store.zero_page);
    try testing.expectEqual(h, z.hash);
}

test "masked equality: page ids outside the masks, zeroed bytes below each stack pointer" {
    var store = try PageStore.init(testing.allocator);
    defer store.deinit();
    const base: u64 = 0x10000;
    const ranges = [_]Range{.{ .start = base, .end = base + 4 * page_size }};
    var a = try Layout.initZero(testing.allocator, &ranges);
    defer a.deinit(testing.allocator, &store);
    var b = try Layout.initZero(testing.allocator, &ranges);
    defer b.deinit(testing.allocator, &store);
    try testing.expect(maskedEqual(&store, &a, &.{}, &b, &.{}));

    // Page 0 differs: unequal, unless both stacks have it dead.
    var p: page_store.Page = @splat(7);
    try a.set(testing.allocator, &store, 0, 0, try store.intern(&p));
    try testing.expect(!maskedEqual(&store, &a, &.{}, &b, &.{}));
    const whole = [_]Range{.{ .start = base, .end = base + page_size }};
    try testing.expect(maskedEqual(&store, &a, &whole, &b, &.{}));

    // Page 1 holds garbage below sp (dead) and the same live bytes above it.
    var live: page_store.Page = @splat(0);
    @memset(live[100..], 9);
    var garbage = live;
    @memset(garbage[0..100], 3);
    try a.set(testing.allocator, &store, 0, 1, try store.intern(&garbage));
    try b.set(testing.allocator, &store, 0, 1, try store.intern(&live));
    const sp = [_]Range{.{ .start = base, .end = base + page_size + 100 }};
    try testing.expect(maskedEqual(&store, &a, &sp, &b, &.{}));
    // One byte of garbage above sp is live: unequal.
    const lower = [_]Range{.{ .start = base, .end = base + page_size + 99 }};
    try testing.expect(!maskedEqual(&store, &a, &lower, &b, &.{}));
    // Other ranges: unequal whatever the content.
    var c = try Layout.initZero(testing.allocator, &.{.{ .start = base, .end = base + 3 * page_size }});
    defer c.deinit(testing.allocator, &store);
    try testing.expect(!maskedEqual(&store, &b, &.{}, &c, &.{}));
}
