import path from 'node:path';
import type { AccessRole } from './roles';

/** Runtime configuration, read once from the environment and validated up front. */
export interface Config {
  /** External Postgres; when absent an embedded cluster is started under dataDir. */
  databaseUrl: string | null;
  dataDir: string;
  /** DATA_DIR was set explicitly (no fallback location is then used). */
  dataDirChosen: boolean;
  /** Port of the embedded Postgres cluster (ignored with DATABASE_URL). */
  embeddedPostgresPort: number;
  port: number;
  host: string;
  demoData: boolean;
  baseCurrency: string;
  /** Share of referred customers' realised value credited to their referrer's CLV (`clv.referral`), 0 to 1. */
  referralValueShare: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Reject operations whose estimated cost exceeds this (see src/server/cost.ts). */
  maxQueryCost: number;
  /** The active customer model is refitted in the background once older than this and orders changed. */
  modelMaxAgeHours: number;
  /** WORKER: whether this process also runs the job worker (scoring, fits, schedules); `npm run worker` runs one alone. */
  runWorker: boolean;
  /** SCHEDULED_JOBS: whether the worker runs the recurring jobs (new-day rescoring, stale-model refit). */
  scheduledJobs: boolean;
  /** WORKER_CONCURRENCY: jobs one worker process runs at once. */
  workerConcurrency: number;
  /** SQL statements slower than this are logged as warnings. */
  slowQueryMs: number;
  /** An idempotency key claimed longer ago than this, with no response stored, may be claimed again by a retry. */
  idempotencyClaimTimeoutMs: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are closed. */
  shutdownGraceMs: number;
  /** NODE_ENV=production: no development API key, no playground key, introspection off unless asked for. */
  production: boolean;
  /** Verifying frontend sessions' JWTs; null when JWTs are not accepted (API keys only). */
  jwt: JwtConfig | null;
  /** Postgres statement_timeout of the server's pool: a statement running longer is cancelled and answered TIMEOUT. */
  requestTimeoutMs: number;
  /** How long a request waits for a free pool connection before it is answered 503 SERVICE_UNAVAILABLE. */
  poolWaitTimeoutMs: number;
  /** Operation shape limits (graphql-armor and the parser), checked before anything runs. */
  maxQueryDepth: number;
  maxQueryAliases: number;
  maxQueryDirectives: number;
  maxQueryTokens: number;
  /** Longest `search` argument and longest text in a filter. */
  maxSearchLength: number;
  /** Largest filter tree: conditions plus and/or/not groups, and nesting of groups. */
  maxFilterNodes: number;
  maxFilterDepth: number;
  /** Whether the schema can be introspected (and errors suggest field names). */
  introspection: boolean;
  /**
   * GRAPHQL_EXECUTION: `compiled` (graphql-jit: each operation compiled once, the default) or `graphql-js` (the
   * reference executor). The two give the same answers; the second is the way back should the first misbehave.
   */
  graphqlExecution: GraphqlExecution;
  /** Browser origins allowed to call the API cross-origin; empty means same-origin only, ['*'] any origin. */
  corsOrigins: string[];
  /** Leaky bucket of query cost per credential (src/server/throttle.ts). */
  throttle: ThrottleConfig;
  /** METRICS_TOKEN: the bearer token /metrics asks for; null: open in development, ADMIN credentials in production. */
  metricsToken: string | null;
  /** METRICS_PORT: where a worker started alone (`npm run worker`) serves /metrics; null: it serves none (0: any free port). */
  metricsPort: number | null;
  /** Webhook delivery (src/event/webhook.delivery.ts). */
  webhooks: WebhookConfig;
}

export const GRAPHQL_EXECUTIONS = ['compiled', 'graphql-js'] as const;
export type GraphqlExecution = (typeof GRAPHQL_EXECUTIONS)[number];

function parseGraphqlExecution(value: string | undefined, problems: string[]): GraphqlExecution {
  if (!value) return 'compiled';
  if ((GRAPHQL_EXECUTIONS as readonly string[]).includes(value)) return value as GraphqlExecution;
  problems.push(`GRAPHQL_EXECUTION must be one of ${GRAPHQL_EXECUTIONS.join(', ')}, got "${value}"`);
  return 'compiled';
}

export interface WebhookConfig {
  /** WEBHOOK_RETRY_BASE_MS: the first retry's delay; each next one doubles it (0 in tests: retries at once). */
  retryBaseMs: number;
  /** WEBHOOK_MAX_ATTEMPTS: attempts per delivery before it is given up as FAILED. */
  maxAttempts: number;
  /** WEBHOOK_TIMEOUT_MS: how long a receiver may take to answer. */
  timeoutMs: number;
  /** WEBHOOK_DISABLE_AFTER_FAILURES and WEBHOOK_DISABLE_AFTER_MS: a subscription is disabled once this many attempts in
   * a row failed and the first of them is at least this old. */
  disableAfterFailures: number;
  disableAfterMs: number;
  /** WEBHOOK_ALLOW_PRIVATE_URLS: accept loopback and private addresses (refused in production unless set: SSRF). */
  allowPrivateUrls: boolean;
}

/** How JWTs are verified (with jose): an HMAC secret or a public key (PEM, SPKI), plus the issuer and audience they must name. */
export interface JwtConfig {
  secret: string | null;
  publicKey: string | null;
  algorithm: string;
  issuer: string;
  audience: string;
}

export interface ThrottleLimits {
  /** Cost points the bucket holds: the burst a credential may spend at once. */
  bucketSize: number;
  /** Cost points restored per second. */
  restoreRate: number;
}

/** Who a role-specific override applies to: a credential's role, or a caller with none. */
export type ThrottleRole = `${AccessRole}` | 'ANONYMOUS';

export interface ThrottleConfig extends ThrottleLimits {
  /** Overrides per role (THROTTLE_<ROLE>_BUCKET_SIZE, THROTTLE_<ROLE>_RESTORE_RATE); unset values fall back to the defaults. */
  byRole: Partial<Record<ThrottleRole, Partial<ThrottleLimits>>>;
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;

function parsePort(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    problems.push(`${name} must be a port number between 0 and 65535, got "${raw}"`);
    return fallback;
  }
  return n;
}

function parseBool(name: string, raw: string | undefined, fallback: boolean, problems: string[]): boolean {
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

function parseJwt(env: NodeJS.ProcessEnv, problems: string[]): JwtConfig | null {
  const secret = env.JWT_SECRET || null;
  const publicKey = env.JWT_PUBLIC_KEY?.replace(/\\n/g, '\n') || null;
  if (!secret && !publicKey) return null;
  if (secret && publicKey) problems.push('Set JWT_SECRET or JWT_PUBLIC_KEY, not both');
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash output.
  if (secret && Buffer.byteLength(secret) < 32) problems.push('JWT_SECRET must be at least 32 bytes long');
  if (publicKey && !publicKey.includes('BEGIN PUBLIC KEY')) problems.push('JWT_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const algorithm = env.JWT_ALGORITHM || (secret ? 'HS256' : 'RS256');
  if (!/^(HS|RS|PS|ES)(256|384|512)$|^EdDSA$/.test(algorithm)) problems.push(`JWT_ALGORITHM must be a JWS algorithm such as HS256, RS256 or ES256, got "${algorithm}"`);
  if (secret && !algorithm.startsWith('HS')) problems.push('JWT_SECRET needs an HS* JWT_ALGORITHM');
  if (publicKey && algorithm.startsWith('HS')) problems.push('JWT_PUBLIC_KEY needs an asymmetric JWT_ALGORITHM (RS256, ES256, …)');
  const issuer = env.JWT_ISSUER || '';
  const audience = env.JWT_AUDIENCE || '';
  if (!issuer) problems.push('JWT_ISSUER is required when JWTs are accepted');
  if (!audience) problems.push('JWT_AUDIENCE is required when JWTs are accepted');
  return { secret, publicKey, algorithm, issuer, audience };
}

/** A number from the environment: `fallback` when unset, a problem naming the variable when out of range. */
function parseNumber(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  { integer = true, min = 1, above = false, unit = '' }: { integer?: boolean; min?: number; above?: boolean; unit?: string } = {},
  problems: string[],
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || (above ? n <= min : n < min)) {
    problems.push(`${name} must be ${integer ? 'an integer' : 'a number'} ${above ? '>' : '≥'} ${min}${unit}, got "${raw}"`);
    return fallback;
  }
  return n;
}

/** Comma-separated origins ("https://app.example.com,http://localhost:5173"), or "*". */
function parseOrigins(raw: string | undefined, problems: string[]): string[] {
  const origins = (raw ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      // reported below
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      problems.push(`CORS_ORIGINS must list origins such as https://app.example.com (scheme, host, optional port; no path), got "${origin}"`);
    }
  }
  return origins;
}

// A record rather than Object.values(AccessRole): loading the config then does not load type-graphql, and a role
// added to AccessRole but not here fails to compile.
const THROTTLE_ROLES: Record<ThrottleRole, true> = { ADMIN: true, MANAGER: true, SALES_REP: true, ANALYST: true, PARTNER: true, ANONYMOUS: true };

function parseThrottle(env: NodeJS.ProcessEnv, problems: string[]): ThrottleConfig {
  const rate = { integer: false, min: 0, above: true, unit: ' (cost points per second)' };
  const throttle: ThrottleConfig = {
    bucketSize: parseNumber(env, 'THROTTLE_BUCKET_SIZE', 100_000, {}, problems),
    restoreRate: parseNumber(env, 'THROTTLE_RESTORE_RATE', 5_000, rate, problems),
    byRole: {},
  };
  for (const role of Object.keys(THROTTLE_ROLES) as ThrottleRole[]) {
    const size = env[`THROTTLE_${role}_BUCKET_SIZE`] ? parseNumber(env, `THROTTLE_${role}_BUCKET_SIZE`, 0, {}, problems) : undefined;
    const restore = env[`THROTTLE_${role}_RESTORE_RATE`] ? parseNumber(env, `THROTTLE_${role}_RESTORE_RATE`, 0, rate, problems) : undefined;
    if (size !== undefined || restore !== undefined) throttle.byRole[role] = { bucketSize: size, restoreRate: restore };
  }
  return throttle;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const problems: string[] = [];
  const databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(`DATABASE_URL must start with postgres:// or postgresql://`);
  }
  const baseCurrency = (env.BASE_CURRENCY ?? 'USD').toUpperCase();
  if (!/^[A-Z]{3}$/.test(baseCurrency)) problems.push(`BASE_CURRENCY must be an ISO 4217 code such as USD, got "${env.BASE_CURRENCY}"`);
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase() as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  const maxQueryCost = env.MAX_QUERY_COST ? Number(env.MAX_QUERY_COST) : 50000;
  if (!Number.isInteger(maxQueryCost) || maxQueryCost <= 0) problems.push(`MAX_QUERY_COST must be a positive integer, got "${env.MAX_QUERY_COST}"`);

  const modelMaxAgeHours = env.MODEL_MAX_AGE_HOURS ? Number(env.MODEL_MAX_AGE_HOURS) : 24;
  if (!Number.isFinite(modelMaxAgeHours) || modelMaxAgeHours < 0) problems.push(`MODEL_MAX_AGE_HOURS must be a number of hours ≥ 0, got "${env.MODEL_MAX_AGE_HOURS}"`);

  const referralValueShare = env.REFERRAL_VALUE_SHARE ? Number(env.REFERRAL_VALUE_SHARE) : 0.1;
  if (!(referralValueShare >= 0 && referralValueShare <= 1)) problems.push(`REFERRAL_VALUE_SHARE must be a number from 0 to 1, got "${env.REFERRAL_VALUE_SHARE}"`);

  const slowQueryMs = env.SLOW_QUERY_MS ? Number(env.SLOW_QUERY_MS) : 1000;
  if (!Number.isInteger(slowQueryMs) || slowQueryMs <= 0) problems.push(`SLOW_QUERY_MS must be a positive number of milliseconds, got "${env.SLOW_QUERY_MS}"`);

  const jwt = parseJwt(env, problems);

  const config: Config = {
    databaseUrl,
    dataDir: path.resolve(env.DATA_DIR || '.data'),
    dataDirChosen: !!env.DATA_DIR,
    embeddedPostgresPort: parsePort('EMBEDDED_PG_PORT', env.EMBEDDED_PG_PORT, 54329, problems),
    port: parsePort('PORT', env.PORT, 4000, problems),
    host: env.HOST || '0.0.0.0',
    demoData: parseBool('DEMO_DATA', env.DEMO_DATA, true, problems),
    baseCurrency,
    referralValueShare,
    logLevel,
    maxQueryCost,
    modelMaxAgeHours,
    runWorker: parseBool('WORKER', env.WORKER, true, problems),
    scheduledJobs: parseBool('SCHEDULED_JOBS', env.SCHEDULED_JOBS, true, problems),
    workerConcurrency: parseNumber(env, 'WORKER_CONCURRENCY', 2, {}, problems),
    slowQueryMs,
    production: env.NODE_ENV === 'production',
    jwt,
    idempotencyClaimTimeoutMs: parseNumber(env, 'IDEMPOTENCY_CLAIM_TIMEOUT_MS', 60_000, { unit: ' ms' }, problems),
    shutdownGraceMs: parseNumber(env, 'SHUTDOWN_GRACE_MS', 10_000, { unit: ' ms' }, problems),
    requestTimeoutMs: parseNumber(env, 'REQUEST_TIMEOUT_MS', 15_000, { unit: ' ms' }, problems),
    poolWaitTimeoutMs: parseNumber(env, 'POOL_WAIT_TIMEOUT_MS', 5_000, { unit: ' ms' }, problems),
    maxQueryDepth: parseNumber(env, 'MAX_QUERY_DEPTH', 15, {}, problems),
    maxQueryAliases: parseNumber(env, 'MAX_QUERY_ALIASES', 30, { min: 0 }, problems),
    maxQueryDirectives: parseNumber(env, 'MAX_QUERY_DIRECTIVES', 20, { min: 0 }, problems),
    maxQueryTokens: parseNumber(env, 'MAX_QUERY_TOKENS', 10_000, {}, problems),
    maxSearchLength: parseNumber(env, 'MAX_SEARCH_LENGTH', 200, {}, problems),
    maxFilterNodes: parseNumber(env, 'MAX_FILTER_NODES', 100, {}, problems),
    maxFilterDepth: parseNumber(env, 'MAX_FILTER_DEPTH', 8, {}, problems),
    introspection: parseBool('INTROSPECTION', env.INTROSPECTION, env.NODE_ENV !== 'production', problems),
    graphqlExecution: parseGraphqlExecution(env.GRAPHQL_EXECUTION, problems),
    corsOrigins: parseOrigins(env.CORS_ORIGINS, problems),
    throttle: parseThrottle(env, problems),
    metricsToken: env.METRICS_TOKEN || null,
    metricsPort: env.METRICS_PORT ? parsePort('METRICS_PORT', env.METRICS_PORT, 0, problems) : null,
    webhooks: {
      // 45 s doubling over 12 attempts: the last retry comes about a day (25.6 h) after the first attempt.
      retryBaseMs: parseNumber(env, 'WEBHOOK_RETRY_BASE_MS', 45_000, { min: 0, unit: ' ms' }, problems),
      maxAttempts: parseNumber(env, 'WEBHOOK_MAX_ATTEMPTS', 12, {}, problems),
      timeoutMs: parseNumber(env, 'WEBHOOK_TIMEOUT_MS', 10_000, { unit: ' ms' }, problems),
      disableAfterFailures: parseNumber(env, 'WEBHOOK_DISABLE_AFTER_FAILURES', 12, {}, problems),
      disableAfterMs: parseNumber(env, 'WEBHOOK_DISABLE_AFTER_MS', 24 * 3_600_000, { min: 0, unit: ' ms' }, problems),
      allowPrivateUrls: parseBool('WEBHOOK_ALLOW_PRIVATE_URLS', env.WEBHOOK_ALLOW_PRIVATE_URLS, env.NODE_ENV !== 'production', problems),
    },
  };
  if (config.metricsToken !== null && config.metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters long');
  if (problems.length) throw new ConfigError(problems);
  return config;
}
