// Recipe: urql with the SDK's TypedDocumentNodes. Compiled (strict) by test/sdk-recipes.test.ts.
import { cacheExchange, Client, fetchExchange } from '@urql/core';
import { Customer360Document, CustomersDocument } from '@rapport/sdk/documents';

export function createUrqlClient(token: string) {
  return new Client({
    url: 'https://crm.example.com/graphql',
    exchanges: [cacheExchange, fetchExchange],
    // urql sends queries as GET by default; the server's CSRF prevention rejects a GET without a preflight header.
    // POST like every other client (or keep GET and add the header `apollo-require-preflight: true`).
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
  });
}

export async function customerName(client: Client, id: string): Promise<string | undefined> {
  const result = await client.query(Customer360Document, { id }).toPromise();
  // GraphQL errors do not throw: `data` holds what resolved, `error.graphQLErrors` the rest.
  if (result.error) console.warn(result.error.graphQLErrors.map((e) => e.extensions?.code));
  // @ts-expect-error: `data` is typed from the document, so a field it does not select does not compile.
  void result.data?.customer?.creditLimit;
  return result.data?.customer?.name;
}

export async function vipNames(client: Client): Promise<string[]> {
  const { data } = await client.query(CustomersDocument, { filter: { tags: { has: 'vip' } }, first: 50 }).toPromise();
  return data?.customers.nodes.map((c) => c.name) ?? [];
}
