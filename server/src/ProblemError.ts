// The problem table is generated into @polybridge/core (no YAML read at import); kept here for
// the server's own imports and for code written against earlier versions.
export { ProblemError, problem, type ProblemExtras } from "@polybridge/core";
