/**
 * Every failure the client reports is a RapportError; branch on the subclass or on `code`.
 *
 *   RapportError
 *   ├─ RapportGraphQLError        the server answered with `errors` (code from extensions.code)
 *   │  ├─ RapportNotFoundError          NOT_FOUND
 *   │  ├─ RapportBadUserInputError      BAD_USER_INPUT (e.g. a malformed email in the variables)
 *   │  ├─ RapportInvalidRequestError    GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_REQUEST, ...
 *   │  ├─ RapportQueryTooComplexError   QUERY_TOO_COMPLEX
 *   │  ├─ RapportThrottledError         THROTTLED (HTTP 429, once the retries are used up)
 *   │  ├─ RapportTimeoutError           TIMEOUT
 *   │  ├─ RapportAuthenticationError    UNAUTHENTICATED
 *   │  ├─ RapportPermissionError        FORBIDDEN
 *   │  └─ RapportInternalServerError    INTERNAL_SERVER_ERROR
 *   ├─ RapportNetworkError        no usable answer: connection failed, timed out, 502/503/504 or SERVICE_UNAVAILABLE, not GraphQL
 *   └─ RapportUserError           thrown by unwrap() when a mutation payload has userErrors
 */

/**
 * Every code the server puts in `extensions.code` (test/sdk-contract.test.ts compares this list with the server's
 * code and Apollo Server's own codes). A newer server may add codes; they keep their string.
 */
export const RAPPORT_ERROR_CODES = [
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'QUERY_TOO_COMPLEX',
  'THROTTLED',
  'TIMEOUT',
  'SERVICE_UNAVAILABLE',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'INTERNAL_SERVER_ERROR',
  'CLIENT_CLOSED_REQUEST',
  'IDEMPOTENCY_KEY_IN_PROGRESS',
  'IDEMPOTENCY_KEY_REUSED',
] as const;

export type RapportErrorCode = (typeof RAPPORT_ERROR_CODES)[number];

/** One entry of a GraphQL response's `errors`, as the server sent it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: { code?: string; [key: string]: unknown };
}

/** A mutation's input problem, as in every `userErrors` list. */
export interface UserErrorLike {
  field: ReadonlyArray<string>;
  message: string;
  code: string;
}

export class RapportError extends Error {
  override name = 'RapportError';
  /**
   * The id the server gave the request (`extensions.requestId`, else the `X-Request-Id` header) when it answered:
   * quote it to the server's operators, whose log lines carry the same id.
   */
  readonly requestId: string | undefined;

  constructor(message?: string, options?: { cause?: unknown; requestId?: string | null }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.requestId = options?.requestId ?? undefined;
  }
}

export interface GraphQLErrorContext {
  /** The operation that failed, e.g. "customer". */
  operationName?: string;
  /** HTTP status of the response (400 for validation errors, 200 for errors while executing). */
  status?: number;
  /** Partial data the server returned beside the errors, if any. */
  data?: unknown;
  /** The response's `X-Request-Id`, for errors whose extensions carry none. */
  requestId?: string | null;
}

export class RapportGraphQLError extends RapportError {
  override name = 'RapportGraphQLError';
  /** `extensions.code` of the first error. */
  readonly code: RapportErrorCode | (string & {});
  /** Where in the result the first error happened, e.g. ["node"]. */
  readonly path: ReadonlyArray<string | number> | undefined;
  readonly extensions: Record<string, unknown>;
  /** All errors of the response; the instance describes the first. */
  readonly errors: ReadonlyArray<GraphQLErrorEntry>;
  readonly operationName: string | undefined;
  readonly status: number | undefined;
  readonly data: unknown;

  constructor(errors: ReadonlyArray<GraphQLErrorEntry>, context: GraphQLErrorContext = {}) {
    const first = errors[0] ?? { message: 'Unknown GraphQL error' };
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    const requestId = first.extensions?.requestId;
    super(`${context.operationName ? `${context.operationName}: ` : ''}${first.message}${more}`, { requestId: typeof requestId === 'string' ? requestId : context.requestId });
    this.code = first.extensions?.code ?? 'UNKNOWN';
    this.path = first.path;
    this.extensions = first.extensions ?? {};
    this.errors = errors;
    this.operationName = context.operationName;
    this.status = context.status;
    this.data = context.data;
  }
}

export class RapportNotFoundError extends RapportGraphQLError {
  override name = 'RapportNotFoundError';
}
export class RapportBadUserInputError extends RapportGraphQLError {
  override name = 'RapportBadUserInputError';
}
/** The request itself is wrong: usually an SDK built for another version of the schema. */
export class RapportInvalidRequestError extends RapportGraphQLError {
  override name = 'RapportInvalidRequestError';
}
/** The query would cost more than the server allows: ask for smaller pages or fewer fields. */
export class RapportQueryTooComplexError extends RapportGraphQLError {
  override name = 'RapportQueryTooComplexError';
}
/**
 * The credential's cost bucket could not pay for the query (HTTP 429). The client waits for Retry-After and retries
 * on its own; this is thrown when the retries are used up or the wait would exceed a minute.
 * `extensions.cost.throttleStatus` tells how full the bucket is and how fast it refills.
 */
export class RapportThrottledError extends RapportGraphQLError {
  override name = 'RapportThrottledError';
}
/** A database statement ran past the server's time limit and was cancelled: ask for less, or try again later. */
export class RapportTimeoutError extends RapportGraphQLError {
  override name = 'RapportTimeoutError';
}
export class RapportAuthenticationError extends RapportGraphQLError {
  override name = 'RapportAuthenticationError';
}
export class RapportPermissionError extends RapportGraphQLError {
  override name = 'RapportPermissionError';
}
/** A fault on the server; it logged the details, the message here is generic on purpose. */
export class RapportInternalServerError extends RapportGraphQLError {
  override name = 'RapportInternalServerError';
}

const CLASS_BY_CODE: Record<string, typeof RapportGraphQLError> = {
  NOT_FOUND: RapportNotFoundError,
  BAD_USER_INPUT: RapportBadUserInputError,
  BAD_REQUEST: RapportInvalidRequestError,
  GRAPHQL_PARSE_FAILED: RapportInvalidRequestError,
  GRAPHQL_VALIDATION_FAILED: RapportInvalidRequestError,
  OPERATION_RESOLUTION_FAILURE: RapportInvalidRequestError,
  PERSISTED_QUERY_NOT_FOUND: RapportInvalidRequestError,
  PERSISTED_QUERY_NOT_SUPPORTED: RapportInvalidRequestError,
  QUERY_TOO_COMPLEX: RapportQueryTooComplexError,
  THROTTLED: RapportThrottledError,
  TIMEOUT: RapportTimeoutError,
  UNAUTHENTICATED: RapportAuthenticationError,
  FORBIDDEN: RapportPermissionError,
  INTERNAL_SERVER_ERROR: RapportInternalServerError,
};

/** The error class for a response's errors, chosen by the first error's code. */
export function graphQLErrorFrom(errors: ReadonlyArray<GraphQLErrorEntry>, context: GraphQLErrorContext = {}): RapportGraphQLError {
  const Class = CLASS_BY_CODE[errors[0]?.extensions?.code ?? ''] ?? RapportGraphQLError;
  return new Class(errors, context);
}

export interface NetworkErrorDetails {
  /** HTTP status when the server answered, but not with GraphQL (e.g. 503 from a proxy). */
  status?: number;
  /** How many times the request was sent. */
  attempts: number;
  cause?: unknown;
  /** The `X-Request-Id` of the last answer, when the server (not only a proxy) answered. */
  requestId?: string | null;
}

/** No usable answer from the server: the connection failed, timed out, or the answer was not GraphQL. */
export class RapportNetworkError extends RapportError {
  override name = 'RapportNetworkError';
  readonly status: number | undefined;
  readonly attempts: number;

  constructor(message: string, details: NetworkErrorDetails) {
    super(message, { cause: details.cause, requestId: details.requestId });
    this.status = details.status;
    this.attempts = details.attempts;
  }
}

/** A mutation rejected its input; `userErrors` says which fields and why. Nothing was written. */
export class RapportUserError extends RapportError {
  override name = 'RapportUserError';
  readonly userErrors: ReadonlyArray<UserErrorLike>;

  constructor(userErrors: ReadonlyArray<UserErrorLike>) {
    super(userErrors.map((e) => `${e.field.length ? `${e.field.join('.')}: ` : ''}${e.message} (${e.code})`).join('; '));
    this.userErrors = userErrors;
  }

  /** The codes, for a quick `includes('TAKEN')`. */
  get codes(): string[] {
    return this.userErrors.map((e) => e.code);
  }
}

type Payload = { userErrors: ReadonlyArray<UserErrorLike> };

/**
 * Opt-in strictness for mutation payloads: throws RapportUserError when `userErrors` is not empty.
 *
 *   const { customer } = unwrap((await rapport.createCustomer({ input })).createCustomer);
 *   const customer = unwrap((await rapport.createCustomer({ input })).createCustomer, 'customer'); // non-null
 */
export function unwrap<P extends Payload>(payload: P): P;
export function unwrap<P extends Payload, K extends Exclude<keyof P, 'userErrors'>>(payload: P, key: K): NonNullable<P[K]>;
export function unwrap<P extends Payload>(payload: P, key?: keyof P): unknown {
  if (payload.userErrors.length) throw new RapportUserError(payload.userErrors);
  if (key === undefined) return payload;
  const value = payload[key];
  if (value == null) throw new RapportError(`The payload has no userErrors but its "${String(key)}" is null`);
  return value;
}
