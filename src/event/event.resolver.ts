import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../core/request-scope';
import {
  CreateWebhookSubscriptionInput,
  DeleteWebhookSubscriptionPayload,
  DomainEventConnection,
  EventsArgs,
  UpdateWebhookSubscriptionInput,
  WebhookDeliveriesArgs,
  WebhookDeliveryConnection,
  WebhookDeliveryPayload,
  WebhookSecretPayload,
  WebhookSubscription,
  WebhookSubscriptionPayload,
} from './event.types';

@Resolver()
export class EventResolver {
  @Query(() => DomainEventConnection, {
    description:
      'The change feed for partners who pull: committed events in commit order, only those whose object you may read (a sales rep: their own book). Keep the last `endCursor` and ask again with `after`; events are at-least-once across retries of your own, de-duplicate on `id`.',
  })
  events(@Args() args: EventsArgs, @Ctx() ctx: Context) {
    return ctx.services.events.events(args);
  }

  @Query(() => [WebhookSubscription], { description: 'Every webhook subscription (ADMIN only), oldest first. Secrets are never shown again after creation or rotation.' })
  webhookSubscriptions(@Ctx() ctx: Context) {
    return ctx.services.events.subscriptions();
  }

  @Query(() => WebhookDeliveryConnection, { description: 'A subscription’s delivery log (ADMIN only), newest first: status, attempts, response code, duration and error of each.' })
  webhookDeliveries(@Args() args: WebhookDeliveriesArgs, @Ctx() ctx: Context) {
    return ctx.services.events.deliveries(args);
  }

  @Mutation(() => WebhookSecretPayload, { description: 'Subscribe an API key’s webhook endpoint to events (ADMIN only). The payload carries the signing secret, this once. Audited.' })
  createWebhookSubscription(@Arg('input', { description: 'The new subscription.' }) input: CreateWebhookSubscriptionInput, @Ctx() ctx: Context) {
    return ctx.services.events.create(input);
  }

  @Mutation(() => WebhookSubscriptionPayload, { description: 'Change a subscription’s URL or event types, disable it or enable it again (ADMIN only). Audited.' })
  updateWebhookSubscription(@Arg('input', { description: 'The changes.' }) input: UpdateWebhookSubscriptionInput, @Ctx() ctx: Context) {
    return ctx.services.events.update(input);
  }

  @Mutation(() => DeleteWebhookSubscriptionPayload, { description: 'Delete a subscription and its delivery log (ADMIN only). Audited.' })
  deleteWebhookSubscription(@Arg('id', () => ID, { description: 'The subscription.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.events.delete(id);
  }

  @Mutation(() => WebhookSecretPayload, { description: 'Replace a subscription’s signing secret (ADMIN only): deliveries from now on are signed with the new one, shown this once. Audited.' })
  rotateWebhookSecret(@Arg('id', () => ID, { description: 'The subscription.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.events.rotateSecret(id);
  }

  @Mutation(() => WebhookDeliveryPayload, { description: 'Send a delivery’s event again (ADMIN only), as a new delivery with the same event id. Audited.' })
  replayWebhookDelivery(@Arg('id', () => ID, { description: 'The delivery to replay.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.events.replay(id);
  }
}
