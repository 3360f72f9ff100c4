import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';

/**
 * What `request` accepts: the SDK's own typed strings, a team's TypedDocumentString or TypedDocumentNode
 * (graphql-codegen's client preset makes either), a `gql`/`parse` DocumentNode, or plain text.
 * The AST shapes are declared here so that the client needs neither `graphql` nor its types at run time.
 */
export type DocumentInput<R = unknown, V = unknown> = string | DocumentTypeDecoration<R, V> | AstDocument;

/** A GraphQL document after the operations are known: its text and what the client needs to know about it. */
export interface PreparedDocument {
  query: string;
  operationName: string | undefined;
  isMutation: boolean;
}

interface AstNode {
  readonly kind: string;
  readonly [key: string]: unknown;
}
/** The structural shape of graphql-js's DocumentNode (what `gql` and TypedDocumentNode are at run time). */
export interface AstDocument {
  /** 'Document' (graphql-js types it as its `Kind` enum, so the type here is wider). */
  readonly kind: string;
  readonly definitions: ReadonlyArray<{ readonly kind: string }>;
}

const cache = new WeakMap<object, PreparedDocument>();

/** A document's text, operation name and kind, computed once per document object. */
export function prepareDocument(document: DocumentInput): PreparedDocument {
  if (typeof document === 'string') return describe(document);
  const key = document as object;
  let prepared = cache.get(key);
  if (!prepared) {
    const ast = document as Partial<AstDocument>;
    // A String object (codegen's TypedDocumentString class) prints as its text; an AST is printed.
    prepared = describe(ast.kind === 'Document' ? printDocument(ast as AstDocument) : String(document));
    cache.set(key, prepared);
  }
  return prepared;
}

/**
 * The operations at the top level of a document's text (outside braces, strings and comments): the name of the first
 * and whether it is a mutation. Enough for sending it; the server does the real parsing.
 */
export function describe(query: string): PreparedDocument {
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
    } else if (c === '"') {
      const block = query.startsWith('"""', i);
      const end = block ? query.indexOf('"""', i + 3) : findQuoteEnd(query, i + 1);
      i = end < 0 ? query.length : end + (block ? 2 : 0);
    } else if (c === '{' || c === '(') depth++;
    else if (c === '}' || c === ')') depth--;
    else if (depth === 0 && /[A-Za-z_]/.test(c!)) {
      const match = /^(query|mutation|subscription|fragment)\b\s*([A-Za-z_][A-Za-z0-9_]*)?/.exec(query.slice(i));
      if (match && match[1] !== 'fragment') return { query, operationName: match[2], isMutation: match[1] === 'mutation' };
      // `{ ... }` alone is an anonymous query; a fragment or a name is skipped word by word.
      while (i + 1 < query.length && /[A-Za-z0-9_]/.test(query[i + 1]!)) i++;
    }
  }
  return { query, operationName: undefined, isMutation: false };
}

function findQuoteEnd(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"' || text[i] === '\n') return i;
  }
  return -1;
}

type Printable = AstNode | ReadonlyArray<AstNode> | undefined;

/**
 * Prints an executable document (operations and fragments) compactly, so that TypedDocumentNodes work without
 * graphql-js's printer (67 KB). The test suite checks it against graphql-js for every SDK operation.
 */
export function printDocument(document: AstDocument): string {
  return (document.definitions as ReadonlyArray<AstNode>).map(print).join(' ');
}

function print(node: Printable): string {
  if (!node) return '';
  if (Array.isArray(node)) return (node as AstNode[]).map(print).join(' ');
  const n = node as AstNode & Record<string, Printable & AstNode & string & boolean>;
  const name = (x: unknown) => (x as { value: string } | undefined)?.value ?? '';
  const list = (items: unknown, open: string, close: string, sep = ' ') => {
    const a = (items as AstNode[] | undefined) ?? [];
    return a.length ? open + a.map(print).join(sep) + close : '';
  };
  switch (n.kind) {
    case 'OperationDefinition':
      return `${n.operation} ${name(n.name)}${list(n.variableDefinitions, '(', ')')}${list(n.directives, ' ', '')} ${print(n.selectionSet)}`;
    case 'VariableDefinition':
      return `${print(n.variable)}:${print(n.type)}${n.defaultValue ? `=${print(n.defaultValue)}` : ''}${list(n.directives, ' ', '')}`;
    case 'Variable':
      return `$${name(n.name)}`;
    case 'SelectionSet':
      return list(n.selections, '{', '}') || '{}';
    case 'Field':
      return `${n.alias ? `${name(n.alias)}:` : ''}${name(n.name)}${list(n.arguments, '(', ')')}${list(n.directives, ' ', '')}${n.selectionSet ? print(n.selectionSet) : ''}`;
    case 'Argument':
    case 'ObjectField':
      return `${name(n.name)}:${print(n.value)}`;
    case 'FragmentSpread':
      return `...${name(n.name)}${list(n.directives, ' ', '')}`;
    case 'InlineFragment':
      return `...${n.typeCondition ? ` on ${print(n.typeCondition)}` : ''}${list(n.directives, ' ', '')}${print(n.selectionSet)}`;
    case 'FragmentDefinition':
      return `fragment ${name(n.name)} on ${print(n.typeCondition)}${list(n.directives, ' ', '')}${print(n.selectionSet)}`;
    case 'Directive':
      return `@${name(n.name)}${list(n.arguments, '(', ')')}`;
    case 'NamedType':
      return name(n.name);
    case 'ListType':
      return `[${print(n.type)}]`;
    case 'NonNullType':
      return `${print(n.type)}!`;
    case 'IntValue':
    case 'FloatValue':
    case 'EnumValue':
      return String(n.value);
    case 'BooleanValue':
      return n.value ? 'true' : 'false';
    case 'NullValue':
      return 'null';
    case 'StringValue':
      return JSON.stringify(n.value);
    case 'ListValue':
      return `[${print(n.values)}]`;
    case 'ObjectValue':
      return `{${print(n.fields)}}`;
    default:
      throw new TypeError(`Cannot print a ${n.kind} node: pass the document as a string instead`);
  }
}
