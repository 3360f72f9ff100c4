import type { EntityManager, ObjectLiteral } from 'typeorm';

type EntityClass<E> = { new (): E; name: string };

/** The query for one row by id within `scope` (the access policy's row condition on alias `a`). */
export function byIdInScope<E extends ObjectLiteral>(m: EntityManager, entity: EntityClass<E>, id: string, scope: string | null) {
  const qb = m.getRepository(entity).createQueryBuilder('a').where('a.id = :id', { id });
  return scope ? qb.andWhere(scope) : qb;
}

/**
 * A row by id for a write, within `scope` (the access policy's row condition on alias `a`): null when
 * it does not exist or lies outside the caller's scope, so both answer NOT_FOUND. `lock` takes
 * FOR UPDATE, as a change of the row needs.
 */
export async function findInScope<E extends ObjectLiteral>(
  m: EntityManager,
  entity: EntityClass<E>,
  id: string,
  scope: string | null,
  options: { withDeleted?: boolean; lock?: boolean } = {},
): Promise<E | null> {
  const qb = byIdInScope(m, entity, id, scope);
  if (options.withDeleted) qb.withDeleted();
  if (options.lock) qb.setLock('pessimistic_write', undefined, ['a']);
  return qb.getOne();
}
