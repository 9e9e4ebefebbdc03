//! The C ABI of libisomc_checker, loaded by the TypeScript checker with Deno.dlopen
//! (lib/native/library.ts declares the same symbols). Results are plain integers so the FFI layer
//! stays trivial: 0 or a positive count for success, documented negative codes otherwise.
//! Nothing is kept between calls except what the caller holds (pids, fds, channel handles).

const std = @import("std");
const linux = std.os.linux;
const process = @import("process.zig");
const channel = @import("channel.zig");
const pipes = @import("pipes.zig");
const fd_list = @import("fd_list");

comptime {
    _ = @import("state_ffi.zig");
}

/// Bumped whenever an exported signature or result code changes; lib/native/library.ts checks it.
pub const NATIVE_ABI: u32 = 7;

const gpa = std.heap.page_allocator;

export fn isomc_native_abi() u32 {
    return NATIVE_ABI;
}

export fn isomc_protocol_version() u32 {
    return @import("protocol").PROTOCOL_VERSION;
}

/// A connected pair of stream sockets, both close-on-exec. Returns 0 or an errno.
export fn isomc_socketpair(out: *[2]i32) i32 {
    const rc = linux.socketpair(linux.AF.UNIX, linux.SOCK.STREAM | linux.SOCK.CLOEXEC, 0, out);
    return @intCast(@intFromEnum(linux.E.init(rc)));
}

export fn isomc_close(fd: i32) void {
    _ = linux.close(fd);
}

/// Splits "a\x00b\x00" into a null-terminated array of pointers into the blob.
fn splitBlob(blob: [*]const u8, len: usize) ![*:null]?[*:0]const u8 {
    const bytes = blob[0..len];
    if (len > 0 and bytes[len - 1] != 0) return error.BadArguments;
    const count = std.mem.count(u8, bytes, "\x00");
    const list = try gpa.allocSentinel(?[*:0]const u8, count, null);
    var start: usize = 0;
    for (list) |*slot| {
        const end = std.mem.indexOfScalarPos(u8, bytes, start, 0).?;
        slot.* = @ptrCast(bytes[start..end :0].ptr);
        start = end + 1;
    }
    return list.ptr;
}

fn freeBlobList(list: [*:null]?[*:0]const u8) void {
    gpa.free(std.mem.span(list));
}

pub const spawn_inherit_output: u32 = 1 << 0;
pub const spawn_keep_aslr: u32 = 1 << 1;
pub const spawn_stdout_to_stderr: u32 = 1 << 2;
/// Pin the child, and the calling thread, to the CPU the calling thread is on.
pub const spawn_pin_cpu: u32 = 1 << 3;
/// Fixed bytes at AT_RANDOM (exec_random.zig), and the kept descriptor at number
/// spawn_channel_fd: the copies of a program start alike (docs/state.md).
pub const spawn_alike: u32 = 1 << 4;
pub const spawn_channel_fd: i32 = 3;

/// Starts argv[0] with the given environment; `stdout_fd` and `stderr_fd` (or -1) become its
/// stdout and stderr. On success returns 0 and out = {pid, pidfd, AT_RANDOM fixed}.
/// A positive result is the errno of a failed exec (ENOENT, EACCES, ENOEXEC...); negative:
/// -1 out of memory, -2 the system refused (fork, pipe, pidfd), -3 malformed arguments.
export fn isomc_spawn(
    argv_blob: [*]const u8,
    argv_len: usize,
    env_blob: [*]const u8,
    env_len: usize,
    keep_fd: i32,
    stdout_fd: i32,
    stderr_fd: i32,
    flags: u32,
    out: *[3]i32,
) i32 {
    const argv = splitBlob(argv_blob, argv_len) catch |err| return if (err == error.OutOfMemory) -1 else -3;
    defer freeBlobList(argv);
    if (argv[0] == null) return -3;
    const envp = splitBlob(env_blob, env_len) catch |err| return if (err == error.OutOfMemory) -1 else -3;
    defer freeBlobList(envp);
    const result = process.spawn(.{
        .argv = argv,
        .envp = envp,
        .keep_fd = keep_fd,
        .inherit_output = flags & spawn_inherit_output != 0,
        .stdout_to_stderr = flags & spawn_stdout_to_stderr != 0,
        .stdout_fd = stdout_fd,
        .stderr_fd = stderr_fd,
        .pin_cpu = if (flags & spawn_pin_cpu != 0) pinCaller() else null,
        .no_aslr = flags & spawn_keep_aslr == 0,
        .keep_fd_as = if (flags & spawn_alike != 0) spawn_channel_fd else -1,
        .fixed_random = flags & spawn_alike != 0,
    }) catch |err| return switch (err) {
        error.OutOfMemory => -1,
        error.SystemResources, error.ExecFailed => -2,
    };
    switch (result) {
        .exec_errno => |e| return e,
        .child => |c| {
            // out[2]: 1 when AT_RANDOM holds the fixed bytes (spawn_alike, and the kernel let
            // the child be traced).
            out.* = .{ c.pid, c.pidfd, @intFromBool(c.random_fixed) };
            return 0;
        },
    }
}

/// A file in memory (memfd) opened for appending, to capture the program's stdout or stderr:
/// its writes land at the end whatever offset a forked copy left, and the checker truncates it
/// when it takes the program back to an earlier state. Returns the descriptor or -errno.
export fn isomc_output_file(name: [*:0]const u8) i32 {
    const rc = linux.memfd_create(name, linux.MFD.CLOEXEC);
    if (linux.E.init(rc) != .SUCCESS) return -@as(i32, @intCast(@intFromEnum(linux.E.init(rc))));
    const fd: i32 = @intCast(rc);
    const set = linux.fcntl(fd, linux.F.SETFL, @as(u32, @bitCast(linux.O{ .APPEND = true })));
    if (linux.E.init(set) != .SUCCESS) {
        _ = linux.close(fd);
        return -@as(i32, @intCast(@intFromEnum(linux.E.init(set))));
    }
    return fd;
}

/// The size of the file behind `fd`, or -errno.
export fn isomc_fd_size(fd: i32) i64 {
    var st: linux.Stat = undefined;
    const rc = linux.fstat(fd, &st);
    if (linux.E.init(rc) != .SUCCESS) return -@as(i64, @intFromEnum(linux.E.init(rc)));
    return st.size;
}

/// Cuts the file behind `fd` to `size` bytes; 0 or an errno.
export fn isomc_fd_truncate(fd: i32, size: u64) i32 {
    return @intCast(@intFromEnum(linux.E.init(linux.ftruncate(fd, @intCast(size)))));
}

/// Reads up to `cap` bytes at `offset`; returns how many, or -errno.
export fn isomc_fd_pread(fd: i32, out: [*]u8, cap: usize, offset: u64) i64 {
    while (true) {
        const rc = linux.pread(fd, out, cap, @intCast(offset));
        switch (linux.E.init(rc)) {
            .SUCCESS => return @intCast(rc),
            .INTR => continue,
            else => |e| return -@as(i64, @intFromEnum(e)),
        }
    }
}

/// Pins the calling thread where it runs now, once; returns that CPU.
fn pinCaller() ?u32 {
    const cpu = process.currentCpu() orelse return null;
    process.pinTo(cpu);
    return cpu;
}

/// Waits up to timeout_ms (negative: forever). Returns 0 while running, 1 when it exited
/// (out[0] = status), 2 when a signal ended it (out[0] = signal number).
export fn isomc_wait(pid: i32, pidfd: i32, timeout_ms: i32, out: *[1]i32) i32 {
    switch (process.wait(.{ .pid = pid, .pidfd = pidfd }, timeout_ms)) {
        .running => return 0,
        .exited => |code| {
            out[0] = code;
            return 1;
        },
        .signaled => |sig| {
            out[0] = sig;
            return 2;
        },
    }
}

/// Makes the checker a child subreaper (orphans of its programs' processes come to it).
/// Returns 0, or -2 if the kernel refused.
export fn isomc_become_subreaper() i32 {
    return if (process.becomeSubreaper()) 0 else -2;
}

/// Kills the program's process group and reaps it; closes the pidfd.
export fn isomc_kill(pid: i32, pidfd: i32) void {
    process.kill(.{ .pid = pid, .pidfd = pidfd });
}

/// 1 if the checker has a child (running, or a zombie not reaped), 0 if it has none.
export fn isomc_has_children() i32 {
    return @intFromBool(process.hasChildren());
}

/// Closes the pidfd of a program that wait() reported as ended.
export fn isomc_release(pidfd: i32) void {
    process.release(.{ .pid = 0, .pidfd = pidfd });
}

/// Takes ownership of fd (closed by isomc_channel_close). Null when out of memory.
export fn isomc_channel_open(fd: i32) ?*channel.Channel {
    const ch = gpa.create(channel.Channel) catch return null;
    ch.* = channel.Channel.init(gpa, fd) catch {
        gpa.destroy(ch);
        return null;
    };
    return ch;
}

export fn isomc_channel_close(ch: *channel.Channel) void {
    ch.deinit();
    gpa.destroy(ch);
}

/// The descriptor that came with the last frames (FORKED's channel), or -1; the caller owns it.
export fn isomc_channel_take_fd(ch: *channel.Channel) i32 {
    return ch.takeFd();
}

/// Pipe errors for the TypeScript side: -1 the process is gone, -2 not a pipe, -3 too large
/// for the buffer, -4 any other failure.
fn pipeError(e: pipes.Error) i64 {
    return switch (e) {
        error.ProcessGone => -1,
        error.NotAPipe => -2,
        error.TooLarge => -3,
        error.Failed => -4,
    };
}

/// The bytes buffered in the pipe whose read end is `fd` in the program behind `pidfd`, copied
/// into `out` without being taken; returns their count or a pipeError.
export fn isomc_pipe_peek(pidfd: i32, fd: i32, out: [*]u8, cap: usize) i64 {
    const got = pipes.peek(pidfd, fd, out[0..cap]) catch |e| return pipeError(e);
    return @intCast(got.len);
}

/// Empties the program's pipe (read end `read_fd`) and writes `data` into it through
/// `write_fd`; returns 0 or a pipeError.
export fn isomc_pipe_refill(pidfd: i32, read_fd: i32, write_fd: i32, data: [*]const u8, len: usize) i64 {
    pipes.refill(pidfd, read_fd, write_fd, data[0..len]) catch |e| return pipeError(e);
    return 0;
}

/// Opens /proc/PID/fd, for isomc_list_fds.
export fn isomc_open_fd_dir(pid: i32) i32 {
    var path: [64]u8 = undefined;
    const p = std.fmt.bufPrintZ(&path, "/proc/{d}/fd", .{pid}) catch return -22;
    const dir = linux.open(p, .{ .ACCMODE = .RDONLY, .DIRECTORY = true, .CLOEXEC = true }, 0);
    if (linux.E.init(dir) != .SUCCESS) return -@as(i32, @intCast(@intFromEnum(linux.E.init(dir))));
    return @intCast(dir);
}

/// Lists the descriptor numbers above 2 of the process whose /proc/PID/fd is open as `dir`
/// (isomc_open_fd_dir, kept open: opening it is the expensive part); returns how many (at
/// most `cap`), or -errno. Returns 0 at once when the process holds at most `at_most`.
export fn isomc_list_fds(dir: i32, at_most: usize, out: [*]i32, cap: usize) i32 {
    // Since Linux 6.2 the directory's size is the number of open descriptors: when it is no
    // more than `at_most` (stdio and the runtime's own), there is nothing to list.
    var st: linux.Stat = undefined;
    if (linux.E.init(linux.fstat(dir, &st)) == .SUCCESS and st.size > 0 and st.size <= at_most) return 0;
    const n = fd_list.list(dir, out[0..cap]) catch return -9;
    return @intCast(n);
}

/// A pidfd for a process that is not our child (a copy forked by a checkpoint), or -errno.
export fn isomc_pidfd_open(pid: i32) i32 {
    const rc = linux.pidfd_open(pid, 0);
    return switch (linux.E.init(rc)) {
        .SUCCESS => @intCast(rc),
        else => |e| -@as(i32, @intCast(@intFromEnum(e))),
    };
}

/// Sends one frame. Returns 0 or an errno (EPIPE when the program has gone).
export fn isomc_channel_send(ch: *channel.Channel, frame: [*]const u8, len: usize) i32 {
    return @intCast(@intFromEnum(ch.send(frame[0..len])));
}

pub const recv_timeout: i32 = -1;
pub const recv_closed: i32 = -2;
pub const recv_bad_header: i32 = -3;
pub const recv_too_large: i32 = -4;

/// Copies the next whole frame into out and returns its length; or -1 on timeout, -2 when the
/// program closed the channel, -3 on an impossible header, -4 when out is too small, and
/// -(1000 + errno) on an I/O error.
export fn isomc_channel_recv(ch: *channel.Channel, out: [*]u8, cap: usize, timeout_ms: i32) i32 {
    return switch (ch.receive(timeout_ms)) {
        .frame => |f| {
            if (f.len > cap) return recv_too_large;
            @memcpy(out[0..f.len], f);
            return @intCast(f.len);
        },
        .timeout => recv_timeout,
        .closed => recv_closed,
        .bad_header => recv_bad_header,
        .io_error => |e| -(1000 + @as(i32, @intCast(@intFromEnum(e)))),
    };
}

test {
    _ = process;
    _ = @import("exec_random.zig");
    _ = channel;
    _ = pipes;
    _ = @import("state/maps.zig");
    _ = @import("state/page_store.zig");
    _ = @import("state/layout.zig");
    _ = @import("state/remote.zig");
    _ = @import("state/tracker.zig");
    _ = @import("state/engine.zig");
    _ = @import("state/engine_test.zig");
    _ = @import("state/shared.zig");
}

test "argument blobs split into C strings" {
    const blob = "/bin/echo\x00hello world\x00";
    const list = try splitBlob(blob, blob.len);
    defer freeBlobList(list);
    try std.testing.expectEqualStrings("/bin/echo", std.mem.span(list[0].?));
    try std.testing.expectEqualStrings("hello world", std.mem.span(list[1].?));
    try std.testing.expectEqual(null, list[2]);
    try std.testing.expectError(error.BadArguments, splitBlob("x", 1));
}
