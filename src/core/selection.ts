import { Kind, isObjectType, type FieldNode, type GraphQLObjectType, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { Extensions } from 'type-graphql';

/**
 * What a query selects below the field being resolved, so that a loader reads with a page what its fields will need
 * (the columns they show, a connection's totalCount, its nodes' joined records) and nothing else. Reading and
 * converting every column of every row was about a sixth of the CPU of a page of 50 customers with their orders and
 * contacts.
 *
 * A field of an entity's GraphQL type reads the column of the same property name; any other field declares the
 * properties it reads with `@Reads(…)`. A field that does neither (most computed fields) makes the list read every
 * column, so a field nobody annotated can never see a column missing: the worst case is today's `SELECT a.*`.
 */
export const READS = 'rapportReads';

/** The entity properties a field reads from its object, for a field that is not a column of the same name. */
export function Reads(...properties: string[]): MethodDecorator & PropertyDecorator {
  return Extensions({ [READS]: properties }) as MethodDecorator & PropertyDecorator;
}

/** Where the objects are in the selection: the field's own selection, or a connection's `nodes` and `edges.node`. */
export type Shape = 'object' | 'connection';

/**
 * Results by the field's parsed nodes. graphql builds a new `fieldNodes` array per execution, but the nodes in it come
 * from the parsed document, which Apollo keeps per query text: keyed by the first node, compared on all of them.
 */
const cache = new WeakMap<FieldNode, Array<{ nodes: readonly FieldNode[]; byKey: Map<string, readonly string[] | null> }>>();

function cacheFor(fieldNodes: readonly FieldNode[]): Map<string, readonly string[] | null> {
  let entries = cache.get(fieldNodes[0]);
  if (!entries) cache.set(fieldNodes[0], (entries = []));
  let entry = entries.find((e) => e.nodes.length === fieldNodes.length && e.nodes.every((n, i) => n === fieldNodes[i]));
  if (!entry) entries.push((entry = { nodes: [...fieldNodes], byKey: new Map() }));
  return entry.byKey;
}

/**
 * The properties of `typeName` objects the current field's selection reads, or null when it may read any. `columns`
 * are the entity's column properties. Worked out once per query document, not per row or request.
 */
export function shownProperties(info: GraphQLResolveInfo, typeName: string, shape: Shape, columns: ReadonlySet<string>): readonly string[] | null {
  const byKey = cacheFor(info.fieldNodes);
  const key = `${typeName}:${shape}`;
  if (byKey.has(key)) return byKey.get(key)!;
  const result = compute(info, typeName, shape, columns);
  byKey.set(key, result);
  return result;
}

function compute(info: GraphQLResolveInfo, typeName: string, shape: Shape, columns: ReadonlySet<string>): readonly string[] | null {
  const type = info.schema.getType(typeName);
  if (!isObjectType(type)) return null;
  const objectSets = shape === 'object' ? info.fieldNodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : [])) : nodeSelections(info);
  const shown = new Set<string>();
  for (const set of objectSets) {
    for (const f of fieldsOf(info, set, type)) {
      const name = f.name.value;
      if (name === '__typename') continue;
      const field = type.getFields()[name];
      const reads = field?.extensions?.[READS] as string[] | undefined;
      if (reads) reads.forEach((p) => shown.add(p));
      else if (columns.has(name)) shown.add(name);
      else return null;
    }
  }
  return [...shown];
}

/** Whether the field being resolved selects `name` (e.g. a connection's `totalCount`). */
export function selects(info: GraphQLResolveInfo, name: string): boolean {
  return info.fieldNodes.some((f) => !!f.selectionSet && fieldsOf(info, f.selectionSet, null).some((s) => s.name.value === name));
}

/** Whether a connection's nodes (through `nodes` or `edges { node }`) select any of `names`. */
export function nodesSelect(info: GraphQLResolveInfo, ...names: string[]): boolean {
  return nodeSelections(info).some((set) => fieldsOf(info, set, null).some((f) => names.includes(f.name.value)));
}

/** The selection sets of a connection's nodes: under `nodes` and under `edges { node }`. */
function nodeSelections(info: GraphQLResolveInfo): SelectionSetNode[] {
  const sets: SelectionSetNode[] = [];
  for (const node of info.fieldNodes) {
    if (!node.selectionSet) continue;
    for (const f of fieldsOf(info, node.selectionSet, null)) {
      if (f.name.value === 'nodes' && f.selectionSet) sets.push(f.selectionSet);
      if (f.name.value === 'edges' && f.selectionSet) {
        for (const e of fieldsOf(info, f.selectionSet, null)) if (e.name.value === 'node' && e.selectionSet) sets.push(e.selectionSet);
      }
    }
  }
  return sets;
}

/**
 * The fields of a selection set, through fragments. A fragment on another type (an interface's other
 * implementations) is skipped only when it names an object type other than `type`; @skip and @include are ignored,
 * which can only add fields.
 */
function fieldsOf(info: GraphQLResolveInfo, set: SelectionSetNode, type: GraphQLObjectType | null, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.FIELD) out.push(s);
    else if (s.kind === Kind.INLINE_FRAGMENT) {
      if (applies(info, s.typeCondition?.name.value, type)) out.push(...fieldsOf(info, s.selectionSet, type, seen));
    } else {
      const fragment = info.fragments[s.name.value];
      if (!fragment || seen.has(s.name.value)) continue;
      seen.add(s.name.value);
      if (applies(info, fragment.typeCondition.name.value, type)) out.push(...fieldsOf(info, fragment.selectionSet, type, seen));
    }
  }
  return out;
}

function applies(info: GraphQLResolveInfo, condition: string | undefined, type: GraphQLObjectType | null): boolean {
  if (!condition || !type) return true;
  const named = info.schema.getType(condition);
  return !isObjectType(named) || named.name === type.name;
}
