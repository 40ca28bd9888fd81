/** The input of `diningPhilosophers` (docs/PROTOCOL.md). */
export interface PhilosophersInput {
  philosophers: number;
  meals: number;
  seed?: number;
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);

/**
 * What is wrong with a `diningPhilosophers` output for `input`, by the protocol's invariants:
 * everyone ate `meals` times, the log has one `[i, start, end]` per meal ordered by start, ticks are
 * distinct integers, a philosopher's meals and neighbours' meals never overlap, the monitor saw no
 * neighbours eating together, and forks travelled (at least a request and a fork per pair).
 *
 * @example
 * philosophersViolations({ philosophers: 2, meals: 1 }, { philosophers: 2, meals: [1, 1], messages: 2,
 *   log: [[0, 1, 2], [1, 3, 4]], maxNeighboursEating: 0 }); // []
 */
export function philosophersViolations(input: PhilosophersInput, output: unknown): string[] {
  const n = input.philosophers;
  const out = output as { philosophers?: unknown; meals?: unknown; messages?: unknown; log?: unknown; maxNeighboursEating?: unknown } | null;
  if (out === null || typeof out !== "object") return [`output is not an object: ${JSON.stringify(output)}`];
  const wrong: string[] = [];
  if (out.philosophers !== n) wrong.push(`philosophers is ${JSON.stringify(out.philosophers)}, expected ${n}`);
  if (!Array.isArray(out.meals) || out.meals.length !== n || out.meals.some((m) => m !== input.meals)) {
    wrong.push(`meals is not ${n} times ${input.meals}: ${JSON.stringify(out.meals).slice(0, 200)}`);
  }
  if (out.maxNeighboursEating !== 0) wrong.push(`maxNeighboursEating is ${JSON.stringify(out.maxNeighboursEating)}, expected 0`);
  // One fork per adjacent pair; N = 2 has one pair. Each fork reaches its second user at least once: a request and the fork.
  const pairs = n === 2 ? 1 : n;
  if (!isInt(out.messages) || out.messages < 2 * pairs) wrong.push(`messages is ${JSON.stringify(out.messages)}, expected an integer >= ${2 * pairs}`);
  if (!Array.isArray(out.log)) return [...wrong, "log is not an array"];
  if (out.log.length !== n * input.meals) wrong.push(`log has ${out.log.length} entries, expected ${n * input.meals}`);
  const entries: [number, number, number][] = [];
  for (const [k, e] of (out.log as unknown[]).entries()) {
    if (!Array.isArray(e) || e.length !== 3 || !e.every(isInt)) return [...wrong, `log[${k}] is not [i, start, end] integers: ${JSON.stringify(e)}`];
    const [i, start, end] = e as [number, number, number];
    if (i < 0 || i >= n || start >= end) return [...wrong, `log[${k}] is not a meal of a philosopher 0..${n - 1} with start < end: ${JSON.stringify(e)}`];
    const previous = entries.at(-1);
    if (previous && previous[1] > start) wrong.push(`log is not ordered by start at ${k}`);
    entries.push([i, start, end]);
  }
  const ticks = new Set(entries.flatMap(([, s, e]) => [s, e]));
  if (ticks.size !== entries.length * 2) wrong.push("ticks are not distinct");
  const perPhilosopher = new Array<number>(n).fill(0);
  for (const [i] of entries) perPhilosopher[i] = (perPhilosopher[i] ?? 0) + 1;
  const short = perPhilosopher.findIndex((c) => c !== input.meals);
  if (short >= 0) wrong.push(`philosopher ${short} has ${perPhilosopher[short]} meals in the log, expected ${input.meals}`);
  wrong.push(...overlaps(n, entries));
  return wrong;
}

// Sweep the meals in tick order: a philosopher starting while itself or a neighbour is eating breaks the ring.
function overlaps(n: number, entries: readonly [number, number, number][]): string[] {
  const marks = entries.flatMap(([i, s, e]) => [{ t: s, i, start: true }, { t: e, i, start: false }]).sort((a, b) => a.t - b.t);
  const eating = new Set<number>();
  const wrong: string[] = [];
  for (const m of marks) {
    if (!m.start) {
      eating.delete(m.i);
      continue;
    }
    if (eating.has(m.i)) wrong.push(`philosopher ${m.i} starts a meal at tick ${m.t} while still eating`);
    for (const j of [(m.i + 1) % n, (m.i + n - 1) % n]) if (j !== m.i && eating.has(j)) wrong.push(`neighbours ${m.i} and ${j} eat together at tick ${m.t}`);
    eating.add(m.i);
    if (wrong.length > 5) break;
  }
  return wrong;
}
