export { validateResponse, validateJobEvent } from "./validateResponse.js";
