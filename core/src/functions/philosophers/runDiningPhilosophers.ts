import { Mailbox } from "./Mailbox.js";
import { seededRandom } from "./seededRandom.js";

/** The input of `diningPhilosophers`. */
export interface PhilosophersInput {
  philosophers: number;
  meals: number;
  seed?: number | undefined;
}

/** What the ring's monitor saw (docs/PROTOCOL.md). */
export interface PhilosophersOutput {
  philosophers: number;
  /** Meals eaten by each philosopher. */
  meals: number[];
  /** Fork and request-token messages sent between neighbours. */
  messages: number;
  /** One `[philosopher, start, end]` per meal, ordered by start; ticks of the monitor. */
  log: [number, number, number][];
  /** The most adjacent pairs the monitor ever saw eating at once (0 when the ring is correct). */
  maxNeighboursEating: number;
}

type PhilosopherMessage = { kind: "request"; from: number } | { kind: "fork"; from: number } | { kind: "stop" };
type MonitorMessage = { kind: "start" | "end"; who: number };

/** One fork as a philosopher sees it: whether it holds it, whether it is dirty, whether it holds the pair's request token. */
interface ForkState {
  held: boolean;
  dirty: boolean;
  token: boolean;
}

/** The distinct neighbours of `i` in a ring of `n` (one for n = 2: one pair, one fork). */
function neighbours(i: number, n: number): number[] {
  const right = (i + 1) % n;
  const left = (i + n - 1) % n;
  return left === right ? [right] : [left, right];
}

/**
 * The Chandy/Misra dining philosophers as async actors with mailboxes: each philosopher talks
 * only to its neighbours (request tokens and forks) and to a monitor, which ticks on every
 * eat-start and eat-end, acknowledges each eat-end before the philosopher hands on a fork (so
 * its view is causally exact), and stops everyone when every meal is eaten. Forks start dirty
 * at the lower-numbered philosopher of each pair. `seed` drives the think and eat pauses
 * (microtask yields or a macrotask turn). Aborting `signal` stops every actor and clears every
 * timer; the promise then rejects with the signal's reason.
 *
 * @example
 * const out = await runDiningPhilosophers({ philosophers: 5, meals: 3, seed: 1 }, new AbortController().signal);
 * out.meals; // [3, 3, 3, 3, 3]
 * out.maxNeighboursEating; // 0
 */
export async function runDiningPhilosophers(input: PhilosophersInput, signal: AbortSignal): Promise<PhilosophersOutput> {
  signal.throwIfAborted();
  const n = input.philosophers;
  const random = seededRandom(input.seed ?? 0);
  const boxes = Array.from({ length: n }, () => new Mailbox<PhilosopherMessage>());
  const acks = Array.from({ length: n }, () => new Mailbox<true>());
  const monitorBox = new Mailbox<MonitorMessage>();
  const timers = new Map<ReturnType<typeof setTimeout>, (reason: unknown) => void>();
  let messages = 0;

  // Stops every actor wherever it waits (a mailbox or a pause) and clears every timer.
  const stopAll = (reason: unknown): void => {
    for (const [timer, reject] of timers) {
      clearTimeout(timer);
      reject(reason);
    }
    timers.clear();
    for (const box of [...boxes, ...acks, monitorBox]) box.fail(reason);
  };
  const onAbort = (): void => stopAll(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });

  // Thinking and eating take a seeded pause: a few microtask yields, or one macrotask turn
  // (which also lets an abort from outside, e.g. a worker's cancel message, be delivered).
  const pause = async (): Promise<void> => {
    const r = random();
    if (r < 0.75) {
      for (let k = Math.floor(r * 5); k > 0; k--) await Promise.resolve();
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, 0);
      timers.set(timer, reject);
    });
  };

  const philosopher = async (i: number): Promise<void> => {
    const box = boxes[i] as Mailbox<PhilosopherMessage>;
    const forks = new Map<number, ForkState>();
    for (const j of neighbours(i, n)) forks.set(j, { held: i < j, dirty: true, token: i > j });
    let hungry = false;
    const send = (to: number, message: PhilosopherMessage): void => {
      messages++;
      (boxes[to] as Mailbox<PhilosopherMessage>).send(message);
    };
    const request = (j: number, fork: ForkState): void => {
      fork.token = false;
      send(j, { kind: "request", from: i });
    };
    const handOver = (j: number, fork: ForkState): void => {
      fork.held = false;
      send(j, { kind: "fork", from: i });
    };
    const handle = (message: PhilosopherMessage): void => {
      if (message.kind === "stop") throw new Error(`philosopher ${i} stopped before its meals were eaten`);
      const fork = forks.get(message.from) as ForkState;
      if (message.kind === "fork") {
        fork.held = true;
        fork.dirty = false;
        return;
      }
      fork.token = true;
      // A dirty fork goes to whoever asks (a hungry philosopher asks for it back at once); a clean one is kept until eaten with.
      if (fork.held && fork.dirty) {
        handOver(message.from, fork);
        if (hungry) request(message.from, fork);
      }
    };
    const holdsAll = (): boolean => [...forks.values()].every((f) => f.held);

    for (let meal = 0; meal < input.meals; meal++) {
      await pause(); // thinking
      for (const message of box.drain()) handle(message);
      hungry = true;
      for (const [j, fork] of forks) if (!fork.held && fork.token) request(j, fork);
      while (!holdsAll()) handle(await box.receive());
      monitorBox.send({ kind: "start", who: i });
      await pause(); // eating
      for (const fork of forks.values()) fork.dirty = true;
      monitorBox.send({ kind: "end", who: i });
      await (acks[i] as Mailbox<true>).receive();
      hungry = false;
      for (const [j, fork] of forks) if (fork.token && fork.held) handOver(j, fork);
    }
    // Fed: keep handing forks to neighbours who still eat, until the monitor says everyone is done.
    for (;;) {
      const message = await box.receive();
      if (message.kind === "stop") return;
      handle(message);
    }
  };

  const eaten = new Array<number>(n).fill(0);
  const log: [number, number, number][] = [];
  let maxNeighboursEating = 0;
  const monitor = async (): Promise<void> => {
    const startedAt = new Array<number>(n).fill(0);
    const eating = new Set<number>();
    let tick = 0;
    let pairs = 0;
    for (let ends = 0; ends < n * input.meals; ) {
      const { kind, who } = await monitorBox.receive();
      tick++;
      const together = neighbours(who, n).filter((j) => eating.has(j)).length;
      if (kind === "start") {
        pairs += together;
        maxNeighboursEating = Math.max(maxNeighboursEating, pairs);
        eating.add(who);
        startedAt[who] = tick;
      } else {
        eating.delete(who);
        pairs -= together;
        eaten[who] = (eaten[who] ?? 0) + 1;
        log.push([who, startedAt[who] ?? 0, tick]);
        ends++;
        (acks[who] as Mailbox<true>).send(true);
      }
    }
    for (const box of boxes) box.send({ kind: "stop" });
  };

  try {
    await Promise.all([monitor(), ...Array.from({ length: n }, (_, i) => philosopher(i))]);
  } catch (error) {
    // One actor failing (a bug) must not leave the others waiting: stop them all.
    stopAll(error);
    throw signal.aborted ? signal.reason : error;
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  log.sort((a, b) => a[1] - b[1]);
  return { philosophers: n, meals: eaten, messages, log, maxNeighboursEating };
}
