// Worker of bench/parallel-capacity.mjs: counts primes in [start, end) with the server's own
// primeTest and posts the count.
import { parentPort, workerData } from "node:worker_threads";
import { primeTest } from "../../server/dist/functions/builtins.js";

let count = 0;
for (let n = workerData.start; n < workerData.end; n++) if (primeTest(n)) count++;
parentPort.postMessage(count);
