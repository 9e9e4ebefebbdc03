/**
 * The pictures of a counterexample, written where --svg and --html say (by `isomc check` and
 * `isomc show`): the chart as SVG, the page as HTML. Why a file could not be written is
 * returned, not thrown, so that `check` keeps its verdict when one cannot be.
 */

import { chartSvg } from "../report/chart_svg.ts";
import { fileLines, htmlPage } from "../report/html_page.ts";
import type { TraceFile } from "../report/trace.ts";
import { tryWriteTrace } from "../report/trace_out.ts";

export interface ChartPaths {
  readonly svg: string | null;
  readonly html: string | null;
}

export interface Written {
  readonly what: "chart" | "page";
  readonly path: string;
  /** Why it could not be written, or null. */
  readonly failed: string | null;
}

export function writeCharts(trace: TraceFile, paths: ChartPaths): Written[] {
  const out: Written[] = [];
  if (paths.svg !== null) {
    out.push({ what: "chart", path: paths.svg, failed: tryWriteTrace(paths.svg, chartSvg(trace)) });
  }
  if (paths.html !== null) {
    const page = htmlPage(trace, fileLines());
    out.push({ what: "page", path: paths.html, failed: tryWriteTrace(paths.html, page) });
  }
  return out;
}
