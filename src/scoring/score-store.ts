// customer_scores: one row per customer with what the argument-free insight fields return. The worker writes it
// (rescore.ts); the fields read it through customerScoreRows, the `customers` list joins it for derived filters and
// sorts, and population analytics group by it.

import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { formatAmount, parseAmount } from '../common/money';
import { arrayLiteral } from '../db/copy';
import type { Loaders } from '../core/loaders';
import { scoresOnCustomerPages } from '../customer/customer.loaders';
import type { ChurnLevel, RfmSegment, ValueTier } from '../intelligence';
import type { CustomerScores } from '../insight/customer-scores';
import { populationSummaries, purchasedCategoriesWhere, type PopulationSummaryRow } from '../insight/insight.loaders';
import type { CustomerModel } from '../insight/model/customer-model-fit.entity';
import { activeFitSql, activeModel, parsedFitsForCheck } from '../insight/model/model-fitting';

/** A stored score row, as the fields use it (the purchase summary columns are for model fits only). */
export interface StoredScores extends Omit<CustomerScores, 'firstDay' | 'lastDay' | 'firstAt' | 'lastAt' | 'firstRevenue' | 'firstMargin'> {
  customerId: string;
  /** The UTC day (YYYY-MM-DD) the scores are as of. */
  scoredOn: string;
  modelFitId: string | null;
}

interface ScoreRow {
  customer_id: string;
  scored_on: string;
  model_fit_id: string | null;
  occasions: number;
  recency_days: number | null;
  monetary: string;
  revenue: string;
  margin: string;
  r_score: number | null;
  f_score: number | null;
  m_score: number | null;
  segment: RfmSegment;
  value_tier: ValueTier;
  churn_probability: number | null;
  churn_level: ChurnLevel | null;
  predicted_clv: string | null;
  referral_value: string;
  total_clv: string | null;
}

function fromRow(r: ScoreRow): StoredScores {
  return {
    customerId: r.customer_id,
    scoredOn: r.scored_on,
    modelFitId: r.model_fit_id,
    occasions: r.occasions,
    recencyDays: r.recency_days,
    monetary: parseAmount(r.monetary),
    revenue: parseAmount(r.revenue),
    margin: parseAmount(r.margin),
    rScore: r.r_score,
    fScore: r.f_score,
    mScore: r.m_score,
    segment: r.segment,
    valueTier: r.value_tier,
    churnProbability: r.churn_probability,
    churnLevel: r.churn_level,
    predictedClv: r.predicted_clv === null ? null : parseAmount(r.predicted_clv),
    referralValue: parseAmount(r.referral_value),
    totalClv: r.total_clv === null ? null : parseAmount(r.total_clv),
  };
}

/** The columns of a stored score row as the fields read them (amounts as exact text), by their names in ScoreRow. */
const SCORE_COLUMNS: ReadonlyArray<[keyof ScoreRow, string]> = [
  ['customer_id', 'customer_id'],
  ['scored_on', 'scored_on::text'],
  ['model_fit_id', 'model_fit_id'],
  ['occasions', 'occasions'],
  ['recency_days', 'recency_days'],
  ['monetary', 'monetary::text'],
  ['revenue', 'revenue::text'],
  ['margin', 'margin::text'],
  ['r_score', 'r_score'],
  ['f_score', 'f_score'],
  ['m_score', 'm_score'],
  ['segment', 'segment'],
  ['value_tier', 'value_tier'],
  ['churn_probability', 'churn_probability'],
  ['churn_level', 'churn_level'],
  ['predicted_clv', 'predicted_clv::text'],
  ['referral_value', 'referral_value::text'],
  ['total_clv', 'total_clv::text'],
];

function scoreSelect(alias: string, prefix: string): string {
  return SCORE_COLUMNS.map(([name, sql]) => `${sql.replace(/^(\w+)/, `${alias}$1`)} AS ${prefix}${name}`).join(', ');
}

const SCORES_SELECT = scoreSelect('', '');

/** The key of the active fit among a request's score reads (customer keys are uuids). */
const ACTIVE_FIT = 'active-fit';

/**
 * A request's score reads in one statement: the stored scores of the customers it asks about and, when it asks in the
 * same tick (the fields that fall back to the model do), the active fit's check (insight/model/model-fitting.ts owns
 * that SQL and the fits it has parsed). Both come from Postgres in this request; only the parsed fit is reused.
 */
function scoreReads(loaders: Loaders): DataLoader<string, StoredScores | CustomerModel | null> {
  return loaders.memo('scoring:customerScores', () =>
    new DataLoader<string, StoredScores | CustomerModel | null>(async (keys) => {
      const ids = keys.filter((k) => k !== ACTIVE_FIT);
      if (!ids.length) return [await activeModel(loaders.db)];
      // With the fit asked for too, its check rides along: the fit's row has no customer, the score rows have no fit.
      const known = ids.length < keys.length ? parsedFitsForCheck() : null;
      const rows: Array<ScoreRow & { fit_id?: string | null; fit_row?: Record<string, any> | null }> = await loaders.db.query(
        known
          ? `SELECT ${SCORES_SELECT}, NULL::uuid AS fit_id, NULL::jsonb AS fit_row FROM customer_scores WHERE customer_id = ANY($1::uuid[])
             UNION ALL
             SELECT ${SCORE_COLUMNS.map(() => 'NULL').join(', ')}, fit.id, fit.row FROM (${activeFitSql('$2')}) fit`
          : `SELECT ${SCORES_SELECT} FROM customer_scores WHERE customer_id = ANY($1::uuid[])`,
        known ? [ids, known.ids] : [ids],
      );
      const found = rows.find((r) => r.customer_id === null);
      const model = known ? known.resolve(found && { id: found.fit_id!, row: found.fit_row ?? null }) : null;
      const byId = new Map(rows.filter((r) => r.customer_id !== null).map((r) => [r.customer_id, fromRow(r)]));
      return keys.map((k) => (k === ACTIVE_FIT ? model : byId.get(k) ?? null));
    }),
  );
}

/** The stored scores of the customers a request asks about, in one statement; null for a customer not scored yet. */
export function customerScoreRows(loaders: Loaders): DataLoader<string, StoredScores | null> {
  return scoreReads(loaders) as DataLoader<string, StoredScores | null>;
}

/** The active fit (null until the first), read with the scores the same tick asks for. */
export function activeFitWithScores(loaders: Loaders): Promise<CustomerModel | null> {
  return scoreReads(loaders).load(ACTIVE_FIT) as Promise<CustomerModel | null>;
}

// A customers page sorted or filtered by a score joins customer_scores anyway: it reads the rows in the same
// statement and hands them to the request's loader above (the slot is the customer domain's; see customer.loaders).
const PAGE_PREFIX = 'd__';
scoresOnCustomerPages.columns = scoreSelect('d.', PAGE_PREFIX);
scoresOnCustomerPages.prime = (loaders, rows) => {
  const loader = customerScoreRows(loaders);
  for (const row of rows) {
    const score = {} as Record<keyof ScoreRow, unknown>;
    for (const [name] of SCORE_COLUMNS) score[name] = row[PAGE_PREFIX + name];
    loader.prime(score.customer_id as string, fromRow(score as unknown as ScoreRow));
  }
};

/**
 * Writes scores of one UTC day and model in one statement, with the customer's soft delete and purchased categories (null:
 * keep the stored ones); customers removed meanwhile are skipped.
 */
export async function writeScores(
  m: EntityManager,
  scoredOn: string,
  modelFitId: string | null,
  scores: ReadonlyArray<{ customerId: string; scores: CustomerScores; categories: readonly string[] | null }>,
): Promise<void> {
  if (!scores.length) return;
  const col = <T>(f: (s: CustomerScores) => T) => scores.map((x) => f(x.scores));
  await m.query(
    `INSERT INTO customer_scores (customer_id, scored_on, scored_at, model_fit_id, occasions, recency_days, monetary, revenue, margin,
                                  r_score, f_score, m_score, segment, value_tier, churn_probability, churn_level, predicted_clv, customer_deleted,
                                  first_day, last_day, first_at, last_at, first_revenue, first_margin, referral_value, total_clv, categories)
     SELECT u.id, $2::date, now(), $3::uuid, u.occasions, u.recency, u.monetary, u.revenue, u.margin, u.r, u.f, u.m, u.segment, u.tier, u.churn, u.level, u.clv,
            c.deleted_at IS NOT NULL, u.first_day, u.last_day, u.first_at, u.last_at, u.first_revenue, u.first_margin, u.referral, u.total,
            u.categories::text[]
       FROM unnest($1::uuid[], $4::int[], $5::int[], $6::numeric[], $7::smallint[], $8::smallint[], $9::smallint[], $10::text[],
                   $11::text[], $12::float8[], $13::text[], $14::numeric[], $15::numeric[], $16::numeric[],
                   $17::int[], $18::int[], $19::timestamptz[], $20::timestamptz[], $21::numeric[], $22::numeric[], $23::numeric[], $24::numeric[],
                   -- Each customer's categories as an array literal: unnest would flatten a two-dimensional array.
                   $25::text[])
            AS u(id, occasions, recency, monetary, r, f, m, segment, tier, churn, level, clv, revenue, margin,
                 first_day, last_day, first_at, last_at, first_revenue, first_margin, referral, total, categories)
       JOIN customers c ON c.id = u.id
     ON CONFLICT (customer_id) DO UPDATE SET
       scored_on = EXCLUDED.scored_on, scored_at = EXCLUDED.scored_at, model_fit_id = EXCLUDED.model_fit_id,
       occasions = EXCLUDED.occasions, recency_days = EXCLUDED.recency_days, monetary = EXCLUDED.monetary,
       revenue = EXCLUDED.revenue, margin = EXCLUDED.margin,
       r_score = EXCLUDED.r_score, f_score = EXCLUDED.f_score, m_score = EXCLUDED.m_score, segment = EXCLUDED.segment,
       value_tier = EXCLUDED.value_tier, churn_probability = EXCLUDED.churn_probability, churn_level = EXCLUDED.churn_level,
       predicted_clv = EXCLUDED.predicted_clv, customer_deleted = EXCLUDED.customer_deleted,
       first_day = EXCLUDED.first_day, last_day = EXCLUDED.last_day, first_at = EXCLUDED.first_at, last_at = EXCLUDED.last_at,
       first_revenue = EXCLUDED.first_revenue, first_margin = EXCLUDED.first_margin,
       referral_value = EXCLUDED.referral_value, total_clv = EXCLUDED.total_clv, categories = coalesce(EXCLUDED.categories, customer_scores.categories)`,
    [
      scores.map((x) => x.customerId),
      scoredOn,
      modelFitId,
      col((s) => s.occasions),
      col((s) => s.recencyDays),
      col((s) => formatAmount(s.monetary)),
      col((s) => s.rScore),
      col((s) => s.fScore),
      col((s) => s.mScore),
      col((s) => s.segment),
      col((s) => s.valueTier),
      col((s) => s.churnProbability),
      col((s) => s.churnLevel),
      col((s) => (s.predictedClv === null ? null : formatAmount(s.predictedClv))),
      col((s) => formatAmount(s.revenue)),
      col((s) => formatAmount(s.margin)),
      col((s) => s.firstDay),
      col((s) => s.lastDay),
      col((s) => s.firstAt),
      col((s) => s.lastAt),
      col((s) => (s.firstRevenue === null ? null : formatAmount(s.firstRevenue))),
      col((s) => (s.firstMargin === null ? null : formatAmount(s.firstMargin))),
      col((s) => formatAmount(s.referralValue)),
      col((s) => (s.totalClv === null ? null : formatAmount(s.totalClv))),
      // null: the stored categories stay (the rescore did not read them again).
      scores.map((x) => x.categories && arrayLiteral(x.categories)),
    ],
  );
}

/**
 * Whether a fit as of now cannot read a score row (alias `s`) and reads the customer's orders instead: a rescore is
 * pending since a write, or the row is a buyer's written before the columns read (`missing`).
 */
const unsureRow = (missing: string) => `EXISTS (SELECT 1 FROM customer_score_requests r WHERE r.customer_id = s.customer_id) OR (s.occasions > 0 AND ${missing})`;

/** The live customers whose score rows a fit as of now cannot read (see unsureRow), pending requests, or no row at all, in id order. */
async function customersToReadFromOrders(m: EntityManager, unsure: string): Promise<string[]> {
  const rows: Array<{ id: string }> = await m.query(
    `SELECT u.id FROM (
       SELECT s.customer_id AS id FROM customer_scores s WHERE ${unsure}
       UNION SELECT customer_id FROM customer_score_requests
       UNION SELECT c.id FROM customers c WHERE NOT EXISTS (SELECT 1 FROM customer_scores s WHERE s.customer_id = c.id)
     ) u JOIN customers c ON c.id = u.id AND c.deleted_at IS NULL
     ORDER BY 1`,
  );
  return rows.map((r) => r.id);
}

/**
 * Every buyer's purchase summary as of now (customers not deleted, in customer order), as populationSummaries computes
 * it from the orders, in one snapshot: from the stored scores, and from the orders for every customer whose row cannot
 * tell (a rescore pending since a write, no row, or a row written before these columns).
 */
export async function storedPurchaseSummaries(db: DataSource): Promise<PopulationSummaryRow[]> {
  return db.transaction('REPEATABLE READ', async (m) => {
    const unsure = unsureRow('s.first_day IS NULL');
    const stored: PopulationSummaryRow[] = await m.query(
      `SELECT customer_id AS "customerId", occasions, first_day AS "firstDay", last_day AS "lastDay", first_at AS "firstAt", last_at AS "lastAt",
              revenue::float8 AS revenue, margin::float8 AS margin, first_revenue::float8 AS "firstRevenue", first_margin::float8 AS "firstMargin"
         FROM customer_scores s
        WHERE s.occasions > 0 AND NOT s.customer_deleted AND NOT (${unsure})
        ORDER BY customer_id`,
    );
    const others = await customersToReadFromOrders(m, unsure);
    if (!others.length) return stored;
    const fresh = await populationSummaries(m, new Date(), others);
    // Both in customer order: merge.
    const merged: PopulationSummaryRow[] = [];
    let i = 0;
    for (const row of fresh) {
      while (i < stored.length && stored[i].customerId < row.customerId) merged.push(stored[i++]);
      merged.push(row);
    }
    return merged.concat(stored.slice(i));
  });
}

/**
 * The population's baskets as of now (each buyer's purchased categories, customers not deleted), as populationBaskets
 * reads them from the order lines, in one snapshot: from the stored scores (a statement that groups equal baskets;
 * each comes back as one array, repeated), and from the orders for every customer whose row cannot tell. In no
 * particular order: association rules count baskets.
 */
export async function storedBaskets(db: DataSource): Promise<string[][]> {
  return db.transaction('REPEATABLE READ', async (m) => {
    const unsure = unsureRow('s.categories IS NULL');
    const stored: Array<{ categories: string[]; n: number }> = await m.query(
      `SELECT s.categories, count(*)::int AS n FROM customer_scores s
        WHERE cardinality(s.categories) > 0 AND NOT s.customer_deleted AND NOT (${unsure})
        GROUP BY s.categories`,
    );
    const baskets: string[][] = [];
    for (const { categories, n } of stored) for (let i = 0; i < n; i++) baskets.push(categories);
    const others = await customersToReadFromOrders(m, unsure);
    if (others.length) baskets.push(...(await purchasedCategoriesWhere(m, others)).values());
    return baskets;
  });
}
