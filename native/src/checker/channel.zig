//! The checker's end of the control channel: moves whole frames over the stream socket, with a
//! deadline on every receive so a silent program can never hang the checker. It only frames;
//! the meaning of frames is the TypeScript side's business (lib/process/protocol.ts).

const std = @import("std");
const linux = std.os.linux;
const protocol = @import("protocol");

pub const Received = union(enum) {
    /// A whole frame, header included, valid until the next receive.
    frame: []const u8,
    timeout,
    /// The program closed its end (it exited or crashed).
    closed,
    /// The header announces a frame the protocol forbids.
    bad_header,
    io_error: linux.E,
};

pub const Channel = struct {
    fd: i32,
    buf: []u8,
    /// Bytes [start, end) of buf are received and not yet handed out.
    start: usize = 0,
    end: usize = 0,
    gpa: std.mem.Allocator,
    /// A descriptor that arrived with the data (SCM_RIGHTS, with FORKED), not yet taken.
    passed_fd: i32 = -1,

    const initial_size = 64 * 1024;

    pub fn init(gpa: std.mem.Allocator, fd: i32) !Channel {
        return .{ .fd = fd, .buf = try gpa.alloc(u8, initial_size), .gpa = gpa };
    }

    pub fn deinit(ch: *Channel) void {
        ch.gpa.free(ch.buf);
        _ = linux.close(ch.fd);
        if (ch.passed_fd >= 0) _ = linux.close(ch.passed_fd);
        ch.* = undefined;
    }

    pub fn send(ch: *Channel, frame: []const u8) linux.E {
        var sent: usize = 0;
        while (sent < frame.len) {
            const rc = linux.sendto(ch.fd, frame[sent..].ptr, frame.len - sent, linux.MSG.NOSIGNAL, null, 0);
            switch (linux.E.init(rc)) {
                .SUCCESS => sent += rc,
                .INTR, .AGAIN => continue,
                else => |e| return e,
            }
        }
        return .SUCCESS;
    }

    /// Waits until a whole frame is buffered or the deadline passes.
    pub fn receive(ch: *Channel, timeout_ms: i32) Received {
        const deadline = if (timeout_ms < 0) null else nowMs() + @as(i64, timeout_ms);
        while (true) {
            const whole = ch.complete() catch return .bad_header;
            if (whole) |len| {
                const frame = ch.buf[ch.start..][0..len];
                ch.start += len;
                return .{ .frame = frame };
            }

            // Often the answer is already there: try before paying for a poll.
            ch.makeRoom();
            const quick = ch.readSome(linux.MSG.DONTWAIT);
            switch (linux.E.init(quick)) {
                .SUCCESS => {
                    if (quick == 0) return .closed;
                    ch.end += quick;
                    continue;
                },
                .AGAIN, .INTR => {},
                .CONNRESET => return .closed,
                else => |e| return .{ .io_error = e },
            }
            var remaining: i32 = -1;
            if (deadline) |d| remaining = @intCast(@max(0, d - nowMs()));
            var fds = [_]linux.pollfd{.{ .fd = ch.fd, .events = linux.POLL.IN, .revents = 0 }};
            const prc = linux.poll(&fds, 1, remaining);
            switch (linux.E.init(prc)) {
                .SUCCESS => if (prc == 0) return .timeout,
                .INTR => continue,
                else => |e| return .{ .io_error = e },
            }
            ch.makeRoom();
            const rc = ch.readSome(0);
            switch (linux.E.init(rc)) {
                .SUCCESS => if (rc == 0) return .closed,
                .INTR, .AGAIN => continue,
                .CONNRESET => return .closed,
                else => |e| return .{ .io_error = e },
            }
            ch.end += rc;
        }
    }

    /// Reads what is there, keeping a descriptor passed along with it.
    fn readSome(ch: *Channel, flags: u32) usize {
        var iov = [_]std.posix.iovec{.{ .base = ch.buf[ch.end..].ptr, .len = ch.buf.len - ch.end }};
        var control: [64]u8 align(8) = undefined;
        var msg = linux.msghdr{
            .name = null,
            .namelen = 0,
            .iov = &iov,
            .iovlen = 1,
            .control = &control,
            .controllen = control.len,
            .flags = 0,
        };
        const rc = linux.recvmsg(ch.fd, &msg, linux.MSG.CMSG_CLOEXEC | flags);
        if (linux.E.init(rc) == .SUCCESS and msg.controllen >= 20) {
            const level = std.mem.readInt(i32, control[8..12], .little);
            const kind = std.mem.readInt(i32, control[12..16], .little);
            if (level == linux.SOL.SOCKET and kind == 1) { // SCM_RIGHTS
                if (ch.passed_fd >= 0) _ = linux.close(ch.passed_fd);
                ch.passed_fd = std.mem.readInt(i32, control[16..20], .little);
            }
        }
        return rc;
    }

    /// Hands over the descriptor last passed on this channel (-1 if none).
    pub fn takeFd(ch: *Channel) i32 {
        defer ch.passed_fd = -1;
        return ch.passed_fd;
    }

    /// The length of the whole frame at the front of the buffer, if it has all arrived.
    fn complete(ch: *Channel) error{BadHeader}!?usize {
        const have = ch.end - ch.start;
        if (have < protocol.HEADER_SIZE) return null;
        // As in protocol.parseHeader, the version is judged before the length is trusted: a
        // frame of another version is handed up as its bare header, for the reader to name the
        // versions instead of calling the header impossible.
        const version = std.mem.readInt(u16, ch.buf[ch.start + 6 ..][0..2], .little);
        if (version != protocol.PROTOCOL_VERSION) return protocol.HEADER_SIZE;
        const len = std.mem.readInt(u32, ch.buf[ch.start..][0..4], .little);
        if (len < protocol.HEADER_SIZE or len > protocol.MAX_FRAME) return error.BadHeader;
        return if (have >= len) len else null;
    }

    /// Moves pending bytes to the front and grows the buffer to fit the announced frame.
    fn makeRoom(ch: *Channel) void {
        if (ch.start > 0) {
            std.mem.copyForwards(u8, ch.buf, ch.buf[ch.start..ch.end]);
            ch.end -= ch.start;
            ch.start = 0;
        }
        var want = ch.end + 4096;
        if (ch.end >= 4) want = @max(want, std.mem.readInt(u32, ch.buf[0..4], .little));
        if (want > ch.buf.len) {
            const grown = @min(@max(want, ch.buf.len * 2), protocol.MAX_FRAME + 4096);
            if (ch.gpa.realloc(ch.buf, grown)) |b| ch.buf = b else |_| {}
        }
    }
};

/// The C library's clock (std.posix with libc linked), read in the vDSO: std.os.linux's makes a
/// system call every time in a library, where Zig's start code did not record the vDSO (two or
/// three a receive, 24,000 on lastzero(10); bench/README.md, "Speed, part 6").
fn nowMs() i64 {
    const ts = std.posix.clock_gettime(.MONOTONIC) catch unreachable; // MONOTONIC always exists
    return @as(i64, ts.sec) * 1000 + @divTrunc(@as(i64, ts.nsec), 1_000_000);
}

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

fn pair() ![2]i32 {
    var fds: [2]i32 = undefined;
    const rc = linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, &fds);
    if (linux.E.init(rc) != .SUCCESS) return error.SocketPair;
    return fds;
}

test "frames split across writes and glued together are delivered whole" {
    const fds = try pair();
    var ch = try Channel.init(testing.allocator, fds[0]);
    defer ch.deinit();
    defer _ = linux.close(fds[1]);
    var a: [64]u8 = undefined;
    var b: [64]u8 = undefined;
    const f1 = protocol.encodeDone(&a, .{ .steps = 1, .actors = 2 });
    const f2 = protocol.encodeDone(&b, .{ .steps = 3, .actors = 4 });
    _ = linux.write(fds[1], f1.ptr, 5);
    try testing.expectEqual(Received.timeout, ch.receive(10));
    _ = linux.write(fds[1], f1[5..].ptr, f1.len - 5);
    _ = linux.write(fds[1], f2.ptr, f2.len);
    const r1 = ch.receive(1000);
    try testing.expectEqualSlices(u8, f1, r1.frame);
    const r2 = ch.receive(1000);
    try testing.expectEqualSlices(u8, f2, r2.frame);
}

test "a large frame grows the buffer" {
    const fds = try pair();
    var ch = try Channel.init(testing.allocator, fds[0]);
    defer ch.deinit();
    defer _ = linux.close(fds[1]);
    const big = try testing.allocator.alloc(u8, 300 * 1024);
    defer testing.allocator.free(big);
    @memset(big, 0x5a);
    std.mem.writeInt(u32, big[0..4], @intCast(big.len), .little);
    std.mem.writeInt(u16, big[4..6], @intFromEnum(protocol.MessageType.state), .little);
    std.mem.writeInt(u16, big[6..8], protocol.PROTOCOL_VERSION, .little);
    const writer = try std.Thread.spawn(.{}, struct {
        fn run(fd: i32, data: []const u8) void {
            var off: usize = 0;
            while (off < data.len) off += linux.write(fd, data[off..].ptr, data.len - off);
        }
    }.run, .{ fds[1], big });
    const r = ch.receive(5000);
    writer.join();
    try testing.expectEqual(big.len, r.frame.len);
}

test "closed peers and impossible headers are reported" {
    const fds = try pair();
    var ch = try Channel.init(testing.allocator, fds[0]);
    defer ch.deinit();
    const bad = [_]u8{ 2, 0, 0, 0, 1, 0, protocol.PROTOCOL_VERSION, 0 };
    _ = linux.write(fds[1], &bad, bad.len);
    try testing.expectEqual(Received.bad_header, ch.receive(1000));
    ch.start = ch.end;
    _ = linux.close(fds[1]);
    try testing.expectEqual(Received.closed, ch.receive(1000));
}

test "a frame of another version comes up as its bare header, whatever length it claims" {
    const fds = try pair();
    var ch = try Channel.init(testing.allocator, fds[0]);
    defer ch.deinit();
    defer _ = linux.close(fds[1]);
    const other = [_]u8{ 0xff, 0xff, 0xff, 0xff, 0x01, 0x00, protocol.PROTOCOL_VERSION + 1, 0x00 };
    _ = linux.write(fds[1], &other, other.len);
    const r = ch.receive(1000);
    try testing.expectEqualSlices(u8, &other, r.frame);
}

test "a receive waits no longer than its timeout, and a timeout of 0 only takes what is there" {
    var ends: [2]i32 = undefined;
    try std.testing.expectEqual(@as(usize, 0), linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, &ends));
    var ch = try Channel.init(std.testing.allocator, ends[0]);
    defer ch.deinit();
    defer _ = linux.close(ends[1]);
    const t0 = nowMs();
    try std.testing.expect(ch.receive(30) == .timeout);
    const waited = nowMs() - t0;
    try std.testing.expect(waited >= 29 and waited < 1000);
    try std.testing.expect(ch.receive(0) == .timeout);
    // A whole frame already there is taken at once, also with a timeout of 0.
    var buf: [64]u8 = undefined;
    const frame = protocol.encodeWelcome(&buf, 0);
    _ = linux.write(ends[1], frame.ptr, frame.len);
    const got = ch.receive(0);
    try std.testing.expect(got == .frame);
    try std.testing.expectEqualSlices(u8, frame, got.frame);
    // And a frame that comes while waiting ends the wait.
    _ = linux.write(ends[1], frame.ptr, frame.len);
    try std.testing.expect(ch.receive(5000) == .frame);
}
