// THE file to edit: every function this server serves. Add a definition, then list it in the
// default export at the bottom. `npm run build && npm start` serves it at
// POST /v1/functions/<name>/call and in jobs (map, filter, reduce, mapreduce) on a worker pool.
//
// Kinds: defineUnary (input → output; map, filter, call), defineReducer (an associative fold
// with an identity; reduce), defineEmitter (input → [[key, value], …]; mapreduce).
// Schemas are zod; the server validates inputs with them and publishes them as JSON Schema
// in GET /v1/functions, which `polybridge generate functions` turns into typed client calls.
import { conformanceFunctions, defineUnary, z, type FunctionDefinition } from "@polybridge/server/functions";

/** An example of your own: a number to the third power. */
export const cube = defineUnary({
  name: "cube",
  description: "Raises a number to the third power.",
  input: z.number(),
  output: z.number(),
  // Cheap and synchronous: sync calls run it on the request thread instead of a worker.
  inline: true,
  run: (x) => x * x * x,
});

/**
 * Everything served. Keep `conformanceFunctions` (echo, square, isEven, sum, tokenize, fail,
 * sleep, diningPhilosophers): the conformance suite, and clients that probe servers, rely on them.
 */
const functions: readonly FunctionDefinition[] = [...conformanceFunctions, cube];

export default functions;
