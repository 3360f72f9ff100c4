import DataLoader from 'dataloader';
import { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';
import { connection } from '../common/connection.types';
import type { Connection } from '../common/connection.types';
import { countByParent, findByIds, findPage, findPagesByParent, type DerivedRead, ListArgs, ListScope, ListSpec, PageJoin } from '../common/list-query';
import type { GraphQLResolveInfo } from 'graphql';
import { areaOfTable } from './access';
import type { AccessPolicy } from './access';
import { shownProperties, type Shape } from './selection';

type EntityClass<E> = { new (): E; name: string };

const columnProperties = new WeakMap<object, ReadonlySet<string>>();

/**
 * A row read with each row of a page (one to one) for the loader that would look it up after the page, e.g. an order
 * line's product for byId(Product): `prime` hands it over, so the lookup finds it without a statement. Joined only
 * when the caller may read the joined table at all, under the same row scope that loader applies.
 */
export interface PageJoinSpec<E extends ObjectLiteral, J extends ObjectLiteral> {
  /** Names the join in the request's loader registry. */
  name: string;
  entity: EntityClass<J>;
  /** `{a}`: the page's row, `{c}`: the joined one. At most one row may match. */
  on: string;
  prime(loaders: Loaders, row: E, joined: J | null): void;
}

/** Options of a nested page: rows to read with it, and whether its totalCount is selected (read with the first page). */
export interface PageReads<E extends ObjectLiteral> {
  joins?: ReadonlyArray<PageJoinSpec<E, any>>;
  withCount?: boolean;
}

/** Joins a page row's reference (column `column`, property `key`) to the record byId(entity) would load. */
export function byIdJoin<E extends ObjectLiteral, J extends ObjectLiteral & { id: string }>(entity: EntityClass<J>, column: string, key: (row: E) => string | null): PageJoinSpec<E, J> {
  return {
    name: `${entity.name}:${column}`,
    entity,
    on: `{c}.id = {a}.${column}`,
    prime: (loaders, row, joined) => {
      const id = key(row);
      if (id) loaders.byId(entity).prime(id, joined);
    },
  };
}

/**
 * The request's DataLoader registry (DataLoader README: one set of loaders per request, so
 * nothing is cached across users) and the read primitives every path goes through: each applies
 * the caller's access policy, so records outside the caller's scope are never loaded at all.
 * Domain `*.loaders.ts` files build on these primitives.
 */
export class Loaders {
  private readonly cache = new Map<string, DataLoader<string, unknown>>();

  constructor(
    readonly db: DataSource,
    readonly access: AccessPolicy,
  ) {}

  /** Memoises a loader under a key for the life of the request. */
  memo<V, K = string, C = K>(key: string, make: () => DataLoader<K, V, C>): DataLoader<K, V, C> {
    let loader = this.cache.get(key);
    if (!loader) {
      loader = make() as unknown as DataLoader<string, unknown>;
      this.cache.set(key, loader);
    }
    return loader as unknown as DataLoader<K, V, C>;
  }

  /** The table's name and the caller's scope on it; FORBIDDEN when the caller may not read that part of the CRM at all. */
  scopeOf(entity: EntityTarget<ObjectLiteral>): ListScope & { table: string } {
    const table = this.db.getMetadata(entity).tableName;
    return { table, condition: this.access.readScope(table), masked: this.access.masksPii };
  }

  /**
   * The properties of `entity` objects the current GraphQL field shows (its own selection, or a connection's nodes),
   * for `ListArgs.columns`; null when it may read any (see core/selection.ts).
   */
  shown(info: GraphQLResolveInfo, entity: EntityClass<ObjectLiteral>, shape: Shape = 'connection'): readonly string[] | null {
    let columns = columnProperties.get(entity);
    if (!columns) columnProperties.set(entity, (columns = new Set(this.db.getMetadata(entity).columns.map((c) => c.propertyName))));
    return shownProperties(info, entity.name, shape, columns);
  }

  /**
   * Records by primary key (soft-deleted ones included: a reference to a deleted owner still resolves);
   * null for a record outside the caller's scope, exactly as for one that does not exist.
   */
  byId<E extends ObjectLiteral & { id: string }>(entity: EntityClass<E>): DataLoader<string, E | null> {
    // Whole rows: one loader per entity serves every caller of the request (a page's owners and its touchpoints'
    // staff in one statement), and objects by id are few next to the rows of pages.
    return this.memo(`byId:${entity.name}`, () => {
      const { condition } = this.scopeOf(entity);
      return new DataLoader<string, E | null>(async (ids) => {
        const rows = await findByIds(this.db, entity, ids, condition);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      });
    });
  }

  /**
   * byId with one-to-one rows read in the same statement (a customer with its owner), each handed to the loader that
   * would look it up (see PageJoinSpec); the records prime byId(entity). A join the caller may not read is left out, so
   * its loader reads (or refuses) as it would have; without joins, this is byId(entity).
   */
  byIdJoined<E extends ObjectLiteral & { id: string }>(entity: EntityClass<E>, joins: ReadonlyArray<PageJoinSpec<E, any>>): DataLoader<string, E | null> {
    const joinSpecs = this.readableJoins(joins);
    if (!joinSpecs.length) return this.byId(entity);
    return this.memo(`byId:${entity.name}:${joinSpecs.map((j) => j.name).join(',')}`, () => {
      const { condition } = this.scopeOf(entity);
      const pageJoins = this.pageJoins(joinSpecs);
      return new DataLoader<string, E | null>(async (ids) => {
        const rows = await findByIds(this.db, entity, ids, condition, pageJoins);
        const plain = this.byId(entity);
        for (const row of rows) plain.prime(row.id, row);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      });
    });
  }

  /** One live record by a unique column (an external reference, an order number), within the caller's scope. */
  async findByUnique<E extends ObjectLiteral>(entity: EntityClass<E>, column: string, value: unknown): Promise<E | null> {
    const { condition } = this.scopeOf(entity);
    const qb = this.db.getRepository(entity).createQueryBuilder('a').where(`a.${column} = :value`, { value });
    if (condition) qb.andWhere(condition);
    return qb.getOne();
  }

  /**
   * A page of a top-level list, within the caller's scope (and its derived rows, when it joins them; see DerivedRead),
   * with `joins` read in its statement under the rules of nested pages (see pageByParent).
   */
  list<E extends ObjectLiteral>(spec: ListSpec<E>, args: ListArgs, derived?: DerivedRead, joins: ReadonlyArray<PageJoinSpec<E, any>> = []): Promise<Connection<E>> {
    return findPage(this.db, spec, args, this.scopeOf(spec.entity), derived, this.pageJoins(this.readableJoins(joins)));
  }

  /** The joins whose table the caller may read at all: any other is left to its loader, which answers as it would. */
  private readableJoins<E extends ObjectLiteral>(joins: ReadonlyArray<PageJoinSpec<E, any>>): Array<PageJoinSpec<E, any>> {
    return joins.filter((j) => this.access.can(`${areaOfTable(this.db.getMetadata(j.entity).tableName)}:read`));
  }

  /** Joins as the list engine reads them, each under the row scope its loader applies. */
  private pageJoins<E extends ObjectLiteral>(joins: ReadonlyArray<PageJoinSpec<E, any>>): PageJoin[] {
    return joins.map((j) => ({
      entity: j.entity,
      on: j.on,
      condition: this.access.rowCondition(this.db.getMetadata(j.entity).tableName, '{c}'),
      attach: (row, joined) => j.prime(this, row as E, joined),
    }));
  }

  /** One page of children per parent (e.g. a customer's orders), batched across parents. */
  pageByParent<E extends ObjectLiteral>(spec: ListSpec<E>, parentColumn: string, args: ListArgs, reads: PageReads<E> = {}): DataLoader<string, Connection<E>> {
    const joinSpecs = this.readableJoins(reads.joins ?? []);
    const key = `page:${spec.what}:${parentColumn}:${JSON.stringify(args)}:${joinSpecs.map((j) => j.name).join(',')}:${reads.withCount ? 'count' : ''}`;
    return this.memo(key, () => {
      const scope = this.scopeOf(spec.entity);
      const joins = this.pageJoins(joinSpecs);
      return new DataLoader<string, Connection<E>>(async (parentIds) => {
        const { pages, counts } = await findPagesByParent(this.db, spec, parentColumn, parentIds, args, scope, { joins, withCount: reads.withCount });
        const countLoader = this.countByParent(spec, parentColumn, args);
        if (counts) for (const [id, n] of counts) countLoader.prime(id, n);
        return parentIds.map((id) => connection(pages.get(id)!, () => countLoader.load(id)));
      });
    });
  }

  countByParent<E extends ObjectLiteral>(spec: ListSpec<E>, parentColumn: string, args: ListArgs): DataLoader<string, number> {
    const key = `count:${spec.what}:${parentColumn}:${JSON.stringify({ ...args, page: undefined, orderBy: undefined, columns: undefined })}`;
    return this.memo(key, () => {
      const scope = this.scopeOf(spec.entity);
      return new DataLoader<string, number>(async (parentIds) => {
        const counts = await countByParent(this.db, spec, parentColumn, parentIds, args, scope);
        return parentIds.map((id) => counts.get(id) ?? 0);
      });
    });
  }
}
