//! Which pages did the program write since the last look? Three answers, best first:
//! - uffd-wp: the runtime creates a userfaultfd with asynchronous write protection (the
//!   cooperation is the program's); the checker takes a copy of it with pidfd_getfd, registers
//!   and write-protects the state ranges itself, and one PAGEMAP_SCAN ioctl on the program's
//!   /proc/PID/pagemap returns the written pages and protects them again (Linux >= 6.7);
//! - soft-dirty bits of /proc/PID/pagemap (kernels built with CONFIG_MEM_SOFT_DIRTY);
//! - none: every present page counts as written, so snapshots read everything.
//! Which one runs is detected when the tracker starts, and reported in the statistics.

const std = @import("std");
const linux = std.os.linux;
const maps = @import("maps.zig");

const Range = maps.Range;
const page_size = maps.page_size;

pub const Kind = enum { uffd_wp, soft_dirty, none };

const PmScanArg = extern struct {
    size: u64,
    flags: u64,
    start: u64,
    end: u64,
    walk_end: u64,
    vec: u64,
    vec_len: u64,
    max_pages: u64,
    category_inverted: u64,
    category_mask: u64,
    category_anyof_mask: u64,
    return_mask: u64,
};

const PageRegion = extern struct { start: u64, end: u64, categories: u64 };

const PAGEMAP_SCAN = linux.IOCTL.IOWR('f', 16, PmScanArg);
const PM_SCAN_WP_MATCHING: u64 = 1 << 0;
const PM_SCAN_CHECK_WPASYNC: u64 = 1 << 1;
const PAGE_IS_WRITTEN: u64 = 1 << 1;
const PAGE_IS_PRESENT: u64 = 1 << 3;
const PAGE_IS_SWAPPED: u64 = 1 << 4;

const UffdioRange = extern struct { start: u64, len: u64 };
const UffdioRegister = extern struct { range: UffdioRange, mode: u64, ioctls: u64 };
const UffdioWriteprotect = extern struct { range: UffdioRange, mode: u64 };
const UFFDIO_REGISTER = linux.IOCTL.IOWR(0xAA, 0x00, UffdioRegister);
const UFFDIO_WRITEPROTECT = linux.IOCTL.IOWR(0xAA, 0x06, UffdioWriteprotect);
const UFFDIO_REGISTER_MODE_WP: u64 = 1 << 1;
const UFFDIO_WRITEPROTECT_MODE_WP: u64 = 1 << 0;

const soft_dirty_bit: u64 = 1 << 55;
const present_bit: u64 = 1 << 63;
const swapped_bit: u64 = 1 << 62;

pub const TrackerError = error{ ProcessGone, TrackingFailed, OutOfMemory };

/// Regions one PAGEMAP_SCAN may return (a scan that finds more goes on from walk_end). The
/// kernel copies them out through a buffer of min(this, 512) regions of 24 bytes it allocates
/// at every call: 256 keeps it at 6 KiB, which the slab serves; 512 or more (12 KiB) went to
/// the page allocator each time (bench/README.md, "Speed, part 6").
const scan_regions = 256;

pub const Tracker = struct {
    gpa: std.mem.Allocator,
    kind: Kind,
    pid: linux.pid_t,
    pagemap: i32,
    /// Our copy of the program's userfaultfd (uffd_wp only).
    uffd: i32 = -1,
    /// soft_dirty only: /proc/PID/clear_refs, kept open.
    clear_refs: i32 = -1,
    regions: []PageRegion,
    /// soft_dirty and none: pagemap entries read per range.
    entries: std.ArrayList(u64) = .empty,

    /// `remote_uffd` is the program's userfaultfd number (-1 when it has none).
    pub fn init(gpa: std.mem.Allocator, pid: linux.pid_t, pidfd: i32, remote_uffd: i32, allow: Kind) TrackerError!Tracker {
        var path_buf: [64]u8 = undefined;
        const path = std.fmt.bufPrintZ(&path_buf, "/proc/{d}/pagemap", .{pid}) catch unreachable;
        const rc = linux.open(path, .{ .ACCMODE = .RDONLY, .CLOEXEC = true }, 0);
        if (linux.E.init(rc) != .SUCCESS) return error.ProcessGone;
        var t = Tracker{
            .gpa = gpa,
            .kind = .none,
            .pid = pid,
            .pagemap = @intCast(rc),
            .regions = try gpa.alloc(PageRegion, scan_regions),
        };
        errdefer t.deinit();
        if (allow == .uffd_wp and remote_uffd >= 0 and pidfd >= 0) {
            const dup = linux.pidfd_getfd(pidfd, remote_uffd, 0);
            if (linux.E.init(dup) == .SUCCESS) {
                t.uffd = @intCast(dup);
                if (t.scanWorks()) t.kind = .uffd_wp;
            }
        }
        if (t.kind == .none and allow != .none and softDirtyWorks()) {
            const cr = std.fmt.bufPrintZ(&path_buf, "/proc/{d}/clear_refs", .{pid}) catch unreachable;
            const fd = linux.open(cr, .{ .ACCMODE = .WRONLY, .CLOEXEC = true }, 0);
            if (linux.E.init(fd) == .SUCCESS) {
                t.clear_refs = @intCast(fd);
                t.kind = .soft_dirty;
            }
        }
        return t;
    }

    pub fn deinit(t: *Tracker) void {
        _ = linux.close(t.pagemap);
        if (t.uffd >= 0) _ = linux.close(t.uffd);
        if (t.clear_refs >= 0) _ = linux.close(t.clear_refs);
        t.gpa.free(t.regions);
        t.entries.deinit(t.gpa);
        t.* = undefined;
    }

    fn scanWorks(t: *Tracker) bool {
        var arg = std.mem.zeroes(PmScanArg);
        arg.size = @sizeOf(PmScanArg);
        arg.start = 0;
        arg.end = page_size;
        arg.vec = @intFromPtr(t.regions.ptr);
        arg.vec_len = t.regions.len;
        arg.category_mask = PAGE_IS_WRITTEN;
        arg.return_mask = PAGE_IS_WRITTEN;
        return linux.E.init(linux.ioctl(t.pagemap, PAGEMAP_SCAN, @intFromPtr(&arg))) == .SUCCESS;
    }

    /// Starts tracking a new state range. With uffd-wp: register it and protect every page,
    /// present or not (WP_UNPOPULATED), so the next collect() reports writes from now on.
    pub fn track(t: *Tracker, r: Range) TrackerError!void {
        switch (t.kind) {
            .uffd_wp => {
                var reg = UffdioRegister{ .range = .{ .start = r.start, .len = r.len() }, .mode = UFFDIO_REGISTER_MODE_WP, .ioctls = 0 };
                switch (linux.E.init(linux.ioctl(t.uffd, UFFDIO_REGISTER, @intFromPtr(&reg)))) {
                    .SUCCESS => {},
                    .NOMEM, .SRCH => return error.ProcessGone,
                    else => return error.TrackingFailed,
                }
                var wp = UffdioWriteprotect{ .range = .{ .start = r.start, .len = r.len() }, .mode = UFFDIO_WRITEPROTECT_MODE_WP };
                if (linux.E.init(linux.ioctl(t.uffd, UFFDIO_WRITEPROTECT, @intFromPtr(&wp))) != .SUCCESS)
                    return error.TrackingFailed;
            },
            .soft_dirty, .none => {},
        }
    }

    /// Appends to `out` the pages of `ranges` written since the last collect() (every present
    /// page, for the `none` tracker) and starts the next tracking interval.
    pub fn collect(t: *Tracker, ranges: []const Range, out: *std.ArrayList(u64)) TrackerError!void {
        switch (t.kind) {
            .uffd_wp => for (ranges) |r| try t.scan(r, PAGE_IS_WRITTEN, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, out),
            .soft_dirty => {
                for (ranges) |r| try t.pagemapPages(r, soft_dirty_bit, out);
                const clear = "4";
                if (linux.E.init(linux.write(t.clear_refs, clear, 1)) != .SUCCESS) return error.ProcessGone;
            },
            .none => for (ranges) |r| try t.presentPages(r, out),
        }
    }

    /// collect() for ranges whose mappings are those the tracker registered (no mapping
    /// change since): with uffd-wp, one PAGEMAP_SCAN over the span from the first range to the
    /// last instead of one per range. The mappings between the ranges are not registered and
    /// the kernel skips them; the pages it returns are checked to lie in `ranges` all the same.
    pub fn collectSpan(t: *Tracker, ranges: []const Range, out: *std.ArrayList(u64)) TrackerError!void {
        if (t.kind != .uffd_wp or ranges.len < 2) return t.collect(ranges, out);
        for (ranges[1..], ranges[0 .. ranges.len - 1]) |r, before| std.debug.assert(before.end <= r.start);
        const first = out.items.len;
        try t.scan(.{ .start = ranges[0].start, .end = ranges[ranges.len - 1].end }, PAGE_IS_WRITTEN, PM_SCAN_WP_MATCHING, out);
        // Keep the pages inside the ranges (both lists ascend).
        var kept = first;
        var i: usize = 0;
        for (out.items[first..]) |addr| {
            while (i < ranges.len and ranges[i].end <= addr) i += 1;
            if (i == ranges.len) break;
            if (addr < ranges[i].start) continue;
            out.items[kept] = addr;
            kept += 1;
        }
        out.shrinkRetainingCapacity(kept);
    }

    /// reset() for ranges whose mappings have not changed since they were registered.
    pub fn resetSpan(t: *Tracker, ranges: []const Range) TrackerError!void {
        if (t.kind != .uffd_wp) return t.reset(ranges);
        var sink: std.ArrayList(u64) = .empty;
        defer sink.deinit(t.gpa);
        try t.collectSpan(ranges, &sink);
    }

    /// Starts a new interval without looking: after the checker itself wrote pages (restore).
    pub fn reset(t: *Tracker, ranges: []const Range) TrackerError!void {
        switch (t.kind) {
            .uffd_wp => {
                var sink: std.ArrayList(u64) = .empty;
                defer sink.deinit(t.gpa);
                for (ranges) |r| try t.scan(r, PAGE_IS_WRITTEN, PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, &sink);
            },
            .soft_dirty => {
                const clear = "4";
                if (linux.E.init(linux.write(t.clear_refs, clear, 1)) != .SUCCESS) return error.ProcessGone;
            },
            .none => {},
        }
    }

    /// Appends the pages of `r` that are populated (present or swapped): the others read as
    /// zeros and need not be copied.
    pub fn presentPages(t: *Tracker, r: Range, out: *std.ArrayList(u64)) TrackerError!void {
        if (t.kind == .uffd_wp) return t.scan(r, 0, 0, out);
        return t.pagemapPages(r, present_bit | swapped_bit, out);
    }

    /// PAGEMAP_SCAN over r for pages in `required` (or present/swapped when required == 0).
    fn scan(t: *Tracker, r: Range, required: u64, flags: u64, out: *std.ArrayList(u64)) TrackerError!void {
        var start = r.start;
        while (start < r.end) {
            var arg = std.mem.zeroes(PmScanArg);
            arg.size = @sizeOf(PmScanArg);
            arg.flags = flags;
            arg.start = start;
            arg.end = r.end;
            arg.vec = @intFromPtr(t.regions.ptr);
            arg.vec_len = t.regions.len;
            if (required != 0) {
                arg.category_mask = required;
                arg.return_mask = required;
            } else {
                arg.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
                arg.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED;
            }
            const rc = linux.ioctl(t.pagemap, PAGEMAP_SCAN, @intFromPtr(&arg));
            switch (linux.E.init(rc)) {
                .SUCCESS => {},
                .INTR => continue,
                .SRCH, .NOMEM => return error.ProcessGone,
                else => return error.TrackingFailed,
            }
            for (t.regions[0..rc]) |region| {
                var p = region.start;
                while (p < region.end) : (p += page_size) try out.append(t.gpa, p);
            }
            if (arg.walk_end <= start) return error.TrackingFailed;
            start = arg.walk_end;
        }
    }

    /// Reads pagemap entries of r and appends the pages whose entry has any of `bits`.
    fn pagemapPages(t: *Tracker, r: Range, bits: u64, out: *std.ArrayList(u64)) TrackerError!void {
        const n = r.pages();
        t.entries.resize(t.gpa, n) catch return error.OutOfMemory;
        const bytes = std.mem.sliceAsBytes(t.entries.items);
        var got: usize = 0;
        while (got < bytes.len) {
            const rc = linux.pread(t.pagemap, bytes[got..].ptr, bytes.len - got, @intCast((r.start / page_size) * 8 + got));
            switch (linux.E.init(rc)) {
                .SUCCESS => {},
                .INTR => continue,
                else => return error.ProcessGone,
            }
            if (rc == 0) return error.ProcessGone;
            got += rc;
        }
        for (t.entries.items, 0..) |e, i| {
            if (e & bits != 0) try out.append(t.gpa, r.start + i * page_size);
        }
    }
};

/// Does this kernel keep soft-dirty bits? Checked on a page of our own.
fn softDirtyWorks() bool {
    const posix = std.posix;
    const page = posix.mmap(null, page_size, posix.PROT.READ | posix.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true }, -1, 0) catch return false;
    defer posix.munmap(page);
    page[0] = 1;
    const cr = linux.open("/proc/self/clear_refs", .{ .ACCMODE = .WRONLY, .CLOEXEC = true }, 0);
    if (linux.E.init(cr) != .SUCCESS) return false;
    defer _ = linux.close(@intCast(cr));
    if (linux.E.init(linux.write(@intCast(cr), "4", 1)) != .SUCCESS) return false;
    @as(*volatile u8, &page[0]).* = 2;
    const pm = linux.open("/proc/self/pagemap", .{ .ACCMODE = .RDONLY, .CLOEXEC = true }, 0);
    if (linux.E.init(pm) != .SUCCESS) return false;
    defer _ = linux.close(@intCast(pm));
    var entry: u64 = 0;
    const rc = linux.pread(@intCast(pm), std.mem.asBytes(&entry), 8, @intCast(@intFromPtr(page.ptr) / page_size * 8));
    return linux.E.init(rc) == .SUCCESS and rc == 8 and entry & soft_dirty_bit != 0;
}

// ---- Tests -------------------------------------------------------------------------------

test "a scan that finds more regions than one call returns goes on from where it stopped" {
    const testing = std.testing;
    // Our own process stands for the program: its userfaultfd, taken back through a pidfd.
    const uffd_rc = linux.syscall1(.userfaultfd, @as(usize, @bitCast(@as(isize, 0o2000000 | 0o4000 | 1))));
    if (linux.E.init(uffd_rc) != .SUCCESS) return error.SkipZigTest;
    const uffd: i32 = @intCast(uffd_rc);
    defer _ = linux.close(uffd);
    var api = extern struct { api: u64, features: u64, ioctls: u64 }{ .api = 0xAA, .features = (1 << 15) | (1 << 13), .ioctls = 0 };
    if (linux.E.init(linux.ioctl(uffd, linux.IOCTL.IOWR(0xAA, 0x3F, @TypeOf(api)), @intFromPtr(&api))) != .SUCCESS)
        return error.SkipZigTest;
    const pidfd_rc = linux.pidfd_open(linux.getpid(), 0);
    if (linux.E.init(pidfd_rc) != .SUCCESS) return error.SkipZigTest;
    const pidfd: i32 = @intCast(pidfd_rc);
    defer _ = linux.close(pidfd);
    var t = try Tracker.init(testing.allocator, linux.getpid(), pidfd, uffd, .uffd_wp);
    defer t.deinit();
    if (t.kind != .uffd_wp) return error.SkipZigTest;

    // Every other page written: one region per page, several calls' worth.
    const pages = 4 * scan_regions + 6;
    const mem = try std.posix.mmap(null, pages * page_size, std.posix.PROT.READ | std.posix.PROT.WRITE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true }, -1, 0);
    defer std.posix.munmap(mem);
    const r = Range{ .start = @intFromPtr(mem.ptr), .end = @intFromPtr(mem.ptr) + pages * page_size };
    try t.track(r);
    var out: std.ArrayList(u64) = .empty;
    defer out.deinit(testing.allocator);
    try t.collect(&.{r}, &out);
    out.clearRetainingCapacity();
    var p: usize = 0;
    while (p < pages) : (p += 2) @as(*volatile u8, &mem[p * page_size]).* = 1;
    try t.collectSpan(&.{ r, .{ .start = r.end + page_size, .end = r.end + 2 * page_size } }, &out);
    try testing.expectEqual(@as(usize, (pages + 1) / 2), out.items.len);
    for (out.items, 0..) |addr, i| try testing.expectEqual(r.start + 2 * i * page_size, addr);
    // Each was protected again: nothing is written now.
    out.clearRetainingCapacity();
    try t.collect(&.{r}, &out);
    try testing.expectEqual(@as(usize, 0), out.items.len);
}
