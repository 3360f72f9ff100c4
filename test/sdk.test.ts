import {
  createClient,
  FetchLike,
  RapportBadUserInputError,
  RapportClient,
  RapportGraphQLError,
  RapportInvalidRequestError,
  RapportNetworkError,
  RapportNotFoundError,
  RapportThrottledError,
  RapportUserError,
  unwrap,
} from '../sdk/src';
import type { CustomerFieldsFragment } from '../sdk/src';
import { createRequestClient, Customer360Document as Customer360Text } from '../sdk/src';
import { Customer360Document } from '../sdk/src/documents';
import { parse } from 'graphql';
import { startTestApp, TestApp } from './support/test-app';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { missingOperations } = require('../sdk/scripts/check-operations') as {
  missingOperations(): Array<{ operation: string; field: string }>;
};

let app: TestApp;
let url: string;
let rapport: RapportClient;

/** Wraps the global fetch, counting calls and keeping each request's headers. */
function recordingFetch(behaviour: (call: number) => 'pass' | 'network-error' | 503 = () => 'pass') {
  const calls: Array<{ headers: Record<string, string>; body: string }> = [];
  const fetchImpl: FetchLike = async (target, init) => {
    calls.push({ headers: init.headers, body: init.body });
    const what = behaviour(calls.length);
    if (what === 'network-error') throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNRESET'), { code: 'ECONNRESET' }) });
    if (what === 503) return new Response('<html>Service Unavailable</html>', { status: 503, headers: { 'content-type': 'text/html' } });
    return fetch(target, init);
  };
  return { calls, fetch: fetchImpl };
}

beforeAll(async () => {
  app = await startTestApp();
  url = `${await app.listen()}/graphql`;
  rapport = createClient({ url, token: app.adminKey, minRetryDelay: 1, maxRetryDelay: 5 });
});
afterAll(() => app.close());

describe('the SDK operations', () => {
  it('cover every root Query and Mutation field of the schema', () => {
    expect(missingOperations()).toEqual([]);
  });
});

describe('the SDK against a live server', () => {
  it('creates a customer through a typed method and reads it back', async () => {
    const payload = (await rapport.createCustomer({ input: { name: 'Ada Lovelace', email: 'ada@example.com', kind: 'PERSON', tags: ['sdk'] } })).createCustomer;
    const customer: CustomerFieldsFragment = unwrap(payload, 'customer');
    expect(customer).toMatchObject({ name: 'Ada Lovelace', email: 'ada@example.com', kind: 'PERSON', tags: ['sdk'], version: 1 });
    expect(customer.lifecycleStage?.key).toBe('PROSPECT');

    const { customer: again } = await rapport.customer({ id: customer.id });
    expect(again?.id).toBe(customer.id);
    const { node } = await rapport.node({ id: customer.id });
    expect(node?.__typename === 'Customer' && node.name).toBe('Ada Lovelace');
  });

  it('records an order with lines, a contact and a complaint, and reads them back through the domain operations', async () => {
    const customer = unwrap((await rapport.createCustomer({ input: { name: 'Order Taker', kind: 'COMPANY' } })).createCustomer, 'customer');
    const product = unwrap(
      (await rapport.createProduct({ input: { sku: 'SDK-1', name: 'Espresso machine', category: 'Machines', unitPrice: '499.00', unitCost: '300.00', active: true } }))
        .createProduct,
      'product',
    );
    const contact = unwrap(
      (await rapport.createContact({ input: { customerId: customer.id, name: 'Pat Buyer', title: 'Head of Purchasing', isPrimary: true } })).createContact,
      'contact',
    );
    const order = unwrap(
      (await rapport.recordOrder({ input: { customerId: customer.id, channel: 'ONLINE', status: 'PAID', lines: [{ productId: product.id, quantity: 2 }] } }))
        .recordOrder,
      'order',
    );
    const complaint = unwrap(
      (
        await rapport.logTouchpoint({
          input: { customerId: customer.id, contactId: contact.id, orderId: order.id, channel: 'PHONE', direction: 'INBOUND', purpose: 'COMPLAINT', subject: 'Leaking' },
        })
      ).logTouchpoint,
      'touchpoint',
    );

    const { order: read } = await rapport.order({ id: order.id });
    expect(read?.total.amount).toBe('998.00');
    expect(read?.lines.nodes).toEqual([expect.objectContaining({ quantity: 2, product: { id: product.id, sku: 'SDK-1', name: 'Espresso machine' } })]);
    expect(read?.customer).toEqual({ id: customer.id, name: 'Order Taker' });

    const orders: string[] = [];
    for await (const o of rapport.paginate.customerOrders({ id: customer.id })) orders.push(o.number);
    expect(orders).toEqual([order.number]);
    const contacts = (await rapport.customerContacts({ id: customer.id })).customer?.contacts.nodes;
    expect(contacts?.map((c) => c.name)).toEqual(['Pat Buyer']);
    const { node } = await rapport.touchpoint({ id: complaint.id });
    expect(node?.__typename === 'Touchpoint' && node).toMatchObject({ complaintStatus: 'OPEN', contact: { id: contact.id }, order: { id: order.id } });
    const { customer: withComplaint } = await rapport.customer({ id: customer.id });
    expect(withComplaint?.openComplaints).toBe(1);
  });

  it("reads a customer's segment, value and next best actions in one call", async () => {
    const { segments } = await rapport.segments();
    expect(segments.map((s) => s.segment)).toContain('CHAMPIONS');
    const customer = unwrap((await rapport.createCustomer({ input: { name: 'Insightful' } })).createCustomer, 'customer');
    const { customer: insights } = await rapport.customerInsights({ id: customer.id });
    expect(insights).toMatchObject({ id: customer.id, segment: 'PROSPECT', orderStats: { orders: 0 } });
    expect(Array.isArray(insights?.nextBestActions)).toBe(true);
    const { segmentSummary } = await rapport.segmentSummary();
    expect(segmentSummary.segments.find((row) => row.segment === 'PROSPECT')?.customers).toBeGreaterThan(0);
  });

  it('walks every page of a connection with paginate, one request per page', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `Paged ${i}`);
    for (const name of names) unwrap((await rapport.createCustomer({ input: { name, tags: ['sdk-paged'] } })).createCustomer);
    const recorder = recordingFetch();
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch });

    const seen: string[] = [];
    for await (const customer of client.paginate.customers({ filter: { tags: { has: 'sdk-paged' } }, first: 3 })) seen.push(customer.name);

    expect(seen).toEqual(names);
    expect(recorder.calls).toHaveLength(3);
  });

  it('lists customers with the lean list fragment and reads one customer with the full one', async () => {
    const { customers } = await rapport.customers({ filter: { tags: { has: 'sdk-paged' } }, first: 1 });
    const [listed] = customers.nodes;
    expect(Object.keys(listed).sort()).toEqual(['email', 'id', 'kind', 'lifecycleStage', 'name', 'owner', 'updatedAt', 'version']);
    expect(listed.lifecycleStage).toEqual({ key: 'PROSPECT' });
    const { customer } = await rapport.customer({ id: listed.id });
    expect(Object.keys(customer!).length).toBeGreaterThan(25);
    expect(customer).toMatchObject({ id: listed.id, name: listed.name, version: listed.version, tags: ['sdk-paged'] });
  });

  it('walks a nested connection with the generic paginate', async () => {
    const customer = unwrap((await rapport.createCustomer({ input: { name: 'Mover' } })).createCustomer, 'customer');
    for (const stage of ['ONBOARDING', 'GROWING']) {
      unwrap((await rapport.moveCustomerToStage({ input: { customerId: customer.id, stage, reason: 'sdk test' } })).moveCustomerToStage);
    }
    const stages: string[] = [];
    const walk = rapport.paginate(rapport.customerLifecycleHistory, { id: customer.id, first: 1, direction: 'ASC' }, (r) => r.customer?.lifecycleHistory);
    for await (const transition of walk) stages.push(transition.to.key);
    expect(stages).toEqual(['PROSPECT', 'ONBOARDING', 'GROWING']);
  });

  it('turns a payload with userErrors into a RapportUserError through unwrap, and nothing is written', async () => {
    const before = await rapport.customers({ search: 'nobody-by-this-name' });
    const payload = (await rapport.createCustomer({ input: { name: '   ', lifecycleStage: 'NOPE' } })).createCustomer;
    expect(payload.customer).toBeNull();

    const error = (() => {
      try {
        unwrap(payload);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(RapportUserError);
    expect((error as RapportUserError).userErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: ['input', 'name'], code: 'REQUIRED' }),
        expect.objectContaining({ field: ['input', 'lifecycleStage'], code: 'NOT_FOUND' }),
      ]),
    );
    expect((await rapport.customers({ search: 'nobody-by-this-name' })).customers.totalCount).toBe(before.customers.totalCount);
  });

  it('surfaces a malformed variable as a RapportBadUserInputError carrying the server code', async () => {
    const error = await rapport.createCustomer({ input: { name: 'X', birthday: 'not-a-date' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportBadUserInputError);
    expect(error).toBeInstanceOf(RapportGraphQLError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', status: 400, operationName: 'createCustomer' });
  });

  it('gives every typed error the server’s request id, to quote when asking about a failure', async () => {
    // The server takes a client's id from X-Request-Id, so a partner can also choose it.
    const chosen = await rapport.node({ id: 'not-an-id' }, { headers: { 'x-request-id': 'partner-7.retry_1' } }).catch((e: unknown) => e);
    expect(chosen).toBeInstanceOf(RapportBadUserInputError);
    expect((chosen as RapportGraphQLError).requestId).toBe('partner-7.retry_1');
    // Otherwise the server's own id, the one in its logs and the X-Request-Id header.
    const invalid = await rapport.request('query typo { customerz { totalCount } }').catch((e: unknown) => e);
    const { requestId } = invalid as RapportInvalidRequestError;
    expect(requestId).toEqual(expect.any(String));
    expect((invalid as RapportGraphQLError).extensions.requestId).toBe(requestId);
    // A partial answer read with requestWithErrors carries it too.
    const partial = await rapport.requestWithErrors('{ node(id: "not-an-id") { id } }', {}, { headers: { 'x-request-id': 'partner-8' } });
    expect(partial.requestId).toBe('partner-8');
  });

  it('surfaces a document the schema rejects as a RapportInvalidRequestError from the 400 answer', async () => {
    const error = await rapport.request('query typo { customerz { totalCount } }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportInvalidRequestError);
    expect(error).toBeInstanceOf(RapportGraphQLError);
    expect(error).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', status: 400, operationName: 'typo' });
  });

  it('surfaces an error while resolving a field with its code and path', async () => {
    const error = await rapport.node({ id: 'not-an-id' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportBadUserInputError);
    expect(error).toMatchObject({ code: 'BAD_USER_INPUT', path: ['node'] });
  });

  it('maps NOT_FOUND to RapportNotFoundError', async () => {
    const notFound: FetchLike = async () =>
      new Response(JSON.stringify({ data: null, errors: [{ message: 'Order was not found', path: ['order'], extensions: { code: 'NOT_FOUND' } }] }), {
        status: 200,
        headers: { 'content-type': 'application/json' },
      });
    const error = await createClient({ url, token: app.adminKey, fetch: notFound }).request('{ __typename }').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportNotFoundError);
    expect(error).toMatchObject({ code: 'NOT_FOUND', path: ['order'], message: 'Order was not found' });
  });

  it('retries a network failure with backoff and succeeds on the third attempt', async () => {
    const recorder = recordingFetch((call) => (call <= 2 ? 'network-error' : 'pass'));
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch, minRetryDelay: 1, maxRetryDelay: 5 });
    const { customers } = await client.customers({ first: 1 });
    expect(customers.nodes).toHaveLength(1);
    expect(recorder.calls).toHaveLength(3);
  });

  it('retries 503 answers, then gives up with a RapportNetworkError carrying the status', async () => {
    const recorder = recordingFetch(() => 503);
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch, retries: 3, minRetryDelay: 1, maxRetryDelay: 5 });
    const error = await client.lifecycleStages().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportNetworkError);
    expect(error).toMatchObject({ status: 503, attempts: 4 });
    expect(recorder.calls).toHaveLength(4);
  });

  /** A fetch whose first `times` answers are `answer`, then the real server's. */
  function answering(times: number, answer: () => Response) {
    const calls: Array<Record<string, string>> = [];
    const fetchImpl: FetchLike = async (target, init) => {
      calls.push(init.headers);
      return calls.length <= times ? answer() : fetch(target, init);
    };
    return { calls, fetch: fetchImpl };
  }
  const graphQLError = (status: number, code: string, headers: Record<string, string> = {}) => () =>
    new Response(JSON.stringify({ errors: [{ message: 'try again', extensions: { code } }] }), { status, headers: { 'content-type': 'application/json', ...headers } });

  it('retries a 503 SERVICE_UNAVAILABLE after the Retry-After the server asked for', async () => {
    // With a minute of backoff, only the server's Retry-After: 0 lets this finish.
    const server = answering(1, graphQLError(503, 'SERVICE_UNAVAILABLE', { 'retry-after': '0' }));
    const client = createClient({ url, token: app.adminKey, fetch: server.fetch, minRetryDelay: 60_000, maxRetryDelay: 60_000 });
    const { customers } = await client.customers({ first: 1 });
    expect(customers.nodes).toHaveLength(1);
    expect(server.calls).toHaveLength(2);
  });

  it('retries an answer whose errors say SERVICE_UNAVAILABLE, whatever its HTTP status', async () => {
    const server = answering(2, graphQLError(200, 'SERVICE_UNAVAILABLE'));
    const client = createClient({ url, token: app.adminKey, fetch: server.fetch, minRetryDelay: 1, maxRetryDelay: 5 });
    const created = unwrap((await client.createCustomer({ input: { name: 'After The Outage' } })).createCustomer, 'customer');
    expect(server.calls).toHaveLength(3);
    expect(new Set(server.calls.map((h) => h['idempotency-key'])).size).toBe(1);
    expect((await rapport.customer({ id: created.id })).customer?.name).toBe('After The Outage');
  });

  it('gives up on an outage that outlasts its retries with a RapportNetworkError carrying the status', async () => {
    const server = answering(Infinity, graphQLError(503, 'SERVICE_UNAVAILABLE', { 'retry-after': '0' }));
    const error = await createClient({ url, token: app.adminKey, fetch: server.fetch, retries: 2 }).users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportNetworkError);
    expect(error).toMatchObject({ status: 503, attempts: 3 });
    expect((error as Error).message).toMatch(/SERVICE_UNAVAILABLE/);
    // A proxy's answer carries no request id; the server's would.
    expect((error as RapportNetworkError).requestId).toBeUndefined();
  });

  it('waits for a write still running under the same idempotency key, and then gets its answer', async () => {
    const server = answering(1, graphQLError(409, 'IDEMPOTENCY_KEY_IN_PROGRESS', { 'retry-after': '0' }));
    const client = createClient({ url, token: app.adminKey, fetch: server.fetch, minRetryDelay: 60_000 });
    const created = unwrap((await client.createCustomer({ input: { name: 'Patient Writer' } })).createCustomer, 'customer');
    expect(created.name).toBe('Patient Writer');
    expect(server.calls[1]['idempotency-key']).toBe(server.calls[0]['idempotency-key']);

    const stuck = answering(Infinity, graphQLError(409, 'IDEMPOTENCY_KEY_IN_PROGRESS', { 'retry-after': '0' }));
    const error = await createClient({ url, token: app.adminKey, fetch: stuck.fetch, retries: 1 }).createCustomer({ input: { name: 'Never Done' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportGraphQLError);
    expect(error).toMatchObject({ code: 'IDEMPOTENCY_KEY_IN_PROGRESS', status: 409 });
    expect(stuck.calls).toHaveLength(2);
  });

  it('waits for Retry-After when throttled (HTTP 429 THROTTLED) and then retries', async () => {
    // A server whose bucket holds one query; its clock moves on by Retry-After whenever it throttles, as time would.
    let now = 0;
    const throttled = await startTestApp({ THROTTLE_BUCKET_SIZE: '30', THROTTLE_RESTORE_RATE: '20' }, { now: () => now });
    try {
      const statuses: number[] = [];
      const clockedFetch: FetchLike = async (target, init) => {
        const response = await fetch(target, init);
        statuses.push(response.status);
        if (response.status === 429) now += Number(response.headers.get('retry-after')) * 1000;
        return response;
      };
      const client = createClient({ url: `${await throttled.listen()}/graphql`, token: throttled.adminKey, fetch: clockedFetch, minRetryDelay: 1 });
      const query = `{ customers(first: 10) { nodes { name owner { name } } } }`; // costs 21
      await client.request(query);
      const started = Date.now();
      await client.request(query);
      expect(statuses).toEqual([200, 429, 200]);
      // 30 − 21 = 9 points left, 12 short, 20 restored a second: Retry-After 1.
      expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    } finally {
      await throttled.close();
    }
  });

  it('reports a throttle that outlasts the retries, or asks for more than a minute, as a RapportThrottledError', async () => {
    const answer = (retryAfter: string) => async () =>
      new Response(JSON.stringify({ errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', cost: { requestedQueryCost: 21 } } }] }), {
        status: 429,
        headers: { 'content-type': 'application/json', 'retry-after': retryAfter },
      });
    let calls = 0;
    const soon: FetchLike = async () => (calls++, answer('0')());
    const error = await createClient({ url, fetch: soon, retries: 2 }).users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportThrottledError);
    expect(error).toMatchObject({ code: 'THROTTLED', status: 429 });
    expect(calls).toBe(3);

    calls = 0;
    const later: FetchLike = async () => (calls++, answer('3600')());
    await expect(createClient({ url, fetch: later }).users()).rejects.toBeInstanceOf(RapportThrottledError);
    expect(calls).toBe(1);
  });

  it('aborts an attempt that outlives the timeout and counts it as a network failure', async () => {
    let calls = 0;
    const hanging: FetchLike = (_url, init) =>
      new Promise((_resolve, reject) => {
        calls++;
        init.signal.addEventListener('abort', () => reject(init.signal.reason));
      });
    const error = await createClient({ url, token: app.adminKey, fetch: hanging, timeout: 20, retries: 1, minRetryDelay: 1 }).users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportNetworkError);
    expect((error as Error).message).toMatch(/timed out after 20 ms/);
    expect(calls).toBe(2);
  });

  it('stops at once, without retrying, when the caller aborts', async () => {
    const controller = new AbortController();
    // The caller gives up while the client waits to retry the first failure.
    const recorder = recordingFetch(() => {
      queueMicrotask(() => controller.abort(new Error('user gave up')));
      return 'network-error';
    });
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch, minRetryDelay: 10_000 });
    const call = client.users({}, { signal: controller.signal });
    await expect(call).rejects.toThrow('user gave up');
    expect(recorder.calls).toHaveLength(1);
  });

  it('does not retry GraphQL errors', async () => {
    const recorder = recordingFetch();
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch, minRetryDelay: 1 });
    await expect(client.node({ id: 'not-an-id' })).rejects.toBeInstanceOf(RapportBadUserInputError);
    expect(recorder.calls).toHaveLength(1);
  });

  it('retries a mutation whose response was lost with the same idempotency key, so the server writes it once', async () => {
    // The first attempt reaches the server and writes; its response is lost on the way back.
    const calls: Array<Record<string, string>> = [];
    const lossy: FetchLike = async (target, init) => {
      calls.push(init.headers);
      const response = await fetch(target, init);
      if (calls.length === 1) throw new TypeError('fetch failed', { cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }) });
      return response;
    };
    const client = createClient({ url, token: app.adminKey, fetch: lossy, minRetryDelay: 1 });
    const created = unwrap((await client.createCustomer({ input: { name: 'Written once' } })).createCustomer, 'customer');
    expect(calls).toHaveLength(2);
    expect(calls[0]['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(calls[1]['idempotency-key']).toBe(calls[0]['idempotency-key']);
    const found = await rapport.customers({ search: 'Written once' });
    expect(found.customers.totalCount).toBe(1);
    expect(found.customers.nodes[0].id).toBe(created.id);

    const again = await client.createCustomer({ input: { name: 'Written once' } }, { idempotencyKey: calls[0]['idempotency-key'] });
    expect(again.createCustomer.customer?.id).toBe(created.id);
    expect((await rapport.customers({ search: 'Written once' })).customers.totalCount).toBe(1);
  });

  it('reports an unreachable server as a RapportNetworkError after its retries', async () => {
    const closed = await startTestApp();
    const deadUrl = `${await closed.listen()}/graphql`;
    await closed.close();
    const client = createClient({ url: deadUrl, retries: 1, minRetryDelay: 1 });
    const error = await client.users().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RapportNetworkError);
    expect(error).toMatchObject({ attempts: 2, status: undefined });
    expect((error as Error).message).toMatch(/users: could not reach/);
  });

  it('sends the token as a Bearer Authorization header, with the client and call headers', async () => {
    const recorder = recordingFetch();
    const client = createClient({ url, fetch: recorder.fetch, token: app.adminKey, headers: { 'x-tenant': 'acme' } });
    await client.users({ first: 1 }, { headers: { 'x-request-id': 'r-1' } });
    expect(recorder.calls[0].headers).toMatchObject({
      authorization: `Bearer ${app.adminKey}`,
      'x-tenant': 'acme',
      'x-request-id': 'r-1',
      'content-type': 'application/json',
    });
    expect(JSON.parse(recorder.calls[0].body)).toMatchObject({ operationName: 'users', variables: { first: 1 } });
  });

  it('surfaces a wrong token as UNAUTHENTICATED, without retrying', async () => {
    const recorder = recordingFetch();
    const error = await createClient({ url, fetch: recorder.fetch, token: 'rpk_not-a-key', minRetryDelay: 1 }).users({ first: 1 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(recorder.calls).toHaveLength(1);
  });
});

describe('the SDK for frontend teams', () => {
  it('reads a customer 360 (stage, value, next actions, orders and touchpoints) in one request', async () => {
    const customer = unwrap((await rapport.createCustomer({ input: { name: 'Three Sixty', kind: 'COMPANY' } })).createCustomer, 'customer');
    const product = unwrap(
      (await rapport.createProduct({ input: { sku: 'SDK-360', name: 'Grinder', category: 'Machines', unitPrice: '120.00', unitCost: '60.00', active: true } })).createProduct,
      'product',
    );
    const order = unwrap(
      (await rapport.recordOrder({ input: { customerId: customer.id, channel: 'ONLINE', status: 'PAID', lines: [{ productId: product.id, quantity: 1 }] } })).recordOrder,
      'order',
    );
    unwrap((await rapport.logTouchpoint({ input: { customerId: customer.id, channel: 'EMAIL', direction: 'OUTBOUND', purpose: 'FOLLOW_UP', subject: 'Thanks' } })).logTouchpoint);

    const recorder = recordingFetch();
    const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch });
    const { customer: c360 } = await client.customer360({ id: customer.id });
    expect(recorder.calls).toHaveLength(1);
    expect(c360).toMatchObject({
      id: customer.id,
      name: 'Three Sixty',
      lifecycleStage: { key: expect.any(String) },
      orderStats: { orders: 1 },
      orders: { totalCount: 1, nodes: [{ id: order.id, total: { amount: '120.00' } }] },
      touchpoints: { totalCount: 1, nodes: [{ subject: 'Thanks', purpose: 'FOLLOW_UP' }] },
    });
    expect(Array.isArray(c360?.nextBestActions)).toBe(true);
  });

  it('sends any typed document through request: the SDK text, its AST and a team-generated TypedDocumentString', async () => {
    const customer = unwrap((await rapport.createCustomer({ input: { name: 'Typed Docs' } })).createCustomer, 'customer');
    const client = createRequestClient({ url, token: app.adminKey });
    expect((await client.request(Customer360Text, { id: customer.id })).customer?.name).toBe('Typed Docs');
    expect((await client.request(Customer360Document, { id: customer.id })).customer?.name).toBe('Typed Docs');
    // What graphql-codegen's client preset emits with documentMode: string.
    class TypedDocumentString<R, V> extends String {
      declare __apiType?: (variables: V) => R;
      constructor(private readonly value: string) {
        super(value);
      }
      override toString(): string {
        return this.value;
      }
    }
    const mine = new TypedDocumentString<{ customer: { name: string } | null }, { id: string }>('query mine($id: ID!) { customer(id: $id) { name } }');
    expect((await client.request(mine, { id: customer.id })).customer?.name).toBe('Typed Docs');
    // A DocumentNode from gql/parse, printed by the client's own printer.
    const parsed = parse('query parsed($id: ID!) { customer(id: $id) { name } }');
    expect((await client.request<{ customer: { name: string } }>(parsed, { id: customer.id })).customer.name).toBe('Typed Docs');
  });

  it('keeps the fields that resolved beside the errors: requestWithErrors returns both, and the thrown error carries the data', async () => {
    const document = 'query partial { segments { segment } node(id: "not-an-id") { id } }';
    const { data, errors, status } = await rapport.requestWithErrors<{ segments: Array<{ segment: string }>; node: null }>(document);
    expect(data?.segments.map((s) => s.segment)).toContain('CHAMPIONS');
    expect(data?.node).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ path: ['node'], extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) })]);
    expect(status).toBe(200);
    const thrown = await rapport.request(document).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(RapportBadUserInputError);
    expect((thrown as RapportGraphQLError).data).toMatchObject({ segments: expect.any(Array), node: null });
  });

  it('writes outside a secure context, where crypto.randomUUID is missing, with a v4 key from getRandomValues', async () => {
    const real = globalThis.crypto;
    Object.defineProperty(globalThis, 'crypto', { configurable: true, get: () => ({ getRandomValues: <T extends Uint8Array>(a: T) => real.getRandomValues(a) }) });
    try {
      const recorder = recordingFetch();
      const client = createClient({ url, token: app.adminKey, fetch: recorder.fetch });
      unwrap((await client.createCustomer({ input: { name: 'Plain HTTP' } })).createCustomer, 'customer');
      expect(recorder.calls[0].headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(globalThis, 'crypto', { configurable: true, enumerable: true, get: () => real });
    }
  });
});
