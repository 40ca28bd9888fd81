export { generateMsw } from "./generateMsw.js";
export { problemTable, emitErrorStatuses } from "./emitErrorStatuses.js";
export { emitParameterSchemas } from "./emitParameterSchemas.js";
