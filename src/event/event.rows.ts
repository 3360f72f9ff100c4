import { toGlobalId } from '../common/ids';
import type { EventType } from '../core/events';
import type { DomainEvent, WebhookDelivery, WebhookDeliveryStatus, WebhookSubscription } from './event.types';

/** domain_events columns every reader selects (alias e). */
export const EVENT_COLUMNS = `e.n, e.id, e.seq, e.type, e.occurred_at, e.object_type, e.object_id, e.changed_fields, e.actor_kind, e.actor_role, e.request_id`;

export interface EventRow {
  n: string;
  id: string;
  seq: string;
  type: EventType;
  occurred_at: Date;
  object_type: string;
  object_id: string | null;
  changed_fields: string[];
  actor_kind: string;
  actor_role: string | null;
  request_id: string | null;
}

export const toEvent = (r: EventRow): DomainEvent => ({
  id: toGlobalId('Event', r.id),
  type: r.type,
  occurredAt: new Date(r.occurred_at),
  objectType: r.object_type,
  objectId: r.object_id ? toGlobalId(r.object_type, r.object_id) : null,
  changedFields: r.changed_fields,
  actorKind: r.actor_kind,
  actorRole: r.actor_role,
  requestId: r.request_id,
});

/** The JSON body a webhook carries: the thin event, with the wire name of its type. */
export function eventBody(r: EventRow): string {
  const e = toEvent(r);
  return JSON.stringify({
    id: e.id,
    type: r.type,
    occurredAt: e.occurredAt.toISOString(),
    object: { type: e.objectType, id: e.objectId },
    changedFields: e.changedFields,
    actor: { kind: e.actorKind, role: e.actorRole },
    requestId: e.requestId,
  });
}

export interface SubscriptionRow {
  id: string;
  api_key_id: string;
  url: string;
  event_types: EventType[];
  secret: string;
  enabled: boolean;
  disabled_at: Date | null;
  disabled_reason: string | null;
  consecutive_failures: number;
  failing_since: Date | null;
  created_at: Date;
  updated_at: Date;
}

export const toSubscription = (r: SubscriptionRow): WebhookSubscription => ({
  id: toGlobalId('WebhookSubscription', r.id),
  apiKeyId: toGlobalId('ApiKey', r.api_key_id),
  url: r.url,
  eventTypes: r.event_types,
  enabled: r.enabled,
  disabledAt: r.disabled_at,
  disabledReason: r.disabled_reason,
  consecutiveFailures: r.consecutive_failures,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface DeliveryRow {
  n: string;
  id: string;
  subscription_id: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  response_status: number | null;
  duration_ms: number | null;
  error: string | null;
  replay_of: string | null;
  created_at: Date;
  event: EventRow;
}

/** Deliveries with their event as one json column (alias d, events e). */
export const DELIVERY_SELECT = `SELECT d.n, d.id, d.subscription_id, d.status, d.attempts, d.next_attempt_at, d.last_attempt_at, d.response_status, d.duration_ms, d.error, d.replay_of, d.created_at,
  (SELECT row_to_json(x) FROM (SELECT ${EVENT_COLUMNS}) x) AS event
  FROM webhook_deliveries d JOIN domain_events e ON e.id = d.event_id`;

export const toDelivery = (r: DeliveryRow): WebhookDelivery => ({
  id: toGlobalId('WebhookDelivery', r.id),
  subscriptionId: toGlobalId('WebhookSubscription', r.subscription_id),
  event: toEvent(r.event),
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.status === 'PENDING' ? new Date(r.next_attempt_at) : null,
  lastAttemptAt: r.last_attempt_at,
  responseStatus: r.response_status,
  durationMs: r.duration_ms,
  error: r.error,
  replayOf: r.replay_of ? toGlobalId('WebhookDelivery', r.replay_of) : null,
  createdAt: r.created_at,
});
