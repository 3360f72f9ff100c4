import { badInput, UserErrorCode } from '../common/errors';
import { parseAmount } from '../common/money';
import { Customer } from '../customer/customer.entity';
import {
  DAYS_PER_UNIT,
  expectedPurchases,
  fitBgnbd,
  probabilityAlive,
  rfmBreakpoints,
  scoreRfm,
  SEGMENTS,
  utcDay,
  type PurchaseSummary,
} from '../intelligence';
import { PURCHASE_STATUSES } from '../order/order.entity';
import type { ServiceDeps } from '../server/services';
import { TimeUnit, ValueBasis } from './customer-model-fit.entity';
import {
  ChurnWatchlistEntry,
  Cohort,
  CohortGranularity,
  LifecycleFunnel,
  ModelDiagnostics,
  RevenueConcentration,
  SegmentSummary,
  SegmentSummaryRow,
} from './analytics.types';
import { streamPopulationDays } from './insight.loaders';
import type { InsightService } from './insight.service';
import { loadPopulation } from './model-fitting';
import { moneyOfFloat, moneyOfUnits } from './model-money';
import { rfmInputFromRow, summarizeOccasions } from './occasions';
import { Segment } from './insight.types';

const TOP_PERCENTS = [1, 5, 10, 20, 50];
const MAX_PERIOD_DAYS = 3660;

/** Index of the calendar period containing a UTC date: weeks from a Monday, months or quarters since year 0. */
function periodIndex(at: Date, g: CohortGranularity): number {
  // 1970-01-05 was a Monday, day 4 of the epoch.
  if (g === CohortGranularity.WEEK) return Math.floor((utcDay(at) - 4) / 7);
  const month = at.getUTCFullYear() * 12 + at.getUTCMonth();
  return g === CohortGranularity.MONTH ? month : Math.floor(month / 3);
}

/** Analyst queries over the whole customer base; scored exactly as the per-customer fields score each customer. */
export class InsightAnalytics {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly insight: InsightService,
  ) {}

  async segmentSummary(asOfArg?: Date | null): Promise<SegmentSummary> {
    const at = this.insight.asOf(asOfArg);
    const currency = this.insight.currency;
    const model = await this.insight.model();
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const [rows, [{ n }]] = await Promise.all([
      this.insight.populationRfm(at),
      this.deps.db.query(`SELECT count(*)::int AS n FROM customers WHERE deleted_at IS NULL`) as Promise<Array<{ n: number }>>,
    ]);
    const inputs = rows.map((r) => rfmInputFromRow(r, at, basis, currency));
    const breakpoints = (asOfArg == null ? model?.rfmBreakpoints : null) ?? (inputs.length ? rfmBreakpoints(inputs) : null);
    const totals = new Map<Segment, { customers: number; revenue: bigint; margin: bigint }>();
    for (const s of Object.keys(SEGMENTS)) totals.set(s as Segment, { customers: 0, revenue: 0n, margin: 0n });
    rows.forEach((row, i) => {
      const t = totals.get(scoreRfm(inputs[i], breakpoints!).segment as Segment)!;
      t.customers++;
      t.revenue += parseAmount(row.revenue);
      t.margin += parseAmount(row.margin);
    });
    totals.get(Segment.PROSPECT)!.customers += Math.max(0, n - rows.length);
    const totalMargin = [...totals.values()].reduce((s, t) => s + t.margin, 0n);
    return Object.assign(new SegmentSummary(), {
      asOf: at,
      customers: n,
      segments: [...totals].map(([segment, t]) =>
        Object.assign(new SegmentSummaryRow(), {
          segment,
          customers: t.customers,
          share: n ? t.customers / n : 0,
          revenue: moneyOfUnits(t.revenue, currency),
          margin: moneyOfUnits(t.margin, currency),
          marginShare: totalMargin > 0n ? Number(t.margin) / Number(totalMargin) : 0,
        }),
      ),
    });
  }

  async revenueConcentration(basis: ValueBasis): Promise<RevenueConcentration> {
    const rows = await this.insight.populationRfm(this.insight.now);
    const units = rows.map((r) => parseAmount(basis === ValueBasis.MARGIN ? r.margin : r.revenue)).sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const total = units.reduce((s, u) => s + u, 0n);
    const n = units.length;
    const top = TOP_PERCENTS.map((p) => {
      const k = Math.max(1, Math.ceil((n * p) / 100));
      const sum = units.slice(0, k).reduce((s, u) => s + u, 0n);
      return { topPercent: p, customers: Math.min(k, n), share: total > 0n ? Number(sum) / Number(total) : 0 };
    });
    // Gini over values in ascending order: Σ (2i − n − 1) x_i / (n Σ x), i = 1…n.
    let weighted = 0;
    units.forEach((u, j) => {
      const i = n - j; // units are descending
      weighted += (2 * i - n - 1) * Number(u);
    });
    return Object.assign(new RevenueConcentration(), {
      basis,
      customers: n,
      total: moneyOfUnits(total, this.insight.currency),
      top: n ? top : [],
      gini: total > 0n ? weighted / (n * Number(total)) : null,
    });
  }

  async cohortRetention(granularity: CohortGranularity, from?: Date | null, to?: Date | null): Promise<Cohort[]> {
    const unit = { WEEK: 'week', MONTH: 'month', QUARTER: 'quarter' }[granularity];
    const rows: Array<{ cohort: string; period: string; n: number }> = await this.deps.db.query(
      `WITH p AS (
         SELECT o.customer_id, date_trunc($2, o.placed_at AT TIME ZONE 'UTC')::date AS period
           FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
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
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
      throw badInput('`to` must be after `from`, at most 10 years later.', { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [stages, flows]: [Array<{ stage: string; position: number; current: number }>, Array<{ from: string | null; to: string; count: number }>] =
      await Promise.all([
        this.deps.db.query(
          `SELECT s.key AS stage, s.position, count(c.id)::int AS current
             FROM lifecycle_stages s LEFT JOIN customers c ON c.lifecycle_stage_id = s.id AND c.deleted_at IS NULL
            GROUP BY s.id ORDER BY s.position, s.key`,
        ),
        this.deps.db.query(
          `SELECT fs.key AS "from", ts.key AS "to", count(*)::int AS count
             FROM lifecycle_transitions t
             LEFT JOIN lifecycle_stages fs ON fs.id = t.from_stage_id
             JOIN lifecycle_stages ts ON ts.id = t.to_stage_id
            WHERE t.at >= $1 AND t.at < $2
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
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw badInput('`first` must be from 1 to 100.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const model = await this.insight.model();
    if (!model) return [];
    const now = this.insight.now;
    const key = model.basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
    const ranked = (await loadPopulation(this.deps.db, now, model.timeUnit))
      .map((m) => {
        const churn = 1 - probabilityAlive(model.bgnbd, m.summary);
        return { m, churn, atRisk: churn * Math.max(0, m[key].total) };
      })
      .sort((x, y) => y.atRisk - x.atRisk || y.churn - x.churn)
      .slice(0, first);
    const customers = await this.deps.loaders.byId(Customer).loadMany(ranked.map((r) => r.m.customerId));
    const currency = this.insight.currency;
    return ranked.flatMap((r, i) => {
      const customer = customers[i];
      if (!(customer instanceof Customer)) return [];
      return [
        Object.assign(new ChurnWatchlistEntry(), {
          customer,
          churnProbability: r.churn,
          realisedValue: moneyOfFloat(r.m[key].total, currency),
          valueAtRisk: moneyOfFloat(r.atRisk, currency),
          daysSinceLastPurchase: utcDay(now) - utcDay(r.m.summary.lastPurchaseAt),
        }),
      ];
    });
  }

  async modelDiagnostics(calibrationEnd: Date, holdoutEndArg: Date, unit: TimeUnit): Promise<ModelDiagnostics> {
    const holdoutEnd = this.insight.asOf(holdoutEndArg, 'holdoutEnd');
    if (!(utcDay(calibrationEnd) < utcDay(holdoutEnd))) {
      throw badInput('`holdoutEnd` must be at least one day after `calibrationEnd`.', { field: 'holdoutEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const calibration: Array<{ s: PurchaseSummary; actual: number }> = [];
    const calibrationDay = utcDay(calibrationEnd);
    await this.deps.db.transaction('REPEATABLE READ', (m) =>
      streamPopulationDays(m, holdoutEnd, (_, days) => {
        const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), calibrationEnd, unit);
        if (s) calibration.push({ s, actual: days.filter((d) => d.day > calibrationDay).length });
      }),
    );
    if (calibration.length === 0) {
      throw badInput('No customer has a purchase by `calibrationEnd`: there is nothing to fit.', { field: 'calibrationEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const fit = fitBgnbd(calibration.map((c) => c.s));
    const t = (utcDay(holdoutEnd) - calibrationDay) / DAYS_PER_UNIT[unit];
    const buckets = new Map<string, { customers: number; predicted: number; actual: number }>();
    let predictedPurchases = 0;
    let actualPurchases = 0;
    let absoluteError = 0;
    for (const c of calibration) {
      const predicted = expectedPurchases(fit, t, c.s);
      predictedPurchases += predicted;
      actualPurchases += c.actual;
      absoluteError += Math.abs(predicted - c.actual);
      const label = c.s.x >= 7 ? '7+' : String(c.s.x);
      const b = buckets.get(label) ?? { customers: 0, predicted: 0, actual: 0 };
      b.customers++;
      b.predicted += predicted;
      b.actual += c.actual;
      buckets.set(label, b);
    }
    return Object.assign(new ModelDiagnostics(), {
      calibrationEnd,
      holdoutEnd,
      timeUnit: unit,
      customers: calibration.length,
      r: fit.r,
      alpha: fit.alpha,
      a: fit.a,
      b: fit.b,
      predictedPurchases,
      actualPurchases,
      meanAbsoluteError: absoluteError / calibration.length,
      byRepeatPurchases: ['0', '1', '2', '3', '4', '5', '6', '7+']
        .filter((label) => buckets.has(label))
        .map((label) => {
          const b = buckets.get(label)!;
          return { repeatPurchases: label, customers: b.customers, predictedMean: b.predicted / b.customers, actualMean: b.actual / b.customers };
        }),
    });
  }
}
