import http from 'node:http';
import { getIntrospectionQuery } from 'graphql';
import { Client } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { Actor } from '../../src/core/actor';
import { ANONYMOUS } from '../../src/core/actor';
import { loadConfig } from '../../src/core/config';
import { APPLICATION_NAME } from '../../src/db/data-source';
import { log } from '../../src/core/logger';
import { AccessRole } from '../../src/core/roles';
import { CostThrottle, roleThrottleLimits } from '../../src/server/throttle';
import { captureLogs, type LogEntry } from '../support/logs';
import { until } from '../support/outage';
import { GraphQLResponse, startTestApp, TestApp } from '../support/test-app';

const COUNT_SQL = { 'x-rapport-sql-count': '1' };

/**
 * Holds an ACCESS EXCLUSIVE lock on a table from a connection of its own, so statements on it wait until released,
 * and watches pg_stat_activity from another (inside the lock's transaction the view would show one frozen snapshot).
 */
async function lockTable(url: string, table: string): Promise<{ observer: Client; release(): Promise<void> }> {
  const client = new Client({ connectionString: url, application_name: 'limits-test-lock' });
  const observer = new Client({ connectionString: url, application_name: 'limits-test-observer' });
  await Promise.all([client.connect(), observer.connect()]);
  await client.query('BEGIN');
  await client.query(`LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`);
  return {
    observer,
    release: async () => {
      await client.query('ROLLBACK');
      await Promise.all([client.end(), observer.end()]);
    },
  };
}

/**
 * Backends of the app's request pool waiting for a lock in the app's database. The job worker's pool carries another
 * application_name: a job queued behind the same lock must not be taken for a request's statement.
 */
async function waitingBackends(observer: Client): Promise<number[]> {
  const { rows } = await observer.query(
    `SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1 AND state = 'active' AND wait_event_type = 'Lock'`,
    [APPLICATION_NAME.api],
  );
  return rows.map((r) => r.pid as number);
}

function expectRefusedBeforeSql(res: GraphQLResponse, code: string, status = 400) {
  expect(res.errors?.[0].extensions?.code).toBe(code);
  expect(res.status).toBe(status);
  expect(res.extensions?.sqlStatements).toBe(0);
}

describe('hostile queries are refused with a code before any SQL runs', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it('a 20 KB search string is refused as BAD_USER_INPUT naming `search`', async () => {
    const res = await app.gql(`query($search: String) { customers(search: $search) { totalCount } }`, { search: 'x'.repeat(20_000) }, COUNT_SQL);
    expectRefusedBeforeSql(res, 'BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.argument).toBe('search');
    expect(res.errors?.[0].message).toMatch(/search of customers is 20000 characters long; at most 200/);
  });

  it('a filter with a 5,000-branch `or` is refused as BAD_USER_INPUT naming `filter`', async () => {
    const filter = { or: Array.from({ length: 5_000 }, (_, i) => ({ name: { eq: `Customer ${i}` } })) };
    const res = await app.gql(`query($filter: CustomerFilter) { customers(filter: $filter) { totalCount } }`, { filter }, COUNT_SQL);
    expectRefusedBeforeSql(res, 'BAD_USER_INPUT');
    expect(res.errors?.[0].extensions?.argument).toBe('filter');
    expect(res.errors?.[0].message).toMatch(/more than 100 conditions and groups/);
  });

  it('filters nested too deep, or with over-long text, are refused too, also on nested lists', async () => {
    let nested: Record<string, unknown> = { name: { eq: 'x' } };
    for (let i = 0; i < 12; i++) nested = { not: nested };
    const deep = await app.gql(`query($filter: CustomerFilter) { customers(filter: $filter) { totalCount } }`, { filter: nested }, COUNT_SQL);
    expectRefusedBeforeSql(deep, 'BAD_USER_INPUT');
    expect(deep.errors?.[0].message).toMatch(/nests and\/or\/not 9 deep/);

    const long = await app.gql(
      `query($text: String) { customers(first: 5) { nodes { orders(filter: { number: { contains: $text } }) { totalCount } } } }`,
      { text: 'y'.repeat(201) },
      COUNT_SQL,
    );
    expectRefusedBeforeSql(long, 'BAD_USER_INPUT');
    expect(long.errors?.[0].message).toMatch(/filter\.number\.contains of orders is 201 characters long/);
  });

  it('variables nested thousands of levels deep are refused before they are even coerced', async () => {
    // Written by hand: JSON.stringify itself gives up on values this deep.
    const levels = 5_000;
    const filter = `${'{"not":'.repeat(levels)}{"name":{"eq":"x"}}${'}'.repeat(levels)}`;
    const body = `{"query":"query($filter: CustomerFilter) { customers(filter: $filter) { totalCount } }","variables":{"filter":${filter}}}`;
    const res = await app.http.post('/graphql').set(app.auth).set({ 'content-type': 'application/json', ...COUNT_SQL }).send(body);
    expectRefusedBeforeSql({ status: res.status, ...res.body }, 'BAD_USER_INPUT');
    expect(res.body.errors[0].message).toMatch(/nest more than 64 levels/);
  });

  it('nodes(ids:) over 100 IDs with orders and lines costs like the same selection under customers: QUERY_TOO_COMPLEX', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `id-${i}`);
    const selection = `orders(first: 100) { nodes { lines(first: 100) { nodes { description quantity } } } }`;
    const viaNodes = await app.gql(`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { ${selection} } } }`, { ids }, COUNT_SQL);
    expectRefusedBeforeSql(viaNodes, 'QUERY_TOO_COMPLEX');
    const viaCustomers = await app.gql(`{ customers(first: 100) { nodes { ${selection} } } }`, undefined, COUNT_SQL);
    expectRefusedBeforeSql(viaCustomers, 'QUERY_TOO_COMPLEX');
    // 100 × (1 + 1 + 100 × (1 + 1 + 100 × 1)): the interface costs what its most expensive type costs.
    expect((viaNodes.errors?.[0].extensions?.cost as { requestedQueryCost: number }).requestedQueryCost).toBe(100 * (1 + 1 + 100 * (1 + 1 + 100)));
    expect((viaCustomers.errors?.[0].extensions?.cost as { requestedQueryCost: number }).requestedQueryCost).toBe(1 + 100 * (1 + 1 + 100 * (1 + 1 + 100)));
  });

  it('1,900 levels of referredBy are refused by the depth limit', async () => {
    const levels = 1_900;
    const query = `{ customers(first: 1) { nodes { ${'referredBy { '.repeat(levels)}id${' }'.repeat(levels)} } } }`;
    const res = await app.gql(query, undefined, COUNT_SQL);
    expectRefusedBeforeSql(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe(`Query depth limit of 15 exceeded, found ${levels + 3}.`);
  });

  it('1,000 aliases are refused by the alias limit', async () => {
    const query = `{ ${Array.from({ length: 1_000 }, (_, i) => `a${i}: customers { totalCount }`).join(' ')} }`;
    const res = await app.gql(query, undefined, COUNT_SQL);
    expectRefusedBeforeSql(res, 'GRAPHQL_VALIDATION_FAILED');
    expect(res.errors?.[0].message).toBe('Aliases limit of 30 exceeded, found 1000.');
  });

  it('too many directives or tokens are refused too', async () => {
    const directives = await app.gql(`{ customers { nodes { ${'id @skip(if: false) '.repeat(21)} } } }`, undefined, COUNT_SQL);
    expectRefusedBeforeSql(directives, 'GRAPHQL_VALIDATION_FAILED');
    expect(directives.errors?.[0].message).toBe('Directives limit of 20 exceeded, found 21.');

    const tokens = await app.gql(`{ customers { nodes { ${'id '.repeat(10_001)} } } }`, undefined, COUNT_SQL);
    expectRefusedBeforeSql(tokens, 'GRAPHQL_PARSE_FAILED');
    expect(tokens.errors?.[0].message).toMatch(/Document contains more th.. 10000 tokens/);
  });

  it('lets the introspection query through, and ordinary queries report their cost', async () => {
    const introspection = await app.gql(getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data.__schema.queryType.name).toBe('Query');
    const res = await app.gql(`{ customers(first: 10) { nodes { name } } }`);
    expect(res.extensions?.cost).toMatchObject({ requestedQueryCost: 1 + 10 * 1, actualQueryCost: 11, maximumAvailable: 50_000 });
  });

  it('weighs population analytics and derived-score sorts by what they do', async () => {
    const cost = async (query: string) => ((await app.gql(query)).extensions?.cost as { requestedQueryCost: number }).requestedQueryCost;
    expect(await cost(`{ segmentSummary { segments { segment customers } } }`)).toBe(1_000 + 1 + 1);
    expect(await cost(`{ churnWatchlist(first: 10) { churnProbability customer { name } } }`)).toBe(1_000 + 10 * (1 + 1));
    expect(await cost(`{ customers(first: 10) { nodes { name } } }`)).toBe(11);
    expect(await cost(`{ customers(first: 10, orderBy: { field: PREDICTED_CLV, direction: DESC }) { nodes { name } } }`)).toBe(1_000 + 11);
    expect(await cost(`{ customers(first: 10, filter: { or: [{ churnLevel: { eq: HIGH } }] }) { nodes { name } } }`)).toBe(1_000 + 11);
    expect(await cost(`mutation { createCustomer(input: { name: "Costly" }) { customer { id } } }`)).toBe(10 + 1 + 1);
  });
});

describe('the cost bucket per credential', () => {
  let app: TestApp;
  let now = 1_700_000_000_000;
  const cheap = `{ customers(first: 10) { nodes { name owner { name } } } }`; // 1 + 10 × (1 + 1) = 21
  beforeAll(async () => {
    app = await startTestApp({ THROTTLE_BUCKET_SIZE: '100', THROTTLE_RESTORE_RATE: '2', MAX_QUERY_COST: '1000' }, { now: () => now });
  });
  afterAll(() => app.close());

  it('reports its state on every response, refuses with 429 THROTTLED and Retry-After when empty, and restores over time', async () => {
    const available: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await app.gql(cheap);
      expect(res.errors).toBeUndefined();
      expect(res.extensions?.cost).toMatchObject({ requestedQueryCost: 21, actualQueryCost: 21, maximumAvailable: 100 });
      available.push((res.extensions?.cost as { throttleStatus: { currentlyAvailable: number } }).throttleStatus.currentlyAvailable);
    }
    expect(available).toEqual([79, 58, 37, 16]);

    const throttled = await app.http.post('/graphql').set(app.auth).set(COUNT_SQL).send({ query: cheap });
    expect(throttled.status).toBe(429);
    // 21 − 16 = 5 points short, restoring 2 a second.
    expect(throttled.headers['retry-after']).toBe('3');
    expect(throttled.body.errors[0].extensions.code).toBe('THROTTLED');
    expect(throttled.body.extensions).toMatchObject({
      sqlStatements: 0,
      cost: { requestedQueryCost: 21, actualQueryCost: 0, maximumAvailable: 100, throttleStatus: { maximumAvailable: 100, currentlyAvailable: 16, restoreRate: 2 } },
    });

    now += 2_000; // 16 + 4 = 20: still one point short
    const stillShort = await app.http.post('/graphql').set(app.auth).send({ query: cheap });
    expect(stillShort.status).toBe(429);
    expect(stillShort.headers['retry-after']).toBe('1');

    now += 1_000; // 22
    const again = await app.gql(cheap);
    expect(again.errors).toBeUndefined();
    expect(again.extensions?.cost).toMatchObject({ throttleStatus: { currentlyAvailable: 1 } });

    now += 3_600_000; // full, and no fuller
    const full = await app.gql(`{ __typename }`);
    expect(full.extensions?.cost).toMatchObject({ requestedQueryCost: 0, throttleStatus: { currentlyAvailable: 100 } });
  });

  it('does not keep a throttled mutation under its Idempotency-Key: the retry runs once the bucket refills', async () => {
    now += 3_600_000;
    for (let i = 0; i < 4; i++) expect((await app.gql(cheap)).errors).toBeUndefined(); // 16 left
    const mutation = `mutation { createCustomer(input: { name: "Throttled Ltd" }) { customer { id owner { name } lifecycleStage { key } referrals(first: 5) { nodes { id } } } } }`;
    const send = () => app.http.post('/graphql').set(app.auth).set('idempotency-key', 'throttled-write-1').send({ query: mutation });
    const first = await send();
    expect(first.status).toBe(429);
    expect(first.body.extensions.cost.requestedQueryCost).toBe(10 + 1 + (1 + 1 + 1 + (1 + 5 * 1)));
    now += Number(first.headers['retry-after']) * 1000;
    const retried = await send();
    expect(retried.status).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBeUndefined();
    now += 10_000; // a replay pays for its operation too: the key is looked at only once the throttle lets it through
    const replayed = await send();
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    const [{ count }] = await app.db.query(`SELECT count(*)::int AS count FROM customers WHERE name = 'Throttled Ltd'`);
    expect(count).toBe(1);
  });

  it('answers a query the bucket could never hold as QUERY_TOO_COMPLEX, not THROTTLED', async () => {
    const res = await app.gql(`{ customers(first: 50) { nodes { name owner { name } } } }`, undefined, COUNT_SQL);
    expectRefusedBeforeSql(res, 'QUERY_TOO_COMPLEX');
    expect(res.errors?.[0].message).toMatch(/costs 101, more than the maximum of 100/);
  });
});

describe('CostThrottle', () => {
  const key = (role: AccessRole, id: string): Actor => ({
    kind: 'principal',
    role,
    userId: null,
    scopes: null,
    credential: { kind: 'api_key', id, label: `key ${id}` },
    label: `key ${id}`,
  });

  it('keeps one bucket per credential, sized by the role, and lets a per-key rule override the role', () => {
    const config = loadConfig({ THROTTLE_BUCKET_SIZE: '1000', THROTTLE_RESTORE_RATE: '50', THROTTLE_PARTNER_BUCKET_SIZE: '200', THROTTLE_PARTNER_RESTORE_RATE: '10' });
    let now = 0;
    const throttle = new CostThrottle(roleThrottleLimits(config.throttle), () => now);
    const partnerA = key(AccessRole.PARTNER, 'a');
    const partnerB = key(AccessRole.PARTNER, 'b');
    const analyst = key(AccessRole.ANALYST, 'c');
    expect(throttle.take(partnerA, 150)).toEqual({ allowed: true, status: { maximumAvailable: 200, currentlyAvailable: 50, restoreRate: 10 } });
    expect(throttle.take(partnerA, 150)).toEqual({ allowed: false, retryAfterSeconds: 10, status: { maximumAvailable: 200, currentlyAvailable: 50, restoreRate: 10 } });
    expect(throttle.take(partnerB, 150).allowed).toBe(true);
    expect(throttle.take(analyst, 900)).toMatchObject({ allowed: true, status: { maximumAvailable: 1000, currentlyAvailable: 100, restoreRate: 50 } });
    expect(throttle.status(ANONYMOUS)).toEqual({ maximumAvailable: 1000, currentlyAvailable: 1000, restoreRate: 50 });
    now += 10_000;
    expect(throttle.take(partnerA, 150).allowed).toBe(true);

    const perKey = new CostThrottle((actor) => (actor === partnerA ? { bucketSize: 5, restoreRate: 1 } : roleThrottleLimits(config.throttle)(actor)), () => now);
    expect(perKey.status(partnerA).maximumAvailable).toBe(5);
    expect(perKey.status(partnerB).maximumAvailable).toBe(200);
  });
});

describe('SQL deadlines', () => {
  it('a statement running past REQUEST_TIMEOUT_MS is cancelled and answered TIMEOUT', async () => {
    const app = await startTestApp({ REQUEST_TIMEOUT_MS: '300' });
    const lock = await lockTable(app.url, 'customers');
    try {
      // Waits for the lock until statement_timeout cancels it: slow for certain, however fast the machine.
      const res = await app.gql(`{ customers(first: 1) { totalCount } }`);
      expect(res.errors?.[0].extensions?.code).toBe('TIMEOUT');
      expect(res.errors?.[0].message).toMatch(/took too long/);
      expect(JSON.stringify(res.errors)).not.toMatch(/canceling statement|SELECT/);
    } finally {
      await lock.release();
      await app.close();
    }
  });

  describe('with an app that lets statements run', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ POOL_WAIT_TIMEOUT_MS: '3000' });
    });
    afterAll(() => app.close());

    it("a client that closes the connection has its statement cancelled: the backend stops running it", async () => {
      const base = await app.listen();
      const lock = await lockTable(app.url, 'customers');
      try {
        const before = new Set(await waitingBackends(lock.observer));
        const req = http.request(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...app.auth } });
        req.on('error', () => undefined);
        req.end(JSON.stringify({ query: '{ customers(first: 1) { totalCount } }' }));
        const [pid] = await until(async () => {
          const pids = (await waitingBackends(lock.observer)).filter((p) => !before.has(p));
          return pids.length ? pids : null;
        });
        req.destroy();
        await until(async () => {
          const { rows } = await lock.observer.query(`SELECT state FROM pg_stat_activity WHERE pid = $1`, [pid]);
          return rows.length === 0 || rows[0].state !== 'active';
        });
      } finally {
        await lock.release();
      }
    });

    it('a request that finds every pool connection busy past POOL_WAIT_TIMEOUT_MS gets 503 SERVICE_UNAVAILABLE with Retry-After', async () => {
      const poolSize = ((app.db.driver as PostgresDriver).master as { options: { max: number } }).options.max;
      const lock = await lockTable(app.url, 'customers');
      let slow: Array<Promise<GraphQLResponse>> = [];
      try {
        slow = Array.from({ length: poolSize }, () => app.gql(`{ customers(first: 1) { totalCount } }`));
        await until(async () => (await waitingBackends(lock.observer)).length >= poolSize);
        const res = await app.http.post('/graphql').set(app.auth).send({ query: '{ products(first: 1) { totalCount } }' });
        expect(res.status).toBe(503);
        expect(res.headers['retry-after']).toBe('2');
        expect(res.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
      } finally {
        await lock.release();
      }
      for (const res of await Promise.all(slow)) expect(res.errors).toBeUndefined();
    });
  });
});

describe('HTTP hardening', () => {
  let app: TestApp;
  let open: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
    open = await startTestApp({ CORS_ORIGINS: 'https://app.example.com', INTROSPECTION: 'false' });
  });
  afterAll(async () => {
    await app.close();
    await open.close();
  });

  it("sends helmet's security headers and a strict content policy on API responses", async () => {
    for (const res of [await app.http.get('/healthz'), await app.http.post('/graphql').set(app.auth).send({ query: '{ __typename }' })]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'referrer-policy': 'no-referrer',
        'content-security-policy': expect.stringContaining("default-src 'none'"),
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });

  it('puts an X-Request-Id on every response: the client’s when it is sane, a fresh one otherwise', async () => {
    const generated = await app.http.get('/healthz');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const honoured = await app.http.post('/graphql').set(app.auth).set('x-request-id', 'partner-42.retry_1').send({ query: '{ __typename }' });
    expect(honoured.headers['x-request-id']).toBe('partner-42.retry_1');
    for (const insane of ['has spaces', 'x'.repeat(201), 'semi;colon']) {
      const res = await app.http.get('/healthz').set('x-request-id', insane);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('puts the request id in internal errors and on the log lines of the request', async () => {
    await app.db.query('ALTER TABLE users RENAME TO users_elsewhere');
    let entries: LogEntry[];
    try {
      entries = await captureLogs(async () => {
        const res = await app.http.post('/graphql').set(app.auth).set('x-request-id', 'trace-me-1').send({ query: '{ users(first: 1) { totalCount } }' });
        expect(res.body.errors[0].extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'trace-me-1' });
        log.error('outside any request');
      }, 'error');
    } finally {
      await app.db.query('ALTER TABLE users_elsewhere RENAME TO users');
    }
    expect(entries.find((e) => e.msg === 'internal error at users')).toMatchObject({ level: 'error', requestId: 'trace-me-1' });
    expect(entries.find((e) => e.msg === 'outside any request')).not.toHaveProperty('requestId');
  });

  it('answers CORS preflights only for the configured origins, with the allowed and exposed headers', async () => {
    const preflight = (target: TestApp, origin: string) =>
      target.http.options('/graphql').set({ origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' });
    const sameOriginOnly = await preflight(app, 'https://app.example.com');
    expect(sameOriginOnly.headers['access-control-allow-origin']).toBeUndefined();

    const allowed = await preflight(open, 'https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(allowed.headers['access-control-allow-headers']).toBe('Authorization,Content-Type,Idempotency-Key,X-Request-Id');
    const stranger = await preflight(open, 'https://evil.example.com');
    expect(stranger.headers['access-control-allow-origin']).toBeUndefined();

    const post = await open.http.post('/graphql').set(open.auth).set('origin', 'https://app.example.com').send({ query: '{ __typename }' });
    expect(post.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(post.headers['access-control-expose-headers']).toBe('Idempotent-Replayed,Retry-After,X-Request-Id');
  });

  it("keeps Apollo's CSRF prevention: a simple GET without a preflight header is refused", async () => {
    const res = await app.http.get('/graphql').query({ query: '{ __typename }' }).set({ accept: 'application/json', ...app.auth });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/Cross-Site Request Forgery/);
  });

  it('with INTROSPECTION off, refuses introspection and keeps field names out of error messages', async () => {
    const introspection = await open.gql(`{ __schema { types { name } } }`);
    expect(introspection.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const typo = `query($filter: CustomerFilter) { customers(filter: $filter) { nodes { nam } } }`;
    const withSuggestions = await app.gql(typo);
    expect(withSuggestions.errors?.[0].message).toMatch(/Did you mean "name"/);
    const hidden = await open.gql(typo);
    expect(hidden.errors?.[0].message).toBe('Cannot query field "nam" on type "Customer".');
    const badVariable = await open.gql(`query($filter: CustomerFilter) { customers(filter: $filter) { totalCount } }`, { filter: { nam: { eq: 'x' } } });
    expect(badVariable.errors?.[0].message).not.toMatch(/Did you mean/);
  });
});
