// Recipe: Apollo Client with the SDK's TypedDocumentNodes — `data` is typed from the document, no codegen needed.
// Compiled (strict) by test/sdk-recipes.test.ts.
import { ApolloClient, HttpLink, InMemoryCache } from '@apollo/client';
import { ApolloProvider, useMutation, useQuery } from '@apollo/client/react';
import { Customer360Document, LogTouchpointDocument } from '@rapport/sdk/documents';
import type { ReactNode } from 'react';

export function createApolloClient(token: string) {
  return new ApolloClient({
    // Apollo Client POSTs JSON, which passes the server's CSRF prevention as it is.
    link: new HttpLink({ uri: 'https://crm.example.com/graphql', headers: { authorization: `Bearer ${token}` } }),
    cache: new InMemoryCache(),
  });
}

export function App({ token, children }: { token: string; children: ReactNode }) {
  return <ApolloProvider client={createApolloClient(token)}>{children}</ApolloProvider>;
}

export function CustomerPage({ id }: { id: string }) {
  const { data, loading, error } = useQuery(Customer360Document, { variables: { id, orders: 5 } });
  const [logTouchpoint] = useMutation(LogTouchpointDocument);
  if (loading) return <p>Loading…</p>;
  if (error) return <p>{error.message}</p>;
  const customer = data?.customer;
  if (!customer) return <p>Not found</p>;
  // @ts-expect-error: `data` is typed from the document, so a field it does not select does not compile.
  void customer.creditLimit;
  return (
    <section>
      <h1>
        {customer.name} · {customer.lifecycleStage?.name} · {customer.segment}
      </h1>
      <ul>
        {customer.orders.nodes.map((o) => (
          <li key={o.id}>
            {o.number}: {o.total.amount} {o.total.currencyCode}
          </li>
        ))}
      </ul>
      <button
        onClick={() =>
          logTouchpoint({
            variables: { input: { customerId: customer.id, channel: 'PHONE', direction: 'OUTBOUND', purpose: 'FOLLOW_UP', subject: 'Called back' } },
            // The server replays a write sent again with the same key instead of doing it twice.
            context: { headers: { 'idempotency-key': crypto.randomUUID() } },
          })
        }
      >
        Log a call
      </button>
    </section>
  );
}
