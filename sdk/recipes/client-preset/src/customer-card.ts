// The operation a team writes itself: only the fields its screen shows. `graphql()` comes from the generated src/gql.
import { createRequestClient } from '@rapport/sdk';
import { graphql } from './gql';

const CustomerCard = graphql(`
  query customerCard($id: ID!) {
    customer(id: $id) {
      id
      name
      lifecycleStage {
        key
      }
      orders(first: 3) {
        nodes {
          number
          total {
            amount
            currencyCode
          }
        }
      }
    }
  }
`);

const rapport = createRequestClient({ url: '/graphql', token: 'API_KEY' });

export async function customerCard(id: string): Promise<string> {
  // Result and variables are inferred from the generated TypedDocumentString.
  const { customer } = await rapport.request(CustomerCard, { id });
  if (!customer) return 'not found';
  // @ts-expect-error: typed from the team's own selection, which has no email.
  void customer.email;
  return `${customer.name}: ${customer.orders.nodes.map((o) => `${o.number} ${o.total.amount}`).join(', ')}`;
}
