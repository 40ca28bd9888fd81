export {
  runConformance,
  type ConformanceOptions, type ConformanceReport, type CaseResult, type UnexpectedResult,
} from "./runConformance.js";
export { loadCases, casesDir, type ConformanceCase } from "./loadCases.js";
export { matchValue, expandRange } from "./matchValue.js";
export { formatTrace, type TraceEntry } from "./formatTrace.js";
export { conformanceCommand } from "./conformanceCommand.js";
