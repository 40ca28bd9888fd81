import pino, { type DestinationStream, type LoggerOptions } from "pino";

/** A log line waits at most this long for others to share its write. */
export const LOG_FLUSH_MS = 100;

/** Lines are written once this many characters are waiting. */
const LOG_BUFFER_CHARS = 4096;

/** pino's level number of `warn`: lines from it up are written at once. */
const WARN = 40;

/** A pino destination that writes its lines in batches, and what stops it. */
export interface BufferedLog {
  /** pino's logger options: `stream`, and `hooks` that schedule and hurry writes. */
  options: Pick<LoggerOptions, "hooks"> & { stream: DestinationStream };
  /** Writes what is waiting and stops the timer (the stream stays open: it is stdout). */
  close(): void;
}

/**
 * Log lines to a file descriptor (stdout by default) through pino's sonic-boom, in batches: a
 * line is written once 4 KiB are waiting, or within {@link LOG_FLUSH_MS} of being logged, and
 * at once from `warn` up. Written one by one, each `info` line of a small job was an
 * asynchronous write through libuv's thread pool, ≈ 30 µs of the main thread's CPU (a quarter
 * of the job's). pino writes what is left when the process exits.
 *
 * @example
 * const log = bufferedLog();
 * const app = Fastify({ logger: { level: "info", ...log.options } });
 * app.addHook("onClose", (_app, done) => (log.close(), done()));
 */
export function bufferedLog(fd = 1): BufferedLog {
  const stream = pino.destination({ dest: fd, sync: false, minLength: LOG_BUFFER_CHARS });
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    stream.flush();
  };
  return {
    options: {
      stream,
      hooks: {
        streamWrite(line) {
          timer ??= setTimeout(flush, LOG_FLUSH_MS).unref();
          return line;
        },
        logMethod(args, method, level) {
          method.apply(this, args);
          if (level >= WARN) flush();
        },
      },
    },
    close: () => {
      if (timer !== undefined) flush();
    },
  };
}
