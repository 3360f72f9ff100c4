import { Field, InputType, Int, ObjectType, registerEnumType, ArgsType } from 'type-graphql';
import type { ClassType } from 'type-graphql';

@ObjectType({ description: 'Where a page sits in the whole list (Relay cursor connections).' })
export class PageInfo {
  @Field({ description: 'More items follow the last edge (when paginating forward with `first`).' })
  hasNextPage: boolean;

  @Field({ description: 'More items precede the first edge (when paginating backward with `last`).' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; pass it as `before` for the previous page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; pass it as `after` for the next page.' })
  endCursor: string | null;
}

export enum SortDirection {
  ASC = 'ASC',
  DESC = 'DESC',
}
registerEnumType(SortDirection, {
  name: 'SortDirection',
  description: 'Sort order.',
  valuesConfig: { ASC: { description: 'Smallest / oldest / A first.' }, DESC: { description: 'Largest / newest / Z first.' } },
});

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Return the first n items after \`after\` (at most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor: return items after this one.' })
  after?: string | null;

  @Field(() => Int, { nullable: true, description: `Return the last n items before \`before\` (at most ${MAX_PAGE_SIZE}).` })
  last?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor: return items before this one.' })
  before?: string | null;
}

/** What every connection resolves to; totalCount is a getter so its COUNT runs only when the field is selected. */
export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  nodes: T[];
  pageInfo: PageInfo;
  readonly totalCount: Promise<number>;
}

export function connection<T>(page: Omit<Connection<T>, 'totalCount'>, count: () => Promise<number>): Connection<T> {
  let memo: Promise<number> | null = null;
  return {
    edges: page.edges,
    nodes: page.nodes,
    pageInfo: page.pageInfo,
    get totalCount() {
      memo ??= count();
      return memo;
    },
  };
}

/** Declares `<Name>Edge` and `<Name>Connection` for a node type. */
export function ConnectionType<T extends object>(nodeType: ClassType<T>, name: string, what: string) {
  @ObjectType(`${name}Edge`, { description: `One ${what} in a page, with its cursor.` })
  class Edge {
    @Field({ description: 'Opaque cursor of this item, for `after` / `before`.' })
    cursor: string;

    @Field(() => nodeType, { description: `The ${what}.` })
    node: T;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${what}s (Relay cursor connection, keyset-paginated).` })
  class ConnectionClass {
    @Field(() => [Edge], { description: 'Items with their cursors.' })
    edges: Edge[];

    @Field(() => [nodeType], { description: 'The items, without cursors: a shortcut for `edges { node }`.' })
    nodes: T[];

    @Field(() => PageInfo, { description: 'Cursors and whether more pages exist.' })
    pageInfo: PageInfo;

    // Not `simple`: the value is a promise (a getter, so the COUNT runs only when selected), and only a field's own
    // resolver may return one under compiled execution (graphql-jit reads plain properties as they are).
    @Field(() => Int, { simple: false, description: 'Number of items matching the filter across all pages (runs a COUNT; ask for it only when you need it).' })
    totalCount: number;
  }
  return ConnectionClass;
}

/**
 * Declares `<Name>OrderBy` ({ field, direction }) for an enum of sortable fields; with `customFields`, also
 * `customField`, the key a `CUSTOM_FIELD` sort orders by.
 */
export function OrderByType<TEnum extends object>(fieldEnum: TEnum, name: string, defaultField: TEnum[keyof TEnum], defaultDirection: SortDirection, options: { customFields?: boolean } = {}) {
  @InputType(`${name}OrderBy`, { description: `How to sort ${name} lists. Ties are broken by ID so pages are stable.` })
  class OrderBy {
    @Field(() => fieldEnum, { defaultValue: defaultField, description: 'Field to sort by.' })
    field: TEnum[keyof TEnum];

    @Field(() => SortDirection, { defaultValue: defaultDirection, description: 'Direction.' })
    direction: SortDirection;

    customField?: string | null;
  }
  if (options.customFields) {
    // Declared only on lists whose records carry custom fields, so other lists' inputs stay as they were.
    Field(() => String, {
      nullable: true,
      description:
        'With `field: CUSTOM_FIELD`: the key of the live custom field to sort by (numbers numerically, dates chronologically, text and choices alphabetically; records without a value last in both directions).',
    })(OrderBy.prototype, 'customField');
  }
  return OrderBy;
}
