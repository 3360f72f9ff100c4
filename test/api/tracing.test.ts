import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { startTracing, stopTracing, tracingEnabled } from '../../src/core/tracing';
import { captureLogs } from '../support/logs';
import { startTestApp, TestApp } from '../support/test-app';

const exporter = new InMemorySpanExporter();
let app: TestApp;

let offWithoutEndpoint: boolean;

beforeAll(async () => {
  // Without OTEL_EXPORTER_OTLP_ENDPOINT nothing starts (the API's tracer stays a no-op and no resolver is wrapped).
  offWithoutEndpoint = !startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: '' }) && !tracingEnabled();
  expect(startTracing({}, { exporter, immediate: true })).toBe(true);
  app = await startTestApp({ WORKER: 'false' });
});
afterAll(async () => {
  await app?.close();
  await stopTracing();
});

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

describe('tracing', () => {
  it('is off without OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(offWithoutEndpoint).toBe(true);
  });

  it('one request makes the span tree HTTP → operation → resolvers → SQL, with no SQL parameter values', async () => {
    const marker = 'secret-person@example.com';
    exporter.reset();
    const res = await app.http
      .post('/graphql')
      .set(app.auth)
      .set('traceparent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
      .send({ query: 'query TracedCustomers($s: String) { customers(first: 2, search: $s) { totalCount nodes { id } } }', variables: { s: marker } });
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === '0af7651916cd43dd8448eb211c80319c');

    const http = spans.find((s) => s.name === 'POST /graphql')!;
    expect(http).toBeDefined();
    expect(parentOf(http)).toBe('b7ad6b7169203331');
    expect(http.attributes['http.response.status_code']).toBe(200);

    const operation = spans.find((s) => s.name === 'query TracedCustomers')!;
    expect(operation).toBeDefined();
    expect(parentOf(operation)).toBe(http.spanContext().spanId);
    expect(operation.attributes).toMatchObject({ 'graphql.operation.type': 'query', 'graphql.operation.name': 'TracedCustomers' });

    const resolver = spans.find((s) => s.name === 'Query.customers')!;
    expect(resolver).toBeDefined();
    expect(parentOf(resolver)).toBe(operation.spanContext().spanId);
    const nodes = spans.find((s) => s.name === 'CustomerConnection.nodes');
    if (nodes) expect(parentOf(nodes)).toBe(resolver.spanContext().spanId);

    const sql = spans.filter((s) => s.attributes['db.system.name'] === 'postgresql');
    expect(sql.length).toBeGreaterThan(0);
    const underResolvers = new Set(spans.filter((s) => s.name.includes('.')).map((s) => s.spanContext().spanId));
    expect(sql.some((s) => underResolvers.has(parentOf(s)!))).toBe(true);
    for (const s of sql) expect(typeof s.attributes['db.query.text']).toBe('string');
    expect(JSON.stringify(spans.map((s) => s.attributes))).not.toContain(marker);
  });

  it('puts the trace id on the request’s log lines', async () => {
    const lines = await captureLogs(async () => {
      await app.http
        .post('/graphql')
        .set(app.auth)
        .set('x-request-id', 'traced-log-1')
        .set('traceparent', '00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
        .send({ query: 'query TracedLog { __typename }' });
    });
    const line = lines.find((l) => l.msg === 'graphql request');
    expect(line).toMatchObject({ requestId: 'traced-log-1', traceId: '1af7651916cd43dd8448eb211c80319c', spanId: expect.stringMatching(/^[0-9a-f]{16}$/) });
  });
});
