// A graphql-codegen plugin for the SDK's documents, run by `npm run sdk:generate` (see codegen.yml).
//   documentsAs: string  → each operation as its compact text (fragments appended), typed with its result and
//                          variables, and getSdk(): the client needs no `graphql` at run time, and a bundler keeps
//                          only the documents a program uses (plain string constants are free of side effects).
//   documentsAs: ast     → the same operations as TypedDocumentNode ASTs for Apollo Client and urql
//                          (`@rapport/sdk/documents`), whose `useQuery` infers `data` from them.
// typescript-generic-sdk cannot do either: its documents are untyped and getSdk ties them all to one object.
'use strict';
const { Kind, print, stripIgnoredCharacters, visit } = require('graphql');
const { convertFactory } = require('@graphql-codegen/visitor-plugin-common');

const SUFFIX = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

function plugin(_schema, documents, config) {
  const convert = convertFactory(config);
  const definitions = documents.flatMap((d) => d.document.definitions);
  const fragments = new Map(definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const operations = definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);

  /** The fragments an operation spreads, directly or through other fragments, in a stable order. */
  const fragmentsOf = (node) => {
    const found = new Set();
    const walk = (n) =>
      visit(n, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (found.has(name)) return;
          const fragment = fragments.get(name);
          if (!fragment) throw new Error(`Unknown fragment ${name}`);
          found.add(name);
          walk(fragment);
        },
      });
    walk(node);
    return [...found].sort().map((name) => fragments.get(name));
  };
  const withoutLoc = (key, value) => (key === 'loc' ? undefined : value);

  const out = [];
  const typesPrefix = config.documentsAs === 'ast' ? 'Operations.' : '';
  if (config.documentsAs === 'ast') {
    out.push(
      "import type { TypedDocumentNode } from '@graphql-typed-document-node/core';",
      "import type * as Operations from './generated';",
      '',
    );
  } else {
    out.push(
      "import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';",
      '',
      '/** A GraphQL document as its text, typed with its result and variables (what `client.request` infers from). */',
      'export type TypedDocumentString<TResult, TVariables> = string & DocumentTypeDecoration<TResult, TVariables>;',
      '',
    );
  }

  const methods = [];
  for (const op of operations) {
    if (!op.name) throw new Error('Every SDK operation needs a name');
    const base = convert(op.name.value);
    const result = `${typesPrefix}${base}${SUFFIX[op.operation]}`;
    const variables = `${result}Variables`;
    const document = { kind: Kind.DOCUMENT, definitions: [op, ...fragmentsOf(op)] };
    if (config.documentsAs === 'ast') {
      out.push(`export const ${base}Document = ${JSON.stringify(document, withoutLoc)} as unknown as TypedDocumentNode<${result}, ${variables}>;`);
    } else {
      const text = stripIgnoredCharacters(print(document));
      out.push(`export const ${base}Document = ${JSON.stringify(text)} as TypedDocumentString<${result}, ${variables}>;`);
      const required = (op.variableDefinitions ?? []).some((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue);
      methods.push(
        `    ${op.name.value}(variables${required ? '' : '?'}: ${variables}, options?: C): Promise<${result}> {\n` +
          `      return requester(${base}Document, variables, options);\n    },`,
      );
    }
  }

  if (config.documentsAs !== 'ast') {
    out.push(
      '',
      '/** Sends one document; the client passes its own (retries, idempotency keys, typed errors). */',
      'export type Requester<C = unknown> = <R, V>(document: TypedDocumentString<R, V>, variables: V | undefined, options: C | undefined) => Promise<R>;',
      '',
      '/** One typed method per operation; `C` is the type of the per-call options (the client passes RequestOptions). */',
      'export function getSdk<C>(requester: Requester<C>) {',
      '  return {',
      ...methods,
      '  };',
      '}',
      'export type Sdk<C = unknown> = ReturnType<typeof getSdk<C>>;',
    );
  }
  return out.join('\n') + '\n';
}

module.exports = { plugin };
