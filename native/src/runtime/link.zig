//! The runtime's end of the control channel: a stream socket inherited from the checker, which
//! carries length-prefixed frames (protocol.zig). Its two buffers live in one mapping of their
//! own, reported to the checker as memory that is not program state. When the checker goes
//! away there is nothing left to do, so the process ends without running the program's atexit
//! handlers.

const std = @import("std");
const posix = std.posix;
const protocol = @import("protocol");

pub const Frame = struct { message: protocol.MessageType, body: []const u8 };

pub const Link = struct {
    fd: posix.fd_t,
    mapping: []align(std.heap.page_size_min) u8,
    out: []u8,
    in: []u8,
    /// Receive bookkeeping, kept in the link's own mapping: a memory restore rewrites program
    /// state while this process waits for a frame, and must not rewind these counters.
    cursor: *Cursor,

    const Cursor = struct {
        /// Bytes received into `in`, and how many of them the last frame used.
        have: usize = 0,
        consumed: usize = 0,
    };

    /// Both buffers are as large as the largest frame; pages are only committed when touched.
    pub fn open(fd: posix.fd_t) !Link {
        const mapping = try posix.mmap(
            null,
            2 * protocol.MAX_FRAME + std.heap.pageSize(),
            posix.PROT.READ | posix.PROT.WRITE,
            .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true },
            -1,
            0,
        );
        return .{
            .fd = fd,
            .mapping = mapping,
            .out = mapping[0..protocol.MAX_FRAME],
            .in = mapping[protocol.MAX_FRAME .. 2 * protocol.MAX_FRAME],
            .cursor = cursor: {
                const c: *Cursor = @ptrCast(@alignCast(mapping[2 * protocol.MAX_FRAME ..].ptr));
                c.* = .{};
                break :cursor c;
            },
        };
    }

    pub fn ignoredRange(link: *const Link) protocol.Range {
        const start = @intFromPtr(link.mapping.ptr);
        return .{ .start = start, .end = start + link.mapping.len };
    }

    /// Sends one frame built in `link.out` (or anywhere else).
    pub fn send(link: *Link, frame: []const u8) void {
        var sent: usize = 0;
        while (sent < frame.len) {
            const n = posix.send(link.fd, frame[sent..], posix.MSG.NOSIGNAL) catch |err| switch (err) {
                error.WouldBlock => continue,
                else => checkerGone(),
            };
            sent += n;
        }
    }

    /// Sends one frame with a descriptor attached (SCM_RIGHTS), in a single message so the
    /// descriptor arrives with the frame's first byte.
    pub fn sendWithFd(link: *Link, frame: []const u8, fd: posix.fd_t) void {
        const linux = std.os.linux;
        var iov = [_]posix.iovec_const{.{ .base = frame.ptr, .len = frame.len }};
        const Cmsg = extern struct { len: usize, level: i32, type: i32, fd: i32, pad: i32 = 0 };
        var cmsg = Cmsg{ .len = @sizeOf(usize) + 8 + 4, .level = linux.SOL.SOCKET, .type = 1, .fd = fd };
        const msg = linux.msghdr_const{
            .name = null,
            .namelen = 0,
            .iov = &iov,
            .iovlen = 1,
            .control = &cmsg,
            .controllen = @sizeOf(Cmsg),
            .flags = 0,
        };
        const rc = linux.sendmsg(link.fd, &msg, linux.MSG.NOSIGNAL);
        if (linux.E.init(rc) != .SUCCESS) checkerGone();
        if (rc < frame.len) link.send(frame[rc..]);
    }

    /// Blocks until the next frame arrives. A malformed frame is answered with an ERROR frame
    /// and ends the process: the channel can no longer be trusted.
    pub fn receive(link: *Link) Frame {
        // Drop the previous frame (its body was used until now), keep what followed it.
        const c = link.cursor;
        if (c.consumed > 0) {
            std.mem.copyForwards(u8, link.in[0 .. c.have - c.consumed], link.in[c.consumed..c.have]);
            c.have -= c.consumed;
            c.consumed = 0;
        }
        link.fill(protocol.HEADER_SIZE);
        const header = protocol.parseHeader(link.in[0..protocol.HEADER_SIZE]) catch |err| {
            const why = switch (err) {
                error.VersionMismatch => "the checker speaks another protocol version; rebuild the program with `isomc cc`",
                error.TooLarge => "frame larger than the protocol allows",
                error.Malformed => "frame shorter than its header",
            };
            link.fail(if (err == error.VersionMismatch) .version else .malformed, why);
        };
        link.fill(header.len);
        c.consumed = header.len;
        return .{ .message = header.message, .body = link.in[protocol.HEADER_SIZE..header.len] };
    }

    /// Reads until at least `want` bytes are buffered; usually one read gets a whole frame.
    fn fill(link: *Link, want: usize) void {
        const c = link.cursor;
        while (c.have < want) {
            const n = posix.read(link.fd, link.in[c.have..]) catch checkerGone();
            if (n == 0) checkerGone();
            c.have += n;
        }
    }

    /// Reports a channel-level error to the checker and to stderr, then ends the process.
    pub fn fail(link: *Link, code: protocol.ErrorCode, why: []const u8) noreturn {
        link.send(protocol.encodeError(link.out, .{ .code = code, .steps = 0, .message = why }));
        std.debug.print("isomc runtime: control channel: {s}\n", .{why});
        std.c._exit(3);
    }

    /// After a violation the checker owns the outcome; wait for it to end the process.
    pub fn waitForEnd(link: *Link) noreturn {
        var sink: [256]u8 = undefined;
        while (true) {
            const n = posix.read(link.fd, &sink) catch checkerGone();
            if (n == 0) checkerGone();
        }
    }
};

fn checkerGone() noreturn {
    std.c._exit(0);
}
