import type { Client } from 'pg';
import { isDatabaseUnavailable } from '../../src/db/unavailable';
import { adminClient, bringDatabaseBack, databaseName, takeDatabaseDown } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let admin: Client;
let name: string;
beforeAll(async () => {
  app = await startTestApp();
  admin = await adminClient();
  name = databaseName(app.url);
});
afterAll(async () => {
  await bringDatabaseBack(admin, name);
  await admin.end();
  await app.close();
});

describe('a database outage', () => {
  it('makes a read that cannot reach the database a 503 too, and answers again once it is back', async () => {
    await takeDatabaseDown(admin, name);
    const down = await app.http.post('/graphql').set('content-type', 'application/json').send({ query: `{ customers(first: 1) { totalCount } }` });
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('2');
    expect(down.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
    expect(JSON.stringify(down.body)).not.toMatch(/accepting connections|t_[0-9a-f]{12}/);

    await bringDatabaseBack(admin, name);
    const up = await app.gql(`{ customers(first: 1) { totalCount } }`);
    expect(up.status).toBe(200);
    expect(up.errors).toBeUndefined();
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

    expect(isDatabaseUnavailable({ code: '23505', message: 'duplicate key value violates unique constraint' })).toBe(false);
    expect(isDatabaseUnavailable({ code: '55000', message: 'currval of sequence "s" is not yet defined in this session' })).toBe(false);
    expect(isDatabaseUnavailable(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
  });
});
