/** Where {@link OutageLog} writes its lines. */
export type OutageLogger = (message: string) => void;

/** Writes one line on stderr: the serve and worker processes' logs stay readable during an outage. */
export const stderrLogger: OutageLogger = (message) => {
  process.stderr.write(`polybridge: ${message}\n`);
};

/**
 * Logs a Redis outage once: the first connection error after the link was up (or at start), then
 * nothing until a client is ready again, which is logged once too. ioredis retries every few
 * hundred milliseconds and every client (queue, events, blocking, pub/sub) reports each retry: without
 * this, a Redis restart writes hundreds of identical lines.
 *
 * @example
 * const outage = new OutageLog("serve", stderrLogger);
 * client.on("error", outage.error);
 * client.on("ready", outage.ready);
 */
export class OutageLog {
  #down = false;
  #errors = 0;
  #since = 0;
  #downWaiters: Array<() => void> = [];

  constructor(
    readonly name: string,
    readonly log: OutageLogger = stderrLogger,
    /** Called once when an outage starts. */
    readonly onDown: () => void = () => undefined,
  ) {}

  /** True between a connection error and the next ready client. */
  get down(): boolean {
    return this.#down;
  }

  /**
   * Resolves when an outage starts (at once while one lasts). Start-up waits for Redis or for
   * this, whichever comes first: a node whose Redis is not there yet listens and answers 503
   * instead of hanging before it listens.
   */
  whenDown(): Promise<void> {
    if (this.#down) return Promise.resolve();
    return new Promise((resolve) => this.#downWaiters.push(resolve));
  }

  readonly error = (error: unknown): void => {
    if (!isConnectionError(error)) {
      // A consequence of an outage (a lock or key Redis lost) is not news while it lasts.
      if (!this.#down) this.log(`${this.name}: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.#errors++;
    if (this.#down) return;
    this.#down = true;
    this.#since = Date.now();
    const message = error instanceof Error ? error.message : String(error);
    this.log(`${this.name}: Redis unreachable (${message}); retrying quietly until it is back`);
    for (const resolve of this.#downWaiters.splice(0)) resolve();
    this.onDown();
  };

  readonly ready = (): void => {
    if (!this.#down) return;
    this.#down = false;
    this.log(`${this.name}: Redis is back after ${Math.round((Date.now() - this.#since) / 100) / 10} s (${this.#errors} connection errors)`);
    this.#errors = 0;
  };
}

const CONNECTION_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);

/** Errors of the link to Redis (as opposed to errors of a command). */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (code !== undefined && CONNECTION_CODES.has(code)) || /connection is closed|connect E|socket closed|LOADING/i.test(error.message);
}
