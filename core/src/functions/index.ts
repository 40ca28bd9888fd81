export {
  defineUnary,
  defineReducer,
  defineEmitter,
  type FunctionDefinition,
  type UnaryFunction,
  type ReducerFunction,
  type EmitterFunction,
  type FunctionContext,
  type PairKey,
} from "./defineFunction.js";
export { FunctionRegistry, type FunctionInfo } from "./FunctionRegistry.js";
export { conformanceFunctions, echo, square, isEven, sum, tokenize, fail, sleep, words } from "./conformance.js";
export { diningPhilosophers } from "./diningPhilosophers.js";
export { runDiningPhilosophers, Mailbox, seededRandom, type PhilosophersInput, type PhilosophersOutput } from "./philosophers/index.js";
export { zodFieldErrors, type FieldError } from "./zodFieldErrors.js";
export { z } from "zod";
