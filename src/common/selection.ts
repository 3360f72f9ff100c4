import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

/**
 * What a query selects below the field being resolved, so that a loader can read with a page what its fields will
 * need (a connection's totalCount, its nodes' joined records) instead of looking it up after. Fragments count;
 * `@skip`/`@include` are not evaluated (reading something not shown costs time, never correctness).
 */
function selectionHas(info: GraphQLResolveInfo, set: SelectionSetNode | undefined, path: readonly string[]): boolean {
  if (!set) return false;
  const [name, ...rest] = path;
  return set.selections.some((s) => {
    if (s.kind === 'Field') return s.name.value === name && (rest.length === 0 || selectionHas(info, s.selectionSet, rest));
    if (s.kind === 'InlineFragment') return selectionHas(info, s.selectionSet, path);
    const fragment = info.fragments[s.name.value];
    return !!fragment && selectionHas(info, fragment.selectionSet, path);
  });
}

/** Whether the field being resolved selects `name` (e.g. a connection's `totalCount`). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((f) => selectionHas(info, f.selectionSet, [name]));
}

/** Whether a connection's nodes (through `nodes` or `edges { node }`) select any of `names`. */
export function nodesSelect(info: GraphQLResolveInfo, ...names: string[]): boolean {
  return info.fieldNodes.some((f) => names.some((n) => selectionHas(info, f.selectionSet, ['nodes', n]) || selectionHas(info, f.selectionSet, ['edges', 'node', n])));
}
