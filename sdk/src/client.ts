import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { prepareDocument } from './document';
import type { AstDocument, DocumentInput, PreparedDocument } from './document';
import { graphQLErrorFrom, RapportError, RapportNetworkError } from './errors';
import type { GraphQLErrorEntry } from './errors';
import { getSdk } from './generated';
import type { Sdk as SdkOf } from './generated';
import { paginate } from './paginate';
import type { ConnectionLike, ForwardPageVariables, NodeOf } from './paginate';
import { randomUUID } from './uuid';

/** The subset of the Fetch API the client uses; Node 20's global fetch fits, so do undici and most polyfills. */
export type FetchLike = (
  url: string,
  init: { method: 'POST'; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<ResponseLike>;

export interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. https://crm.example.com/graphql. */
  url: string;
  /** API token, sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** Defaults to the global fetch (Node 20+). Pass one to add tracing, proxies or test doubles. */
  fetch?: FetchLike;
  /**
   * How often a failed request is repeated (default 2, so at most 3 attempts). Retried: network failures,
   * HTTP 502/503/504, an answer whose errors say SERVICE_UNAVAILABLE (the database is down for a moment),
   * HTTP 429 THROTTLED (after its Retry-After) and, for a mutation, IDEMPOTENCY_KEY_IN_PROGRESS (an earlier
   * attempt is still running); never other GraphQL errors. A `Retry-After` header sets the wait. Mutations are
   * retried too: each call sends an `Idempotency-Key`, the same on every attempt, so the server runs the write at most once.
   */
  retries?: number;
  /** Milliseconds before the first retry (default 500); doubles per retry, with jitter. */
  minRetryDelay?: number;
  /** Upper bound of one retry delay in milliseconds (default 8000). */
  maxRetryDelay?: number;
  /** Milliseconds one attempt may take before it is aborted and counts as a network failure (default 30000). */
  timeout?: number;
}

/** Per-call options: the second argument of every operation method. */
export interface RequestOptions {
  headers?: Record<string, string>;
  /** Cancels the call, including pending retries; the call then rejects with the signal's reason. */
  signal?: AbortSignal;
  /**
   * The `Idempotency-Key` of this mutation (default: a fresh random key per call, reused by its retries).
   * Pass your own, e.g. your order's ID, to make a write safe to repeat even across process restarts:
   * the server keeps each key's response for 24 hours and replays it.
   */
  idempotencyKey?: string;
  /** Overrides ClientOptions.timeout for this call. */
  timeout?: number;
}

const RETRYABLE_STATUS = new Set([502, 503, 504]);
/** Codes of answers that will change if the same request is sent again a little later. */
const RETRYABLE_CODES = ['SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_IN_PROGRESS'];
/** The credential's cost bucket is empty: the server says in Retry-After when it holds enough again. */
const THROTTLED_STATUS = 429;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Retry-After in seconds (the only form servers and proxies send in practice), capped at a minute. */
function retryAfterMs(response: ResponseLike | undefined): number | undefined {
  const seconds = Number(response?.headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds >= 0 && seconds <= 60 ? seconds * 1000 : undefined;
}

/** Header names are case-insensitive; lower-casing them lets a later `Authorization` replace an earlier `authorization`. */
function lowerKeys(headers: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
}

/** fetch reports every failure as "fetch failed"; the useful part (ECONNREFUSED, bad port, ...) is in the cause. */
function errorMessage(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  const base = e instanceof Error ? e.message : String(e);
  const detail = cause?.code ?? cause?.message;
  return detail ? `${base} (${detail})` : base;
}

/** The retryable error code of a GraphQL answer, if it carries one (parsed only when the text mentions one). */
function retryableCode(text: string): string | undefined {
  if (!RETRYABLE_CODES.some((code) => text.includes(code))) return undefined;
  try {
    const errors = (JSON.parse(text) as { errors?: GraphQLErrorEntry[] }).errors ?? [];
    return RETRYABLE_CODES.find((code) => errors.some((e) => e.extensions?.code === code));
  } catch {
    return undefined;
  }
}

/** The typed operation methods, with per-call options: a misspelt option or a wrong type does not compile. */
export type Sdk = SdkOf<RequestOptions>;

type Paginators = ReturnType<typeof paginators>;

function paginators(sdk: Sdk) {
  type Opts = RequestOptions | undefined;
  /** Variables of a list query, minus backward paging; `after` resumes a walk from a cursor. */
  type ListVars<V> = Omit<V, 'before' | 'last'>;
  type Vars<K extends keyof Sdk> = NonNullable<Parameters<Sdk[K]>[0]>;
  return {
    customers: (variables: ListVars<Vars<'customers'>> = {}, options?: Opts) =>
      paginate(sdk.customers, variables, (r) => r.customers, options),
    orders: (variables: ListVars<Vars<'orders'>> = {}, options?: Opts) => paginate(sdk.orders, variables, (r) => r.orders, options),
    products: (variables: ListVars<Vars<'products'>> = {}, options?: Opts) =>
      paginate(sdk.products, variables, (r) => r.products, options),
    contacts: (variables: ListVars<Vars<'contacts'>> = {}, options?: Opts) =>
      paginate(sdk.contacts, variables, (r) => r.contacts, options),
    touchpoints: (variables: ListVars<Vars<'touchpoints'>> = {}, options?: Opts) =>
      paginate(sdk.touchpoints, variables, (r) => r.touchpoints, options),
    users: (variables: ListVars<Vars<'users'>> = {}, options?: Opts) => paginate(sdk.users, variables, (r) => r.users, options),
    tasks: (variables: ListVars<Vars<'tasks'>> = {}, options?: Opts) => paginate(sdk.tasks, variables, (r) => r.tasks, options),
    /** The caller's agenda for a window, page after page. */
    myAgenda: (variables: Vars<'myAgenda'>, options?: Opts) => paginate(sdk.myAgenda, variables, (r) => r.myAgenda, options),
    lifecycleStages: (variables: ListVars<Vars<'lifecycleStages'>> = {}, options?: Opts) =>
      paginate(sdk.lifecycleStages, variables, (r) => r.lifecycleStages, options),
    customerOrders: (variables: ListVars<Vars<'customerOrders'>>, options?: Opts) =>
      paginate(sdk.customerOrders, variables, (r) => r.customer?.orders, options),
    customerContacts: (variables: ListVars<Vars<'customerContacts'>>, options?: Opts) =>
      paginate(sdk.customerContacts, variables, (r) => r.customer?.contacts, options),
    customerTouchpoints: (variables: ListVars<Vars<'customerTouchpoints'>>, options?: Opts) =>
      paginate(sdk.customerTouchpoints, variables, (r) => r.customer?.touchpoints, options),
    /** Customers a customer referred. */
    customerReferrals: (variables: ListVars<Vars<'customerReferrals'>>, options?: Opts) =>
      paginate(sdk.customerReferrals, variables, (r) => r.customer?.referrals, options),
    /** A customer's stage changes, newest first unless `direction: 'ASC'`. */
    customerLifecycleHistory: (variables: ListVars<Vars<'customerLifecycleHistory'>>, options?: Opts) =>
      paginate(sdk.customerLifecycleHistory, variables, (r) => r.customer?.lifecycleHistory, options),
    orderLines: (variables: ListVars<Vars<'orderLines'>>, options?: Opts) =>
      paginate(sdk.orderLines, variables, (r) => r.order?.lines, options),
    /** The customers a staff user owns. */
    userCustomers: (variables: ListVars<Vars<'userCustomers'>>, options?: Opts) =>
      paginate(sdk.userCustomers, variables, (r) => (r.node && 'customers' in r.node ? r.node.customers : null), options),
  };
}

/**
 * `rapport.paginate(operation, variables, selectConnection)` walks any connection;
 * `rapport.paginate.customers({ filter })` and friends are the ready-made walks.
 */
export type Paginate = GenericPaginate & Paginators;

/** `paginate(operation, variables, selectConnection)`: walks any connection. */
export type GenericPaginate = <V extends ForwardPageVariables, R, C extends ConnectionLike<unknown>>(
  operation: (variables: V, options?: RequestOptions) => Promise<R>,
  variables: V,
  selectConnection: (result: R) => C | null | undefined,
  options?: RequestOptions,
) => AsyncGenerator<NodeOf<C>, void, undefined>;

/** The arguments after a document: variables are optional exactly when the operation has no required ones. */
export type RequestArgs<V> = {} extends V ? [variables?: V, options?: RequestOptions] : [variables: V, options?: RequestOptions];

/** A GraphQL response as the server sent it: partial `data` beside `errors` when some fields failed. */
export interface GraphQLResult<R> {
  data: R | null;
  errors?: ReadonlyArray<GraphQLErrorEntry>;
  extensions?: Record<string, unknown>;
  /** HTTP status of the answer. */
  status: number;
  /** The answer's `X-Request-Id`: the id the server logged the request under. */
  requestId?: string;
}

/** Text or a DocumentNode without result types (a typed document must match the typed overload instead). */
export type UntypedDocument = (string | AstDocument) & { __apiType?: undefined };

/** Any document, typed or not: the client's own and the ones a team writes or generates. */
export interface RequestMethods {
  /**
   * Sends any document and returns `data`; errors throw as for the typed methods. Result and variables are
   * inferred from a typed document (the SDK's `CustomerDocument`, a TypedDocumentNode or TypedDocumentString).
   */
  request<R, V>(document: DocumentTypeDecoration<R, V>, ...args: RequestArgs<V>): Promise<R>;
  request<R = Record<string, unknown>, V extends Record<string, unknown> = Record<string, unknown>>(
    document: UntypedDocument,
    variables?: V,
    options?: RequestOptions,
  ): Promise<R>;
  /**
   * Like `request`, but a response with GraphQL errors resolves to `{ data, errors }` instead of throwing, so the
   * fields that did resolve can be used (`data` is null only when nothing resolved). Network failures still throw.
   */
  requestWithErrors<R, V>(document: DocumentTypeDecoration<R, V>, ...args: RequestArgs<V>): Promise<GraphQLResult<R>>;
  requestWithErrors<R = Record<string, unknown>, V extends Record<string, unknown> = Record<string, unknown>>(
    document: UntypedDocument,
    variables?: V,
    options?: RequestOptions,
  ): Promise<GraphQLResult<R>>;
}

/** `createRequestClient`: requests and paginate only, so a bundler keeps just the documents a program imports. */
export type RapportRequestClient = RequestMethods & { paginate: GenericPaginate };

export type RapportClient = Sdk & RequestMethods & { paginate: Paginate };

/**
 * The Rapport client: one typed method per operation in sdk/operations, auto-pagination, typed errors, retries.
 *
 *   const rapport = createClient({ url: 'http://localhost:4000/graphql', token });
 *   const { customer } = await rapport.customer({ id });
 *   for await (const c of rapport.paginate.customers({ filter: { tags: { has: 'vip' } } })) console.log(c.name);
 */
export function createClient(options: ClientOptions): RapportClient {
  const client = createRequestClient(options);
  // The typed methods' documents are typed strings; the overloads of `request` are for callers, not for this.
  const send = client.request as unknown as (document: DocumentInput, variables: unknown, options?: RequestOptions) => Promise<never>;
  const sdk = getSdk<RequestOptions>((document, variables, callOptions) => send(document, variables, callOptions));
  return { ...sdk, ...client, paginate: Object.assign(client.paginate, paginators(sdk)) };
}

/**
 * The client without the typed methods: `request(CustomerDocument, { id })` is as typed as `customer({ id })`, and a
 * browser bundle holds only the documents the program imports instead of all of them.
 */
export function createRequestClient(options: ClientOptions): RapportRequestClient {
  // Bound: browsers throw "Illegal invocation" for a fetch called without its global as `this`.
  const fetchImpl = options.fetch ?? (globalThis.fetch?.bind(globalThis) as unknown as FetchLike | undefined);
  if (!fetchImpl) throw new RapportError('No fetch available: use Node 20+ or pass `fetch` to createClient');
  const retries = Math.max(0, options.retries ?? 2);
  const minDelay = options.minRetryDelay ?? 500;
  const maxDelay = options.maxRetryDelay ?? 8000;
  const baseHeaders: Record<string, string> = {
    accept: 'application/graphql-response+json, application/json',
    ...lowerKeys(options.headers),
    'content-type': 'application/json',
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };

  /** Exponential backoff with "equal jitter": half the delay fixed, half random, so clients do not retry in lockstep. */
  const backoff = (retry: number) => {
    const delay = Math.min(maxDelay, minDelay * 2 ** (retry - 1));
    return delay / 2 + Math.random() * (delay / 2);
  };

  /** One attempt: the response and its body, or a thrown transport error. */
  async function attempt(body: string, headers: Record<string, string>, timeout: number, signal?: AbortSignal) {
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeout} ms`)), timeout);
    try {
      const response = await fetchImpl!(options.url, { method: 'POST', headers, body, signal: controller.signal });
      return { response, text: await response.text() };
    } catch (e) {
      // fetch rejects with a generic AbortError; the reason says whether it was our timeout.
      throw controller.signal.aborted && !signal?.aborted ? controller.signal.reason : e;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function execute<R>(doc: PreparedDocument, variables: unknown, callOptions: RequestOptions = {}): Promise<GraphQLResult<R>> {
    const body = JSON.stringify({ query: doc.query, operationName: doc.operationName, variables: variables ?? {} });
    const headers: Record<string, string> = { ...baseHeaders, ...lowerKeys(callOptions.headers) };
    if (doc.isMutation) headers['idempotency-key'] ??= callOptions.idempotencyKey ?? randomUUID();
    const timeout = callOptions.timeout ?? options.timeout ?? 30_000;
    const maxAttempts = 1 + retries;
    const label = doc.operationName ?? 'request';

    for (let n = 1; ; n++) {
      let result: { response: ResponseLike; text: string } | undefined;
      let failure: RapportNetworkError;
      try {
        result = await attempt(body, headers, timeout, callOptions.signal);
      } catch (e) {
        if (callOptions.signal?.aborted) throw callOptions.signal.reason;
        failure = new RapportNetworkError(`${label}: could not reach ${options.url}: ${errorMessage(e)}`, { attempts: n, cause: e });
      }
      if (result) {
        const { response, text } = result;
        if (response.status === THROTTLED_STATUS) {
          // Retrying sooner than Retry-After only earns another 429: without a usable one, report the throttle at once.
          const wait = retryAfterMs(response);
          if (n >= maxAttempts || wait === undefined) return parseResponse<R>(response, text, doc.operationName, n);
          await sleep(wait, callOptions.signal);
          continue;
        }
        const code = retryableCode(text);
        const unavailable = RETRYABLE_STATUS.has(response.status) || code === 'SERVICE_UNAVAILABLE';
        // Still running after every retry is an answer, not a failure to reach the server: the typed error says so.
        if (!unavailable && (code !== 'IDEMPOTENCY_KEY_IN_PROGRESS' || n >= maxAttempts)) return parseResponse<R>(response, text, doc.operationName, n);
        failure = new RapportNetworkError(`${label}: the server answered HTTP ${response.status}${code ? ` ${code}` : ''}`, { status: response.status, attempts: n, requestId: response.headers.get('x-request-id') });
      }
      if (n >= maxAttempts) throw failure!;
      await sleep(retryAfterMs(result?.response) ?? backoff(n), callOptions.signal);
    }
  }

  function parseResponse<R>(response: ResponseLike, text: string, operationName: string | undefined, attempts: number): GraphQLResult<R> {
    const label = operationName ?? 'request';
    const status = response.status;
    const requestId = response.headers.get('x-request-id') ?? undefined;
    let json: { data?: R | null; errors?: GraphQLErrorEntry[]; extensions?: Record<string, unknown> };
    try {
      json = JSON.parse(text);
    } catch {
      throw new RapportNetworkError(`${label}: HTTP ${status} without a GraphQL response: ${text.slice(0, 200)}`, { status, attempts, requestId });
    }
    if (!json?.errors?.length && json?.data == null) throw new RapportNetworkError(`${label}: HTTP ${status} with neither data nor errors`, { status, attempts, requestId });
    return {
      data: json.data ?? null,
      ...(json.errors?.length ? { errors: json.errors } : {}),
      ...(json.extensions ? { extensions: json.extensions } : {}),
      status,
      ...(requestId ? { requestId } : {}),
    };
  }

  async function request<R>(document: DocumentInput, variables?: unknown, callOptions?: RequestOptions): Promise<R> {
    const doc = prepareDocument(document);
    const result = await execute<R>(doc, variables, callOptions);
    if (result.errors) throw graphQLErrorFrom(result.errors, { operationName: doc.operationName, status: result.status, data: result.data ?? undefined, requestId: result.requestId });
    return result.data as R;
  }

  const walk: GenericPaginate = (operation, variables, selectConnection, callOptions) => paginate(operation, variables, selectConnection, callOptions);
  return {
    paginate: walk,
    request: request as RequestMethods['request'],
    requestWithErrors: ((document: DocumentInput, variables?: unknown, callOptions?: RequestOptions) =>
      execute(prepareDocument(document), variables, callOptions)) as RequestMethods['requestWithErrors'],
  };
}
