import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { nodesSelect, Reads, selects } from '../core/selection';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { Order } from '../order/order.entity';
import type { Context } from '../core/request-scope';
import { User } from '../user/user.entity';
import { Touchpoint } from './touchpoint.entity';
import {
  CustomerTouchpointsArgs,
  LogTouchpointInput,
  TouchpointConnection,
  TouchpointIdInput,
  TouchpointPayload,
  TouchpointsArgs,
  UpdateTouchpointInput,
} from './touchpoint.types';

@Resolver(() => Touchpoint)
export class TouchpointResolver {
  @Query(() => TouchpointConnection, { description: 'Touchpoints of all customers, filtered and sorted (default: most recent first), a page at a time.' })
  touchpoints(@Args() args: TouchpointsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, includeDeleted, ...page } = args;
    return ctx.services.touchpoints.list({ page, filter: filter as Record<string, unknown>, orderBy, includeDeleted, columns: ctx.loaders.shown(info, Touchpoint) });
  }

  @FieldResolver(() => Customer, { description: 'The customer.' })
  @Reads('customerId')
  customer(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(t.customerId);
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The contact spoken to, if one was recorded.' })
  @Reads('contactId')
  contact(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return t.contactId ? ctx.loaders.byId(Contact).load(t.contactId) : null;
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order it concerns, if any.' })
  @Reads('orderId')
  order(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return t.orderId ? ctx.loaders.byId(Order).load(t.orderId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The staff member who handled it, if recorded.' })
  @Reads('userId')
  user(@Root() t: Touchpoint, @Ctx() ctx: Context) {
    return t.userId ? ctx.loaders.byId(User).load(t.userId) : null;
  }

  @Mutation(() => TouchpointPayload, { description: 'Record an interaction with a customer. A COMPLAINT starts OPEN, or RESOLVED when `resolvedAt` is given.' })
  logTouchpoint(@Arg('input', { description: 'The interaction to record.' }) input: LogTouchpointInput, @Ctx() ctx: Context) {
    return ctx.services.touchpoints.log(input);
  }

  @Mutation(() => TouchpointPayload, {
    description: 'Change a touchpoint, e.g. resolve a complaint with `complaintStatus: RESOLVED`. Omitted fields stay; null clears. Pass `expectedVersion` to guard against concurrent edits.',
  })
  updateTouchpoint(@Arg('input', { description: 'The touchpoint and the changes.' }) input: UpdateTouchpointInput, @Ctx() ctx: Context) {
    return ctx.services.touchpoints.update(input);
  }

  @Mutation(() => TouchpointPayload, { description: 'Soft-delete a touchpoint (e.g. logged by mistake): hidden from lists and counts, restorable.' })
  deleteTouchpoint(@Arg('input', { description: 'The touchpoint to delete.' }) input: TouchpointIdInput, @Ctx() ctx: Context) {
    return ctx.services.touchpoints.delete(input.id);
  }

  @Mutation(() => TouchpointPayload, { description: 'Restore a soft-deleted touchpoint.' })
  restoreTouchpoint(@Arg('input', { description: 'The touchpoint to restore.' }) input: TouchpointIdInput, @Ctx() ctx: Context) {
    return ctx.services.touchpoints.restore(input.id);
  }
}

/** Touchpoint fields on Customer. */
@Resolver(() => Customer)
export class CustomerTouchpointResolver {
  @FieldResolver(() => TouchpointConnection, { description: 'The follow-up history: every interaction with the customer, most recent first by default.' })
  @Reads('id')
  touchpoints(@Root() c: Customer, @Args() args: CustomerTouchpointsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.touchpoints.ofCustomer(
      c.id,
      { page, filter: filter as Record<string, unknown>, orderBy, columns: ctx.loaders.shown(info, Touchpoint) },
      {
        withComplaints: nodesSelect(info, 'complaint', 'complaintStatus', 'resolvedAt', 'responseTimeHours'),
        withContacts: nodesSelect(info, 'contact'),
        withCount: selects(info, 'totalCount'),
      },
    );
  }

  @FieldResolver(() => Int, { description: 'Complaints not yet resolved: settle these before selling anything.' })
  @Reads('id')
  async openComplaints(@Root() c: Customer, @Ctx() ctx: Context) {
    return (await ctx.services.touchpoints.summary(c.id)).openComplaints;
  }

  @FieldResolver(() => Date, { nullable: true, description: 'When the last interaction happened; null when there has been none.' })
  @Reads('id')
  async lastTouchpointAt(@Root() c: Customer, @Ctx() ctx: Context) {
    return (await ctx.services.touchpoints.summary(c.id)).lastTouchpointAt;
  }
}
