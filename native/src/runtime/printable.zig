//! Text from outside (a path, a file's bytes) made safe for a one-line message: control
//! characters, invisible format characters (bidirectional overrides, zero-width spaces) and
//! bytes that are not UTF-8 are written as escapes, so a message never prints raw bytes.
//! lib/report/printable.ts applies the same rules on the checker's side.

const std = @import("std");

/// Code points written as `\u{hex}`: C1 controls and the invisible format characters.
fn isInvisible(cp: u21) bool {
    return (cp >= 0x80 and cp <= 0x9f) or cp == 0x061c or (cp >= 0x200b and cp <= 0x200f) or
        (cp >= 0x2028 and cp <= 0x202e) or (cp >= 0x2060 and cp <= 0x2069) or cp == 0xfeff;
}

/// Writes `text` with its non-printable content escaped.
pub fn write(w: *std.Io.Writer, text: []const u8) std.Io.Writer.Error!void {
    var i: usize = 0;
    while (i < text.len) {
        const b = text[i];
        if (b < 0x20 or b == 0x7f) {
            try w.print("\\x{x:0>2}", .{b});
            i += 1;
            continue;
        }
        if (b < 0x80) {
            try w.writeByte(b);
            i += 1;
            continue;
        }
        const n = std.unicode.utf8ByteSequenceLength(b) catch 0;
        const cp: ?u21 = if (n == 0 or i + n > text.len) null else std.unicode.utf8Decode(text[i..][0..n]) catch null;
        if (cp) |c| {
            if (isInvisible(c)) try w.print("\\u{{{x}}}", .{c}) else try w.writeAll(text[i..][0..n]);
            i += n;
        } else {
            try w.print("\\x{x:0>2}", .{b});
            i += 1;
        }
    }
}

/// A `{f}` formatter for `write`.
pub fn fmt(text: []const u8) std.fmt.Alt([]const u8, formatText) {
    return .{ .data = text };
}

fn formatText(text: []const u8, w: *std.Io.Writer) std.Io.Writer.Error!void {
    return write(w, text);
}

const testing = std.testing;

fn escaped(text: []const u8) ![]const u8 {
    const S = struct {
        var buf: [256]u8 = undefined;
    };
    return std.fmt.bufPrint(&S.buf, "{f}", .{fmt(text)});
}

test "control characters, C1 and format characters are escaped, printable text is kept" {
    try testing.expectEqualStrings("a\\x01b\\x7f\\x0a", try escaped("a\x01b\x7f\n"));
    try testing.expectEqualStrings("caf\u{e9} \\u{202e}x\\u{85}", try escaped("caf\u{e9} \u{202e}x\u{85}"));
    try testing.expectEqualStrings("trace.json", try escaped("trace.json"));
}

test "bytes that are not UTF-8 are escaped one by one" {
    try testing.expectEqualStrings("\\xff\\xfe{", try escaped("\xff\xfe{"));
    // A sequence cut short at the end of the text.
    try testing.expectEqualStrings("x\\xe2\\x82", try escaped("x\xe2\x82"));
}
