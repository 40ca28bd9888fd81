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
export { z } from "zod";
