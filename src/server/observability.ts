import { AsyncResource } from 'node:async_hooks';
import type { ApolloServerPlugin } from '@apollo/server';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RequestHandler, Response } from 'express';
import { defaultFieldResolver, getNamedType, isLeafType, isObjectType, type GraphQLFieldResolver, type GraphQLSchema, type ResponsePath } from 'graphql';
import type { Actor } from '../core/actor';
import { log } from '../core/logger';
import { graphqlCost, graphqlDuration, graphqlErrors, graphqlRequests, operationLabel, sqlSeconds, sqlStatements } from '../core/metrics';
import { context, extractContext, trace, tracer, tracingEnabled, type Span } from '../core/tracing';
import type { StatementTally } from '../db/statement-counter';

/**
 * What is known about a GraphQL request by the time it is answered: filled in by the Apollo plugin below (operation,
 * cost, error codes) and by `res.json` for answers given before Apollo (401, idempotency conflicts), read when the
 * response has gone for the request's log line and metrics.
 */
export interface RequestObservation {
  operationName: string | null;
  operationType: string | null;
  /** Whether Apollo resolved the operation: only then does its name become a metrics label. */
  resolved: boolean;
  cost: number | null;
  errorCodes: string[];
}

function newObservation(): RequestObservation {
  return { operationName: null, operationType: null, resolved: false, cost: null, errorCodes: [] };
}

/** The request's observation; a fresh one (recorded nowhere) for a request the middleware let pass, such as OPTIONS. */
export function observationOf(res: Response): RequestObservation {
  return (res.locals.observation as RequestObservation | undefined) ?? newObservation();
}

/** A code as a label: ours are SCREAMING_SNAKE words; anything else is one bucket. */
function codeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,47}$/.test(code) ? code : 'OTHER';
}

/** Who asked, for the log line: the credential and role, never a name or an email (labels may hold both). */
function actorFields(actor: Actor | undefined): Record<string, unknown> {
  if (!actor) return { actor: 'none' };
  if (actor.kind !== 'principal') return { actor: actor.kind };
  return { actor: `${actor.credential.kind}:${actor.credential.id}`, role: actor.role };
}

/**
 * One log line and one set of metrics per GraphQL request, when its response has gone (or the client went away):
 * operation, duration, status, cost, SQL statements and time, actor and error codes; the line carries the request id.
 */
export function graphqlRequestObservation(): RequestHandler {
  return (req, res, next) => {
    // A CORS preflight is the browser asking, not a GraphQL request.
    if (req.method === 'OPTIONS') return next();
    const started = process.hrtime.bigint();
    const observation = newObservation();
    res.locals.observation = observation;
    // Answers written before Apollo (authentication, idempotency) go through res.json: their codes count too.
    const json = res.json.bind(res);
    res.json = (body: unknown) => {
      const errors = (body as { errors?: Array<{ extensions?: { code?: unknown } }> } | null)?.errors;
      if (Array.isArray(errors)) for (const e of errors) observation.errorCodes.push(codeLabel(e.extensions?.code));
      return json(body);
    };
    let done = false;
    const finish = AsyncResource.bind(() => {
      if (done) return;
      done = true;
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const tally = (req as unknown as { tally?: StatementTally }).tally;
      const aborted = !res.writableFinished;
      const outcome = observation.errorCodes.length || res.statusCode >= 400 || aborted ? 'error' : 'ok';
      const operation = observation.resolved ? operationLabel(observation.operationName) : 'other';
      graphqlRequests.inc({ operation, outcome });
      graphqlDuration.observe({ operation, outcome }, seconds);
      for (const code of observation.errorCodes) graphqlErrors.inc({ code });
      if (observation.cost !== null) graphqlCost.observe({ operation }, observation.cost);
      if (tally) {
        sqlStatements.observe({ operation }, tally.statements);
        sqlSeconds.observe({ operation }, (tally.sqlMs ?? 0) / 1000);
      }
      log.info('graphql request', {
        operation: observation.operationName?.slice(0, 100) ?? null,
        operationType: observation.operationType,
        status: aborted ? 499 : res.statusCode,
        durationMs: Math.round(seconds * 10_000) / 10,
        cost: observation.cost,
        sqlStatements: tally?.statements ?? 0,
        sqlMs: Math.round((tally?.sqlMs ?? 0) * 10) / 10,
        ...actorFields(res.locals.actor as Actor | undefined),
        errors: observation.errorCodes,
      });
    });
    res.on('finish', finish);
    res.on('close', finish);
    next();
  };
}

interface TracedRequest {
  operation: Span;
  /** Resolver spans by response path ("customers.nodes.0.orders"), the parents of the fields below them. */
  fields: Map<string, Span>;
}

/** The request context (Apollo's contextValue) → its operation span. */
const traced = new WeakMap<object, TracedRequest>();

/**
 * Fills in the request's observation, and with tracing on makes the operation's span (child of the HTTP span) that
 * the resolvers' spans hang from.
 */
export function operationObservation<TContext extends { observation: RequestObservation }>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart({ contextValue }) {
      const observation = contextValue.observation;
      const span = tracingEnabled() ? tracer().startSpan('graphql.operation', { kind: SpanKind.INTERNAL }, context.active()) : null;
      if (span) traced.set(contextValue, { operation: span, fields: new Map() });
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!operation) return;
          observation.resolved = true;
          observation.operationName = operation.name?.value ?? operationName ?? null;
          observation.operationType = operation.operation;
          span?.updateName(`${operation.operation} ${observation.operationName ?? 'anonymous'}`);
          span?.setAttributes({ 'graphql.operation.type': operation.operation, 'graphql.operation.name': observation.operationName ?? '' });
        },
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          const cost = (result.extensions?.cost as { actualQueryCost?: number } | undefined)?.actualQueryCost;
          if (typeof cost === 'number') observation.cost = cost;
          for (const e of result.errors ?? []) observation.errorCodes.push(codeLabel(e.extensions?.code));
          if (span) {
            if (result.errors?.length) span.setStatus({ code: SpanStatusCode.ERROR, message: observation.errorCodes.join(',') });
            span.setAttribute('graphql.error.codes', observation.errorCodes);
            span.end();
          }
        },
      };
    },
  };
}

function pathKey(path: ResponsePath | undefined): string {
  const parts: Array<string | number> = [];
  for (let p = path; p; p = p.prev) parts.push(p.key);
  return parts.reverse().join('.');
}

const wrapped = new WeakSet<GraphQLSchema>();

/**
 * With tracing on, wraps the resolvers worth a span — root fields, and fields returning objects — so that each runs
 * inside its span and the SQL it sends (src/db/statement-counter.ts) becomes the span's child. Leaf fields get none: a
 * span per scalar would drown the trace. With tracing off nothing is wrapped, so it costs nothing.
 */
export function traceResolvers(schema: GraphQLSchema): void {
  if (!tracingEnabled() || wrapped.has(schema)) return;
  wrapped.add(schema);
  const roots = new Set([schema.getQueryType(), schema.getMutationType()].filter(Boolean));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!roots.has(type) && isLeafType(getNamedType(field.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, ctx, info) => {
        const request = ctx && typeof ctx === 'object' ? traced.get(ctx) : undefined;
        if (!request) return resolve(source, args, ctx, info);
        let parent: Span = request.operation;
        for (let p = info.path.prev; p; p = p.prev) {
          const found = request.fields.get(pathKey(p));
          if (found) {
            parent = found;
            break;
          }
        }
        const key = pathKey(info.path);
        const span = tracer().startSpan(
          `${info.parentType.name}.${info.fieldName}`,
          { attributes: { 'graphql.field.name': info.fieldName, 'graphql.field.path': key, 'graphql.field.type': String(info.returnType) } },
          trace.setSpan(context.active(), parent),
        );
        request.fields.set(key, span);
        const fail = (e: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
          span.end();
          throw e;
        };
        try {
          const result = context.with(trace.setSpan(context.active(), span), () => resolve(source, args, ctx, info));
          if (result instanceof Promise) {
            return result.then((value) => {
              span.end();
              return value;
            }, fail);
          }
          span.end();
          return result;
        } catch (e) {
          return fail(e);
        }
      };
    }
  }
}

/** With tracing on, the HTTP server span of every request, continuing a caller's `traceparent`. */
export function httpSpan(): RequestHandler {
  return (req, res, next) => {
    if (!tracingEnabled()) return next();
    const parent = extractContext(req.headers);
    const span = tracer().startSpan(
      `${req.method} ${req.path}`,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.path': req.path, 'http.route': req.path } },
      parent,
    );
    if (res.locals.requestId) span.setAttribute('rapport.request_id', res.locals.requestId as string);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    };
    res.on('finish', end);
    res.on('close', end);
    context.with(trace.setSpan(parent, span), () => next());
  };
}
