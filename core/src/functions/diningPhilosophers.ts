import { z } from "zod";
import { defineUnary } from "./defineFunction.js";
import { runDiningPhilosophers } from "./philosophers/runDiningPhilosophers.js";

/**
 * The conformance function `diningPhilosophers` (docs/PROTOCOL.md): the Chandy/Misra ring as
 * async actors with mailboxes. Not inline: on the reference server a call runs on the worker pool.
 *
 * @example
 * const out = await diningPhilosophers.run({ philosophers: 3, meals: 2 }, { signal: AbortSignal.timeout(5000) });
 * out.meals; // [2, 2, 2]
 */
export const diningPhilosophers = defineUnary({
  name: "diningPhilosophers",
  description: "Runs the Chandy/Misra dining philosophers ring as actors; returns meals, messages, the eating log and the most neighbours ever eating together (0).",
  input: z.strictObject({
    philosophers: z.int().min(2).max(1000),
    meals: z.int().min(1).max(100),
    seed: z.int().min(0).optional(),
  }),
  output: z.object({
    philosophers: z.int(),
    meals: z.array(z.int()),
    messages: z.int(),
    log: z.array(z.tuple([z.int(), z.int(), z.int()])),
    maxNeighboursEating: z.int(),
  }),
  run: (input, { signal }) => runDiningPhilosophers(input, signal),
});
