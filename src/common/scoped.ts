import type { EntityManager, ObjectLiteral } from 'typeorm';

type EntityClass<E> = { new (): E; name: string };

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
  const qb = m.getRepository(entity).createQueryBuilder('a').where('a.id = :id', { id });
  if (options.withDeleted) qb.withDeleted();
  if (scope) qb.andWhere(scope);
  if (options.lock) qb.setLock('pessimistic_write', undefined, ['a']);
  return qb.getOne();
}
