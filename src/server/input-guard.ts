import type { ApolloServerPlugin } from '@apollo/server';
import {
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValueNode,
  type ASTVisitor,
} from 'graphql';
import { hasNul } from '../common/validate';

/*
 * Postgres text cannot hold U+0000, so a NUL that reaches a statement fails it and the client would see an internal
 * error. Mutation inputs are the services' to check (validate.ts answers a NUL there with an INVALID user error at
 * its path); every other argument, at any depth of the operation (lookups, searches, filters, cursors, nested
 * connections), is checked here in one place, literals and variables alike, before anything runs.
 */

type Path = Array<string | number>;

class NulFound extends Error {
  constructor(readonly path: Path) {
    super('NUL in input');
  }
}

function checkJson(value: unknown, path: Path): void {
  if (typeof value === 'string') {
    if (hasNul(value)) throw new NulFound(path);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => checkJson(v, [...path, i]));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) checkJson(v, [...path, k]);
  }
}

function checkValue(node: ValueNode, variables: Record<string, unknown>, path: Path): void {
  switch (node.kind) {
    case Kind.STRING:
      if (hasNul(node.value)) throw new NulFound(path);
      break;
    case Kind.LIST:
      node.values.forEach((v, i) => checkValue(v, variables, [...path, i]));
      break;
    case Kind.OBJECT:
      for (const f of node.fields) checkValue(f.value, variables, [...path, f.name.value]);
      break;
    case Kind.VARIABLE:
      checkJson(variables[node.name.value], path);
      break;
    default:
  }
}

/** The first argument of the operation holding a NUL, as [field path, argument path], or null. */
export function findNulArgument(
  operation: OperationDefinitionNode,
  fragments: Record<string, FragmentDefinitionNode>,
  variables: Record<string, unknown>,
): { fieldPath: string; argumentPath: string } | null {
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode, fieldPath: string[], root: boolean): { fieldPath: string; argumentPath: string } | null => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const here = [...fieldPath, selection.alias?.value ?? selection.name.value];
        // A mutation's own input is validated by its service, which answers with userErrors at the input's path.
        const checked = !(root && operation.operation === 'mutation');
        for (const arg of checked ? selection.arguments ?? [] : []) {
          try {
            checkValue(arg.value, variables, [arg.name.value]);
          } catch (e) {
            if (e instanceof NulFound) return { fieldPath: here.join('.'), argumentPath: e.path.join('.') };
            throw e;
          }
        }
        const inner = selection.selectionSet && walk(selection.selectionSet, here, false);
        if (inner) return inner;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = walk(selection.selectionSet, fieldPath, root);
        if (inner) return inner;
      } else {
        const name = selection.name.value;
        const fragment = fragments[name];
        if (!fragment || seen.has(name)) continue;
        seen.add(name);
        const inner = walk(fragment.selectionSet, fieldPath, root);
        if (inner) return inner;
      }
    }
    return null;
  };
  return walk(operation.selectionSet, [], true);
}

/** Refuses, before execution, any argument outside mutation inputs that holds a NUL character (see above). */
export function nulGuard<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (!operation) return;
          const fragments = Object.fromEntries(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          const found = findNulArgument(operation, fragments, request.variables ?? {});
          if (found) {
            throw new GraphQLError(`\`${found.argumentPath}\` of \`${found.fieldPath}\` must not contain NUL (\\u0000) characters.`, {
              extensions: { code: 'BAD_USER_INPUT', field: found.argumentPath, fieldPath: found.fieldPath, http: { status: 400 } },
            });
          }
        },
      };
    },
  };
}

/** The schema has no subscriptions: say so at validation instead of failing at execution. */
export function NoSubscriptionsRule(context: ValidationContext): ASTVisitor {
  return {
    OperationDefinition(node) {
      if (node.operation === 'subscription' && !context.getSchema().getSubscriptionType()) {
        context.reportError(new GraphQLError('This API has no subscriptions: send a query or a mutation.', { nodes: [node] }));
      }
    },
  };
}
