/**
 * Strongly connected components of an explicit graph (Tarjan's algorithm, iterative), and the
 * question every Büchi check asks of them: which components hold a cycle whose transitions
 * meet every acceptance set. Used on automata (simplification, emptiness of products) — the
 * on-the-fly search of a program is lib/liveness/search.ts.
 */

export interface Graph {
  readonly size: number;
  /** Successors of node `n` with the acceptance marks of each edge. */
  readonly edges: (n: number) => readonly { readonly to: number; readonly acc: number }[];
}

/**
 * The component of each node reachable from `roots` (-1 for unreached ones), numbered in
 * the order Tarjan closes them (a component's successors get smaller numbers).
 */
export function sccs(g: Graph, roots: readonly number[]): { comp: Int32Array; count: number } {
  const index = new Int32Array(g.size).fill(-1);
  const low = new Int32Array(g.size);
  const comp = new Int32Array(g.size).fill(-1);
  const onStack = new Uint8Array(g.size);
  const stack: number[] = [];
  let counter = 0;
  let count = 0;
  for (const root of roots) {
    if (index[root] !== -1) continue;
    const work: { n: number; i: number }[] = [{ n: root, i: 0 }];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    while (work.length > 0) {
      const top = work[work.length - 1];
      const out = g.edges(top.n);
      if (top.i < out.length) {
        const m = out[top.i++].to;
        if (index[m] === -1) {
          index[m] = low[m] = counter++;
          stack.push(m);
          onStack[m] = 1;
          work.push({ n: m, i: 0 });
        } else if (onStack[m]) {
          low[top.n] = Math.min(low[top.n], index[m]);
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].n;
        low[parent] = Math.min(low[parent], low[top.n]);
      }
      if (low[top.n] === index[top.n]) {
        let m: number;
        do {
          m = stack.pop()!;
          onStack[m] = 0;
          comp[m] = count;
        } while (m !== top.n);
        count++;
      }
    }
  }
  return { comp, count };
}

/**
 * For each component: the union of the marks of the edges inside it, or -1 when it holds no
 * edge at all (a single node without a self-loop: no cycle).
 */
export function componentMarks(g: Graph, comp: Int32Array, count: number): Int32Array {
  const marks = new Int32Array(count).fill(-1);
  for (let n = 0; n < g.size; n++) {
    const c = comp[n];
    if (c < 0) continue;
    for (const e of g.edges(n)) {
      if (comp[e.to] === c) marks[c] = (marks[c] < 0 ? 0 : marks[c]) | e.acc;
    }
  }
  return marks;
}
