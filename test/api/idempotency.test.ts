import http from 'node:http';
import express from 'express';
import request from 'supertest';
import { decodeIdOf } from '../../src/common/ids';
import { ApolloServer } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
import { GraphQLError } from 'graphql';
import type { DataSource } from 'typeorm';
import { actorKey } from '../../src/core/actor';
import type { Actor } from '../../src/core/actor';
import { AccessRole } from '../../src/core/roles';
import { idempotency, IdempotencyContext, keyedRequestOf, requestFingerprint } from '../../src/server/idempotency';
import { adminClient, databaseName, until, waitingOnLocks } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CREATE = `mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id name } userErrors { code } } }`;
const RENAME = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { id name version } userErrors { code } } }`;
const send = (body: object, key?: string) => {
  const req = app.http.post('/graphql').set('content-type', 'application/json').set(app.auth);
  return (key === undefined ? req : req.set('Idempotency-Key', key)).send(body);
};
const count = async (name: string) => (await app.db.query(`SELECT count(*)::int AS n FROM customers WHERE name = $1`, [name]))[0].n;

describe('idempotency keys', () => {
  it('run a mutation once and replay its response to a retry with the same key', async () => {
    const first = await send({ query: CREATE, variables: { name: 'Once Only' } }, 'create-once-only');
    const retry = await send({ query: CREATE, variables: { name: 'Once Only' } }, 'create-once-only');
    expect(first.status).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.status).toBe(200);
    expect(retry.text).toBe(first.text);
    expect(await count('Once Only')).toBe(1);
  });

  it('refuse the same key for a different request', async () => {
    await send({ query: CREATE, variables: { name: 'First Use' } }, 'reused-key');
    const other = await send({ query: CREATE, variables: { name: 'Second Use' } }, 'reused-key');
    expect(other.status).toBe(422);
    expect(other.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await count('Second Use')).toBe(0);
  });

  it('replay responses with userErrors too, and leave queries and requests without a key alone', async () => {
    const blank = { query: CREATE, variables: { name: ' ' } };
    const a = await send(blank, 'blank-name');
    const b = await send(blank, 'blank-name');
    expect(a.body.data.createCustomer.userErrors).toEqual([{ code: 'REQUIRED' }]);
    expect(b.headers['idempotent-replayed']).toBe('true');

    const query = { query: `{ customers { totalCount } }` };
    expect((await send(query, 'a-query')).headers['idempotent-replayed']).toBeUndefined();
    expect((await send(query, 'a-query')).headers['idempotent-replayed']).toBeUndefined();
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM idempotency_keys WHERE key = 'a-query'`);
    expect(n).toBe(0);

    await send({ query: CREATE, variables: { name: 'No Key' } });
    await send({ query: CREATE, variables: { name: 'No Key' } });
    expect(await count('No Key')).toBe(2);
  });

  it('reject a key that is blank or too long', async () => {
    const res = await send({ query: CREATE, variables: { name: 'Too Long' } }, 'k'.repeat(256));
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(await count('Too Long')).toBe(0);
  });
});

describe('refusals come before the claim', () => {
  const COUNT_SQL = { 'x-rapport-sql-count': '1' };
  const post = (target: TestApp, body: object, key: string) =>
    target.http.post('/graphql').set({ 'content-type': 'application/json', 'idempotency-key': key, ...COUNT_SQL, ...target.auth }).send(body);
  const rows = async (target: TestApp, key: string) => target.db.query(`SELECT status_code, response FROM idempotency_keys WHERE key = $1`, [key]);
  /** Logs every write to idempotency_keys: a key claimed and then released leaves no row, but it leaves its writes here. */
  const logKeyWrites = (target: TestApp) =>
    target.db.query(`
      CREATE TABLE idempotency_key_writes (key text NOT NULL, op text NOT NULL);
      CREATE FUNCTION log_idempotency_key_write() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO idempotency_key_writes VALUES (COALESCE(NEW.key, OLD.key), TG_OP); RETURN NULL; END $$;
      CREATE TRIGGER log_writes AFTER INSERT OR UPDATE OR DELETE ON idempotency_keys FOR EACH ROW EXECUTE FUNCTION log_idempotency_key_write()`);
  const writes = async (target: TestApp, key: string) => (await target.db.query(`SELECT op FROM idempotency_key_writes WHERE key = $1`, [key])).map((r: { op: string }) => r.op);
  beforeAll(() => logKeyWrites(app));
  const customerWith = (selection: string) => `mutation($name: String!) { createCustomer(input: { name: $name }) { customer { ${selection} } } }`;
  const lines = `orders(first: 100) { nodes { lines(first: 100) { nodes { description } } } }`;

  it.each([
    ['the depth limit', 'GRAPHQL_VALIDATION_FAILED', { query: customerWith(`${'referredBy { '.repeat(20)}id${' }'.repeat(20)}`), variables: { name: 'Too Deep' } }],
    [
      'the alias limit',
      'GRAPHQL_VALIDATION_FAILED',
      { query: `mutation($name: String!) { ${Array.from({ length: 31 }, (_, i) => `a${i}: createCustomer(input: { name: $name }) { customer { id } }`).join(' ')} }`, variables: { name: 'Aliased' } },
    ],
    ['the cost limit', 'QUERY_TOO_COMPLEX', { query: customerWith(`referrals(first: 100) { nodes { ${lines} } }`), variables: { name: 'Too Costly' } }],
    [
      'the NUL guard',
      'BAD_USER_INPUT',
      {
        query: `mutation($name: String!, $number: String) { createCustomer(input: { name: $name }) { customer { orders(filter: { number: { eq: $number } }) { totalCount } } } }`,
        variables: { name: 'Nul In Filter', number: 'A\u0000' },
      },
    ],
    ['variables of the wrong type', 'BAD_USER_INPUT', { query: customerWith('id'), variables: { name: 42 } }],
  ])('a mutation refused by %s runs no SQL and keeps no key: its corrected retry runs', async (_, code, body) => {
    const key = `refused-${code}-${JSON.stringify(body.variables)}`;
    const refused = await post(app, body, key);
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions.code).toBe(code);
    expect(refused.body.extensions.sqlStatements).toBe(0);
    expect(await rows(app, key)).toEqual([]);
    expect(await writes(app, key)).toEqual([]);

    const corrected = { query: customerWith('id name'), variables: { name: `Corrected ${key}` } };
    const retry = await post(app, corrected, key);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.body.data.createCustomer.customer.name).toBe(`Corrected ${key}`);
    expect((await post(app, corrected, key)).headers['idempotent-replayed']).toBe('true');
    expect(await count(`Corrected ${key}`)).toBe(1);
  });

  it('a mutation refused by the throttle runs no SQL and keeps no key: its retry runs once the bucket refills', async () => {
    let clock = 1_700_000_000_000;
    const throttled = await startTestApp({ THROTTLE_BUCKET_SIZE: '30', THROTTLE_RESTORE_RATE: '1' }, { now: () => clock });
    try {
      await logKeyWrites(throttled);
      const body = { query: customerWith('id'), variables: { name: 'Throttled Inc' } }; // costs 10 + 1 + 1
      for (let i = 0; i < 2; i++) expect((await throttled.gql(body.query, { name: `Spender ${i}` })).status).toBe(200); // 6 points left
      const refused = await post(throttled, body, 'throttled-write');
      expect(refused.status).toBe(429);
      expect(refused.body.errors[0].extensions.code).toBe('THROTTLED');
      expect(refused.body.extensions.sqlStatements).toBe(0);
      expect(await rows(throttled, 'throttled-write')).toEqual([]);
      expect(await writes(throttled, 'throttled-write')).toEqual([]);

      clock += Number(refused.headers['retry-after']) * 1000;
      const retry = await post(throttled, body, 'throttled-write');
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(await writes(throttled, 'throttled-write')).toEqual(['INSERT', 'UPDATE']);
      // A replay pays for its operation like any request: it is answered once the bucket holds its cost again.
      clock += 12_000;
      const replay = await post(throttled, body, 'throttled-write');
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(retry.text);
      const [{ n }] = await throttled.db.query(`SELECT count(*)::int AS n FROM customers WHERE name = 'Throttled Inc'`);
      expect(n).toBe(1);
    } finally {
      await throttled.close();
    }
  });

  it('a mutation that is let through counts its claim among its statements', async () => {
    const body = (name: string) => ({ query: customerWith('id'), variables: { name } });
    await post(app, body('Counted Warm-up'), 'counted-warm-up'); // the first claim of a process also sweeps expired keys
    const plain = await app.http.post('/graphql').set({ 'content-type': 'application/json', ...COUNT_SQL, ...app.auth }).send(body('Counted Plain'));
    const keyed = await post(app, body('Counted Keyed'), 'counted-keyed');
    expect(plain.body.extensions.sqlStatements).toBeGreaterThan(0);
    expect(keyed.body.extensions.sqlStatements).toBe(plain.body.extensions.sqlStatements + 1);
  });
});

describe('idempotency keys under failure and concurrency', () => {
  it('write once when 20 retries of one mutation arrive together', async () => {
    const body = { query: CREATE, variables: { name: 'Twenty At Once' } };
    const answers = await Promise.all(Array.from({ length: 20 }, () => send(body, 'twenty-at-once')));
    expect(await count('Twenty At Once')).toBe(1);
    for (const res of answers) {
      if (res.status === 409) {
        expect(res.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
        expect(res.headers['retry-after']).toBe('1');
      } else {
        expect(res.status).toBe(200);
      }
    }
    const ids = new Set(answers.filter((r) => r.status === 200).map((r) => r.body.data.createCustomer.customer.id));
    expect(ids.size).toBe(1);
    const last = await send(body, 'twenty-at-once');
    expect(last.headers['idempotent-replayed']).toBe('true');
    expect(last.body.data.createCustomer.customer.id).toEqual([...ids][0]);
  });

  it.each([
    ['INTERNAL_SERVER_ERROR', 'XX000', 200],
    ['SERVICE_UNAVAILABLE', '57P03', 503],
  ])('run a retry again when the first attempt failed with %s, instead of replaying the failure', async (code, sqlstate, status) => {
    const name = `Flaky ${sqlstate}`;
    await app.db.query(`CREATE FUNCTION fail_${sqlstate}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.name = '${name}' THEN RAISE EXCEPTION 'flaky insert' USING ERRCODE = '${sqlstate}'; END IF; RETURN NEW; END $$`);
    await app.db.query(`CREATE TRIGGER fail_${sqlstate} BEFORE INSERT ON customers FOR EACH ROW EXECUTE FUNCTION fail_${sqlstate}()`);
    const body = { query: CREATE, variables: { name } };
    const failed = await send(body, `flaky-${sqlstate}`);
    expect(failed.status).toBe(status);
    expect(failed.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual([code]);
    expect(await app.db.query(`SELECT 1 FROM idempotency_keys WHERE key = $1`, [`flaky-${sqlstate}`])).toEqual([]);

    await app.db.query(`DROP TRIGGER fail_${sqlstate} ON customers`);
    const retry = await send(body, `flaky-${sqlstate}`);
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBeUndefined();
    expect(retry.body.data.createCustomer.customer.id).toEqual(expect.any(String));
    expect(await count(name)).toBe(1);
  });

  it('report a recent claim without a response as in progress, and let a retry take it over once it is stale', async () => {
    // A claim left behind by a process that died before it wrote anything, under the caller's own scope.
    await send({ query: CREATE, variables: { name: ' ' } }, 'scope-probe');
    const [{ scope }] = await app.db.query(`SELECT scope FROM idempotency_keys WHERE key = 'scope-probe'`);
    const body = { query: CREATE, variables: { name: 'Crashed Mid-Request' } };
    await app.db.query(`INSERT INTO idempotency_keys (scope, key, request_hash, claim_token) VALUES ($1, 'crashed', $2, gen_random_uuid())`, [scope, requestFingerprint(body)]);

    const early = await send(body, 'crashed');
    expect(early.status).toBe(409);
    expect(early.body.errors[0].extensions.code).toBe('IDEMPOTENCY_KEY_IN_PROGRESS');
    expect(early.headers['retry-after']).toBe('1');
    expect(await count('Crashed Mid-Request')).toBe(0);

    await app.db.query(`UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $1) WHERE key = 'crashed'`, [app.config.idempotencyClaimTimeoutMs / 1000 + 1]);
    const taken = await send(body, 'crashed');
    expect(taken.status).toBe(200);
    expect(taken.headers['idempotent-replayed']).toBeUndefined();
    expect(await count('Crashed Mid-Request')).toBe(1);
    expect((await send(body, 'crashed')).headers['idempotent-replayed']).toBe('true');
  });

  it('treat requests that differ only in whitespace, comments and the order of variables as the same request', async () => {
    const query = `mutation Create($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { code } } }`;
    const first = await send({ query, operationName: 'Create', variables: { input: { name: 'Spaced Out', email: 'spaced@example.com' } } }, 'spaced-out');
    const retry = await send(
      {
        query: `# sent again by a client that reformats its documents\nmutation Create( $input : CreateCustomerInput! ) {\n  createCustomer(input: $input) {\n    customer { id }\n    userErrors { code }\n  }\n}\n`,
        operationName: 'Create',
        variables: { input: { email: 'spaced@example.com', name: 'Spaced Out' } },
      },
      'spaced-out',
    );
    expect(retry.status).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.data).toEqual(first.body.data);
    expect(await count('Spaced Out')).toBe(1);
  });

  it('store the outcome of a request whose client hung up, so the retry replays it instead of writing again', async () => {
    const created = await send({ query: CREATE, variables: { name: 'Hung Up' } });
    const id = created.body.data.createCustomer.customer.id;
    const body = JSON.stringify({ query: RENAME, variables: { input: { id, name: 'Hung Up Renamed' } } });
    const db = await adminClient(app.url);
    try {
      await db.query('BEGIN');
      await db.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [decodeIdOf('Customer', id)]);
      const url = new URL(`${await app.listen()}/graphql`);
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'hung-up', ...app.auth } });
      req.on('error', () => {}); // the hang-up is ours
      req.end(body);
      await until(async () => (await waitingOnLocks(db, databaseName(app.url))) > 0);
      req.destroy();
      await until(() => req.destroyed);
      await db.query('COMMIT');
    } finally {
      await db.end();
    }
    await until(async () => (await app.db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'hung-up' AND response IS NOT NULL`)).length > 0);

    const retry = await app.http.post('/graphql').set({ 'content-type': 'application/json', 'idempotency-key': 'hung-up', ...app.auth }).send(body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.data.updateCustomer.customer).toMatchObject({ name: 'Hung Up Renamed', version: 2 });
    const [{ version }] = await app.db.query(`SELECT version FROM customers WHERE id = $1`, [decodeIdOf('Customer', id)]);
    expect(version).toBe(2);
  });
});

describe('the idempotency middleware and plugin', () => {
  /** Both in front of a stand-in Apollo server with one mutation that counts its runs, behind a stand-in for authentication (x-test-actor). */
  async function standIn(db: DataSource = app.db) {
    const runs: string[] = [];
    const keys = idempotency(db, app.config);
    type StandInContext = IdempotencyContext & { fail: boolean };
    const apollo = new ApolloServer<StandInContext>({
      typeDefs: `type Query { ok: Boolean } type Mutation { run(name: String!): Int }`,
      resolvers: {
        Mutation: {
          run: (_: unknown, { name }: { name: string }, ctx: StandInContext) => {
            runs.push(`${actorKey(ctx.actor)}: ${name}`);
            if (ctx.fail) throw new GraphQLError('The upstream failed.', { extensions: { code: 'BAD_GATEWAY', http: { status: 502 } } });
            return runs.length;
          },
        },
      },
      plugins: [keys.plugin<StandInContext>()],
    });
    await apollo.start();
    const actor = (id: string): Actor => ({ kind: 'principal', role: AccessRole.PARTNER, userId: null, scopes: [], credential: { kind: 'api_key', id, label: id }, label: id });
    const server = express();
    server.post(
      '/graphql',
      express.json(),
      (req, res, next) => {
        res.locals.actor = actor(req.get('x-test-actor')!);
        next();
      },
      keys.middleware,
      expressMiddleware(apollo, { context: async ({ req, res }) => ({ actor: res.locals.actor as Actor, idempotency: keyedRequestOf(res), fail: !!req.get('x-test-fail') }) }),
    );
    const post = (who: string, name: string, key: string, fail = false) =>
      request(server)
        .post('/graphql')
        .set({ 'content-type': 'application/json', 'idempotency-key': key, 'x-test-actor': who, ...(fail ? { 'x-test-fail': '1' } : {}) })
        .send({ query: `mutation($name: String!) { run(name: $name) }`, variables: { name } });
    return { runs, post, stop: () => apollo.stop() };
  }

  it('keeps each credential’s keys apart: the same key from two callers runs for each', async () => {
    const { runs, post, stop } = await standIn();
    try {
      const a = await post('shop-sync', 'From the shop', 'order-1001');
      const b = await post('erp-sync', 'From the ERP', 'order-1001');
      expect([a.status, b.status]).toEqual([200, 200]);
      expect(runs).toEqual(['api_key:shop-sync: From the shop', 'api_key:erp-sync: From the ERP']);

      const againA = await post('shop-sync', 'From the shop', 'order-1001');
      const againB = await post('erp-sync', 'From the ERP', 'order-1001');
      expect(againA.headers['idempotent-replayed']).toBe('true');
      expect(againA.text).toBe(a.text);
      expect(againB.text).toBe(b.text);
      expect(runs).toHaveLength(2);
      const scopes = await app.db.query(`SELECT scope FROM idempotency_keys WHERE key = 'order-1001' ORDER BY scope`);
      expect(scopes.map((r: { scope: string }) => r.scope)).toEqual(['api_key:erp-sync', 'api_key:shop-sync']);
    } finally {
      await stop();
    }
  });

  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, running nothing, when the database cannot be reached for the claim', async () => {
    const down = { query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })) } as unknown as DataSource;
    const { runs, post, stop } = await standIn(down);
    try {
      const res = await post('shop-sync', 'Database Down', 'database-down');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('2');
      expect(res.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
      expect(runs).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('releases the key of a request answered with a 5xx, so the retry runs', async () => {
    const { runs, post, stop } = await standIn();
    try {
      expect((await post('shop-sync', 'Five Hundred', 'five-hundred', true)).status).toBe(502);
      const retry = await post('shop-sync', 'Five Hundred', 'five-hundred');
      expect(retry.status).toBe(200);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      expect(runs).toHaveLength(2);
    } finally {
      await stop();
    }
  });
});
