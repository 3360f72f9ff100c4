import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, ID, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { EraseCustomerInput, EraseCustomerPayload } from './privacy.types';

@Resolver()
export class PrivacyResolver {
  @Query(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Everything held about one customer as one JSON document (a data subject access request): profile, contacts, orders with lines, touchpoints, lifecycle history. Personal data is masked for callers who see it masked; parts a key’s scopes do not cover (orders, touchpoints) are null and named in `withheld`. Recorded in the audit log. Null when the customer does not exist for you.',
  })
  exportCustomerData(@Arg('id', () => ID, { description: 'The customer’s global ID.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.privacy.exportCustomerData(id);
  }

  @Mutation(() => EraseCustomerPayload, {
    description:
      'Erase a customer’s personal data on request (ADMIN or MANAGER): profile fields, contacts, touchpoint free text and the personal values in earlier audit entries. Orders stay as anonymous records, so revenue analytics stay right. Cannot be undone; recorded in the audit log.',
  })
  eraseCustomer(@Arg('input', { description: 'The customer to erase.' }) input: EraseCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.privacy.eraseCustomer(input.id);
  }
}
