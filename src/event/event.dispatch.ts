import type { DataSource, EntityManager } from 'typeorm';
import { AccessPolicy } from '../core/access';
import { addJob } from '../core/jobs';
import { DISPATCH_EVENTS_JOB } from '../core/events';
import { apiKeyActor, type ApiKeyIdentity } from '../core/credentials';
import { visibleEventsCondition } from './event.visibility';

export const DELIVER_WEBHOOKS_JOB = 'webhooks.deliver';
/** Events sequenced per transaction; more wait for the next run, which is queued at once. */
const BATCH = 1000;

/** One delivery job per subscription at a time, on its own queue: a subscription's deliveries go in order. */
export const queueDeliveries = (m: EntityManager | DataSource, subscriptionId: string, runAt?: Date) =>
  m.query(`SELECT graphile_worker.add_job($1, $2::json, queue_name := $3, job_key := $3, run_at := $4::timestamptz)`, [
    DELIVER_WEBHOOKS_JOB,
    JSON.stringify({ subscriptionId }),
    `webhook:${subscriptionId}`,
    runAt ?? null,
  ]);

/**
 * The sequencer and fan-out, run after every transaction that wrote events (recordAudit queues it). Under one lock it
 * gives the committed events without a sequence the next numbers, in the order they were written: an event that
 * commits after a later-written one is numbered after it, so a partner who has read up to `seq` never misses one. In
 * the same transaction each enabled subscription gets a delivery of every new event it asked for and its key may read.
 */
export async function dispatchEvents(db: DataSource): Promise<void> {
  const more = await db.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('domain_events:sequencer'))`);
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [stamped]: [Array<{ id: string }>, number] = await m.query(
      `WITH todo AS (SELECT n, row_number() OVER (ORDER BY n) AS rn FROM domain_events WHERE seq IS NULL ORDER BY n LIMIT ${BATCH}),
            base AS (SELECT coalesce(max(seq), 0) AS s FROM domain_events)
       UPDATE domain_events d SET seq = base.s + todo.rn FROM todo, base WHERE d.n = todo.n RETURNING d.id`,
    );
    if (!stamped.length) return false;
    const ids = stamped.map((r) => r.id);
    const subscriptions: Array<ApiKeyIdentity & { subscription_id: string; event_types: string[] }> = await m.query(
      `SELECT s.id AS subscription_id, s.event_types, k.id, k.name, k.role, k.scopes, k.user_id
         FROM webhook_subscriptions s JOIN api_keys k ON k.id = s.api_key_id
        WHERE s.enabled AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > now())`,
    );
    for (const s of subscriptions) {
      const visible = visibleEventsCondition(new AccessPolicy(apiKeyActor(s)), 'e');
      const queued: unknown[] = await m.query(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, event_seq, object_type, object_id)
         SELECT $1, e.id, e.seq, e.object_type, e.object_id FROM domain_events e
          WHERE e.id = ANY($2::uuid[]) AND (cardinality($3::text[]) = 0 OR e.type = ANY($3::text[])) AND ${visible}
          ORDER BY e.seq
         RETURNING 1`,
        [s.subscription_id, ids, s.event_types],
      );
      if (queued.length) await queueDeliveries(m, s.subscription_id);
    }
    return stamped.length === BATCH;
  });
  if (more) await addJob(db, DISPATCH_EVENTS_JOB, {});
}
