export { generatePythonClient, type GeneratePythonClientOptions } from "./generatePythonClient.js";
