/**
 * LTL to transition-based generalized Büchi automata, by the tableau of Couvreur (FM'99), the
 * on-the-fly cousin of Gerth-Peled-Vardi-Wolper: a state is a formula in negation normal form
 * (what the rest of the word must satisfy); its outgoing transitions are the ways to satisfy it
 * now (a cube of literals) and what remains for the next position. Each eventuality (`F a`,
 * `a U b`) gets an acceptance set holding the transitions that do not postpone it, so a run
 * that postpones one forever is rejected. Redundant transitions are dropped as they are made;
 * simplify.ts then removes dead states and merges equivalent ones.
 */

import { type Automaton, type Edge, maxAccSets, maxProps } from "./automaton.ts";
import { formatNnf, type Formula, Nnf, type NnfNode, not, propositionsOf } from "./formula.ts";
import { InputError } from "../errors.ts";
import { simplifyAutomaton } from "./simplify.ts";

export interface TranslateOptions {
  /** Skip the automaton simplifications (tests compare both). */
  readonly raw?: boolean;
}

/** The automaton accepting exactly the words that satisfy `f`. */
export function translate(f: Formula, options: TranslateOptions = {}): Automaton {
  const props = propositionsOf(f);
  if (props.length > maxProps) {
    throw new InputError(`the formula names ${props.length} propositions; at most ${maxProps}`);
  }
  const nnf = new Nnf();
  const raw = new Tableau(nnf, props).build(nnf.of(f));
  return options.raw ? raw : simplifyAutomaton(raw);
}

/** The automaton of the negation of `f`: the behaviours a search for violations looks for. */
export function translateNegation(f: Formula, options: TranslateOptions = {}): Automaton {
  return translate(not(f), options);
}

/** Beyond these the formula is refused: translation is exponential in the worst case. */
const maxStates = 10_000;
const maxCoversPerState = 4_096;

function tooLarge(): InputError {
  return new InputError(
    `the formula's automaton is too large (over ${maxStates} states or ${maxCoversPerState} transitions from one state): split or simplify the formula`,
  );
}

interface Cover {
  pos: number;
  neg: number;
  /** Formulas the next position must satisfy (ids). */
  readonly next: Set<number>;
  /** Eventualities postponed by this way of satisfying the state (ids). */
  readonly pending: Set<number>;
  /** Formulas already taken apart in this cover. */
  readonly done: Set<number>;
}

function copy(c: Cover): Cover {
  return {
    pos: c.pos,
    neg: c.neg,
    next: new Set(c.next),
    pending: new Set(c.pending),
    done: new Set(c.done),
  };
}

class Tableau {
  /** Acceptance set of each eventuality, by formula id. */
  private readonly eventualities = new Map<number, number>();

  constructor(private readonly nnf: Nnf, private readonly props: readonly string[]) {}

  private bit(prop: string): number {
    return 1 << this.props.indexOf(prop);
  }

  private accOf(e: NnfNode): number {
    let i = this.eventualities.get(e.id);
    if (i === undefined) {
      i = this.eventualities.size;
      if (i >= maxAccSets) throw new InputError(`the formula has more than ${maxAccSets} F/U`);
      this.eventualities.set(e.id, i);
    }
    return i;
  }

  build(root: NnfNode): Automaton {
    const index = new Map<number, number>();
    const formulas: NnfNode[] = [];
    const stateOf = (n: NnfNode): number => {
      let i = index.get(n.id);
      if (i === undefined) {
        if (formulas.length >= maxStates) throw tooLarge();
        i = formulas.length;
        index.set(n.id, i);
        formulas.push(n);
      }
      return i;
    };
    stateOf(root);
    // Covers per state, with their pending eventualities as acceptance-set numbers.
    const raw: { cover: Cover; to: number }[][] = [];
    for (let s = 0; s < formulas.length; s++) {
      const covers = prune(this.expand(formulas[s]));
      raw.push(covers.map((cover) => {
        const next = [...cover.next].sort((a, b) => a - b).map((id) => this.nnf.node(id));
        const target = this.nnf.junction("and", next);
        for (const e of cover.pending) this.accOf(this.nnf.node(e));
        return { cover, to: stateOf(target) };
      }));
    }
    const accSets = this.eventualities.size;
    const all = accSets === 0 ? 0 : (2 ** accSets - 1) | 0;
    return {
      props: this.props,
      accSets,
      initial: 0,
      states: formulas.map((f, s) => ({
        label: formatNnf(f),
        edges: raw[s].map(({ cover, to }): Edge => {
          let postponed = 0;
          for (const e of cover.pending) postponed |= 1 << this.eventualities.get(e)!;
          return { pos: cover.pos, neg: cover.neg, acc: all & ~postponed, to };
        }),
      })),
    };
  }

  /** Every way of satisfying `f` at the current position. */
  private expand(f: NnfNode): Cover[] {
    const out: Cover[] = [];
    const empty: Cover = {
      pos: 0,
      neg: 0,
      next: new Set(),
      pending: new Set(),
      done: new Set(),
    };
    this.go([f], empty, out);
    return out;
  }

  private go(todo: NnfNode[], c: Cover, out: Cover[]): void {
    while (todo.length > 0) {
      const f = todo.pop()!;
      if (c.done.has(f.id)) continue;
      c.done.add(f.id);
      switch (f.op) {
        case "true":
          break;
        case "false":
          return;
        case "lit": {
          const bit = this.bit(f.prop);
          if (f.positive) {
            if (c.neg & bit) return;
            c.pos |= bit;
          } else {
            if (c.pos & bit) return;
            c.neg |= bit;
          }
          break;
        }
        case "and":
          todo.push(...f.args);
          break;
        case "or":
          for (const a of f.args.slice(1)) this.go([...todo, a], copy(c), out);
          todo.push(f.args[0]);
          break;
        case "X":
          c.next.add(f.arg.id);
          break;
        case "G":
          c.next.add(f.id);
          todo.push(f.arg);
          break;
        case "F": {
          this.go([...todo, f.arg], copy(c), out);
          c.next.add(f.id);
          c.pending.add(f.id);
          break;
        }
        case "U": {
          this.go([...todo, f.right], copy(c), out);
          c.next.add(f.id);
          c.pending.add(f.id);
          todo.push(f.left);
          break;
        }
        case "R": {
          this.go([...todo, f.left, f.right], copy(c), out);
          c.next.add(f.id);
          todo.push(f.right);
          break;
        }
      }
    }
    if (out.length >= maxCoversPerState) throw tooLarge();
    out.push(c);
  }
}

function subset(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/**
 * Drops covers implied by another: one that asks no more now (its cube is weaker), no more
 * next (a subset of formulas) and postpones no more accepts every word the other does.
 */
function prune(covers: readonly Cover[]): Cover[] {
  const weaker = (a: Cover, b: Cover): boolean =>
    (a.pos & b.pos) === a.pos && (a.neg & b.neg) === a.neg && subset(a.next, b.next) &&
    subset(a.pending, b.pending);
  return covers.filter((c, i) =>
    !covers.some((d, j) => j !== i && weaker(d, c) && (!weaker(c, d) || j < i))
  );
}
