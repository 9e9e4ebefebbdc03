/**
 * Draws a laid-out chart (chart.ts) as one standalone SVG document: no script, no external
 * font or image, every element classed by what it shows (lifeline, step, failing, arrow, lock,
 * wait, mark, cycle) so that tests and style sheets can find them, a <title> on each with the
 * words a tooltip needs. Deterministic: the same trace gives the same bytes.
 */

import { type Chart, layoutChart } from "./chart.ts";
import { el, text } from "./svg.ts";
import type { TraceFile } from "./trace.ts";

const FONT = "DejaVu Sans Mono, Menlo, Consolas, monospace";
const shades = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"];
const red = "#c62828";
const ink = "#1a237e";

/** The counterexample of `trace` as an SVG document. */
export function chartSvg(trace: TraceFile): string {
  return renderChart(layoutChart(trace));
}

/** A halo behind text, so that a label crossing a lifeline or an arrow stays legible. */
const halo = { stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke" } as const;

export function renderChart(c: Chart): string {
  const parts: string[] = [];
  parts.push(
    el("rect", {
      class: "background",
      x: 0,
      y: 0,
      width: c.width,
      height: c.height,
      fill: "#ffffff",
    }),
  );
  parts.push(
    el(
      "text",
      { class: "title", x: 16, y: 22, "font-size": 14, "font-weight": "bold" },
      text(`isomc counterexample: ${c.title}`),
    ),
  );
  // Stripes first, under everything.
  c.rows.forEach((r, i) => {
    if (r.failing) {
      parts.push(
        el("rect", {
          class: "failing-row",
          x: 0,
          y: r.y - 15,
          width: c.width,
          height: 30,
          fill: "#ffebee",
        }),
      );
    } else if (i % 2 === 1) {
      parts.push(
        el("rect", {
          class: "stripe",
          x: 0,
          y: r.y - 15,
          width: c.width,
          height: 30,
          fill: "#f7f7fb",
        }),
      );
    }
  });
  for (const l of c.lifelines) {
    const w = Math.min(200, Math.max(60, [...l.name].length * 7.2 + 20));
    parts.push(
      el(
        "g",
        { class: "lifeline" },
        el("title", {}, text(l.name)),
        el("line", {
          x1: l.x,
          y1: 56,
          x2: l.x,
          y2: c.endY + 16,
          stroke: "#9e9e9e",
          "stroke-dasharray": "4 3",
        }),
        el("rect", {
          x: l.x - w / 2,
          y: 32,
          width: w,
          height: 24,
          rx: 4,
          fill: "#e8eaf6",
          stroke: ink,
        }),
        el("text", {
          class: "actor",
          x: l.x,
          y: 48,
          "text-anchor": "middle",
          "font-weight": "bold",
        }, text(l.name)),
      ),
    );
  }
  for (const s of c.spans) {
    const lock = s.kind === "lock";
    const color = lock ? shades[s.shade % shades.length] : "#757575";
    const w = lock ? 8 : 14;
    parts.push(
      el(
        "g",
        { class: lock ? "lock" : "wait" },
        el(
          "title",
          {},
          text(`${lock ? "holds" : "waits"}: ${s.label}${s.open ? " (to the end)" : ""}`),
        ),
        el("rect", {
          x: s.x - w / 2,
          y: s.y1,
          width: w,
          height: s.y2 - s.y1,
          fill: lock ? color : "none",
          "fill-opacity": lock ? 0.3 : undefined,
          stroke: color,
          "stroke-dasharray": lock ? undefined : "3 2",
        }),
        lock
          ? el("text", {
            x: s.x + 8,
            y: s.y1 + 17,
            "font-size": 10,
            fill: color,
            ...halo,
          }, text(`holds ${s.label}`))
          : "",
      ),
    );
  }
  for (const a of c.arrows) {
    const pending = a.toStep === null;
    const line = a.x1 === a.x2
      ? el("path", {
        d: `M ${a.x1 + 6} ${a.y1} C ${a.x1 + 60} ${a.y1}, ${a.x2 + 60} ${a.y2}, ${
          a.x2 + 6
        } ${a.y2}`,
        fill: "none",
        stroke: ink,
        "marker-end": "url(#arrowhead)",
        "stroke-dasharray": pending ? "5 3" : undefined,
      })
      : el("line", {
        x1: a.x1 + (a.x2 > a.x1 ? 6 : -6),
        y1: a.y1,
        x2: a.x2 + (a.x2 > a.x1 ? -7 : 7),
        y2: a.y2,
        stroke: ink,
        "stroke-width": 1.5,
        "marker-end": "url(#arrowhead)",
        "stroke-dasharray": pending ? "5 3" : undefined,
      });
    parts.push(
      el(
        "g",
        { class: pending ? "arrow pending" : "arrow" },
        el(
          "title",
          {},
          text(
            `message on ${a.label}: sent at step ${a.fromStep}, ${
              pending ? "matched, not yet received" : `received at step ${a.toStep}`
            }`,
          ),
        ),
        line,
        el("text", {
          x: (a.x1 + a.x2) / 2,
          y: (a.y1 + a.y2) / 2 - 4,
          "text-anchor": "middle",
          "font-size": 10,
          fill: ink,
          ...halo,
        }, text(a.label)),
      ),
    );
  }
  for (const r of c.rows) {
    const where = [r.source, r.function === undefined ? undefined : `in ${r.function}`].filter((
      w,
    ) => w !== undefined).join(" ");
    parts.push(
      el(
        "g",
        { class: r.failing ? "step failing" : "step" },
        el("title", {}, text(`${r.step}. ${r.full}${where === "" ? "" : ` (${where})`}`)),
        el("text", {
          class: "number",
          x: c.gutter.numberX,
          y: r.y + 4,
          "text-anchor": "end",
          fill: "#616161",
        }, text(`${r.step}`)),
        r.source === undefined ? "" : el("text", {
          class: "source",
          x: c.gutter.sourceX,
          y: r.y + 4,
          "font-size": 11,
          fill: "#616161",
        }, text(r.source)),
        el("circle", { cx: r.x, cy: r.y, r: 5, fill: r.failing ? red : ink }),
        el("text", {
          class: "label",
          x: r.x + 10,
          y: r.y + 4,
          fill: r.failing ? red : "#212121",
          "font-weight": r.failing ? "bold" : undefined,
          ...halo,
        }, text(r.label)),
      ),
    );
  }
  if (c.cycle !== null) {
    const x = 22;
    parts.push(
      el(
        "g",
        { class: "cycle" },
        el("title", {}, text(`steps ${c.cycle.fromStep} to ${c.rows.length} repeat forever`)),
        el("path", {
          d: `M ${x + 8} ${c.cycle.y1} H ${x} V ${c.cycle.y2} H ${x + 8}`,
          fill: "none",
          stroke: red,
          "stroke-width": 2,
        }),
        el("text", {
          x: x - 6,
          y: (c.cycle.y1 + c.cycle.y2) / 2,
          "text-anchor": "middle",
          "font-size": 10,
          fill: red,
          transform: `rotate(-90 ${x - 6} ${(c.cycle.y1 + c.cycle.y2) / 2})`,
        }, text(c.cycle.y2 - c.cycle.y1 >= 110 ? "cycle, forever" : "cycle")),
      ),
    );
  }
  for (const m of c.marks) {
    const color = m.kind === "stutter" ? "#616161" : red;
    const box = m.kind === "stutter" ? "" : el("rect", {
      x: m.x - 10,
      y: m.y - 10,
      width: m.width,
      height: 22,
      rx: 4,
      fill: m.kind === "violation" ? red : "#fff3e0",
      stroke: color,
    });
    const words = el("text", {
      x: m.x - 2,
      y: m.y + 5,
      fill: m.kind === "violation" ? "#ffffff" : color,
      "font-weight": "bold",
    }, text(m.text));
    parts.push(el("g", { class: `mark ${m.kind}` }, el("title", {}, text(m.detail)), box, words));
  }
  c.message.forEach((line, i) => {
    parts.push(
      el("text", { class: "message", x: 16, y: c.messageY + 16 * i, fill: red }, text(line)),
    );
  });
  const defs = el(
    "defs",
    {},
    el("marker", {
      id: "arrowhead",
      viewBox: "0 0 10 10",
      refX: 9,
      refY: 5,
      markerWidth: 8,
      markerHeight: 8,
      orient: "auto-start-reverse",
    }, el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: ink })),
  );
  return el(
    "svg",
    {
      xmlns: "http://www.w3.org/2000/svg",
      width: c.width,
      height: c.height,
      viewBox: `0 0 ${c.width} ${c.height}`,
      "font-family": FONT,
      "font-size": 12,
      role: "img",
      "aria-label": `isomc counterexample: ${c.title}`,
    },
    el("title", {}, text(`isomc counterexample: ${c.title}`)),
    defs,
    ...parts,
  ) + "\n";
}
