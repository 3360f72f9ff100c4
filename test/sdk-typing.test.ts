// Compile-time behaviour of the SDK's types: `npm run typecheck` compiles this file, so each `@ts-expect-error` line
// fails the typecheck if it ever compiles. The functions are never called; jest only checks they exist.
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { parse } from 'graphql';
import { createClient, createRequestClient, CustomerDocument, Customer360Document, CreateCustomerDocument, SegmentsDocument } from '../sdk/src';
import type { BuiltInLifecycleStageKey, CreateCustomerInput, Customer360Query, CustomerQuery, GraphQLResult, LifecycleStageKey, MoveCustomerToStageInput, RapportErrorCode } from '../sdk/src';
import { Customer360Document as Customer360Ast } from '../sdk/src/documents';
import type { LifecycleStage as ServerLifecycleStage } from '../src/intelligence/lifecycle-rules';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const assertType = <T extends true>(_: T) => undefined;

export async function perCallOptionsAreTyped() {
  const rapport = createClient({ url: 'http://localhost/graphql' });
  await rapport.createCustomer({ input: { name: 'x' } }, { idempotencyKey: 'abc', signal: new AbortController().signal, timeout: 5 });
  // @ts-expect-error: a misspelt option does not compile (it used to be ignored silently)
  await rapport.createCustomer({ input: { name: 'x' } }, { idempotencyKeyy: 'abc' });
  // @ts-expect-error: a signal must be an AbortSignal (it used to throw a raw TypeError at run time)
  await rapport.customer({ id: 'x' }, { signal: 'nope' });
  // @ts-expect-error: paginate's options are typed too
  rapport.paginate.customers({}, { timeoutt: 1 });
}

export async function requestInfersFromTypedDocuments() {
  const rapport = createRequestClient({ url: 'http://localhost/graphql' });
  assertType<Equal<Awaited<ReturnType<typeof rapport.request<CustomerQuery, { id: string }>>>, CustomerQuery>>(true);
  const one = await rapport.request(CustomerDocument, { id: 'x' });
  assertType<Equal<typeof one, CustomerQuery>>(true);
  const ast = await rapport.request(Customer360Ast, { id: 'x', orders: 3 });
  assertType<Equal<typeof ast, Customer360Query>>(true);
  // A document a team generated itself (client preset, gql.tada, ...): any TypedDocumentNode.
  const own = {} as TypedDocumentNode<{ customer: { name: string } | null }, { id: string }>;
  const mine = await rapport.request(own, { id: 'x' });
  assertType<Equal<typeof mine, { customer: { name: string } | null }>>(true);
  // Variables are optional exactly when the operation has no required ones.
  await rapport.request(SegmentsDocument);
  // @ts-expect-error: customer360 needs an id
  await rapport.request(Customer360Document);
  // @ts-expect-error: and of the right type
  await rapport.request(Customer360Document, { id: 1 });
  // @ts-expect-error: options of request are checked as well
  await rapport.request(CreateCustomerDocument, { input: { name: 'x' } }, { idempotencyKeyy: 'k' });
  const partial = await rapport.requestWithErrors(Customer360Document, { id: 'x' });
  assertType<Equal<typeof partial, GraphQLResult<Customer360Query>>>(true);
  // Untyped text still works and gives a record.
  const untyped = await rapport.request('{ segments { segment } }');
  assertType<Equal<typeof untyped, Record<string, unknown>>>(true);
  // So does a plain DocumentNode (`gql`, `parse`), typed by the caller when it likes.
  const parsed = await rapport.request(parse('{ segments { segment } }'));
  assertType<Equal<typeof parsed, Record<string, unknown>>>(true);
  const named = await rapport.requestWithErrors<{ segments: Array<{ segment: string }> }>(parse('{ segments { segment } }'));
  assertType<Equal<typeof named.data, { segments: Array<{ segment: string }> } | null>>(true);
}

export function stageKeysAndCodes() {
  // The SDK's built-in stage keys are exactly the server's.
  assertType<Equal<BuiltInLifecycleStageKey, ServerLifecycleStage>>(true);
  // Stage keys are typed in inputs and results (the editor offers the built-in ones; a custom stage still fits).
  assertType<Equal<Exclude<CreateCustomerInput['lifecycleStage'], null | undefined>, LifecycleStageKey>>(true);
  assertType<Equal<MoveCustomerToStageInput['stage'], LifecycleStageKey>>(true);
  assertType<Equal<NonNullable<NonNullable<Customer360Query['customer']>['lifecycleStage']>['key'], LifecycleStageKey>>(true);
  const builtIn: LifecycleStageKey = 'LOYAL';
  const custom: LifecycleStageKey = 'VIP_WINBACK';
  const code: RapportErrorCode = 'IDEMPOTENCY_KEY_REUSED';
  // @ts-expect-error: not a code the server sends
  const wrong: RapportErrorCode = 'IDEMPOTENCY_KEY_REUSE';
  return [builtIn, custom, code, wrong];
}

describe('the SDK types', () => {
  it('are checked by the typecheck (npm run typecheck compiles this file)', () => {
    expect([perCallOptionsAreTyped, requestInfersFromTypedDocuments, stageKeysAndCodes].every((f) => typeof f === 'function')).toBe(true);
  });
});
