//! Reading a counterexample file under ISOMC_REPLAY. A trace is valid here exactly when
//! `isomc replay` accepts it (readTrace in lib/report/trace.ts, the other reader, follows the
//! same rules in the same order, and tests/trace_readers_test.ts runs both on one table of
//! malformed traces): UTF-8 JSON, an object whose "format" is "isomc-trace" and "version" 1,
//! "steps" an array of objects each with an integer "actor" >= 1 and an optional integer
//! "choice" >= 0 (both below 2^32), and "violation" null, absent, or an object whose "kind" is
//! one of the eight; a lasso's ("liveness", "non-progress") also has "cycle_start", an integer
//! from 0 to the number of steps: where its cycle starts. What is wrong is said in one line that
//! prints no raw byte of the file.

const std = @import("std");
const protocol = @import("protocol");

pub const TraceError = error{ Unreadable, NotATrace, OutOfMemory };

pub const version: f64 = 1;
const format = "isomc-trace";
const violation_kinds = [_][]const u8{ "deadlock", "assertion", "crash", "exit", "timeout", "data-race", "liveness", "non-progress" };
const kinds_text = "deadlock, assertion, crash, exit, timeout, data-race, liveness, non-progress";

/// What a lasso's trace adds: which property it violates, and where its cycle starts.
pub const Lasso = struct {
    kind: enum { liveness, non_progress },
    /// Index in the steps of the cycle's first step; steps.len when the last state repeats.
    cycle_start: u32,

    pub fn name(l: Lasso) []const u8 {
        return switch (l.kind) {
            .liveness => "liveness",
            .non_progress => "non-progress",
        };
    }
};

/// A trace as the runtime follows it: its steps (owned by the reader's allocator) and, for a
/// lasso, where the cycle starts.
pub const Trace = struct {
    steps: []protocol.Step,
    lasso: ?Lasso = null,
};
/// The largest trace read: far more steps than any search reaches.
const max_bytes = 256 * 1024 * 1024;

/// Why a trace was refused, in words (without the path).
pub const Problem = struct {
    buf: [256]u8 = undefined,
    len: usize = 0,

    pub fn text(p: *const Problem) []const u8 {
        return p.buf[0..p.len];
    }

    fn set(p: *Problem, comptime fmt: []const u8, args: anytype) void {
        p.len = (std.fmt.bufPrint(&p.buf, fmt, args) catch p.buf[0..]).len;
    }
};

fn refuse(problem: *Problem, comptime fmt: []const u8, args: anytype) error{NotATrace} {
    problem.set(fmt, args);
    return error.NotATrace;
}

/// A JSON number as JavaScript reads it (a double), or null for any other value.
fn number(v: std.json.Value) ?f64 {
    return switch (v) {
        .integer => |i| @floatFromInt(i),
        .float => |f| f,
        .number_string => |s| std.fmt.parseFloat(f64, s) catch null,
        else => null,
    };
}

/// An integer in [min, 2^32), as readTrace's isCount accepts it.
fn count(v: std.json.Value, min: f64) ?u32 {
    const n = number(v) orelse return null;
    if (!std.math.isFinite(n) or @floor(n) != n or n < min or n > 0xffff_ffff) return null;
    return @intFromFloat(n);
}

/// Parses and validates a trace; the returned steps are owned by `gpa`.
pub fn parseTrace(gpa: std.mem.Allocator, raw: []const u8, problem: *Problem) TraceError!Trace {
    // A byte-order mark is dropped, as the checker's UTF-8 decoder drops it.
    const text = if (std.mem.startsWith(u8, raw, "\xef\xbb\xbf")) raw[3..] else raw;
    if (!std.unicode.utf8ValidateSlice(text)) return refuse(problem, "not UTF-8 text", .{});
    var scanner = std.json.Scanner.initCompleteInput(gpa, text);
    defer scanner.deinit();
    var diagnostics = std.json.Diagnostics{};
    scanner.enableDiagnostics(&diagnostics);
    const parsed = std.json.parseFromTokenSource(std.json.Value, gpa, &scanner, .{
        // JSON.parse keeps the last of two equal keys, and has no limit on a value's length.
        .duplicate_field_behavior = .use_last,
        .max_value_len = @max(text.len, 1),
    }) catch |err| switch (err) {
        error.OutOfMemory => return error.OutOfMemory,
        else => return refuse(problem, "not valid JSON at line {d}, column {d}", .{ diagnostics.getLine(), diagnostics.getColumn() }),
    };
    defer parsed.deinit();

    const data = switch (parsed.value) {
        .object => |o| o,
        else => return refuse(problem, "not a JSON object", .{}),
    };
    const tag = data.get("format") orelse std.json.Value.null;
    if (tag != .string or !std.mem.eql(u8, tag.string, format)) return refuse(problem, "\"format\" is not \"" ++ format ++ "\"", .{});
    if (data.get("version")) |v| {
        const n = number(v);
        if (n == null or n.? != version) {
            if (n != null and @floor(n.?) == n.? and @abs(n.?) <= 0x1f_ffff_ffff_ffff)
                return refuse(problem, "version {d} (this isomc reads version 1)", .{@as(i64, @intFromFloat(n.?))});
            return refuse(problem, "\"version\" is not a version number (this isomc reads version 1)", .{});
        }
    } else return refuse(problem, "no \"version\" (this isomc reads version 1)", .{});
    const list = switch (data.get("steps") orelse std.json.Value.null) {
        .array => |a| a.items,
        else => return refuse(problem, "\"steps\" is not an array", .{}),
    };
    const steps = try gpa.alloc(protocol.Step, list.len);
    errdefer gpa.free(steps);
    for (list, steps, 1..) |in, *out, i| {
        const step = switch (in) {
            .object => |o| o,
            else => return refuse(problem, "step {d} needs an \"actor\" (>= 1) and a \"choice\" (>= 0)", .{i}),
        };
        const actor = count(step.get("actor") orelse .null, 1);
        const choice_value = step.get("choice") orelse std.json.Value.null;
        // An absent or null choice is 0 (readTrace: `s.choice ?? 0`).
        const choice = if (choice_value == .null) 0 else count(choice_value, 0);
        if (actor == null or choice == null)
            return refuse(problem, "step {d} needs an \"actor\" (>= 1) and a \"choice\" (>= 0)", .{i});
        out.* = .{ .actor = actor.?, .choice = choice.? };
    }
    var lasso: ?Lasso = null;
    if (data.get("violation")) |v| switch (v) {
        .null => {},
        .object => |o| {
            const kind = o.get("kind") orelse std.json.Value.null;
            const known = kind == .string and for (violation_kinds) |k| {
                if (std.mem.eql(u8, k, kind.string)) break true;
            } else false;
            if (!known) return refuse(problem, "\"violation.kind\" is not one of " ++ kinds_text, .{});
            const liveness = std.mem.eql(u8, kind.string, "liveness");
            if (liveness or std.mem.eql(u8, kind.string, "non-progress")) {
                const start = count(o.get("cycle_start") orelse .null, 0);
                if (start == null or start.? > steps.len)
                    return refuse(problem, "\"violation.cycle_start\" is not a step index from 0 to {d}", .{steps.len});
                lasso = .{ .kind = if (liveness) .liveness else .non_progress, .cycle_start = start.? };
            }
        },
        else => return refuse(problem, "\"violation.kind\" is not one of " ++ kinds_text, .{}),
    };
    return .{ .steps = steps, .lasso = lasso };
}

/// Reads and validates the trace at `path`; an unreadable file is explained in `problem`.
pub fn loadTrace(gpa: std.mem.Allocator, path: []const u8, problem: *Problem) TraceError!Trace {
    const text = std.fs.cwd().readFileAlloc(gpa, path, max_bytes) catch |err| {
        switch (err) {
            error.OutOfMemory => return error.OutOfMemory,
            error.FileNotFound => problem.set("no such file", .{}),
            error.AccessDenied, error.PermissionDenied => problem.set("permission denied", .{}),
            error.IsDir => problem.set("it is a directory", .{}),
            error.FileTooBig => problem.set("larger than {d} MiB", .{max_bytes >> 20}),
            else => problem.set("{s}", .{@errorName(err)}),
        }
        return error.Unreadable;
    };
    defer gpa.free(text);
    return parseTrace(gpa, text, problem);
}

// ---- Tests: the cases of tests/trace_readers_test.ts that need no file -------------------

const testing = std.testing;

fn refused(text: []const u8) ![]const u8 {
    const S = struct {
        var problem: Problem = .{};
    };
    if (parseTrace(testing.allocator, text, &S.problem)) |t| {
        testing.allocator.free(t.steps);
        return error.TestExpectedRefusal;
    } else |err| try testing.expectEqual(error.NotATrace, err);
    return S.problem.text();
}

test "trace steps are read and other fields ignored" {
    const text =
        \\{"format": "isomc-trace", "version": 1, "program": ["./a"],
        \\ "steps": [{"actor": 2, "choice": 1, "actor_name": "b", "transition": "x"}, {"actor": 1},
        \\           {"actor": 3.0, "choice": null}]}
    ;
    var problem: Problem = .{};
    const trace = try parseTrace(testing.allocator, text, &problem);
    const steps = trace.steps;
    defer testing.allocator.free(steps);
    try testing.expectEqual(@as(?Lasso, null), trace.lasso);
    try testing.expectEqual(@as(usize, 3), steps.len);
    try testing.expectEqual(protocol.Step{ .actor = 2, .choice = 1 }, steps[0]);
    try testing.expectEqual(protocol.Step{ .actor = 1, .choice = 0 }, steps[1]);
    try testing.expectEqual(protocol.Step{ .actor = 3, .choice = 0 }, steps[2]);
}

test "what readTrace refuses is refused, with its words" {
    try testing.expectEqualStrings("\"format\" is not \"isomc-trace\"", try refused("{\"format\": \"other\", \"steps\": []}"));
    try testing.expectEqualStrings("not valid JSON at line 1, column 2", try refused("not json"));
    try testing.expectEqualStrings("not a JSON object", try refused("[1]"));
    try testing.expectEqualStrings("version 99 (this isomc reads version 1)", try refused("{\"format\": \"isomc-trace\", \"version\": 99, \"steps\": []}"));
    try testing.expectEqualStrings("no \"version\" (this isomc reads version 1)", try refused("{\"format\": \"isomc-trace\", \"steps\": []}"));
    try testing.expectEqualStrings("step 1 needs an \"actor\" (>= 1) and a \"choice\" (>= 0)", try refused("{\"format\": \"isomc-trace\", \"version\": 1, \"steps\": [{\"actor\": \"1\"}]}"));
    try testing.expectEqualStrings("step 2 needs an \"actor\" (>= 1) and a \"choice\" (>= 0)", try refused("{\"format\": \"isomc-trace\", \"version\": 1, \"steps\": [{\"actor\": 1}, {\"actor\": 1, \"choice\": -1}]}"));
    try testing.expectEqualStrings("not UTF-8 text", try refused("{\"format\": \"\xff\"}"));
}

test "a lasso's trace says where its cycle starts" {
    var problem: Problem = .{};
    const text =
        \\{"format": "isomc-trace", "version": 1, "steps": [{"actor": 1}, {"actor": 2}],
        \\ "violation": {"kind": "non-progress", "cycle_start": 2, "formula": "G F @progress"}}
    ;
    const trace = try parseTrace(testing.allocator, text, &problem);
    defer testing.allocator.free(trace.steps);
    try testing.expectEqual(@as(u32, 2), trace.lasso.?.cycle_start);
    try testing.expectEqualStrings("non-progress", trace.lasso.?.name());
    try testing.expectEqualStrings("\"violation.cycle_start\" is not a step index from 0 to 1", try refused("{\"format\": \"isomc-trace\", \"version\": 1, \"steps\": [{\"actor\": 1}], \"violation\": {\"kind\": \"liveness\", \"cycle_start\": 2}}"));
    try testing.expectEqualStrings("\"violation.cycle_start\" is not a step index from 0 to 0", try refused("{\"format\": \"isomc-trace\", \"version\": 1, \"steps\": [], \"violation\": {\"kind\": \"liveness\"}}"));
}
