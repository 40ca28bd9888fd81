import { describe, expect, it } from "vitest";
import { philosophersViolations } from "../src/checks/philosophersViolations.js";

// A correct 3-ring, one meal each: 0 eats, then 1, then 2 (each pair is adjacent in a 3-ring).
const good = { philosophers: 3, meals: [1, 1, 1], messages: 6, log: [[0, 1, 2], [1, 3, 4], [2, 5, 6]], maxNeighboursEating: 0 };
const input = { philosophers: 3, meals: 1 };

describe("philosophersViolations", () => {
  it("accepts a run that keeps every invariant", () => {
    expect(philosophersViolations(input, good)).toEqual([]);
  });

  it.each([
    ["neighbours eating together", { log: [[0, 1, 4], [1, 2, 3], [2, 5, 6]] }, /neighbours 1 and 0 eat together/],
    ["a philosopher overlapping itself", { meals: [2, 0, 1], log: [[0, 1, 4], [0, 2, 3], [2, 5, 6]] }, /philosopher 0 starts a meal at tick 2 while still eating/],
    ["a missed meal", { meals: [1, 1, 0], log: [[0, 1, 2], [1, 3, 4]] }, /meals is not 3 times 1/],
    ["repeated ticks", { log: [[0, 1, 2], [1, 2, 4], [2, 5, 6]] }, /ticks are not distinct/],
    ["a log out of start order", { log: [[1, 3, 4], [0, 1, 2], [2, 5, 6]] }, /not ordered by start/],
    ["a monitor that saw neighbours eat", { maxNeighboursEating: 1 }, /maxNeighboursEating is 1/],
    ["too few messages", { messages: 5 }, /messages is 5, expected an integer >= 6/],
    ["an entry that is not [i, start, end]", { log: [[0, 1], [1, 3, 4], [2, 5, 6]] }, /log\[0\] is not \[i, start, end\]/],
    ["a log entry of a philosopher outside the ring", { log: [[0, 1, 2], [1, 3, 4], [3, 5, 6]] }, /log\[2\] is not a meal of a philosopher 0..2/],
  ])("reports %s", (_name, change, message) => {
    expect(philosophersViolations(input, { ...good, ...change }).join("; ")).toMatch(message);
  });
});
