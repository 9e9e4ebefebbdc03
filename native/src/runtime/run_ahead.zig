//! Running ahead (docs/protocol.md, "Running ahead"): past a RUN's steps the runtime goes on by
//! the RUN's continuation rule, reporting each point it passes, and stops where the rule says
//! the checker must choose.

const protocol = @import("protocol");
const transitions = @import("transitions.zig");
const maestro = @import("maestro.zig");
const reports = @import("reports.zig");
const kernel_mod = @import("kernel.zig");
const Kernel = kernel_mod.Kernel;
const Actor = kernel_mod.Actor;

/// A RUN's continuation (docs/protocol.md, "Running ahead"): the runtime goes on by itself,
/// reporting each point it passes (STATE with the ran-on flag) before it takes the rule's
/// next known step there, or past them the lowest enabled actor's first choice, and stops —
/// the caller reports the point — at the end, at a point with nothing enabled, a known step
/// that cannot be taken, a point whose lowest enabled actor is asleep in the checker's search
/// (past the known steps), a branching point at or past the rule's depth (where the checker
/// snapshots), after a step that created actors, or after the rule's number of steps. A
/// violation or a crash stops it on its own. The rule needs no independence relation: an
/// actor not asleep where the batch starts is not asleep below (a sleep set only shrinks).
pub fn runAhead(k: *Kernel, rule: protocol.Ahead) void {
    const link = &k.link.?;
    link.beginBatch();
    defer link.endBatch();
    var taken: u32 = 0;
    while (taken < rule.max_steps and k.alive > 0) : (taken += 1) {
        const next = aheadStep(k, rule, taken) orelse return;
        reports.sendStateFlagged(k, protocol.state_flag_ran_on);
        link.flushOld();
        const actors_before = k.actors.items.len;
        maestro.execute(k, next.actor, next.choice);
        if (k.actors.items.len != actors_before) return;
    }
}

const AheadChoice = struct { actor: *Actor, choice: u32 };

/// The step the continuation rule takes at this point (its `taken`-th), or null where it stops.
fn aheadStep(k: *Kernel, rule: protocol.Ahead, taken: u32) ?AheadChoice {
    if (taken < rule.known_count) {
        const step = rule.known(taken);
        // A snapshot point stops known steps too: the checker snapshots there.
        if (k.book.steps >= rule.branch_stop and branchesHere(k)) return null;
        const actor = k.actorById(step.actor) orelse return null;
        if (actor.status != .pending or !transitions.isEnabled(actor)) return null;
        if (step.choice >= transitions.choiceCount(actor)) return null;
        return .{ .actor = actor, .choice = step.choice };
    }
    var lowest: ?*Actor = null;
    var choices: u64 = 0;
    const may_snapshot = k.book.steps >= rule.branch_stop;
    for (k.actors.items) |a| {
        if (a.status != .pending or !transitions.isEnabled(a)) continue;
        if (lowest == null) {
            if (rule.isAsleep(a.id)) return null;
            lowest = a;
        }
        choices += transitions.choiceCount(a);
        if (choices > 1 and may_snapshot) return null;
        // Past the lowest, only whether the point branches matters.
        if (!may_snapshot) break;
    }
    return if (lowest) |a| .{ .actor = a, .choice = 0 } else null;
}

/// Whether this point offers two or more enabled steps (every choice of every actor counted).
fn branchesHere(k: *Kernel) bool {
    var choices: u64 = 0;
    for (k.actors.items) |a| {
        if (a.status != .pending or !transitions.isEnabled(a)) continue;
        choices += transitions.choiceCount(a);
        if (choices > 1) return true;
    }
    return false;
}
