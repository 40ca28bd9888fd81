#!/usr/bin/env node
// Calibration (no goal): how much two threads really get on this machine right now. The same
// prime-counting loop on two worker threads at once (each the full amount of work) vs on one,
// alternating. ratio = 2 × t(one) ÷ t(two) — 2.00 on two idle cores; the ceiling for any
// 2-worker speedup in this run (e.g. the primes goal of 1.80x needs a ratio well above 1.8 here).
import { capacityLoop, envNumber, median, report, round, spread } from "./lib/common.mjs";

const ROUNDS = envNumber("ROUNDS", 5);
const N = envNumber("CAPACITY_PRIMES_BELOW", 4_000_000);

const time = (threads) => capacityLoop(threads, N);

await time(1);
const ratios = [];
for (let i = 0; i < ROUNDS; i++) {
  let one, two;
  if (i % 2 === 0) {
    one = await time(1);
    two = await time(2);
  } else {
    two = await time(2);
    one = await time(1);
  }
  ratios.push((2 * one) / two);
}
const ratio = round(median(ratios));
report({ name: "calibration: 2 threads vs 1 on this machine (2.00 = two free cores)", ratio, goal: "none (context)", pass: null, spread: spread(ratios) });
