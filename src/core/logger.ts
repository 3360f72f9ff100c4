import { AsyncLocalStorage } from 'node:async_hooks';

/** A small levelled logger: one line per event on stderr, quiet in tests. */
type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

let threshold: Level = (process.env.LOG_LEVEL as Level) || (process.env.JEST_WORKER_ID ? 'silent' : 'info');

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** What every line written while handling one request carries, so a partner's X-Request-Id finds its lines. */
interface LogContext {
  requestId: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs fn (and everything it starts) with the request's id on every log line. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return logContext.run({ requestId }, fn);
}

/** The id of the request being handled, if any. */
export function currentRequestId(): string | undefined {
  return logContext.getStore()?.requestId;
}

function write(level: Exclude<Level, 'silent'>, message: string, extra?: unknown): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const requestId = logContext.getStore()?.requestId;
  const tag = requestId ? ` requestId=${requestId}` : '';
  const suffix = extra === undefined ? '' : ` ${extra instanceof Error ? extra.stack ?? extra.message : JSON.stringify(extra)}`;
  process.stderr.write(`${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} ${message}${tag}${suffix}\n`);
}

export const log = {
  debug: (m: string, extra?: unknown) => write('debug', m, extra),
  info: (m: string, extra?: unknown) => write('info', m, extra),
  warn: (m: string, extra?: unknown) => write('warn', m, extra),
  error: (m: string, extra?: unknown) => write('error', m, extra),
};
