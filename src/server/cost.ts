import { GraphQLError, GraphQLSchema, getNamedType, isObjectType } from 'graphql';
import { ComplexityEstimator, getComplexity } from 'graphql-query-complexity';
import type { ApolloServerPlugin } from '@apollo/server';
import { DEFAULT_PAGE_SIZE } from '../common/connection.types';

/**
 * Query cost, reported in `extensions.cost` on every response (as Shopify does) so clients can
 * pace themselves, and capped so one request cannot ask for millions of rows. Each object field
 * costs 1; a connection multiplies its selection by the page size it asks for; scalars are free.
 */
const connectionAwareEstimator: ComplexityEstimator = ({ args, childComplexity, field }) => {
  const type = getNamedType(field.type);
  if (!isObjectType(type)) return 0;
  if (type.name.endsWith('Connection')) {
    const pageSize = (args.first as number | undefined) ?? (args.last as number | undefined) ?? DEFAULT_PAGE_SIZE;
    return 1 + Math.max(pageSize, 1) * childComplexity;
  }
  return 1 + childComplexity;
};

export function queryCost<TContext extends object>(schema: GraphQLSchema, maxCost: number): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      let cost: number | undefined;
      return {
        async didResolveOperation({ request, document }) {
          try {
            cost = getComplexity({ schema, query: document, variables: request.variables ?? {}, operationName: request.operationName, estimators: [connectionAwareEstimator] });
          } catch {
            // Variables that do not fit their types: leave it to execution, which answers 400 BAD_USER_INPUT.
            return;
          }
          if (cost > maxCost) {
            throw new GraphQLError(`This query costs ${cost}, more than the maximum of ${maxCost}. Ask for smaller pages or fewer nested connections.`, {
              extensions: { code: 'QUERY_TOO_COMPLEX', cost: { requestedQueryCost: cost, maximumAvailable: maxCost }, http: { status: 400 } },
            });
          }
        },
        async willSendResponse({ response }) {
          if (cost === undefined || response.body.kind !== 'single') return;
          response.body.singleResult.extensions = { ...response.body.singleResult.extensions, cost: { requestedQueryCost: cost, maximumAvailable: maxCost } };
        },
      };
    },
  };
}
