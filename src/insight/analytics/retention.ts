import { badInput, UserErrorCode } from '../../common/errors';
import { moneyOfFloat, moneyOfUnits } from '../../common/money.types';
import { parseAmount } from '../../common/money';
import { instantArgument } from '../../common/validate';
import { Customer } from '../../customer/customer.entity';
import { MS_PER_DAY, utcDay } from '../../intelligence';
import { PURCHASE_STATUSES } from '../../order/order.entity';
import { ChurnWatchlistEntry, Cohort, CohortGranularity, LifecycleFunnel } from '../analytics.types';
import { ValueBasis } from '../model/customer-model-fit.entity';
import { AnalystReports, checkFirst } from './book';

const MAX_PERIOD_DAYS = 3660;

/** Index of the calendar period containing a UTC date: weeks from a Monday, months or quarters since year 0. */
function periodIndex(at: Date, g: CohortGranularity): number {
  // 1970-01-05 was a Monday, day 4 of the epoch.
  if (g === CohortGranularity.WEEK) return Math.floor((utcDay(at) - 4) / 7);
  const month = at.getUTCFullYear() * 12 + at.getUTCMonth();
  return g === CohortGranularity.MONTH ? month : Math.floor(month / 3);
}

/** Who comes back and who drifts away: cohort retention, the lifecycle funnel, the churn watchlist. */
export class RetentionReports extends AnalystReports {
  async cohortRetention(granularity: CohortGranularity, from?: Date | null, to?: Date | null): Promise<Cohort[]> {
    this.scope.guard();
    const unit = { WEEK: 'week', MONTH: 'month', QUARTER: 'quarter' }[granularity];
    const rows: Array<{ cohort: string; period: string; n: number }> = await this.deps.db.query(
      `WITH p AS (
         SELECT o.customer_id, date_trunc($2, o.placed_at AT TIME ZONE 'UTC')::date AS period
           FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL AND ${this.scope.inBook('c')}
          WHERE o.status = ANY($1::text[]) AND o.deleted_at IS NULL AND o.placed_at <= $3
          GROUP BY 1, 2),
       f AS (SELECT customer_id, min(period) AS cohort FROM p GROUP BY 1)
       SELECT to_char(f.cohort, 'YYYY-MM-DD') AS cohort, to_char(p.period, 'YYYY-MM-DD') AS period, count(*)::int AS n
         FROM p JOIN f USING (customer_id)
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [PURCHASE_STATUSES, unit, this.insight.now],
    );
    const current = periodIndex(this.insight.now, granularity);
    const cohorts = new Map<string, Cohort>();
    for (const r of rows) {
      const start = new Date(`${r.cohort}T00:00:00Z`);
      if ((from && start < from) || (to && start >= to)) continue;
      let c = cohorts.get(r.cohort);
      if (!c) {
        const length = current - periodIndex(start, granularity) + 1;
        c = Object.assign(new Cohort(), { start, customers: 0, active: new Array(Math.max(1, length)).fill(0), retention: [] });
        cohorts.set(r.cohort, c);
      }
      const k = periodIndex(new Date(`${r.period}T00:00:00Z`), granularity) - periodIndex(start, granularity);
      if (k === 0) c.customers = r.n;
      if (k < c.active.length) c.active[k] = r.n;
    }
    return [...cohorts.values()].map((c) => Object.assign(c, { retention: c.active.map((a) => (c.customers ? a / c.customers : 0)) }));
  }

  async lifecycleFunnel(from: Date, to: Date): Promise<LifecycleFunnel> {
    this.scope.guard();
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_PERIOD_DAYS * MS_PER_DAY) {
      throw badInput('`to` must be after `from`, at most 10 years later.', { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [stages, flows]: [Array<{ stage: string; position: number; current: number }>, Array<{ from: string | null; to: string; count: number }>] =
      await Promise.all([
        this.deps.db.query(
          `SELECT s.key AS stage, s.position, count(c.id)::int AS current
             FROM lifecycle_stages s LEFT JOIN customers c ON c.lifecycle_stage_id = s.id AND c.deleted_at IS NULL AND ${this.scope.inBook('c')}
            GROUP BY s.id ORDER BY s.position, s.key`,
        ),
        this.deps.db.query(
          `SELECT fs.key AS "from", ts.key AS "to", count(*)::int AS count
             FROM lifecycle_transitions t
             LEFT JOIN lifecycle_stages fs ON fs.id = t.from_stage_id
             JOIN lifecycle_stages ts ON ts.id = t.to_stage_id
            WHERE t.at >= $1 AND t.at < $2 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id AND ${this.scope.inBook('c')})
            GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
          [from, to],
        ),
      ]);
    return Object.assign(new LifecycleFunnel(), {
      from,
      to,
      stages: stages.map((s) => ({
        ...s,
        entered: flows.filter((f) => f.to === s.stage).reduce((n, f) => n + f.count, 0),
        left: flows.filter((f) => f.from === s.stage).reduce((n, f) => n + f.count, 0),
      })),
      flows,
    });
  }

  async churnWatchlist(first: number): Promise<ChurnWatchlistEntry[]> {
    this.scope.guard();
    checkFirst(first);
    const model = await this.insight.model();
    if (!model) return [];
    const now = this.insight.now;
    const value = model.basis === ValueBasis.MARGIN ? 's.margin' : 's.revenue';
    // The stored churn probability (what Customer.churnRisk.probability returns) × the exact total on the model's
    // basis, in float8 as the product was in Node. Ties by churn, then by customer id, the order the population was
    // ranked in before. The last purchase day is the scoring day less recency_days, so the days since it count to today.
    const ranked: Array<{ customerId: string; churn: number; total: string; atRisk: number; lastDay: number }> = await this.deps.db.query(
      `SELECT s.customer_id AS "customerId", s.churn_probability AS churn, ${value}::text AS total,
              s.churn_probability * greatest(${value}, 0)::float8 AS "atRisk",
              (s.scored_on - DATE '1970-01-01') - s.recency_days AS "lastDay"
         ${this.scope.scoresInBook()} AND s.occasions > 0 AND s.churn_probability IS NOT NULL
        ORDER BY "atRisk" DESC, churn DESC, s.customer_id
        LIMIT $1`,
      [first],
    );
    const customers = await this.deps.loaders.byId(Customer).loadMany(ranked.map((r) => r.customerId));
    const currency = this.insight.currency;
    return ranked.flatMap((r, i) => {
      const customer = customers[i];
      if (!(customer instanceof Customer)) return [];
      return [
        Object.assign(new ChurnWatchlistEntry(), {
          customer,
          churnProbability: r.churn,
          realisedValue: moneyOfUnits(parseAmount(r.total), currency),
          valueAtRisk: moneyOfFloat(r.atRisk, currency),
          daysSinceLastPurchase: utcDay(now) - r.lastDay,
        }),
      ];
    });
  }
}
