import { setTimeout as sleep } from "node:timers/promises";
import { CaseFailure } from "../CaseFailure.js";
import type { Session } from "../Session.js";
import type { CheckContext } from "./NamedCheck.js";
import { philosophersViolations, type PhilosophersInput } from "./philosophersViolations.js";

/**
 * Runs `diningPhilosophers` for each ring size in `args.philosophers` (with `args.meals` and
 * `args.seed`) and checks every output against the protocol's invariants. `via: call` (default)
 * makes one sync call per size; `via: job` runs all sizes as one `map` job with `chunkSize: 1` and
 * also checks its progress (one chunk and item per ring, all completed).
 *
 * @example
 * await diningPhilosophers(ctx, { philosophers: [2, 3, 5, 64], meals: 3 });
 */
export async function diningPhilosophers({ http }: CheckContext, args: Record<string, unknown>): Promise<void> {
  const sizes = Array.isArray(args.philosophers) ? args.philosophers.map(Number) : [Number(args.philosophers ?? 5)];
  const inputs: PhilosophersInput[] = sizes.map((philosophers, k) => ({ philosophers, meals: Number(args.meals ?? 3), seed: Number(args.seed ?? 0) + k }));
  const outputs = args.via === "job" ? await viaJob(http, inputs) : await Promise.all(inputs.map((input) => viaCall(http, input)));
  const wrong = inputs.flatMap((input, k) => philosophersViolations(input, outputs[k]).map((w) => `${input.philosophers} philosophers: ${w}`));
  if (wrong.length > 0) throw new CaseFailure(wrong.slice(0, 5).join("; "));
}

async function viaCall(http: Session, input: PhilosophersInput): Promise<unknown> {
  const res = await http.send({ method: "POST", path: "/v1/functions/diningPhilosophers/call", body: { input } });
  if (res.status !== 200) throw new CaseFailure(`call with ${JSON.stringify(input)} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return (res.body as { output?: unknown }).output;
}

interface Job {
  id: string;
  status: string;
  progress: { totalChunks: number; completedChunks: number; totalItems: number; completedItems: number };
  result?: { items?: unknown[] };
}

async function viaJob(http: Session, inputs: PhilosophersInput[]): Promise<unknown[]> {
  const body = { kind: "map", function: "diningPhilosophers", input: { items: inputs }, options: { chunkSize: 1 } };
  const res = await http.send({ method: "POST", path: "/v1/jobs", headers: { prefer: "wait=30" }, body });
  if (res.status !== 200 && res.status !== 202) throw new CaseFailure(`submit answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  let job = res.body as Job;
  const deadline = Date.now() + 60_000;
  while (job.status === "accepted" || job.status === "running") {
    if (Date.now() > deadline) throw new CaseFailure(`job ${job.id} still ${job.status} after 60 s`);
    await sleep(200);
    job = (await http.send({ method: "GET", path: `/v1/jobs/${encodeURIComponent(job.id)}` })).body as Job;
  }
  if (job.status !== "successful") throw new CaseFailure(`job ${job.id} ended ${job.status}: ${JSON.stringify(job).slice(0, 300)}`);
  const p = job.progress;
  const n = inputs.length;
  if (p.totalChunks !== n || p.completedChunks !== n || p.totalItems !== n || p.completedItems !== n) {
    throw new CaseFailure(`progress of a ${n}-ring job is ${JSON.stringify(p)}, expected ${n} chunks and items, all completed`);
  }
  const result = job.result ?? ((await http.send({ method: "GET", path: `/v1/jobs/${encodeURIComponent(job.id)}/result` })).body as Job["result"]);
  const items = result?.items;
  if (!Array.isArray(items) || items.length !== n) throw new CaseFailure(`job result has ${Array.isArray(items) ? items.length : "no"} items, expected ${n}`);
  return items;
}
