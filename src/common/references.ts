import type { EntityManager, ObjectLiteral } from 'typeorm';
import { UserErrorCode, UserErrors } from './errors';
import { decodeIdOf } from './ids';
import { byIdInScope } from './scoped';

type EntityClass<E> = { new (): E; name: string };

/**
 * Resolves a global ID given in an input to a live row's uuid, or records a user error
 * (INVALID_ID for a malformed or wrong-type ID, NOT_FOUND for an unknown or deleted row, or one
 * outside `scope`: the access policy's row condition on alias `a`, so a record the caller may
 * not see cannot be referenced either).
 */
export async function resolveReference<E extends ObjectLiteral>(
  m: EntityManager,
  errors: UserErrors,
  path: Array<string | number>,
  type: string,
  entity: EntityClass<E>,
  globalId: string | null | undefined,
  scope: string | null = null,
): Promise<string | null | undefined> {
  if (globalId === undefined || globalId === null) return globalId;
  const id = decodeIdOf(type, globalId);
  if (!id) {
    errors.add(path, UserErrorCode.INVALID_ID, `Not a valid ${type} ID.`);
    return undefined;
  }
  const found = await byIdInScope(m, entity, id, scope).getExists();
  if (!found) {
    errors.add(path, UserErrorCode.NOT_FOUND, `No ${type} with this ID.`);
    return undefined;
  }
  return id;
}

/**
 * Like resolveReference for many IDs of one type with one query, returning the live rows by
 * global ID (for callers that need more than the uuid, e.g. a product's price as a default).
 */
export async function loadReferences<E extends ObjectLiteral & { id: string }>(
  m: EntityManager,
  errors: UserErrors,
  refs: Array<{ path: Array<string | number>; globalId: string }>,
  type: string,
  entity: EntityClass<E>,
  scope: string | null = null,
): Promise<Map<string, E>> {
  const decoded = new Map<string, string>();
  for (const ref of refs) {
    const id = decodeIdOf(type, ref.globalId);
    if (id) decoded.set(ref.globalId, id);
    else errors.add(ref.path, UserErrorCode.INVALID_ID, `Not a valid ${type} ID.`);
  }
  const ids = [...new Set(decoded.values())];
  const qb = m.getRepository(entity).createQueryBuilder('a').where('a.id = ANY(:ids::uuid[])', { ids });
  if (scope) qb.andWhere(scope);
  const rows = ids.length ? await qb.getMany() : [];
  const live = new Map(rows.map((r) => [r.id, r]));
  const found = new Map<string, E>();
  for (const ref of refs) {
    const id = decoded.get(ref.globalId);
    if (!id) continue;
    const row = live.get(id);
    if (row) found.set(ref.globalId, row);
    else errors.add(ref.path, UserErrorCode.NOT_FOUND, `No ${type} with this ID.`);
  }
  return found;
}

/** Like resolveReference for many IDs of one type with one query. */
export async function resolveReferences<E extends ObjectLiteral & { id: string }>(
  m: EntityManager,
  errors: UserErrors,
  refs: Array<{ path: Array<string | number>; globalId: string }>,
  type: string,
  entity: EntityClass<E>,
  scope: string | null = null,
): Promise<Map<string, string>> {
  const rows = await loadReferences(m, errors, refs, type, entity, scope);
  return new Map([...rows].map(([globalId, row]) => [globalId, row.id]));
}
