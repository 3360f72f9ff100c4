import { createHash, randomBytes } from 'node:crypto';
import { createSecretKey, KeyObject } from 'node:crypto';
import { errors as joseErrors, importSPKI, jwtVerify } from 'jose';
import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';
import type { Actor } from './actor';
import type { JwtConfig } from './config';
import { log } from './logger';
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
  expires_at: Date | null;
}

/** A live API key as read from its row: its actor, and when it expires. */
interface LiveApiKey {
  id: string;
  actor: Actor;
  expiresAt: number | null;
}

/**
 * The actor of a live API key, or null. One statement: it also stamps last_used_at, at most once a
 * minute per key, so busy keys do not write on every request.
 */
export async function actorForApiKey(db: DataSource | EntityManager, key: string): Promise<Actor | null> {
  const keyHash = lookupHash(key);
  return keyHash ? ((await readApiKey(db, keyHash))?.actor ?? null) : null;
}

/** The hash a presented key is looked up by; null for a string that cannot be one of our keys. */
function lookupHash(key: string): string | null {
  return key.startsWith(API_KEY_PREFIX) && key.length <= 200 ? hashApiKey(key) : null;
}

async function readApiKey(db: DataSource | EntityManager, keyHash: string): Promise<LiveApiKey | null> {
  const rows: ApiKeyRow[] = await db.query(
    `WITH k AS (
       SELECT id, name, role, scopes, user_id, throttle_bucket_size, throttle_restore_rate, expires_at, last_used_at FROM api_keys
        WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
     ), stamp AS (
       UPDATE api_keys SET last_used_at = now() WHERE id IN (SELECT id FROM k WHERE last_used_at IS NULL OR last_used_at < now() - interval '${LAST_USED_RESOLUTION}')
     )
     SELECT id, name, role, scopes, user_id, throttle_bucket_size, throttle_restore_rate, expires_at FROM k`,
    [keyHash],
  );
  const row = rows[0];
  if (!row) return null;
  return {
    id: row.id,
    expiresAt: row.expires_at?.getTime() ?? null,
    actor: {
      ...apiKeyActor(row),
      throttle: row.throttle_bucket_size || row.throttle_restore_rate ? { bucketSize: row.throttle_bucket_size, restoreRate: row.throttle_restore_rate } : null,
    },
  };
}

/** The channel a change to what an API key grants is announced on, with the key's id (migration 1735300000000). */
export const API_KEY_CHANGED_CHANNEL = 'rapport_api_key_changed';

/** How long a remembered key is trusted without reading its row again (which also stamps its last use). */
const REMEMBERED_FOR_MS = 30_000;
/** After the listening connection is lost (or could not open), how long until a request tries to open it again. */
const LISTEN_AGAIN_AFTER_MS = 5_000;
const MAX_REMEMBERED_KEYS = 10_000;

/**
 * The API keys this process has authenticated, so that a request does not read its key's row every time (that
 * statement was a quarter of the CPU of a small request). Trusted only while this process listens on
 * API_KEY_CHANGED_CHANNEL, which Postgres notifies when a change to a key commits, from any process: the key is
 * dropped then and read again on its next use. Changes made through this process (revokeApiKey, the CLI) drop it
 * at once, before they answer. Otherwise a key is read again after REMEMBERED_FOR_MS, and never used past its expiry.
 *
 * A read that was in flight while a change was announced is not remembered (`changes` moved on), so an answer
 * read before the change cannot outlive it. Without the listening connection (lost, or not yet open) nothing is
 * remembered: every request reads its key, as it did before, and a request LISTEN_AGAIN_AFTER_MS after the last
 * attempt opens it again (no timer: a process nobody calls has nothing to remember).
 */
export class RememberedApiKeys {
  private readonly keys = new Map<string, LiveApiKey & { readAt: number }>();
  private changes = 0;
  private listener: Client | null = null;
  private stopped = false;
  private opening: Promise<void> | null = null;
  private lastAttempt = 0;

  /** `now`: the clock in milliseconds (the app's; tests move it instead of waiting). */
  constructor(
    private readonly connection: () => Client,
    private readonly now: () => number = Date.now,
  ) {
    live.add(this);
  }

  /** Opens the listening connection; until it is open (and after it is lost), keys are read on every request. */
  async start(): Promise<void> {
    this.lastAttempt = this.now();
    const client = this.connection();
    const lost = () => {
      if (this.listener === client) this.listener = null;
      this.forgetAll();
    };
    client.on('error', (e: Error) => {
      log.warn(`the connection announcing API key changes failed; keys are read on every request (${e.message})`);
      lost();
    });
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === API_KEY_CHANGED_CHANNEL) this.forget(n.payload ?? null);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${API_KEY_CHANGED_CHANNEL}`);
    } catch (e) {
      log.warn('could not listen for API key changes; keys are read on every request', e);
      await client.end().catch(() => {});
      return;
    }
    if (this.stopped) return void (await client.end().catch(() => {}));
    this.listener = client;
    // Reads that started before it listened may predate a change it did not hear: they are not remembered.
    this.forgetAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    live.delete(this);
    const client = this.listener;
    this.listener = null;
    this.forgetAll();
    await client?.end().catch(() => {});
  }

  /** The actor of a live API key, or null: from memory when it may be trusted, else from its row. */
  async actorFor(db: DataSource | EntityManager, key: string): Promise<Actor | null> {
    const keyHash = lookupHash(key);
    if (!keyHash) return null;
    const now = this.now();
    if (!this.listener && !this.opening && !this.stopped && now - this.lastAttempt >= LISTEN_AGAIN_AFTER_MS) {
      this.opening = this.start().finally(() => (this.opening = null));
    }
    const known = this.listener ? this.keys.get(keyHash) : undefined;
    if (known && now - known.readAt < REMEMBERED_FOR_MS && (known.expiresAt === null || known.expiresAt > now)) return known.actor;
    const changesBefore = this.changes;
    const read = await readApiKey(db, keyHash);
    this.keys.delete(keyHash);
    if (read && this.listener && this.changes === changesBefore) {
      if (this.keys.size >= MAX_REMEMBERED_KEYS) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(keyHash, { ...read, readAt: now });
    }
    return read?.actor ?? null;
  }

  /** Drops a key (by id; null: every key) and makes reads in flight unfit to remember. */
  forget(id: string | null): void {
    this.changes++;
    if (id === null) return this.forgetAll();
    for (const [hash, known] of this.keys) if (known.id === id) this.keys.delete(hash);
  }

  private forgetAll(): void {
    this.changes++;
    this.keys.clear();
  }
}

const live = new Set<RememberedApiKeys>();

/** A change to an API key committed by this process: every remembered copy of it here goes at once. */
export function apiKeyChanged(id: string): void {
  for (const remembered of live) remembered.forget(id);
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
