// Two API processes and a worker process on one database: the API keeps no state of its own that a score depends on.
// Written through one API, the order is rescored by the worker process (the APIs run without workers) and read
// through the other API. The processes run the compiled server, as `npm start` and `npm run worker` do.

import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fromGlobalId } from '../../src/common/ids';
import { AccessRole } from '../../src/core/roles';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let build: string;
const children: ChildProcess[] = [];
/** The two API processes' ports, once started. */
let apiPorts: number[] = [];
/** The worker process's METRICS_PORT, and the token it asks for there. */
let workerMetricsPort = 0;
const METRICS_TOKEN = 'worker-scrape-token-0123456789';

/** A port nobody listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.once('error', reject);
  });
}

/** Starts a compiled entry point and resolves once it logged `ready` (the event, not a clock). */
function start(script: string, env: Record<string, string>, ready: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.join(build, script)], {
    env: { ...process.env, LOG_LEVEL: 'info', DEMO_DATA: 'false', SCHEDULED_JOBS: 'false', DATABASE_URL: app.url, DATA_DIR: path.join(build, 'data'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      if (seen.includes(ready)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready:\n${seen}`)));
  });
}

async function post(port: number, key: string, query: string, variables: Record<string, unknown> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data: any; errors?: unknown[] };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

beforeAll(async () => {
  app = await startTestApp({ WORKER: 'false' });
  // Inside the checkout (in the ignored .data/), so the compiled server resolves node_modules as dist/ does.
  const root = path.resolve(__dirname, '../..');
  fs.mkdirSync(path.join(root, '.data'), { recursive: true });
  build = fs.mkdtempSync(path.join(root, '.data', 'test-build-'));
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', build, '--incremental', 'false', '--tsBuildInfoFile', 'null'], {
    cwd: root,
    stdio: 'inherit',
  });
});

afterAll(async () => {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
  await app.close();
  fs.rmSync(build, { recursive: true, force: true });
});

it('serves one truth from two API processes, with scores written by a worker process', async () => {
  const [one, two] = [await freePort(), await freePort()];
  apiPorts = [one, two];
  workerMetricsPort = await freePort();
  await Promise.all([
    start('src/main.js', { PORT: String(one), WORKER: 'false' }, 'Rapport is ready'),
    start('src/main.js', { PORT: String(two), WORKER: 'false' }, 'Rapport is ready'),
    start('src/cli/worker.js', { METRICS_PORT: String(workerMetricsPort), METRICS_TOKEN }, 'job worker started'),
  ]);
  const key = await app.createKey({ role: AccessRole.ADMIN });
  const { createCustomer } = await post(one, key, `mutation { createCustomer(input: { kind: PERSON, name: "Two Instances" }) { customer { id } userErrors { message } } }`);
  const id = createCustomer.customer.id;
  await app.scoresSettled();
  const SCORES = `query($id: ID!) { customer(id: $id) { segment rfm { frequency } } }`;
  expect((await post(two, key, SCORES, { id })).customer).toEqual({ segment: 'PROSPECT', rfm: { frequency: 0 } });

  const { recordOrder } = await post(one, key, `mutation($id: ID!) { recordOrder(input: { customerId: $id, lines: [{ description: "Beans", quantity: 2, unitPrice: "12.50" }] }) { order { id } userErrors { message } } }`, { id });
  expect(recordOrder.userErrors).toEqual([]);
  // Neither API process runs a worker (nor does this test's app): only the worker process can write the new score.
  await app.scoresSettled();
  const read = (await post(two, key, SCORES, { id })).customer;
  expect(read.rfm.frequency).toBe(1);
  expect(read.segment).not.toBe('PROSPECT');
  const { customers } = await post(two, key, `query($seg: Segment!) { customers(filter: { segment: { eq: $seg } }) { nodes { id } } }`, { seg: read.segment });
  expect(customers.nodes.map((n: { id: string }) => n.id)).toContain(id);
});

it('runs a fit asked of one API process in the worker process, and both API processes read the new model', async () => {
  // The processes of the previous test are still running; this test's app runs no worker either.
  expect(children.filter((c) => c.exitCode === null).length).toBe(3);
  const buyers: Array<{ id: string }> = await app.db.query(`INSERT INTO customers (kind, name) SELECT 'PERSON', 'Fit buyer ' || i FROM generate_series(1, 40) i RETURNING id`);
  await app.db.query(
    `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
     SELECT c, now() - make_interval(days => ((k * 41 + i * 13) % 500 + 1)::int), 'PAID', 'ONLINE', $2, $2, 1, 20 + k * i % 17, 0, 20 + k * i % 17, 8, 20 + k * i % 17, 8
       FROM unnest($1::uuid[]) WITH ORDINALITY AS u(c, i), generate_series(0, (i % 6)::int) AS k`,
    [buyers.map((b) => b.id), app.config.baseCurrency],
  );
  const key = await app.createKey({ role: AccessRole.ADMIN });
  const { fitCustomerModel } = await post(apiPorts[0], key, `mutation { fitCustomerModel(input: {}) { model { id customers } userErrors { message } } }`);
  expect(fitCustomerModel.userErrors).toEqual([]);
  const [request] = await app.db.query(`SELECT outcome, fit_id::text AS "fitId" FROM customer_model_fit_requests ORDER BY requested_at DESC LIMIT 1`);
  expect(request).toEqual({ outcome: 'FITTED', fitId: fromGlobalId(fitCustomerModel.model.id)!.id });
  const { customerModel } = await post(apiPorts[1], key, `{ customerModel { id customers } }`);
  expect(customerModel).toEqual(fitCustomerModel.model);
});

it('serves the worker process’s job metrics on its METRICS_PORT, behind the same token as the API’s /metrics', async () => {
  // The worker process of the first test scored the customers and fitted the model; it serves no API.
  const url = `http://127.0.0.1:${workerMetricsPort}/metrics`;
  const refused = await fetch(url);
  expect(refused.status).toBe(401);
  // Like every answer of ours, with the request id, which the refusal's error also carries.
  expect(((await refused.json()) as { errors: Array<{ extensions: { requestId: string } }> }).errors[0].extensions.requestId).toBe(refused.headers.get('x-request-id'));
  expect((await fetch(url, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
  const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).toMatch(/^rapport_job_duration_seconds_count\{[^}]*task="rescore_customers"[^}]*outcome="ok"[^}]*\} [1-9]/m);
  expect(text).toContain('# TYPE rapport_webhook_deliveries_total counter');
  expect((await fetch(`http://127.0.0.1:${workerMetricsPort}/graphql`)).status).toBe(404);
});
