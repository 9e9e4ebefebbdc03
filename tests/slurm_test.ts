/**
 * The Slurm path for real: examples/slurm/isomc-check.sbatch submitted with 2 tasks to a one-node
 * cluster started here (tests/support/slurm.ts: Debian's slurmctld, slurmd and munge, installed
 * when missing), its --json report compared with the sequential search's, nothing of the job
 * left on the node afterwards, and the daemons stopped by their pids. A machine where the
 * cluster cannot come up (no root, apt-get failing, a daemon refusing) skips with the reason
 * printed and an ignored step named after it, which the suite's summary lists (scripts/test.ts).
 * The recipe for machines without Slurm (GNU parallel) is run too, on localhost.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { check } from "../lib/check.ts";
import { buildProgram, repoRoot } from "./support/build.ts";
import { liveProcessesOf, processes, reapStrays, startCli } from "./support/cli.ts";
import { freePort, onPath, startCluster, submit } from "./support/slurm.ts";

const script = join(repoRoot, "examples", "slurm", "isomc-check.sbatch");

async function gone(pids: readonly number[], limitMs: number): Promise<number[]> {
  const end = Date.now() + limitMs;
  let alive = [...pids];
  while (Date.now() < end) {
    const live = new Set(processes().filter((p) => p.state !== "Z").map((p) => p.pid));
    alive = pids.filter((p) => live.has(p));
    if (alive.length === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return alive;
}

Deno.test("sbatch isomc-check.sbatch with 2 workers on a one-node Slurm cluster", async (t) => {
  const cluster = await startCluster();
  if (typeof cluster === "string") {
    console.error(`slurm_test: skipped: ${cluster}`);
    await t.step({ name: `skipped: ${cluster}`, ignore: true, fn: () => {} });
    return;
  }
  try {
    // The program is copied into the scratch directory: every process of the job names it, so
    // a process left behind is seen by its command line.
    const built = await buildProgram(join(repoRoot, "examples", "dpor", "lastzero.c"));
    const program = join(cluster.dir, "lastzero");
    await Deno.copyFile(built, program);
    await Deno.chmod(program, 0o755);
    const job = await submit(cluster, script, [program, "5"], {
      ntasks: 2,
      env: {
        ISOMC: join(repoRoot, "isomc"),
        ISOMC_PORT: String(freePort()),
        ISOMC_CHECK_OPTIONS: "--reduction=sleep",
      },
      timeoutMs: 240_000,
    });

    await t.step("the job's report is the sequential search's", async () => {
      assert.equal(job.code, 0, `job ${job.id} ${job.state}: ${job.stderr}`);
      assert.equal(job.state, "COMPLETED");
      const json = JSON.parse(job.stdout);
      const seq = await check(program, ["5"], { reduction: "sleep", visited: false });
      assert.equal(json.verdict, seq.verdict);
      assert.equal(json.verdict, "ok");
      assert.equal(json.stats.executions, seq.stats.executions);
      assert.equal(json.stats.transitions, seq.stats.transitions);
      assert.equal(json.stats.states, seq.stats.states);
      assert.equal(json.parallel.workers, 2, "both srun tasks connected");
      assert.equal(json.parallel.steals, 0);
      assert.ok(json.parallel.jobs > 1, "the work was split");
      // The workers that started before the coordinator listened retried silently.
      assert.doesNotMatch(job.stderr, /cannot connect/);
    });

    await t.step("nothing of the job is left on the node", async () => {
      // The coordinator, the workers and their programs all name the program; slurmstepd
      // names the job. Slurm reports the job over a moment before its steps are reaped.
      const left = async (): Promise<string[]> => {
        const end = Date.now() + 15_000;
        let found: string[] = [];
        while (Date.now() < end) {
          found = [
            ...liveProcessesOf(program),
            ...processes().filter((p) =>
              p.state !== "Z" && p.argv.some((a) => a.includes(`[${job.id}.`))
            ),
          ].map((p) => `${p.pid} ${p.argv.join(" ")}`);
          if (found.length === 0) break;
          await new Promise((r) => setTimeout(r, 200));
        }
        return found;
      };
      assert.deepEqual(await left(), []);
    });

    await t.step("a coordinator that refuses its options ends the job with exit 2", async () => {
      // Its workers were retrying to connect: the script ends them at once, instead of letting
      // them try a hundred times, each saying it cannot connect.
      const bad = await submit(cluster, script, [program, "5"], {
        ntasks: 2,
        env: {
          ISOMC: join(repoRoot, "isomc"),
          ISOMC_PORT: String(freePort()),
          ISOMC_CHECK_OPTIONS: "--reduction=bogus",
        },
        timeoutMs: 60_000,
      });
      assert.equal(bad.code, 2, `job ${bad.id} ${bad.state}: ${bad.stderr}`);
      assert.equal(bad.state, "FAILED");
      const json = JSON.parse(bad.stdout);
      assert.equal(json.verdict, "error");
      assert.equal(json.exit, 2);
      assert.doesNotMatch(bad.stderr, /cannot connect/);
      assert.deepEqual(liveProcessesOf(program), []);
    });
  } finally {
    await cluster.stop();
  }
  await t.step(
    "the daemons started are stopped, by pid, the scratch directory removed",
    async () => {
      assert.deepEqual(await gone(cluster.pids, 5_000), []);
      assert.throws(() => Deno.statSync(cluster.dir));
      // slurmstepd daemonizes, and srun's parent (the batch script) ends first: when this test
      // process is a child subreaper (other test files make it one), they end as its children.
      // Reaped here, none still running: the later tests' checks for strays see none.
      const left = await reapStrays();
      assert.ok(left.every((s) => s.status !== "running"), JSON.stringify(left));
    },
  );
});

Deno.test("the GNU parallel recipe (examples/slurm/README.md) with 2 workers on localhost", async (t) => {
  if (!onPath("parallel")) {
    const why = "GNU parallel is not installed (apt-get install parallel; .ci/run does)";
    console.error(`slurm_test: skipped: ${why}`);
    await t.step({ name: `skipped: ${why}`, ignore: true, fn: () => {} });
    return;
  }
  const program = await buildProgram(join(repoRoot, "examples", "dpor", "lastzero.c"));
  const address = `127.0.0.1:${freePort()}`;
  const coordinator = startCli([
    "check",
    "--json",
    "--reduction=sleep",
    `--coordinator=${address}`,
    "--expect-workers=2",
    "--",
    program,
    "5",
  ]);
  // The recipe's command, with the local machine (`:`) as the two-slot ssh login.
  const isomc = join(repoRoot, "isomc");
  const recipe = `seq 2 | parallel -N0 -S 2/: --retries 20 ` +
    `"sleep 0.2; ${isomc} worker --connect=${address} -- ${program} 5"`;
  const workers = await new Deno.Command("sh", {
    args: ["-c", recipe],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const c = await coordinator.result;
  assert.equal(workers.code, 0, new TextDecoder().decode(workers.stderr));
  assert.equal(c.code, 0, c.stderr);
  const json = JSON.parse(c.stdout);
  const seq = await check(program, ["5"], { reduction: "sleep", visited: false });
  assert.equal(json.stats.executions, seq.stats.executions);
  assert.equal(json.stats.transitions, seq.stats.transitions);
  assert.equal(json.parallel.workers, 2);
  assert.deepEqual(liveProcessesOf(program), []);
  const left = await reapStrays();
  assert.ok(left.every((s) => s.status !== "running"), JSON.stringify(left));
});
