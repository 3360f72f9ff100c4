import DataLoader from 'dataloader';
import { DataSource, In, ObjectLiteral } from 'typeorm';
import { connection } from '../common/connection.types';
import type { Connection } from '../common/connection.types';
import { countByParent, findPagesByParent, ListArgs, ListSpec } from '../common/list-query';

type EntityClass<E> = { new (): E; name: string };

/**
 * The request's DataLoader registry (DataLoader README: one set of loaders per request, so
 * nothing is cached across users). Domain `*.loaders.ts` files build on these primitives.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<string, unknown>>();

  constructor(readonly db: DataSource) {}

  /** Memoises a loader under a key for the life of the request. */
  memo<V>(key: string, make: () => DataLoader<string, V>): DataLoader<string, V> {
    let loader = this.cache.get(key);
    if (!loader) {
      loader = make() as DataLoader<string, unknown>;
      this.cache.set(key, loader);
    }
    return loader as DataLoader<string, V>;
  }

  /** Records by primary key (soft-deleted ones included: a reference to a deleted owner still resolves). */
  byId<E extends ObjectLiteral & { id: string }>(entity: EntityClass<E>): DataLoader<string, E | null> {
    return this.memo(`byId:${entity.name}`, () =>
      new DataLoader<string, E | null>(async (ids) => {
        const rows = await this.db.getRepository(entity).find({ where: { id: In([...ids]) } as never, withDeleted: true });
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    );
  }

  /** One page of children per parent (e.g. a customer's orders), batched across parents. */
  pageByParent<E extends ObjectLiteral>(spec: ListSpec<E>, parentColumn: string, args: ListArgs): DataLoader<string, Connection<E>> {
    const key = `page:${spec.what}:${parentColumn}:${JSON.stringify(args)}`;
    return this.memo(key, () =>
      new DataLoader<string, Connection<E>>(async (parentIds) => {
        const pages = await findPagesByParent(this.db, spec, parentColumn, parentIds, args);
        const counts = this.countByParent(spec, parentColumn, args);
        return parentIds.map((id) => connection(pages.get(id)!, () => counts.load(id)));
      }),
    );
  }

  countByParent<E extends ObjectLiteral>(spec: ListSpec<E>, parentColumn: string, args: ListArgs): DataLoader<string, number> {
    const key = `count:${spec.what}:${parentColumn}:${JSON.stringify({ ...args, page: undefined, orderBy: undefined })}`;
    return this.memo(key, () =>
      new DataLoader<string, number>(async (parentIds) => {
        const counts = await countByParent(this.db, spec, parentColumn, parentIds, args);
        return parentIds.map((id) => counts.get(id) ?? 0);
      }),
    );
  }
}
