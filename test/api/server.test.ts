import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ MAX_QUERY_COST: '3000' });
});
afterAll(() => app.close());

describe('the HTTP server', () => {
  it('answers /healthz and reports /readyz once the database is migrated', async () => {
    expect((await app.http.get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await app.http.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ database: 'up', migrations: 'applied' });
  });

  it('reports the cost of every query and rejects queries over the limit before running them', async () => {
    const cheap = await app.gql(`{ customers(first: 10) { nodes { name owner { name } } } }`);
    expect(cheap.extensions?.cost).toMatchObject({ requestedQueryCost: 1 + 10 * (1 + 1), actualQueryCost: 1 + 10 * (1 + 1), maximumAvailable: 3000 });
    const costly = await app.gql(`{ customers(first: 100) { nodes { referrals(first: 100) { nodes { name } } } } }`, undefined, { 'x-rapport-sql-count': '1' });
    expect(costly.status).toBe(400);
    expect(costly.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('answers malformed requests with 400 and a code, never a 500', async () => {
    const badJson = await app.http.post('/graphql').set('content-type', 'application/json').send('{"query": ');
    expect(badJson.status).toBe(400);
    const syntax = await app.gql('{ customers { ');
    expect(syntax.status).toBe(400);
    expect(syntax.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownId = await app.gql(`{ node(id: "bm9wZQ") { id } }`);
    expect(unknownId.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(unknownId)).not.toMatch(/SELECT|stack|at .*\.ts/);
  });
});
