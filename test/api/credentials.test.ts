import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiKeyCommand, CommandError } from '../../src/apikey/api-key.commands';
import { developmentApiKey } from '../../src/apikey/development-key';
import { fromGlobalId } from '../../src/common/ids';
import { until } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256!';
const ISSUER = 'https://id.example.com';
const AUDIENCE = 'rapport-api';

let app: TestApp;
let repId: string;
beforeAll(async () => {
  app = await startTestApp({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  [{ id: repId }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Jo Rep', 'jo.rep@rapport.example', 'SALES_REP') RETURNING id`);
});
afterAll(() => app.close());

const WHO = `{ customers(first: 1) { totalCount } }`;
const post = (headers: Record<string, string>) => app.http.post('/graphql').set({ 'content-type': 'application/json', ...headers }).send({ query: WHO });

function jwt(claims: Record<string, unknown>, options: { issuer?: string; audience?: string; expires?: string | number; secret?: string } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(claims.sub ?? repId))
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(options.expires ?? '10m')
    .sign(new TextEncoder().encode(options.secret ?? SECRET));
}

describe('authentication', () => {
  it('answers a request without credentials 401 UNAUTHENTICATED, with a Bearer challenge', async () => {
    const res = await post({});
    expect(res.status).toBe(401);
    expect(res.headers['www-authenticate']).toBe('Bearer realm="rapport"');
    expect(res.body).toEqual({ errors: [{ message: expect.stringContaining('Authorization: Bearer'), extensions: { code: 'UNAUTHENTICATED', requestId: res.headers['x-request-id'] } }] });
  });

  it('refuses a malformed header, an unknown key and a token it cannot verify', async () => {
    for (const authorization of ['Basic dXNlcjpwdw==', 'Bearer', `Bearer rpk_${'x'.repeat(43)}`, 'Bearer not.a.jwt']) {
      const res = await post({ authorization });
      expect({ authorization, status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ authorization, status: 401, code: 'UNAUTHENTICATED' });
    }
  });

  it('keeps /healthz, /readyz and the playground page open', async () => {
    expect((await app.http.get('/healthz')).status).toBe(200);
    expect((await app.http.get('/readyz')).status).toBe(200);
    expect((await app.http.get('/graphql').set('accept', 'text/html')).status).toBe(200);
  });
});

describe('API keys', () => {
  const CREATE = `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key apiKey { id name role scopes status keyPrefix user { name } } userErrors { field code } } }`;
  const REVOKE = `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { status revokedAt } userErrors { field code } } }`;

  it('are shown once, stored only as a hash, and work at once; revoking one refuses it from the next request', async () => {
    const created = (await app.ok(CREATE, { input: { name: 'Shop sync', role: 'PARTNER', scopes: ['CUSTOMERS_READ'] } })).createApiKey;
    expect(created).toMatchObject({ userErrors: [], apiKey: { name: 'Shop sync', role: 'PARTNER', scopes: ['CUSTOMERS_READ'], status: 'ACTIVE' } });
    expect(created.key).toMatch(/^rpk_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.apiKey.keyPrefix)).toBe(true);
    const [row] = await app.db.query(`SELECT key_hash FROM api_keys WHERE id = $1`, [fromGlobalId(created.apiKey.id)!.id]);
    expect(row.key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(await app.db.query(`SELECT * FROM api_keys`))).not.toContain(created.key);

    expect((await post({ authorization: `Bearer ${created.key}` })).status).toBe(200);
    const [{ last_used_at }] = await app.db.query(`SELECT last_used_at FROM api_keys WHERE id = $1`, [fromGlobalId(created.apiKey.id)!.id]);
    expect(last_used_at).not.toBeNull();

    expect((await app.ok(REVOKE, { id: created.apiKey.id })).revokeApiKey).toMatchObject({ userErrors: [], apiKey: { status: 'REVOKED' } });
    expect((await post({ authorization: `Bearer ${created.key}` })).status).toBe(401);
    expect((await app.ok(REVOKE, { id: created.apiKey.id })).revokeApiKey.userErrors).toEqual([{ field: ['input', 'id'], code: 'ALREADY_DELETED' }]);
  });

  it('can carry their own cost bucket, which throttles that key and no other', async () => {
    const created = (
      await app.ok(`mutation { createApiKey(input: { name: "Tight", role: ANALYST, throttle: { bucketSize: 30, restoreRate: 0.001 } }) { key apiKey { throttleBucketSize throttleRestoreRate } userErrors { code } } }`)
    ).createApiKey;
    expect(created.apiKey).toEqual({ throttleBucketSize: 30, throttleRestoreRate: 0.001 });
    // Costs 21 of the 30 points; at 0.001 points a second the bucket does not refill within this test.
    const query = { query: `{ customers(first: 10) { nodes { name owner { name } } } }` };
    const first = await app.http.post('/graphql').set({ authorization: `Bearer ${created.key}` }).send(query);
    expect(first.body.extensions.cost.throttleStatus).toMatchObject({ maximumAvailable: 30, restoreRate: 0.001 });
    const second = await app.http.post('/graphql').set({ authorization: `Bearer ${created.key}` }).send(query);
    expect(second.status).toBe(429);
    expect(second.body.errors[0].extensions.code).toBe('THROTTLED');
    expect((await app.http.post('/graphql').set(app.auth).send(query)).status).toBe(200);

    const bad = await app.ok(`mutation { createApiKey(input: { name: "Bad", role: ANALYST, throttle: { bucketSize: 0, restoreRate: -1 } }) { userErrors { field code } } }`);
    expect(bad.createApiKey.userErrors).toEqual([
      { field: ['input', 'throttle', 'bucketSize'], code: 'OUT_OF_RANGE' },
      { field: ['input', 'throttle', 'restoreRate'], code: 'OUT_OF_RANGE' },
    ]);
  });

  it('are refused once expired', async () => {
    const key = await app.createKey({ role: 'ANALYST' });
    await app.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_prefix = $1`, [key.slice(0, 10)]);
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(401);
  });

  it('check their shape: partner keys need scopes, staff keys take none, a sales rep key acts as a sales rep', async () => {
    const errors = async (input: Record<string, unknown>) => (await app.ok(CREATE, { input })).createApiKey.userErrors;
    expect(await errors({ name: 'p', role: 'PARTNER' })).toEqual([{ field: ['input', 'scopes'], code: 'REQUIRED' }]);
    expect(await errors({ name: 'm', role: 'MANAGER', scopes: ['PII_READ'] })).toEqual([{ field: ['input', 'scopes'], code: 'INVALID' }]);
    expect(await errors({ name: 'r', role: 'SALES_REP' })).toEqual([{ field: ['input', 'userId'], code: 'REQUIRED' }]);
    expect(await errors({ name: ' ', role: 'ANALYST' })).toEqual([{ field: ['input', 'name'], code: 'REQUIRED' }]);
    expect(await errors({ name: 'x', role: 'ANALYST', expiresAt: '2001-01-01T00:00:00Z' })).toEqual([{ field: ['input', 'expiresAt'], code: 'OUT_OF_RANGE' }]);
    const repGlobalId = (await app.ok(`{ users(filter: { name: { eq: "Jo Rep" } }) { nodes { id } } }`)).users.nodes[0].id;
    expect(await errors({ name: 'admin as rep', role: 'ADMIN', userId: repGlobalId })).toEqual([{ field: ['input', 'role'], code: 'INVALID' }]);
    const rep = (await app.ok(CREATE, { input: { name: 'Jo', role: 'SALES_REP', userId: repGlobalId } })).createApiKey;
    expect(rep).toMatchObject({ userErrors: [], apiKey: { role: 'SALES_REP', user: { name: 'Jo Rep' } } });
  });

  it('are managed by ADMINs only: a manager cannot list, create or revoke them', async () => {
    const manager = await app.as({ role: 'MANAGER' });
    for (const query of ['{ apiKeys { totalCount } }', `mutation { createApiKey(input: { name: "x", role: ADMIN }) { key } }`]) {
      const res = await manager.gql(query);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    expect(await app.db.query(`SELECT count(*)::int AS n FROM api_keys WHERE name = 'x'`)).toEqual([{ n: 0 }]);
  });

  it('are created, listed and revoked from the command line, and the printed key works', async () => {
    const out = await apiKeyCommand(app.db, ['create', '--name', 'Nightly export', '--role', 'partner', '--scopes', 'customers:read,orders:read', '--expires', '90d']);
    const key = out.trim().split('\n').pop()!;
    expect(key).toMatch(/^rpk_/);
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
    const list = await apiKeyCommand(app.db, ['list']);
    expect(list).toMatch(/Nightly export\s+PARTNER\s+customers:read,orders:read\s+ACTIVE/);
    const id = /Created API key (\S+)/.exec(out)![1];
    expect(await apiKeyCommand(app.db, ['revoke', id])).toContain('Revoked');
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(401);
    const batch = await apiKeyCommand(app.db, ['create', '--name', 'Bulk sync', '--role', 'PARTNER', '--scopes', 'orders:write', '--bucket-size', '500000', '--restore-rate', '25000']);
    expect(await app.db.query(`SELECT throttle_bucket_size, throttle_restore_rate FROM api_keys WHERE name = 'Bulk sync'`)).toEqual([{ throttle_bucket_size: 500000, throttle_restore_rate: 25000 }]);
    expect(batch).toContain('Bulk sync');
    const rep = await apiKeyCommand(app.db, ['create', '--name', 'Jo laptop', '--role', 'SALES_REP', '--user', 'JO.REP@rapport.example']);
    expect(rep).toContain('SALES_REP');
    await expect(apiKeyCommand(app.db, ['create', '--name', 'x', '--role', 'PARTNER', '--scopes', 'everything'])).rejects.toThrow(CommandError);
    await expect(apiKeyCommand(app.db, ['create', '--name', 'x', '--role', 'SALES_REP'])).rejects.toThrow(/--user/);
    await expect(apiKeyCommand(app.db, ['create', '--name', 'x', '--role', 'ANALYST', '--expires', 'soon'])).rejects.toThrow(/--expires/);
  });
});

describe('remembered API keys', () => {
  /** How many times an app reads a key's row while `fn` runs. */
  const keyReadsOf = async (target: TestApp, fn: () => Promise<unknown>): Promise<number> => {
    const original = target.db.query.bind(target.db);
    let reads = 0;
    const spy = jest.spyOn(target.db, 'query').mockImplementation((sql: string, parameters?: unknown[]) => {
      if (/FROM api_keys\s+WHERE key_hash/.test(sql)) reads++;
      return original(sql, parameters);
    });
    try {
      await fn();
    } finally {
      spy.mockRestore();
    }
    return reads;
  };
  /** The HTTP status of a request to an app with a key. */
  const statusOf = async (target: TestApp, key: string) =>
    (await target.http.post('/graphql').set({ 'content-type': 'application/json', authorization: `Bearer ${key}` }).send({ query: WHO })).status;
  const keyReads = (fn: () => Promise<unknown>) => keyReadsOf(app, fn);
  const status = (key: string) => statusOf(app, key);

  it('are not read again on every request, and a key revoked through the API is refused at once', async () => {
    const key = await app.createKey({ role: 'ANALYST' });
    expect(await keyReads(() => status(key))).toBe(1);
    expect(await keyReads(async () => {
      for (let i = 0; i < 5; i++) expect(await status(key)).toBe(200);
    })).toBe(0);
    const [{ id }] = await app.db.query(`SELECT id FROM api_keys WHERE key_prefix = $1`, [key.slice(0, 10)]);
    const revoked = await app.ok(`mutation($id: ID!) { revokeApiKey(input: { id: $id }) { userErrors { code } } }`, { id: Buffer.from(`ApiKey:${id}`).toString('base64url') });
    expect(revoked.revokeApiKey.userErrors).toEqual([]);
    expect(await status(key)).toBe(401);
  });

  it('are dropped when another process changes the key: its change is announced by Postgres when it commits', async () => {
    const key = await app.createKey({ role: 'ANALYST' });
    expect(await status(key)).toBe(200);
    // Another process (here a plain statement, not this process's own revocation) revokes it.
    await app.db.query(`UPDATE api_keys SET revoked_at = now() WHERE key_prefix = $1`, [key.slice(0, 10)]);
    await until(async () => (await status(key)) === 401);
    // Renamed, re-scoped or expired likewise; stamping its last use is not a change and is not announced.
    const other = await app.createKey({ role: 'ANALYST' });
    expect(await status(other)).toBe(200);
    await app.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_prefix = $1`, [other.slice(0, 10)]);
    await until(async () => (await status(other)) === 401);
    const [{ announced }] = await app.db.query(`SELECT count(*)::int AS announced FROM pg_trigger WHERE tgname = 'api_key_changed' AND NOT tgisinternal`);
    expect(announced).toBe(1);
  });

  it('are read on every request while the connection that hears of changes is lost, until a later request opens it again', async () => {
    // An app of its own, with a clock the test moves: the connection is opened again only when the clock says so.
    let clock = Date.now();
    const own = await startTestApp({}, { now: () => clock });
    try {
      const ownReads = (fn: () => Promise<unknown>) => keyReadsOf(own, fn);
      const ownStatus = (key: string) => statusOf(own, key);
      const key = await own.createKey({ role: 'ANALYST' });
      expect(await ownStatus(key)).toBe(200);
      expect(await ownReads(() => ownStatus(key))).toBe(0);
      const [{ n }] = await own.db.query(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN rapport_api_key_changed'`,
      );
      expect(n).toBe(1);
      // The loss reaches the listener as an event: from then on the key's row is read on every request.
      await until(async () => (await ownReads(() => ownStatus(key))) === 1);
      expect(await ownReads(() => ownStatus(key))).toBe(1);
      await own.db.query(`UPDATE api_keys SET revoked_at = now() WHERE key_prefix = $1`, [key.slice(0, 10)]);
      expect(await ownStatus(key)).toBe(401);
      // Five seconds on, a request opens the connection again, and keys are remembered again.
      const next = await own.createKey({ role: 'ANALYST' });
      expect(await ownReads(() => ownStatus(next))).toBe(1);
      clock += 5_000;
      await until(async () => (await ownReads(() => ownStatus(next))) === 0);
      await own.db.query(`UPDATE api_keys SET revoked_at = now() WHERE key_prefix = $1`, [next.slice(0, 10)]);
      await until(async () => (await ownStatus(next)) === 401);
    } finally {
      await own.close();
    }
  });
});

describe('the development key', () => {
  it('is an ADMIN key kept in DATA_DIR and reused across restarts while it stays valid; a revoked one is replaced', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rapport-devkey-'));
    const config = { ...app.config, dataDir };
    const key = await developmentApiKey(app.db, config);
    expect(await developmentApiKey(app.db, config)).toBe(key);
    expect((fs.statSync(path.join(dataDir, 'development-api-key')).mode & 0o777).toString(8)).toBe('600');
    expect((await post({ authorization: `Bearer ${key}` })).status).toBe(200);
    await app.db.query(`UPDATE api_keys SET revoked_at = now() WHERE key_prefix = $1`, [key.slice(0, 10)]);
    const replaced = await developmentApiKey(app.db, config);
    expect(replaced).not.toBe(key);
    expect((await post({ authorization: `Bearer ${replaced}` })).status).toBe(200);
  });

  // The page is served over a real socket; from this machine's own non-loopback address it is "the network".
  const lanAddress = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;
  (lanAddress ? it : it.skip)('reaches the playground page only for a browser on this machine, never one across the network', async () => {
    const { createApp } = await import('../../src/server/app');
    const served = await createApp(app.db, app.config, { playgroundKey: 'rpk_example' });
    const server = served.app.listen(0, '0.0.0.0');
    await new Promise((resolve) => server.once('listening', resolve));
    const port = (server.address() as import('node:net').AddressInfo).port;
    try {
      const page = async (host: string) => (await fetch(`http://${host}:${port}/graphql`, { headers: { accept: 'text/html' } })).text();
      expect(await page('127.0.0.1')).toContain('Bearer rpk_example');
      const remote = await page(lanAddress!);
      expect(remote).not.toContain('rpk_example');
      expect(remote).toContain('your API key');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await served.stop();
    }
  });
});

describe('JWTs for frontend sessions', () => {
  it('act as the user and role they name', async () => {
    const token = await jwt({ sub: repId, role: 'SALES_REP', email: 'jo.rep@rapport.example' });
    const res = await post({ authorization: `Bearer ${token}` });
    expect(res.status).toBe(200);
    // A sales rep without customers sees none.
    expect(res.body.data.customers.totalCount).toBe(0);
  });

  it('are refused when expired, for another audience or issuer, badly signed, without a staff role, for an unknown user or with a role that is not the user’s', async () => {
    const cases = {
      expired: await jwt({ role: 'ADMIN' }, { expires: Math.floor(Date.now() / 1000) - 60 }),
      audience: await jwt({ role: 'ADMIN' }, { audience: 'another-api' }),
      issuer: await jwt({ role: 'ADMIN' }, { issuer: 'https://evil.example.com' }),
      signature: await jwt({ role: 'ADMIN' }, { secret: 'another-secret-that-is-long-enough-for-hs256' }),
      role: await jwt({ role: 'PARTNER' }),
      subject: await jwt({ sub: 'not-a-uuid', role: 'ADMIN' }),
      unknownUser: await jwt({ sub: '00000000-0000-4000-8000-000000000000', role: 'ADMIN' }),
      anotherRole: await jwt({ role: 'ADMIN' }),
    };
    for (const [why, token] of Object.entries(cases)) {
      const res = await post({ authorization: `Bearer ${token}` });
      expect({ why, status: res.status, code: res.body.errors?.[0]?.extensions?.code }).toEqual({ why, status: 401, code: 'UNAUTHENTICATED' });
    }
  });
});
