//! An actor's life on the kernel's one OS thread: its creation (a stack, its arenas when the
//! checker compares states, its TLS image), the context switches between the maestro and the
//! actor until it parks at a visible operation (perform) or returns (finishCurrent), and the
//! start of the actors a step created. Kernel's createActor, perform and finishCurrent.

const std = @import("std");
const protocol = @import("protocol");
const context = @import("context.zig");
const objects = @import("objects.zig");
const transitions = @import("transitions.zig");
const malloc = @import("malloc.zig");
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;
const ActorCode = kernel_mod.ActorCode;
const fatal = kernel_mod.fatal;

pub fn createActor(k: *Kernel, name: []const u8, code: ActorCode, arg: ?*anyopaque) *Actor {
    if (k.actors.items.len + 1 >= objects.max_actors)
        fatal(3, "a program may create at most {d} actors", .{objects.max_actors - 1});
    const id: u32 = @intCast(k.actors.items.len + 1);
    const al = k.objectAllocator();
    const actor = al.create(Actor) catch k.outOfMemory();
    var stack = context.Stack.init(k.options.stack_size) catch k.outOfMemory();
    k.book.maps_epoch +%= 1;
    // An actor's arenas are set up at their first use, or when it is created if the checker
    // compares states: whether an actor has ever allocated must not make two equal states
    // differ, but an arena costs a mapping, which costs every snapshot a little.
    if (k.report_stacks) {
        _ = k.object_arenas.?.get(id) catch k.outOfMemory();
        _ = malloc.arenaOf(id) orelse k.outOfMemory();
    }
    actor.* = .{
        .kernel = k,
        .id = id,
        .parent = if (k.current) |c| c.id else 0,
        .name = al.dupeZ(u8, name) catch k.outOfMemory(),
        .code = code,
        .arg = arg,
        .stack = stack,
    };
    actor.context = context.make(stack.usable, actorEntry, actor);
    if (k.tls) |*b| {
        const image = al.alloc(u8, b.live.len) catch k.outOfMemory();
        if (k.actors.items.len == 0) @memcpy(image, b.live) else b.fresh(image);
        actor.tls = image.ptr;
    }
    k.actors.append(k.gpa, actor) catch k.outOfMemory();
    k.alive += 1;
    std.debug.assert(k.alive <= k.actors.items.len);
    if (k.link) |*link| {
        link.send(protocol.encodeActor(link.out, .{ .id = actor.id, .parent = actor.parent, .name = actor.name }));
    }
    stack = undefined;
    return actor;
}

fn actorEntry(arg: *anyopaque) callconv(.c) noreturn {
    const actor: *Actor = @ptrCast(@alignCast(arg));
    actor.code(actor.arg);
    actor.kernel.finishCurrent();
}

/// Ends the running actor where it stands, as if its code returned (its code's return, or
/// pthread_exit from any depth: the frames left on its stack are dead).
pub fn finishCurrent(k: *Kernel) noreturn {
    const actor = k.current.?;
    std.debug.assert(actor.status == .running);
    std.debug.assert(k.alive > 0);
    actor.status = .finished;
    k.alive -= 1;
    context.swap(&actor.context, &k.maestro_context);
    unreachable;
}

/// Called by the API, in the actor's context: parks the actor at a visible operation until
/// the maestro executes it, and returns the operation's result. `site` is the program's
/// call site (the return address into the program of the isomc_* function it called).
pub fn perform(k: *Kernel, op: transitions.Op, site: usize) i64 {
    const actor = k.current orelse
        k.violation(null, .misuse, "isomc_{s} called outside an actor", .{@tagName(op)});
    std.debug.assert(actor.status == .running);
    transitions.setOp(actor, op);
    actor.site = site;
    actor.status = .pending;
    context.swap(&actor.context, &k.maestro_context);
    std.debug.assert(k.current == actor);
    // Taken, not kept: a stale result would make equal states differ (docs/state.md).
    const result = actor.result;
    actor.result = 0;
    return result;
}

pub fn resumeActor(k: *Kernel, actor: *Actor) void {
    std.debug.assert(k.current == null);
    std.debug.assert(actor.status == .created or actor.status == .pending);
    actor.status = .running;
    transitions.setOp(actor, .none);
    // Like `op`: a finished actor keeps no trace of where it last called the API.
    actor.site = 0;
    k.current = actor;
    if (k.tls) |*b| b.load(actor.tls.?[0..b.live.len]);
    context.swap(&k.maestro_context, &actor.context);
    // Saved and cleared: the live block holds nobody's variables while the maestro runs.
    if (k.tls) |*b| b.save(actor.tls.?[0..b.live.len]);
    // Where the maestro's stack was when it switched: stale now, and different after
    // different paths to the same state (the record is program state, the stack is not).
    k.maestro_context = .{};
    k.current = null;
    // Under the checker a finished actor's stack stays mapped: a restore may bring the
    // actor back, and mappings that come and go cost the checker a re-read of the maps.
    if (actor.status == .finished and k.link == null) {
        if (actor.stack) |*s| s.deinit();
        actor.stack = null;
    }
}

/// Runs every actor created since the last call up to its first visible operation.
pub fn startCreated(k: *Kernel) void {
    while (k.started < k.actors.items.len) {
        const actor = k.actors.items[k.started];
        k.started += 1;
        std.debug.assert(actor.status == .created);
        resumeActor(k, actor);
    }
}
