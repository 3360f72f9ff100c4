import { CurrencyResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, DecimalFilter, EnumFilter, IDFilter, StringFilter } from '../common/filter.types';
import { MAX_AMOUNT_LABEL } from '../common/money';
import { DecimalScalar } from '../common/scalars';
import { Order, ORDER_STATUS_TRANSITIONS, OrderLine, OrderStatus, SalesChannel } from './order.entity';

export const OrderConnection = ConnectionType(Order, 'Order', 'order');
export const OrderLineConnection = ConnectionType(OrderLine, 'OrderLine', 'order line');

/** Limits of one call, so a single request cannot hold a transaction open for minutes. */
export const MAX_LINES_PER_ORDER = 500;
export const MAX_ORDERS_PER_BATCH = 1000;
/** Units on one line: with MAX_AMOUNT per line, enough for any real order. */
export const MAX_QUANTITY = 1_000_000;

export enum OrderSortField {
  PLACED_AT = 'PLACED_AT',
  CREATED_AT = 'CREATED_AT',
  TOTAL = 'TOTAL',
  NUMBER = 'NUMBER',
}
registerEnumType(OrderSortField, {
  name: 'OrderSortField',
  description: 'Fields orders can be sorted by.',
  valuesConfig: {
    PLACED_AT: { description: 'When the order was placed.' },
    CREATED_AT: { description: 'When the order was recorded in Rapport.' },
    TOTAL: { description: 'Total in the base currency, so orders in different currencies compare.' },
    NUMBER: { description: 'Order number.' },
  },
});
export const OrderOrderBy = OrderByType(OrderSortField, 'Order', OrderSortField.PLACED_AT, SortDirection.DESC);

const OrderStatusFilter = EnumFilter(OrderStatus, 'OrderStatus');
const SalesChannelFilter = EnumFilter(SalesChannel, 'SalesChannel');

@InputType({ description: 'Conditions on orders. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class OrderFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The order’s own ID.' })
  id?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The customer who placed the order (Customer ID).' })
  customer?: IDFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Order number.' })
  number?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'ID in the source system.' })
  externalRef?: StringFilter;
  @Field(() => OrderStatusFilter, { nullable: true, description: 'Status.' })
  status?: object;
  @Field(() => SalesChannelFilter, { nullable: true, description: 'Where the order was placed.' })
  channel?: object;
  @Field(() => StringFilter, { nullable: true, description: 'ISO 4217 currency of the order, e.g. { eq: "EUR" }.' })
  currency?: StringFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the order was placed.' })
  placedAt?: object;
  @Field(() => DecimalFilter, { nullable: true, description: 'Total in the base currency (`totalInBaseCurrency`).' })
  total?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the order was recorded in Rapport.' })
  createdAt?: object;
  @Field(() => [OrderFilter], { nullable: true, description: 'All of these conditions.' })
  and?: OrderFilter[];
  @Field(() => [OrderFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: OrderFilter[];
  @Field(() => OrderFilter, { nullable: true, description: 'Not this condition.' })
  not?: OrderFilter;
}

@ArgsType()
export class OrdersArgs extends PageArgs {
  @Field(() => OrderFilter, { nullable: true, description: 'Only orders matching these conditions.' })
  filter?: OrderFilter | null;

  @Field(() => OrderOrderBy, { nullable: true, description: 'Sort order (default: newest placed first).' })
  orderBy?: { field: OrderSortField; direction: SortDirection } | null;
}

@ArgsType()
export class OrderLookupArgs {
  @Field(() => ID, { nullable: true, description: 'The order’s global ID.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'The order number, e.g. R-0001234.' })
  number?: string | null;
}

@InputType({
  description: `One line of an order to record. Amounts are in the order’s currency; each of unitPrice, unitCost, discount, quantity × unitPrice and quantity × unitCost is at most ${MAX_AMOUNT_LABEL}.`,
})
export class RecordOrderLineInput {
  @Field(() => ID, { nullable: true, description: 'The product sold, if it is in the catalog.' })
  productId?: string | null;
  @Field(() => String, { nullable: true, description: 'What was sold. Defaults to the product name; required without a product.' })
  description?: string | null;
  @Field(() => Int, { description: `Units sold; from 1 to ${MAX_QUANTITY.toLocaleString('en-US')}.` })
  quantity: number;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: `Price per unit, from 0 to ${MAX_AMOUNT_LABEL}. Defaults to the product’s price when the order is in the product’s currency; required otherwise.`,
  })
  unitPrice?: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Cost per unit, 0 or more. Defaults to the product’s cost when the order is in the product’s currency (required for a product in another currency), and to 0 without a product.',
  })
  unitCost?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: 'Discount on the whole line, from 0 up to quantity × unitPrice (default 0).' })
  discount?: string | null;
}

@InputType({
  description: `A purchase to record, e.g. from a shop or ERP. Totals are computed from the lines; the order’s total and cost are each at most ${MAX_AMOUNT_LABEL}, in its currency and in the base currency.`,
})
export class RecordOrderInput {
  @Field(() => ID, { description: 'The customer who bought.' })
  customerId: string;
  @Field(() => String, { nullable: true, description: 'The order’s ID in your source system; unique. Use it to avoid importing an order twice.' })
  externalRef?: string | null;
  @Field(() => String, { nullable: true, description: 'Order number; unique. Default: the next number of the form R-0001234.' })
  number?: string | null;
  @Field(() => Date, { nullable: true, description: 'When the order was placed (default: now); not before 1900-01-01, not in the future.' })
  placedAt?: Date | null;
  @Field(() => OrderStatus, { defaultValue: OrderStatus.PAID, description: 'Status.' })
  status: OrderStatus;
  @Field(() => SalesChannel, { defaultValue: SalesChannel.ONLINE, description: 'Where the order was placed.' })
  channel: SalesChannel;
  @Field(() => CurrencyResolver, {
    nullable: true,
    description: 'ISO 4217 currency of all amounts of the order (default: the base currency). Codes that are not money one pays in (XXX, XTS, metals such as XAU, funds codes) are refused.',
  })
  currency?: string | null;
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'Value of 1 unit of the order currency in the base currency, greater than 0. Required when the currency is not the base currency; 1 (or omitted) otherwise.',
  })
  exchangeRate?: string | null;
  @Field(() => [RecordOrderLineInput], { description: `The lines, at least 1 and at most ${MAX_LINES_PER_ORDER}, in the order given.` })
  lines: RecordOrderLineInput[];
  @Field(() => DecimalScalar, {
    nullable: true,
    description: 'A discount on the whole order, up to the lines’ total after their own discounts. It is spread over the lines in proportion to their totals, so the lines always add up to the order.',
  })
  orderDiscount?: string | null;
}

@InputType({ description: 'Orders to record in one go: all or none.' })
export class RecordOrdersInput {
  @Field(() => [RecordOrderInput], { description: `The orders, at most ${MAX_ORDERS_PER_BATCH}. If any has a problem, none is recorded.` })
  orders: RecordOrderInput[];
}

const ALLOWED_TRANSITIONS = Object.entries(ORDER_STATUS_TRANSITIONS)
  .filter(([, to]) => to.length)
  .map(([from, to]) => `${from} → ${to.join(' or ')}`)
  .join('; ');

@InputType({ description: 'Move an order to another status.' })
export class UpdateOrderStatusInput {
  @Field(() => ID, { description: 'The order.' })
  id: string;
  @Field(() => OrderStatus, { description: `The new status. Allowed changes: ${ALLOWED_TRANSITIONS}.` })
  status: OrderStatus;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the order changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'Result of an order mutation.' })
export class OrderPayload {
  @Field(() => Order, { nullable: true, description: 'The order as stored after the change; null when nothing was written.' })
  order: Order | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'Result of recordOrders.' })
export class RecordOrdersPayload {
  @Field(() => [Order], { description: 'The recorded orders, in the order given; empty when nothing was written.' })
  orders: Order[];
  @Field(() => [UserError], { description: 'Problems with the input, with paths like ["input", "orders", "3", "lines", "0", "quantity"]; empty on success.' })
  userErrors: UserError[];
}
