export { runDiningPhilosophers, type PhilosophersInput, type PhilosophersOutput } from "./runDiningPhilosophers.js";
export { Mailbox } from "./Mailbox.js";
export { seededRandom } from "./seededRandom.js";
