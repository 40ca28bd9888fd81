export { generateMsw } from "./generateMsw.js";
export { errorStatuses, emitErrorStatuses } from "./emitErrorStatuses.js";
export { emitParameterSchemas } from "./emitParameterSchemas.js";
