import type { EntityManager } from 'typeorm';
import type { ArchivableRecord } from './base.entity';
import { AuditSubject, recordAudit } from '../core/audit';
import { UserErrorCode, UserErrors } from './errors';
import { findInScope } from './scoped';

type EntityClass<E> = { new (): E; name: string };

/**
 * Soft-deletes (or restores) a row inside the caller's transaction and bumps its version,
 * under a row lock so two concurrent calls cannot both succeed. `extra` sets further columns
 * with SQL expressions. Returns the row as stored, or null after recording NOT_FOUND,
 * ALREADY_DELETED or NOT_DELETED at ["input", "id"]. A row outside `scope` (the access policy's
 * row condition on alias `a`) is NOT_FOUND. The change is written to the audit log as `<what>.delete`
 * or `<what>.restore`, in the same transaction.
 */
export async function setDeleted<E extends ArchivableRecord>(
  m: EntityManager,
  errors: UserErrors,
  entity: EntityClass<E>,
  what: string,
  id: string,
  deleted: boolean,
  who: AuditSubject,
  { extra = {}, scope = null }: { extra?: Record<string, () => string>; scope?: string | null } = {},
): Promise<E | null> {
  const repo = m.getRepository(entity);
  const current = await findInScope(m, entity, id, scope, { withDeleted: true, lock: true });
  if (!current) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, `No ${what} with this ID.`);
  else if (deleted && current.deletedAt) errors.add(['input', 'id'], UserErrorCode.ALREADY_DELETED, `The ${what} is already deleted.`);
  else if (!deleted && !current.deletedAt) errors.add(['input', 'id'], UserErrorCode.NOT_DELETED, `The ${what} is not deleted.`);
  if (errors.any) return null;
  await repo
    .createQueryBuilder()
    .update()
    .set({ ...extra, deletedAt: deleted ? () => 'now()' : null, version: () => 'version + 1' } as never)
    .where('id = :id', { id })
    .execute();
  const changed = await repo.findOneOrFail({ where: { id } as never, withDeleted: true });
  await recordAudit(m, who, { action: `${what}.${deleted ? 'delete' : 'restore'}`, objectType: entity.name, objectId: id, before: current, after: changed });
  return changed;
}
