// Preloaded with `node --import` into a timed child (bench/codegen.mjs): at exit, writes the
// process's whole CPU time (user + system, every thread, start-up included) to $CPU_REPORT.
import { writeFileSync } from "node:fs";

process.once("exit", () => {
  const { user, system } = process.cpuUsage();
  writeFileSync(process.env.CPU_REPORT, JSON.stringify({ cpuMs: (user + system) / 1000, rssMb: process.resourceUsage().maxRSS / 1024 }));
});
