import type { RequestListener, Server, ServerResponse } from 'node:http';
import { RETRY_AFTER_SECONDS, unavailableBody } from './outage';

/**
 * Graceful shutdown for an HTTP server: requests already running finish, nothing new starts.
 *
 *   const serving = drainable(app);
 *   const server = http.createServer(serving.handler).listen(port);
 *   process.on('SIGTERM', async () => { await serving.drain(server, graceMs); ...close Apollo, the pool... });
 *
 * Draining closes the listening socket (new connections are refused, so a load balancer moves on),
 * closes idle keep-alive connections, and answers a request that still arrives on an open connection
 * with 503, `Retry-After` and `Connection: close`. Responses in flight get `Connection: close` too, so
 * each connection ends with its last response. What is still running when the grace period is over is
 * cut off: its client sees the connection drop and retries (a mutation with its Idempotency-Key).
 */
export interface Drainable {
  /** Serve through this instead of the app itself. */
  handler: RequestListener;
  readonly draining: boolean;
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** Resolves once every connection is closed; `completed` is false when the grace period cut requests off. */
  drain(server: Server, graceMs: number): Promise<DrainResult>;
}

export interface DrainResult {
  completed: boolean;
  /** Requests still running when the grace period ended. */
  cutOff: number;
}

const SHUTTING_DOWN = 'The server is restarting. Retry the request.';

function refuse(res: ServerResponse): void {
  res.writeHead(503, { 'content-type': 'application/json', 'retry-after': String(RETRY_AFTER_SECONDS), connection: 'close' });
  res.end(unavailableBody(SHUTTING_DOWN));
}

export function drainable(app: RequestListener): Drainable {
  const running = new Set<ServerResponse>();
  /** 503s waiting behind a response on the same connection: the drain lets them go out too. */
  const refused = new Set<ServerResponse>();
  let draining: Promise<DrainResult> | null = null;
  let onIdle: (() => void) | null = null;
  const settled = () => {
    if (!running.size && !refused.size) onIdle?.();
  };

  const handler: RequestListener = (req, res) => {
    if (draining) {
      refused.add(res);
      const done = () => {
        refused.delete(res);
        settled();
      };
      res.once('finish', done).once('close', done);
      return refuse(res);
    }
    running.add(res);
    // A request is over when the app ends its response, not when its client goes: a client that hung up
    // leaves a mutation running, and its outcome must still be stored for the retry.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      const result = end(...args);
      running.delete(res);
      settled();
      return result;
    }) as ServerResponse['end'];
    app(req, res);
  };

  async function drain(server: Server, graceMs: number): Promise<DrainResult> {
    for (const res of running) if (!res.headersSent) res.setHeader('connection', 'close');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const completed = await Promise.race([
      new Promise<boolean>((resolve) => {
        onIdle = () => resolve(true);
        settled();
      }),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), graceMs);
      }),
    ]);
    clearTimeout(timer);
    const cutOff = running.size;
    // Keep-alive connections that went idle after close(), and whatever the grace period cut off.
    server.closeAllConnections();
    await closed;
    return { completed, cutOff };
  }

  return {
    handler,
    get draining() {
      return draining !== null;
    },
    get inFlight() {
      return running.size;
    },
    drain: (server, graceMs) => (draining ??= drain(server, graceMs)),
  };
}
