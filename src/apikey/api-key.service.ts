import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { recordAudit, AuditSubject } from '../core/audit';
import { apiKeyChanged, generateApiKey } from '../core/credentials';
import { requiredText } from '../common/validate';
import type { ServiceDeps } from '../core/request-scope';
import { AccessRole, Scope } from '../core/roles';
import { User } from '../user/user.entity';
import { ApiKey } from './api-key.entity';
import { apiKeyList, CreateApiKeyInput, CreateApiKeyPayload, RevokeApiKeyPayload } from './api-key.types';

export interface NewApiKey {
  name: string;
  role: AccessRole;
  scopes?: Scope[] | null;
  /** The owning user's uuid. */
  userId?: string | null;
  expiresAt?: Date | null;
  throttle?: { bucketSize?: number | null; restoreRate?: number | null } | null;
  createdBy: string;
}

const MAX_BUCKET_SIZE = 100_000_000;
const MAX_RESTORE_RATE = 10_000_000;

/**
 * Creates a key inside the caller's transaction after checking the rules every path shares (the
 * mutation, the command line, the development key). Returns the key itself, which is never stored.
 */
export async function insertApiKey(m: EntityManager, errors: UserErrors, who: AuditSubject, input: NewApiKey, path = (f: string) => ['input', f]): Promise<{ apiKey: ApiKey; key: string } | null> {
  const name = requiredText(errors, path('name'), input.name, 200);
  const scopes = [...new Set(input.scopes ?? [])];
  if (input.role === AccessRole.PARTNER && !scopes.length) errors.add(path('scopes'), UserErrorCode.REQUIRED, 'A PARTNER key needs at least one scope.');
  if (input.role !== AccessRole.PARTNER && scopes.length) errors.add(path('scopes'), UserErrorCode.INVALID, 'Scopes apply to PARTNER keys only; a staff role decides what its key may do.');
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) errors.add(path('expiresAt'), UserErrorCode.OUT_OF_RANGE, 'The expiry must be in the future.');
  const bucketSize = input.throttle?.bucketSize ?? null;
  const restoreRate = input.throttle?.restoreRate ?? null;
  if (bucketSize !== null && !(Number.isInteger(bucketSize) && bucketSize >= 1 && bucketSize <= MAX_BUCKET_SIZE)) {
    errors.add([...path('throttle'), 'bucketSize'], UserErrorCode.OUT_OF_RANGE, `A whole number of cost points from 1 to ${MAX_BUCKET_SIZE.toLocaleString('en-US')}.`);
  }
  if (restoreRate !== null && !(Number.isFinite(restoreRate) && restoreRate > 0 && restoreRate <= MAX_RESTORE_RATE)) {
    errors.add([...path('throttle'), 'restoreRate'], UserErrorCode.OUT_OF_RANGE, `More than 0 and at most ${MAX_RESTORE_RATE.toLocaleString('en-US')} cost points a second.`);
  }
  let user: User | null = null;
  if (input.userId) {
    user = await m.getRepository(User).findOneBy({ id: input.userId });
    if (!user) errors.add(path('userId'), UserErrorCode.NOT_FOUND, 'No user with this ID.');
    // A key cannot act with more than its user may: a rep's key is a rep's key.
    else if (input.role !== AccessRole.PARTNER && input.role !== (user.role as string)) {
      errors.add(path('role'), UserErrorCode.INVALID, `The key acts as ${user.name}, who is ${user.role}: its role must be ${user.role}.`);
    }
  } else if (input.role === AccessRole.SALES_REP) {
    errors.add(path('userId'), UserErrorCode.REQUIRED, 'A SALES_REP key acts as a sales rep: name the user.');
  }
  if (errors.any) return null;
  const generated = generateApiKey();
  const repo = m.getRepository(ApiKey);
  const apiKey = repo.create({
    name: name!,
    role: input.role,
    scopes,
    userId: user?.id ?? null,
    keyHash: generated.hash,
    keyPrefix: generated.prefix,
    expiresAt: input.expiresAt ?? null,
    throttleBucketSize: bucketSize,
    throttleRestoreRate: restoreRate,
    createdBy: input.createdBy,
  });
  await repo.insert(apiKey);
  const stored = await repo.findOneByOrFail({ id: apiKey.id });
  await recordAudit(m, who, { action: 'apiKey.create', objectType: 'ApiKey', objectId: stored.id, after: stored });
  return { apiKey: stored, key: generated.key };
}

export async function revokeApiKey(m: EntityManager, errors: UserErrors, who: AuditSubject, id: string): Promise<ApiKey | null> {
  const repo = m.getRepository(ApiKey);
  const current = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  if (!current) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No API key with this ID.');
  else if (current.revokedAt) errors.add(['input', 'id'], UserErrorCode.ALREADY_DELETED, 'The key is already revoked.');
  if (errors.any || !current) return null;
  await repo.update({ id }, { revokedAt: () => 'now()' } as never);
  const revoked = await repo.findOneByOrFail({ id });
  await recordAudit(m, who, { action: 'apiKey.revoke', objectType: 'ApiKey', objectId: id, before: current, after: revoked });
  return revoked;
}

/** API keys, for ADMINs: create (shown once), list, revoke. */
export class ApiKeyService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<ApiKey>> {
    return this.deps.loaders.list(apiKeyList, args);
  }

  async create(input: CreateApiKeyInput): Promise<CreateApiKeyPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    let userId: string | null = null;
    if (input.userId) {
      userId = decodeIdOf('User', input.userId);
      if (!userId) errors.add(['input', 'userId'], UserErrorCode.INVALID_ID, 'Not a valid User ID.');
    }
    if (errors.any) return { apiKey: null, key: null, userErrors: errors.list };
    const created = await this.deps.db.transaction((m) =>
      insertApiKey(m, errors, this.deps, { ...input, userId, createdBy: this.deps.actor.label }),
    );
    return { apiKey: created?.apiKey ?? null, key: created?.key ?? null, userErrors: errors.list };
  }

  async revoke(globalId: string): Promise<RevokeApiKeyPayload> {
    this.deps.access.require('keys:write');
    const errors = new UserErrors();
    const id = decodeIdOf('ApiKey', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid ApiKey ID.');
      return { apiKey: null, userErrors: errors.list };
    }
    const apiKey = await this.deps.db.transaction((m) => revokeApiKey(m, errors, this.deps, id));
    // Committed: this process stops trusting the key before it answers (other processes on the announcement).
    if (apiKey) apiKeyChanged(id);
    return { apiKey: errors.any ? null : apiKey, userErrors: errors.list };
  }
}
