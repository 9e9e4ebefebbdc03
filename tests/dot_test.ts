/**
 * `isomc check --dot` (with --visited): the explored state graph, recorded by a decorator of
 * the search's target (lib/report/state_graph.ts) and written as Graphviz dot (dot.ts). On an
 * in-memory target given by its state table, then through the CLI on real programs with exact counts: stores.c's 4^3 = 64
 * states and 144 steps, cyclic.c's cycles; past 10,000 states the check stops with one line,
 * exit 2, and nothing written.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { exploreDfs } from "../lib/explore/dfs.ts";
import { graphDot } from "../lib/report/dot.ts";
import { StateGraph } from "../lib/report/state_graph.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { becomeSubreaper, lines, liveProcessesOf, runCli, strayChildren } from "./support/cli.ts";
import { newCounters, type Outcome, type Target } from "../lib/explore/target.ts";
import { Kind, type NameTable, type Step, type Transition } from "../lib/model/transition.ts";
import { tempDirs } from "./support/temp_dir.ts";

becomeSubreaper();

interface Dot {
  readonly nodes: Map<number, string>;
  readonly edges: { from: number; to: number; label: string }[];
}

function parseDot(text: string): Dot {
  const nodes = new Map<number, string>();
  const edges: { from: number; to: number; label: string }[] = [];
  for (const line of text.split("\n")) {
    const edge = /^ {2}s(\d+) -> s(\d+) \[label="(.*)"\];$/.exec(line);
    if (edge !== null) {
      edges.push({ from: Number(edge[1]), to: Number(edge[2]), label: edge[3] });
      continue;
    }
    const node = /^ {2}s(\d+) \[(.*)\];$/.exec(line);
    if (node !== null) nodes.set(Number(node[1]), node[2]);
  }
  assert.ok(text.startsWith("digraph isomc {\n") && text.endsWith("}\n"), "a dot digraph");
  return { nodes, edges };
}

/**
 * An in-memory target given by its state table: from each state, where each actor's step
 * (a yield) leads; a state without steps is an end. Its states have hashes, so that a search
 * with visited states can prune them (the shared fake of the search tests has none).
 */
class TableTarget implements Target {
  readonly names: NameTable = { actors: new Map([[1, "p"], [2, "q"]]), objects: new Map() };
  readonly counters = newCounters();
  private state: string;

  constructor(
    private readonly table: Readonly<Record<string, Readonly<Record<number, string>>>>,
    private readonly initial: string,
  ) {
    this.state = initial;
  }

  private outcome(): Promise<Outcome> {
    const moves = Object.keys(this.table[this.state] ?? {}).map(Number);
    if (moves.length === 0) return Promise.resolve({ kind: "done" });
    const transitions = moves.map((actor): Transition => ({
      actor,
      kind: Kind.yield,
      enabled: true,
      ready: false,
      choices: 1,
      object: 0,
      arg0: 0n,
      arg1: 0n,
      extras: [],
    }));
    return Promise.resolve({ kind: "point", point: { steps: 0, transitions } });
  }

  start(): Promise<Outcome> {
    this.state = this.initial;
    return this.outcome();
  }

  execute(step: Step): Promise<Outcome> {
    this.state = this.table[this.state][step.actor];
    return this.outcome();
  }

  restore(path: readonly Step[]): Promise<void> {
    this.state = this.initial;
    for (const s of path) this.state = this.table[this.state][s.actor];
    return Promise.resolve();
  }

  stateHash(): bigint {
    return BigInt([...this.state].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 2 ** 50, 7));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** p and q take 2 steps each, in any order: a 3 x 3 grid of states "ij". */
const grid: Record<string, Record<number, string>> = {};
for (let i = 0; i <= 2; i++) {
  for (let j = 0; j <= 2; j++) {
    const moves: Record<number, string> = {};
    if (i < 2) moves[1] = `${i + 1}${j}`;
    if (j < 2) moves[2] = `${i}${j + 1}`;
    grid[`${i}${j}`] = moves;
  }
}

Deno.test("in memory: 2 actors x 2 steps give a 3 x 3 grid, 12 steps, one end", async () => {
  const graph = new StateGraph();
  const target = graph.wrap(new TableTarget(grid, "00"));
  const r = await exploreDfs(target, { visited: true });
  assert.equal(r.verdict, "ok");
  assert.equal(graph.nodes.size, 9);
  assert.equal(r.stats.states, 9);
  assert.equal(graph.edges.size, 12);
  const ends = [...graph.nodes.values()].filter((n) => n.end === "done");
  assert.equal(ends.length, 1);
  const dot = parseDot(graphDot(graph, target.names, "grid"));
  assert.equal(dot.nodes.size, 9);
  assert.equal(dot.edges.length, 12);
  assert.ok(dot.edges.every((e) => /^[pq]: yield\(\)$/.test(e.label)));
  assert.match(dot.nodes.get(0) ?? "", /style=bold/);
  assert.match(dot.nodes.get(ends[0].id) ?? "", /shape=doublecircle/);
});

Deno.test("in memory: a cycle p -> q -> p is two states, the steps back recorded too", async () => {
  const graph = new StateGraph();
  const cycle = { a: { 1: "b", 2: "a" }, b: { 1: "a", 2: "b" } };
  const r = await exploreDfs(graph.wrap(new TableTarget(cycle, "a")), { visited: true });
  assert.equal(r.verdict, "ok");
  assert.equal(graph.nodes.size, 2);
  assert.deepEqual(
    [...graph.edges.values()].map((e) => [e.from, e.to, e.step.actor]).sort(),
    [[0, 0, 2], [0, 1, 1], [1, 0, 1], [1, 1, 2]],
  );
});

Deno.test("in memory: the bound stops the search with one line before anything is written", async () => {
  const graph = new StateGraph(5);
  await assert.rejects(
    () => exploreDfs(graph.wrap(new TableTarget(grid, "00")), { visited: true }),
    /^InputError: --dot: the explored state graph has more than 5 states; it is for small programs \(nothing written\)$/,
  );
});

const inTempDir = tempDirs("isomc-dot-");

Deno.test("stores.c: 64 states (how far each of 3 actors got), 144 steps, one final state", async () => {
  const program = await buildProgram(join(repoRoot, "tests/programs/state/stores.c"));
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--reduction=none", "--json", "--dot=g.dot", "--", program], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).stats.states, 64);
    const dot = parseDot(await Deno.readTextFile(join(dir, "g.dot")));
    assert.equal(dot.nodes.size, 64);
    // From a state where i actors are unfinished, i steps: 3 actors x 3 stores x 4^2 others.
    assert.equal(dot.edges.length, 3 * 3 * 16);
    assert.equal([...dot.nodes.values()].filter((a) => a.includes("doublecircle")).length, 1);
    const names = ["a", "b", "c"];
    for (const e of dot.edges) {
      const m = /^([abc]): store\(vars\[(\d)\], ([123])\)$/.exec(e.label);
      assert.ok(m !== null, e.label);
      assert.equal(names.indexOf(m[1]), Number(m[2]), "each actor stores to its own variable");
    }
    assert.ok(dot.edges.every((e) => e.to !== 0), "nothing leads back to the start");
  });
});

Deno.test("cyclic.c: every state has both actors' steps, and some lead back (cycles)", async () => {
  const program = await buildProgram(join(repoRoot, "tests/programs/state/cyclic.c"));
  await inTempDir(async (dir) => {
    const r = await runCli(["check", "--reduction=none", "--json", "--dot=g.dot", "--", program], {
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const stats = JSON.parse(r.stdout).stats;
    const dot = parseDot(await Deno.readTextFile(join(dir, "g.dot")));
    assert.equal(dot.nodes.size, stats.states);
    assert.equal(dot.edges.length, 2 * stats.states, "p0 and p1 can always move");
    assert.equal(dot.edges.length, stats.transitions);
    assert.ok(dot.edges.some((e) => e.to <= e.from), "a step back to a state met before");
    assert.ok([...dot.nodes.values()].every((a) => !a.includes("doublecircle")), "no end");
  });
});

Deno.test("a violation is a node of its own; --dot needs --visited; past 10,000 states: exit 2, nothing written", async () => {
  await inTempDir(async (dir) => {
    const picker = await buildProgram(join(repoRoot, "tests/programs/cli/bad_value.c"));
    const v = await runCli(["check", "--reduction=none", "--dot=v.dot", "--", picker], {
      cwd: dir,
    });
    assert.equal(v.code, 1, v.stderr);
    const dot = parseDot(await Deno.readTextFile(join(dir, "v.dot")));
    const boxes = [...dot.nodes.values()].filter((a) => a.includes("shape=box"));
    assert.deepEqual(boxes, ['shape=box, color=red, label="assertion"']);

    const none = await runCli(["check", "--dot=x.dot", "--", picker], { cwd: dir });
    assert.equal(none.code, 2);
    assert.deepEqual(lines(none.stderr), [
      "isomc: --dot draws the states --visited tells apart: it needs --visited (--restore=memory or fork, --reduction=none)",
    ]);

    const many = await buildProgram(join(repoRoot, "tests/programs/cli/many_states.c"));
    const before = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    const r = await runCli(["check", "--reduction=none", "--dot=big.dot", "--", many], {
      cwd: dir,
    });
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, "");
    assert.deepEqual(lines(r.stderr), [
      "isomc: --dot: the explored state graph has more than 10,000 states; it is for small programs (nothing written)",
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), before);
    assert.deepEqual(liveProcessesOf(many), []);
    assert.deepEqual(strayChildren(), []);
  });
});
