import { AsyncLocalStorage } from 'node:async_hooks';
import { trace, TraceFlags } from '@opentelemetry/api';
import pino, { type DestinationStream, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/**
 * The levelled logger every module uses (`log.info('…', extra)`), backed by pino: one JSON object per line on stderr
 * with `level`, `time`, `msg` and the `requestId` of the request being handled, so a partner's X-Request-Id finds the
 * lines; human-readable (pino-pretty) in development when stderr is a terminal. Quiet in tests unless LOG_LEVEL says.
 */
type Level = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** What every line written while handling one request carries. */
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

/**
 * Lines go through process.stderr.write rather than pino's own file-descriptor writer: synchronous (nothing is lost
 * when the process exits on an error) and one place to capture them in a test.
 */
const stderr: DestinationStream = { write: (line: string) => void process.stderr.write(line) };

function destination(): DestinationStream {
  const human = process.env.LOG_FORMAT === 'pretty' || (process.env.LOG_FORMAT !== 'json' && process.env.NODE_ENV !== 'production' && process.stderr.isTTY === true);
  if (!human) return stderr;
  const pretty = prettyFactory({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  return { write: (line: string) => void process.stderr.write(pretty(line)) };
}

const initialLevel: Level = (process.env.LOG_LEVEL as Level) || (process.env.JEST_WORKER_ID ? 'silent' : 'info');

const logger: Logger = pino(
  {
    level: initialLevel,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Level names, not pino's numbers: what a reader and a log query expect.
    formatters: { level: (label) => ({ level: label }) },
    // The request's id, and with tracing on the trace's: a log line leads to its trace and back.
    mixin: () => {
      const requestId = logContext.getStore()?.requestId;
      const span = trace.getActiveSpan()?.spanContext();
      const traced = span && span.traceFlags & TraceFlags.SAMPLED ? { traceId: span.traceId, spanId: span.spanId } : {};
      return requestId ? { requestId, ...traced } : traced;
    },
  },
  destination(),
);

export function setLogLevel(level: Level): void {
  logger.level = level;
}

/**
 * The second argument: an Error goes under `err` (message and stack), a plain object's fields join the line (the
 * structured fields of a request line), anything else goes under `detail`.
 */
function fields(extra: unknown): Record<string, unknown> {
  if (extra === undefined) return {};
  if (extra instanceof Error) return { err: extra };
  if (extra !== null && typeof extra === 'object' && !Array.isArray(extra)) return extra as Record<string, unknown>;
  return { detail: extra };
}

function write(level: Exclude<Level, 'silent'>, message: string, extra?: unknown): void {
  if (!logger.isLevelEnabled(level)) return;
  logger[level](fields(extra), message);
}

export const log = {
  debug: (m: string, extra?: unknown) => write('debug', m, extra),
  info: (m: string, extra?: unknown) => write('info', m, extra),
  warn: (m: string, extra?: unknown) => write('warn', m, extra),
  error: (m: string, extra?: unknown) => write('error', m, extra),
};
