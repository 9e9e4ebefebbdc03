//! The runtime's end of the control channel: a stream socket inherited from the checker, which
//! carries length-prefixed frames (protocol.zig). Its two buffers live in one mapping of their
//! own, reported to the checker as memory that is not program state. When the checker goes
//! away there is nothing left to do, so the process ends without running the program's atexit
//! handlers.
//!
//! Only the thread that called isomc_init drives the channel, but another thread of the program
//! may have to report its misuse of the API (reportForeign) or a crash: every frame is written
//! under a lock, so two threads never interleave their bytes, and a misuse is sent only where the
//! checker takes a VIOLATION — as the answer to a RUN (or FINISH, in the copy that runs the rest
//! of main) — or else kept until the next RUN.

const std = @import("std");
const posix = std.posix;
const protocol = @import("protocol");

pub const Frame = struct { message: protocol.MessageType, body: []const u8 };

pub const Link = struct {
    fd: posix.fd_t,
    mapping: []align(std.heap.page_size_min) u8,
    out: []u8,
    in: []u8,
    /// A run-ahead's reports, kept to be sent in one write (beginBatch); in the same mapping.
    batch: []u8,
    /// Receive bookkeeping, kept in the link's own mapping: a memory restore rewrites program
    /// state while this process waits for a frame, and must not rewind these counters.
    cursor: *Cursor,

    const Cursor = struct {
        /// Bytes received into `in`, and how many of them the last frame used.
        have: usize = 0,
        consumed: usize = 0,
        /// The thread writing a frame (its pthread_self), 0 when none: the send lock.
        writer: std.atomic.Value(usize) = .init(0),
        /// Under the lock: a RUN (or the start, or FINISH in the copy that runs the rest of
        /// main) is being answered, so the checker takes a VIOLATION as the next frame; false
        /// once STATE or TAIL answered it.
        answering: bool = true,
        /// Under the lock: a run-ahead is under way (frames wait in `batch`), the bytes waiting,
        /// and when the first of them was put there (CLOCK_MONOTONIC, ns).
        batching: bool = false,
        batched: usize = 0,
        batched_since: u64 = 0,
        /// Under the lock: a misuse by another thread, to be the answer to the next RUN.
        pending: ?protocol.Violation = null,
        pending_text: [1024]u8 = undefined,

        /// Under the lock, another thread's misuse: returned when it is to be sent now (a RUN is
        /// being answered), else kept for the next one (the first misuse only).
        fn admitForeign(c: *Cursor, v: protocol.Violation) ?protocol.Violation {
            if (c.answering) return v;
            if (c.pending != null) return null;
            const n = @min(v.message.len, c.pending_text.len);
            @memcpy(c.pending_text[0..n], v.message[0..n]);
            c.pending = .{ .kind = v.kind, .actor = v.actor, .steps = v.steps, .message = c.pending_text[0..n] };
            return null;
        }

        /// Under the lock, at a RUN: the misuse kept for it, if any.
        fn beginAnswer(c: *Cursor) ?protocol.Violation {
            c.answering = true;
            return c.pending;
        }
    };

    /// What a run-ahead keeps before it writes: a few hundred reports of a small program.
    pub const batch_size = 256 * 1024;

    /// Both buffers are as large as the largest frame; pages are only committed when touched.
    pub fn open(fd: posix.fd_t) !Link {
        const mapping = try posix.mmap(
            null,
            2 * protocol.MAX_FRAME + batch_size + std.heap.pageSize(),
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
            .batch = mapping[2 * protocol.MAX_FRAME .. 2 * protocol.MAX_FRAME + batch_size],
            .cursor = cursor: {
                const c: *Cursor = @ptrCast(@alignCast(mapping[2 * protocol.MAX_FRAME + batch_size ..].ptr));
                c.* = .{};
                break :cursor c;
            },
        };
    }

    pub fn ignoredRange(link: *const Link) protocol.Range {
        const start = @intFromPtr(link.mapping.ptr);
        return .{ .start = start, .end = start + link.mapping.len };
    }

    fn lock(link: *Link) void {
        const self = pthread_self();
        std.debug.assert(link.cursor.writer.load(.monotonic) != self);
        while (link.cursor.writer.cmpxchgWeak(0, self, .acquire, .monotonic) != null) {
            _ = std.os.linux.sched_yield();
        }
    }

    fn unlock(link: *Link) void {
        link.cursor.writer.store(0, .release);
    }

    /// Sends one frame built in `link.out` (or anywhere else). In a batch it waits in `batch`
    /// while there is room; otherwise it goes in one write with the frames waiting before it.
    pub fn send(link: *Link, frame: []const u8) void {
        link.lock();
        defer link.unlock();
        const c = link.cursor;
        if (c.batching and waits(frame) and c.batched + frame.len <= link.batch.len) {
            if (c.batched == 0) c.batched_since = nowNs();
            @memcpy(link.batch[c.batched..][0..frame.len], frame);
            c.batched += frame.len;
        } else if (c.batched > 0) {
            link.writeTwo(link.batch[0..c.batched], frame);
            c.batched = 0;
        } else link.write(frame);
        link.noteAnswer(frame);
    }

    /// Whether a frame may wait in a batch: the reports of points and what they announce. The
    /// others (VIOLATION, EXITING, DONE, ERROR, ...) end the batch: the process may end next.
    fn waits(frame: []const u8) bool {
        const header = protocol.parseHeader(frame[0..protocol.HEADER_SIZE]) catch return false;
        return switch (header.message) {
            .state, .stacks, .actor, .object, .prop => true,
            else => false,
        };
    }

    /// A run-ahead begins: its reports wait to be written together (docs/protocol.md, "Running
    /// ahead"), until endBatch, a full buffer, or a report older than `max_wait_ns` (flushOld).
    pub fn beginBatch(link: *Link) void {
        link.lock();
        defer link.unlock();
        std.debug.assert(link.cursor.batched == 0);
        link.cursor.batching = true;
    }

    /// The run-ahead is over: the next frame sent (the point where it waits) takes the
    /// reports waiting with it, in one write.
    pub fn endBatch(link: *Link) void {
        link.lock();
        defer link.unlock();
        link.cursor.batching = false;
    }

    /// How long a report may wait: the checker reads each report with its own --timeout, so a
    /// slow step must not hold back the reports of the steps before it for long.
    pub const max_wait_ns: u64 = 1_000_000;

    /// Before a step of a batch: writes the reports waiting if the first is older than
    /// max_wait_ns (a batch of slow steps reports each as it goes).
    pub fn flushOld(link: *Link) void {
        link.lock();
        defer link.unlock();
        const c = link.cursor;
        if (c.batched == 0 or nowNs() -% c.batched_since < max_wait_ns) return;
        link.flushLocked();
    }

    /// Under the lock: the frames waiting, written now (before any other frame goes).
    fn flushLocked(link: *Link) void {
        const c = link.cursor;
        if (c.batched == 0) return;
        const n = c.batched;
        c.batched = 0;
        link.write(link.batch[0..n]);
    }

    /// For the crash handler, holding the lock: the reports waiting go before CRASH, with
    /// raw system calls.
    pub fn flushForCrash(link: *Link) void {
        const c = link.cursor;
        const n = c.batched;
        c.batched = 0;
        var sent: usize = 0;
        while (sent < n) {
            const rc = std.os.linux.sendto(link.fd, link.batch[sent..n].ptr, n - sent, std.os.linux.MSG.NOSIGNAL, null, 0);
            if (std.os.linux.E.init(rc) != .SUCCESS) return;
            sent += rc;
        }
    }

    /// Passes on bytes another process wrote as frames (the copy that runs the rest of main,
    /// ends.zig's runTail), under the lock, as they came: a relayed chunk need not end on a
    /// frame's boundary, and none of it is this process's answer (TAIL, sent after, is).
    pub fn relay(link: *Link, bytes: []const u8) void {
        link.lock();
        defer link.unlock();
        link.flushLocked();
        link.write(bytes);
    }

    /// STATE answers a RUN, TAIL a FINISH: the checker takes no VIOLATION until the next one.
    fn noteAnswer(link: *Link, frame: []const u8) void {
        const header = protocol.parseHeader(frame[0..protocol.HEADER_SIZE]) catch unreachable;
        if (header.message == .state or header.message == .tail) link.cursor.answering = false;
    }

    /// A RUN arrived: from now on a VIOLATION may answer it. A misuse that another
    /// thread made while the checker was not waiting for one is sent now; then the process
    /// waits for the checker to end it.
    pub fn beginAnswer(link: *Link) void {
        link.lock();
        link.flushLocked();
        if (link.cursor.beginAnswer()) |v| {
            var buf: [2048]u8 = undefined;
            link.write(protocol.encodeViolation(&buf, v));
            // The lock is kept: nothing else is said on this channel.
            link.waitForEnd();
        }
        link.unlock();
    }

    /// In the copy that runs the rest of main: it answers FINISH. A misuse another thread of
    /// the parent made is the parent's to report (at its next RUN), not the copy's.
    pub fn answerInCopy(link: *Link) void {
        link.cursor.answering = true;
        link.cursor.pending = null;
    }

    /// A thread other than the one that drives the channel misused the API: say it when the
    /// checker can take it (now, or as the answer to the next RUN), and never
    /// return; the checker ends the process. `exit_after`: once said, the process exits at
    /// once (the copy that runs the rest of main, whose parent waits for it).
    pub fn reportForeign(link: *Link, v: protocol.Violation, exit_after: bool) noreturn {
        link.lock();
        if (link.cursor.admitForeign(v)) |now| {
            link.flushLocked();
            var buf: [2048]u8 = undefined;
            link.write(protocol.encodeViolation(&buf, now));
            if (exit_after) std.c._exit(0);
            // The lock is kept: the thread that drives the channel must not answer after this.
        } else link.unlock();
        while (true) _ = std.os.linux.pause();
    }

    /// For the crash handler, on whichever thread crashed: take the lock unless this thread
    /// holds it already (it crashed in the middle of a send); give up after a while rather
    /// than hang in a signal handler (the thread holding it reports something itself).
    pub fn lockForCrash(link: *Link) bool {
        const self = pthread_self();
        if (link.cursor.writer.load(.acquire) == self) return true;
        var tries: u32 = 0;
        while (link.cursor.writer.cmpxchgWeak(0, self, .acquire, .monotonic) != null) : (tries += 1) {
            if (tries == 100_000) return false;
            _ = std.os.linux.sched_yield();
        }
        return true;
    }

    /// Two buffers in one sendmsg (the batch, then the frame that ends it).
    fn writeTwo(link: *Link, first: []const u8, second: []const u8) void {
        const linux = std.os.linux;
        var iov = [_]posix.iovec_const{
            .{ .base = first.ptr, .len = first.len },
            .{ .base = second.ptr, .len = second.len },
        };
        const msg = linux.msghdr_const{ .name = null, .namelen = 0, .iov = &iov, .iovlen = 2, .control = null, .controllen = 0, .flags = 0 };
        const rc = while (true) {
            const r = linux.sendmsg(link.fd, &msg, linux.MSG.NOSIGNAL);
            switch (linux.E.init(r)) {
                .SUCCESS => break r,
                .INTR, .AGAIN => continue,
                else => checkerGone(),
            }
        };
        // A partial send (a full socket buffer): the rest as usual.
        if (rc < first.len) {
            link.write(first[rc..]);
            link.write(second);
        } else if (rc < first.len + second.len) link.write(second[rc - first.len ..]);
    }

    fn write(link: *Link, frame: []const u8) void {
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
        link.lock();
        defer link.unlock();
        link.flushLocked();
        const rc = linux.sendmsg(link.fd, &msg, linux.MSG.NOSIGNAL);
        if (linux.E.init(rc) != .SUCCESS) checkerGone();
        if (rc < frame.len) link.write(frame[rc..]);
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

fn nowNs() u64 {
    var ts: std.os.linux.timespec = undefined;
    _ = std.os.linux.clock_gettime(.MONOTONIC, &ts);
    return @as(u64, @intCast(ts.sec)) * 1_000_000_000 + @as(u64, @intCast(ts.nsec));
}

fn checkerGone() noreturn {
    std.c._exit(0);
}

/// Not the C function: programs get the runtime's own (pthread.zig), which names actors.
const pthread_self = @import("os_thread.zig").current;

// ---- Tests -------------------------------------------------------------------------------

const testing = std.testing;

test "another thread's misuse is sent while a RUN is answered, else kept for the next RUN" {
    var c = Link.Cursor{};
    const v = protocol.Violation{ .kind = .misuse, .actor = 2, .steps = 3, .message = "isomc_yield called from a thread that is not an actor" };
    // Before the first STATE the checker waits for an answer: send at once.
    try testing.expectEqualStrings(v.message, c.admitForeign(v).?.message);
    // Once STATE answered the RUN, the checker may send MAP, FDS or FORK next, whose answers
    // are no VIOLATION: keep it.
    c.answering = false;
    try testing.expectEqual(null, c.admitForeign(v));
    try testing.expectEqual(null, c.admitForeign(.{ .kind = .misuse, .actor = 0, .steps = 9, .message = "a second one" }));
    const kept = c.beginAnswer().?;
    try testing.expectEqualStrings(v.message, kept.message);
    try testing.expectEqual(@as(u32, 2), kept.actor);
    try testing.expectEqual(@as(u32, 3), kept.steps);
    try testing.expect(c.answering);
}

test "STATE and TAIL end an answer, other frames do not" {
    var mapping: [8192]u8 align(4096) = undefined;
    var link = Link{ .fd = -1, .mapping = &mapping, .out = mapping[0..4096], .in = mapping[4096..], .batch = &.{}, .cursor = undefined };
    var cursor = Link.Cursor{};
    link.cursor = &cursor;
    var buf: [64]u8 = undefined;
    link.noteAnswer(protocol.encodeDone(&buf, .{ .steps = 1, .actors = 1 }));
    try testing.expect(cursor.answering);
    link.noteAnswer(protocol.encodeTail(&buf, .{ .signaled = false, .value = 0 }));
    try testing.expect(!cursor.answering);
    cursor.answering = true;
    var w = protocol.StateWriter.begin(&buf, 0, 0);
    link.noteAnswer(w.finish());
    try testing.expect(!cursor.answering);
}

test "a batch keeps the reports of points and what they announce; other frames end it" {
    var buf: [64]u8 = undefined;
    var w = protocol.StateWriter.begin(&buf, 0, protocol.state_flag_ran_on);
    try testing.expect(Link.waits(w.finish()));
    try testing.expect(Link.waits(protocol.encodeActor(&buf, .{ .id = 2, .parent = 1, .name = "b" })));
    try testing.expect(!Link.waits(protocol.encodeDone(&buf, .{ .steps = 1, .actors = 1 })));
    try testing.expect(!Link.waits(protocol.encodeExiting(&buf, .{ .status = 3, .actor = 1 })));
    try testing.expect(!Link.waits(protocol.encodeViolation(&buf, .{ .kind = .assertion, .actor = 1, .steps = 2, .message = "x" })));
}

test "a batch's reports reach the checker in one write, with the point where it stops" {
    const linux = std.os.linux;
    var pair: [2]i32 = undefined;
    try testing.expectEqual(linux.E.SUCCESS, linux.E.init(linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, &pair)));
    defer _ = linux.close(pair[1]);
    var link = try Link.open(pair[0]);
    defer {
        posix.munmap(link.mapping);
        _ = linux.close(pair[0]);
    }
    var buf: [64]u8 = undefined;
    var w = protocol.StateWriter.begin(&buf, 1, protocol.state_flag_ran_on);
    const report = w.finish();
    link.beginBatch();
    link.send(report);
    link.send(report);
    link.send(report);
    // Nothing written yet: the checker is not woken at each step.
    var got: [4096]u8 = undefined;
    const none = linux.recvfrom(pair[1], &got, got.len, linux.MSG.DONTWAIT, null, null);
    try testing.expectEqual(linux.E.AGAIN, linux.E.init(none));
    link.endBatch();
    var v = protocol.StateWriter.begin(&buf, 4, 0);
    const stop = v.finish();
    link.send(stop);
    // The three reports and the stop, in one read (one sendmsg on a stream socket).
    const n = linux.recvfrom(pair[1], &got, got.len, linux.MSG.DONTWAIT, null, null);
    try testing.expectEqual(linux.E.SUCCESS, linux.E.init(n));
    try testing.expectEqual(3 * report.len + stop.len, n);
    // Outside a batch each frame goes at once; a frame that is no report ends a batch's wait.
    link.beginBatch();
    link.send(report);
    link.send(protocol.encodeDone(&buf, .{ .steps = 2, .actors = 1 }));
    const m = linux.recvfrom(pair[1], &got, got.len, linux.MSG.DONTWAIT, null, null);
    try testing.expectEqual(linux.E.SUCCESS, linux.E.init(m));
    try testing.expectEqual(report.len + 16, m);
    link.endBatch();
}
