import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { PURCHASE_STATUSES } from '../order/order.entity';
import { parseAmount } from '../common/money';
import type { Loaders } from '../core/loaders';
import { touchpointActivity, type TouchpointFacts } from '../touchpoint/touchpoint.loaders';

/** Purchase occasions are UTC calendar days; this is the day number (days since 1970-01-01) of an order. */
const UTC_DAY = `((o.placed_at AT TIME ZONE 'UTC')::date - DATE '1970-01-01')`;
/** Orders that count as purchases: purchase statuses only, not deleted. */
const PURCHASES = `o.status = ANY($1::text[]) AND o.deleted_at IS NULL`;

/** One purchase occasion of a customer: the orders of one UTC day, with exact base-currency sums. */
export interface PurchaseDay {
  /** Days since 1970-01-01 (UTC). */
  day: number;
  orders: number;
  /** Exact decimal strings (numeric sums of total_base and margin_base). */
  revenue: string;
  margin: string;
  firstAt: Date;
  lastAt: Date;
}

/** A customer's purchase occasions up to `cut`, or (cut null) the categories they have bought. */
interface PurchaseReadKey {
  customerId: string;
  cut: Date | null;
}

/**
 * A page's purchase reads in one statement where they can share it: its purchase occasions up to a cut (per customer
 * per UTC day, ordered by day: ONE aggregate for every customer the page asks about) and the categories its customers
 * have bought (the cross-sell input), both read from the purchase orders. Occasions asked up to several cuts take a
 * statement per cut; the categories ride with the first.
 */
function purchaseReads(loaders: Loaders): DataLoader<PurchaseReadKey, PurchaseDay[] | string[], string> {
  return loaders.memo('insight:purchases', () =>
    new DataLoader<PurchaseReadKey, PurchaseDay[] | string[], string>(
      async (keys) => {
        const cuts = new Map<string, { cut: Date; ids: string[] }>();
        const categoriesOf = keys.filter((k) => !k.cut).map((k) => k.customerId);
        for (const k of keys) {
          if (!k.cut) continue;
          const key = k.cut.toISOString();
          const group = cuts.get(key) ?? { cut: k.cut, ids: [] };
          group.ids.push(k.customerId);
          cuts.set(key, group);
        }
        const days = new Map<string, Map<string, PurchaseDay[]>>();
        let categories = new Map<string, string[]>();
        const groups = [...cuts];
        if (!groups.length) categories = await purchasedCategoriesWhere(loaders.db, categoriesOf);
        await Promise.all(
          groups.map(async ([key, { cut, ids }], i) => {
            if (i > 0 || !categoriesOf.length) return days.set(key, await purchaseDaysWhere(loaders.db, cut, ids));
            const both = await daysAndCategories(loaders.db, cut, ids, categoriesOf);
            days.set(key, both.days);
            categories = both.categories;
          }),
        );
        return keys.map((k) => (k.cut ? days.get(k.cut.toISOString())!.get(k.customerId) ?? [] : categories.get(k.customerId) ?? []));
      },
      { cacheKeyFn: (k) => `${k.cut?.toISOString() ?? 'categories'}|${k.customerId}` },
    ),
  );
}

/** A customer's purchase occasions up to `cut` (empty without purchases), batched with the request's other purchase reads. */
export function purchaseDays(loaders: Loaders, cut: Date, customerId: string): Promise<PurchaseDay[]> {
  return purchaseReads(loaders).load({ customerId, cut }) as Promise<PurchaseDay[]>;
}

/** Categories a customer has bought (purchase orders, lines with a categorised product), batched with their purchase occasions. */
export function purchasedCategories(loaders: Loaders, customerId: string): Promise<string[]> {
  return purchaseReads(loaders).load({ customerId, cut: null }) as Promise<string[]>;
}

const DAYS_SQL = (cut: string, ids: string) => `
  SELECT o.customer_id AS "customerId", ${UTC_DAY} AS day, count(*)::int AS orders,
         sum(o.total_base)::text AS revenue, sum(o.margin_base)::text AS margin,
         min(o.placed_at) AS "firstAt", max(o.placed_at) AS "lastAt"
    FROM orders o
   WHERE ${PURCHASES} AND o.placed_at <= ${cut}${ids ? ` AND o.customer_id = ANY(${ids}::uuid[])` : ''}
   GROUP BY 1, 2`;

// From the customers' orders to their lines (a line's customer is its order's; a merge moves both): for the worker's
// batches of 500 customers, starting from the lines' customers let the planner hash every purchase order instead.
const CATEGORIES_SQL = (ids: string) => `
  SELECT o.customer_id AS "customerId", array_agg(DISTINCT p.category ORDER BY p.category) AS categories
    FROM orders o
    JOIN order_lines l ON l.order_id = o.id
    JOIN products p ON p.id = l.product_id
   WHERE o.customer_id = ANY(${ids}::uuid[]) AND ${PURCHASES} AND p.category IS NOT NULL
   GROUP BY 1`;

/** The categories each of `ids` has bought (sorted; absent: none), from all their purchase orders. */
export async function purchasedCategoriesWhere(db: DataSource | EntityManager, ids: string[]): Promise<Map<string, string[]>> {
  const rows: Array<{ customerId: string; categories: string[] }> = await db.query(CATEGORIES_SQL('$2'), [PURCHASE_STATUSES, ids]);
  return new Map(rows.map((r) => [r.customerId, r.categories]));
}

/**
 * Occasions up to `cut` of `ids` and the categories `categoryIds` have bought, one statement: the categories' rows have
 * no day. Also the scoring worker's read (customer_scores stores both).
 */
export async function daysAndCategories(db: DataSource | EntityManager, cut: Date, ids: string[], categoryIds: string[]) {
  const rows: Array<PurchaseDay & { customerId: string; categories: string[] | null }> = await db.query(
    `SELECT d.*, NULL::text[] AS categories FROM (${DAYS_SQL('$2', '$3')}) d
     UNION ALL
     SELECT c."customerId", NULL, NULL, NULL, NULL, NULL, NULL, c.categories FROM (${CATEGORIES_SQL('$4')}) c
     ORDER BY 1, 2`,
    [PURCHASE_STATUSES, cut, ids, categoryIds],
  );
  const days = new Map<string, PurchaseDay[]>();
  const categories = new Map<string, string[]>();
  for (const { customerId, categories: bought, ...day } of rows) {
    if (bought) {
      categories.set(customerId, bought);
      continue;
    }
    let list = days.get(customerId);
    if (!list) days.set(customerId, (list = []));
    list.push(day);
  }
  return { days, categories };
}

/** Purchase occasions up to `cut` of the given customers (null: all), per customer in day order. */
export async function purchaseDaysWhere(db: DataSource | EntityManager, cut: Date, ids: string[] | null): Promise<Map<string, PurchaseDay[]>> {
  const rows: Array<PurchaseDay & { customerId: string }> = await db.query(`${DAYS_SQL('$2', ids ? '$3' : '')} ORDER BY 1, 2`, ids ? [PURCHASE_STATUSES, cut, ids] : [PURCHASE_STATUSES, cut]);
  const byCustomer = new Map<string, PurchaseDay[]>();
  for (const { customerId, ...day } of rows) {
    let list = byCustomer.get(customerId);
    if (!list) byCustomer.set(customerId, (list = []));
    list.push(day);
  }
  return byCustomer;
}

/** One purchase occasion in the population stream; values as floats (model input only, never money). */
export interface PopulationDay {
  customerId: string;
  day: number;
  revenue: number;
  margin: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Streams the whole population's purchase occasions up to `asOf` (per customer per UTC day, ordered by customer
 * then day) through a server-side cursor, so memory holds one batch, not the order table. Customers that are
 * deleted are left out. `onCustomer` gets each customer's days in order. Runs inside the caller's transaction
 * (a cursor lives only inside one).
 */
export async function streamPopulationDays(
  m: EntityManager,
  asOf: Date,
  onCustomer: (customerId: string, days: PopulationDay[]) => void,
  batchSize = 20_000,
): Promise<void> {
  // DECLARE takes no bind parameters; both values are generated here, not user text.
  const statuses = PURCHASE_STATUSES.map((s) => `'${s}'`).join(',');
  await m.query(
    `DECLARE insight_population NO SCROLL CURSOR FOR
     SELECT o.customer_id AS "customerId", ${UTC_DAY} AS day,
            sum(o.total_base)::float8 AS revenue, sum(o.margin_base)::float8 AS margin,
            min(o.placed_at) AS "firstAt", max(o.placed_at) AS "lastAt"
       FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE o.status IN (${statuses}) AND o.deleted_at IS NULL AND o.placed_at <= '${asOf.toISOString()}'::timestamptz
      GROUP BY 1, 2
      ORDER BY 1, 2`,
  );
  let current: string | null = null;
  let days: PopulationDay[] = [];
  for (;;) {
    const rows: PopulationDay[] = await m.query(`FETCH ${batchSize} FROM insight_population`);
    for (const row of rows) {
      if (row.customerId !== current) {
        if (current !== null) onCustomer(current, days);
        current = row.customerId;
        days = [];
      }
      days.push(row);
    }
    if (rows.length < batchSize) break;
  }
  if (current !== null) onCustomer(current, days);
  await m.query(`CLOSE insight_population`);
}

/** One buyer's purchase summary as of an instant: one row per customer, values as floats (model input only). */
export interface PopulationSummaryRow {
  customerId: string;
  occasions: number;
  firstDay: number;
  lastDay: number;
  firstAt: Date;
  lastAt: Date;
  revenue: number;
  margin: number;
  /** The first occasion's values: the repeat occasions' mean (Gamma-Gamma's m_x) leaves it out. */
  firstRevenue: number;
  firstMargin: number;
}

/**
 * Every buyer's summary up to `asOf` (customers not deleted), one row per customer from one aggregate over the
 * per-day sums, so a fit reads ~one row per buyer instead of one per buyer-day.
 */
export async function populationSummaries(m: EntityManager | DataSource, asOf: Date, only?: readonly string[]): Promise<PopulationSummaryRow[]> {
  const rows: Array<Omit<PopulationSummaryRow, 'firstAt' | 'lastAt'> & { firstAt: Date; lastAt: Date }> = await m.query(
    `WITH d AS (
       SELECT o.customer_id, ${UTC_DAY} AS day, sum(o.total_base) AS revenue, sum(o.margin_base) AS margin,
              min(o.placed_at) AS first_at, max(o.placed_at) AS last_at
         FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
        WHERE ${PURCHASES} AND o.placed_at <= $2${only ? ' AND o.customer_id = ANY($3::uuid[])' : ''}
        GROUP BY 1, 2)
     SELECT customer_id AS "customerId", count(*)::int AS occasions, min(day) AS "firstDay", max(day) AS "lastDay",
            min(first_at) AS "firstAt", max(last_at) AS "lastAt",
            sum(revenue)::float8 AS revenue, sum(margin)::float8 AS margin,
            (array_agg(revenue ORDER BY day))[1]::float8 AS "firstRevenue", (array_agg(margin ORDER BY day))[1]::float8 AS "firstMargin"
       FROM d GROUP BY 1
      -- In a fixed order: the fits sum floats over these rows, and the same data must give the same model whether or
      -- not the planner ran the aggregate in parallel.
      ORDER BY 1`,
    only ? [PURCHASE_STATUSES, asOf, only] : [PURCHASE_STATUSES, asOf],
  );
  return rows;
}

/** One buyer's RFM raw values as of an instant, with exact value sums on both bases. */
export interface PopulationRfmRow {
  customerId: string;
  lastDay: number;
  occasions: number;
  /** Exact decimal strings. */
  revenue: string;
  margin: string;
}

/** Every buyer's last purchase day, occasions and value up to `asOf`, in one aggregate (RFM breakpoints at a date, segment summaries). */
export async function populationRfm(db: DataSource, asOf: Date): Promise<PopulationRfmRow[]> {
  return db.query(
    `SELECT o.customer_id AS "customerId", ${UTC_DAY.replace('o.placed_at', 'max(o.placed_at)')} AS "lastDay",
            count(DISTINCT ${UTC_DAY})::int AS occasions,
            sum(o.total_base)::text AS revenue, sum(o.margin_base)::text AS margin
       FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE ${PURCHASES} AND o.placed_at <= $2
      GROUP BY o.customer_id`,
    [PURCHASE_STATUSES, asOf],
  );
}

/**
 * What the touchpoints say about a customer as of `cut`: read with the touchpoint summary the same request shows, in one
 * statement (src/touchpoint/touchpoint.loaders.ts owns the tables and the aggregate).
 */
export async function touchpointFacts(loaders: Loaders, cut: Date, customerId: string): Promise<TouchpointFacts> {
  return (await touchpointActivity(loaders).load({ customerId, cut })).facts!;
}

export interface ReferralFacts {
  customersReferred: number;
  purchasingCustomers: number;
  revenue: string;
  margin: string;
}

/**
 * Referred customers and the exact value of their purchases (up to `cut` when given), for a page of referrers in one
 * aggregate; only the
 * referred customers the caller may see (a sales rep's referrals in another rep's book are not theirs to count).
 */
export function referralFacts(loaders: Loaders, cut: Date | null = null): DataLoader<string, ReferralFacts> {
  return loaders.memo(`insight:referrals:${cut?.toISOString() ?? 'now'}`, () =>
    new DataLoader<string, ReferralFacts>(async (ids) => {
      const rows: Array<ReferralFacts & { referrerId: string }> = await loaders.db.query(
        `SELECT r.referred_by_id AS "referrerId", count(*)::int AS "customersReferred",
                (count(*) FILTER (WHERE v.orders > 0))::int AS "purchasingCustomers",
                coalesce(sum(v.revenue), 0)::text AS revenue, coalesce(sum(v.margin), 0)::text AS margin
           FROM customers r
           CROSS JOIN LATERAL (
             SELECT count(*) AS orders, sum(o.total_base) AS revenue, sum(o.margin_base) AS margin
               FROM orders o WHERE o.customer_id = r.id AND ${PURCHASES} AND ($3::timestamptz IS NULL OR o.placed_at <= $3)
           ) v
          WHERE r.referred_by_id = ANY($2::uuid[]) AND r.deleted_at IS NULL AND ${loaders.access.customerCondition('r')}
          GROUP BY r.referred_by_id`,
        [PURCHASE_STATUSES, [...ids], cut],
      );
      const byReferrer = new Map(rows.map(({ referrerId, ...facts }) => [referrerId, facts]));
      return ids.map((id) => byReferrer.get(id) ?? { customersReferred: 0, purchasingCustomers: 0, revenue: '0', margin: '0' });
    }),
  );
}

/**
 * For the scoring worker: the exact margin up to `cut` of every (not removed) customer each of `referrerIds` referred,
 * keyed by referrer (absent: none). Not row-scoped: stored scores are the business's, as every population figure.
 */
export async function referredMargins(db: DataSource | EntityManager, cut: Date, referrerIds: string[]): Promise<Map<string, bigint>> {
  const rows: Array<{ referrerId: string; margin: string }> = await db.query(
    // From each referrer to the customers they referred (an index probe each): as `r.referred_by_id = ANY(…)` over a
    // batch of 500 the planner scanned every customer, 46 ms a batch and 40% of a full rescore.
    `SELECT r.referred_by_id AS "referrerId", sum(o.margin_base)::text AS margin
       FROM unnest($3::uuid[]) AS referrer(id)
       JOIN customers r ON r.referred_by_id = referrer.id AND r.deleted_at IS NULL
       JOIN orders o ON o.customer_id = r.id AND ${PURCHASES} AND o.placed_at <= $2
      GROUP BY 1`,
    [PURCHASE_STATUSES, cut, referrerIds],
  );
  return new Map(rows.map((r) => [r.referrerId, parseAmount(r.margin)]));
}

/** The population's baskets for association rules: each buyer's set of purchased categories up to `asOf`. */
export async function populationBaskets(db: DataSource, asOf: Date): Promise<string[][]> {
  const categories: string[] = (await db.query(`SELECT DISTINCT category FROM products WHERE category IS NOT NULL ORDER BY 1`)).map((r: { category: string }) => r.category);
  if (categories.length > 63) {
    const rows: Array<{ categories: string[] }> = await db.query(
      `SELECT array_agg(DISTINCT p.category) AS categories
         FROM order_lines l
         JOIN orders o ON o.id = l.order_id AND ${PURCHASES} AND o.placed_at <= $2
         JOIN products p ON p.id = l.product_id
         JOIN customers c ON c.id = l.customer_id AND c.deleted_at IS NULL
        WHERE p.category IS NOT NULL
        GROUP BY l.customer_id
        ORDER BY l.customer_id`,
      [PURCHASE_STATUSES, asOf],
    );
    return rows.map((r) => r.categories);
  }
  // A catalogue of up to 63 categories: each buyer's basket is one bigint, a bit per category, OR-ed over their order
  // lines by a hash aggregate. Sorting every line for array_agg(DISTINCT …) took 65 s at a million buyers (4.2 s at
  // 100k), hashing the distinct (buyer, category) pairs over ten minutes; the bits take 20 s (1.8 s). In buyer order,
  // so that rules of equal strength come out in the same order on the same data.
  const rows: Array<{ mask: string }> = await db.query(
    `WITH product_bits AS (
       SELECT id, 1::bigint << (array_position($3::text[], category) - 1) AS bit FROM products WHERE category IS NOT NULL)
     SELECT bit_or(b.bit)::text AS mask
       FROM order_lines l
       JOIN orders o ON o.id = l.order_id AND ${PURCHASES} AND o.placed_at <= $2
       JOIN product_bits b ON b.id = l.product_id
       JOIN customers c ON c.id = l.customer_id AND c.deleted_at IS NULL
      GROUP BY l.customer_id
      ORDER BY l.customer_id`,
    [PURCHASE_STATUSES, asOf, categories],
  );
  return rows.map((r) => {
    const mask = BigInt(r.mask);
    return categories.filter((_, i) => (mask >> BigInt(i)) & 1n);
  });
}
