// One mapping from zod issues to the contract's errors[] for every stack in TypeScript: it lives in core.
export { zodFieldErrors, type FieldError } from "@polybridge/core/functions";
