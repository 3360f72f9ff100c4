import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { nodesSelect, Reads, selects } from '../core/selection';
import { PageArgs } from '../common/connection.types';
import { Customer } from '../customer/customer.entity';
import { Product } from '../product/product.entity';
import type { Context } from '../core/request-scope';
import { Order, OrderLine } from './order.entity';
import {
  MAX_ORDERS_PER_BATCH,
  OrderConnection,
  OrderLineConnection,
  OrderLookupArgs,
  OrderPayload,
  OrdersArgs,
  RecordOrderInput,
  RecordOrdersInput,
  RecordOrdersPayload,
  UpdateOrderStatusInput,
} from './order.types';

@Resolver(() => Order)
export class OrderResolver {
  @Query(() => Order, { nullable: true, description: 'An order by global ID or by order number (pass exactly one). Null when not found.' })
  order(@Args() where: OrderLookupArgs, @Ctx() ctx: Context) {
    return ctx.services.orders.findOne(where);
  }

  @Query(() => OrderConnection, { description: 'Orders of all customers, filtered and sorted (newest first by default), a page at a time.' })
  orders(@Args() args: OrdersArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.orders.list({ page, filter: filter as Record<string, unknown>, orderBy, columns: ctx.loaders.shown(info, Order) });
  }

  @FieldResolver(() => Customer, { description: 'The customer who placed the order.' })
  @Reads('customerId')
  customer(@Root() o: Order, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(o.customerId);
  }

  @FieldResolver(() => OrderLineConnection, { description: 'The order’s lines, in the order they were recorded.' })
  lines(@Root() o: Order, @Args() page: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    return ctx.services.orders.lines(o.id, page, nodesSelect(info, 'product'));
  }

  @Mutation(() => OrderPayload, { description: 'Record a purchase with its lines. Totals are computed exactly from the lines and converted to the base currency at the given rate.' })
  recordOrder(@Arg('input', { description: 'The order and its lines.' }) input: RecordOrderInput, @Ctx() ctx: Context) {
    return ctx.services.orders.record(input);
  }

  @Mutation(() => RecordOrdersPayload, { description: `Record up to ${MAX_ORDERS_PER_BATCH} orders in one transaction, e.g. an import: if any order has a problem, none is recorded and every problem is reported.` })
  recordOrders(@Arg('input', { description: 'The orders to record.' }) input: RecordOrdersInput, @Ctx() ctx: Context) {
    return ctx.services.orders.recordMany(input);
  }

  @Mutation(() => OrderPayload, { description: 'Move an order to another status (e.g. PAID → FULFILLED, or REFUNDED). Cancelled and refunded orders stop counting as purchases.' })
  updateOrderStatus(@Arg('input', { description: 'The order and its new status.' }) input: UpdateOrderStatusInput, @Ctx() ctx: Context) {
    return ctx.services.orders.updateStatus(input);
  }
}

@Resolver(() => OrderLine)
export class OrderLineResolver {
  @FieldResolver(() => Order, { description: 'The order this line belongs to.' })
  order(@Root() l: OrderLine, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Order).load(l.orderId);
  }

  @FieldResolver(() => Product, { nullable: true, description: 'The product sold; null for lines recorded without a product.' })
  product(@Root() l: OrderLine, @Ctx() ctx: Context) {
    return l.productId ? ctx.loaders.byId(Product).load(l.productId) : null;
  }
}

/** Order fields on Customer. */
@Resolver(() => Customer)
export class CustomerOrderResolver {
  @FieldResolver(() => OrderConnection, { description: 'The customer’s orders, newest placed first by default.' })
  @Reads('id')
  orders(@Root() c: Customer, @Args() args: OrdersArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.orders.ofCustomer(c.id, { page, filter: filter as Record<string, unknown>, orderBy, columns: ctx.loaders.shown(info, Order) }, { withCount: selects(info, 'totalCount') });
  }
}
