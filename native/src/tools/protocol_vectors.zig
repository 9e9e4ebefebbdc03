//! Test fixture for the protocol across the boundary. `isomc-protocol-vectors encode` prints
//! one JSON line per runtime->checker frame, encoded by protocol.zig, with the field values the
//! TypeScript decoder must find in it. `isomc-protocol-vectors decode` reads checker->runtime
//! frames as hex lines on stdin and prints what protocol.zig's decoders (the ones the runtime
//! uses) make of each. tests/protocol_test.ts drives both directions.

const std = @import("std");
const protocol = @import("protocol");

pub fn main() !void {
    var arena_state = std.heap.ArenaAllocator.init(std.heap.page_allocator);
    defer arena_state.deinit();
    const arena = arena_state.allocator();
    const args = try std.process.argsAlloc(arena);
    var out_buf: [64 * 1024]u8 = undefined;
    var stdout = std.fs.File.stdout().writer(&out_buf);
    const out = &stdout.interface;
    if (args.len == 2 and std.mem.eql(u8, args[1], "encode")) {
        try encodeAll(out);
    } else if (args.len == 2 and std.mem.eql(u8, args[1], "decode")) {
        try decodeAll(arena, out);
    } else {
        std.debug.print("usage: isomc-protocol-vectors encode|decode\n", .{});
        std.process.exit(2);
    }
    try out.flush();
}

/// One JSON object per line: the fields below are written over several source lines for
/// reading, so their line breaks are dropped here.
fn line(out: *std.Io.Writer, name: []const u8, frame: []const u8, fields: []const u8) !void {
    try out.print("{{\"name\":\"{s}\",\"hex\":\"{x}\",\"fields\":", .{ name, frame });
    for (fields) |c| if (c != '\n') try out.writeByte(c);
    try out.writeAll("}\n");
}

fn encodeAll(out: *std.Io.Writer) !void {
    var buf: [4096]u8 = undefined;
    const ranges = [_]protocol.Range{ .{ .start = 0x1000, .end = 0x3000 }, .{ .start = 0x7f00_0000_0000, .end = 0x7f00_0010_0000 } };
    try line(out, "hello", protocol.encodeHello(&buf, 4242, 7, &ranges),
        \\{"pid":4242,"uffd":7,"ignored":[[4096,12288],[139637976727552,139637977776128]]}
    );
    try line(out, "actor", protocol.encodeActor(&buf, .{ .id = 3, .parent = 1, .name = "philosopher-2" }),
        \\{"id":3,"parent":1,"name":"philosopher-2"}
    );
    try line(out, "object", protocol.encodeObject(&buf, .{ .id = (1 << 52) | 77, .kind = .mailbox, .name = "ping" }),
        \\{"id":4503599627370573,"kind":1,"name":"ping"}
    );
    var s = protocol.StateWriter.begin(&buf, 12, protocol.state_flag_maps_changed | protocol.state_flag_nondet_range | protocol.state_flag_ran_on);
    s.record(.{ .actor = 1, .kind = .yield, .flags = protocol.record_flag_enabled, .choices = 1, .object = 0, .arg0 = 0, .arg1 = 0, .extras = &.{} });
    s.record(.{ .actor = 2, .kind = .random, .flags = protocol.record_flag_enabled, .choices = 3, .object = 0, .arg0 = -1, .arg1 = 1, .extras = &.{} });
    s.record(.{ .actor = 3, .kind = .waitany, .flags = protocol.record_flag_enabled, .choices = 1, .object = 0, .arg0 = 2, .arg1 = 0, .site = 0x5555_5555_8a3f, .extras = &.{ 0x1_0000_0001, 0x1_0000_0002 | protocol.extra_ready_bit } });
    s.record(.{ .actor = 4, .kind = .store, .flags = 0, .choices = 1, .object = 0x5555_0000_1000, .arg0 = std.math.minInt(i64), .arg1 = 0, .site = 0x101_f00d, .extras = &.{} });
    // Version 9: a pthread program's read of 4 bytes, spinning.
    s.record(.{ .actor = 5, .kind = .access_read, .flags = protocol.record_flag_spin, .choices = 1, .object = 0x5555_0000_2000, .arg0 = 7, .arg1 = 4 | 1 << 13, .site = 0x101_f0f0, .extras = &.{} });
    // Version 12: a sem_trywait of a semaphore at 2.
    s.record(.{ .actor = 6, .kind = .sem_trywait, .flags = protocol.record_flag_enabled, .choices = 1, .object = (1 << 51) | 0x5555_0000_3000, .arg0 = 2, .arg1 = 0, .extras = &.{} });
    // Version 15: a compare-exchange of 4 bytes expecting 5 that fails here; the API's cas.
    s.record(.{ .actor = 7, .kind = .access_rmw, .flags = protocol.record_flag_enabled | protocol.record_flag_fails, .choices = 1, .object = 0x5555_0000_3008, .arg0 = 5, .arg1 = 4 | 2 << 8 | 1 << 12 | 1 << 15, .extras = &.{} });
    s.record(.{ .actor = 8, .kind = .cas, .flags = protocol.record_flag_enabled, .choices = 1, .object = 0x5555_0000_3010, .arg0 = 1, .arg1 = 2, .extras = &.{} });
    // Version 16: an actor blocked for ever by a failed assume_abort_if_not (never enabled).
    s.record(.{ .actor = 9, .kind = .assume, .flags = 0, .choices = 1, .object = 0, .arg0 = 1, .arg1 = 0, .site = 0x101_f0f8, .extras = &.{} });
    try line(out, "state", s.finish(),
        \\{"steps":12,"mapsChanged":true,"nondetRange":true,"ranOn":true,"actors":[
        \\{"actor":1,"kind":1,"enabled":true,"ready":false,"choices":1,"object":0,"arg0":"0","arg1":"0","extras":[]},
        \\{"actor":2,"kind":2,"enabled":true,"ready":false,"choices":3,"object":0,"arg0":"-1","arg1":"1","extras":[]},
        \\{"actor":3,"kind":7,"enabled":true,"ready":false,"choices":1,"object":0,"arg0":"2","arg1":"0","site":93824992250431,"extras":[[4294967297,false],[4294967298,true]]},
        \\{"actor":4,"kind":20,"enabled":false,"ready":false,"choices":1,"object":93823560585216,"arg0":"-9223372036854775808","arg1":"0","site":16904205,"extras":[]},
        \\{"actor":5,"kind":23,"enabled":false,"ready":false,"spin":true,"choices":1,"object":93823560589312,"arg0":"7","arg1":"8196","site":16904432,"extras":[]},
        \\{"actor":6,"kind":26,"enabled":true,"ready":false,"choices":1,"object":2345623374278656,"arg0":"2","arg1":"0","extras":[]},
        \\{"actor":7,"kind":25,"enabled":true,"ready":false,"fails":true,"choices":1,"object":93823560593416,"arg0":"5","arg1":"37380","extras":[]},
        \\{"actor":8,"kind":22,"enabled":true,"ready":false,"choices":1,"object":93823560593424,"arg0":"1","arg1":"2","extras":[]},
        \\{"actor":9,"kind":28,"enabled":false,"ready":false,"choices":1,"object":0,"arg0":"1","arg1":"0","site":16904440,"extras":[]}]}
    );
    // Version 14: a STATE with its window, the plain accesses since the step and a creation.
    var sw = protocol.StateWriter.begin(&buf, 3, 0);
    sw.record(.{ .actor = 2, .kind = .sem_release, .flags = protocol.record_flag_enabled, .choices = 1, .object = (1 << 51) | 0x5555_0000_4000, .arg0 = 0, .arg1 = 0, .site = 0x101_f100, .extras = &.{} });
    sw.window(&.{
        .{ .actor = 1, .kind = .write, .address = 0x5555_0000_5000, .size = 4, .site = 0x101_f200 },
        .{ .actor = 1, .kind = .create, .address = 2, .size = 0 },
        .{ .actor = 1, .kind = .read, .address = 0x5555_0000_5004, .size = 1 << 20 },
    });
    try line(out, "window", sw.finish(),
        \\{"steps":3,"mapsChanged":false,"ranOn":false,"actors":[
        \\{"actor":2,"kind":12,"enabled":true,"ready":false,"choices":1,"object":2345623374282752,"arg0":"0","arg1":"0","site":16904448,"extras":[]}],
        \\"window":[{"kind":"access","actor":1,"address":93823560601600,"size":4,"write":true,"site":16904704},
        \\{"kind":"create","actor":1,"created":2},
        \\{"kind":"access","actor":1,"address":93823560601604,"size":1048576,"write":false}]}
    );
    try line(out, "violation", protocol.encodeViolation(&buf, .{ .kind = .assertion, .actor = 2, .steps = 9, .message = "isomc_assert(x == 1) failed at a.c:3" }),
        \\{"kind":1,"actor":2,"steps":9,"message":"isomc_assert(x == 1) failed at a.c:3"}
    );
    try line(out, "done", protocol.encodeDone(&buf, .{ .steps = 40, .actors = 3 }),
        \\{"steps":40,"actors":3}
    );
    try line(out, "error", protocol.encodeError(&buf, .{ .code = .diverged, .steps = 5, .message = "step 6: actor 9 is not enabled" }),
        \\{"code":3,"steps":5,"message":"step 6: actor 9 is not enabled"}
    );
    var st = protocol.StacksWriter.begin(&buf);
    st.add(.{ .actor = 1, .lo = 0x7000_0000_0000, .hi = 0x7000_0010_0000, .sp = 0x7000_000f_ff00 });
    st.add(.{ .actor = 2, .lo = 0x7000_0020_0000, .hi = 0x7000_0030_0000, .sp = 0x7000_0030_0000 });
    try line(out, "stacks", st.finish(),
        \\{"stacks":[{"actor":1,"lo":123145302310912,"hi":123145303359488,"sp":123145303359232},
        \\{"actor":2,"lo":123145304408064,"hi":123145305456640,"sp":123145305456640}]}
    );
    try line(out, "tail", protocol.encodeTail(&buf, .{ .signaled = true, .value = 11 }),
        \\{"signaled":true,"value":11}
    );
    try line(out, "crash", protocol.encodeCrash(&buf, .{ .signal = 11, .actor = 3, .steps = 14, .overflow = true, .stack_size = 260 * 1024 }),
        \\{"signal":11,"actor":3,"steps":14,"overflow":true,"stackSize":266240}
    );
    try line(out, "mapped", protocol.encodeMapped(&buf, 22),
        \\{"errno":22}
    );
    try line(out, "exiting", protocol.encodeExiting(&buf, .{ .status = 2, .actor = 4 }),
        \\{"status":2,"actor":4}
    );
    try line(out, "forked", protocol.encodeForked(&buf, 31337),
        \\{"pid":31337}
    );
    try line(out, "fdset", protocol.encodeFdset(&buf, 9, 2),
        \\{"errno":9,"failed":2}
    );
    try line(out, "prop", protocol.encodeProp(&buf, .{ .kind = .proposition, .address = 0x5555_5555_8010, .name = "in_cs" }),
        \\{"kind":"proposition","address":93824992247824,"name":"in_cs"}
    );
    try line(out, "progress", protocol.encodeProp(&buf, .{ .kind = .progress, .address = 0x7fff_0000_0004, .name = "" }),
        \\{"kind":"progress","address":140733193388036,"name":""}
    );
}

fn decodeAll(arena: std.mem.Allocator, out: *std.Io.Writer) !void {
    const input = try std.fs.File.stdin().readToEndAlloc(arena, 16 * 1024 * 1024);
    var lines = std.mem.tokenizeScalar(u8, input, '\n');
    while (lines.next()) |hex| {
        const frame = try arena.alloc(u8, hex.len / 2);
        _ = std.fmt.hexToBytes(frame, hex) catch {
            try out.print("{{\"error\":\"hex\"}}\n", .{});
            continue;
        };
        try decodeOne(frame, out);
    }
}

fn decodeOne(frame: []const u8, out: *std.Io.Writer) !void {
    if (frame.len < protocol.HEADER_SIZE) return out.print("{{\"error\":\"Malformed\"}}\n", .{});
    const header = protocol.parseHeader(frame[0..protocol.HEADER_SIZE]) catch |err|
        return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
    if (header.len != frame.len) return out.print("{{\"error\":\"Malformed\"}}\n", .{});
    const body = frame[protocol.HEADER_SIZE..];
    switch (header.message) {
        .welcome => {
            const flags = protocol.decodeWelcome(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
            try out.print("{{\"type\":\"welcome\",\"flags\":{d}}}\n", .{flags});
        },
        .run => {
            const steps = protocol.decodeRun(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
            try out.print("{{\"type\":\"run\",\"before\":{d},\"steps\":[", .{steps.before});
            var i: u32 = 0;
            while (i < steps.count) : (i += 1) {
                const st = steps.get(i);
                try out.print("{s}[{d},{d}]", .{ if (i == 0) "" else ",", st.actor, st.choice });
            }
            try out.print("]", .{});
            if (steps.ahead) |a| {
                try out.print(",\"ahead\":[{d},{d},[", .{ a.max_steps, a.branch_stop });
                var j: u32 = 0;
                while (j < a.asleep_count) : (j += 1) {
                    const actor = std.mem.readInt(u32, a.raw_asleep[j * 4 ..][0..4], .little);
                    try out.print("{s}{d}", .{ if (j == 0) "" else ",", actor });
                }
                try out.print("],[", .{});
                var n: u32 = 0;
                while (n < a.known_count) : (n += 1) {
                    const st = a.known(n);
                    try out.print("{s}[{d},{d}]", .{ if (n == 0) "" else ",", st.actor, st.choice });
                }
                try out.print("]]", .{});
            }
            try out.print("}}\n", .{});
        },
        .map => {
            const ops = protocol.decodeMap(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
            try out.print("{{\"type\":\"map\",\"ops\":[", .{});
            var i: u32 = 0;
            while (i < ops.count) : (i += 1) {
                const op = ops.get(i);
                try out.print("{s}[{d},{d},{d}]", .{ if (i == 0) "" else ",", @intFromBool(op.map), op.start, op.end });
            }
            try out.print("]}}\n", .{});
        },
        .fork => {
            protocol.decodeFork(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
            try out.print("{{\"type\":\"fork\"}}\n", .{});
        },
        .finish => {
            protocol.decodeFinish(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
            try out.print("{{\"type\":\"finish\"}}\n", .{});
        },
        .fds => try decodeFds(body, out),
        else => try out.print("{{\"error\":\"unexpected type {d}\"}}\n", .{@intFromEnum(header.message)}),
    }
}

/// FDS is read change by change, so an error may come after some changes were read: nothing is
/// printed but the error, as the runtime acts on none of them then either.
fn decodeFds(body: []const u8, out: *std.Io.Writer) !void {
    var changes = protocol.decodeFds(body) catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)});
    var all: [64]protocol.FdChange = undefined;
    var n: usize = 0;
    while (changes.next() catch |err| return out.print("{{\"error\":\"{s}\"}}\n", .{@errorName(err)})) |c| {
        if (n == all.len) return out.print("{{\"error\":\"fixture: too many changes\"}}\n", .{});
        all[n] = c;
        n += 1;
    }
    try out.print("{{\"type\":\"fds\",\"changes\":[", .{});
    for (all[0..n], 0..) |c, i| {
        try out.print("{s}[\"{s}\",{d},{d},{d},{f}]", .{ if (i == 0) "" else ",", @tagName(c.op), c.fd, c.flags, c.pos, std.json.fmt(c.path, .{}) });
    }
    try out.print("]}}\n", .{});
}
