import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../common/connection.types';
import { UserError } from '../common/errors';
import { EventType } from '../core/events';

registerEnumType(EventType, {
  name: 'EventType',
  description:
    'What happened, as `<object>.<past-tense verb>`: the enum value names it here (CUSTOMER_UPDATED); webhook bodies carry the wire name (`customer.updated`), which is the value lower-cased to the object and verb.',
  valuesConfig: Object.fromEntries(Object.entries(EventType).map(([name, wire]) => [name, { description: `\`${wire}\`.` }])),
});

/**
 * A thin event (Stripe's v2 "thin events"): what changed and where, never the data itself. A partner reads the object
 * through the API with its own access, so an event carries no personal data and cannot outlive an erasure.
 */
@ObjectType({ description: 'A committed change, as partners see it: which object, what kind of change and which fields; read the object itself through the API for its data.' })
export class DomainEvent {
  @Field(() => ID, { description: 'The event’s id: the same in the events feed, in every webhook delivery of it (`Rapport-Event-Id`) and its replays; de-duplicate on it.' })
  id: string;

  @Field(() => EventType, { description: 'What happened.' })
  type: EventType;

  @Field(() => Date, { description: 'When the change was committed (its transaction’s time).' })
  occurredAt: Date;

  @Field({ description: 'The GraphQL type of the object changed, e.g. `Customer`.' })
  objectType: string;

  @Field(() => ID, { nullable: true, description: 'The object’s global ID (for `node(id)`); null for settings with no object of their own.' })
  objectId: string | null;

  @Field(() => [String], { description: 'Names of the fields that changed (of a new object: the fields it was created with); never their values.' })
  changedFields: string[];

  @Field({ description: 'Who acted: `principal` (a user or API key) or `system` (background work, the command line).' })
  actorKind: string;

  @Field(() => String, { nullable: true, description: 'The role the actor acted with (e.g. SALES_REP, PARTNER), or SYSTEM.' })
  actorRole: string | null;

  @Field(() => String, { nullable: true, description: 'The X-Request-Id of the request that made the change, to match it with the server’s log.' })
  requestId: string | null;
}

export const DomainEventConnection = ConnectionType(DomainEvent, 'DomainEvent', 'event');

@InputType({ description: 'Which events to return. Fields are ANDed.' })
export class EventFilter {
  @Field(() => [EventType], { nullable: true, description: 'Only events of these types.' })
  types?: EventType[] | null;
  @Field(() => String, { nullable: true, description: 'Only events about objects of this GraphQL type, e.g. `Customer`.' })
  objectType?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only events about this object (its global ID): one object’s history.' })
  objectId?: string | null;
  @Field(() => Date, { nullable: true, description: 'Only events committed after this instant.' })
  occurredAfter?: Date | null;
}

@ArgsType()
export class EventsArgs {
  @Field(() => String, { nullable: true, description: 'Cursor: the events committed after this one (the last `endCursor` you processed). Omitted: from the oldest kept.' })
  after?: string | null;
  @Field(() => Int, { nullable: true, description: `At most this many events (at most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;
  @Field(() => EventFilter, { nullable: true, description: 'Only events matching these conditions.' })
  filter?: EventFilter | null;
}

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  DELIVERED = 'DELIVERED',
  FAILED = 'FAILED',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not delivered yet: waiting for its first attempt, its turn (an earlier event of the same object) or its next retry.' },
    DELIVERED: { description: 'The receiver answered 2xx.' },
    FAILED: { description: 'Every attempt failed; given up (replay it to try again).' },
  },
});

@ObjectType({ description: 'A webhook endpoint of an API key: the events it receives, signed with its secret. Managed by ADMINs.' })
export class WebhookSubscription {
  @Field(() => ID, { description: 'Global ID.' })
  id: string;
  @Field(() => ID, { description: 'The API key the subscription belongs to: only events whose object this key may read are delivered.' })
  apiKeyId: string;
  @Field({ description: 'Where deliveries are POSTed (http or https).' })
  url: string;
  @Field(() => [EventType], { description: 'The event types delivered; empty for every type.' })
  eventTypes: EventType[];
  @Field({ description: 'Whether events are delivered. Disabled by an ADMIN or automatically after sustained failure (see disabledReason); events are kept for it meanwhile and sent once enabled again.' })
  enabled: boolean;
  @Field(() => Date, { nullable: true, description: 'When it was disabled; null while enabled.' })
  disabledAt: Date | null;
  @Field(() => String, { nullable: true, description: 'Why it was disabled (by whom, or the failures that disabled it); null while enabled.' })
  disabledReason: string | null;
  @Field(() => Int, { description: 'Delivery attempts that failed in a row (0 after a success).' })
  consecutiveFailures: number;
  @Field(() => Date, { description: 'When it was created.' })
  createdAt: Date;
  @Field(() => Date, { description: 'When it last changed.' })
  updatedAt: Date;
}

@ObjectType({ description: 'One event sent (or being sent) to one subscription, with the outcome of its last attempt.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Global ID.' })
  id: string;
  @Field(() => ID, { description: 'The subscription.' })
  subscriptionId: string;
  @Field(() => DomainEvent, { description: 'The event delivered.' })
  event: DomainEvent;
  @Field(() => WebhookDeliveryStatus, { description: 'Where the delivery stands.' })
  status: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts: number;
  @Field(() => Date, { nullable: true, description: 'When the next attempt is due; null once delivered or failed.' })
  nextAttemptAt: Date | null;
  @Field(() => Date, { nullable: true, description: 'When the last attempt was made; null before the first.' })
  lastAttemptAt: Date | null;
  @Field(() => Int, { nullable: true, description: 'The HTTP status the receiver answered at the last attempt; null if it did not answer.' })
  responseStatus: number | null;
  @Field(() => Int, { nullable: true, description: 'How long the last attempt took, in milliseconds.' })
  durationMs: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed (status, timeout, refused address…); null after a success.' })
  error: string | null;
  @Field(() => ID, { nullable: true, description: 'The delivery this one replays, if it is a replay.' })
  replayOf: string | null;
  @Field(() => Date, { description: 'When the delivery was queued.' })
  createdAt: Date;
}

export const WebhookDeliveryConnection = ConnectionType(WebhookDelivery, 'WebhookDelivery', 'webhook delivery');

@ArgsType()
export class WebhookDeliveriesArgs {
  @Field(() => ID, { description: 'The subscription whose deliveries to list.' })
  subscriptionId: string;
  @Field(() => Int, { nullable: true, description: `At most this many deliveries, newest first (at most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;
  @Field(() => String, { nullable: true, description: 'Cursor: the deliveries older than this one.' })
  after?: string | null;
}

@InputType({ description: 'A new webhook subscription.' })
export class CreateWebhookSubscriptionInput {
  @Field(() => ID, { description: 'The API key it belongs to; its access decides what is delivered.' })
  apiKeyId: string;
  @Field({ description: 'The receiver’s URL: http or https; in production not a private or loopback address.' })
  url: string;
  @Field(() => [EventType], { nullable: true, description: 'The event types to deliver; omitted or empty for every type.' })
  eventTypes?: EventType[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Whether to deliver at once (default true).' })
  enabled?: boolean | null;
}

@InputType({ description: 'Changes to a webhook subscription; omitted fields are unchanged.' })
export class UpdateWebhookSubscriptionInput {
  @Field(() => ID, { description: 'The subscription.' })
  id: string;
  @Field(() => String, { nullable: true, description: 'A new receiver URL.' })
  url?: string | null;
  @Field(() => [EventType], { nullable: true, description: 'The event types to deliver; empty for every type.' })
  eventTypes?: EventType[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Disable, or enable again (which clears the failure count and sends what waited).' })
  enabled?: boolean | null;
}

@ObjectType({ description: 'The result of changing a webhook subscription.' })
export class WebhookSubscriptionPayload {
  @Field(() => WebhookSubscription, { nullable: true, description: 'The subscription; null when there are userErrors (or after a delete).' })
  subscription: WebhookSubscription | null;
  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'A subscription with its signing secret, shown this once.' })
export class WebhookSecretPayload {
  @Field(() => WebhookSubscription, { nullable: true, description: 'The subscription; null when there are userErrors.' })
  subscription: WebhookSubscription | null;
  @Field(() => String, { nullable: true, description: 'The signing secret (`whsec_…`): shown only now; store it to verify `Rapport-Signature`.' })
  secret: string | null;
  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The result of replaying a delivery.' })
export class WebhookDeliveryPayload {
  @Field(() => WebhookDelivery, { nullable: true, description: 'The new delivery of the same event (same event id); null when there are userErrors.' })
  delivery: WebhookDelivery | null;
  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The result of deleting a webhook subscription.' })
export class DeleteWebhookSubscriptionPayload {
  @Field(() => ID, { nullable: true, description: 'The deleted subscription’s ID; null when there are userErrors.' })
  deletedId: string | null;
  @Field(() => [UserError], { description: 'What was wrong with the input; empty on success.' })
  userErrors: UserError[];
}
