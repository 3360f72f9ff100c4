export { createClient, createRequestClient } from './client';
export type {
  ClientOptions,
  FetchLike,
  GenericPaginate,
  GraphQLResult,
  Paginate,
  RapportClient,
  RapportRequestClient,
  RequestArgs,
  RequestMethods,
  RequestOptions,
  ResponseLike,
  UntypedDocument,
  Sdk,
} from './client';
export type { AstDocument, DocumentInput } from './document';
export { randomUUID } from './uuid';
export type { CryptoLike } from './uuid';
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
export { RAPPORT_ERROR_CODES } from './errors';
export type { GraphQLErrorEntry, RapportErrorCode, UserErrorLike } from './errors';
export { BUILT_IN_LIFECYCLE_STAGE_KEYS } from './lifecycle';
export type { BuiltInLifecycleStageKey, LifecycleStageKey } from './lifecycle';
export { paginate } from './paginate';
export type { ConnectionLike, NodeOf } from './paginate';
// Operation result/variable types (CustomerFieldsFragment, CustomersQueryVariables, ...), typed documents and getSdk.
export * from './generated';
// Schema types: inputs (CreateCustomerInput, CustomerFilter), enums as string unions, objects.
export type * from './schema-types';
