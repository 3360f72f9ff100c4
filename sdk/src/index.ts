export { createClient } from './client';
export type { ClientOptions, FetchLike, Paginate, RapportClient, RequestOptions, ResponseLike } from './client';
export {
  graphQLErrorFrom,
  RapportAuthenticationError,
  RapportBadUserInputError,
  RapportError,
  RapportGraphQLError,
  RapportInternalServerError,
  RapportInvalidRequestError,
  RapportNetworkError,
  RapportNotFoundError,
  RapportPermissionError,
  RapportQueryTooComplexError,
  RapportThrottledError,
  RapportTimeoutError,
  RapportUserError,
  unwrap,
} from './errors';
export type { GraphQLErrorEntry, RapportErrorCode, UserErrorLike } from './errors';
export { paginate } from './paginate';
export type { ConnectionLike, NodeOf } from './paginate';
// Operation result/variable types (CustomerFieldsFragment, CustomersQueryVariables, ...), documents and getSdk.
export * from './generated';
// Schema types: inputs (CreateCustomerInput, CustomerFilter), enums as string unions, objects.
export type * from './schema-types';
