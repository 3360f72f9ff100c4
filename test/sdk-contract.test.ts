// What the SDK promises about the server and the documents it sends, checked without a server.
import { ApolloServerErrorCode } from '@apollo/server/errors';
import { parse, print } from 'graphql';
import type { DocumentNode } from 'graphql';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { RAPPORT_ERROR_CODES, RapportError, randomUUID } from '../sdk/src';
import { describe as describeDocument, prepareDocument, printDocument } from '../sdk/src/document';
import type { AstDocument } from '../sdk/src/document';
import * as asts from '../sdk/src/documents';
import * as generated from '../sdk/src/generated';

const SRC = path.resolve(__dirname, '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    return statSync(file).isDirectory() ? sourceFiles(file) : file.endsWith('.ts') ? [file] : [];
  });
}

/**
 * The codes the server's own code puts in `extensions.code`: literals in `extensions: { code: 'X' }`, constants
 * there (`code: SERVICE_UNAVAILABLE`), and codes passed to the idempotency layer's answer helpers.
 */
function serverErrorCodes(): Set<string> {
  const codes = new Set<string>();
  const constants = new Map<string, string>();
  const texts = sourceFiles(SRC).map((f) => readFileSync(f, 'utf8'));
  for (const text of texts) for (const m of text.matchAll(/\bconst ([A-Z_]+) = '([A-Z_]+)'/g)) constants.set(m[1]!, m[2]!);
  for (const text of texts) {
    for (const m of text.matchAll(/extensions:\s*\{[^}]*?\bcode:\s*(?:'([A-Z_]+)'|([A-Z_]+)\b)/g)) {
      const code = m[1] ?? constants.get(m[2]!);
      if (!code) throw new Error(`extensions.code ${m[2]} is not a string constant the test can resolve`);
      codes.add(code);
    }
    for (const m of text.matchAll(/\b(?:answer|reject)\((?:res,\s*)?\d{3},\s*'([A-Z_]+)'/g)) codes.add(m[1]!);
  }
  return codes;
}

describe("the SDK's error codes", () => {
  it('include every code the server sends, its own and Apollo Server’s, and no code it never sends', () => {
    const server = serverErrorCodes();
    // The scan must keep finding codes from each kind of place, or it proves nothing.
    expect([...server]).toEqual(expect.arrayContaining(['NOT_FOUND', 'THROTTLED', 'SERVICE_UNAVAILABLE', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS']));
    const sent = new Set([...server, ...Object.values(ApolloServerErrorCode)]);
    expect([...sent].filter((c) => !(RAPPORT_ERROR_CODES as readonly string[]).includes(c)).sort()).toEqual([]);
    expect(RAPPORT_ERROR_CODES.filter((c) => !sent.has(c)).sort()).toEqual([]);
  });
});

describe("the SDK's documents", () => {
  const operations = Object.entries(generated).filter(([name]) => name.endsWith('Document')) as Array<[string, string]>;

  it('come as compact text and as ASTs of the same operations', () => {
    expect(operations.length).toBeGreaterThan(50);
    for (const [name, text] of operations) {
      const ast = (asts as unknown as Record<string, DocumentNode>)[name]!;
      expect(print(parse(text))).toBe(print(ast));
    }
  });

  it('print from an AST without graphql-js, to the same document graphql-js prints', () => {
    for (const [name] of operations) {
      const ast = (asts as unknown as Record<string, DocumentNode>)[name]!;
      expect(print(parse(printDocument(ast as unknown as AstDocument)))).toBe(print(ast));
    }
    const everyKind = parse(`
      query q($a: [Int!]! = [1, 2], $b: In = { s: "x\\"y\\n", f: 1.5, e: ASC, n: null, t: true }) @dir(x: 1) {
        alias: field(a: $a, b: $b) @include(if: true) { ...F ... on T { id } ... @skip(if: false) { id } }
      }
      fragment F on T { id }
    `);
    expect(print(parse(printDocument(everyKind as unknown as AstDocument)))).toBe(print(everyKind));
  });

  it('name the operation the client sends, whatever comes first in the text', () => {
    expect(describeDocument('# a comment: mutation x\nfragment F on T { id } query "ignored" {}')).toMatchObject({ operationName: undefined, isMutation: false });
    expect(describeDocument('fragment F on T { id }\nmutation   save($a: String = "query x") { save(a: $a) { ...F } }')).toMatchObject({
      operationName: 'save',
      isMutation: true,
    });
    expect(describeDocument('{ segments { segment } }')).toMatchObject({ operationName: undefined, isMutation: false });
    expect(prepareDocument(generated.CreateCustomerDocument)).toMatchObject({ operationName: 'createCustomer', isMutation: true });
    // graphql-codegen's TypedDocumentString (client preset, documentMode: string) is a String object.
    class TypedDocumentString extends String {
      constructor(private readonly value: string) {
        super(value);
      }
      override toString(): string {
        return this.value;
      }
    }
    expect(prepareDocument(new TypedDocumentString('query mine { segments { segment } }') as unknown as string)).toMatchObject({ operationName: 'mine' });
  });
});

describe("the SDK's README", () => {
  it('names every operation', () => {
    const readme = readFileSync(path.resolve(__dirname, '..', 'sdk', 'README.md'), 'utf8');
    const operations = Object.values(generated)
      .filter((v): v is string => typeof v === 'string')
      .map((text) => describeDocument(text).operationName!);
    expect(operations.filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });
});

describe("the SDK's idempotency keys", () => {
  const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('come from crypto.getRandomValues as version 4 UUIDs where crypto.randomUUID is missing (outside a secure context)', () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i * 17);
    const crypto = { getRandomValues: <T extends Uint8Array>(a: T) => (a.set(bytes), a) };
    expect(randomUUID(crypto)).toBe('00112233-4455-4677-8899-aabbccddeeff');
    const real = { getRandomValues: <T extends Uint8Array>(a: T) => globalThis.crypto.getRandomValues(a) };
    const keys = Array.from({ length: 100 }, () => randomUUID(real));
    expect(keys.every((k) => V4.test(k))).toBe(true);
    expect(new Set(keys).size).toBe(100);
  });

  it('use crypto.randomUUID where there is one, and say what to do where there is no Web Crypto at all', () => {
    expect(randomUUID({ randomUUID: () => 'from-randomUUID', getRandomValues: (a) => a })).toBe('from-randomUUID');
    expect(V4.test(randomUUID())).toBe(true);
    expect(() => randomUUID({} as never)).toThrow(RapportError);
    expect(() => randomUUID({} as never)).toThrow(/idempotencyKey/);
  });
});
