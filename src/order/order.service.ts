import { randomUUID } from 'node:crypto';
import { EntityManager, In } from 'typeorm';
import type { Connection, PageArgs } from '../common/connection.types';
import { badInput, pgCode, pgConstraint, PG_UNIQUE_VIOLATION, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { convert, currencyExponent, formatAmount, MAX_AMOUNT, MAX_AMOUNT_LABEL, parseAmount, SCALE } from '../common/money';
import { loadReferences, resolveReferences } from '../common/references';
import { currencyCode, hasNul, nonNegativeAmount, NUL_MESSAGE, optionalText, pastInstant } from '../common/validate';
import { Customer } from '../customer/customer.entity';
import { Product } from '../product/product.entity';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { byIdJoin, type PageReads } from '../core/loaders';
import { findInScope } from '../common/scoped';
import { Order, OrderLine, ORDER_STATUS_TRANSITIONS, OrderStatus, PURCHASE_STATUSES, SalesChannel } from './order.entity';
import { orderLineList, orderList } from './order.loaders';
import { earnPoints, reversePoints, runOn } from '../loyalty/ledger';
import {
  MAX_LINES_PER_ORDER,
  MAX_QUANTITY,
  MAX_ORDERS_PER_BATCH,
  OrderPayload,
  RecordOrderInput,
  RecordOrderLineInput,
  RecordOrdersInput,
  RecordOrdersPayload,
  UpdateOrderStatusInput,
} from './order.types';

type Path = Array<string | number>;

/** Shop and server clocks drift: a placedAt a few minutes ahead is skew, not an order from the future. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;
/** rate_to_base is numeric(18,8): at most 10 digits before the point. */
const MAX_RATE = parseAmount('9999999999.9999');
const ONE = parseAmount('1');

interface LineDraft {
  productId: string | null;
  description: string;
  quantity: number;
  unitPrice: bigint;
  unitCost: bigint;
  discount: bigint;
}

interface OrderDraft {
  id: string;
  customerId: string;
  /** Undefined lets the database number the order from its sequence. */
  number: string | undefined;
  externalRef: string | null;
  placedAt: Date;
  status: OrderStatus;
  channel: SalesChannel;
  currency: string;
  rate: string;
  lines: LineDraft[];
  amounts: Record<'subtotal' | 'discount' | 'total' | 'cost' | 'totalBase' | 'costBase', bigint>;
}

/** What the drafts are checked against: the rows their IDs refer to and the keys already used. */
interface Lookups {
  customers: Map<string, string>;
  products: Map<string, Product>;
  takenRefs: Set<string>;
  takenNumbers: Set<string>;
  now: number;
}

const gross = (l: LineDraft) => BigInt(l.quantity) * l.unitPrice;
const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

/** Order totals from the lines, exactly: subtotal − discount = total, as the table's CHECK demands. */
function totals(lines: LineDraft[]) {
  const subtotal = sum(lines.map(gross));
  const discount = sum(lines.map((l) => l.discount));
  const cost = sum(lines.map((l) => BigInt(l.quantity) * l.unitCost));
  return { subtotal, discount, total: subtotal - discount, cost };
}

/**
 * Splits `amount` over `weights` in proportion, in whole minor units of the currency; the
 * units left over by rounding down go to the largest remainders (Hamilton's method), so the
 * shares add up to `amount` exactly and none exceeds its weight when amount ≤ Σ weights.
 */
function allocate(amount: bigint, weights: bigint[], currency: string): bigint[] {
  const step = 10n ** BigInt(SCALE - currencyExponent(currency));
  const minor = amount / step;
  const whole = sum(weights);
  if (whole === 0n) return weights.map(() => 0n);
  const shares = weights.map((w) => (minor * w) / whole);
  let left = minor - sum(shares);
  const byRemainder = weights.map((w, i) => ({ i, r: (minor * w) % whole })).sort((a, b) => (a.r === b.r ? a.i - b.i : a.r > b.r ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) shares[byRemainder[k].i] += 1n;
  return shares.map((s) => s * step);
}

/** An order line's product, read with the page of lines. */
const LINE_PRODUCT = byIdJoin<OrderLine, Product>(Product, 'product_id', (l) => l.productId);

export class OrderService {
  constructor(private readonly deps: ServiceDeps) {}

  async findOne(where: { id?: string | null; number?: string | null }): Promise<Order | null> {
    if ((where.id == null) === (where.number == null)) throw badInput('Pass exactly one of `id` or `number`.');
    if (where.id != null) {
      const id = decodeIdOf('Order', where.id);
      if (!id) throw badInput('`id` is not a valid Order ID.', { field: 'id' });
      const order = await this.deps.loaders.byId(Order).load(id);
      return order && !order.deletedAt ? order : null;
    }
    return this.deps.loaders.findByUnique(Order, 'number', where.number!.trim());
  }

  list(args: ListArgs): Promise<Connection<Order>> {
    return this.deps.loaders.list(orderList, args);
  }

  ofCustomer(customerId: string, args: ListArgs, reads: PageReads<Order> = {}): Promise<Connection<Order>> {
    return this.deps.loaders.pageByParent(orderList, 'customer_id', args, reads).load(customerId);
  }

  /** An order's lines; `withProducts`: with the products they sold, for the lines' `product` field. */
  lines(orderId: string, page: PageArgs, withProducts = false): Promise<Connection<OrderLine>> {
    return this.deps.loaders.pageByParent(orderLineList, 'order_id', { page }, { joins: withProducts ? [LINE_PRODUCT] : [] }).load(orderId);
  }

  async record(input: RecordOrderInput): Promise<OrderPayload> {
    this.deps.access.require('orders:write');
    const errors = new UserErrors();
    const [order] = await this.recordAll([input], () => ['input'], errors);
    return { order: errors.any ? null : order, userErrors: errors.list };
  }

  async recordMany(input: RecordOrdersInput): Promise<RecordOrdersPayload> {
    this.deps.access.require('orders:write');
    const errors = new UserErrors();
    if (input.orders.length > MAX_ORDERS_PER_BATCH) {
      errors.add(['input', 'orders'], UserErrorCode.TOO_MANY, `At most ${MAX_ORDERS_PER_BATCH} orders per call; split the batch.`);
      return { orders: [], userErrors: errors.list };
    }
    const orders = await this.recordAll(input.orders, (i) => ['input', 'orders', i], errors);
    return { orders: errors.any ? [] : orders, userErrors: errors.list };
  }

  async updateStatus(input: UpdateOrderStatusInput): Promise<OrderPayload> {
    this.deps.access.require('orders:write');
    const errors = new UserErrors();
    const fail = (field: string, code: UserErrorCode, message: string): OrderPayload => {
      errors.add(['input', field], code, message);
      return { order: null, userErrors: errors.list };
    };
    const id = decodeIdOf('Order', input.id);
    if (!id) return fail('id', UserErrorCode.INVALID_ID, 'Not a valid Order ID.');
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(Order);
      const current = await findInScope(m, Order, id, this.deps.access.rowCondition('orders'), { lock: true });
      if (!current) return fail('id', UserErrorCode.NOT_FOUND, 'No order with this ID.');
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        return fail('expectedVersion', UserErrorCode.CONFLICT, `The order changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
      }
      const allowed = ORDER_STATUS_TRANSITIONS[current.status];
      if (!allowed.includes(input.status)) {
        const options = allowed.length ? `it can move to ${allowed.join(', ')}` : 'it cannot change any more';
        return fail('status', UserErrorCode.INVALID_TRANSITION, `The order is ${current.status}: ${options}.`);
      }
      await repo.update({ id }, { status: input.status, version: current.version + 1 });
      if (!PURCHASE_STATUSES.includes(input.status)) {
        await reversePoints(runOn(m), this.deps.actor.label, [id], new Date(), `Order ${current.number} ${input.status.toLowerCase()}`);
      }
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action: 'order.updateStatus', objectType: 'Order', objectId: id, before: { status: current.status, version: current.version }, after: { status: updated.status, version: updated.version } });
      return { order: updated, userErrors: [] };
    });
  }

  /**
   * Validates every order first and writes only when all are valid, in one transaction with a
   * constant number of statements however many orders come: one lookup per referenced type,
   * one for keys already taken, one INSERT for the orders and one for all their lines.
   */
  private async recordAll(inputs: RecordOrderInput[], at: (i: number) => Path, errors: UserErrors): Promise<Order[]> {
    try {
      return await this.deps.db.transaction(async (m) => {
        const lookups = await this.lookups(m, inputs, at, errors);
        const seenRefs = new Set<string>();
        const seenNumbers = new Set<string>();
        const drafts = inputs.map((input, i) => {
          const draft = this.draftOrder(input, at(i), errors, lookups);
          // A key used twice in one batch is taken by the first use.
          if (draft?.externalRef != null) {
            if (seenRefs.has(draft.externalRef)) errors.add([...at(i), 'externalRef'], UserErrorCode.TAKEN, 'Another order in this batch has the same external reference.');
            seenRefs.add(draft.externalRef);
          }
          if (draft?.number != null) {
            if (seenNumbers.has(draft.number)) errors.add([...at(i), 'number'], UserErrorCode.TAKEN, 'Another order in this batch has the same number.');
            seenNumbers.add(draft.number);
          }
          return draft;
        });
        if (errors.any) return [];
        const orders = await this.insert(m, drafts.filter((d): d is OrderDraft => d !== null));
        // Enrolled customers' purchases earn their points with the orders, or not at all.
        await earnPoints(runOn(m), this.deps.actor.label, 'o.id = ANY($2::uuid[])', [orders.map((o) => o.id)]);
        await recordAudit(
          m,
          this.deps,
          orders.map((o) => ({ action: 'order.record', objectType: 'Order', objectId: o.id, after: { number: o.number, customerId: o.customerId, status: o.status, currency: o.currency, total: o.total, placedAt: o.placedAt } })),
        );
        return orders;
      });
    } catch (e) {
      // Taken keys were checked above: only a concurrent writer, or an explicit number that the
      // sequence also hands out within this batch, gets here.
      const field = { orders_external_ref_key: 'externalRef', orders_number_key: 'number' }[pgConstraint(e) ?? ''];
      if (pgCode(e) !== PG_UNIQUE_VIOLATION || !field) throw e;
      errors.add(inputs.length === 1 ? [...at(0), field] : ['input', 'orders'], UserErrorCode.TAKEN, `Another order was just recorded with the same ${field === 'number' ? 'number' : 'external reference'}.`);
      return [];
    }
  }

  private async lookups(m: EntityManager, inputs: RecordOrderInput[], at: (i: number) => Path, errors: UserErrors): Promise<Lookups> {
    const customerRefs = inputs.map((o, i) => ({ path: [...at(i), 'customerId'], globalId: o.customerId }));
    const productRefs = inputs.flatMap((o, i) =>
      o.lines.slice(0, MAX_LINES_PER_ORDER).flatMap((l, j) => (l.productId != null ? [{ path: [...at(i), 'lines', j, 'productId'], globalId: l.productId }] : [])),
    );
    const customers = await resolveReferences(m, errors, customerRefs, 'Customer', Customer, this.deps.access.rowCondition('customers'));
    const products = productRefs.length ? await loadReferences(m, errors, productRefs, 'Product', Product) : new Map<string, Product>();
    // Keys with a NUL are refused by draftOrder; Postgres could not even compare them.
    const refs = inputs.map((o) => o.externalRef?.trim()).filter((v): v is string => !!v && !hasNul(v));
    const numbers = inputs.map((o) => o.number?.trim()).filter((v): v is string => !!v && !hasNul(v));
    const taken: Array<{ external_ref: string | null; number: string }> =
      refs.length || numbers.length
        ? await m.query('SELECT external_ref, number FROM orders WHERE external_ref = ANY($1::text[]) OR number = ANY($2::text[])', [refs, numbers])
        : [];
    return {
      customers,
      products,
      takenRefs: new Set(taken.flatMap((r) => (r.external_ref ? [r.external_ref] : []))),
      takenNumbers: new Set(taken.map((r) => r.number)),
      now: Date.now(),
    };
  }

  /** Checks one order and fills in its defaults; null after recording its problems. */
  private draftOrder(input: RecordOrderInput, at: Path, errors: UserErrors, lookups: Lookups): OrderDraft | null {
    const before = errors.list.length;
    const base = this.deps.config.baseCurrency;
    // An unusable currency is reported; the other checks go on with the code as given, and the order is refused.
    const currency = input.currency == null ? base : currencyCode(errors, [...at, 'currency'], input.currency) ?? input.currency.toUpperCase();
    const rate = this.rate(input.exchangeRate, currency, [...at, 'exchangeRate'], errors);
    const externalRef = optionalText(errors, [...at, 'externalRef'], input.externalRef) ?? null;
    if (externalRef && lookups.takenRefs.has(externalRef)) errors.add([...at, 'externalRef'], UserErrorCode.TAKEN, 'Another order already has this external reference.');
    const number = optionalText(errors, [...at, 'number'], input.number, 50) ?? undefined;
    if (number && lookups.takenNumbers.has(number)) errors.add([...at, 'number'], UserErrorCode.TAKEN, 'Another order already has this number.');
    const placedAt = input.placedAt ?? new Date(lookups.now);
    pastInstant(errors, [...at, 'placedAt'], placedAt, new Date(lookups.now), FUTURE_TOLERANCE_MS);

    const lines: LineDraft[] = [];
    if (!input.lines.length) errors.add([...at, 'lines'], UserErrorCode.REQUIRED, 'An order needs at least one line.');
    else if (input.lines.length > MAX_LINES_PER_ORDER) errors.add([...at, 'lines'], UserErrorCode.TOO_MANY, `At most ${MAX_LINES_PER_ORDER} lines per order.`);
    else {
      input.lines.forEach((l, j) => {
        const line = this.draftLine(l, [...at, 'lines', j], currency, errors, lookups);
        if (line) lines.push(line);
      });
    }
    const orderDiscount = input.orderDiscount == null ? 0n : nonNegativeAmount(errors, [...at, 'orderDiscount'], input.orderDiscount, currency);
    const customerId = lookups.customers.get(input.customerId);
    if (errors.list.length > before || !customerId || !rate || orderDiscount === undefined) return null;

    if (orderDiscount > 0n) {
      const nets = lines.map((l) => gross(l) - l.discount);
      if (orderDiscount > sum(nets)) {
        errors.add([...at, 'orderDiscount'], UserErrorCode.OUT_OF_RANGE, `Must not exceed the lines’ total after their discounts (${formatAmount(sum(nets), currencyExponent(currency))}).`);
        return null;
      }
      allocate(orderDiscount, nets, currency).forEach((share, j) => (lines[j].discount += share));
    }
    const t = totals(lines);
    const amounts = { ...t, totalBase: convert(t.total, rate, base), costBase: convert(t.cost, rate, base) };
    // Every stored amount, the lines' included, is at most one of these: so sums over many orders stay far from any limit.
    if ([amounts.subtotal, amounts.cost, amounts.totalBase, amounts.costBase].some((a) => a > MAX_AMOUNT)) {
      errors.add([...at, 'lines'], UserErrorCode.OUT_OF_RANGE, `The order’s total and cost must each be at most ${MAX_AMOUNT_LABEL}, in its currency and in the base currency.`);
      return null;
    }
    return { id: randomUUID(), customerId, number, externalRef, placedAt, status: input.status, channel: input.channel, currency, rate, lines, amounts };
  }

  private draftLine(l: RecordOrderLineInput, at: Path, currency: string, errors: UserErrors, lookups: Lookups): LineDraft | null {
    const before = errors.list.length;
    const product = l.productId != null ? lookups.products.get(l.productId) : undefined;
    const description = l.description?.trim() || product?.name;
    if (!description && l.productId == null) errors.add([...at, 'description'], UserErrorCode.REQUIRED, 'Describe what was sold, or give a productId.');
    else if (description && hasNul(description)) errors.add([...at, 'description'], UserErrorCode.INVALID, NUL_MESSAGE);
    else if (description && description.length > 500) errors.add([...at, 'description'], UserErrorCode.TOO_LONG, 'Must be at most 500 characters.');
    if (!(l.quantity > 0) || l.quantity > MAX_QUANTITY) errors.add([...at, 'quantity'], UserErrorCode.OUT_OF_RANGE, `Must be from 1 to ${MAX_QUANTITY.toLocaleString('en-US')}.`);

    // A product's price and cost are in its own currency, so they serve as defaults only for orders in that currency.
    const fromProduct = (p: Product, field: 'unitPrice' | 'unitCost'): bigint | undefined => {
      if (p.currency === currency) return parseAmount(p[field]);
      errors.add([...at, field], UserErrorCode.CURRENCY_MISMATCH, `The product is priced in ${p.currency}, the order is in ${currency}: give ${field} in ${currency}.`);
      return undefined;
    };
    const amount = (field: 'unitPrice' | 'unitCost' | 'discount', value: string | null | undefined, fallback: () => bigint | undefined) =>
      value != null ? nonNegativeAmount(errors, [...at, field], value, currency) : fallback();

    const unitPrice = amount('unitPrice', l.unitPrice, () => {
      if (product) return fromProduct(product, 'unitPrice');
      if (l.productId == null) errors.add([...at, 'unitPrice'], UserErrorCode.REQUIRED, 'Give the unit price of a line without a product.');
      return undefined;
    });
    const unitCost = amount('unitCost', l.unitCost, () => (product ? fromProduct(product, 'unitCost') : 0n));
    const discount = amount('discount', l.discount, () => 0n);
    const quantityOk = l.quantity > 0 && l.quantity <= MAX_QUANTITY;
    if (quantityOk && unitPrice !== undefined && BigInt(l.quantity) * unitPrice > MAX_AMOUNT) {
      errors.add([...at, 'unitPrice'], UserErrorCode.OUT_OF_RANGE, `quantity × unitPrice must be at most ${MAX_AMOUNT_LABEL}.`);
    } else if (quantityOk && unitCost !== undefined && BigInt(l.quantity) * unitCost > MAX_AMOUNT) {
      errors.add([...at, 'unitCost'], UserErrorCode.OUT_OF_RANGE, `quantity × unitCost must be at most ${MAX_AMOUNT_LABEL}.`);
    } else if (quantityOk && unitPrice !== undefined && discount !== undefined && discount > BigInt(l.quantity) * unitPrice) {
      errors.add([...at, 'discount'], UserErrorCode.OUT_OF_RANGE, `Must not exceed quantity × unitPrice (${formatAmount(BigInt(l.quantity) * unitPrice, currencyExponent(currency))}).`);
    }
    // An unknown productId was reported by the lookup; such a line is invalid even when the rest checks out.
    const unknownProduct = l.productId != null && !product;
    if (errors.list.length > before || unknownProduct || unitPrice === undefined || unitCost === undefined || discount === undefined || !description) return null;
    return { productId: product?.id ?? null, description, quantity: l.quantity, unitPrice, unitCost, discount };
  }

  /** The order's rate to the base currency as a decimal string, or undefined after recording why not. */
  private rate(value: string | null | undefined, currency: string, at: Path, errors: UserErrors): string | undefined {
    const base = this.deps.config.baseCurrency;
    if (currency === base) {
      if (value != null && parseAmount(value) !== ONE) {
        errors.add(at, UserErrorCode.INVALID, `Orders in the base currency (${base}) have a rate of 1.`);
        return undefined;
      }
      return '1';
    }
    if (value == null) {
      errors.add(at, UserErrorCode.REQUIRED, `Give the value of 1 ${currency} in ${base}.`);
      return undefined;
    }
    const rate = parseAmount(value);
    if (rate <= 0n || rate > MAX_RATE) {
      errors.add(at, UserErrorCode.OUT_OF_RANGE, 'Must be greater than 0 and less than 10000000000.');
      return undefined;
    }
    return formatAmount(rate);
  }

  private async insert(m: EntityManager, drafts: OrderDraft[]): Promise<Order[]> {
    if (!drafts.length) return [];
    await m
      .createQueryBuilder()
      .insert()
      .into(Order)
      .values(
        drafts.map(({ amounts: a, ...d }) => ({
          id: d.id,
          customerId: d.customerId,
          number: d.number,
          externalRef: d.externalRef,
          placedAt: d.placedAt,
          status: d.status,
          channel: d.channel,
          currency: d.currency,
          baseCurrency: this.deps.config.baseCurrency,
          rateToBase: d.rate,
          subtotalAmount: formatAmount(a.subtotal),
          discountAmount: formatAmount(a.discount),
          totalAmount: formatAmount(a.total),
          costAmount: formatAmount(a.cost),
          totalBase: formatAmount(a.totalBase),
          costBase: formatAmount(a.costBase),
        })),
      )
      .updateEntity(false)
      .execute();
    // One statement for any number of lines: column arrays unnested, instead of a VALUES row per line.
    const lines = drafts.flatMap((d) => d.lines.map((l, j) => ({ order: d, line: l, position: j + 1 })));
    const column = <T>(f: (x: (typeof lines)[number]) => T) => lines.map(f);
    await m.query(
      `INSERT INTO order_lines (order_id, customer_id, product_id, position, description, quantity, currency, unit_price_amount, unit_cost_amount, discount_amount, total_amount)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::int[], $7::text[], $8::numeric[], $9::numeric[], $10::numeric[], $11::numeric[])`,
      [
        column((x) => x.order.id),
        column((x) => x.order.customerId),
        column((x) => x.line.productId),
        column((x) => x.position),
        column((x) => x.line.description),
        column((x) => x.line.quantity),
        column((x) => x.order.currency),
        column((x) => formatAmount(x.line.unitPrice)),
        column((x) => formatAmount(x.line.unitCost)),
        column((x) => formatAmount(x.line.discount)),
        column((x) => formatAmount(gross(x.line) - x.line.discount)),
      ],
    );
    const stored = await m.getRepository(Order).findBy({ id: In(drafts.map((d) => d.id)) });
    const byId = new Map(stored.map((o) => [o.id, o]));
    return drafts.map((d) => byId.get(d.id)!);
  }
}
