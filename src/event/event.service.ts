import { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import { connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf, fromGlobalId } from '../common/ids';
import { recordAudit } from '../core/audit';
import { EventType } from '../core/events';
import type { ServiceDeps } from '../core/request-scope';
import { queueDeliveries } from './event.dispatch';
import { DELIVERY_SELECT, EVENT_COLUMNS, toDelivery, toEvent, toSubscription, type DeliveryRow, type EventRow, type SubscriptionRow } from './event.rows';
import type {
  CreateWebhookSubscriptionInput,
  DeleteWebhookSubscriptionPayload,
  DomainEvent,
  EventsArgs,
  UpdateWebhookSubscriptionInput,
  WebhookDelivery,
  WebhookDeliveriesArgs,
  WebhookDeliveryPayload,
  WebhookSecretPayload,
  WebhookSubscription,
  WebhookSubscriptionPayload,
} from './event.types';
import { visibleEventsCondition } from './event.visibility';
import { newWebhookSecret, webhookUrlProblem } from './webhook.signing';

const cursorOf = (n: string) => Buffer.from(`n:${n}`).toString('base64url');
function positionOf(cursor: string | null | undefined, field: string): string | null {
  if (cursor == null) return null;
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^n:\d{1,18}$/.test(raw)) throw new GraphQLError(`\`${field}\` is not a cursor of this list.`, { extensions: { code: 'BAD_USER_INPUT', argumentName: field } });
  return raw.slice(2);
}
function pageSize(first: number | null | undefined): number {
  if (first == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw new GraphQLError(`\`first\` must be from 0 to ${MAX_PAGE_SIZE}.`, { extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' } });
  return first;
}

/** Subscriptions never show or audit their secret. */
const audited = (r: SubscriptionRow) => ({ ...toSubscription(r), secret: undefined, consecutiveFailures: undefined, updatedAt: undefined });

/**
 * The events feed and webhook subscriptions. Events are written by recordAudit (the outbox) and sequenced and fanned
 * out by the worker (event.dispatch.ts); deliveries are made by webhook.delivery.ts.
 *
 * Webhook subscriptions are managed by ADMINs (`keys:write`), for a key: the access layer has no notion of a key
 * acting on itself, and a partner key that could point deliveries anywhere would be a way to move data out. A
 * partner asks the admin who issued its key.
 */
export class EventService {
  constructor(private readonly deps: ServiceDeps) {}

  /** Events whose object the caller may read, in commit order (`seq`). */
  async events(args: EventsArgs): Promise<Connection<DomainEvent>> {
    const access = this.deps.access;
    if (this.deps.actor.kind === 'anonymous') access.require('customers:read');
    const first = pageSize(args.first);
    const after = positionOf(args.after, 'after');
    const params: unknown[] = [];
    const p = (v: unknown) => `$${params.push(v)}`;
    const where = ['e.seq IS NOT NULL', visibleEventsCondition(access, 'e')];
    const f = args.filter ?? {};
    if (f.types?.length) where.push(`e.type = ANY(${p(f.types)}::text[])`);
    if (f.objectType) where.push(`e.object_type = ${p(f.objectType)}`);
    if (f.objectId) {
      const id = fromGlobalId(f.objectId);
      if (!id) throw new GraphQLError('`filter.objectId` is not an ID of ours.', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'filter' } });
      where.push(`e.object_id = ${p(id.id)} AND e.object_type = ${p(id.type)}`);
    }
    if (f.occurredAfter) where.push(`e.occurred_at > ${p(f.occurredAfter)}`);
    const countWhere = where.join(' AND ');
    const countParams = [...params];
    if (after) where.push(`e.seq > ${p(after)}`);
    const rows: EventRow[] = await this.deps.db.query(`SELECT ${EVENT_COLUMNS} FROM domain_events e WHERE ${where.join(' AND ')} ORDER BY e.seq LIMIT ${first + 1}`, params);
    const page = rows.slice(0, first);
    const edges = page.map((r) => ({ cursor: cursorOf(r.seq), node: toEvent(r) }));
    return connection(
      {
        edges,
        nodes: edges.map((e) => e.node),
        pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: after != null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? (args.after ?? null) },
      },
      async () => Number((await this.deps.db.query(`SELECT count(*) AS n FROM domain_events e WHERE ${countWhere}`, countParams))[0].n),
    );
  }

  async subscriptions(): Promise<WebhookSubscription[]> {
    this.deps.access.require('keys:read');
    const rows: SubscriptionRow[] = await this.deps.db.query(`SELECT * FROM webhook_subscriptions ORDER BY created_at, id`);
    return rows.map(toSubscription);
  }

  async deliveries(args: WebhookDeliveriesArgs): Promise<Connection<WebhookDelivery>> {
    this.deps.access.require('keys:read');
    const first = pageSize(args.first);
    const after = positionOf(args.after, 'after');
    const id = decodeIdOf('WebhookSubscription', args.subscriptionId);
    if (!id) throw new GraphQLError('`subscriptionId` is not a WebhookSubscription ID.', { extensions: { code: 'BAD_USER_INPUT', argumentName: 'subscriptionId' } });
    const rows: DeliveryRow[] = await this.deps.db.query(
      `${DELIVERY_SELECT} WHERE d.subscription_id = $1 ${after ? 'AND d.n < $2' : ''} ORDER BY d.n DESC LIMIT ${first + 1}`,
      after ? [id, after] : [id],
    );
    const edges = rows.slice(0, first).map((r) => ({ cursor: cursorOf(r.n), node: toDelivery(r) }));
    return connection(
      { edges, nodes: edges.map((e) => e.node), pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: after != null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } },
      async () => Number((await this.deps.db.query(`SELECT count(*) AS n FROM webhook_deliveries WHERE subscription_id = $1`, [id]))[0].n),
    );
  }

  private checkUrl(errors: UserErrors, url: string): string {
    const trimmed = url.trim();
    const problem = webhookUrlProblem(trimmed, this.deps.config.webhooks.allowPrivateUrls);
    if (problem) errors.add(['input', 'url'], UserErrorCode.INVALID, problem);
    return trimmed;
  }

  private static types(types: EventType[] | null | undefined): EventType[] {
    return [...new Set(types ?? [])].sort();
  }

  async create(input: CreateWebhookSubscriptionInput): Promise<WebhookSecretPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    const url = this.checkUrl(errors, input.url);
    const keyId = decodeIdOf('ApiKey', input.apiKeyId);
    if (!keyId) errors.add(['input', 'apiKeyId'], UserErrorCode.INVALID_ID, 'Not a valid ApiKey ID.');
    if (errors.any) return { subscription: null, secret: null, userErrors: errors.list };
    return this.deps.db.transaction(async (m) => {
      const [key] = await m.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [keyId]);
      if (!key) errors.add(['input', 'apiKeyId'], UserErrorCode.NOT_FOUND, 'No API key with this ID.');
      else if (key.revoked_at) errors.add(['input', 'apiKeyId'], UserErrorCode.ALREADY_DELETED, 'The key is revoked.');
      if (errors.any) return { subscription: null, secret: null, userErrors: errors.list };
      const secret = newWebhookSecret();
      const enabled = input.enabled ?? true;
      const [row]: SubscriptionRow[] = await m.query(
        `INSERT INTO webhook_subscriptions (api_key_id, url, event_types, secret, enabled, disabled_at, disabled_reason)
         VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 THEN NULL ELSE now() END, CASE WHEN $5 THEN NULL ELSE $6 END) RETURNING *`,
        [keyId, url, EventService.types(input.eventTypes), secret, enabled, `Created disabled by ${this.deps.actor.label}.`],
      );
      await recordAudit(m, this.deps, { action: 'webhookSubscription.create', objectType: 'WebhookSubscription', objectId: row.id, after: audited(row) });
      return { subscription: toSubscription(row), secret, userErrors: [] };
    });
  }

  private async locked(m: EntityManager, errors: UserErrors, globalId: string): Promise<SubscriptionRow | null> {
    const id = decodeIdOf('WebhookSubscription', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid WebhookSubscription ID.');
      return null;
    }
    const [row]: SubscriptionRow[] = await m.query(`SELECT * FROM webhook_subscriptions WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No webhook subscription with this ID.');
    return row ?? null;
  }

  async update(input: UpdateWebhookSubscriptionInput): Promise<WebhookSubscriptionPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    const url = input.url == null ? null : this.checkUrl(errors, input.url);
    if (errors.any) return { subscription: null, userErrors: errors.list };
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, input.id);
      if (!current) return { subscription: null, userErrors: errors.list };
      const enabling = input.enabled === true && !current.enabled;
      const disabling = input.enabled === false && current.enabled;
      // Enabling again clears the failure streak (and the reason), and sends what waited meanwhile. (TypeORM answers an
      // UPDATE … RETURNING with [rows, count].)
      const [[row]]: [SubscriptionRow[], number] = await m.query(
        `UPDATE webhook_subscriptions SET url = coalesce($2, url), event_types = coalesce($3, event_types), enabled = coalesce($4, enabled),
                disabled_at = CASE WHEN $5 THEN NULL WHEN $6 THEN now() ELSE disabled_at END,
                disabled_reason = CASE WHEN $5 THEN NULL WHEN $6 THEN $7 ELSE disabled_reason END,
                consecutive_failures = CASE WHEN $5 THEN 0 ELSE consecutive_failures END,
                failing_since = CASE WHEN $5 THEN NULL ELSE failing_since END,
                version = version + 1, updated_at = now()
          WHERE id = $1 RETURNING *`,
        [current.id, url, input.eventTypes == null ? null : EventService.types(input.eventTypes), input.enabled ?? null, enabling, disabling, `Disabled by ${this.deps.actor.label}.`],
      );
      await recordAudit(m, this.deps, { action: 'webhookSubscription.update', objectType: 'WebhookSubscription', objectId: row.id, before: audited(current), after: audited(row) });
      if (enabling) await queueDeliveries(m, row.id);
      return { subscription: toSubscription(row), userErrors: [] };
    });
  }

  async delete(globalId: string): Promise<DeleteWebhookSubscriptionPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, globalId);
      if (!current) return { deletedId: null, userErrors: errors.list };
      await m.query(`DELETE FROM webhook_subscriptions WHERE id = $1`, [current.id]);
      await recordAudit(m, this.deps, { action: 'webhookSubscription.delete', objectType: 'WebhookSubscription', objectId: current.id, before: audited(current) });
      return { deletedId: globalId, userErrors: [] };
    });
  }

  /** A new secret at once: deliveries from now on are signed with it (no overlap period: receivers switch on rotation). */
  async rotateSecret(globalId: string): Promise<WebhookSecretPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, globalId);
      if (!current) return { subscription: null, secret: null, userErrors: errors.list };
      const secret = newWebhookSecret();
      const [[row]]: [SubscriptionRow[], number] = await m.query(`UPDATE webhook_subscriptions SET secret = $2, version = version + 1, updated_at = now() WHERE id = $1 RETURNING *`, [current.id, secret]);
      await recordAudit(m, this.deps, { action: 'webhookSubscription.rotateSecret', objectType: 'WebhookSubscription', objectId: row.id, before: { secretRotatedAt: current.updated_at }, after: { secretRotatedAt: row.updated_at } });
      return { subscription: toSubscription(row), secret, userErrors: [] };
    });
  }

  /** Sends a delivery's event again, as a new delivery with the same event id (receivers de-duplicate on it). */
  async replay(globalId: string): Promise<WebhookDeliveryPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    const id = decodeIdOf('WebhookDelivery', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid WebhookDelivery ID.');
      return { delivery: null, userErrors: errors.list };
    }
    return this.deps.db.transaction(async (m) => {
      const [original] = await m.query(
        `SELECT d.*, s.enabled FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = $1 FOR UPDATE OF s`,
        [id],
      );
      if (!original) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No webhook delivery with this ID.');
      else if (!original.enabled) errors.add(['input', 'id'], UserErrorCode.INVALID_TRANSITION, 'The subscription is disabled: enable it first (updateWebhookSubscription).');
      if (errors.any) return { delivery: null, userErrors: errors.list };
      const [created] = await m.query(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, event_seq, object_type, object_id, replay_of)
         SELECT subscription_id, event_id, event_seq, object_type, object_id, id FROM webhook_deliveries WHERE id = $1 RETURNING id`,
        [id],
      );
      await recordAudit(m, this.deps, { action: 'webhookDelivery.replay', objectType: 'WebhookDelivery', objectId: created.id, after: { replayOf: id } });
      await queueDeliveries(m, original.subscription_id);
      const [row]: DeliveryRow[] = await m.query(`${DELIVERY_SELECT} WHERE d.id = $1`, [created.id]);
      return { delivery: toDelivery(row), userErrors: [] };
    });
  }
}
