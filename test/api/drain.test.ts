import http from 'node:http';
import type { IncomingHttpHeaders, RequestListener, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Client } from 'pg';
import { decodeIdOf } from '../../src/common/ids';
import { App, createApp } from '../../src/server/app';
import { drainable } from '../../src/server/drain';
import { adminClient, databaseName, until, waitingOnLocks } from '../support/outage';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let served: App;
beforeAll(async () => {
  app = await startTestApp();
  // A second instance of the app over the same database, served through the drain like main.ts serves it.
  served = await createApp(app.db, app.config);
});
afterAll(async () => {
  await served.stop();
  await app.close();
});

async function listen(handler: RequestListener): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

/** POST over a kept-alive connection, as SDKs and proxies send. */
function post(url: string, body: object, headers: Record<string, string>, agent: http.Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...app.auth, ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

const RENAME = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { name version } userErrors { code } } }`;
const CREATE = `mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`;

/** A customer whose row an admin connection holds locked, so that updates to it wait until `release()`. */
async function lockedCustomer(name: string): Promise<{ id: string; lock: Client; release(): Promise<void> }> {
  const id = (await app.ok(CREATE, { name })).createCustomer.customer.id;
  const lock = await adminClient(app.url);
  await lock.query('BEGIN');
  await lock.query(`SELECT 1 FROM customers WHERE id = $1 FOR UPDATE`, [decodeIdOf('Customer', id)]);
  return {
    id,
    lock,
    release: async () => {
      await lock.query('COMMIT');
      await lock.end();
    },
  };
}

const versionOf = async (id: string) => (await app.db.query(`SELECT version FROM customers WHERE id = $1`, [decodeIdOf('Customer', id)]))[0].version;

describe('draining the server on SIGTERM', () => {
  let observer: Client;
  beforeAll(async () => {
    observer = await adminClient();
  });
  afterAll(() => observer.end());

  it('lets the writes in flight finish, and refuses new connections or answers them 503', async () => {
    const customer = await lockedCustomer('Drained');
    const serving = drainable(served.app);
    const { server, url } = await listen(serving.handler);
    const agent = new http.Agent({ keepAlive: true });
    const writes = [1, 2, 3].map((n) => post(url, { query: RENAME, variables: { input: { id: customer.id, name: `Drained ${n}` } } }, { 'idempotency-key': `drained-${n}` }, agent));
    await until(async () => (await waitingOnLocks(observer, databaseName(app.url))) === 3);

    const drained = serving.drain(server, 10 * 60_000);
    expect(serving.draining).toBe(true);
    const late = await post(url, { query: CREATE, variables: { name: 'Too Late' } }, { 'idempotency-key': 'too-late' }, new http.Agent()).catch((e: NodeJS.ErrnoException) => e.code ?? String(e));
    if (typeof late === 'string') {
      expect(late).toBe('ECONNREFUSED');
    } else {
      expect(late).toMatchObject({ status: 503, headers: { 'retry-after': '2', connection: 'close' } });
      expect(late.body.errors[0].extensions.code).toBe('SERVICE_UNAVAILABLE');
    }

    await customer.release();
    const answers = await Promise.all(writes);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.data.updateCustomer.customer.name).toMatch(/^Drained \d$/);
      expect(answer.headers.connection).toBe('close');
    }
    expect(await drained).toEqual({ completed: true, cutOff: 0 });
    agent.destroy();

    expect(await versionOf(customer.id)).toBe(4);
    expect(await app.db.query(`SELECT 1 FROM customers WHERE name = 'Too Late'`)).toEqual([]);
    // Stored before they were answered: a client that missed its answer gets it from the next instance.
    const retry = await app.http.post('/graphql').set({ 'content-type': 'application/json', 'idempotency-key': 'drained-2', ...app.auth }).send({ query: RENAME, variables: { input: { id: customer.id, name: 'Drained 2' } } });
    expect(retry.headers['idempotent-replayed']).toBe('true');
  });

  it('answers a request that arrives on an open connection during the drain with 503, Retry-After and Connection: close', async () => {
    // A response that has sent its headers keeps its connection open until it ends.
    let first: ServerResponse | undefined;
    const serving = drainable((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      first = res;
    });
    const { server } = await listen(serving.handler);
    const arrived: string[] = [];
    server.on('request', (req: http.IncomingMessage) => arrived.push(req.url!));
    const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    const request = (path: string) => `POST ${path} HTTP/1.1\r\nHost: rapport\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`;

    socket.write(request('/first'));
    await until(() => first !== undefined);
    const drained = serving.drain(server, 10 * 60_000);
    socket.write(request('/second'));
    await until(() => arrived.includes('/second'));
    first!.end('{"ok":true}}');
    expect(await drained).toEqual({ completed: true, cutOff: 0 });
    await closed;

    const [head, refused] = received.split(/(?=HTTP\/1\.1 )/);
    expect(head).toMatch(/^HTTP\/1\.1 200/);
    expect(refused).toMatch(/^HTTP\/1\.1 503/);
    expect(refused.toLowerCase()).toContain('retry-after: 2');
    expect(refused.toLowerCase()).toContain('connection: close');
    expect(refused).toContain('SERVICE_UNAVAILABLE');
  });

  it('cuts off what still runs when the grace period is over, and the write stays safe to retry with its key', async () => {
    const customer = await lockedCustomer('Cut Off');
    const serving = drainable(served.app);
    const { server, url } = await listen(serving.handler);
    const body = { query: RENAME, variables: { input: { id: customer.id, name: 'Cut Off Renamed' } } };
    const write = post(url, body, { 'idempotency-key': 'cut-off' }, new http.Agent({ keepAlive: true })).catch((e: NodeJS.ErrnoException) => e.code ?? String(e));
    await until(async () => (await waitingOnLocks(observer, databaseName(app.url))) === 1);

    expect(await serving.drain(server, 1)).toEqual({ completed: false, cutOff: 1 });
    expect(await write).toBe('ECONNRESET');

    // The mutation was still waiting for its lock: it runs to the end, and its outcome is kept for the retry.
    await customer.release();
    await until(async () => (await app.db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'cut-off' AND response IS NOT NULL`)).length > 0);
    const retry = await app.http.post('/graphql').set({ 'content-type': 'application/json', 'idempotency-key': 'cut-off', ...app.auth }).send(body);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body.data.updateCustomer.customer).toEqual({ name: 'Cut Off Renamed', version: 2 });
    expect(await versionOf(customer.id)).toBe(2);
  });
});
