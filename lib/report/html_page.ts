/**
 * A counterexample as one self-contained HTML page: the violation, the chart (inline SVG),
 * every step with its source line and, when the file can be read, the text of that line, and
 * the search's statistics. No script, no network: inline CSS, nothing fetched, so that it opens
 * anywhere and can be mailed. Pure: the source text comes through the `lineText` callback.
 */

import { chartSvg } from "./chart_svg.ts";
import { html, text } from "./svg.ts";
import type { TraceFile } from "./trace.ts";

/** The text of line `line` (from 1) of the file at `path`, or undefined when unreadable. */
export type LineText = (path: string, line: number) => string | undefined;

const style = `
body { font-family: system-ui, sans-serif; margin: 2em; color: #212121; }
h1 { font-size: 1.4em; } h2 { font-size: 1.1em; margin-top: 1.6em; }
code, pre, td.mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em; }
.violation { border-left: 4px solid #c62828; padding: 0.2em 1em; background: #ffebee; }
.chart { overflow-x: auto; border: 1px solid #e0e0e0; padding: 0.5em; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.2em 0.8em; border-bottom: 1px solid #eeeeee; vertical-align: top; }
tr.failing td { color: #c62828; font-weight: bold; }
tr.cycle td:first-child { border-left: 3px solid #c62828; }
td.line { color: #455a64; white-space: pre; }
pre { background: #fafafa; border: 1px solid #eeeeee; padding: 0.5em; }
`;

/** Statistics worth a row each, in the order `--json` gives them. */
function statsRows(stats: Readonly<Record<string, unknown>>, prefix = ""): string[] {
  const rows: string[] = [];
  for (const [key, value] of Object.entries(stats)) {
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      rows.push(...statsRows(value as Record<string, unknown>, `${prefix}${key}.`));
    } else if (
      typeof value === "number" || typeof value === "string" || typeof value === "boolean"
    ) {
      rows.push(
        html(
          "tr",
          {},
          html("th", {}, text(`${prefix}${key}`)),
          html("td", { class: "mono" }, text(String(value))),
        ),
      );
    }
  }
  return rows;
}

export function htmlPage(trace: TraceFile, lineText: LineText): string {
  const v = trace.violation;
  const heading = v === null
    ? "a trace without a violation"
    : `${v.kind}${v.actor === null ? "" : ` in ${v.actor}`}`;
  const program = trace.program.join(" ");
  const failing = v === null || v.kind === "deadlock" || v.cycle_start !== undefined
    ? null
    : trace.steps.length;

  const violation: string[] = [];
  if (v !== null) {
    violation.push(
      html(
        "p",
        {},
        html("strong", {}, text(v.kind)),
        text(v.actor === null ? "" : ` in ${v.actor}`),
        text(": "),
        text(v.message),
      ),
    );
    if (v.formula !== undefined) {
      violation.push(html("p", {}, text("formula: "), html("code", {}, text(v.formula))));
    }
    const initially = Object.entries(v.initial_propositions ?? {});
    if (initially.length > 0) {
      violation.push(
        html(
          "p",
          {},
          text("initially: "),
          html("code", {}, text(initially.map(([p, x]) => `${p}=${x}`).join(" "))),
        ),
      );
    }
    if (v.blocked !== undefined) {
      violation.push(html(
        "ul",
        { class: "blocked" },
        ...v.blocked.map((b) =>
          html(
            "li",
            {},
            html("strong", { class: "actor" }, text(b.actor_name)),
            text(" waits at "),
            html("code", {}, text(b.transition)),
            text(b.source === undefined ? "" : ` (${b.source})`),
            text(`: ${b.reason}`),
          )
        ),
      ));
    }
  }

  // A lasso's steps carry the propositions' values in the state each leads to.
  const values = trace.steps.some((s) => s.propositions !== undefined);
  const rows = trace.steps.map((s, i) => {
    const loc = s.location;
    const line = loc === undefined ? undefined : lineText(loc.path, loc.line);
    const classes = [
      s.step === failing ? "failing" : "",
      v?.cycle_start !== undefined && i >= v.cycle_start ? "cycle" : "",
    ]
      .filter((c) => c !== "").join(" ");
    return html(
      "tr",
      { class: classes === "" ? undefined : classes },
      html("td", {}, text(`${s.step}`)),
      html("td", { class: "actor" }, text(s.actor_name)),
      html("td", { class: "mono" }, text(s.transition)),
      values
        ? html(
          "td",
          { class: "mono" },
          text(Object.entries(s.propositions ?? {}).map(([p, x]) => `${p}=${x}`).join(" ")),
        )
        : "",
      html(
        "td",
        { class: "mono" },
        text(s.source ?? ""),
        text(loc?.function === undefined ? "" : ` (${loc.function})`),
      ),
      html(
        "td",
        { class: "line mono" },
        text(line === undefined ? "" : line.replaceAll("\t", "  ").trim()),
      ),
    );
  });

  const body = [
    html("h1", {}, text(`isomc counterexample: ${heading}`)),
    program === "" ? "" : html("p", {}, text("program: "), html("code", {}, text(program))),
    html("h2", {}, text("Violation")),
    html(
      "div",
      { class: "violation" },
      ...(violation.length > 0 ? violation : [html("p", {}, text("none recorded"))]),
    ),
    v?.stderr === undefined ? "" : html("h2", {}, text("The program's stderr")) +
      html("pre", { class: "stderr" }, text(v.stderr)),
    html("h2", {}, text("Chart")),
    html("div", { class: "chart" }, chartSvg(trace)),
    html("h2", {}, text(`Steps (${trace.steps.length})`)),
    html(
      "table",
      { class: "steps" },
      html(
        "tr",
        {},
        ...["#", "actor", "transition", ...(values ? ["propositions"] : []), "source", "line"]
          .map((h) => html("th", {}, text(h))),
      ),
      ...rows,
    ),
    trace.stats === undefined ? "" : html("h2", {}, text("Statistics")) +
      html("table", { class: "stats" }, ...statsRows(trace.stats)),
  ];
  return `<!DOCTYPE html>\n${
    html(
      "html",
      { lang: "en" },
      html(
        "head",
        {},
        `<meta charset="utf-8">`,
        html("title", {}, text(`isomc: ${heading}`)),
        html("style", {}, escapeStyle(style)),
      ),
      html("body", {}, ...body),
    )
  }\n`;
}

/** CSS is not escaped like text (quotes are its own), but it must not close its element. */
function escapeStyle(css: string): string {
  return css.replaceAll("</", "<\\/");
}

/** What a program's source file may be called: a trace names it, a trace may come from anyone. */
const sourceName = /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|inc|s|S)$/;
const largestSource = 8 * 1024 * 1024;

/**
 * Reads source lines from files, each file once. Only regular files named like C sources are
 * read: the path comes from the trace file, which need not be the user's own, and the page
 * must not carry a line of any other file into what may be mailed around.
 */
export function fileLines(): LineText {
  const files = new Map<string, string[] | null>();
  const read = (path: string): string[] | null => {
    if (!sourceName.test(path)) return null;
    try {
      const info = Deno.statSync(path);
      if (!info.isFile || info.size > largestSource) return null;
      return Deno.readTextFileSync(path).split("\n");
    } catch {
      return null;
    }
  };
  return (path, line) => {
    if (!files.has(path)) files.set(path, read(path));
    return files.get(path)?.[line - 1];
  };
}
