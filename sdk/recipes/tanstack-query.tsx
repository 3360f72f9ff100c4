// Recipe: TanStack Query over the SDK's client (retries, idempotency keys and typed errors stay the SDK's).
// Compiled (strict) by test/sdk-recipes.test.ts.
import { QueryClient, QueryClientProvider, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createClient, RapportGraphQLError, RapportUserError, unwrap } from '@rapport/sdk';
import type { CreateCustomerInput } from '@rapport/sdk';
import type { ReactNode } from 'react';

const rapport = createClient({ url: '/graphql', token: 'API_KEY' });

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // The SDK already retries what is worth retrying (network, 503, 429 after Retry-After); a GraphQL error will not change.
      retry: false,
    },
  },
});

export function App({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={queryClient}>{children}</QueryClientProvider>;
}

export function useCustomer360(id: string) {
  return useQuery({
    queryKey: ['customer360', id],
    // TanStack Query's signal cancels the request when the component unmounts or the key changes.
    queryFn: ({ signal }) => rapport.customer360({ id }, { signal }),
    select: (data) => data.customer,
  });
}

export function useCreateCustomer() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (input: CreateCustomerInput) => unwrap((await rapport.createCustomer({ input })).createCustomer, 'customer'),
    onSuccess: () => client.invalidateQueries({ queryKey: ['customers'] }),
  });
}

export function CustomerHeader({ id }: { id: string }) {
  const { data: customer, error } = useCustomer360(id);
  if (error instanceof RapportGraphQLError && error.code === 'NOT_FOUND') return <p>No such customer</p>;
  if (error instanceof RapportUserError) return <p>{error.userErrors.map((e) => e.message).join(', ')}</p>;
  if (!customer) return null;
  // @ts-expect-error: `data` is typed from the operation, so a field it does not select does not compile.
  void customer.creditLimit;
  return (
    <h1>
      {customer.name} ({customer.lifecycleStage?.key})
    </h1>
  );
}
