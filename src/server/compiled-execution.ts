import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  astFromValue,
  DocumentNode,
  execute,
  ExecutionResult,
  getOperationAST,
  getNamedType,
  GraphQLError,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  OperationDefinitionNode,
  typeFromAST,
  valueFromASTUntyped,
  visit,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { compileQuery, CompiledQuery, isCompiledQuery } from 'graphql-jit';
import type { GraphqlExecution } from '../core/config';
import { graphqlCompilations, graphqlExecutions } from '../core/metrics';

/** How many documents' compiled operations a server keeps (least recently used go first). */
export const MAX_COMPILED_DOCUMENTS = 500;

/**
 * Operations run through graphql-jit (GRAPHQL_EXECUTION=compiled, the default): each document is compiled once into
 * a function that resolves exactly its selection, instead of graphql-js walking the document again for every object
 * of every list (a page of 50 customers with their owners, orders and contacts resolves ~2,500 fields).
 *
 * Apollo Server's one hook for its executor is the gateway interface: this "gateway" serves our own schema, and
 * runs graphql-js's `execute` itself when GRAPHQL_EXECUTION=graphql-js (what Apollo would run).
 *
 * - Variables are coerced by graphql-js first, so invalid variables get graphql-js's errors (which Apollo turns into
 *   BAD_USER_INPUT with status 400) whichever engine runs; graphql-jit's own messages name the wrong variable for a
 *   nested input field.
 * - A document graphql-jit cannot compile runs on graphql-js, and so does one with a variable of a recursive input
 *   type (a filter, with its `and`/`or`/`not`): graphql-jit generates its variable parsing by unrolling the type and
 *   never stops on a recursive one. Filters written in the document itself (not as variables) compile.
 * - Compiled operations are kept for the last MAX_COMPILED_DOCUMENTS documents used (Apollo's document store hands
 *   out the same parsed document for the same text). Compiling costs 0.5–1 ms for a typical operation and 6 ms for
 *   the playground's customer 360, once; the bound keeps a client sending ever new documents from growing memory.
 */
export function compiledExecution(schema: GraphQLSchema, engine: GraphqlExecution): GatewayInterface {
  const compiled = new Map<DocumentNode, Map<string, CompiledOperation | null>>();
  const compiledFor = (document: DocumentNode, operationName: string | undefined): CompiledOperation | null => {
    let byName = compiled.get(document);
    // Least recently used first: a document used again moves to the end.
    if (byName) compiled.delete(document);
    else if (compiled.size >= MAX_COMPILED_DOCUMENTS) compiled.delete(compiled.keys().next().value!);
    compiled.set(document, (byName ??= new Map()));
    const key = operationName ?? '';
    let entry = byName.get(key);
    if (entry === undefined) {
      entry = compileOperation(schema, document, operationName);
      graphqlCompilations.inc({ outcome: entry ? 'compiled' : 'fallback' });
      byName.set(key, entry);
    }
    return entry;
  };
  const executor: GatewayExecutor = async (request): Promise<ExecutionResult> => {
    const { document } = request;
    const operationName = request.operationName ?? undefined;
    const variables = request.request.variables ?? {};
    const entry = engine === 'compiled' ? compiledFor(document, operationName) : null;
    if (!entry || entry.fieldVariables.some((name) => !Object.prototype.hasOwnProperty.call(variables, name))) {
      graphqlExecutions.inc({ engine: 'graphql-js' });
      return execute({ schema, document, contextValue: request.context, variableValues: variables, operationName });
    }
    const { operation, query } = entry;
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    graphqlExecutions.inc({ engine: 'compiled' });
    const result = await query.query(undefined, request.context, entry.takesDefaults ? withInputDefaults(schema, operation, variables) : variables);
    return result.errors ? { ...result, errors: result.errors.map(asGraphQLError) } : result;
  };
  return {
    async load() {
      return { schema, executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

/** An operation graphql-jit compiled, with what its requests need to know of it, worked out once. */
interface CompiledOperation {
  operation: OperationDefinitionNode;
  query: CompiledQuery;
  /**
   * Variables written as an input object's field (`input: { ownerId: $owner }`), without a default. A request that
   * leaves one out runs on graphql-js: the spec (and graphql-js) then leave the field out, which our updates read as
   * "leave as it is"; graphql-jit sets it to null ("clear it").
   */
  fieldVariables: string[];
  /** Whether a variable's input type has fields with defaults, which withInputDefaults writes in. */
  takesDefaults: boolean;
}

/** null: graphql-jit does not compile it, or it takes a variable of a recursive input type (see compiledExecution). */
function compileOperation(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledOperation | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const variableTypes = (operation.variableDefinitions ?? []).map((definition) => typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined);
  const inputTypes = new Set<GraphQLInputObjectType>();
  if (variableTypes.some((type) => type && reachesCycle(type, new Set(), inputTypes))) return null;
  const query = compileQuery(schema, document, operationName);
  if (!isCompiledQuery(query)) return null;
  const withDefault = new Set((operation.variableDefinitions ?? []).filter((d) => d.defaultValue).map((d) => d.variable.name.value));
  const fieldVariables = new Set<string>();
  // Fragments are read whole: a variable in a fragment the operation does not spread costs a fallback, nothing more.
  for (const definition of document.definitions) {
    if (definition !== operation && definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    visit(definition, {
      ObjectField(field) {
        if (field.value.kind === Kind.VARIABLE && !withDefault.has(field.value.name.value)) fieldVariables.add(field.value.name.value);
      },
    });
  }
  const takesDefaults = [...inputTypes].some((type) => Object.values(type.getFields()).some((field) => field.defaultValue !== undefined));
  return { operation, query, fieldVariables: [...fieldVariables], takesDefaults };
}

/**
 * Whether an input type reaches an input object type that contains itself (depth first: `path` holds the types
 * being explored, `seen` every type reached, whose fields are explored once).
 */
function reachesCycle(type: GraphQLInputType, path: Set<GraphQLInputObjectType>, seen: Set<GraphQLInputObjectType>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named)) return false;
  if (path.has(named)) return true;
  if (seen.has(named)) return false;
  seen.add(named);
  path.add(named);
  const cycle = Object.values(named.getFields()).some((field) => reachesCycle(field.type, path, seen));
  path.delete(named);
  return cycle;
}

/**
 * graphql-jit's errors are its own kind: read-only, with no `extensions` unless the thrown error had some. The plugins
 * (and Apollo's formatting) handle graphql-js's errors: the same message, path, locations and cause, made as one.
 */
function asGraphQLError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const made = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  (made as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return made;
}

/**
 * The variables as sent, with the defaults of input fields the client left out written in (as JSON, the way a
 * client would send them). graphql-jit applies an input field's default only when the field is nullable: it
 * refuses `CreateProductInput.active: Boolean! = true` left out, which graphql-js (and the spec) fill in.
 */
function withInputDefaults(schema: GraphQLSchema, operation: OperationDefinitionNode, variables: Record<string, unknown>): Record<string, unknown> {
  let out = variables;
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    if (!type || !Object.prototype.hasOwnProperty.call(variables, name)) continue;
    const filled = fillDefaults(variables[name], type);
    if (filled !== variables[name]) out = { ...out, [name]: filled };
  }
  return out;
}

function fillDefaults(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return fillDefaults(value, type.ofType);
  if (isListType(type)) return Array.isArray(value) ? mapIfChanged(value, (item) => fillDefaults(item, type.ofType)) : fillDefaults(value, type.ofType);
  if (!isInputObjectType(type) || typeof value !== 'object') return value;
  const given = value as Record<string, unknown>;
  let out = given;
  for (const field of Object.values(type.getFields())) {
    const present = Object.prototype.hasOwnProperty.call(given, field.name);
    const next = present ? fillDefaults(given[field.name], field.type) : field.defaultValue === undefined ? undefined : asSent(field.defaultValue, field.type);
    if (next === undefined || (present && next === given[field.name])) continue;
    if (out === given) out = { ...given };
    out[field.name] = next;
  }
  return out;
}

function asSent(value: unknown, type: GraphQLInputType): unknown {
  const literal = astFromValue(value, type);
  return literal ? valueFromASTUntyped(literal) : null;
}

function mapIfChanged(items: unknown[], f: (item: unknown) => unknown): unknown[] {
  const mapped = items.map(f);
  return mapped.some((item, i) => item !== items[i]) ? mapped : items;
}
