import { CurrencyResolver } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, BaseRecord, Node } from '../common/base.entity';
import { Money } from '../common/money.types';
import { Reads } from '../core/selection';
import { DecimalScalar } from '../common/scalars';

export enum OrderStatus {
  PENDING = 'PENDING',
  PAID = 'PAID',
  FULFILLED = 'FULFILLED',
  CANCELLED = 'CANCELLED',
  REFUNDED = 'REFUNDED',
}
registerEnumType(OrderStatus, {
  name: 'OrderStatus',
  description: 'Where the order stands. CANCELLED and REFUNDED orders never count as purchases (not in revenue, RFM or CLV).',
  valuesConfig: {
    PENDING: { description: 'Placed, not yet paid.' },
    PAID: { description: 'Paid, not yet delivered.' },
    FULFILLED: { description: 'Delivered or handed over.' },
    CANCELLED: { description: 'Cancelled before fulfilment; not a purchase.' },
    REFUNDED: { description: 'Money returned; not a purchase.' },
  },
});

/** Statuses that count as a purchase everywhere (revenue, RFM, CLV). */
export const PURCHASE_STATUSES: OrderStatus[] = [OrderStatus.PENDING, OrderStatus.PAID, OrderStatus.FULFILLED];

/** Allowed status changes; anything else is INVALID_TRANSITION. */
export const ORDER_STATUS_TRANSITIONS: Record<OrderStatus, OrderStatus[]> = {
  PENDING: [OrderStatus.PAID, OrderStatus.FULFILLED, OrderStatus.CANCELLED],
  PAID: [OrderStatus.FULFILLED, OrderStatus.REFUNDED, OrderStatus.CANCELLED],
  FULFILLED: [OrderStatus.REFUNDED],
  CANCELLED: [],
  REFUNDED: [],
};

export enum SalesChannel {
  STORE = 'STORE',
  ONLINE = 'ONLINE',
  PHONE = 'PHONE',
  PARTNER = 'PARTNER',
  OTHER = 'OTHER',
}
registerEnumType(SalesChannel, {
  name: 'SalesChannel',
  description: 'Where the order was placed.',
  valuesConfig: {
    STORE: { description: 'In a physical store.' },
    ONLINE: { description: 'Web shop or app.' },
    PHONE: { description: 'By phone.' },
    PARTNER: { description: 'Through a reseller or partner.' },
    OTHER: { description: 'Anywhere else.' },
  },
});

@ObjectType({ implements: Node, description: 'A purchase by a customer, with its lines and exact totals. Totals always equal the sum of the lines.' })
@Entity('orders')
export class Order extends ArchivableRecord {
  protected get nodeType() {
    return 'Order';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Field({ description: 'Human-readable order number, unique, e.g. R-0001234.' })
  @Column({ type: 'text' })
  number: string;

  @Field(() => String, { nullable: true, description: 'The order’s ID in your source system; unique.' })
  @Column({ type: 'text', nullable: true })
  externalRef: string | null;

  @Field({ description: 'When the order was placed.' })
  @Column({ type: 'timestamptz' })
  placedAt: Date;

  @Field(() => OrderStatus, { description: 'Current status.' })
  @Column({ type: 'text' })
  status: OrderStatus;

  @Field(() => SalesChannel, { description: 'Where the order was placed.' })
  @Column({ type: 'text' })
  channel: SalesChannel;

  @Field(() => CurrencyResolver, { description: 'ISO 4217 currency of the order’s amounts.' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @Field(() => CurrencyResolver, { description: 'The deployment’s base currency that `totalInBaseCurrency` and `marginInBaseCurrency` are in.' })
  @Column({ type: 'char', length: 3 })
  baseCurrency: string;

  @Field(() => DecimalScalar, { description: 'Exchange rate: 1 unit of the order currency in the base currency, fixed when the order was recorded.' })
  @Column({ type: 'numeric', precision: 18, scale: 8 })
  rateToBase: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  subtotalAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  discountAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  totalAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  costAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4, insert: false, update: false })
  marginAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  totalBase: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  costBase: string;

  @Column({ type: 'numeric', precision: 19, scale: 4, insert: false, update: false })
  marginBase: string;

  @Field(() => Money, { description: 'Sum of the lines before discounts.' })
  @Reads('subtotalAmount', 'currency')
  get subtotal(): Money {
    return Money.of(this.subtotalAmount, this.currency);
  }

  @Field(() => Money, { description: 'Total discount over all lines.' })
  @Reads('discountAmount', 'currency')
  get discount(): Money {
    return Money.of(this.discountAmount, this.currency);
  }

  @Field(() => Money, { description: 'What the customer pays: subtotal − discount.' })
  @Reads('totalAmount', 'currency')
  get total(): Money {
    return Money.of(this.totalAmount, this.currency);
  }

  @Field(() => Money, { description: 'Cost of goods sold.' })
  @Reads('costAmount', 'currency')
  get cost(): Money {
    return Money.of(this.costAmount, this.currency);
  }

  @Field(() => Money, { description: 'Gross margin: total − cost. CRM values customers by margin, not revenue.' })
  @Reads('marginAmount', 'currency')
  get margin(): Money {
    return Money.of(this.marginAmount, this.currency);
  }

  @Field(() => Money, { description: 'Total converted to the base currency at `rateToBase`.' })
  get totalInBaseCurrency(): Money {
    return Money.of(this.totalBase, this.baseCurrency);
  }

  @Field(() => Money, { description: 'Margin converted to the base currency at `rateToBase`.' })
  get marginInBaseCurrency(): Money {
    return Money.of(this.marginBase, this.baseCurrency);
  }

  @Field({ description: 'True unless the order was cancelled or refunded: whether it counts as a purchase.' })
  get countsAsPurchase(): boolean {
    return PURCHASE_STATUSES.includes(this.status);
  }
}

@ObjectType({ implements: Node, description: 'One line of an order.' })
@Entity('order_lines')
export class OrderLine extends BaseRecord {
  protected get nodeType() {
    return 'OrderLine';
  }

  @Column({ type: 'uuid' })
  orderId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  productId: string | null;

  @Field(() => Int, { description: 'Position of the line in the order, from 1.' })
  @Column({ type: 'int' })
  position: number;

  @Field({ description: 'What was sold (defaults to the product name).' })
  @Column({ type: 'text' })
  description: string;

  @Field(() => Int, { description: 'Units sold; greater than 0.' })
  @Column({ type: 'int' })
  quantity: number;

  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  unitPriceAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  unitCostAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  discountAmount: string;

  @Column({ type: 'numeric', precision: 19, scale: 4 })
  totalAmount: string;

  @Field(() => Money, { description: 'Price per unit.' })
  get unitPrice(): Money {
    return Money.of(this.unitPriceAmount, this.currency);
  }

  @Field(() => Money, { description: 'Cost per unit.' })
  get unitCost(): Money {
    return Money.of(this.unitCostAmount, this.currency);
  }

  @Field(() => Money, { description: 'Discount on the whole line.' })
  get discount(): Money {
    return Money.of(this.discountAmount, this.currency);
  }

  @Field(() => Money, { description: 'quantity × unitPrice − discount.' })
  get total(): Money {
    return Money.of(this.totalAmount, this.currency);
  }
}
