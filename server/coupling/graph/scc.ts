import "server-only";

/** Tarjan's strongly connected components, iterative (no recursion limit), O(V + E). */
export function findStronglyConnected(adj: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let next = 0;
  for (const root of adj.keys()) {
    if (index.has(root)) continue;
    const work: Array<[string, number]> = [[root, 0]];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const [v, i] = frame;
      const succ = adj.get(v) ?? [];
      if (i < succ.length) {
        frame[1]++;
        const w = succ[i]!;
        if (!index.has(w)) {
          index.set(w, next);
          low.set(w, next++);
          stack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        out.push(comp.sort());
      }
    }
  }
  return out;
}

/**
 * Elementary cycles inside one component, shortest first, capped (at most
 * `maxCycles` cycles of length <= `maxLength`). Each cycle starts at its smallest member,
 * so a cycle is listed once. Bounded DFS: enumeration can explode on dense components.
 */
export function listCycles(
  members: readonly string[],
  adj: ReadonlyMap<string, readonly string[]>,
  maxCycles: number,
  maxLength: number,
): string[][] {
  const inComp = new Set(members);
  const order = [...members].sort();
  const rank = new Map(order.map((n, i) => [n, i]));
  const cycles: string[][] = [];
  let budget = 200_000;
  for (const start of order) {
    const path = [start];
    const onPath = new Set([start]);
    const dfs = (v: string): void => {
      if (cycles.length >= maxCycles * 4 || --budget <= 0) return;
      for (const w of adj.get(v) ?? []) {
        if (!inComp.has(w) || rank.get(w)! < rank.get(start)!) continue;
        if (w === start) {
          cycles.push([...path, start]);
          continue;
        }
        if (onPath.has(w) || path.length >= maxLength) continue;
        path.push(w);
        onPath.add(w);
        dfs(w);
        path.pop();
        onPath.delete(w);
      }
    };
    dfs(start);
  }
  cycles.sort((a, b) => a.length - b.length || a.join(">").localeCompare(b.join(">")));
  return cycles.slice(0, maxCycles);
}
