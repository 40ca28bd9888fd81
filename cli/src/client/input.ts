import { readFile } from "node:fs/promises";
import { UsageError } from "../UsageError.js";

/** All of stdin, as text. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** `text` as JSON, or a usage error naming `what`. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
}

/** A call's input: the JSON argument, or stdin for `-`. */
export async function callInput(arg: string): Promise<unknown> {
  return arg === "-" ? parseJson(await readStdin(), "stdin") : parseJson(arg, "the input");
}

/**
 * A job's items from a file or stdin (`-`): a JSON array, or else one JSON value per non-empty
 * line (so `seq 1 100 | polybridge run … --items -` works).
 */
export async function readItems(source: string): Promise<unknown[]> {
  let text: string;
  if (source === "-") text = await readStdin();
  else {
    try {
      text = await readFile(source, "utf8");
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new UsageError(`--items ${source}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : (e as Error).message}`);
    }
  }
  const name = source === "-" ? "stdin" : source;
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    const whole = parseJson(trimmed, `--items ${name}`);
    if (Array.isArray(whole)) return whole;
  }
  const items: unknown[] = [];
  const lines = text.split(/\r?\n/);
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    items.push(parseJson(line, `--items ${name}: line ${index + 1}`));
  }
  return items;
}

/** `START:END[:STEP]` as the protocol's range (integers; the step is not 0). */
export function parseRange(text: string): { start: number; end: number; step?: number } {
  const match = /^(-?\d+):(-?\d+)(?::(-?\d+))?$/.exec(text.trim());
  const numbers = match ? [match[1], match[2], match[3]].map((v) => (v === undefined ? undefined : Number(v))) : [];
  const [start, end, step] = numbers;
  if (start === undefined || end === undefined || ![start, end, step ?? 1].every(Number.isSafeInteger)) {
    throw new UsageError(`--range ${text}: expected START:END[:STEP] (integers, END excluded)`);
  }
  if (step === 0) throw new UsageError(`--range ${text}: the step cannot be 0`);
  return step === undefined ? { start, end } : { start, end, step };
}
