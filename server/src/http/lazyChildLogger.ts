import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace"] as const;
type LevelName = (typeof LEVELS)[number];
type LogFn = (...args: unknown[]) => void;
type Bindings = Record<string, unknown>;
type ChildOptions = Parameters<FastifyBaseLogger["child"]>[1];
type Pino = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

/**
 * A request's logger that becomes pino's `logger.child(bindings)` only when something is logged
 * at an enabled level. fastify makes one child per request, and pino serializes the bindings
 * (the request id) into every child it makes: about a microsecond per request, paid even when the
 * request logs nothing (the usual case at `info`). Lines that are logged carry the same bindings
 * as before.
 */
class LazyChildLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    readonly parent: Pino,
    readonly bindings: Bindings,
    readonly options: ChildOptions | undefined,
  ) {}

  #real(): FastifyBaseLogger {
    this.#child ??= this.parent.child(this.bindings, this.options);
    return this.#child;
  }

  /** One line at `level`: dropped while that level is off, else written by the real child. */
  log(level: LevelName, args: unknown[]): void {
    if (this.#child === undefined && this.parent.isLevelEnabled?.(level) === false) return;
    (this.#real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }
  set level(level: string) {
    this.#real().level = level;
  }
  isLevelEnabled(level: string): boolean {
    return this.#child ? (this.#child as Pino).isLevelEnabled?.(level) !== false : this.parent.isLevelEnabled?.(level) !== false;
  }
  declare fatal: LogFn;
  declare error: LogFn;
  declare warn: LogFn;
  declare info: LogFn;
  declare debug: LogFn;
  declare trace: LogFn;
  silent(): void {}
  child(bindings: Bindings, options?: ChildOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options);
  }
}

for (const level of LEVELS) {
  LazyChildLogger.prototype[level] = function (this: LazyChildLogger, ...args: unknown[]): void {
    this.log(level, args);
  };
}

/**
 * fastify's `childLoggerFactory` making {@link LazyChildLogger}s; a route with its own log level
 * gets a real child at once.
 *
 * @example
 * const app = Fastify({ logger: { level: "info" }, childLoggerFactory: lazyChildLogger });
 */
export const lazyChildLogger: NonNullable<FastifyServerOptions["childLoggerFactory"]> = (logger, bindings, options) => {
  if (options.level !== undefined || typeof (logger as Pino).isLevelEnabled !== "function") return logger.child(bindings, options);
  return new LazyChildLogger(logger as Pino, bindings, options) as unknown as FastifyBaseLogger;
};
