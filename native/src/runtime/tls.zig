//! `__thread` / `thread_local` variables per actor (docs/pthreads.md). Actors are contexts of
//! one OS thread, so the executable's static TLS block (its PT_TLS segment, just below glibc's
//! thread control block at %fs:0) is one for all of them. In a pthread program each actor gets
//! an image of its own (program state, in its creator's object arena): the kernel copies the
//! actor's image into the live block before it runs, and back when it parks or ends, then clears
//! the live block, so that which actor ran last leaves no trace in the state. Only the
//! executable's block moves: the TCB (the stack guard, the pointer guard, the thread's self
//! pointer) and the C library's own TLS (errno, which pthread.zig keeps per thread) stay.

const std = @import("std");

pub const Block = struct {
    /// The calling thread's block of the executable's TLS segment.
    live: []u8,
    /// The segment's initial image (.tdata); the rest of a new block is zero (.tbss).
    initial: []const u8,

    /// A new thread's block: the initial image, then zeros.
    pub fn fresh(b: *const Block, image: []u8) void {
        std.debug.assert(image.len == b.live.len);
        @memcpy(image[0..b.initial.len], b.initial);
        @memset(image[b.initial.len..], 0);
    }

    pub fn load(b: *const Block, image: []const u8) void {
        std.debug.assert(image.len == b.live.len);
        @memcpy(b.live, image);
    }

    /// Saves the live block into `image` and clears it.
    pub fn save(b: *const Block, image: []u8) void {
        std.debug.assert(image.len == b.live.len);
        @memcpy(image, b.live);
        @memset(b.live, 0);
    }
};

const pt_tls = 7;

/// glibc's struct dl_phdr_info in full (Zig's Linux one stops at phnum): the TLS fields say where
/// the calling thread's block of each module is.
const PhdrInfo = extern struct {
    addr: usize,
    name: ?[*:0]const u8,
    phdr: [*]const std.elf.Elf64_Phdr,
    phnum: u16,
    adds: u64,
    subs: u64,
    tls_modid: usize,
    tls_data: ?*anyopaque,
};

extern "c" fn dl_iterate_phdr(
    callback: *const fn (*PhdrInfo, usize, ?*anyopaque) callconv(.c) c_int,
    data: ?*anyopaque,
) c_int;

/// The executable's TLS block for the calling thread, or null when it has none (no PT_TLS, or
/// an empty one).
pub fn find() ?Block {
    const Found = struct {
        fn first(info: *PhdrInfo, size: usize, data: ?*anyopaque) callconv(.c) c_int {
            const out: *?Block = @ptrCast(@alignCast(data.?));
            // An older C library without the TLS fields: nothing to switch.
            if (size < @sizeOf(PhdrInfo)) return 1;
            for (info.phdr[0..info.phnum]) |ph| {
                if (ph.p_type != pt_tls or ph.p_memsz == 0) continue;
                const data_ptr: [*]u8 = @ptrCast(info.tls_data orelse return 1);
                const init_ptr: [*]const u8 = @ptrFromInt(info.addr + ph.p_vaddr);
                std.debug.assert(ph.p_filesz <= ph.p_memsz);
                out.* = .{ .live = data_ptr[0..ph.p_memsz], .initial = init_ptr[0..ph.p_filesz] };
            }
            // The executable is the first object reported.
            return 1;
        }
    };
    var block: ?Block = null;
    _ = dl_iterate_phdr(Found.first, &block);
    return block;
}

test "the test runner's own TLS block is found and round-trips" {
    const b = find() orelse return error.SkipZigTest;
    var image: [4096]u8 = undefined;
    if (b.live.len > image.len) return error.SkipZigTest;
    const saved = image[0..b.live.len];
    @memcpy(saved, b.live);
    var other: [4096]u8 = undefined;
    b.fresh(other[0..b.live.len]);
    try std.testing.expectEqualSlices(u8, b.initial, other[0..b.initial.len]);
    b.load(saved);
    try std.testing.expectEqualSlices(u8, saved, b.live);
}
