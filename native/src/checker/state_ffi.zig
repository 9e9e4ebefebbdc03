//! The C ABI of the snapshot engine, for lib/state/native.ts: page stores, one engine per
//! program process, snapshots as opaque handles. Failures are negative codes (state_error_*);
//! handles are null on failure, with the reason in the caller's `err` slot.

const std = @import("std");
const engine_mod = @import("state/engine.zig");
const layout_mod = @import("state/layout.zig");
const maps = @import("state/maps.zig");
const page_store = @import("state/page_store.zig");
const tracker_mod = @import("state/tracker.zig");
const shared_mod = @import("state/shared.zig");

const Engine = engine_mod.Engine;
const Layout = layout_mod.Layout;
const PageStore = page_store.PageStore;

const gpa = std.heap.c_allocator;

pub const state_error_process_gone: i32 = -1;
pub const state_error_tracking: i32 = -2;
pub const state_error_memory: i32 = -3;
pub const state_error_mappings_differ: i32 = -4;
pub const state_error_bad_maps: i32 = -5;
/// The program maps memory that cannot be restored; the mapping is described in words.
pub const state_error_unrestorable: i32 = -6;

fn code(err: engine_mod.EngineError) i32 {
    return switch (err) {
        error.ProcessGone => state_error_process_gone,
        error.TrackingFailed => state_error_tracking,
        error.OutOfMemory => state_error_memory,
        error.MappingsDiffer => state_error_mappings_differ,
        error.BadMaps => state_error_bad_maps,
        error.Unrestorable => state_error_unrestorable,
    };
}

/// Copies a refusal's text into the caller's buffer; returns its length.
fn copyWhy(why: *const maps.Why, out: [*]u8, cap: usize) usize {
    const t = why.text();
    const n = @min(t.len, cap);
    @memcpy(out[0..n], t[0..n]);
    return n;
}

export fn isomc_store_new() ?*PageStore {
    const store = gpa.create(PageStore) catch return null;
    store.* = PageStore.init(gpa) catch {
        gpa.destroy(store);
        return null;
    };
    return store;
}

export fn isomc_store_free(store: *PageStore) void {
    store.deinit();
    gpa.destroy(store);
}

/// out = {pages held, references, pages interned, of which deduplicated, most pages held}.
export fn isomc_store_stats(store: *const PageStore, out: *[5]u64) void {
    out.* = .{ store.stats.pages, store.stats.references, store.stats.interned, store.stats.deduplicated, store.stats.peak_pages };
}

/// `ignored` holds n_ignored (start, end) pairs. `allow`: 0 uffd-wp, 1 soft-dirty, 2 none
/// (the best tracker allowed is used). On failure returns null and sets err; with
/// state_error_unrestorable, `why` receives the mapping in words and `why_len` its length.
export fn isomc_engine_new(
    store: *PageStore,
    pid: i32,
    pidfd: i32,
    uffd: i32,
    ignored: [*]const u64,
    n_ignored: usize,
    allow: u32,
    err: *i32,
    why: [*]u8,
    why_cap: usize,
    why_len: *usize,
) ?*Engine {
    why_len.* = 0;
    const ranges = gpa.alloc(maps.Range, n_ignored) catch {
        err.* = state_error_memory;
        return null;
    };
    defer gpa.free(ranges);
    for (ranges, 0..) |*r, i| r.* = .{ .start = ignored[2 * i], .end = ignored[2 * i + 1] };
    const kind: tracker_mod.Kind = switch (allow) {
        0 => .uffd_wp,
        1 => .soft_dirty,
        else => .none,
    };
    const e = gpa.create(Engine) catch {
        err.* = state_error_memory;
        return null;
    };
    var refused = maps.Why{};
    e.* = Engine.init(gpa, store, pid, pidfd, uffd, ranges, kind, &refused) catch |x| {
        gpa.destroy(e);
        err.* = code(x);
        if (x == error.Unrestorable) why_len.* = copyWhy(&refused, why, why_cap);
        return null;
    };
    err.* = 0;
    return e;
}

export fn isomc_engine_free(e: *Engine) void {
    e.deinit();
    gpa.destroy(e);
}

/// After state_error_unrestorable: the refused mapping in words, copied into `out`; returns
/// its length.
export fn isomc_engine_why(e: *const Engine, out: [*]u8, cap: usize) usize {
    return copyWhy(&e.why, out, cap);
}

/// The shared memory of a checkpoint (--restore=fork), saved to be written back into each
/// copy forked from it. Null on failure, with err set (and `why` as for isomc_engine_new).
export fn isomc_shared_save(
    pid: i32,
    ignored: [*]const u64,
    n_ignored: usize,
    err: *i32,
    why: [*]u8,
    why_cap: usize,
    why_len: *usize,
) ?*shared_mod.Image {
    why_len.* = 0;
    const ranges = gpa.alloc(maps.Range, n_ignored) catch {
        err.* = state_error_memory;
        return null;
    };
    defer gpa.free(ranges);
    for (ranges, 0..) |*r, i| r.* = .{ .start = ignored[2 * i], .end = ignored[2 * i + 1] };
    const img = gpa.create(shared_mod.Image) catch {
        err.* = state_error_memory;
        return null;
    };
    var refused = maps.Why{};
    img.* = shared_mod.Image.save(gpa, pid, ranges, &refused) catch |x| {
        gpa.destroy(img);
        err.* = switch (x) {
            error.ProcessGone => state_error_process_gone,
            error.OutOfMemory => state_error_memory,
            error.BadMaps => state_error_bad_maps,
            error.Unrestorable => state_error_unrestorable,
        };
        if (x == error.Unrestorable) why_len.* = copyWhy(&refused, why, why_cap);
        return null;
    };
    err.* = 0;
    return img;
}

/// Pages of shared memory the image holds.
export fn isomc_shared_pages(img: *const shared_mod.Image) u64 {
    return img.bytes.len / maps.page_size;
}

/// Writes a checkpoint's shared memory into `pid`, a copy forked from it.
export fn isomc_shared_restore(img: *const shared_mod.Image, pid: i32) i32 {
    img.restore(gpa, pid) catch |x| return switch (x) {
        error.ProcessGone => state_error_process_gone,
        error.OutOfMemory => state_error_memory,
        else => state_error_bad_maps,
    };
    return 0;
}

export fn isomc_shared_free(img: *shared_mod.Image) void {
    img.deinit(gpa);
    gpa.destroy(img);
}

/// 0 uffd-wp, 1 soft-dirty, 2 none.
export fn isomc_engine_tracker(e: *const Engine) u32 {
    return @intFromEnum(e.tracker.kind);
}

export fn isomc_engine_sync(e: *Engine, maps_changed: bool) i32 {
    e.sync(maps_changed) catch |x| return code(x);
    return 0;
}

/// Hash of the program's memory as of the last sync.
export fn isomc_engine_hash(e: *const Engine) u64 {
    return e.current.hash;
}

/// The hash of the view with the dead part of each stack left out: `masks` holds n (lo, sp)
/// pairs, the part of a stack below its saved stack pointer.
export fn isomc_engine_masked_hash(e: *const Engine, masks: [*]const u64, n: usize) u64 {
    var buf: [256]maps.Range = undefined;
    var h = e.current.hash;
    var i: usize = 0;
    while (i < n) {
        const count = @min(buf.len, n - i);
        for (buf[0..count], 0..) |*r, j| r.* = .{ .start = masks[2 * (i + j)], .end = masks[2 * (i + j) + 1] };
        h = h -% e.current.hash +% engine_mod.maskedHash(e, buf[0..count]);
        i += count;
    }
    return h;
}

/// The 4-byte words at the n addresses `addrs` (propositions, the progress flag), into `out`:
/// from the engine's view when `from_view` (it is the program's state now), else from the
/// program. Returns 0; a negative state_error_*; or k > 0 when address k - 1 cannot be read.
export fn isomc_engine_read_words(e: *Engine, addrs: [*]const u64, n: usize, from_view: bool, out: [*]u32) i64 {
    const bad = e.readWords(addrs[0..n], from_view, out[0..n]) catch |x| return code(x);
    return if (bad) |i| @intCast(i + 1) else 0;
}

export fn isomc_engine_snapshot(e: *Engine, maps_changed: bool, err: *i32) ?*Layout {
    const snap = e.snapshot(maps_changed) catch |x| {
        err.* = code(x);
        return null;
    };
    err.* = 0;
    return snap;
}

export fn isomc_snapshot_hash(snap: *const Layout) u64 {
    return snap.hash;
}

export fn isomc_snapshot_pages(snap: *const Layout) u64 {
    return snap.pageCount();
}

export fn isomc_engine_drop(e: *Engine, snap: *Layout) void {
    e.drop(snap);
}

/// A second handle on a snapshot's content, independent of its engine (the process may be
/// gone); free it with isomc_snapshot_free. Null when out of memory.
export fn isomc_snapshot_clone(snap: *const Layout) ?*Layout {
    const copy = gpa.create(Layout) catch return null;
    copy.* = snap.clone(gpa) catch {
        gpa.destroy(copy);
        return null;
    };
    return copy;
}

export fn isomc_snapshot_free(store: *PageStore, snap: *Layout) void {
    snap.deinit(gpa, store);
    gpa.destroy(snap);
}

/// Whether snapshots a and b hold the same state with the dead parts of their stacks zeroed;
/// masks are (lo, sp) pairs, as for isomc_engine_masked_hash.
export fn isomc_snapshots_equal(
    store: *PageStore,
    a: *const Layout,
    masks_a: [*]const u64,
    n_a: usize,
    b: *const Layout,
    masks_b: [*]const u64,
    n_b: usize,
) bool {
    // Out of memory: "not equal", which only costs a state explored twice.
    const ma = toRanges(masks_a[0 .. 2 * n_a]) orelse return false;
    defer gpa.free(ma);
    const mb = toRanges(masks_b[0 .. 2 * n_b]) orelse return false;
    defer gpa.free(mb);
    return engine_mod.maskedEqual(store, a, ma, b, mb);
}

/// (lo, sp) pairs as ranges, allocated; null when out of memory.
fn toRanges(pairs: []const u64) ?[]maps.Range {
    const out = gpa.alloc(maps.Range, pairs.len / 2) catch return null;
    for (out, 0..) |*r, i| r.* = .{ .start = pairs[2 * i], .end = pairs[2 * i + 1] };
    return out;
}

/// Writes the mapping changes needed before restoring `snap` as (op, start, end) triples —
/// op 0 unmap, 1 map — and returns how many; negative on failure, or -(needed) - 1000 when
/// `cap` triples do not fit.
export fn isomc_engine_plan(e: *Engine, snap: *const Layout, reread: bool, out: [*]u64, cap: usize) i32 {
    var p = e.plan(snap, reread) catch |x| return code(x);
    defer p.deinit(gpa);
    const n = p.unmap.len + p.map.len;
    if (n > cap) return -1000 - @as(i32, @intCast(n));
    var i: usize = 0;
    for (p.unmap) |r| {
        out[3 * i ..][0..3].* = .{ 0, r.start, r.end };
        i += 1;
    }
    for (p.map) |r| {
        out[3 * i ..][0..3].* = .{ 1, r.start, r.end };
        i += 1;
    }
    return @intCast(n);
}

/// `clean`: the program has not run since the last sync or restore (Engine.restore).
export fn isomc_engine_restore(e: *Engine, snap: *const Layout, maps_changed: bool, clean: bool) i32 {
    e.restore(snap, maps_changed, clean) catch |x| return code(x);
    return 0;
}

/// out = {syncs, snapshots, restores, maps reads, relayouts, pages read, pages written,
/// bytes read, bytes written, read calls, write calls, sync ns, restore ns}.
export fn isomc_engine_stats(e: *const Engine, out: *[13]u64) void {
    const s = e.stats;
    out.* = .{
        s.syncs,         s.snapshots,     s.restores,   s.maps_reads,    s.relayouts,
        s.pages_read,    s.pages_written, s.read.bytes, s.written.bytes, s.read.calls,
        s.written.calls, s.sync_ns,       s.restore_ns,
    };
}
