import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Context } from '../core/request-scope';
import { nodesSelect, Reads, selects } from '../core/selection';
import { User } from '../user/user.entity';
import { Customer } from './customer.entity';
import { DuplicateCandidate } from './customer.duplicates';
import { MergeCustomersInput, MergeCustomersPayload } from './customer.merge';
import {
  CreateCustomerInput,
  CustomerConnection,
  CustomerIdInput,
  CustomerLookupArgs,
  CustomerPayload,
  CustomersArgs,
  DuplicateCandidatesArgs,
  ReferralsArgs,
  UpdateCustomerInput,
} from './customer.types';

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => Customer, { nullable: true, description: 'A customer by global ID or by the ID in your source system (pass exactly one). Null when not found or deleted.' })
  customer(@Args() where: CustomerLookupArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.services.customers.findOne(where, selects(info, 'owner'));
  }

  @Query(() => CustomerConnection, { description: 'Customers, filtered, searched and sorted, a page at a time.' })
  customers(@Args() args: CustomersArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, search, includeDeleted, ...page } = args;
    return ctx.services.customers.list(
      { page, filter: filter as Record<string, unknown>, orderBy, search, includeDeleted, columns: ctx.loaders.shown(info, Customer) },
      nodesSelect(info, 'owner'),
    );
  }

  @Query(() => [DuplicateCandidate], {
    description:
      'Pairs of customers that are probably one person or company, best first, for review before merging: the same email or phone, or a similar name (trigram similarity) with the same birthday or postal address. Only pairs of customers you may see.',
  })
  duplicateCandidates(@Args() args: DuplicateCandidatesArgs, @Ctx() ctx: Context) {
    return ctx.services.customers.duplicateCandidates(args.first, args.minScore);
  }

  @Mutation(() => MergeCustomersPayload, {
    description:
      'Merge duplicate records into one survivor, in one transaction: orders, contacts, touchpoints, tasks, opportunities, complaints, referrals and every other row that belongs to a customer move to it; each marketing consent is kept only if every record had it; the merged records stay as tombstones whose IDs find the survivor (node, customer). Audited.',
  })
  mergeCustomers(@Arg('input', () => MergeCustomersInput, { description: 'The survivor, the duplicates and the fields to take from them.' }) input: MergeCustomersInput, @Ctx() ctx: Context) {
    return ctx.services.customers.merge(input);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'For a record merged into another: the survivor. Null otherwise.' })
  @Reads('mergedIntoId')
  mergedInto(@Root() c: Customer, @Ctx() ctx: Context) {
    return c.mergedIntoId ? ctx.services.customers.survivorOf(c.mergedIntoId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who owns the relationship.' })
  @Reads('ownerId')
  owner(@Root() c: Customer, @Ctx() ctx: Context) {
    return c.ownerId ? ctx.loaders.byId(User).load(c.ownerId) : null;
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer who referred this one.' })
  @Reads('referredById')
  referredBy(@Root() c: Customer, @Ctx() ctx: Context) {
    return c.referredById ? ctx.loaders.byId(Customer).load(c.referredById) : null;
  }

  @FieldResolver(() => CustomerConnection, { description: 'Customers this customer referred: the network they brought in.' })
  @Reads('id')
  referrals(@Root() c: Customer, @Args() args: ReferralsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.customers.referrals(c.id, { page, filter: filter as Record<string, unknown>, orderBy, columns: ctx.loaders.shown(info, Customer) });
  }

  @Mutation(() => CustomerPayload, { description: 'Create a customer (in stage PROSPECT unless another is given).' })
  createCustomer(@Arg('input', { description: 'The new customer.' }) input: CreateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customers.create(input);
  }

  @Mutation(() => CustomerPayload, { description: 'Change a customer. Omitted fields stay; null clears. Pass `expectedVersion` to guard against concurrent edits.' })
  updateCustomer(@Arg('input', { description: 'The customer and the fields to change.' }) input: UpdateCustomerInput, @Ctx() ctx: Context) {
    return ctx.services.customers.update(input);
  }

  @Mutation(() => CustomerPayload, { description: 'Soft-delete a customer: hidden from lists and lookups, history kept, restorable.' })
  deleteCustomer(@Arg('input', { description: 'The customer to delete.' }) input: CustomerIdInput, @Ctx() ctx: Context) {
    return ctx.services.customers.delete(input.id);
  }

  @Mutation(() => CustomerPayload, { description: 'Restore a soft-deleted customer.' })
  restoreCustomer(@Arg('input', { description: 'The customer to restore.' }) input: CustomerIdInput, @Ctx() ctx: Context) {
    return ctx.services.customers.restore(input.id);
  }
}
