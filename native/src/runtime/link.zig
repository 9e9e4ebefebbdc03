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

    /// Both buffers are as large as the largest frame; pages are only committed when touched.
    pub fn open(fd: posix.fd_t) !Link {
        const mapping = try posix.mmap(
            null,
            2 * protocol.MAX_FRAME,
            posix.PROT.READ | posix.PROT.WRITE,
            .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true },
            -1,
            0,
        );
        return .{
            .fd = fd,
            .mapping = mapping,
            .out = mapping[0..protocol.MAX_FRAME],
            .in = mapping[protocol.MAX_FRAME..],
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

    /// Blocks until the next frame arrives. A malformed frame is answered with an ERROR frame
    /// and ends the process: the channel can no longer be trusted.
    pub fn receive(link: *Link) Frame {
        var raw: [protocol.HEADER_SIZE]u8 = undefined;
        link.readExact(&raw);
        const header = protocol.parseHeader(&raw) catch |err| {
            const why = switch (err) {
                error.VersionMismatch => "the checker speaks another protocol version; rebuild the program with `isomc cc`",
                error.TooLarge => "frame larger than the protocol allows",
                error.Malformed => "frame shorter than its header",
            };
            link.fail(if (err == error.VersionMismatch) .version else .malformed, why);
        };
        const body = link.in[0 .. header.len - protocol.HEADER_SIZE];
        link.readExact(body);
        return .{ .message = header.message, .body = body };
    }

    fn readExact(link: *Link, into: []u8) void {
        var got: usize = 0;
        while (got < into.len) {
            const n = posix.read(link.fd, into[got..]) catch checkerGone();
            if (n == 0) checkerGone();
            got += n;
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
