import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Reads, selects } from '../core/selection';
import { Customer } from '../customer/customer.entity';
import type { Context } from '../core/request-scope';
import { Contact } from './contact.entity';
import { ContactConnection, ContactIdInput, ContactPayload, ContactsArgs, CreateContactInput, CustomerContactsArgs, UpdateContactInput } from './contact.types';

@Resolver(() => Contact)
export class ContactResolver {
  @Query(() => ContactConnection, { description: 'Contacts of all customers, filtered and sorted, a page at a time.' })
  contacts(@Args() args: ContactsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, includeDeleted, ...page } = args;
    return ctx.services.contacts.list({ page, filter: filter as Record<string, unknown>, orderBy, includeDeleted, columns: ctx.loaders.shown(info, Contact) });
  }

  @FieldResolver(() => Customer, { description: 'The customer the contact belongs to.' })
  customer(@Root() c: Contact, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(c.customerId);
  }

  @Mutation(() => ContactPayload, { description: 'Add a contact to a customer. With `isPrimary: true` it replaces the customer’s primary contact.' })
  createContact(@Arg('input', { description: 'The new contact.' }) input: CreateContactInput, @Ctx() ctx: Context) {
    return ctx.services.contacts.create(input);
  }

  @Mutation(() => ContactPayload, { description: 'Change a contact. Omitted fields stay; null clears. Pass `expectedVersion` to guard against concurrent edits.' })
  updateContact(@Arg('input', { description: 'The contact and the changes.' }) input: UpdateContactInput, @Ctx() ctx: Context) {
    return ctx.services.contacts.update(input);
  }

  @Mutation(() => ContactPayload, { description: 'Soft-delete a contact: hidden from lists, kept in touchpoint history, restorable.' })
  deleteContact(@Arg('input', { description: 'The contact to delete.' }) input: ContactIdInput, @Ctx() ctx: Context) {
    return ctx.services.contacts.delete(input.id);
  }

  @Mutation(() => ContactPayload, {
    description: 'Restore a soft-deleted contact. A contact that was primary is primary again, unless the customer has another primary contact by now.',
  })
  restoreContact(@Arg('input', { description: 'The contact to restore.' }) input: ContactIdInput, @Ctx() ctx: Context) {
    return ctx.services.contacts.restore(input.id);
  }
}

/** Contact fields on Customer. */
@Resolver(() => Customer)
export class CustomerContactResolver {
  @FieldResolver(() => ContactConnection, { description: 'The people around the customer: employees of a company, family and friends of a person.' })
  @Reads('id')
  contacts(@Root() c: Customer, @Args() args: CustomerContactsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.contacts.ofCustomer(
      c.id,
      { page, filter: filter as Record<string, unknown>, orderBy, columns: ctx.loaders.shown(info, Contact) },
      { withCount: selects(info, 'totalCount') },
    );
  }
}
