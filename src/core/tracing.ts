// OpenTelemetry tracing: HTTP request → GraphQL operation → resolvers → SQL, with spans made by hand (an Express
// middleware, an Apollo plugin with wrapped resolvers, the TypeORM subscriber) rather than by monkey-patching
// instrumentations, which must load before the modules they patch and so fight jest's and our own module loading.
// Off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: the API's tracer is then a no-op and no resolver is wrapped.

import { context, propagation, trace, type Context as OtelContext, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-node';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { log } from './logger';

let provider: NodeTracerProvider | null = null;

/** Whether spans are recorded: the hooks that cost something (wrapping resolvers) check this first. */
export function tracingEnabled(): boolean {
  return provider !== null;
}

export function tracer(): Tracer {
  return trace.getTracer('rapport');
}

export interface TracingOptions {
  /** Where spans go; by default OTLP/HTTP to OTEL_EXPORTER_OTLP_ENDPOINT (the exporter reads the OTEL_* variables). */
  exporter?: SpanExporter;
  /** Export each span as it ends (tests) instead of in batches. */
  immediate?: boolean;
}

/**
 * Starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) is set or an exporter is
 * given; otherwise does nothing. Registers the W3C trace-context propagator, so a caller's `traceparent` header makes
 * our spans part of its trace.
 */
export function startTracing(env: NodeJS.ProcessEnv = process.env, options: TracingOptions = {}): boolean {
  if (provider) return true;
  const tracesEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const endpoint = tracesEndpoint || (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : '');
  if (!options.exporter && !endpoint) return false;
  // The exporter reads the other OTEL_EXPORTER_OTLP_* variables (headers, timeout, compression) itself.
  const exporter = options.exporter ?? new OTLPTraceExporter({ url: endpoint });
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME || 'rapport', [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0' }),
    spanProcessors: [options.immediate ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter)],
  });
  provider.register();
  if (!options.exporter) log.info(`tracing: exporting spans over OTLP/HTTP to ${endpoint}`);
  return true;
}

/** Flushes spans not yet exported and stops tracing (shutdown, and between tests). */
export async function stopTracing(): Promise<void> {
  const current = provider;
  provider = null;
  if (!current) return;
  // forceFlush waits for exports in flight (shutdown alone may return before their requests are answered).
  await current.forceFlush().catch(() => undefined);
  await current.shutdown().catch((e: unknown) => log.warn('tracing: flushing spans at shutdown failed', e));
  trace.disable();
  context.disable();
  propagation.disable();
}

/** The context with a caller's `traceparent`/`tracestate` taken into account. */
export function extractContext(headers: Record<string, unknown>): OtelContext {
  return propagation.extract(context.active(), headers);
}

export { context, trace, type Span };
