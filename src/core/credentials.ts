import { createHash, randomBytes } from 'node:crypto';
import { createSecretKey, KeyObject } from 'node:crypto';
import { errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from './actor';
import type { JwtConfig } from './config';
import { AccessRole, Scope, UserRole } from './roles';

/**
 * Credentials: API keys for integrations and scripts, JWTs for frontend sessions. Both arrive as
 * `Authorization: Bearer <token>` and become an Actor; anything else is UNAUTHENTICATED.
 */

/** API keys start with this, so a leaked one is recognisable (secret scanners, logs) and never mistaken for a JWT. */
export const API_KEY_PREFIX = 'rpk_';

/** A new key: 32 random bytes, base64url. Only its SHA-256 is stored; the key itself is shown once. */
export function generateApiKey(): { key: string; hash: string; prefix: string } {
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, hash: hashApiKey(key), prefix: key.slice(0, API_KEY_PREFIX.length + 6) };
}

/** SHA-256 suffices: the keys carry 256 bits of entropy, so there is nothing for a slow hash to protect. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class AuthenticationError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LAST_USED_RESOLUTION = '1 minute';

interface ApiKeyRow extends ApiKeyIdentity {
  throttle_bucket_size: number | null;
  throttle_restore_rate: number | null;
}

/**
 * The actor of a live API key, or null. One statement: it also stamps last_used_at, at most once a
 * minute per key, so busy keys do not write on every request.
 */
export async function actorForApiKey(db: DataSource | EntityManager, key: string): Promise<Actor | null> {
  if (!key.startsWith(API_KEY_PREFIX) || key.length > 200) return null;
  const rows: ApiKeyRow[] = await db.query(
    `WITH k AS (
       SELECT id, name, role, scopes, user_id, throttle_bucket_size, throttle_restore_rate, last_used_at FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
     ), stamp AS (
       UPDATE api_keys SET last_used_at = now() WHERE id IN (SELECT id FROM k WHERE last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}')
     )
     SELECT id, name, role, scopes, user_id, throttle_bucket_size, throttle_restore_rate FROM k`,
    [hashApiKey(key)],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    ...apiKeyActor(row),
    throttle: row.throttle_bucket_size || row.throttle_restore_rate ? { bucketSize: row.throttle_bucket_size, restoreRate: row.throttle_restore_rate } : null,
  };
}

/** What an API key's row says of who it acts as: the one rule for requests and for deliveries to its webhooks. */
export interface ApiKeyIdentity {
  id: string;
  name: string;
  role: AccessRole;
  scopes: Scope[];
  user_id: string | null;
}

/** The actor an API key acts as; scopes narrow PARTNER keys only (other roles have their role's permissions). */
export function apiKeyActor(key: ApiKeyIdentity): Extract<Actor, { kind: 'principal' }> {
  return {
    kind: 'principal',
    role: key.role,
    userId: key.user_id,
    scopes: key.role === AccessRole.PARTNER ? key.scopes : null,
    credential: { kind: 'api_key', id: key.id, label: `key ${key.name}` },
    label: `key ${key.name}`,
  };
}

const STAFF_ROLES = new Set<string>(Object.values(UserRole));

/** Verifies JWTs with jose: signature, expiry, issuer and audience; the subject is the user id and `role` a staff role. */
export class JwtVerifier {
  private key?: Promise<KeyObject | Awaited<ReturnType<typeof importSPKI>>>;

  constructor(private readonly config: JwtConfig) {}

  private verificationKey(): Promise<KeyObject | Awaited<ReturnType<typeof importSPKI>>> {
    this.key ??= this.config.secret
      ? Promise.resolve(createSecretKey(Buffer.from(this.config.secret, 'utf8')))
      : importSPKI(this.config.publicKey!, this.config.algorithm);
    return this.key;
  }

  /**
   * The actor of a valid token. The subject must be a staff user whose role is the token's: the user id goes
   * into touchpoints and lifecycle history, and a token must not outlive a change of role.
   */
  async actor(token: string, db: DataSource | EntityManager): Promise<Actor> {
    const actor = await this.verify(token);
    if (actor.kind !== 'principal') return actor;
    const [user]: Array<{ role: string }> = await db.query(`SELECT role FROM users WHERE id = $1`, [actor.userId]);
    if (!user) throw new AuthenticationError('The token’s subject is not a user here.');
    if (user.role !== actor.role) throw new AuthenticationError('The token’s role is not the user’s role: sign in again.');
    return actor;
  }

  private async verify(token: string): Promise<Actor> {
    try {
      const { payload } = await jwtVerify(token, await this.verificationKey(), {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: [this.config.algorithm],
        requiredClaims: ['sub', 'exp'],
      });
      const role = payload.role;
      if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) throw new AuthenticationError('The token’s subject must be a user id.');
      if (typeof role !== 'string' || !STAFF_ROLES.has(role)) throw new AuthenticationError(`The token’s role claim must be one of ${[...STAFF_ROLES].join(', ')}.`);
      const label = typeof payload.email === 'string' ? `jwt ${payload.email}` : `jwt ${payload.sub}`;
      return { kind: 'principal', role: role as AccessRole, userId: payload.sub, scopes: null, credential: { kind: 'jwt', id: payload.sub, label }, label };
    } catch (e) {
      if (e instanceof AuthenticationError) throw e;
      if (e instanceof joseErrors.JWTExpired) throw new AuthenticationError('The token has expired.');
      if (e instanceof joseErrors.JOSEError) throw new AuthenticationError('The token is not valid here (signature, issuer or audience).');
      throw e;
    }
  }
}

/** Reads `Authorization: Bearer <token>`; undefined when the header is absent, null when it is malformed. */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer +([^\s]+) *$/i.exec(header);
  return match ? match[1] : null;
}
