import path from 'node:path';

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
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Reject operations whose estimated cost exceeds this (see src/server/cost.ts). */
  maxQueryCost: number;
  /** The active customer model is refitted in the background once older than this and orders changed. */
  modelMaxAgeHours: number;
  /** With no model yet, a request that needs one waits this long for the first fit before answering without it. */
  modelOnDemandWaitMs: number;
  /** SQL statements slower than this are logged as warnings. */
  slowQueryMs: number;
  /** How long a request waits for a database connection before it is answered 503. */
  dbConnectTimeoutMs: number;
  /** An idempotency key claimed longer ago than this, with no response stored, may be claimed again by a retry. */
  idempotencyClaimTimeoutMs: number;
  /** On SIGTERM/SIGINT, how long requests in flight may take to finish before their connections are closed. */
  shutdownGraceMs: number;
  /** NODE_ENV=production: no development API key, no playground key, introspection off unless asked for. */
  production: boolean;
  /** Verifying frontend sessions' JWTs; null when JWTs are not accepted (API keys only). */
  jwt: JwtConfig | null;
}

/** How JWTs are verified (with jose): an HMAC secret or a public key (PEM, SPKI), plus the issuer and audience they must name. */
export interface JwtConfig {
  secret: string | null;
  publicKey: string | null;
  algorithm: string;
  issuer: string;
  audience: string;
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

function parseMs(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) {
    problems.push(`${name} must be a positive number of milliseconds, got "${raw}"`);
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

  const modelOnDemandWaitMs = env.MODEL_ON_DEMAND_WAIT_MS ? Number(env.MODEL_ON_DEMAND_WAIT_MS) : 5000;
  if (!Number.isInteger(modelOnDemandWaitMs) || modelOnDemandWaitMs < 0) problems.push(`MODEL_ON_DEMAND_WAIT_MS must be a whole number of milliseconds ≥ 0, got "${env.MODEL_ON_DEMAND_WAIT_MS}"`);

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
    logLevel,
    maxQueryCost,
    modelMaxAgeHours,
    modelOnDemandWaitMs,
    slowQueryMs,
    production: env.NODE_ENV === 'production',
    jwt,
    dbConnectTimeoutMs: parseMs('DB_CONNECT_TIMEOUT_MS', env.DB_CONNECT_TIMEOUT_MS, 5000, problems),
    idempotencyClaimTimeoutMs: parseMs('IDEMPOTENCY_CLAIM_TIMEOUT_MS', env.IDEMPOTENCY_CLAIM_TIMEOUT_MS, 60_000, problems),
    shutdownGraceMs: parseMs('SHUTDOWN_GRACE_MS', env.SHUTDOWN_GRACE_MS, 10_000, problems),
  };
  if (problems.length) throw new ConfigError(problems);
  return config;
}
