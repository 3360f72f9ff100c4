import { addJob } from '../../src/core/jobs';
import { MAX_OPERATION_LABELS, recordWebhookDelivery } from '../../src/core/metrics';
import { RESCORE_JOB } from '../../src/scoring/jobs';
import { captureLogs } from '../support/logs';
import { startTestApp, TestApp } from '../support/test-app';

/** The value of one series in Prometheus's text format, by its labels. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((w) => l.includes(w)));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp({ WORKER: 'false' });
});
afterAll(() => app?.close());

describe('request log lines', () => {
  it('writes one JSON line per GraphQL request with its id, operation, duration, cost, SQL count, credential and role, and no names', async () => {
    const lines = await captureLogs(async () => {
      const res = await app.http.post('/graphql').set(app.auth).set('x-request-id', 'log-line-1').send({ query: 'query RecentCustomers { customers(first: 2) { totalCount } }' });
      expect(res.status).toBe(200);
    });
    const line = lines.find((l) => l.msg === 'graphql request' && l.requestId === 'log-line-1');
    expect(line).toMatchObject({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      operation: 'RecentCustomers',
      operationType: 'query',
      status: 200,
      durationMs: expect.any(Number),
      cost: expect.any(Number),
      sqlStatements: expect.any(Number),
      actor: expect.stringMatching(/^api_key:[0-9a-f-]{36}$/),
      role: 'ADMIN',
      errors: [],
    });
    expect((line!.sqlStatements as number) > 0).toBe(true);
    // The key's name ("test ADMIN") is its label: a name, so it stays out.
    expect(JSON.stringify(lines)).not.toMatch(/test ADMIN/);
  });

  it('lists the error codes of a failed request and of one refused before GraphQL runs', async () => {
    const lines = await captureLogs(async () => {
      await app.http.post('/graphql').set(app.auth).set('x-request-id', 'log-line-2').send({ query: '{ customers(first: 2) { nope } }' });
      await app.http.post('/graphql').set('x-request-id', 'log-line-3').send({ query: '{ __typename }' });
    });
    expect(lines.find((l) => l.requestId === 'log-line-2' && l.msg === 'graphql request')).toMatchObject({ status: 400, errors: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(lines.find((l) => l.requestId === 'log-line-3' && l.msg === 'graphql request')).toMatchObject({ status: 401, actor: 'none', errors: ['UNAUTHENTICATED'] });
  });
});

describe('request ids in errors', () => {
  it('every GraphQL error carries the request id, whatever its code and wherever it was raised', async () => {
    const cases: Array<{ headers: Record<string, string>; body: unknown; code: string }> = [
      { headers: app.auth, body: { query: '{ customers(first: 2) { nope } }' }, code: 'GRAPHQL_VALIDATION_FAILED' },
      { headers: app.auth, body: { query: '{ customers(first: 2' }, code: 'GRAPHQL_PARSE_FAILED' },
      { headers: app.auth, body: { query: '{ node(id: "not-an-id") { id } }' }, code: '' },
      { headers: {}, body: { query: '{ __typename }' }, code: 'UNAUTHENTICATED' },
    ];
    for (const [i, c] of cases.entries()) {
      const id = `error-id-${i}`;
      const res = await app.http.post('/graphql').set(c.headers).set('x-request-id', id).send(c.body as object);
      const errors = (res.body.errors ?? []) as Array<{ extensions: { code: string; requestId: string } }>;
      if (c.code) expect(errors.map((e) => e.extensions.code)).toContain(c.code);
      for (const e of errors) expect(e.extensions.requestId).toBe(id);
    }
  });

  it('a malformed JSON body’s 400 carries it too', async () => {
    const res = await app.http.post('/graphql').set(app.auth).set('x-request-id', 'bad-json').set('content-type', 'application/json').send('{"query":');
    expect(res.status).toBe(400);
    expect(res.body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST', requestId: 'bad-json' });
  });
});

describe('/metrics', () => {
  it('serves request counts, latency, errors, cost, SQL and pool figures in Prometheus format', async () => {
    await app.ok('query MetricsProbe { customers(first: 1) { totalCount } }');
    await app.gql('query MetricsProbe { customers(first: 1) { nope } }');
    recordWebhookDelivery('delivered', 120);
    const res = await app.http.get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(sample(text, 'rapport_graphql_requests_total', { operation: 'MetricsProbe', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'rapport_graphql_requests_total', { operation: 'other', outcome: 'error' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_graphql_errors_total', { code: 'GRAPHQL_VALIDATION_FAILED' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_graphql_request_duration_seconds_count', { operation: 'MetricsProbe', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'rapport_graphql_query_cost_count', { operation: 'MetricsProbe' })).toBe(1);
    expect(sample(text, 'rapport_graphql_sql_statements_count', { operation: 'MetricsProbe' })).toBe(1);
    expect(sample(text, 'rapport_graphql_sql_duration_seconds_count', { operation: 'MetricsProbe' })).toBe(1);
    expect(sample(text, 'rapport_db_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'rapport_db_pool_connections', { state: 'waiting' })).toBe(0);
    expect(sample(text, 'rapport_webhook_deliveries_total', { outcome: 'delivered' })).toBe(1);
    expect(text).toContain('# TYPE rapport_job_duration_seconds histogram');
    expect(text).toContain('# TYPE rapport_model_fit_duration_seconds histogram');
  });

  it('keeps operation names a bounded label: past the limit, new names are counted under "other"', async () => {
    const names = Array.from({ length: MAX_OPERATION_LABELS + 50 }, (_, i) => `Hostile${i}`);
    for (const name of names) await app.gql(`query ${name} { __typename }`);
    await app.gql(`query ${'L'.repeat(65)} { __typename }`);
    const text = (await app.http.get('/metrics')).text;
    const labels = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('rapport_graphql_requests_total{'))
        .map((l) => /operation="([^"]*)"/.exec(l)![1]),
    );
    expect(labels.size).toBeLessThanOrEqual(MAX_OPERATION_LABELS + 2);
    expect(labels.has('other')).toBe(true);
    expect(labels.has(`Hostile${MAX_OPERATION_LABELS + 49}`)).toBe(false);
    expect(labels.has('L'.repeat(65))).toBe(false);
  });

  it('times the job worker’s jobs by task and outcome', async () => {
    const withWorker = await startTestApp();
    try {
      await addJob(withWorker.db, RESCORE_JOB);
      await withWorker.scoresSettled();
      const text = (await withWorker.http.get('/metrics')).text;
      expect(sample(text, 'rapport_job_duration_seconds_count', { task: RESCORE_JOB, outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    } finally {
      await withWorker.close();
    }
  });

  it('keeps webhook outcomes a bounded label', async () => {
    recordWebhookDelivery('https://receiver.example.com/hook', 5);
    const text = (await app.http.get('/metrics')).text;
    expect(text).not.toContain('receiver.example.com');
    expect(sample(text, 'rapport_webhook_deliveries_total', { outcome: 'other' })).toBe(1);
  });

  describe('access', () => {
    let guarded: TestApp;
    let production: TestApp;
    beforeAll(async () => {
      guarded = await startTestApp({ WORKER: 'false', METRICS_TOKEN: 'scrape-me-please-0123456789' });
      production = await startTestApp({ WORKER: 'false', NODE_ENV: 'production' });
    });
    afterAll(async () => {
      await guarded?.close();
      await production?.close();
    });

    it('with METRICS_TOKEN set, asks for it as a bearer token', async () => {
      expect((await guarded.http.get('/metrics')).status).toBe(401);
      expect((await guarded.http.get('/metrics').set('authorization', 'Bearer wrong-token')).status).toBe(401);
      expect((await guarded.http.get('/metrics').set(guarded.auth)).status).toBe(401);
      expect((await guarded.http.get('/metrics').set('authorization', 'Bearer scrape-me-please-0123456789')).status).toBe(200);
    });

    it('in production without a token, only ADMIN credentials may read them', async () => {
      expect((await production.http.get('/metrics')).status).toBe(401);
      const analyst = await production.createKey({ role: 'ANALYST' });
      expect((await production.http.get('/metrics').set('authorization', `Bearer ${analyst}`)).status).toBe(403);
      expect((await production.http.get('/metrics').set(production.auth)).status).toBe(200);
    });
  });
});
