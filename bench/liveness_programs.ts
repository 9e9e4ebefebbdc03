/**
 * The liveness search on real programs (issue 9), and side by side with SPIN.
 *
 * 1. Product states per second and the checker's bytes per stored state on a program with more
 *    than 10^5 product states: tests/programs/liveness/counters.c (three actors each counting
 *    modulo N, `G !wrapped_all`, which holds, so the whole product is searched), without and with
 *    weak fairness. Bytes per state: the search's tables (product table, open stack, program
 *    states), then the checker's resident memory growth beyond the page store, both divided by
 *    the product states.
 * 2. The starving coordinator written twice, examples/liveness/coordinator{,_fixed}.c and
 *    bench/programs/coordinator.pml: states, seconds and verdict of `isomc check --ltl` and of
 *    SPIN (`spin -a`, `cc -O2 -DNOREDUCE`, `./pan -a`, and `-f` for weak fairness), for
 *    `G(request_1 -> F cs_1)`.
 *
 *   .tools/deno-2.9.6/bin/deno run -A bench/liveness_programs.ts [N] [--no-spin] [--limit=SECONDS]
 *
 * (after ./isomc has installed the tools and built the runtime). Writes
 * bench/results/liveness-programs.json and prints the tables of bench/README.md.
 */

import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { check, type LivenessCheck } from "../lib/check.ts";
import { compile } from "../lib/build/cc.ts";
import type { Fairness } from "../lib/liveness/search.ts";
import { parseLtl } from "../lib/ltl/parser.ts";
import { translateNegation } from "../lib/ltl/translate.ts";
import { describeMachine } from "./machine.ts";

const root = fileURLToPath(new URL("../", import.meta.url));
// The Zig ./isomc installs, unless the environment names one (./isomc sets ISOMC_ZIG).
if (Deno.env.get("ISOMC_ZIG") === undefined) {
  const pinned = Deno.readTextFileSync(join(root, "toolchain.env")).match(/^ZIG_VERSION=(.+)$/m);
  Deno.env.set("ISOMC_ZIG", join(root, ".tools", `zig-${pinned?.[1] ?? ""}`, "ziglang", "zig"));
}
const buildDir = join(root, ".isomc", "bench");
const args = Deno.args;
const n = Number(args.find((a) => /^\d+$/.test(a)) ?? 47);
const withSpin = !args.includes("--no-spin");
const limitS = Number(args.find((a) => a.startsWith("--limit="))?.slice(8) ?? 1800);
const part = args.find((a) => a.startsWith("--part="))?.slice(7) ?? "all";
/** Set in the child process that measures one case: program, argument, formula, fairness. */
const one = args.find((a) => a.startsWith("--one="))?.slice(6);

async function build(source: string, name: string): Promise<string> {
  await Deno.mkdir(buildDir, { recursive: true });
  const out = join(buildDir, name);
  await compile([join(root, source)], out, ["-O2"]);
  return out;
}

function property(formula: string, fairness: Fairness): LivenessCheck {
  return {
    kind: "liveness",
    automaton: translateNegation(parseLtl(formula)),
    formula,
    fairness,
  };
}

/** A field of /proc/self/status, in bytes (VmRSS now, VmHWM the peak). */
function status(field: string): number {
  const m = Deno.readTextFileSync("/proc/self/status").match(
    new RegExp(`^${field}:\\s+(\\d+) kB`, "m"),
  );
  return Number(m?.[1] ?? 0) * 1024;
}

interface IsomcRun {
  verdict: string;
  product_states: number;
  program_states: number;
  transitions: number;
  max_depth: number;
  seconds: number;
  product_states_per_second: number;
  table_bytes_per_state: number;
  rss_growth_bytes_per_state: number;
  page_store_bytes: number;
}

/** One case, measured in this process (the child): its own peak resident memory counts. */
async function measure(
  program: string,
  programArgs: string[],
  formula: string,
  fairness: Fairness,
): Promise<IsomcRun> {
  // A first, cut search loads what every search needs (the native library, the modules, a run
  // of the program): the memory measured is then what grows with the states.
  await check(program, programArgs, { liveness: property(formula, fairness), maxDepth: 2 });
  const before = status("VmRSS");
  const r = await check(program, programArgs, {
    liveness: property(formula, fairness),
    signal: AbortSignal.timeout(limitS * 1000),
  });
  const peak = status("VmHWM");
  const s = r.liveness!.stats;
  const store = (r.state?.storePeakPages ?? 0) * 4096;
  return {
    verdict: r.verdict === "incomplete" ? `incomplete (${r.incomplete})` : r.verdict,
    product_states: s.states,
    program_states: s.programStates,
    transitions: s.transitions,
    max_depth: s.maxDepth,
    seconds: Number(s.seconds.toFixed(3)),
    product_states_per_second: Math.round(s.states / s.seconds),
    table_bytes_per_state: Number((s.tableBytes / s.states).toFixed(1)),
    rss_growth_bytes_per_state: Number((Math.max(0, peak - before - store) / s.states).toFixed(1)),
    page_store_bytes: store,
  };
}

/** One case in a fresh process, so that its memory is its own. */
async function isomc(
  program: string,
  programArgs: string[],
  formula: string,
  fairness: Fairness,
): Promise<IsomcRun> {
  const spec = JSON.stringify({ program, programArgs, formula, fairness });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(import.meta.url), `--one=${spec}`, `--limit=${limitS}`],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

interface SpinRun {
  verdict: string;
  states: number;
  pan_seconds: number;
  build_seconds: number;
}

async function run(cmd: string, cmdArgs: string[], cwd: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args: cmdArgs, cwd, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success && cmd !== "./pan") throw new Error(`${cmd} ${cmdArgs.join(" ")}: ${text}`);
  return text;
}

async function spin(fixed: boolean, fairness: Fairness): Promise<SpinRun> {
  const dir = await Deno.makeTempDir({ prefix: "isomc-bench-spin-" });
  try {
    await Deno.copyFile(join(root, "bench/programs/coordinator.pml"), join(dir, "c.pml"));
    const t0 = performance.now();
    await run("spin", [...(fixed ? ["-DFIXED"] : []), "-a", "c.pml"], dir);
    await run("cc", ["-O2", "-DNOREDUCE", "-o", "pan", "pan.c"], dir);
    const built = (performance.now() - t0) / 1000;
    const text = await run("./pan", ["-a", ...(fairness === "weak" ? ["-f"] : [])], dir);
    const errors = Number(text.match(/errors: (\d+)/)?.[1] ?? NaN);
    return {
      verdict: errors === 0 ? "ok" : "violation",
      states: Number(text.match(/(\d+) states, stored/)?.[1] ?? NaN),
      pan_seconds: Number(text.match(/elapsed time ([\d.e+-]+) seconds/)?.[1] ?? NaN),
      build_seconds: Number(built.toFixed(2)),
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (one !== undefined) {
  const c = JSON.parse(one);
  console.log(JSON.stringify(await measure(c.program, c.programArgs, c.formula, c.fairness)));
  Deno.exit(0);
}

const torus: Record<string, IsomcRun> = {};
if (part !== "coordinator") {
  const counters = await build("tests/programs/liveness/counters.c", "counters");
  for (const fairness of ["none", "weak"] as const) {
    torus[fairness] = await isomc(counters, [String(n)], "G !wrapped_all", fairness);
  }
}

const formula = "G(request_1 -> F cs_1)";
const coordinator: Record<string, { isomc: IsomcRun; spin: SpinRun | null }> = {};
for (const fixed of part === "counters" ? [] : [false, true]) {
  const name = fixed ? "coordinator_fixed" : "coordinator";
  const program = await build(`examples/liveness/${name}.c`, name);
  for (const fairness of ["none", "weak"] as const) {
    coordinator[`${name} ${fairness}`] = {
      isomc: await isomc(program, [], formula, fairness),
      spin: withSpin ? await spin(fixed, fairness) : null,
    };
  }
}

const results = { machine: await describeMachine(), n, torus, coordinator };
await Deno.mkdir(join(root, "bench", "results"), { recursive: true });
await Deno.writeTextFile(
  join(root, "bench", "results", `liveness-programs${part === "all" ? "" : `-${part}`}.json`),
  JSON.stringify(results, null, 2) + "\n",
);

const count = new Intl.NumberFormat("en-US");
console.log(`counters.c ${n}, G !wrapped_all (load average ${Deno.loadavg().join(", ")})`);
console.log(
  "| fairness | verdict | product states | program states | transitions | max depth | seconds | product states/s | table bytes/state | peak RSS beyond the page store, bytes/state |",
);
for (const [f, r] of Object.entries(torus)) {
  console.log(
    `| ${f} | ${r.verdict} | ${count.format(r.product_states)} | ${
      count.format(r.program_states)
    } | ${count.format(r.transitions)} | ${count.format(r.max_depth)} | ${r.seconds.toFixed(2)} | ${
      count.format(r.product_states_per_second)
    } | ${r.table_bytes_per_state} | ${count.format(r.rss_growth_bytes_per_state)} |`,
  );
}
console.log(`\nthe starving coordinator, ${formula}`);
console.log(
  "| program | fairness | isomc verdict | isomc product states | isomc s | SPIN verdict | SPIN states stored | pan s | spin -a + cc s |",
);
for (const [k, { isomc: i, spin: s }] of Object.entries(coordinator)) {
  const [name, f] = k.split(" ");
  console.log(
    `| ${name} | ${f} | ${i.verdict} | ${count.format(i.product_states)} | ${
      i.seconds.toFixed(2)
    } | ${s?.verdict ?? "-"} | ${s === null ? "-" : count.format(s.states)} | ${
      s?.pan_seconds ?? "-"
    } | ${s?.build_seconds ?? "-"} |`,
  );
}
