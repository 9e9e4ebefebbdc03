//! Names for addresses in the runtime's own logs: `store(balance, 90)` as the checker prints it,
//! not `store(0x5555555581a8, 90)`. The program reads its own ELF symbol table
//! (/proc/self/exe) the first time a log line needs a name, and adds the load address it was
//! given (dl_iterate_phdr), so names are right with address-space randomisation on, under gdb
//! and under valgrind alike. The rules are those of lib/report/symbols.ts, the checker's
//! reader: data objects (STT_OBJECT) with a size, none with a dot in its name (the runtime's
//! own); inside an array of 64-bit cells an address reads as an index, element 0 included.

const std = @import("std");

const Symbol = struct { start: usize, size: usize, name: []const u8 };

pub const Table = struct {
    /// Sorted by start.
    symbols: []const Symbol = &.{},
    /// The names, in one block.
    names: []const u8 = &.{},

    pub fn deinit(t: *Table, gpa: std.mem.Allocator) void {
        gpa.free(t.symbols);
        gpa.free(t.names);
        t.* = .{};
    }

    /// Writes the name of `addr` (`x`, `a[3]`, `s+4`), or the address in hex.
    pub fn write(t: *const Table, w: *std.Io.Writer, addr: usize) std.Io.Writer.Error!void {
        const s = t.find(addr) orelse return w.print("0x{x}", .{addr});
        const offset = addr - s.start;
        if (offset % 8 == 0 and s.size % 8 == 0 and s.size > 8) return w.print("{s}[{d}]", .{ s.name, offset / 8 });
        if (offset == 0) return w.writeAll(s.name);
        return w.print("{s}+{d}", .{ s.name, offset });
    }

    fn find(t: *const Table, addr: usize) ?*const Symbol {
        var lo: usize = 0;
        var hi: usize = t.symbols.len;
        while (lo < hi) {
            const mid = lo + (hi - lo) / 2;
            if (t.symbols[mid].start <= addr) lo = mid + 1 else hi = mid;
        }
        if (lo == 0) return null;
        const s = &t.symbols[lo - 1];
        return if (addr < s.start + s.size) s else null;
    }
};

/// Where the running executable was loaded: the first object dl_iterate_phdr reports.
fn loadBias() usize {
    const Found = struct {
        fn first(info: *std.c.dl_phdr_info, _: usize, data: ?*anyopaque) callconv(.c) c_int {
            const out: *usize = @ptrCast(@alignCast(data.?));
            out.* = info.addr;
            return 1;
        }
    };
    var bias: usize = 0;
    _ = std.c.dl_iterate_phdr(Found.first, &bias);
    return bias;
}

/// The executable's symbols, or an empty table when they cannot be read (a stripped program
/// logs addresses, as the checker prints them then).
pub fn load(gpa: std.mem.Allocator) Table {
    const file = std.fs.openFileAbsolute("/proc/self/exe", .{}) catch return .{};
    defer file.close();
    return read(gpa, file, loadBias()) catch .{};
}

const ReadError = error{ NotElf, OutOfMemory } || std.fs.File.PReadError;

fn readAt(file: std.fs.File, buf: []u8, offset: u64) ReadError!void {
    if (try file.preadAll(buf, offset) != buf.len) return error.NotElf;
}

const SectionHeader = struct { kind: u32, offset: u64, size: u64, link: u32 };

fn section(headers: []const u8, i: usize, entsize: usize) SectionHeader {
    const h = headers[i * entsize ..][0..64];
    return .{
        .kind = std.mem.readInt(u32, h[4..8], .little),
        .offset = std.mem.readInt(u64, h[24..32], .little),
        .size = std.mem.readInt(u64, h[32..40], .little),
        .link = std.mem.readInt(u32, h[40..44], .little),
    };
}

const sht_symtab = 2;
const stt_object = 1;
/// Nothing real is this large; a bigger size means a corrupt file.
const max_section = 1 << 30;

fn read(gpa: std.mem.Allocator, file: std.fs.File, bias: usize) ReadError!Table {
    var ehdr: [64]u8 = undefined;
    try readAt(file, &ehdr, 0);
    if (!std.mem.eql(u8, ehdr[0..4], "\x7fELF") or ehdr[4] != 2 or ehdr[5] != 1) return error.NotElf;
    const shoff = std.mem.readInt(u64, ehdr[0x28..0x30], .little);
    const entsize = std.mem.readInt(u16, ehdr[0x3a..0x3c], .little);
    const shnum = std.mem.readInt(u16, ehdr[0x3c..0x3e], .little);
    if (shoff == 0 or entsize < 64) return error.NotElf;
    const headers = try gpa.alloc(u8, @as(usize, shnum) * entsize);
    defer gpa.free(headers);
    try readAt(file, headers, shoff);

    var symbols: std.ArrayList(Symbol) = .empty;
    defer symbols.deinit(gpa);
    var names: std.ArrayList(u8) = .empty;
    defer names.deinit(gpa);
    // Names are appended to one block; their slices are made once it stops growing.
    var name_spans: std.ArrayList([2]usize) = .empty;
    defer name_spans.deinit(gpa);

    for (0..shnum) |i| {
        const symtab = section(headers, i, entsize);
        if (symtab.kind != sht_symtab or symtab.link >= shnum) continue;
        const strtab = section(headers, symtab.link, entsize);
        if (symtab.size > max_section or strtab.size > max_section) return error.NotElf;
        const syms = try gpa.alloc(u8, @intCast(symtab.size));
        defer gpa.free(syms);
        const strs = try gpa.alloc(u8, @intCast(strtab.size));
        defer gpa.free(strs);
        try readAt(file, syms, symtab.offset);
        try readAt(file, strs, strtab.offset);
        var at: usize = 0;
        while (at + 24 <= syms.len) : (at += 24) {
            const sym = syms[at..][0..24];
            const info = sym[4];
            const value = std.mem.readInt(u64, sym[8..16], .little);
            const size = std.mem.readInt(u64, sym[16..24], .little);
            if (info & 0xf != stt_object or size == 0 or value == 0) continue;
            const name_at = std.mem.readInt(u32, sym[0..4], .little);
            if (name_at >= strs.len) continue;
            const name = std.mem.sliceTo(strs[name_at..], 0);
            if (name.len == 0 or std.mem.indexOfScalar(u8, name, '.') != null) continue;
            try name_spans.append(gpa, .{ names.items.len, name.len });
            try names.appendSlice(gpa, name);
            try symbols.append(gpa, .{ .start = bias +% @as(usize, @intCast(value)), .size = @intCast(size), .name = &.{} });
        }
    }
    const block = try names.toOwnedSlice(gpa);
    errdefer gpa.free(block);
    for (symbols.items, name_spans.items) |*s, span| s.name = block[span[0]..][0..span[1]];
    std.mem.sort(Symbol, symbols.items, {}, struct {
        fn less(_: void, a: Symbol, b: Symbol) bool {
            return a.start < b.start;
        }
    }.less);
    return .{ .symbols = try symbols.toOwnedSlice(gpa), .names = block };
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

const Probe = struct {
    export var isomc_symbols_probe_cells: [4]i64 = .{ 1, 2, 3, 4 };
    export var isomc_symbols_probe_cell: i64 = 5;
};

fn named(t: *const Table, addr: usize) ![]const u8 {
    const S = struct {
        var buf: [128]u8 = undefined;
    };
    var w: std.Io.Writer = .fixed(&S.buf);
    try t.write(&w, addr);
    return w.buffered();
}

test "the test binary's own globals are named as the checker names them" {
    var t = load(testing.allocator);
    defer t.deinit(testing.allocator);
    const cells = &Probe.isomc_symbols_probe_cells;
    try testing.expectEqualStrings("isomc_symbols_probe_cells[0]", try named(&t, @intFromPtr(&cells[0])));
    try testing.expectEqualStrings("isomc_symbols_probe_cells[3]", try named(&t, @intFromPtr(&cells[3])));
    try testing.expectEqualStrings("isomc_symbols_probe_cells+4", try named(&t, @intFromPtr(&cells[0]) + 4));
    try testing.expectEqualStrings("isomc_symbols_probe_cell", try named(&t, @intFromPtr(&Probe.isomc_symbols_probe_cell)));
    var local: i64 = 0;
    const stack_addr = @intFromPtr(&local);
    var hex: [32]u8 = undefined;
    try testing.expectEqualStrings(try std.fmt.bufPrint(&hex, "0x{x}", .{stack_addr}), try named(&t, stack_addr));
}
