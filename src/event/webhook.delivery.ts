import type { DataSource } from 'typeorm';
import type { WebhookConfig } from '../core/config';
import { log } from '../core/logger';
import { queueDeliveries } from './event.dispatch';
import { eventBody, type EventRow } from './event.rows';
import { resolvesToPrivate, signatureHeader } from './webhook.signing';

export type DeliveryOutcome = 'delivered' | 'retrying' | 'failed';

export interface DeliveryReport {
  outcome: DeliveryOutcome;
  durationMs: number;
  responseStatus: number | null;
  subscriptionId: string;
}

const listeners: Array<(r: DeliveryReport) => void> = [];

/** Called after every delivery attempt: where metrics (prom-client) plug in without this module knowing them. */
export function onWebhookDelivery(listener: (r: DeliveryReport) => void): () => void {
  listeners.push(listener);
  return () => listeners.splice(listeners.indexOf(listener), 1);
}

/** Attempts one job handles before it hands over to a fresh job (other queues get their turn). */
const PER_RUN = 100;
const ERROR_LENGTH = 500;

interface Head {
  id: string;
  due: boolean;
  next_attempt_at: Date;
  attempts: number;
  event: EventRow;
}

/**
 * Delivers a subscription's pending events, oldest first, each object's events strictly in order: a delivery waits
 * while an earlier one of the same object is pending (retrying), the others go on. At-least-once: an attempt is
 * recorded after the POST, so a worker dying in between sends it again. Retries are our own schedule (run_at), not
 * graphile-worker's: a failed attempt is an outcome, not a failed job.
 */
export async function deliverWebhooks(db: DataSource, config: WebhookConfig, subscriptionId: string): Promise<void> {
  for (let i = 0; i < PER_RUN; i++) {
    // A revoked or expired key's subscription sends nothing more (its events wait, as for a disabled one).
    const [sub]: Array<{ url: string; secret: string; enabled: boolean }> = await db.query(
      `SELECT s.url, s.secret, s.enabled AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now()) AS enabled
         FROM webhook_subscriptions s JOIN api_keys k ON k.id = s.api_key_id WHERE s.id = $1`,
      [subscriptionId],
    );
    if (!sub?.enabled) return;
    const [head]: Head[] = await db.query(
      `SELECT d.id, d.next_attempt_at <= now() AS due, d.next_attempt_at, d.attempts,
              (SELECT row_to_json(x) FROM (SELECT e.n, e.id, e.seq, e.type, e.occurred_at, e.object_type, e.object_id, e.changed_fields, e.actor_kind, e.actor_role, e.request_id) x) AS event
         FROM webhook_deliveries d JOIN domain_events e ON e.id = d.event_id
        WHERE d.subscription_id = $1 AND d.status = 'PENDING'
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries p WHERE p.subscription_id = d.subscription_id AND p.status = 'PENDING'
                            AND p.object_type = d.object_type AND p.object_id IS NOT DISTINCT FROM d.object_id AND (p.event_seq, p.n) < (d.event_seq, d.n))
        ORDER BY d.next_attempt_at, d.event_seq, d.n LIMIT 1`,
      [subscriptionId],
    );
    if (!head) return;
    if (!head.due) {
      await queueDeliveries(db, subscriptionId, new Date(head.next_attempt_at));
      return;
    }
    await attempt(db, config, subscriptionId, sub, head);
  }
  await queueDeliveries(db, subscriptionId);
}

async function attempt(db: DataSource, config: WebhookConfig, subscriptionId: string, sub: { url: string; secret: string }, head: Head): Promise<void> {
  const body = eventBody(head.event);
  const started = process.hrtime.bigint();
  let status: number | null = null;
  let error: string | null = null;
  try {
    if (!config.allowPrivateUrls && (await resolvesToPrivate(sub.url))) throw new Error('the URL resolves to a private or loopback address');
    const res = await fetch(sub.url, {
      method: 'POST',
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Rapport-Webhooks/1',
        'rapport-event-id': JSON.parse(body).id,
        'rapport-signature': signatureHeader(sub.secret, body, Math.floor(Date.now() / 1000)),
      },
    });
    status = res.status;
    await res.body?.cancel().catch(() => undefined);
    if (status < 200 || status >= 300) error = `the receiver answered ${status}`;
  } catch (e) {
    const err = e as Error & { cause?: Error };
    error = err.name === 'TimeoutError' ? `no answer within ${config.timeoutMs} ms` : `${err.message}${err.cause?.message ? `: ${err.cause.message}` : ''}`;
  }
  const durationMs = Number((process.hrtime.bigint() - started) / 1_000_000n);
  const attempts = head.attempts + 1;
  const outcome: DeliveryOutcome = !error ? 'delivered' : attempts >= config.maxAttempts ? 'failed' : 'retrying';
  // Exponential backoff: base, 2·base, 4·base… from this attempt.
  const retryInMs = config.retryBaseMs * 2 ** (attempts - 1);
  await db.transaction(async (m) => {
    await m.query(
      `UPDATE webhook_deliveries SET attempts = $2, status = $3, last_attempt_at = now(), response_status = $4, duration_ms = $5, error = $6,
              next_attempt_at = CASE WHEN $3 = 'PENDING' THEN now() + $7 * interval '1 millisecond' ELSE next_attempt_at END
        WHERE id = $1`,
      [head.id, attempts, outcome === 'delivered' ? 'DELIVERED' : outcome === 'failed' ? 'FAILED' : 'PENDING', status, durationMs, error?.slice(0, ERROR_LENGTH) ?? null, retryInMs],
    );
    if (!error) {
      await m.query(`UPDATE webhook_subscriptions SET consecutive_failures = 0, failing_since = NULL WHERE id = $1 AND consecutive_failures > 0`, [subscriptionId]);
      return;
    }
    // Sustained failure disables the subscription: so many attempts in a row failed, over at least so long.
    await m.query(
      `UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1, failing_since = coalesce(failing_since, now()),
              enabled = CASE WHEN consecutive_failures + 1 >= $2 AND now() - coalesce(failing_since, now()) >= $3 * interval '1 millisecond' THEN false ELSE enabled END,
              disabled_at = CASE WHEN consecutive_failures + 1 >= $2 AND now() - coalesce(failing_since, now()) >= $3 * interval '1 millisecond' THEN now() ELSE disabled_at END,
              disabled_reason = CASE WHEN consecutive_failures + 1 >= $2 AND now() - coalesce(failing_since, now()) >= $3 * interval '1 millisecond'
                THEN format('Disabled automatically: %s delivery attempts in a row failed since %s; the last: %s', consecutive_failures + 1, to_char(coalesce(failing_since, now()) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), $4::text)
                ELSE disabled_reason END
        WHERE id = $1`,
      [subscriptionId, config.disableAfterFailures, config.disableAfterMs, error.slice(0, ERROR_LENGTH)],
    );
  });
  if (error) log.warn(`webhook delivery ${head.id} to subscription ${subscriptionId} failed (attempt ${attempts}): ${error}`);
  for (const listener of listeners) {
    try {
      listener({ outcome, durationMs, responseStatus: status, subscriptionId });
    } catch (e) {
      log.warn('webhook delivery listener failed', e);
    }
  }
}
