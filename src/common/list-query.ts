import { DataSource, EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import { badInput } from './errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageArgs, SortDirection } from './connection.types';
import { connection } from './connection.types';
import type { Connection } from './connection.types';
import { fromGlobalId, isUuid } from './ids';
import { hasNul } from './validate';

/**
 * One engine for every list in the API: typed filters compiled to parameterised SQL,
 * keyset (cursor) pagination both ways, and per-parent pages for nested connections
 * fetched in one statement, a LATERAL page per parent (what DataLoader batches into).
 */

export type FilterKind = 'text' | 'number' | 'decimal' | 'timestamp' | 'date' | 'enum' | 'bool' | 'id' | 'tags' | 'country';

export interface FilterField {
  /** SQL expression, with `{a}` standing for the table alias. */
  sql: string;
  kind: FilterKind;
  /** For kind 'id': the GraphQL type the global IDs must be of. */
  idType?: string;
  /** A stored score, read from the list's derived join (`sql` names its column as `d.<column>`). */
  derived?: true;
  /** Personal data: callers who see it masked cannot filter on it either (a filter would reveal it a guess at a time). */
  pii?: true;
  /**
   * A filter whose input is not a plain `{ op: value }` (e.g. a custom field: a key and a condition by type) compiles
   * itself, to conditions on alias `a`, through `compileField` and the statement's parameters. `sql` is then unused.
   */
  compile?: (input: Record<string, unknown>, params: Params, path: string) => string[];
}

export interface SortField {
  sql: string;
  /** Postgres type to cast the cursor value back to. */
  pgType: 'text' | 'timestamptz' | 'numeric' | 'float8' | 'int' | 'date' | 'uuid';
  /** A stored score, read from the list's derived join. */
  derived?: true;
  /**
   * Rows without a value sort last in both directions. For scores: "most valuable customers first" should open with
   * the most valuable, not with every customer who has no prediction. Otherwise nulls count as the largest value.
   */
  nullsLast?: true;
  /**
   * A placeholder for sorting by a custom field: the field and its expression depend on a definition, so the caller
   * resolves them per request and passes them as `ListArgs.customSort` (src/customfield/custom-field.sort.ts).
   */
  byCustomField?: true;
}

/** A filter input's fields, less the combinators (`and`, `or`, `not`): each needs SQL in the list's spec. */
export type FilterFieldsOf<F> = Exclude<keyof F, 'and' | 'or' | 'not'> & string;

/**
 * A list, described as data. Typed against its GraphQL filter input `F` and sort field enum `S`, so a filter or sort
 * the API offers without SQL behind it (or SQL for one it does not offer) does not compile.
 */
export interface ListSpec<E extends ObjectLiteral, F extends object = Record<string, unknown>, S extends string = string> {
  entity: EntityTarget<E>;
  /** What the items are called in error messages, e.g. "customer". */
  what: string;
  filters: Record<FilterFieldsOf<F>, FilterField>;
  sorts: Record<S, SortField>;
  defaultSort: { field: S; direction: SortDirection };
  /** Free-text search condition; `{a}` is the alias, `:search` the pattern. */
  search?: string;
  /** More search conditions over personal data, OR-ed in only for callers who may see it unmasked. */
  piiSearch?: string;
  /**
   * The table derived fields read as `d`, joined on `d.<key> = a.id` only when a statement reads it (e.g.
   * customer_scores: scores are rows the worker keeps current, so filtering and sorting on them is a join). The
   * table has a row for every item (written with it), so the join is an inner one, and a sort on a derived column
   * walks that column's index, with `d.<key>` as the tiebreak so that the cursor is part of the index range too.
   */
  derivedJoin?: { table: string; key: string };
}

/**
 * What the access policy confines a list to: a row condition (alias `a`) and whether personal data is masked.
 * Every entry point of the engine takes one, so no list can be read unscoped by accident.
 */
export interface ListScope {
  condition: string | null;
  masked: boolean;
}

/**
 * The derived row a page may read in its own statement when it joins the derived table anyway (a sort or filter on
 * a score): `columns` is a select list over `d` whose every alias starts with `d__`; the rows, as returned, go to
 * `onRows` (which hands them to whoever shows them, so the fields need no statement of their own).
 */
export interface DerivedRead {
  columns: string;
  onRows(rows: ReadonlyArray<Record<string, unknown>>): void;
}

export interface ListArgs {
  page?: PageArgs;
  filter?: Record<string, unknown> | null;
  orderBy?: { field: string; direction: SortDirection; customField?: string | null } | null;
  search?: string | null;
  includeDeleted?: boolean | null;
  /** The sort a `byCustomField` orderBy resolved to: its name in cursors (e.g. `customField:shoe_size`) and its SQL. */
  customSort?: { name: string; sort: SortField } | null;
  /**
   * The entity properties the caller reads from the items (core/selection.ts): the statement selects those
   * columns (and the key, the soft-delete column and the parent column) instead of all; absent or null, all.
   */
  columns?: readonly string[] | null;
}

const A = 'a';
const D = 'd';

function filterUsesDerived(spec: ListSpec<ObjectLiteral>, filter: Record<string, unknown> | null | undefined): boolean {
  if (!filter) return false;
  return Object.entries(filter).some(([key, raw]) => {
    if (raw === undefined || raw === null) return false;
    if (key === 'and' || key === 'or') return (raw as Array<Record<string, unknown>>).some((f) => filterUsesDerived(spec, f));
    if (key === 'not') return filterUsesDerived(spec, raw as Record<string, unknown>);
    return !!spec.filters[key]?.derived;
  });
}

/** Whether a filter names `field` anywhere, inside `and`, `or` and `not` too. */
export function filterNames(filter: Record<string, unknown> | null | undefined, field: string): boolean {
  if (!filter) return false;
  return Object.entries(filter).some(([key, raw]) => {
    if (raw === undefined || raw === null) return false;
    if (key === 'and' || key === 'or') return (raw as Array<Record<string, unknown>>).some((f) => filterNames(f, field));
    if (key === 'not') return filterNames(raw as Record<string, unknown>, field);
    return key === field;
  });
}

/** Whether the arguments filter or sort on a derived field (a stored score, joined as `d`). */
export function usesDerived(spec: ListSpec<ObjectLiteral>, args: ListArgs): boolean {
  return !!(args.orderBy && spec.sorts[args.orderBy.field]?.derived) || filterUsesDerived(spec, args.filter);
}

/** Accumulates named parameters for one statement. */
export class Params {
  private n = 0;
  readonly values: Record<string, unknown> = {};
  add(value: unknown): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `:${name}`;
  }
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function decodeIds(values: string[], type: string | undefined, path: string): string[] {
  return values.map((v) => {
    const decoded = fromGlobalId(v);
    if (!decoded || (type && decoded.type !== type)) throw badInput(`${path}: "${v}" is not a valid ${type ?? ''} ID`.replace('  ', ' '), { field: path });
    return decoded.id;
  });
}

/** Most values one `in`/`hasAny`/`hasAll` takes (also checked before any SQL, in src/server/cost.ts). */
export const MAX_IN = 1000;
const COMPARISONS: Record<string, string> = { eq: '=', neq: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** Filter instants and dates Postgres and JS agree on: years 0001 to 9999 (the DateTime and Date scalars also parse year 0000). */
const EARLIEST_FILTER_INSTANT = Date.parse('0001-01-01T00:00:00Z');
const LATEST_FILTER_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * A filter operand as a statement parameter, or BAD_USER_INPUT naming it: the GraphQL scalars have checked its type,
 * this refuses what they let through and Postgres would not take (NUL in text, a date of year 0000, a float that is
 * not finite).
 */
function operand(field: FilterField, v: unknown, path: string): unknown {
  if (field.kind === 'id') return decodeIds([v as string], field.idType, path)[0];
  if (typeof v === 'string' && hasNul(v)) throw badInput(`\`${path}\` must not contain NUL (\\u0000) characters`, { field: path });
  if (v instanceof Date) {
    const t = v.getTime();
    if (!(t >= EARLIEST_FILTER_INSTANT && t <= LATEST_FILTER_INSTANT)) throw badInput(`\`${path}\` must be a date from the year 1 to 9999`, { field: path });
    return v.toISOString();
  }
  if (typeof v === 'number' && !Number.isFinite(v)) throw badInput(`\`${path}\` must be a finite number`, { field: path });
  return v;
}

export function compileField(field: FilterField, ops: Record<string, unknown>, params: Params, path: string): string[] {
  const col = field.sql.replace(/\{a\}/g, A);
  const parts: string[] = [];
  const cast = field.kind === 'timestamp' ? '::timestamptz' : field.kind === 'date' ? '::date' : field.kind === 'number' || field.kind === 'decimal' ? '::numeric' : '';
  for (const [op, raw] of Object.entries(ops)) {
    if (raw === undefined || raw === null) continue;
    switch (op) {
      case 'eq':
      case 'neq':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        parts.push(`${col} ${COMPARISONS[op]} ${params.add(operand(field, raw, `${path}.${op}`))}${cast}`);
        break;
      case 'in':
      case 'hasAny':
      case 'hasAll': {
        const list = raw as unknown[];
        if (list.length > MAX_IN) throw badInput(`${path}.${op} accepts at most ${MAX_IN} values`, { field: path });
        const values = field.kind === 'id' ? decodeIds(list as string[], field.idType, path) : list.map((v, i) => operand(field, v, `${path}.${op}.${i}`));
        if (field.kind === 'tags') parts.push(`${col} ${op === 'hasAll' ? '@>' : '&&'} ${params.add(values)}::text[]`);
        else parts.push(`${col} = ANY(${params.add(values)}${field.kind === 'id' ? '::uuid[]' : cast ? `${cast}[]` : ''})`);
        break;
      }
      case 'has':
        parts.push(`${col} @> ARRAY[${params.add(operand(field, raw, `${path}.${op}`))}]::text[]`);
        break;
      case 'isEmpty':
        parts.push(raw ? `cardinality(${col}) = 0` : `cardinality(${col}) > 0`);
        break;
      case 'contains':
        parts.push(`${col} ILIKE ${params.add(`%${escapeLike(String(operand(field, raw, `${path}.${op}`)))}%`)}`);
        break;
      case 'isNull':
        parts.push(raw ? `${col} IS NULL` : `${col} IS NOT NULL`);
        break;
      default:
        throw badInput(`${path}: unknown operator ${op}`);
    }
  }
  return parts;
}

/** Compiles a filter input ({ field: { op: value }, and, or, not }) to SQL, or null for "no condition". */
export function compileFilter(spec: ListSpec<ObjectLiteral>, filter: Record<string, unknown> | null | undefined, params: Params, path = 'filter', masked = false): string | null {
  if (!filter) return null;
  const parts: string[] = [];
  for (const [key, raw] of Object.entries(filter)) {
    if (raw === undefined || raw === null) continue;
    if (key === 'and' || key === 'or') {
      const subs = (raw as Array<Record<string, unknown>>)
        .map((f, i) => compileFilter(spec, f, params, `${path}.${key}.${i}`, masked))
        .filter((s): s is string => !!s);
      if (subs.length) parts.push(`(${subs.join(key === 'and' ? ' AND ' : ' OR ')})`);
      else if (key === 'or' && (raw as unknown[]).length) parts.push('TRUE');
    } else if (key === 'not') {
      const sub = compileFilter(spec, raw as Record<string, unknown>, params, `${path}.not`, masked);
      if (sub) parts.push(`NOT (${sub})`);
    } else {
      const field = spec.filters[key];
      if (!field) throw badInput(`${path}.${key} cannot be filtered on`);
      if (field.pii && masked) throw badInput(`${path}.${key} is personal data, which your credential sees masked, so it cannot be filtered on.`, { field: `${path}.${key}` });
      const input = raw as Record<string, unknown>;
      parts.push(...(field.compile ? field.compile(input, params, `${path}.${key}`) : compileField(field, input, params, `${path}.${key}`)));
    }
  }
  return parts.length ? parts.join(' AND ') : null;
}

interface Cursor {
  v: string | null;
  id: string;
}

/*
 * A cursor is base64url(JSON [list, sort field, sort value, id]): the list it belongs to (the spec's `what`) and the
 * sort it was issued under travel with it, so a cursor of another list or another sort is refused instead of
 * silently paging from a meaningless spot, and the value is checked against the sort's Postgres type before any SQL
 * runs, so a forged cursor is the client's error and never a failed cast.
 */

/** Sort values as cursor text, the same whatever the session's DateStyle and TimeZone: instants in UTC to the microsecond. */
function sortValueSql(sort: SortField): string {
  const col = sort.sql.replace(/\{a\}/g, A);
  if (sort.pgType === 'timestamptz') return `to_char((${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
  if (sort.pgType === 'date') return `to_char(${col}, 'YYYY-MM-DD')`;
  return `(${col})::text`;
}

const MAX_CURSOR_LENGTH = 2048;
const INT4 = 2 ** 31;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
  return y >= 1 && days !== undefined && d >= 1 && d <= days;
}

/** Whether `v` is text Postgres casts to `pgType` without an error, in the form sortValueSql writes it. */
function isSortValue(pgType: SortField['pgType'], v: string): boolean {
  switch (pgType) {
    case 'text':
      return !hasNul(v);
    case 'uuid':
      return isUuid(v);
    case 'int':
      return /^-?\d{1,10}$/.test(v) && Math.abs(Number(v)) < INT4;
    case 'numeric':
      return /^-?\d{1,40}(\.\d{1,40})?$/.test(v);
    case 'float8': {
      // Postgres writes the shortest exact form, e.g. 0.25, 1e-05, 1.5e+20; it refuses what over- or underflows.
      if (!/^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d{1,3})?$/i.test(v)) return false;
      const x = Math.abs(Number(v));
      return Number.isFinite(x) && (x === 0 ? !/[1-9]/.test(v.split(/e/i)[0]) : x >= 1e-300);
    }
    case 'date': {
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      return !!m && isCalendarDate(+m[1], +m[2], +m[3]);
    }
    case 'timestamptz': {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/.exec(v);
      return !!m && isCalendarDate(+m[1], +m[2], +m[3]) && +m[4] < 24 && +m[5] < 60 && +m[6] < 60;
    }
  }
}

function encodeCursor(spec: ListSpec<ObjectLiteral>, sortField: string, value: string | null, id: string): string {
  return Buffer.from(JSON.stringify([spec.what, sortField, value, id]), 'utf8').toString('base64url');
}

function decodeCursor(spec: ListSpec<ObjectLiteral>, sortField: string, sort: SortField, cursor: string, name: string): Cursor {
  const refuse = (why: string) => badInput(`\`${name}\` ${why}`, { field: name });
  const notOurs = () => refuse(`is not a cursor of this list: pass the \`cursor\` of an edge, or \`pageInfo.endCursor\` / \`startCursor\`, of the same list`);
  let parsed: unknown;
  try {
    if (cursor.length > MAX_CURSOR_LENGTH) throw new Error('too long');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw notOurs();
  }
  if (!Array.isArray(parsed) || parsed.length !== 4) throw notOurs();
  const [list, field, v, id] = parsed as unknown[];
  if (typeof list !== 'string' || typeof field !== 'string') throw notOurs();
  if (list !== spec.what) throw refuse(`is a cursor of another list (${list}s), not of ${spec.what}s`);
  if (field !== sortField) throw refuse(`was issued for ${spec.what}s sorted by ${field}, not by ${sortField}: keep the same orderBy while paging`);
  if (typeof id !== 'string' || !isUuid(id) || (v !== null && (typeof v !== 'string' || !isSortValue(sort.pgType, v)))) throw notOurs();
  return { v, id: id.toLowerCase() };
}

interface Plan {
  limit: number;
  backward: boolean;
  sort: SortField;
  /** Effective SQL direction (flipped when paginating backward). */
  dir: 'ASC' | 'DESC';
  /** Whether nulls come first in the effective SQL order (also flipped when paginating backward). */
  nullsFirst: boolean;
  /** The orderBy field, as cursors name it. */
  sortField: string;
  /** The id column that breaks ties: the derived table's key when sorting on a derived column (same value). */
  idSql: string;
  cursor: Cursor | null;
  cursorName: string;
}

function plan(spec: ListSpec<ObjectLiteral>, args: ListArgs, topLevel = false): Plan {
  const { first, last, after, before } = args.page ?? {};
  if (first != null && last != null) throw badInput('Pass either `first` or `last`, not both');
  for (const [name, n] of [['first', first], ['last', last]] as const) {
    if (n != null && (n < 0 || n > MAX_PAGE_SIZE)) throw badInput(`\`${name}\` must be between 0 and ${MAX_PAGE_SIZE}, got ${n}`, { field: name });
  }
  const backward = last != null || (before != null && first == null);
  const limit = (backward ? last : first) ?? DEFAULT_PAGE_SIZE;
  const order = args.orderBy ?? spec.defaultSort;
  const named = spec.sorts[order.field];
  if (!named) throw badInput(`Cannot sort ${spec.what}s by ${order.field}`);
  if (named.byCustomField && !args.customSort) throw badInput(`Sorting ${spec.what}s by a custom field needs \`orderBy.customField\`, the key of a live field`, { field: 'orderBy.customField' });
  const sort = named.byCustomField && args.customSort ? args.customSort.sort : named;
  const sortField = named.byCustomField && args.customSort ? args.customSort.name : order.field;
  const asc = order.direction === SortDirection.ASC;
  const dir = asc !== backward ? 'ASC' : 'DESC';
  const nullsFirstAsShown = sort.nullsLast ? false : !asc;
  const nullsFirst = nullsFirstAsShown !== backward;
  if (!topLevel && usesDerived(spec, args)) {
    throw badInput(`Filtering and sorting ${spec.what}s by model scores is available on the top-level list only`);
  }
  const cursorName = backward ? 'before' : 'after';
  const raw = backward ? before : after;
  const idSql = sort.derived && spec.derivedJoin ? `${D}.${spec.derivedJoin.key}` : `${A}.id`;
  return { limit, backward, sort, dir, nullsFirst, sortField, idSql, cursor: raw ? decodeCursor(spec, sortField, sort, raw, cursorName) : null, cursorName };
}

function conditions(spec: ListSpec<ObjectLiteral>, args: ListArgs, p: Plan, params: Params, scope: ListScope, extra: string[] = []): string {
  const parts = [...extra];
  if (scope.condition) parts.push(`(${scope.condition})`);
  const filter = compileFilter(spec, args.filter, params, 'filter', scope.masked);
  if (filter) parts.push(`(${filter})`);
  if (args.search && spec.search) {
    const term = args.search.trim();
    if (hasNul(term)) throw badInput('`search` must not contain NUL (\\u0000) characters', { field: 'search' });
    const search = spec.piiSearch && !scope.masked ? `${spec.search} OR ${spec.piiSearch}` : spec.search;
    if (term) parts.push(`(${search.replace(/\{a\}/g, A).replace(/:search/g, params.add(`%${escapeLike(term)}%`))})`);
  }
  if (p.cursor) {
    const col = p.sort.sql.replace(/\{a\}/g, A);
    const op = p.dir === 'ASC' ? '>' : '<';
    const v = params.add(p.cursor.v);
    const id = params.add(p.cursor.id);
    // Row comparison keeps the keyset predicate index-friendly. After a row with a value come the rows further on,
    // then (nulls last) every null; after a null come the nulls further on, then (nulls first) every value.
    parts.push(
      p.cursor.v === null
        ? `((${col} IS NULL AND ${p.idSql} ${op} ${id}::uuid)${p.nullsFirst ? ` OR ${col} IS NOT NULL` : ''})`
        : `((${col}, ${p.idSql}) ${op} (${v}::${p.sort.pgType}, ${id}::uuid)${p.nullsFirst ? '' : ` OR ${col} IS NULL`})`,
    );
  }
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

function orderSql(p: Plan): string {
  const col = p.sort.sql.replace(/\{a\}/g, A);
  return `${col} ${p.dir} ${p.nullsFirst ? 'NULLS FIRST' : 'NULLS LAST'}, ${p.idSql} ${p.dir}`;
}

function toConnection<E extends ObjectLiteral>(spec: ListSpec<E>, rows: Array<{ entity: E; sortValue: string | null }>, p: Plan, count: () => Promise<number>): Connection<E> {
  const hasMore = rows.length > p.limit;
  const page = rows.slice(0, p.limit);
  if (p.backward) page.reverse();
  const cursorOf = (r: { entity: E; sortValue: string | null }) => encodeCursor(spec, p.sortField, r.sortValue, (r.entity as unknown as { id: string }).id);
  // Cursors are encoded only when a client selects them: most pages are read through `nodes`.
  const edges = page.map((r) => ({
    get cursor() {
      return cursorOf(r);
    },
    node: r.entity,
  }));
  const pageInfo = {
    hasNextPage: p.backward ? p.cursor !== null : hasMore,
    hasPreviousPage: p.backward ? hasMore : p.cursor !== null,
    get startCursor() {
      return page.length ? cursorOf(page[0]) : null;
    },
    get endCursor() {
      return page.length ? cursorOf(page[page.length - 1]) : null;
    },
  };
  return connection({ edges, nodes: edges.map((e) => e.node), pageInfo }, count);
}

/**
 * The hot read path maps rows itself: TypeORM's query builder and result transformer cost more than the SQL on a
 * page of 50 with nested connections. Columns and types still come from the entity metadata (the driver's own
 * hydration, column transformers included), so an entity read here equals one read through TypeORM.
 */
interface TableReader<E> {
  table: string;
  /** The entity's selected columns, by database name. */
  columns: string[];
  /** `a.<deleted_at> IS NULL`, or null for a table without soft delete. */
  live: string | null;
  hydrate(row: Record<string, unknown>): E;
  /** `a.*`, or for the given properties their columns, with the key and soft-delete column (and `extra` columns). */
  select(properties: readonly string[] | null | undefined, ...extra: string[]): string;
}

const readers = new WeakMap<DataSource, Map<unknown, TableReader<unknown>>>();

/**
 * Column types PostgresDriver.prepareHydratedValue converts (typeorm 0.3, driver/postgres/PostgresDriver.js). For any
 * other type without a transformer it returns the driver's value unchanged, so hydration skips the call: with ~20
 * columns a row and a few hundred rows a page, those calls showed in the W1 profile. A test holds this list to the
 * driver (test/api/row-mapping.test.ts reads every entity both ways).
 */
const CONVERTED_TYPES = new Set<unknown>([
  Boolean, Number, Date, 'datetime', 'timestamp', 'timestamp with time zone', 'timestamp without time zone', 'date', 'time',
  'vector', 'halfvec', 'hstore', 'simple-array', 'simple-json', 'cube', 'enum', 'simple-enum',
]);

function readerOf<E extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<E>): TableReader<E> {
  let byEntity = readers.get(ds);
  if (!byEntity) readers.set(ds, (byEntity = new Map()));
  let reader = byEntity.get(entity) as TableReader<E> | undefined;
  if (!reader) {
    const meta = ds.getMetadata(entity);
    const driver = ds.driver;
    // Worked out once per entity, not per row and column: where the value goes, and whether the driver changes it.
    const columns = meta.columns
      .filter((c) => !c.isVirtual && c.isSelect)
      .map((c) => ({
        column: c,
        name: c.databaseName,
        property: c.propertyName,
        prepared: !!c.transformer || CONVERTED_TYPES.has(c.type),
        // Not embedded and not virtual: ColumnMetadata.setEntityValue is `entity[propertyName] = value`.
        direct: !c.embeddedMetadata,
      }));
    const deleted = meta.deleteDateColumn?.databaseName;
    const byProperty = new Map(columns.filter((c) => c.direct).map((c) => [c.property, c.name]));
    const always = [...meta.primaryColumns.map((c) => c.databaseName), ...(deleted ? [deleted] : [])];
    reader = {
      table: meta.tablePath,
      columns: columns.map((c) => c.name),
      live: deleted ? `${A}.${deleted} IS NULL` : null,
      select(properties, ...extra) {
        if (!properties) return `${A}.*`;
        const names = new Set([...always, ...extra]);
        for (const p of properties) {
          const name = byProperty.get(p);
          // A property that is not a plain column of this table (a getter, an embedded column): read everything.
          if (!name) return `${A}.*`;
          names.add(name);
        }
        return [...names].map((n) => `${A}.${n}`).join(', ');
      },
      hydrate(row) {
        const entity = meta.create(undefined, { fromDeserializer: true }) as E;
        for (const c of columns) {
          let value = row[c.name];
          if (value === undefined) continue;
          if (c.prepared) value = driver.prepareHydratedValue(value, c.column);
          if (c.direct) (entity as Record<string, unknown>)[c.property] = value;
          else c.column.setEntityValue(entity, value);
        }
        return entity;
      },
    };
    byEntity.set(entity, reader as TableReader<unknown>);
  }
  return reader;
}

/**
 * Records by primary key, soft-deleted ones included, within a row condition on alias `a` (the caller's scope): the
 * by-id loaders' read, mapped like the lists' rows rather than through TypeORM's query builder. In no particular order.
 * `pageJoins`: one-to-one rows read with each record (see PageJoin).
 */
export async function findByIds<E extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<E>, ids: readonly string[], condition: string | null, pageJoins: readonly PageJoin[] = []): Promise<E[]> {
  const reader = readerOf(ds, entity);
  const params = new Params();
  const joins = joined(ds, pageJoins, A);
  const where = `${A}.id = ANY(${params.add([...ids])}::uuid[])${condition ? ` AND (${condition})` : ''}`;
  const rows = await run(ds, `SELECT ${A}.*${joins.columns} FROM ${reader.table} ${A}${joins.sql} WHERE ${where}`, params);
  return rows.map((row) => {
    const entity = reader.hydrate(row);
    joins.attach(row, entity);
    return entity;
  });
}

/** Entities from rows of `SELECT a.*, …` written by hand, mapped as the engine maps its own (extra columns ignored). */
export function hydrateRows<E extends ObjectLiteral>(ds: DataSource, entity: EntityTarget<E>, rows: ReadonlyArray<Record<string, unknown>>): E[] {
  const reader = readerOf(ds, entity);
  return rows.map((row) => reader.hydrate(row));
}

/** Runs SQL written with the list engine's named parameters (`:p0`…) as a positional statement. */
function run(ds: DataSource, sql: string, params: Params): Promise<Array<Record<string, unknown>>> {
  const [text, values] = ds.driver.escapeQueryWithParameters(sql, params.values, {});
  return ds.query(text, values);
}

/** FROM … WHERE for a list: the table as `a`, its derived table as `d` when the SQL reads it, live rows unless asked. */
function fromWhere<E extends ObjectLiteral>(reader: TableReader<E>, spec: ListSpec<E>, args: ListArgs, where: string, reads: readonly string[] = [], oneToOne = ''): string {
  const join = spec.derivedJoin;
  const joined = join && readsDerived(where, ...reads) ? ` JOIN ${join.table} ${D} ON ${D}.${join.key} = ${A}.id` : '';
  const live = reader.live && !args.includeDeleted ? `${reader.live} AND ` : '';
  return `FROM ${reader.table} ${A}${joined}${oneToOne} WHERE ${live}(${where})`;
}

/** Whether SQL of the list reads the derived table (alias `d`), so that the statement joins it. */
function readsDerived(...sql: string[]): boolean {
  return sql.some((s) => DERIVED_READ.test(s));
}
const DERIVED_READ = new RegExp(`\\b${D}\\.`);

/**
 * The ids of every live item a filter selects within the caller's scope, in id order, at most `limit` (pass one more
 * than a bulk operation takes, to tell the caller the set is too big). For operations on a filtered set in one
 * transaction (reassigning customers): the same filter, scope and derived join as the list.
 */
export async function matchingIds<E extends ObjectLiteral>(m: EntityManager, spec: ListSpec<E>, filter: Record<string, unknown> | null | undefined, scope: ListScope, limit: number): Promise<string[]> {
  const params = new Params();
  const sql = `${matchingSelect(m.connection, spec, filter, scope, params)} ORDER BY ${A}.id LIMIT ${params.add(limit)}`;
  const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, params.values, {});
  const rows: Array<{ id: string }> = await m.query(text, values);
  return rows.map((r) => r.id);
}

/**
 * `SELECT a.id FROM … WHERE …` for the items a filter selects within the caller's scope, its values added to
 * `params`: for set-based writes over a filtered set (INSERT … SELECT), which never bring the ids into JS.
 * `includeDeleted` keeps soft-deleted items, for a caller that records why it leaves them out.
 */
export function matchingSelect<E extends ObjectLiteral>(
  ds: DataSource,
  spec: ListSpec<E>,
  filter: Record<string, unknown> | null | undefined,
  scope: ListScope,
  params: Params,
  includeDeleted = false,
): string {
  const parts: string[] = [];
  if (scope.condition) parts.push(`(${scope.condition})`);
  const compiled = compileFilter(spec, filter, params, 'filter', scope.masked);
  if (compiled) parts.push(`(${compiled})`);
  const where = parts.length ? parts.join(' AND ') : 'TRUE';
  return `SELECT ${A}.id ${fromWhere(readerOf(ds, spec.entity), spec, { includeDeleted }, where)}`;
}

/**
 * A page of a top-level list, confined to the caller's scope. With `derived`, a page that joins the derived table
 * for its sort or filter also reads the derived row (see DerivedRead); `pageJoins`: one-to-one rows read with each
 * item (see PageJoin), e.g. each customer's owner.
 */
export async function findPage<E extends ObjectLiteral>(
  ds: DataSource,
  spec: ListSpec<E>,
  args: ListArgs,
  scope: ListScope,
  derived?: DerivedRead,
  pageJoins: readonly PageJoin[] = [],
): Promise<Connection<E>> {
  const p = plan(spec, args, true);
  const reader = readerOf(ds, spec.entity);
  const params = new Params();
  const where = conditions(spec, args, p, params, scope);
  const readDerived = !!derived && !!spec.derivedJoin && readsDerived(where, p.sort.sql);
  let rows: Array<{ entity: E; sortValue: string | null }> = [];
  if (p.limit > 0) {
    const joins = joined(ds, pageJoins, A);
    const raw = await run(
      ds,
      `SELECT ${reader.select(args.columns, ...joins.keys)}, ${sortValueSql(p.sort)} AS sort_value${readDerived ? `, ${derived!.columns}` : ''}${joins.columns} ` +
        `${fromWhere(reader, spec, args, where, [p.sort.sql], joins.sql)} ORDER BY ${orderSql(p)} LIMIT ${params.add(p.limit + 1)}`,
      params,
    );
    if (readDerived) derived!.onRows(raw.slice(0, p.limit));
    rows = raw.map((row) => {
      const entity = reader.hydrate(row);
      joins.attach(row, entity);
      return { entity, sortValue: row.sort_value as string | null };
    });
  }
  const count = async () => {
    const countParams = new Params();
    const countWhere = conditions(spec, args, { ...p, cursor: null }, countParams, scope);
    const [{ n }] = await run(ds, `SELECT count(*)::int AS n ${fromWhere(reader, spec, args, countWhere)}`, countParams);
    return n as number;
  };
  return toConnection(spec, rows, p, count);
}

/**
 * A row joined to each row of a page or of a by-id read, one to one (a line's product, a touchpoint's complaint, a
 * customer's owner), read in the same statement instead of by the loader that would look it up afterwards: `attach`
 * hands it to that loader.
 */
export interface PageJoin {
  entity: EntityTarget<ObjectLiteral>;
  /** The join condition: `{a}` stands for the page's (or by-id) row, `{c}` for the joined one. At most one row may match. */
  on: string;
  /** The caller's row scope on the joined table (alias `{c}`), as the loader that would read it applies. */
  condition: string | null;
  /** Each page row with its joined row: null when none matches within the scope. */
  attach(row: ObjectLiteral, joined: ObjectLiteral | null): void;
}

/**
 * The SQL of one-to-one joins to the row aliased `rowAlias` (columns as `j0__id`…, LEFT JOINs under each join's row
 * scope) and `attach`, which hands each row's joined records to the joins.
 */
function joined(ds: DataSource, pageJoins: readonly PageJoin[], rowAlias: string) {
  const joins = pageJoins.map((j, i) => ({ ...j, alias: `j${i}`, reader: readerOf(ds, j.entity) }));
  return {
    /** The row's columns the join conditions read (`{a}.<column>`): a row read narrow must still carry them. */
    keys: [...new Set(pageJoins.flatMap((j) => [...j.on.matchAll(/\{a\}\.(\w+)/g)].map((m) => m[1])))],
    columns: joins.flatMap((j) => j.reader.columns.map((c) => `, ${j.alias}.${c} AS "${j.alias}__${c}"`)).join(''),
    sql: joins
      .map((j) => {
        const on = j.on.replace(/\{a\}/g, rowAlias).replace(/\{c\}/g, j.alias);
        const condition = j.condition ? ` AND (${j.condition.replace(/\{c\}/g, j.alias)})` : '';
        return ` LEFT JOIN ${j.reader.table} ${j.alias} ON ${on}${condition}`;
      })
      .join(''),
    attach(row: Record<string, unknown>, entity: ObjectLiteral) {
      for (const j of joins) {
        const prefix = `${j.alias}__`;
        const found = row[`${prefix}id`] == null ? null : j.reader.hydrate(Object.fromEntries(j.reader.columns.map((c) => [c, row[prefix + c]])));
        j.attach(entity, found);
      }
    },
  };
}

/**
 * Pages for many parents at once (e.g. the orders of 50 customers): one statement, a LATERAL subquery per
 * parent keeps its first n+1. `withCount`: each parent's totalCount from the same statement (a window count
 * over the parent's matching rows; only for a first page, where no cursor narrows them), instead of a COUNT after.
 */
export async function findPagesByParent<E extends ObjectLiteral>(
  ds: DataSource,
  spec: ListSpec<E>,
  parentColumn: string,
  parentIds: readonly string[],
  args: ListArgs,
  scope: ListScope,
  options: { joins?: readonly PageJoin[]; withCount?: boolean } = {},
): Promise<{ pages: Map<string, Connection<E>>; counts: Map<string, number> | null }> {
  const p = plan(spec, args);
  const reader = readerOf(ds, spec.entity);
  const params = new Params();
  const parents = params.add(parentIds);
  const where = conditions(spec, args, p, params, scope, [`${A}.${parentColumn} = parent.id`]);
  const grouped = new Map<string, Array<{ entity: E; sortValue: string | null }>>();
  const withCount = !!options.withCount && !p.cursor && p.limit > 0;
  const counts = withCount ? new Map(parentIds.map((id) => [id, 0])) : null;
  if (p.limit > 0) {
    const joins = joined(ds, options.joins ?? [], 'page');
    // One index range scan per parent, stopping after n+1 rows, however long the parent's history: ranking every
    // child row of every parent (row_number()) grows with the histories and can tip the planner into a table scan.
    // The window count (asked only when totalCount is selected) reads the parent's matching rows whole, as COUNT would.
    const rows = await run(
      ds,
      `SELECT page.*${joins.columns} FROM unnest(${parents}::uuid[]) WITH ORDINALITY AS parent(id, n) CROSS JOIN LATERAL ` +
        `(SELECT ${reader.select(args.columns, parentColumn, ...joins.keys)}, ${sortValueSql(p.sort)} AS sort_value, row_number() OVER (ORDER BY ${orderSql(p)}) AS page_rank` +
        `${withCount ? ', count(*) OVER () AS page_total' : ''} ` +
        `${fromWhere(reader, spec, args, where)} ORDER BY ${orderSql(p)} LIMIT ${params.add(p.limit + 1)}) page${joins.sql} ` +
        `ORDER BY parent.n, page.page_rank`,
      params,
    );
    for (const row of rows) {
      const parent = row[parentColumn] as string;
      const list = grouped.get(parent) ?? [];
      const entity = reader.hydrate(row);
      list.push({ entity, sortValue: row.sort_value as string | null });
      grouped.set(parent, list);
      if (counts) counts.set(parent, Number(row.page_total));
      joins.attach(row, entity);
    }
  }
  const pages = new Map<string, Connection<E>>();
  for (const id of parentIds) {
    pages.set(id, toConnection(spec, grouped.get(id) ?? [], p, async () => 0));
  }
  return { pages, counts };
}

/** COUNT per parent for nested connections' totalCount, one statement for many parents. */
export async function countByParent<E extends ObjectLiteral>(
  ds: DataSource,
  spec: ListSpec<E>,
  parentColumn: string,
  parentIds: readonly string[],
  args: ListArgs,
  scope: ListScope,
): Promise<Map<string, number>> {
  const params = new Params();
  const p = { ...plan(spec, { ...args, page: {} }), cursor: null };
  const where = conditions(spec, args, p, params, scope, [`${A}.${parentColumn} = ANY(${params.add(parentIds)}::uuid[])`]);
  const rows = await run(ds, `SELECT ${A}.${parentColumn}::text AS parent_id, count(*)::int AS n ${fromWhere(readerOf(ds, spec.entity), spec, args, where)} GROUP BY 1`, params);
  const counts = new Map(rows.map((r) => [r.parent_id as string, r.n as number]));
  return new Map(parentIds.map((id) => [id, counts.get(id) ?? 0]));
}
