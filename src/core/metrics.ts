// Prometheus metrics (prom-client), served at /metrics (src/server/metrics-endpoint.ts). One Registry of our own, not
// prom-client's global one: a test, or a second app in one process, reads exactly what this process recorded.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'rapport_' });

/** Seconds, from a few milliseconds (a cached lookup) to a long report; SQL and jobs share them. */
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const graphqlRequests = new Counter({
  name: 'rapport_graphql_requests_total',
  help: 'GraphQL requests answered, by operation name and outcome (ok: no errors; error: at least one).',
  labelNames: ['operation', 'outcome'] as const,
  registers: [registry],
});

export const graphqlDuration = new Histogram({
  name: 'rapport_graphql_request_duration_seconds',
  help: 'Time from receiving a GraphQL request to sending its answer, by operation name and outcome.',
  labelNames: ['operation', 'outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const graphqlErrors = new Counter({
  name: 'rapport_graphql_errors_total',
  help: 'Errors in GraphQL answers, by extensions.code.',
  labelNames: ['code'] as const,
  registers: [registry],
});

export const graphqlExecutions = new Counter({
  name: 'rapport_graphql_executions_total',
  help: 'Operations executed, by engine: compiled (graphql-jit) or graphql-js (GRAPHQL_EXECUTION=graphql-js, or a document graphql-jit could not compile).',
  labelNames: ['engine'] as const,
  registers: [registry],
});

export const graphqlCompilations = new Counter({
  name: 'rapport_graphql_compilations_total',
  help: 'Documents compiled by graphql-jit (once per document while Apollo keeps it parsed), by outcome (compiled, or fallback to graphql-js).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const graphqlCost = new Histogram({
  name: 'rapport_graphql_query_cost',
  help: 'Query cost taken from the caller’s bucket per request (extensions.cost.actualQueryCost), by operation name.',
  labelNames: ['operation'] as const,
  buckets: [1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000],
  registers: [registry],
});

export const sqlStatements = new Histogram({
  name: 'rapport_graphql_sql_statements',
  help: 'SQL statements run per GraphQL request (transaction control not counted), by operation name.',
  labelNames: ['operation'] as const,
  buckets: [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 100],
  registers: [registry],
});

export const sqlSeconds = new Histogram({
  name: 'rapport_graphql_sql_duration_seconds',
  help: 'Time spent in SQL statements per GraphQL request (statements run in parallel are added), by operation name.',
  labelNames: ['operation'] as const,
  buckets: SECONDS,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'rapport_job_duration_seconds',
  help: 'Background jobs run by the job worker, by task name and outcome (ok, failed).',
  labelNames: ['task', 'outcome'] as const,
  buckets: [...SECONDS, 60, 300, 900],
  registers: [registry],
});

export const modelFitDuration = new Histogram({
  name: 'rapport_model_fit_duration_seconds',
  help: 'Customer model fits (src/insight/model), by outcome (ok, failed).',
  labelNames: ['outcome'] as const,
  buckets: [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900],
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'rapport_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (for example delivered, failed, timeout, disabled).',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookDeliveryDuration = new Histogram({
  name: 'rapport_webhook_delivery_duration_seconds',
  help: 'Time a webhook delivery attempt took, until the receiver answered or the attempt gave up, by outcome.',
  labelNames: ['outcome'] as const,
  buckets: SECONDS,
  registers: [registry],
});

/** What the webhook worker calls after each delivery attempt. `outcome` is one of a few fixed words, never a URL. */
export function recordWebhookDelivery(outcome: string, durationMs: number): void {
  if (!/^[a-z][a-z_]{0,31}$/.test(outcome)) outcome = 'other';
  webhookDeliveries.inc({ outcome });
  webhookDeliveryDuration.observe({ outcome }, durationMs / 1000);
}

/** Runs a job or fit and records how long it took and whether it threw. */
export async function timed<T>(histogram: Histogram<string>, labels: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const end = histogram.startTimer(labels);
  try {
    const result = await fn();
    end({ outcome: 'ok' });
    return result;
  } catch (e) {
    end({ outcome: 'failed' });
    throw e;
  }
}

/** A connection pool's counts (pg's Pool has them). */
export interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
}

let observedPool: (() => PoolCounts | null) | null = null;

new Gauge({
  name: 'rapport_db_pool_connections',
  help: 'The request pool: connections open (total), of which idle, and requests waiting for one.',
  labelNames: ['state'] as const,
  registers: [registry],
  collect() {
    const pool = observedPool?.();
    if (!pool) return;
    this.set({ state: 'total' }, pool.totalCount);
    this.set({ state: 'idle' }, pool.idleCount);
    this.set({ state: 'waiting' }, pool.waitingCount);
  },
});

/** Which pool /metrics reports (the serving one); read at each scrape. */
export function observePool(read: () => PoolCounts | null): void {
  observedPool = read;
}

/** Operation names become label values only while there are few: a hostile client cannot grow the series without bound. */
export const MAX_OPERATION_LABELS = 200;
const VALID_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const seenOperations = new Set<string>();

/**
 * The label for an operation: its name when it is a valid GraphQL name of at most 64 characters and one of the first
 * MAX_OPERATION_LABELS names seen; `anonymous` for none; `other` for the rest (and for requests that never got as far
 * as a resolved operation).
 */
export function operationLabel(name: string | null | undefined): string {
  if (name === null || name === undefined || name === '') return 'anonymous';
  if (!VALID_NAME.test(name)) return 'other';
  if (seenOperations.has(name)) return name;
  if (seenOperations.size >= MAX_OPERATION_LABELS) return 'other';
  seenOperations.add(name);
  return name;
}
