/**
 * SPIN never claims as input (`--never=FILE`), in the format `spin -f` prints: labelled
 * statements (`do`/`od` and `if`/`fi` with `::` options, `skip`, `goto`, a guard alone,
 * `atomic { g -> assert(e) }`), guards over proposition names with `!`, `&&`, `||`, `(1)`,
 * `true`, `false`. Each statement is a state of the automaton; a state is accepting when one
 * of its labels begins with `accept`; a claim that ends (falls off its closing brace) or fails
 * an assertion has matched: it goes to an accepting state that accepts everything after. The
 * claim describes the behaviours to find, like the automaton of a negated formula.
 */

import { InputError } from "../errors.ts";
import { type Automaton, type AutState, cubesOf, type Edge, maxProps } from "./automaton.ts";
import type { Formula } from "./formula.ts";

interface Tok {
  readonly text: string;
  readonly line: number;
}

type Guard = Formula;

interface Option {
  readonly guard: Guard;
  /** A label, "@next" (fall through / break), "@self" (loop again), or "@matched". */
  readonly target: string;
  readonly line?: number;
}

interface Statement {
  readonly labels: string[];
  readonly line: number;
  /** "loop": options of a do; "choice": options of an if; "step": one option. */
  readonly kind: "loop" | "choice" | "step";
  readonly options: Option[];
}

const matched = "@matched";

/** Parses a never claim; `file` names it in errors (`file:line: ...`, exit 2). */
export function parseNever(text: string, file = "never claim"): Automaton {
  const tokens = tokenize(text, file);
  let pos = 0;
  const fail = (t: Tok, reason: string): never => {
    throw new InputError(`${file}:${t.line}: ${reason}`);
  };
  const peek = (): Tok => tokens[pos];
  const next = (): Tok => tokens[pos++];
  const expect = (s: string): Tok => {
    const t = next();
    if (t.text !== s) fail(t, `expected '${s}', not ${describe(t)}`);
    return t;
  };
  const props: string[] = [];

  const atom = (): Guard => {
    const t = next();
    if (t.text === "(") {
      const g = disjunction();
      expect(")");
      return g;
    }
    if (t.text === "!") return { op: "not", arg: atom() };
    if (t.text === "1" || t.text === "true" || t.text === "skip") return { op: "true" };
    if (t.text === "0" || t.text === "false") return { op: "false" };
    if (/^[A-Za-z_][A-Za-z0-9_.]*$/.test(t.text) && !keywords.has(t.text)) {
      if (!props.includes(t.text)) props.push(t.text);
      return { op: "prop", name: t.text };
    }
    return fail(
      t,
      `expected a guard (a proposition name, '(1)', 'true', 'false'), not ${describe(t)}`,
    );
  };
  const conjunction = (): Guard => {
    let g = atom();
    while (peek().text === "&&") {
      next();
      g = { op: "and", left: g, right: atom() };
    }
    return g;
  };
  const disjunction = (): Guard => {
    let g = conjunction();
    while (peek().text === "||") {
      next();
      g = { op: "or", left: g, right: conjunction() };
    }
    return g;
  };

  /** One option's sequence: `g -> goto L`, `goto L`, `g`, `atomic { g -> assert(e) }`. */
  const sequence = (): Option[] => {
    if (peek().text === "atomic") {
      next();
      expect("{");
      const g = disjunction();
      expect("->");
      expect("assert");
      expect("(");
      const e = disjunction();
      expect(")");
      if (peek().text === ";") next();
      expect("}");
      // The assertion fails (the claim has matched) when g holds and e does not.
      return [
        { guard: { op: "and", left: g, right: { op: "not", arg: e } }, target: matched },
        { guard: { op: "and", left: g, right: e }, target: "@self" },
      ];
    }
    let guard: Guard = { op: "true" };
    if (peek().text !== "goto" && peek().text !== "break") {
      guard = disjunction();
      // A guard alone: the option is taken when it holds, and goes on (loops, in a do).
      if (peek().text !== "->") return [{ guard, target: "@self" }];
      next();
    }
    if (peek().text === "break") {
      next();
      return [{ guard, target: "@next" }];
    }
    if (peek().text === "goto") {
      next();
      const label = next();
      if (!/^[A-Za-z_]\w*$/.test(label.text)) fail(label, `expected a label after goto`);
      return [{ guard, target: label.text, line: label.line }];
    }
    if (peek().text !== "skip") {
      fail(peek(), `expected 'goto', 'break' or 'skip', not ${describe(peek())}`);
    }
    next();
    return [{ guard, target: "@self" }];
  };

  const options = (close: string): Option[] => {
    const out: Option[] = [];
    while (peek().text === "::") {
      next();
      out.push(...sequence());
      if (peek().text === ";") next();
    }
    if (out.length === 0) fail(peek(), `expected '::' options`);
    expect(close);
    return out;
  };

  while (peek().text !== "never") {
    if (peek().text === "") fail(peek(), "no 'never {' in the file");
    next();
  }
  next();
  expect("{");
  const statements: Statement[] = [];
  let labels: string[] = [];
  while (peek().text !== "}") {
    const t = peek();
    if (t.text === "") fail(t, "missing '}' at the end of the claim");
    if (tokens[pos + 1]?.text === ":" && /^[A-Za-z_]\w*$/.test(t.text)) {
      labels.push(t.text);
      pos += 2;
      continue;
    }
    next();
    let s: Statement;
    if (t.text === "do") {
      s = { labels, line: t.line, kind: "loop", options: options("od") };
    } else if (t.text === "if") {
      s = { labels, line: t.line, kind: "choice", options: options("fi") };
    } else if (t.text === "skip") {
      s = {
        labels,
        line: t.line,
        kind: "step",
        options: [{ guard: { op: "true" }, target: "@next" }],
      };
    } else if (t.text === "goto") {
      const label = next();
      s = {
        labels,
        line: t.line,
        kind: "step",
        options: [{ guard: { op: "true" }, target: label.text }],
      };
    } else {
      pos--;
      const g = disjunction();
      s = { labels, line: t.line, kind: "step", options: [{ guard: g, target: "@next" }] };
    }
    statements.push(s);
    labels = [];
    if (peek().text === ";") next();
  }
  if (labels.length > 0) {
    // Labels just before the closing brace name the end of the claim.
    statements.push({ labels, line: peek().line, kind: "step", options: [] });
  }
  if (props.length > maxProps) {
    fail(peek(), `the claim names ${props.length} propositions; at most ${maxProps}`);
  }
  return build(statements, props, file);
}

const keywords = new Set([
  "never",
  "do",
  "od",
  "if",
  "fi",
  "goto",
  "break",
  "atomic",
  "assert",
]);

function describe(t: Tok): string {
  return t.text === "" ? "the end of the file" : `'${t.text}'`;
}

function tokenize(text: string, file: string): Tok[] {
  const out: Tok[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith("/*", i)) {
      const end = text.indexOf("*/", i + 2);
      if (end < 0) throw new InputError(`${file}:${line}: unterminated comment`);
      for (let j = i; j < end; j++) if (text[j] === "\n") line++;
      i = end + 2;
    } else if (text.startsWith("//", i)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else {
      const m = /^(?:[A-Za-z_][A-Za-z0-9_.]*|\d+|::|->|&&|\|\||[{}();:!])/.exec(text.slice(i));
      if (m === null) throw new InputError(`${file}:${line}: unexpected '${c}'`);
      out.push({ text: m[0], line });
      i += m[0].length;
    }
  }
  out.push({ text: "", line });
  return out;
}

/** Statements to automaton: one state per statement, plus the matched (accept-all) state. */
function build(statements: readonly Statement[], props: string[], file: string): Automaton {
  const at = new Map<string, number>();
  statements.forEach((s, i) => {
    for (const l of s.labels) {
      if (at.has(l)) throw new InputError(`${file}:${s.line}: label '${l}' defined twice`);
      at.set(l, i);
    }
  });
  const end = statements.length; // the claim's end: matched
  const index = (name: string): number => props.indexOf(name);
  const states: AutState[] = statements.map((s, i) => {
    const accepting = s.labels.some((l) => l.startsWith("accept"));
    const edges: Edge[] = [];
    for (const o of s.options) {
      let to: number;
      if (o.target === matched || o.target === "@next" && i + 1 === end) to = end;
      else if (o.target === "@next") to = i + 1;
      else if (o.target === "@self") to = s.kind === "loop" ? i : i + 1;
      else {
        const t = at.get(o.target);
        if (t === undefined) {
          throw new InputError(`${file}:${o.line ?? s.line}: goto ${o.target}: no such label`);
        }
        to = t;
      }
      for (const c of cubesOf(o.guard, index)) {
        edges.push({ pos: c.pos, neg: c.neg, acc: accepting ? 1 : 0, to });
      }
    }
    return { label: s.labels.join(", ") || `line ${s.line}`, edges };
  });
  states.push({ label: "end of claim", edges: [{ pos: 0, neg: 0, acc: 1, to: end }] });
  return { props, accSets: 1, initial: 0, states };
}
