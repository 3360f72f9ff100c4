import { recordAudit } from '../../src/core/audit';
import { SYSTEM } from '../../src/core/actor';
import { webhookUrlProblem } from '../../src/event/webhook.signing';
import { createClient } from '../../sdk/src';
import { insertStaff } from '../support/staff';
import { startTestApp, type GraphQLCaller, type TestApp } from '../support/test-app';
import { startReceiver, verifySignature } from '../support/webhook-receiver';

/*
 * Webhooks through the real stack: a receiver on 127.0.0.1, the job worker delivering, retries at once (base delay 0)
 * and disabling after three failed attempts in a row. Tests wait for the worker (scoresSettled), never a clock.
 */

let app: TestApp;
const receivers: Array<{ close(): Promise<void> }> = [];
const UE = 'userErrors { field code message }';
const SUB = 'id enabled disabledReason consecutiveFailures eventTypes url';
const CREATE = `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { subscription { ${SUB} } secret ${UE} } }`;
const DELIVERIES = `query($id: ID!) { webhookDeliveries(subscriptionId: $id, first: 100) { nodes { id status attempts responseStatus durationMs error replayOf event { id type objectId } } } }`;

beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_RETRY_BASE_MS: '0', WEBHOOK_MAX_ATTEMPTS: '4', WEBHOOK_DISABLE_AFTER_FAILURES: '3', WEBHOOK_DISABLE_AFTER_MS: '0', WEBHOOK_ALLOW_PRIVATE_URLS: 'true' });
});
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
  await app?.close();
});

async function keyId(key: string): Promise<string> {
  const { apiKeys } = await app.ok(`{ apiKeys(first: 100) { nodes { id keyPrefix } } }`);
  return apiKeys.nodes.find((k: { keyPrefix: string }) => key.startsWith(k.keyPrefix)).id;
}

/** A partner key reading customers, subscribed to a fresh receiver. */
async function subscribe(answer?: Parameters<typeof startReceiver>[0], input: Record<string, unknown> = {}, key?: string) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  key ??= await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
  const { createWebhookSubscription: p } = await app.ok(CREATE, { input: { apiKeyId: await keyId(key), url: receiver.url, eventTypes: ['CUSTOMER_CREATED', 'CUSTOMER_UPDATED'], ...input } });
  expect(p.userErrors).toEqual([]);
  return { receiver, subscription: p.subscription, secret: p.secret as string };
}

async function createCustomer(name: string, caller: GraphQLCaller = app): Promise<string> {
  const { createCustomer } = await caller.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, { input: { name } });
  expect(createCustomer.userErrors).toEqual([]);
  return createCustomer.customer.id;
}

/** rapport_webhook_deliveries_total by outcome, as /metrics shows it (the registry is per process: compare deltas). */
async function deliveryCounts(): Promise<Record<string, number>> {
  const { text } = await app.http.get('/metrics');
  return Object.fromEntries([...text.matchAll(/^rapport_webhook_deliveries_total\{outcome="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

const rename = (id: string, name: string) => app.ok(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id } ${UE} } }`, { input: { id, name } });

describe('webhook deliveries', () => {
  it('signs each delivery with the subscription secret (Stripe scheme) and carries a thin event with its id', async () => {
    const { receiver, secret } = await subscribe();
    const id = await createCustomer('Signed Ltd');
    await app.scoresSettled();
    const got = receiver.received.find((r) => r.json.object.id === id)!;
    expect(got).toBeDefined();
    expect(got.headers['rapport-signature']).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(secret, got.headers['rapport-signature'] as string, got.body)).toBe(true);
    expect(verifySignature('whsec_wrong', got.headers['rapport-signature'] as string, got.body)).toBe(false);
    expect(got.headers['rapport-event-id']).toBe(got.json.id);
    expect(got.json).toMatchObject({ type: 'customer.created', object: { type: 'Customer', id }, actor: { kind: 'principal', role: 'ADMIN' } });
    // Thin: field names, never values.
    expect(got.body).not.toContain('Signed Ltd');
    expect(got.json.changedFields).toContain('name');
  });

  it('retries a delivery the receiver failed, with the same event id, logs both attempts and counts them in /metrics', async () => {
    const { receiver, subscription } = await subscribe((_, n) => (n === 1 ? 503 : 200));
    const counted = await deliveryCounts();
    const id = await createCustomer('Retry Ltd');
    await app.scoresSettled();
    const now = await deliveryCounts();
    expect((now.retrying ?? 0) - (counted.retrying ?? 0)).toBe(1);
    // At least: the subscriptions of earlier tests are told of this customer too.
    expect((now.delivered ?? 0) - (counted.delivered ?? 0)).toBeGreaterThanOrEqual(1);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0].json.id).toBe(receiver.received[1].json.id);
    const { webhookDeliveries } = await app.ok(DELIVERIES, { id: subscription.id });
    expect(webhookDeliveries.nodes).toEqual([expect.objectContaining({ status: 'DELIVERED', attempts: 2, responseStatus: 200, error: null, event: expect.objectContaining({ objectId: id, type: 'CUSTOMER_CREATED' }) })]);
    expect(webhookDeliveries.nodes[0].durationMs).toEqual(expect.any(Number));
  });

  it("delivers one object's events in order even when an earlier one is retried", async () => {
    // Every first try of an event fails: each event waits for its retry, and the next one of the object waits for it.
    const seen = new Set<string>();
    const { receiver } = await subscribe((r) => {
      if (seen.has(r.json.id)) return 200;
      seen.add(r.json.id);
      return 500;
    });
    const id = await createCustomer('Ordered Ltd');
    for (const name of ['Ordered 1', 'Ordered 2', 'Ordered 3']) await rename(id, name);
    await app.scoresSettled();
    const delivered = receiver.received.filter((r, i, all) => all.findIndex((x) => x.json.id === r.json.id) !== i);
    expect(delivered.map((r) => r.json.type)).toEqual(['customer.created', 'customer.updated', 'customer.updated', 'customer.updated']);
    const { events } = await app.ok(`query($id: ID!) { events(first: 100, filter: { objectId: $id }) { nodes { id } } }`, { id });
    expect(delivered.map((r) => r.json.id)).toEqual(events.nodes.map((e: { id: string }) => e.id));
  });

  it('writes no event and no delivery for a write that was refused or rolled back', async () => {
    const { receiver, subscription } = await subscribe();
    const before = (await app.db.query(`SELECT count(*)::int AS n FROM domain_events`))[0].n;
    const { createCustomer } = await app.ok(`mutation { createCustomer(input: { name: "Bad", email: "not an email" }) { customer { id } ${UE} } }`);
    expect(createCustomer.userErrors.length).toBeGreaterThan(0);
    // A change whose transaction fails after its audit (and outbox) row was written.
    await expect(
      app.db.transaction(async (m) => {
        await recordAudit(m, { actor: SYSTEM }, { action: 'customer.update', objectType: 'Customer', objectId: '00000000-0000-0000-0000-000000000001', after: { name: 'x' } });
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await app.scoresSettled();
    expect((await app.db.query(`SELECT count(*)::int AS n FROM domain_events`))[0].n).toBe(before);
    expect(receiver.received).toHaveLength(0);
    expect((await app.ok(DELIVERIES, { id: subscription.id })).webhookDeliveries.nodes).toEqual([]);
  });

  it('disables a subscription after sustained failure, with the reason, and sends what waited once enabled again', async () => {
    let up = false;
    const { receiver, subscription } = await subscribe(() => (up ? 200 : 500));
    await createCustomer('Down Ltd');
    await app.scoresSettled();
    const { webhookSubscriptions } = await app.ok(`{ webhookSubscriptions { ${SUB} } }`);
    const disabled = webhookSubscriptions.find((s: { id: string }) => s.id === subscription.id);
    expect(disabled).toMatchObject({ enabled: false, consecutiveFailures: 3 });
    expect(disabled.disabledReason).toMatch(/3 delivery attempts in a row failed .* answered 500/);
    expect(receiver.received).toHaveLength(3);
    up = true;
    const { updateWebhookSubscription } = await app.ok(`mutation($input: UpdateWebhookSubscriptionInput!) { updateWebhookSubscription(input: $input) { subscription { ${SUB} } ${UE} } }`, { input: { id: subscription.id, enabled: true } });
    expect(updateWebhookSubscription.subscription).toMatchObject({ enabled: true, disabledReason: null, consecutiveFailures: 0 });
    await app.scoresSettled();
    expect(receiver.received).toHaveLength(4);
    const { webhookDeliveries } = await app.ok(DELIVERIES, { id: subscription.id });
    expect(webhookDeliveries.nodes[0]).toMatchObject({ status: 'DELIVERED', attempts: 4 });
  });

  it('replays a delivery as a new one with the same event id', async () => {
    const { receiver, subscription } = await subscribe();
    await createCustomer('Replay Ltd');
    await app.scoresSettled();
    const [original] = (await app.ok(DELIVERIES, { id: subscription.id })).webhookDeliveries.nodes;
    const { replayWebhookDelivery } = await app.ok(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { delivery { id status replayOf event { id } } ${UE} } }`, { id: original.id });
    expect(replayWebhookDelivery).toMatchObject({ userErrors: [], delivery: { status: 'PENDING', replayOf: original.id, event: { id: original.event.id } } });
    await app.scoresSettled();
    expect(receiver.received.map((r) => r.json.id)).toEqual([original.event.id, original.event.id]);
    const audit = await app.db.query(`SELECT action FROM audit_events WHERE action LIKE 'webhook%' ORDER BY at`);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(expect.arrayContaining(['webhookSubscription.create', 'webhookDelivery.replay']));
  });

  it("delivers a sales rep key's subscription only the events of the rep's own book", async () => {
    const [rita, ben] = [await insertStaff(app.db, 'Rita Hook'), await insertStaff(app.db, 'Ben Hook')];
    const ritaKey = await app.createKey({ role: 'SALES_REP', userId: rita });
    const { receiver } = await subscribe(undefined, { eventTypes: [] }, ritaKey);
    const mine = await createCustomer('Rita Co', await app.as({ role: 'SALES_REP', userId: rita }));
    const theirs = await createCustomer('Ben Co', await app.as({ role: 'SALES_REP', userId: ben }));
    await app.scoresSettled();
    const objects = new Set(receiver.received.map((r) => r.json.object.id));
    expect(objects.has(mine)).toBe(true);
    expect(objects.has(theirs)).toBe(false);
  });

  it("sends nothing more for a revoked key's subscription", async () => {
    const key = await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
    const { receiver } = await subscribe(undefined, {}, key);
    const { revokeApiKey } = await app.ok(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { ${UE} } }`, { id: await keyId(key) });
    expect(revokeApiKey.userErrors).toEqual([]);
    await createCustomer('After Revocation Ltd');
    await app.scoresSettled();
    expect(receiver.received).toEqual([]);
  });

  it('rotates the secret: later deliveries verify with the new one only', async () => {
    const { receiver, subscription, secret } = await subscribe();
    const { rotateWebhookSecret } = await app.ok(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret ${UE} } }`, { id: subscription.id });
    expect(rotateWebhookSecret.secret).not.toBe(secret);
    await createCustomer('Rotated Ltd');
    await app.scoresSettled();
    const [got] = receiver.received;
    expect(verifySignature(rotateWebhookSecret.secret, got.headers['rapport-signature'] as string, got.body)).toBe(true);
    expect(verifySignature(secret, got.headers['rapport-signature'] as string, got.body)).toBe(false);
  });
});

describe('webhook subscriptions', () => {
  it('refuse URLs that are not http(s), and private addresses where they are not allowed', async () => {
    const key = await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
    const { createWebhookSubscription } = await app.ok(CREATE, { input: { apiKeyId: await keyId(key), url: 'file:///etc/passwd' } });
    expect(createWebhookSubscription).toMatchObject({ subscription: null, secret: null, userErrors: [{ field: ['input', 'url'], code: 'INVALID' }] });
    for (const url of ['http://127.0.0.1/x', 'http://localhost:8080/', 'http://10.1.2.3/', 'http://[::1]/', 'http://169.254.169.254/latest']) expect(webhookUrlProblem(url, false)).toMatch(/Private/);
    expect(webhookUrlProblem('https://hooks.example.com/rapport', false)).toBeNull();
  });

  it('are managed by ADMINs only', async () => {
    const manager = await app.as({ role: 'MANAGER' });
    const res = await manager.gql(CREATE, { input: { apiKeyId: 'x', url: 'https://example.com' } });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    expect((await partner.gql(`{ webhookSubscriptions { id } }`)).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('delete with their delivery log', async () => {
    const { subscription } = await subscribe();
    const { deleteWebhookSubscription } = await app.ok(`mutation($id: ID!) { deleteWebhookSubscription(id: $id) { deletedId ${UE} } }`, { id: subscription.id });
    expect(deleteWebhookSubscription).toEqual({ deletedId: subscription.id, userErrors: [] });
    expect((await app.ok(`{ webhookSubscriptions { id } }`)).webhookSubscriptions.map((s: { id: string }) => s.id)).not.toContain(subscription.id);
  });
});

describe('the SDK', () => {
  it('subscribes, reads the delivery log, replays and pulls the feed through its typed methods', async () => {
    const rapport = createClient({ url: `${await app.listen()}/graphql`, token: app.adminKey });
    const receiver = await startReceiver();
    receivers.push(receiver);
    const key = await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
    const created = (await rapport.createWebhookSubscription({ input: { apiKeyId: await keyId(key), url: receiver.url, eventTypes: ['CUSTOMER_CREATED'] } })).createWebhookSubscription;
    expect(created.userErrors).toEqual([]);
    const id = created.subscription!.id;
    const customer = await createCustomer('SDK Hook Ltd');
    await app.scoresSettled();
    const log = (await rapport.webhookDeliveries({ subscriptionId: id, first: 10 })).webhookDeliveries;
    expect(log.nodes).toEqual([expect.objectContaining({ status: 'DELIVERED', attempts: 1, event: expect.objectContaining({ objectId: customer, type: 'CUSTOMER_CREATED' }) })]);
    const replayed = (await rapport.replayWebhookDelivery({ id: log.nodes[0].id })).replayWebhookDelivery;
    expect(replayed.delivery?.replayOf).toBe(log.nodes[0].id);
    expect((await rapport.rotateWebhookSecret({ id })).rotateWebhookSecret.secret).toMatch(/^whsec_/);
    expect((await rapport.updateWebhookSubscription({ input: { id, enabled: false } })).updateWebhookSubscription.subscription).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('Disabled by') });
    expect((await rapport.webhookSubscriptions()).webhookSubscriptions.map((s) => s.id)).toContain(id);
    const feed = (await rapport.events({ first: 100, filter: { objectId: customer } })).events;
    expect(feed.nodes.map((e) => e.type)).toEqual(['CUSTOMER_CREATED']);
    expect((await rapport.deleteWebhookSubscription({ id })).deleteWebhookSubscription.deletedId).toBe(id);
  });
});
