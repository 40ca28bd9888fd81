import { InvalidArgumentError } from "commander";

/**
 * A commander argument parser for integers of at least `min`.
 *
 * @example
 * program.option("--port <port>", "port", integer(0), 8080);
 */
export function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected an integer >= ${min}`);
    return n;
  };
}
