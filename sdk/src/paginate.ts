import { RapportError } from './errors';

/** What auto-pagination needs from a Relay connection: its items and where the next page starts. */
export interface ConnectionLike<N> {
  nodes?: ReadonlyArray<N>;
  edges?: ReadonlyArray<{ node: N }>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null };
}

/** The item type of a connection: from `nodes`, or else from `edges { node }`. */
export type NodeOf<C> = C extends { nodes: ReadonlyArray<infer N> } ? N : C extends { edges: ReadonlyArray<{ node: infer N }> } ? N : never;

/** Variables of a forward-paginated connection query. */
export interface ForwardPageVariables {
  after?: string | null;
}

/**
 * Walks a connection page by page (forward, with `first`/`after`) and yields every item.
 * One request per page, made only when the loop needs it, so `break` stops fetching.
 *
 *   for await (const t of paginate(rapport.customerLifecycleHistory, { id }, (r) => r.customer?.lifecycleHistory)) { ... }
 *
 * `selectConnection` returns null/undefined when the parent is gone (e.g. a deleted customer): the walk ends.
 * Set `first` in the variables to choose the page size (the server caps it at 100).
 */
export async function* paginate<V extends ForwardPageVariables, R, C extends ConnectionLike<unknown>, O = unknown>(
  operation: (variables: V, options?: O) => Promise<R>,
  variables: V,
  selectConnection: (result: R) => C | null | undefined,
  options?: O,
): AsyncGenerator<NodeOf<C>, void, undefined> {
  const vars = variables as V & { last?: unknown; before?: unknown };
  if (vars.last != null || vars.before != null) {
    throw new RapportError('paginate walks forward: pass `first`/`after`, not `last`/`before`');
  }
  let after = variables.after ?? null;
  for (;;) {
    const connection = selectConnection(await operation({ ...variables, after }, options));
    if (!connection) return;
    const items = connection.nodes ?? connection.edges?.map((e) => e.node);
    if (!items) throw new RapportError('paginate needs `nodes` or `edges { node }` in the connection selection');
    for (const item of items) yield item as NodeOf<C>;
    const { hasNextPage, endCursor } = connection.pageInfo;
    if (!hasNextPage) return;
    // A server bug must not turn into an endless loop that re-reads the same page.
    if (!endCursor || endCursor === after) throw new RapportError('paginate: hasNextPage is true but endCursor did not advance');
    after = endCursor;
  }
}
