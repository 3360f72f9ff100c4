import type { PoolClient } from 'pg';
import { copy, CopyChunk, CopyTable, PartialRows, text } from '../db/copy';
import { newId } from '../db/ids';
import { BulkEventCopy, queueEventDispatch } from '../core/audit';
import { EventType } from '../core/events';
import { earnPoints } from '../loyalty/ledger';
import { TransitionSource } from '../lifecycle/lifecycle-transition.entity';
import { TransitionCopy } from '../lifecycle/transition-copy';
import type { ImportErrors } from './import-result';

/** A valid row: its customer_ref, and its orders columns from external_ref to cost_base as COPY text. */
export interface OrderLine {
  customerRef: string;
  columns: string;
}

/** The orders columns the import writes: id, then `OrderLine.columns`, then the two known only once the chunk is looked up. */
const ORDER_COPY_COLUMNS = [
  'id', 'external_ref', 'placed_at', 'status', 'channel', 'currency', 'base_currency', 'rate_to_base',
  'subtotal_amount', 'discount_amount', 'total_amount', 'cost_amount', 'total_base', 'cost_base', 'customer_id', 'number',
] as const;

/** Every order_ref of the file with its line, for the report once the file has failed. */
const REFS_TABLE = 'import_order_refs';
/** Bytes of order_refs kept in memory before they go to REFS_TABLE (about 20 bytes a row). */
const REFS_IN_MEMORY = 32 << 20;

/**
 * Consecutive rows of the file: the valid ones as orders COPY text waiting for their customer id and number, and the
 * order_ref of every row that has a usable one. Rows go straight into bytes: a string per row, kept until the chunk
 * was written, took more memory than the import's data.
 */
export class Chunk {
  readonly orders: PartialRows;
  readonly refs: CopyTable;
  readonly customerRefs: string[] = [];
  /** Line of the chunk's first row, 0 while it has none. */
  firstLine = 0;
  rows = 0;
  /** The first and last order ids of the chunk: ids follow one another (newId), so the chunk's orders are this range. */
  firstId: string | null = null;
  lastId: string | null = null;

  /** Made by OrderWriter.chunk(), which passes on the buffers of chunks already written. */
  constructor(orders: PartialRows, refsCapacity?: number) {
    this.orders = orders;
    this.refs = new CopyTable(REFS_TABLE, ['line', 'ref', 'valid'], refsCapacity);
  }

  /** A row: its line, its order_ref if usable, and the order if the row is valid. */
  add(line: number, orderRef: string | null, order: OrderLine | null): void {
    if (!this.rows++) this.firstLine = line;
    if (orderRef !== null) this.refs.addLine(`${line}\t${text(orderRef)}\t${order ? 't' : 'f'}`);
    if (!order) return;
    // Ids are made as rows are read, so they follow the file (see newId).
    const id = newId();
    this.firstId ??= id;
    this.lastId = id;
    this.orders.add(`${id}\t${order.columns}`);
    this.customerRefs.push(order.customerRef);
  }
}

/**
 * The number next_order_number() gives sequence value `n` (migration OrderNumbersBeyondSevenDigits). The import takes
 * numbers from the sequence itself: as the column default, that SQL function cost 3 µs a row and, being volatile, kept
 * COPY from inserting rows in batches (4 s of a million-row import). The test compares the two.
 */
function orderNumber(n: string): string {
  return `R-${n.padStart(7, '0')}`;
}

interface LookedUp {
  chunk: Chunk;
  /** The chunk's customer refs that were not known when it was looked up, in order of first appearance. */
  unknown: string[];
  /** The unknown refs with their customer's id (null: no such customer yet), and a sequence value per order. */
  result: Promise<{ found: Array<{ ref: string; id: string | null }>; numbers: string[] }>;
}

interface Write {
  firstLine: number;
  /** The COPY chunks that write the orders (customers and transitions first), or null once the file has failed. */
  tables: CopyChunk[] | null;
  orders: number;
  /** The chunk's order id range, for the points its orders earn. */
  ids: [string, string] | null;
  /** The chunk's events (its new customers', then its orders'), or null once the file has failed. */
  events: CopyChunk | null;
  /** Whether an order of the chunk is a customer's this import did not create: only those can earn points. */
  mayEarn: boolean;
}

/** Customer refs remembered between chunks; beyond this many the memory is cleared (refs seen again are looked up again). */
const REMEMBERED_CUSTOMERS = 200_000;

export interface NewCustomer {
  stageId: string;
  /** The IMPORT transition's reason. */
  reason: string;
  at: Date;
}

/**
 * Writes the chunks of one order import on the import's connection while the caller parses the next chunk. Statements
 * run one after another; the customer lookup of a chunk is queued ahead of the write of the chunk before it, so neither
 * the connection nor the parser waits for the other.
 *
 * A repeated order_ref is left to the unique index on orders.external_ref: each chunk is written under a savepoint, and
 * when the index rejects one the chunk is rolled back and nothing more is written. Every order_ref is also kept with
 * its line (as COPY bytes, and beyond REFS_IN_MEMORY in a temporary table), so that `reportRepeatedRefs` can then name
 * every repeated ref and its lines; a Set of the refs as strings took about 400 MB at a million rows.
 */
export class OrderWriter {
  private tail: Promise<unknown> = Promise.resolve();
  private failure: unknown = null;
  private waiting: LookedUp | null = null;
  private readonly writes: Array<Promise<void>> = [];
  /** customer_ref → customer id; null while the ref's lookup is under way. */
  private customerIds = new Map<string, string | null>();
  /**
   * Refs of customers this import created, among those in `customerIds`. Their orders cannot earn points or pay a
   * referral bonus: such a customer has no loyalty account (none can be opened for a row not yet committed) and no
   * referrer (the import sets none). A ref forgotten and looked up again counts as a customer that existed.
   */
  private createdRefs = new Set<string>();
  private readonly customers = new CopyTable('customers', ['id', 'kind', 'name', 'external_ref', 'lifecycle_stage_id']);
  private readonly transitions = new TransitionCopy();
  /** Like `orders`, one per chunk in turn. */
  private readonly events = [new BulkEventCopy(), new BulkEventCopy()];
  /** Chunks are encoded into these in turn: one can be refilled while the other's COPY is still under way. */
  private readonly orders = [new CopyTable('orders', ORDER_COPY_COLUMNS), new CopyTable('orders', ORDER_COPY_COLUMNS)];
  private encoded = 0;
  /** Row buffers of encoded chunks, for new chunks. */
  private readonly spareRows: PartialRows[] = [];
  private refsCapacity: number | undefined;
  /** The order_refs of the chunks sent, not yet in REFS_TABLE. */
  private refs: CopyChunk[] = [];
  private refsBytes = 0;
  private refsTable: Promise<unknown> | null = null;
  imported = 0;
  createdCustomers = 0;
  /** The first and last id of the orders written so far (ids follow one another); null before the first. */
  private writtenIds: [string, string] | null = null;
  /** Line of the first row of the first chunk whose orders were not written (the file had failed); null while all were. */
  unwrittenFrom: number | null = null;

  constructor(
    private readonly client: PoolClient,
    private readonly errors: ImportErrors,
    private readonly newCustomer: NewCustomer,
  ) {}

  /** An empty chunk for the next rows. */
  chunk(): Chunk {
    const rows = this.spareRows.pop();
    rows?.clear();
    return new Chunk(rows ?? new PartialRows(), this.refsCapacity);
  }

  /**
   * Queues the chunk's customer lookup, then encodes and queues the chunk before it. Waits while two writes are
   * queued, so that when a chunk is encoded the write of the one two before it is done: `orders` relies on that.
   */
  async send(chunk: Chunk): Promise<void> {
    if (!chunk.rows) return;
    // About the same size next time: a buffer that grows as rows come leaves its smaller copies behind.
    this.refsCapacity = chunk.refs.bytes + (chunk.refs.bytes >> 3);
    const refs = chunk.refs.lend();
    if (refs) {
      this.refs.push(refs);
      this.refsBytes += refs.data.length;
    }
    const next = this.lookUp(chunk);
    const previous = this.waiting;
    this.waiting = next;
    if (previous) this.write(await this.encode(previous));
    if (this.customerIds.size > REMEMBERED_CUSTOMERS) {
      // Keep what the chunk just looked up will need; anything else seen again is looked up again.
      this.customerIds = new Map(next.chunk.customerRefs.map((ref) => [ref, this.customerIds.get(ref)!]));
      this.createdRefs = new Set(next.chunk.customerRefs.filter((ref) => this.createdRefs.has(ref)));
    }
    if (this.refsBytes > REFS_IN_MEMORY) void this.storeRefs();
    while (this.writes.length > 1) await this.writes.shift();
  }

  /**
   * Writes what is left and waits for every statement; then, if every chunk was written, requests the rescore of the
   * customers of the orders written (and their referrers): the request the insert trigger leaves to the transaction
   * that sets rapport.orders_rescore_requested_by_writer, made once for the whole file instead of once per chunk.
   */
  async finish(): Promise<void> {
    const last = this.waiting;
    this.waiting = null;
    if (last) this.write(await this.encode(last));
    await Promise.all(this.writes.splice(0));
    const written = this.writtenIds;
    if (written && !this.errors.any && this.unwrittenFrom === null) {
      // The same orders as the events' (the written id range, created by this transaction), so the same customers.
      await this.run(() => this.client.query(REQUEST_RESCORES, written));
    }
  }

  /** Lets the statement under way finish and runs nothing more, so that the transaction can be rolled back. */
  async abandon(): Promise<void> {
    this.failure ??= new Error('the import was abandoned');
    await this.tail;
  }

  /** Runs `job` on the connection once everything queued before it is done; after a failure, nothing more runs. */
  private run<T>(job: () => Promise<T>): Promise<T> {
    const result = this.tail.then(async () => {
      if (this.failure) throw this.failure;
      try {
        return await job();
      } catch (e) {
        this.failure ??= e;
        throw e;
      }
    });
    this.tail = result.catch(() => undefined);
    // Whoever needs the result awaits it; the first failure also reaches the parser through send or finish.
    result.catch(() => undefined);
    return result;
  }

  /**
   * After a failed file: every valid row whose order_ref appeared on an earlier line, or is already used by an order in
   * the database. Orders this import wrote before it stopped (rows before `unwrittenFrom`) are not "in the database":
   * had one of their refs been taken, their chunk would have failed. Rows with other problems are reported for those.
   */
  async reportRepeatedRefs(): Promise<void> {
    await this.storeRefs();
    const { rows } = await this.run(() =>
      this.client.query<{ line: number; ref: string; first: number; total: string }>(
        `SELECT line, ref, first, count(*) OVER () AS total
           FROM (SELECT line, ref, valid, min(line) OVER (PARTITION BY ref) AS first FROM ${REFS_TABLE}) r
          WHERE valid AND (line > first OR (line >= $1 AND EXISTS (SELECT 1 FROM orders o WHERE o.external_ref = r.ref)))
          ORDER BY line
          LIMIT $2`,
        [this.unwrittenFrom ?? 2 ** 31 - 1, Math.max(1, this.errors.room)],
      ),
    );
    for (const r of rows) {
      this.errors.add(r.line, r.line > r.first ? `order_ref "${r.ref}" already appears on line ${r.first}` : `order_ref "${r.ref}" is already used by an order in the database`);
    }
    if (rows.length) this.errors.addUnlisted(Number(rows[0].total) - rows.length);
  }

  /** Moves the logged order_refs to REFS_TABLE (outside any chunk's savepoint, so a rolled-back chunk keeps them). */
  private storeRefs(): Promise<void> {
    const refs = this.refs;
    this.refs = [];
    this.refsBytes = 0;
    this.refsTable ??= this.run(() => this.client.query(`CREATE TEMP TABLE ${REFS_TABLE} (line int NOT NULL, ref text NOT NULL, valid boolean NOT NULL) ON COMMIT DROP`));
    return this.run(async () => {
      for (const chunk of refs) await copy(this.client, chunk);
    });
  }

  private lookUp(chunk: Chunk): LookedUp {
    const unknown: string[] = [];
    if (this.errors.any) return { chunk, unknown, result: Promise.resolve({ found: [], numbers: [] }) };
    for (const customerRef of chunk.customerRefs) {
      if (this.customerIds.has(customerRef)) continue;
      this.customerIds.set(customerRef, null);
      unknown.push(customerRef);
    }
    const result = this.run(async () => ({
      found: unknown.length ? (await this.client.query(LOOKUP_CUSTOMERS, [unknown])).rows : [],
      numbers: chunk.orders.rows ? (await this.client.query(NEXT_NUMBERS, [chunk.orders.rows])).rows[0].numbers : [],
    }));
    return { chunk, unknown, result };
  }

  private async encode({ chunk, unknown, result }: LookedUp): Promise<Write> {
    const write: Write = { firstLine: chunk.firstLine, tables: null, orders: chunk.orders.rows, ids: chunk.firstId && chunk.lastId ? [chunk.firstId, chunk.lastId] : null, events: null, mayEarn: false };
    // Once the file has failed nothing more is written; its order_refs are still needed for the report.
    if (this.errors.any || this.unwrittenFrom !== null) return write;
    const { found, numbers } = await result;
    for (const c of found) if (c.id) this.customerIds.set(c.ref, c.id);
    const { stageId, reason, at } = this.newCustomer;
    const newCustomerIds: string[] = [];
    for (const ref of unknown) {
      if (this.customerIds.get(ref)) continue;
      const id = newId();
      this.customerIds.set(ref, id);
      this.createdRefs.add(ref);
      this.createdCustomers++;
      newCustomerIds.push(id);
      this.customers.add([id, 'PERSON', `Customer ${ref}`, ref, stageId]);
      this.transitions.add({ customerId: id, fromStageId: null, toStageId: stageId, at, reason, source: TransitionSource.IMPORT, actor: 'import' });
    }
    write.mayEarn = chunk.customerRefs.some((ref) => !this.createdRefs.has(ref));
    const orders = this.orders[this.encoded % 2];
    const events = this.events[this.encoded++ % 2];
    // The events recordBulkEvents would derive from what the chunk wrote: its new customers', then its orders' (whose
    // ids lead their rows), each set in id order, which is the order the ids were made in (newId).
    events.add(EventType.CUSTOMER_CREATED, 'Customer', newCustomerIds, CUSTOMER_CREATED_FIELDS);
    events.addLeading(EventType.ORDER_RECORDED, 'Order', chunk.orders, ORDER_RECORDED_FIELDS);
    write.events = events.lend();
    chunk.orders.completeInto(orders, (i) => `\t${this.customerIds.get(chunk.customerRefs[i])}\t${orderNumber(numbers[i])}`);
    this.spareRows.push(chunk.orders);
    write.tables = [this.customers.take(), this.transitions.take(), orders.lend()].filter((c): c is CopyChunk => c !== null);
    return write;
  }

  private write(write: Write): void {
    this.writes.push(
      this.run(async () => {
        if (!write.tables || this.unwrittenFrom !== null) {
          this.unwrittenFrom ??= write.firstLine;
          return;
        }
        await this.client.query('SAVEPOINT import_chunk');
        try {
          for (const table of write.tables) await copy(this.client, table);
          // Enrolled customers' orders earn their points (and first purchases their referrers' bonus): one statement per
          // chunk, over the chunk's id range. Another writer's order in the range earns by the same rule, idempotently.
          // A chunk whose orders are all of customers this import created has nothing to earn (see createdRefs).
          if (write.ids) {
            const run = (sql: string, params: unknown[]) => this.client.query(sql, params);
            if (write.mayEarn) await earnPoints(run, 'import', 'o.id BETWEEN $2::uuid AND $3::uuid', write.ids);
            if (write.events) {
              await copy(this.client, write.events);
              await queueEventDispatch(run);
            }
          }
        } catch (e) {
          if (!isRepeatedOrderRef(e)) throw e;
          await this.client.query('ROLLBACK TO SAVEPOINT import_chunk');
          this.unwrittenFrom = write.firstLine;
          return;
        }
        await this.client.query('RELEASE SAVEPOINT import_chunk');
        this.imported += write.orders;
        if (write.ids) this.writtenIds = [this.writtenIds?.[0] ?? write.ids[0], write.ids[1]];
      }),
    );
  }
}

/** The changed fields of a chunk's events: those of customerImport's `customer.created` and of recordOrders' `order.recorded`. */
const CUSTOMER_CREATED_FIELDS = ['externalRef', 'kind', 'lifecycleStageId', 'name'];
const ORDER_RECORDED_FIELDS = ['currency', 'customerId', 'number', 'placedAt', 'status', 'total'];

// A subquery per ref is planned on its own, as a probe of the unique B-tree index whatever the statistics say: a join let
// the planner hash the whole table while it grew without statistics, and `= ANY($1)` picked the trigram index.
const LOOKUP_CUSTOMERS = 'SELECT batch.ref, (SELECT c.id FROM customers c WHERE c.external_ref = batch.ref) AS id FROM unnest($1::text[]) AS batch(ref)';
const REQUEST_RESCORES = `SELECT request_customer_rescore(ARRAY(
  SELECT DISTINCT o.customer_id FROM orders o WHERE o.id BETWEEN $1::uuid AND $2::uuid AND o.created_at = now()))`;
const NEXT_NUMBERS = `SELECT array_agg(nextval('order_number_seq')::text) AS numbers FROM generate_series(1, $1)`;

function isRepeatedOrderRef(e: unknown): boolean {
  const err = e as { code?: string; constraint?: string };
  return err.code === '23505' && err.constraint === 'orders_external_ref_key';
}

