import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import { convert, formatAmount, MAX_AMOUNT, MAX_AMOUNT_LABEL } from '../common/money';
import { pgClient, text, time } from '../db/copy';
import type { Config } from '../core/config';
import { CsvRow, CsvSource, readCsv, sourceName } from './csv-reader';
import { collect, parseChoice, parseCurrency, parseMoney, parseRate, parseText, parseTimestamp } from './fields';
import { ImportErrors, ImportFailure } from './import-result';
import { OrderLine, OrderWriter } from './order-writer';

/**
 * CSV import of orders (npm run import -- orders FILE.csv).
 *
 * Header: customer_ref,order_ref,placed_at,currency,total,cost,status,channel[,rate_to_base]; only customer_ref,
 * placed_at and total are required, the others may be absent or empty (currency → base currency, cost → 0,
 * status → FULFILLED, channel → OTHER). An order keeps only its totals: subtotal = total, discount 0, no lines.
 * A non-base currency needs rate_to_base (1 unit of the currency in the base currency).
 *
 * A customer_ref that is not yet a customer's external_ref creates a PERSON named "Customer <ref>" in stage ONBOARDING
 * (they have bought from you, which is what ONBOARDING means; the lifecycle rules move them on from their history),
 * with an IMPORT transition.
 *
 * All or nothing: rows are validated as they are read and written in chunks with COPY inside one transaction, the
 * customer refs looked up in bulk (no query per row); after the first bad row nothing more is written, the rest of the
 * file is still checked so that every problem is reported, and the transaction is rolled back. A repeated order_ref
 * (in the file or already in the database) is found by the unique index and reported with its lines at the end.
 */
export interface OrderImportSuccess {
  ok: true;
  imported: number;
  createdCustomers: number;
}

export const ORDER_COLUMNS = {
  required: ['customer_ref', 'placed_at', 'total'],
  optional: ['order_ref', 'currency', 'cost', 'status', 'channel', 'rate_to_base'],
} as const;

const STATUSES = ['PENDING', 'PAID', 'FULFILLED', 'CANCELLED', 'REFUNDED'] as const;
const CHANNELS = ['STORE', 'ONLINE', 'PHONE', 'PARTNER', 'OTHER'] as const;
/** Rows per chunk: big enough that statements are few, small enough that parsing and writing overlap well. */
const CHUNK_ROWS = 20_000;
/** Rows parsed between two looks at the connection. */
const YIELD_EVERY = 200;

/** Imports at least this large refresh the planner's statistics. */
const ANALYZE_AFTER_ROWS = 5_000;

export async function importOrders(db: DataSource, source: CsvSource, config: Pick<Config, 'baseCurrency'>): Promise<OrderImportSuccess | ImportFailure> {
  const errors = new ImportErrors();
  const base = config.baseCurrency;
  const runner = db.createQueryRunner();
  let writer: OrderWriter | null = null;
  try {
    const client = await pgClient(runner);
    await runner.startTransaction();
    // The orders' rescore requests are made once, by writer.finish(), not by the insert trigger after every chunk
    // (migration ImportRequestsRescoreOnce). SET LOCAL: the setting ends with the transaction.
    await runner.query(`SET LOCAL rapport.orders_rescore_requested_by_writer = 'on'`);
    const [onboarding] = await runner.query(`SELECT id FROM lifecycle_stages WHERE key = 'ONBOARDING'`);
    if (!onboarding) throw new Error('lifecycle stage ONBOARDING is missing');
    const now = new Date();
    writer = new OrderWriter(client, errors, { stageId: onboarding.id, reason: `Created by the order import of ${sourceName(source)}`, at: now });

    let chunk = writer.chunk();
    for await (const row of readCsv(source, ORDER_COLUMNS, errors)) {
      const problems: string[] = [];
      const { orderRef, order } = parseOrder(row, base, now.getTime(), problems);
      if (problems.length) errors.add(row.line, problems.join('; '));
      chunk.add(row.line, orderRef, order);
      if (chunk.rows >= CHUNK_ROWS) {
        await writer.send(chunk);
        chunk = writer.chunk();
      } else if (chunk.rows % YIELD_EVERY === 0) {
        // Parsing runs between the connection's turns: without a pause now and then, the next statement waits for it.
        await yieldToIo();
      }
    }
    await writer.send(chunk);
    await writer.finish();

    if (errors.any || writer.unwrittenFrom !== null) {
      await writer.reportRepeatedRefs();
      // The unique index turned a chunk down, so some order_ref was taken; it was taken by a transaction that has
      // since rolled back if the report finds nothing.
      if (!errors.any) throw new Error('an order_ref of the file was being written by another import at the same time; import the file again');
      await runner.rollbackTransaction();
      return errors.failure();
    }
    await runner.commitTransaction();
    // Fresh statistics after a bulk load: until autovacuum gets to it, the planner would see the old, small tables
    // (a model fit over a just-imported 70,000 orders took 50 s instead of 2 s).
    if (writer.imported >= ANALYZE_AFTER_ROWS) await runner.query('ANALYZE customers, orders, lifecycle_transitions');
    return { ok: true, imported: writer.imported, createdCustomers: writer.createdCustomers };
  } catch (e) {
    await writer?.abandon();
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw e;
  } finally {
    await runner.release();
  }
}

/**
 * Checks one row; its problems go to `problems`. The order_ref comes back even when other cells are bad, since a later
 * row repeating it is reported as a repeat.
 */
function parseOrder(row: CsvRow, base: string, now: number, problems: string[]): { orderRef: string | null; order: OrderLine | null } {
  const check = collect(problems);
  const customerRef = row.get('customer_ref');
  if (!customerRef) problems.push('customer_ref is required');
  else check(() => parseText('customer_ref', customerRef, 200));
  const refText = row.get('order_ref');
  const orderRef = refText && check(() => parseText('order_ref', refText, 200)) !== undefined ? refText : null;
  const placedText = row.get('placed_at');
  const placedAt = placedText ? check(() => parseTimestamp('placed_at', placedText, now)) : (problems.push('placed_at is required'), undefined);
  const currency = row.get('currency') ? check(() => parseCurrency('currency', row.get('currency'))) : base;
  const rateText = row.get('rate_to_base');
  let rate: string | undefined = '1';
  if (currency && currency !== base) {
    if (!rateText) problems.push(`currency ${currency} differs from the base currency ${base}: give its rate_to_base`);
    else rate = check(() => parseRate('rate_to_base', rateText));
  } else if (currency && rateText) {
    rate = check(() => parseRate('rate_to_base', rateText));
    if (rate && Number(rate) !== 1) problems.push(`rate_to_base must be 1 (or empty) for the base currency ${base}, got ${rateText}`);
    rate = '1';
  }
  const totalText = row.get('total');
  const total = !totalText ? (problems.push('total is required'), undefined) : currency ? check(() => parseMoney('total', totalText, currency)) : undefined;
  const cost = row.get('cost') && currency ? check(() => parseMoney('cost', row.get('cost'), currency)) : 0n;
  const foreign = currency !== base;
  const totalBase = rate && total !== undefined ? (foreign ? convert(total, rate, base) : total) : undefined;
  const costBase = rate && cost !== undefined ? (foreign ? convert(cost, rate, base) : cost) : undefined;
  if ((totalBase ?? 0n) > MAX_AMOUNT || (costBase ?? 0n) > MAX_AMOUNT) problems.push(`total and cost in ${base} must be at most ${MAX_AMOUNT_LABEL}`);
  const status = row.get('status') ? check(() => parseChoice('status', row.get('status'), STATUSES)) : 'FULFILLED';
  const channel = row.get('channel') ? check(() => parseChoice('channel', row.get('channel'), CHANNELS)) : 'OTHER';
  if (problems.length) return { orderRef, order: null };
  const amount = formatAmount(total!);
  // external_ref … cost_base (see OrderLine); the order keeps only its totals: subtotal = total, no discount.
  const columns =
    `${text(orderRef)}\t${time(placedAt!)}\t${status}\t${channel}\t${currency}\t${base}\t${rate}\t` +
    `${amount}\t0\t${amount}\t${formatAmount(cost!)}\t${formatAmount(totalBase!)}\t${formatAmount(costBase!)}`;
  return { orderRef, order: { customerRef, columns } };
}
