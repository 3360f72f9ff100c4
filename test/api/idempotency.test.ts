import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CREATE = `mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id name } userErrors { code } } }`;
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
    expect(retry.body.data).toEqual(first.body.data);
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
