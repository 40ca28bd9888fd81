import { setTimeout as sleep } from "node:timers/promises";
import { CaseFailure } from "../CaseFailure.js";
import type { Exchange } from "../HttpSession.js";
import { matchValue } from "../matchValue.js";
import type { Session } from "../Session.js";
import type { CheckContext } from "./NamedCheck.js";

interface Task {
  label: string;
  run: (http: Session) => Promise<unknown>;
  expected: unknown;
}

const WORDS = ["alpha", "beta", "gamma", "delta", "epsilon"];

/**
 * Fires `jobs` mixed jobs (map, filter, fold, mapreduce over different inputs) and `calls`
 * sync calls at once, then checks every answer against a result computed here, so crossed
 * wires between concurrent jobs show up as wrong results.
 *
 * @example
 * await concurrentWork(ctx, { jobs: 24, calls: 0 });
 */
export async function concurrentWork({ http }: CheckContext, args: Record<string, unknown>): Promise<void> {
  const tasks = [
    ...Array.from({ length: Number(args.jobs ?? 0) }, (_, i) => jobTask(i)),
    ...Array.from({ length: Number(args.calls ?? 0) }, (_, i) => callTask(i)),
  ];
  const outcomes = await Promise.allSettled(tasks.map((t) => t.run(http)));
  const wrong: string[] = [];
  outcomes.forEach((o, i) => {
    const task = tasks[i];
    if (!task) return;
    if (o.status === "rejected") wrong.push(`${task.label}: ${(o.reason as Error).message}`);
    else {
      const miss = matchValue(task.expected, o.value);
      if (miss.length > 0) wrong.push(`${task.label}: ${miss[0] ?? ""}`);
    }
  });
  if (wrong.length > 0) throw new CaseFailure(`${wrong.length} of ${tasks.length} concurrent requests wrong: ${wrong.slice(0, 3).join("; ")}`);
}

function jobTask(i: number): Task {
  const n = 40 + i;
  const ints = Array.from({ length: n }, (_, k) => k);
  switch (i % 4) {
    case 0:
      return job(`map #${i}`, { kind: "map", function: "square", input: { range: { start: 0, end: n } }, options: { chunkSize: 7 } }, { kind: "map", items: ints.map((x) => x * x) });
    case 1: {
      const items = ints.map((k) => (k * 7919 + i) % 1000);
      return job(`filter #${i}`, { kind: "filter", function: "isEven", input: { items }, options: { chunkSize: 5 } }, { kind: "filter", items: items.filter((x) => x % 2 === 0) });
    }
    case 2:
      return job(`fold #${i}`, { kind: "fold", function: "sum", input: { range: { start: i, end: 1000 + i } }, options: { chunkSize: 100 } }, { kind: "fold", value: Array.from({ length: 1000 }, (_, k) => k + i).reduce((a, b) => a + b, 0) });
    default: {
      const texts = Array.from({ length: 1 + (i % 5) }, (_, k) => WORDS.slice(0, k + 1).join(" "));
      const counts = new Map<string, number>();
      for (const t of texts) for (const w of t.split(" ")) counts.set(w, (counts.get(w) ?? 0) + 1);
      const entries = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return job(`mapreduce #${i}`, { kind: "mapreduce", function: "tokenize", reducer: "sum", input: { items: texts }, options: { chunkSize: 1 } }, { kind: "mapreduce", entries });
    }
  }
}

function job(label: string, body: unknown, expected: unknown): Task {
  return {
    label,
    expected,
    run: async (http) => {
      const res = await http.send({ method: "POST", path: "/v1/jobs", headers: { prefer: "wait=30" }, body });
      if (res.status !== 200 && res.status !== 202) throw new CaseFailure(`submit answered ${res.status}`);
      const id = (res.body as { id: string }).id;
      return res.status === 200 ? (res.body as { result?: unknown }).result : pollResult(http, id);
    },
  };
}

async function pollResult(http: Session, id: string): Promise<unknown> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res: Exchange = await http.send({ method: "GET", path: `/v1/jobs/${encodeURIComponent(id)}/result` });
    if (res.status === 200) return res.body;
    if (res.status !== 409 || Date.now() > deadline) throw new CaseFailure(`result of ${id} answered ${res.status}`);
    await sleep(100);
  }
}

function callTask(i: number): Task {
  return {
    label: `call square(${i})`,
    expected: { function: "square", output: i * i },
    run: async (http) => {
      const res = await http.send({ method: "POST", path: "/v1/functions/square/call", body: { input: i } });
      return res.body;
    },
  };
}
