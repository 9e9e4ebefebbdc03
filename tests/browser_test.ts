/**
 * The HTML page of a counterexample, opened in a real browser: headless Chromium (Debian's
 * `chromium`, installed by .ci/run) takes a screenshot and dumps the DOM of `isomc check
 * --html`'s page, offline (a fresh profile, no network features). The screenshot is decoded
 * and must show the chart (ink, the violation's red, the steps' blue), unlike a blank page's;
 * the DOM must hold the chart and the actors' names. A machine without Chromium fails here with
 * a clear message; what the browser leaves behind (its zygotes, crashpad) is reaped.
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { buildProgram, repoRoot } from "./support/build.ts";
import { becomeSubreaper, reapStrays, runCli } from "./support/cli.ts";
import { countColour, decodePng, inkPixels } from "./support/png.ts";

becomeSubreaper();

function findChromium(): string | null {
  for (const dir of (Deno.env.get("PATH") ?? "/usr/bin").split(":")) {
    for (const name of ["chromium", "chromium-browser"]) {
      try {
        const path = join(dir, name);
        if (Deno.statSync(path).isFile) return path;
      } catch {
        // not there
      }
    }
  }
  return null;
}

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Runs Chromium on `url` with `extra` flags and a fresh profile; returns its stdout. */
async function chromium(
  browser: string,
  dir: string,
  extra: string[],
  url: string,
): Promise<string> {
  const profile = await Deno.makeTempDir({ dir, prefix: "profile-" });
  const out = await new Deno.Command(browser, {
    args: [...flags, `--user-data-dir=${profile}`, ...extra, url],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `chromium failed: ${stderr}`);
  // Its helpers (zygotes, crashpad) outlive it for a moment: reap them, none may stay.
  const left = await reapStrays();
  assert.deepEqual(left.filter((p) => p.status === "running"), [], "chromium left processes");
  return new TextDecoder().decode(out.stdout);
}

Deno.test("the HTML page of a deadlock renders in headless Chromium: the chart drawn, the actors in the DOM", async () => {
  const browser = findChromium();
  assert.ok(
    browser !== null,
    "chromium is not installed: the browser test needs Debian's chromium (.ci/run installs it: apt-get install chromium)",
  );
  const program = await buildProgram(join(repoRoot, "tests/programs/report/deadlock.c"));
  const dir = await Deno.makeTempDir({ prefix: "isomc-browser-" });
  try {
    const r = await runCli(["check", "--html=page.html", "--", program], { cwd: dir });
    assert.equal(r.code, 1, r.stderr);
    await Deno.writeTextFile(join(dir, "blank.html"), "<!DOCTYPE html><html><body></body></html>");
    const size = "--window-size=1200,900";
    await chromium(
      browser,
      dir,
      [`--screenshot=${join(dir, "page.png")}`, size],
      `file://${dir}/page.html`,
    );
    await chromium(
      browser,
      dir,
      [`--screenshot=${join(dir, "blank.png")}`, size],
      `file://${dir}/blank.html`,
    );

    const page = await decodePng(await Deno.readFile(join(dir, "page.png")));
    const blank = await decodePng(await Deno.readFile(join(dir, "blank.png")));
    assert.deepEqual([page.width, page.height], [1200, 900]);
    assert.deepEqual([blank.width, blank.height], [1200, 900]);
    assert.equal(inkPixels(blank), 0, "a blank page is all white");
    const ink = inkPixels(page);
    assert.ok(ink > page.width * page.height / 100, `the page shows something (${ink} pixels)`);
    // The violation's red (its box, the marks) and the steps' blue are on screen.
    assert.ok(countColour(page, [0xc6, 0x28, 0x28]) > 100, "red of the violation");
    assert.ok(countColour(page, [0x1a, 0x23, 0x7e]) > 100, "blue of the steps");

    const dom = await chromium(browser, dir, ["--dump-dom"], `file://${dir}/page.html`);
    assert.match(dom, /<svg [^>]*aria-label="isomc counterexample: deadlock"/);
    for (const actor of ["a", "b"]) {
      assert.match(dom, new RegExp(`<text class="actor"[^>]*>${actor}</text>`), actor);
    }
    assert.equal(dom.split('<g class="mark blocked">').length - 1, 2, "both waits marked");
    assert.match(
      dom,
      /<td class="line mono">isomc_send\(isomc_mailbox\("to-b"\), &amp;v, sizeof v\);<\/td>/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
