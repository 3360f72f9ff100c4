import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import { Order, OrderLine } from './order.entity';
import { OrderFilter, OrderSortField } from './order.types';

/** How order lists filter and sort (shared by `orders` and `Customer.orders`). */
export const orderList: ListSpec<Order, OrderFilter, OrderSortField> = {
  entity: Order,
  what: 'order',
  filters: {
    id: { sql: '{a}.id', kind: 'id', idType: 'Order' },
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    number: { sql: '{a}.number', kind: 'text' },
    externalRef: { sql: '{a}.external_ref', kind: 'text' },
    status: { sql: '{a}.status', kind: 'enum' },
    channel: { sql: '{a}.channel', kind: 'enum' },
    currency: { sql: '{a}.currency', kind: 'text' },
    placedAt: { sql: '{a}.placed_at', kind: 'timestamp' },
    total: { sql: '{a}.total_base', kind: 'decimal' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
  },
  sorts: {
    [OrderSortField.PLACED_AT]: { sql: '{a}.placed_at', pgType: 'timestamptz' },
    [OrderSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [OrderSortField.TOTAL]: { sql: '{a}.total_base', pgType: 'numeric' },
    [OrderSortField.NUMBER]: { sql: '{a}.number', pgType: 'text' },
  },
  defaultSort: { field: OrderSortField.PLACED_AT, direction: SortDirection.DESC },
};

/** An order's lines, in the order they were recorded. */
export const orderLineList: ListSpec<OrderLine, Record<never, never>, 'POSITION'> = {
  entity: OrderLine,
  what: 'order line',
  filters: {},
  sorts: { POSITION: { sql: '{a}.position', pgType: 'int' } },
  defaultSort: { field: 'POSITION', direction: SortDirection.ASC },
};
