import { concurrentWork } from "./concurrentWork.js";
import { diningPhilosophers } from "./diningPhilosophers.js";
import type { NamedCheck } from "./NamedCheck.js";
import { walkJobPages } from "./walkJobPages.js";

/**
 * The TypeScript checks cases may call with `- check: NAME`. Kept few on purpose: everything
 * else is data in `cases/*.yaml`.
 *
 * @example
 * await namedChecks.walkJobPages?.(ctx, { limit: 10 });
 */
export const namedChecks: Readonly<Record<string, NamedCheck>> = { concurrentWork, diningPhilosophers, walkJobPages };
