// The worker's side of scoring: drain customer_score_requests in batches, score each customer with the code behind
// the fields (scoreCustomer), and write the rows. Batches keep memory to one batch and give the event loop back
// between them, so an API process running the worker in-process keeps answering during a full rescore.

import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import type { RfmBreakpoints } from '../intelligence';
import { log } from '../core/logger';
import { ValueBasis } from '../insight/model/customer-model-fit.entity';
import { scoreCustomer, type ScoringBasis } from '../insight/customer-scores';
import { daysAndCategories, populationRfm, referredMargins } from '../insight/insight.loaders';
import { activeModel } from '../insight/model/model-fitting';
import { populationRfmBreakpoints } from '../insight/occasions';
import { writeScores } from './score-store';

/** Customers per transaction: small enough that a write waiting on a request row it re-adds waits briefly. */
const BATCH = 500;

/** YYYY-MM-DD of the UTC day of `at`. */
export const utcDate = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * The job rescore_customers: rescores every requested customer as of now, a batch per transaction (the requests of a
 * batch are deleted in the transaction that writes their scores, so a failed batch leaves them for the retry).
 * Returns how many customers were scored.
 */
export async function rescoreRequested(db: DataSource, currency: string, referralValueShare: number): Promise<number> {
  let scored = 0;
  let populationAt: { day: string; breakpoints: RfmBreakpoints | null } | null = null;
  for (;;) {
    const n = await db.transaction(async (m) => {
      const taken: Array<{ customer_id: string; read_categories: boolean }> = await m.query(
        // A CTE: TypeORM returns [rows, count] for a bare DELETE … RETURNING.
        // The batch is picked once (MATERIALIZED), then deleted by primary key: as `id IN (subquery)` the planner may
        // rescan the subquery per row when the table's statistics say it is empty (after an ANALYZE between imports).
        // A customer's purchased categories are read again only when a write may have changed them, or none are stored.
        `WITH picked AS MATERIALIZED (
           SELECT customer_id FROM customer_score_requests ORDER BY customer_id LIMIT $1 FOR UPDATE SKIP LOCKED),
         taken AS (
           DELETE FROM customer_score_requests r USING picked p WHERE r.customer_id = p.customer_id RETURNING r.customer_id, r.purchases_changed)
         SELECT t.customer_id, t.purchases_changed OR s.categories IS NULL AS read_categories
           FROM taken t LEFT JOIN customer_scores s ON s.customer_id = t.customer_id`,
        [BATCH],
      );
      if (!taken.length) return 0;
      // The model is read per batch: a fit activated while this job drains must not be overwritten by scores from the
      // model before it (the fit's own rescore skips the requests this batch holds, then requests them again).
      const at = new Date();
      const model = await activeModel(m);
      const basis: ScoringBasis = { at, model, breakpoints: model?.rfmBreakpoints ?? null, currency, referralValueShare };
      if (!model) {
        if (populationAt?.day !== utcDate(at)) populationAt = { day: utcDate(at), breakpoints: populationRfmBreakpoints(await populationRfm(db, at), at, ValueBasis.MARGIN, currency) };
        basis.breakpoints = populationAt.breakpoints;
      }
      const ids = taken.map((t) => t.customer_id);
      const read = new Set(taken.filter((t) => t.read_categories).map((t) => t.customer_id));
      const [{ days, categories }, referred] = await Promise.all([daysAndCategories(m, at, ids, [...read]), referredMargins(m, at, ids)]);
      // Customers removed since their request leave their scores behind otherwise (customer_scores has no foreign key).
      await m.query(`DELETE FROM customer_scores s WHERE s.customer_id = ANY($1::uuid[]) AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = s.customer_id)`, [ids]);
      await writeScores(
        m,
        utcDate(at),
        model?.uuid ?? null,
        ids.map((customerId) => ({ customerId, scores: scoreCustomer(days.get(customerId) ?? [], basis, referred.get(customerId)), categories: read.has(customerId) ? categories.get(customerId) ?? [] : null })),
      );
      return ids.length;
    });
    if (!n) break;
    scored += n;
    await yieldToEventLoop();
  }
  if (scored) log.debug(`rescored ${scored} customer(s)`);
  return scored;
}

/**
 * The job rescore_stale_customers: requests every customer whose scores are missing, from an earlier UTC day (recency
 * and T count days) or from another model than the active one, then drains the requests.
 */
export async function rescoreStale(db: DataSource, currency: string, referralValueShare: number): Promise<number> {
  const model = await activeModel(db);
  await db.query(
    // A new day or model changes no one's purchases: these requests keep the stored categories (a pending request
    // from a write keeps saying that they may have changed).
    `INSERT INTO customer_score_requests (customer_id, purchases_changed)
     SELECT c.id, false FROM customers c LEFT JOIN customer_scores s ON s.customer_id = c.id
      WHERE s.customer_id IS NULL OR s.scored_on < $1::date OR s.model_fit_id IS DISTINCT FROM $2::uuid
     ON CONFLICT (customer_id) DO NOTHING`,
    [utcDate(new Date()), model?.uuid ?? null],
  );
  return rescoreRequested(db, currency, referralValueShare);
}
