//! The runtime's own memory. Small blocks come from power-of-two size classes carved out of
//! chunks the runtime maps itself; large ones are whole pages. The runtime never allocates from
//! the program's malloc heap, so its bookkeeping does not shift the program's allocations, and
//! every block is zeroed when freed so that freed memory carries no trace of the interleaving
//! that used it (state hashing compares memory bit for bit).

const std = @import("std");
const Alignment = std.mem.Alignment;

const min_class_log2 = 4; // 16 bytes
const max_class_log2 = 11; // 2048 bytes
const class_count = max_class_log2 - min_class_log2 + 1;
const chunk_size = 64 * 1024;

const FreeBlock = struct { next: ?*FreeBlock };

pub const Heap = struct {
    free_lists: [class_count]?*FreeBlock = @splat(null),
    chunk: []u8 = &.{},
    /// Bytes handed out and not yet freed, for tests and leak checks.
    live_bytes: usize = 0,
    /// Bumped when the heap maps or unmaps pages (the checker then re-reads the mappings).
    epoch: ?*u64 = null,

    fn mappingsChanged(heap: *Heap) void {
        if (heap.epoch) |e| e.* +%= 1;
    }

    pub fn allocator(heap: *Heap) std.mem.Allocator {
        return .{ .ptr = heap, .vtable = &vtable };
    }

    const vtable = std.mem.Allocator.VTable{
        .alloc = alloc,
        .resize = resize,
        .remap = remap,
        .free = free,
    };

    /// The size class index for a request, or null when it is served by whole pages.
    fn classOf(len: usize, alignment: Alignment) ?usize {
        const need = @max(len, alignment.toByteUnits(), @as(usize, 1) << min_class_log2);
        if (need > (@as(usize, 1) << max_class_log2)) return null;
        const log2 = std.math.log2_int_ceil(usize, need);
        return log2 - min_class_log2;
    }

    fn classSize(class: usize) usize {
        return @as(usize, 1) << @intCast(class + min_class_log2);
    }

    fn alloc(ctx: *anyopaque, len: usize, alignment: Alignment, ret_addr: usize) ?[*]u8 {
        const heap: *Heap = @ptrCast(@alignCast(ctx));
        const class = classOf(len, alignment) orelse {
            const p = std.heap.page_allocator.rawAlloc(len, alignment, ret_addr) orelse return null;
            heap.mappingsChanged();
            heap.live_bytes += len;
            return p;
        };
        const size = classSize(class);
        if (heap.free_lists[class]) |block| {
            heap.free_lists[class] = block.next;
            const p: [*]u8 = @ptrCast(block);
            @memset(p[0..@sizeOf(FreeBlock)], 0);
            heap.live_bytes += size;
            return p;
        }
        // Carve from the current chunk, aligned to the class size (at most 2 KiB).
        const base = @intFromPtr(heap.chunk.ptr);
        const aligned = std.mem.alignForward(usize, base, size);
        const skip = aligned - base;
        if (heap.chunk.len < skip + size) {
            const fresh = std.heap.page_allocator.alloc(u8, chunk_size) catch return null;
            heap.mappingsChanged();
            heap.chunk = fresh;
            return alloc(ctx, len, alignment, ret_addr);
        }
        heap.chunk = heap.chunk[skip + size ..];
        heap.live_bytes += size;
        return @ptrFromInt(aligned);
    }

    fn resize(ctx: *anyopaque, memory: []u8, alignment: Alignment, new_len: usize, ret_addr: usize) bool {
        const heap: *Heap = @ptrCast(@alignCast(ctx));
        const old_class = classOf(memory.len, alignment);
        const new_class = classOf(new_len, alignment);
        if (old_class == null and new_class == null) {
            if (!std.heap.page_allocator.rawResize(memory, alignment, new_len, ret_addr)) return false;
            heap.mappingsChanged();
            if (new_len < memory.len) {
                heap.live_bytes -= memory.len - new_len;
            } else {
                heap.live_bytes += new_len - memory.len;
            }
            return true;
        }
        if (old_class != new_class) return false;
        if (new_len < memory.len) @memset(memory[new_len..], 0);
        return true;
    }

    fn remap(ctx: *anyopaque, memory: []u8, alignment: Alignment, new_len: usize, ret_addr: usize) ?[*]u8 {
        return if (resize(ctx, memory, alignment, new_len, ret_addr)) memory.ptr else null;
    }

    fn free(ctx: *anyopaque, memory: []u8, alignment: Alignment, ret_addr: usize) void {
        const heap: *Heap = @ptrCast(@alignCast(ctx));
        const class = classOf(memory.len, alignment) orelse {
            heap.live_bytes -= memory.len;
            std.heap.page_allocator.rawFree(memory, alignment, ret_addr);
            heap.mappingsChanged();
            return;
        };
        const size = classSize(class);
        const block_bytes: [*]u8 = memory.ptr;
        @memset(block_bytes[0..size], 0);
        const block: *FreeBlock = @ptrCast(@alignCast(block_bytes));
        block.next = heap.free_lists[class];
        heap.free_lists[class] = block;
        heap.live_bytes -= size;
    }
};

const testing = std.testing;

test "blocks are reused, zeroed and accounted" {
    var heap = Heap{};
    const a = heap.allocator();
    const first = try a.alloc(u8, 24);
    @memset(first, 0xaa);
    try testing.expectEqual(@as(usize, 32), heap.live_bytes);
    const first_ptr = first.ptr;
    a.free(first);
    try testing.expectEqual(@as(usize, 0), heap.live_bytes);
    // Past the free-list link, the whole 32-byte block is zero once freed.
    for (first_ptr[@sizeOf(FreeBlock)..32]) |b| try testing.expectEqual(@as(u8, 0), b);
    const second = try a.alloc(u8, 30);
    try testing.expectEqual(first_ptr, second.ptr);
    a.free(second);
}

test "large blocks come from pages and alignment is honoured" {
    var heap = Heap{};
    const a = heap.allocator();
    const big = try a.alloc(u8, 10_000);
    try testing.expectEqual(@as(usize, 10_000), heap.live_bytes);
    a.free(big);
    const aligned = try a.alignedAlloc(u8, .fromByteUnits(64), 8);
    try testing.expect(std.mem.isAligned(@intFromPtr(aligned.ptr), 64));
    a.free(aligned);
    try testing.expectEqual(@as(usize, 0), heap.live_bytes);
}

test "many allocations across chunks" {
    var heap = Heap{};
    const a = heap.allocator();
    var list: std.ArrayList([]u8) = .empty;
    defer list.deinit(testing.allocator);
    for (0..5000) |i| try list.append(testing.allocator, try a.alloc(u8, 1 + i % 2000));
    for (list.items) |b| a.free(b);
    try testing.expectEqual(@as(usize, 0), heap.live_bytes);
}
