/**
 * LTL formulas: the syntax tree the parser builds, the negation normal form the translator
 * works on (with the usual rewritings that make automata smaller), and printing. Formulas in
 * normal form are hash-consed by `Nnf`, so that equal formulas are the same object and sets of
 * formulas are sets of small integers.
 */

/** A formula as written (every operator of the grammar, docs/liveness.md). */
export type Formula =
  | { readonly op: "true" | "false" }
  | { readonly op: "prop"; readonly name: string }
  | { readonly op: "not" | "X" | "F" | "G"; readonly arg: Formula }
  | {
    readonly op: "and" | "or" | "implies" | "equiv" | "U" | "R" | "W";
    readonly left: Formula;
    readonly right: Formula;
  };

export type UnaryOp = "not" | "X" | "F" | "G";
export type BinaryOp = "and" | "or" | "implies" | "equiv" | "U" | "R" | "W";

export const tt: Formula = { op: "true" };
export const ff: Formula = { op: "false" };
export const prop = (name: string): Formula => ({ op: "prop", name });
export const unary = (op: UnaryOp, arg: Formula): Formula => ({ op, arg });
export const binary = (op: BinaryOp, left: Formula, right: Formula): Formula => ({
  op,
  left,
  right,
});
export const not = (f: Formula): Formula => unary("not", f);

/** The propositions a formula names, in order of first appearance. */
export function propositionsOf(f: Formula): string[] {
  const seen = new Set<string>();
  const walk = (g: Formula): void => {
    if (g.op === "prop") seen.add(g.name);
    else if ("arg" in g) walk(g.arg);
    else if ("left" in g) {
      walk(g.left);
      walk(g.right);
    }
  };
  walk(f);
  return [...seen];
}

const precedence: Record<Formula["op"], number> = {
  equiv: 1,
  implies: 2,
  or: 3,
  and: 4,
  U: 5,
  R: 5,
  W: 5,
  not: 6,
  X: 6,
  F: 6,
  G: 6,
  prop: 7,
  true: 7,
  false: 7,
};

const symbols: Record<BinaryOp, string> = {
  and: "&&",
  or: "||",
  implies: "->",
  equiv: "<->",
  U: "U",
  R: "R",
  W: "W",
};

/** The formula in the grammar's own spelling, with the parentheses precedence needs. */
export function formatFormula(f: Formula): string {
  switch (f.op) {
    case "true":
    case "false":
      return f.op;
    case "prop":
      return f.name;
    case "not":
    case "X":
    case "F":
    case "G": {
      const inner = formatFormula(f.arg);
      const wrapped = precedence[f.arg.op] < precedence[f.op] ? `(${inner})` : inner;
      return f.op === "not" ? `!${wrapped}` : `${f.op} ${wrapped}`;
    }
    default: {
      // Binary operators are parsed right-associative (docs/liveness.md): a left operand of
      // the same level needs parentheses, a right one does not.
      const p = precedence[f.op];
      const left = formatFormula(f.left);
      const right = formatFormula(f.right);
      const l = precedence[f.left.op] <= p ? `(${left})` : left;
      const r = precedence[f.right.op] < p ? `(${right})` : right;
      return `${l} ${symbols[f.op]} ${r}`;
    }
  }
}

// ---- Negation normal form -----------------------------------------------------------------

/**
 * A formula in negation normal form: negation only on propositions; F and G kept (they make
 * better automata than `true U a` and `false R a`), W rewritten, implications expanded.
 */
export type NnfNode =
  | { readonly id: number; readonly op: "true" | "false" }
  | { readonly id: number; readonly op: "lit"; readonly prop: string; readonly positive: boolean }
  | { readonly id: number; readonly op: "X" | "F" | "G"; readonly arg: NnfNode }
  | { readonly id: number; readonly op: "and" | "or"; readonly args: readonly NnfNode[] }
  | {
    readonly id: number;
    readonly op: "U" | "R";
    readonly left: NnfNode;
    readonly right: NnfNode;
  };

/**
 * Builds normal-form formulas, hash-consed (one object per distinct formula), applying the
 * rewritings of the smart constructors as it goes: constants absorbed, `a && a` = `a`,
 * `p && !p` = false, `F F a` = `F a`, `G F G a` = `F G a`, `a U false` = false...
 */
export class Nnf {
  private readonly table = new Map<string, NnfNode>();
  private readonly nodes: NnfNode[] = [];

  readonly tt: NnfNode = this.intern("t", (id) => ({ id, op: "true" }));
  readonly ff: NnfNode = this.intern("f", (id) => ({ id, op: "false" }));

  private intern(key: string, make: (id: number) => NnfNode): NnfNode {
    let n = this.table.get(key);
    if (n === undefined) {
      n = make(this.nodes.length);
      this.nodes.push(n);
      this.table.set(key, n);
    }
    return n;
  }

  node(id: number): NnfNode {
    return this.nodes[id];
  }

  lit(prop: string, positive: boolean): NnfNode {
    return this.intern(`${positive ? "+" : "-"}${prop}`, (id) => ({
      id,
      op: "lit",
      prop,
      positive,
    }));
  }

  and(a: NnfNode, b: NnfNode): NnfNode {
    return this.junction("and", [a, b]);
  }

  or(a: NnfNode, b: NnfNode): NnfNode {
    return this.junction("or", [a, b]);
  }

  /**
   * A conjunction or disjunction, flattened and sorted so that equal ones are one node:
   * constants absorbed, duplicates dropped, `p` with `!p` decided, `G a && G b` = `G (a && b)`,
   * `F a || F b` = `F (a || b)`, `X a ∘ X b` = `X (a ∘ b)`.
   */
  junction(op: "and" | "or", parts: readonly NnfNode[]): NnfNode {
    const unit = op === "and" ? this.tt : this.ff;
    const zero = op === "and" ? this.ff : this.tt;
    const merged = op === "and" ? "G" : "F";
    const flat = new Map<number, NnfNode>();
    const nexts: NnfNode[] = [];
    const temporal: NnfNode[] = [];
    const add = (n: NnfNode): boolean => {
      if (n === zero) return false;
      if (n === unit) return true;
      if (n.op === op) return n.args.every(add);
      if (n.op === "X") nexts.push(n.arg);
      else if (n.op === merged) temporal.push(n.arg);
      else flat.set(n.id, n);
      return true;
    };
    if (!parts.every(add)) return zero;
    // The merged X and G (or F) parts are added as they are, not taken apart again.
    const keep = (n: NnfNode): boolean => {
      if (n === zero) return false;
      if (n !== unit) flat.set(n.id, n);
      return true;
    };
    if (nexts.length > 0 && !keep(this.X(this.junction(op, nexts)))) return zero;
    if (temporal.length > 0) {
      const inner = this.junction(op, temporal);
      if (!keep(op === "and" ? this.G(inner) : this.F(inner))) return zero;
    }
    const args = [...flat.values()].sort((x, y) => x.id - y.id);
    for (const n of args) {
      if (n.op === "lit" && flat.has(this.lit(n.prop, !n.positive).id)) return zero;
    }
    if (args.length === 0) return unit;
    if (args.length === 1) return args[0];
    return this.intern(`${op}${args.map((n) => n.id).join(",")}`, (id) => ({ id, op, args }));
  }

  X(a: NnfNode): NnfNode {
    if (a.op === "true" || a.op === "false") return a;
    // X F G a and F G a are the same (and X G F a, G F a): suffix-closed properties.
    if (isFG(a) || isGF(a)) return a;
    return this.intern(`X${a.id}`, (id) => ({ id, op: "X", arg: a }));
  }

  F(a: NnfNode): NnfNode {
    if (a.op === "true" || a.op === "false") return a;
    if (a.op === "F") return a;
    if (isGF(a)) return a; // F G F a = G F a
    if (a.op === "X") return this.X(this.F(a.arg)); // F X a = X F a
    return this.intern(`F${a.id}`, (id) => ({ id, op: "F", arg: a }));
  }

  G(a: NnfNode): NnfNode {
    if (a.op === "true" || a.op === "false") return a;
    if (a.op === "G") return a;
    if (isFG(a)) return a; // G F G a = F G a
    if (a.op === "X") return this.X(this.G(a.arg)); // G X a = X G a
    return this.intern(`G${a.id}`, (id) => ({ id, op: "G", arg: a }));
  }

  U(a: NnfNode, b: NnfNode): NnfNode {
    if (b.op === "true" || b.op === "false") return b;
    if (a.op === "true") return this.F(b);
    if (a.op === "false" || a === b) return b;
    if (b.op === "F") return b; // a U F b = F b
    return this.intern(`U${a.id},${b.id}`, (id) => ({ id, op: "U", left: a, right: b }));
  }

  R(a: NnfNode, b: NnfNode): NnfNode {
    if (b.op === "true" || b.op === "false") return b;
    if (a.op === "false") return this.G(b);
    if (a.op === "true" || a === b) return b;
    if (b.op === "G") return b; // a R G b = G b
    return this.intern(`R${a.id},${b.id}`, (id) => ({ id, op: "R", left: a, right: b }));
  }

  /** The normal form of `f`, or of its negation when `negate`. */
  of(f: Formula, negate = false): NnfNode {
    switch (f.op) {
      case "true":
        return negate ? this.ff : this.tt;
      case "false":
        return negate ? this.tt : this.ff;
      case "prop":
        return this.lit(f.name, !negate);
      case "not":
        return this.of(f.arg, !negate);
      case "X":
        return this.X(this.of(f.arg, negate));
      case "F":
        return negate ? this.G(this.of(f.arg, true)) : this.F(this.of(f.arg));
      case "G":
        return negate ? this.F(this.of(f.arg, true)) : this.G(this.of(f.arg));
      case "and":
        return negate
          ? this.or(this.of(f.left, true), this.of(f.right, true))
          : this.and(this.of(f.left), this.of(f.right));
      case "or":
        return negate
          ? this.and(this.of(f.left, true), this.of(f.right, true))
          : this.or(this.of(f.left), this.of(f.right));
      case "implies":
        return negate
          ? this.and(this.of(f.left), this.of(f.right, true))
          : this.or(this.of(f.left, true), this.of(f.right));
      case "equiv": {
        // a <-> b = (a && b) || (!a && !b); its negation (a && !b) || (!a && b).
        const a = this.of(f.left);
        const na = this.of(f.left, true);
        const b = this.of(f.right, negate);
        const nb = this.of(f.right, !negate);
        return this.or(this.and(a, b), this.and(na, nb));
      }
      case "U":
        // !(a U b) = !a R !b
        return negate
          ? this.R(this.of(f.left, true), this.of(f.right, true))
          : this.U(this.of(f.left), this.of(f.right));
      case "R":
        return negate
          ? this.U(this.of(f.left, true), this.of(f.right, true))
          : this.R(this.of(f.left), this.of(f.right));
      case "W": {
        // a W b = b R (a || b); !(a W b) = !b U (!a && !b)
        const a = this.of(f.left, negate);
        const b = this.of(f.right, negate);
        return negate ? this.U(b, this.and(a, b)) : this.R(b, this.or(a, b));
      }
    }
  }
}

function isGF(a: NnfNode): boolean {
  return a.op === "G" && a.arg.op === "F";
}

function isFG(a: NnfNode): boolean {
  return a.op === "F" && a.arg.op === "G";
}

/** A normal-form formula as text (for the automaton's state labels). */
export function formatNnf(n: NnfNode): string {
  const wrap = (m: NnfNode): string =>
    m.op === "true" || m.op === "false" || m.op === "lit" || m.op === "X" || m.op === "F" ||
      m.op === "G"
      ? formatNnf(m)
      : `(${formatNnf(m)})`;
  switch (n.op) {
    case "true":
    case "false":
      return n.op;
    case "lit":
      return n.positive ? n.prop : `!${n.prop}`;
    case "X":
    case "F":
    case "G":
      return `${n.op} ${wrap(n.arg)}`;
    case "and":
      return n.args.map(wrap).join(" && ");
    case "or":
      return n.args.map(wrap).join(" || ");
    case "U":
    case "R":
      return `${wrap(n.left)} ${n.op} ${wrap(n.right)}`;
  }
}
