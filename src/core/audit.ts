import type { EntityManager } from 'typeorm';
import { SYSTEM, type Actor } from './actor';
import { arrayLiteral, CopyChunk, CopyTable, PartialRows, text } from '../db/copy';
import { newId } from '../db/ids';
import { DISPATCH_EVENTS_JOB, EVENT_OF_ACTION, type EventType } from './events';

/**
 * The audit log's write primitive. Every mutation calls it inside its own transaction, so an event
 * exists exactly when its change does. Only fields that changed are kept, each with before and after.
 */
export interface AuditSubject {
  actor: Actor;
  requestId?: string | null;
}

export interface AuditEvent {
  /** `<object>.<verb>`, e.g. `customer.update`, `apiKey.revoke`. */
  action: string;
  /** The GraphQL type of the object, e.g. `Customer`. */
  objectType: string;
  objectId: string | null;
  before?: object | null;
  after?: object | null;
}

/** Bookkeeping columns that change with every write and say nothing about it. */
const IGNORED = new Set(['updatedAt', 'createdAt', 'keyHash']);

function plain(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value ?? null));
}

/** Field → { before, after } for every field whose JSON differs. */
export function changedFields(before: object | null | undefined, after: object | null | undefined): Record<string, { before: unknown; after: unknown }> {
  const b = (plain(before) ?? {}) as Record<string, unknown>;
  const a = (plain(after) ?? {}) as Record<string, unknown>;
  const out: Record<string, { before: unknown; after: unknown }> = {};
  for (const key of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (IGNORED.has(key)) continue;
    const was = b[key] ?? null;
    const is = a[key] ?? null;
    if (JSON.stringify(was) !== JSON.stringify(is)) out[key] = { before: was, after: is };
  }
  return out;
}

/**
 * Writes one event, or many in one statement (a batch of orders is one request, not a thousand). The same statement
 * writes the public domain events (the transactional outbox, see src/core/events.ts) and queues the job that
 * sequences and delivers them, so every audited change has its event, committed or rolled back with it, at no extra
 * round trip.
 */
export async function recordAudit(m: EntityManager, who: AuditSubject, events: AuditEvent | AuditEvent[]): Promise<void> {
  const list = Array.isArray(events) ? events : [events];
  if (!list.length) return;
  const actor = who.actor;
  const principal = actor.kind === 'principal' ? actor : null;
  await m.query(
    `WITH e AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[], $4::jsonb[], $11::text[]) WITH ORDINALITY AS e(action, object_type, object_id, changes, event_type, n)
     ), audit AS (
       INSERT INTO audit_events (action, object_type, object_id, changes, actor_label, actor_role, actor_user_id, credential_kind, credential_id, request_id)
       SELECT e.action, e.object_type, e.object_id, e.changes, $5, $6, $7, $8, $9, $10 FROM e ORDER BY e.n
     ), outbox AS (
       INSERT INTO domain_events (type, object_type, object_id, changed_fields, actor_kind, actor_role, request_id)
       SELECT e.event_type, e.object_type, e.object_id, ARRAY(SELECT k FROM jsonb_object_keys(e.changes) AS k WHERE k <> 'version' ORDER BY 1), $12, $6, $10
         FROM e WHERE e.event_type IS NOT NULL ORDER BY e.n
       RETURNING 1
     )
     SELECT graphile_worker.add_job($13, '{}'::json, queue_name := $13) FROM (SELECT 1 FROM outbox LIMIT 1) AS any_event`,
    [
      list.map((e) => e.action),
      list.map((e) => e.objectType),
      list.map((e) => e.objectId),
      list.map((e) => JSON.stringify(changedFields(e.before, e.after))),
      actor.label,
      principal?.role ?? actor.kind.toUpperCase(),
      principal?.userId ?? null,
      principal?.credential.kind ?? null,
      principal?.credential.id ?? null,
      who.requestId ?? null,
      list.map((e) => EVENT_OF_ACTION[e.action] ?? null),
      actor.kind,
      DISPATCH_EVENTS_JOB,
    ],
  );
}

/**
 * A version 7 UUID (RFC 9562: milliseconds, then random bits) made in SQL: a bulk write's event ids then extend the id
 * index at its right edge, where random (v4) ids would touch a random page of it for every row.
 */
const TIME_ORDERED_UUID = `encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) placing substring(int8send((extract(epoch from clock_timestamp()) * 1000)::bigint) from 3) from 1 for 6), 52, 1), 53, 1), 'hex')::uuid`;

/** Events a bulk write derives from what it wrote (see recordBulkEvents). */
export interface BulkEvents {
  type: EventType;
  objectType: string;
  /** A SELECT of `object_id uuid, changed_fields text[]` over the rows the batch wrote. */
  select: string;
}

/**
 * The events of a bulk write (the importers, which write by COPY and keep no audit row per record): one INSERT … SELECT
 * over what the batch wrote, in the batch's transaction, so the outbox keeps "an event iff the change committed" at one
 * statement per batch rather than one per row. Sets are numbered in the order given (a customer's `customer.created`
 * before its orders' `order.recorded`), rows within a set by id, which for our time-ordered ids is the order they were
 * made. `params` are the selects' parameters ($1 …). The writer is the system (a command-line tool), like the seed.
 */
export async function recordBulkEvents(run: (sql: string, params: unknown[]) => Promise<unknown>, sets: BulkEvents[], params: unknown[]): Promise<void> {
  if (!sets.length) return;
  const p = (k: number) => `$${params.length + k}`;
  const parts = sets.map((s, i) => `SELECT ${i} AS part, '${s.type}'::text AS type, '${s.objectType}'::text AS object_type, x.object_id, x.changed_fields FROM (${s.select}) x`);
  await run(
    `WITH outbox AS (
       INSERT INTO domain_events (id, type, object_type, object_id, changed_fields, actor_kind, actor_role)
       SELECT ${TIME_ORDERED_UUID}, e.type, e.object_type, e.object_id, e.changed_fields, ${p(1)}, ${p(2)} FROM (${parts.join(' UNION ALL ')}) e ORDER BY e.part, e.object_id
       RETURNING 1
     )
     SELECT graphile_worker.add_job(${p(3)}, '{}'::json, queue_name := ${p(3)}) FROM (SELECT 1 FROM outbox LIMIT 1) AS any_event`,
    [...params, SYSTEM.kind, SYSTEM.kind.toUpperCase(), DISPATCH_EVENTS_JOB],
  );
}

/**
 * The events of a bulk write that knows the ids it wrote, as COPY rows for the writer's own transaction: the same rows
 * recordBulkEvents would insert (system actor, time-ordered ids, numbered in the order added), without the INSERT …
 * SELECT that finds the rows again and makes each id in SQL (a fifth of a million-order import's event time). The
 * writer adds each set in recordBulkEvents' order and ids ascending, and calls `queueEventDispatch` once it wrote them.
 */
export class BulkEventCopy {
  private readonly table = new CopyTable('domain_events', ['id', 'type', 'object_type', 'object_id', 'changed_fields', 'actor_kind', 'actor_role']);
  private readonly actor = `\t${SYSTEM.kind}\t${SYSTEM.kind.toUpperCase()}`;

  /** The events of one type for these objects; `changedFields` as in BulkEvents' selects; event ids made by newId. */
  add(type: EventType, objectType: string, objectIds: readonly string[], changedFields: readonly string[]): void {
    const { before, after } = this.around(type, objectType, changedFields);
    for (const objectId of objectIds) this.table.addLine(`${newId()}${before}${objectId}${after}`);
  }

  /**
   * The events of one type for the objects whose ids lead the rows (as PartialRows' first column, 36 characters): no
   * string per id, which for a million orders left ~80 MB of promoted garbage behind.
   */
  addLeading(type: EventType, objectType: string, rows: PartialRows, changedFields: readonly string[]): void {
    const { before, after } = this.around(type, objectType, changedFields);
    rows.eachPrefix(36, (bytes, start, end) => this.table.addAround(`${newId()}${before}`, bytes, start, end, after));
  }

  /** An event row's text around its object id, after the event's own id. */
  private around(type: EventType, objectType: string, changedFields: readonly string[]): { before: string; after: string } {
    return { before: `\t${type}\t${objectType}\t`, after: `\t${text(arrayLiteral(changedFields))}${this.actor}` };
  }

  /** The events added since the last call, as one COPY; null when none. Good until events are added again (CopyTable.lend). */
  lend(): CopyChunk | null {
    return this.table.lend();
  }
}

/** Queues the job that dispatches events, as recordBulkEvents does after writing some. */
export async function queueEventDispatch(run: (sql: string, params: unknown[]) => Promise<unknown>): Promise<void> {
  await run(`SELECT graphile_worker.add_job($1, '{}'::json, queue_name := $1)`, [DISPATCH_EVENTS_JOB]);
}
