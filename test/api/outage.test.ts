import type { Client } from 'pg';
import { QueryRunnerProviderAlreadyReleasedError } from 'typeorm';
import { createClient, FetchLike, unwrap } from '../../sdk/src';
import { decodeIdOf } from '../../src/common/ids';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { adminClient, bringDatabaseBack, databaseName, takeDatabaseDown, until, waitingOnLocks } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let admin: Client;
let name: string;
beforeAll(async () => {
  // The request path's outage behaviour; the job worker's own recovery is in src/core/jobs.ts.
  app = await startTestApp({ WORKER: 'false' });
  admin = await adminClient();
  name = databaseName(app.url);
});
afterAll(async () => {
  await bringDatabaseBack(admin, name);
  await admin.end();
  await app.close();
});

const CREATE = `mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } userErrors { code } } }`;

interface Answer {
  status: number;
  code?: string;
  retryAfter?: string;
}

describe('a database outage', () => {
  it('is answered 503 SERVICE_UNAVAILABLE with Retry-After, heals without a restart, and loses no acknowledged write', async () => {
    const answers: Answer[] = [];
    const acknowledged: Array<{ id: string; name: string }> = [];
    let stop = false;

    /** One client writing customers one after the other, each retried with its key until it is acknowledged. */
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const customer = `load ${w}-${i}`;
        for (;;) {
          const res = await app.http
            .post('/graphql')
            .set({ 'content-type': 'application/json', 'idempotency-key': `outage-${w}-${i}`, ...app.auth })
            .send({ query: CREATE, variables: { name: customer } });
          answers.push({ status: res.status, code: res.body.errors?.[0]?.extensions?.code, retryAfter: res.headers['retry-after'] });
          if (res.status === 200 && !res.body.errors) {
            acknowledged.push({ id: res.body.data.createCustomer.customer.id, name: customer });
            break;
          }
          if (res.status !== 503) break; // an unexpected answer: the assertions below report it
          await new Promise((resolve) => setTimeout(resolve, 5)); // a pause between retries, not a wait for anything
        }
      }
    };
    const unavailable = () => answers.filter((a) => a.status === 503).length;

    const writers = [0, 1, 2, 3].map(writer);
    await until(() => acknowledged.length >= 8);

    await takeDatabaseDown(admin, name);
    await until(() => unavailable() >= 8);
    const ready = await app.http.get('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toMatchObject({ database: 'down' });

    await bringDatabaseBack(admin, name);
    const before = acknowledged.length;
    await until(() => acknowledged.length >= before + 8);
    stop = true;
    await Promise.all(writers);

    const unexpected = answers.filter((a) => a.status !== 200 && !(a.status === 503 && a.code === 'SERVICE_UNAVAILABLE' && a.retryAfter === '2'));
    expect(unexpected).toEqual([]);
    expect(answers.filter((a) => a.status === 200 && a.code)).toEqual([]);

    const ids = acknowledged.map((a) => decodeIdOf('Customer', a.id));
    const { length: stored } = await app.db.query(`SELECT id FROM customers WHERE id = ANY($1::uuid[])`, [ids]);
    expect(stored).toBe(acknowledged.length);
    const [{ missing }] = await app.db.query(
      `SELECT count(*)::int AS missing FROM unnest($1::text[]) AS n(name) WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.name = n.name)`,
      [acknowledged.map((a) => a.name)],
    );
    expect(missing).toBe(0);

    expect((await app.http.get('/readyz')).status).toBe(200);
    expect((await app.ok(`{ customers(first: 1) { totalCount } }`)).customers.totalCount).toBeGreaterThanOrEqual(acknowledged.length);
  });

  it('makes a read that cannot reach the database a 503 too, and answers again once it is back', async () => {
    await takeDatabaseDown(admin, name);
    const down = await app.http.post('/graphql').set({ 'content-type': 'application/json', ...app.auth }).send({ query: `{ customers(first: 1) { totalCount } }` });
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    expect(down.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(down.body)).not.toMatch(/accepting connections|t_[0-9a-f]{12}/);

    await bringDatabaseBack(admin, name);
    // A pooled connection the outage cut may still answer one more 503, as a client's retry would see; the
    // database is back once an answer is a 200, and nothing in between is anything but a retryable 503.
    const between: number[] = [];
    const up = await until(async () => {
      const res = await app.gql(`{ customers(first: 1) { totalCount } }`);
      if (res.status === 200) return res;
      between.push(res.status);
      return null;
    });
    expect(between.every((s) => s === 503)).toBe(true);
    expect(up.errors).toBeUndefined();
  });
});

describe('the SDK during an outage', () => {
  it('waits out the outage and writes once', async () => {
    const url = `${await app.listen()}/graphql`;
    const statuses: number[] = [];
    // The database comes back as soon as the client has been told it is away.
    const watching: FetchLike = async (target, init) => {
      const response = await fetch(target, init);
      statuses.push(response.status);
      if (response.status === 503) await bringDatabaseBack(admin, name);
      return response;
    };
    const client = createClient({ url, token: app.adminKey, fetch: watching, retries: 10, minRetryDelay: 1 });
    await takeDatabaseDown(admin, name);
    const created = unwrap((await client.createCustomer({ input: { name: 'Written Through The Outage' } })).createCustomer, 'customer');
    expect(statuses[0]).toBe(503);
    expect(statuses[statuses.length - 1]).toBe(200);
    expect(statuses.every((s) => s === 503 || s === 200)).toBe(true);
    expect(await app.db.query(`SELECT 1 FROM customers WHERE id = $1`, [decodeIdOf('Customer', created.id)])).toHaveLength(1);
  });
});

describe('an idempotent write cut off by an outage', () => {
  it('runs when retried after the outage, without waiting for its claim to expire', async () => {
    const created = await app.ok(CREATE, { name: 'Cut Off' });
    const id = created.createCustomer.customer.id;
    const rename = { query: `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { name version } } }`, variables: { input: { id, name: 'Cut Off Renamed' } } };
    const post = () => app.http.post('/graphql').set({ 'content-type': 'application/json', 'idempotency-key': 'cut-off', ...app.auth }).send(rename);

    const lockHolder = await adminClient(app.url);
    lockHolder.on('error', () => {}); // the outage cuts this connection too
    await lockHolder.query('BEGIN');
    await lockHolder.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [decodeIdOf('Customer', id)]);
    const cut = post().then((res) => res); // supertest sends on then()
    await until(async () => (await waitingOnLocks(admin, name)) > 0);
    await takeDatabaseDown(admin, name);
    const failed = await cut;
    await lockHolder.end().catch(() => {});
    expect(failed.status).toBe(503);
    expect(failed.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');

    await bringDatabaseBack(admin, name);
    // The key could not be released while the database was down; the retry takes it over all the same.
    expect(await app.db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'cut-off' AND response IS NULL`)).toHaveLength(1);
    const retry = await post();
    expect(retry.status).toBe(200);
    expect(retry.body.data.updateCustomer.customer).toEqual({ name: 'Cut Off Renamed', version: 2 });
    expect((await post()).headers['idempotent-replayed']).toBe('true');
  });
});

describe('telling an outage from a bad statement', () => {
  it('knows the codes and messages of a database that went away, however deeply they are wrapped', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(isDatabaseUnavailable(refused)).toBe(true);
    expect(isDatabaseUnavailable(new AggregateError([refused], 'all attempts failed'))).toBe(true);
    expect(isDatabaseUnavailable({ message: 'query failed', driverError: { code: '57P01', message: 'terminating connection due to administrator command' } })).toBe(true);
    expect(isDatabaseUnavailable({ originalError: new Error('Connection terminated unexpectedly') })).toBe(true);
    expect(isDatabaseUnavailable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnavailable({ code: '57P03', message: 'the database system is shutting down' })).toBe(true);
    expect(isDatabaseUnavailable({ originalError: new QueryRunnerProviderAlreadyReleasedError() })).toBe(true); // a nested transaction on a cut connection

    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '55000', message: 'currval of sequence "s" is not yet defined in this session' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
