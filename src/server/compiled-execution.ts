import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import {
  ASTNode,
  astFromValue,
  DocumentNode,
  execute,
  ExecutionResult,
  getOperationAST,
  getNamedType,
  GraphQLError,
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
  const compiled = new Map<DocumentNode, Map<string, CompiledQuery | null>>();
  const compiledFor = (document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    let byName = compiled.get(document);
    // Least recently used first: a document used again moves to the end.
    if (byName) compiled.delete(document);
    else if (compiled.size >= MAX_COMPILED_DOCUMENTS) compiled.delete(compiled.keys().next().value!);
    compiled.set(document, (byName ??= new Map()));
    const key = operationName ?? '';
    let query = byName.get(key);
    if (query === undefined) {
      const operation = getOperationAST(document, operationName);
      const result = operation && !takesRecursiveInput(schema, operation) ? compileQuery(schema, document, operationName) : null;
      query = result && isCompiledQuery(result) ? result : null;
      graphqlCompilations.inc({ outcome: query ? 'compiled' : 'fallback' });
      byName.set(key, query);
    }
    return query;
  };
  const executor: GatewayExecutor = async (request): Promise<ExecutionResult> => {
    const { document } = request;
    const operationName = request.operationName ?? undefined;
    const variables = request.request.variables ?? {};
    const operation = getOperationAST(document, operationName);
    const query = operation && engine === 'compiled' ? compiledFor(document, operationName) : null;
    if (!operation || !query || leavesInputFieldOut(document, operation, variables)) {
      graphqlExecutions.inc({ engine: 'graphql-js' });
      return execute({ schema, document, contextValue: request.context, variableValues: variables, operationName });
    }
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return { errors: coerced.errors };
    graphqlExecutions.inc({ engine: 'compiled' });
    const result = await query.query(undefined, request.context, withInputDefaults(schema, operation, variables));
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

const fieldVariables = new WeakMap<OperationDefinitionNode, string[]>();

/**
 * Whether a variable written as an input object's field (`input: { ownerId: $owner }`) was left out, with no default.
 * The spec (and graphql-js) then leave the field out, which our updates read as "leave as it is"; graphql-jit sets it
 * to null ("clear it"). Such a request runs on graphql-js.
 */
function leavesInputFieldOut(document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): boolean {
  let names = fieldVariables.get(operation);
  if (!names) {
    const withDefault = new Set((operation.variableDefinitions ?? []).filter((d) => d.defaultValue).map((d) => d.variable.name.value));
    const found = new Set<string>();
    const inField = (node: ASTNode) =>
      visit(node, {
        ObjectField(field) {
          if (field.value.kind === Kind.VARIABLE && !withDefault.has(field.value.name.value)) found.add(field.value.name.value);
        },
      });
    // Fragments are read whole: a variable in a fragment the operation does not spread costs a fallback, nothing more.
    for (const definition of document.definitions) if (definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION) inField(definition);
    fieldVariables.set(operation, (names = [...found]));
  }
  return names.some((name) => !Object.prototype.hasOwnProperty.call(variables, name));
}

const recursiveInputs = new WeakMap<GraphQLSchema, Map<string, boolean>>();

/** Whether a variable's type reaches an input object type that contains itself. */
function takesRecursiveInput(schema: GraphQLSchema, operation: OperationDefinitionNode): boolean {
  let known = recursiveInputs.get(schema);
  if (!known) recursiveInputs.set(schema, (known = new Map()));
  const recursive = (type: GraphQLInputType, path: Set<string>): boolean => {
    const named = getNamedType(type);
    if (!isInputObjectType(named)) return false;
    if (path.has(named.name)) return true;
    const cached = known!.get(named.name);
    if (cached !== undefined) return cached;
    path.add(named.name);
    const answer = Object.values(named.getFields()).some((field) => recursive(field.type, path));
    path.delete(named.name);
    // Only a type's answer from the top is final: lower down, a cycle through a type on the path is that type's.
    if (path.size === 0) known!.set(named.name, answer);
    return answer;
  };
  return (operation.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType | undefined;
    return !!type && recursive(type, new Set());
  });
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
