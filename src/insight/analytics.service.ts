import { badInput, UserErrorCode } from '../common/errors';
import { instantArgument } from '../common/validate';
import { currencyExponent, formatAmount, parseAmount } from '../common/money';
import { Contact } from '../contact/contact.entity';
import { ConsentChannel, Customer } from '../customer/customer.entity';
import {
  ACTION_KINDS,
  ACTION_PRIORITY,
  ACTIONS_WITHOUT_CONSENT,
  CHANNEL_PREFERENCE,
  DAYS_PER_UNIT,
  MS_PER_DAY,
  PLAYBOOK,
  type ActionKind,
  RFM_SEGMENTS,
  VALUE_TIER_KINDS,
  expectedPurchases,
  fitBgnbd,
  holidaysBetween,
  rfmBreakpoints,
  scoreRfm,
  utcDay,
  type PurchaseSummary,
  type RfmSegment,
  type TimeUnit,
  type ValueTier,
} from '../intelligence';
import { PURCHASE_STATUSES } from '../order/order.entity';
import type { ServiceDeps } from '../core/request-scope';
import { CustomerModel, ValueBasis } from './model/customer-model-fit.entity';
import { DEFAULT_CLV } from './customer-scores';
import {
  CareAgendaItem,
  ChurnWatchlistEntry,
  ClvBucket,
  ClvDistribution,
  Cohort,
  CrossSellRule,
  CohortGranularity,
  LifecycleFunnel,
  ModelDiagnostics,
  RevenueConcentration,
  SegmentSummary,
  SegmentSummaryRow,
  ValueMatrix,
  ValueMatrixCell,
} from './analytics.types';
import { streamPopulationDays } from './insight.loaders';
import type { InsightService } from './insight.service';
import { loadPopulation } from './model/model-fitting';
import { divideToMinor, moneyOfFloat, moneyOfUnits, unitsOfFloat } from './model/model-money';
import { predictedClv, rfmInputFromRow, summarizeOccasions } from './occasions';

const TOP_PERCENTS = [1, 5, 10, 20, 50];
const MAX_PERIOD_DAYS = 3660;
/** A care agenda covers at most a quarter: longer windows are planning, not an agenda. */
const MAX_AGENDA_DAYS = 92;
const MAX_CLV_BUCKETS = 50;
const isoDay = (at: Date): string => at.toISOString().slice(0, 10);
/** Action kinds, most urgent first: the agenda's tie-break between items due at the same instant. */
const BY_PRIORITY = Object.values(ACTION_KINDS).sort((a, b) => ACTION_PRIORITY[a] - ACTION_PRIORITY[b]);

/** Index of the calendar period containing a UTC date: weeks from a Monday, months or quarters since year 0. */
function periodIndex(at: Date, g: CohortGranularity): number {
  // 1970-01-05 was a Monday, day 4 of the epoch.
  if (g === CohortGranularity.WEEK) return Math.floor((utcDay(at) - 4) / 7);
  const month = at.getUTCFullYear() * 12 + at.getUTCMonth();
  return g === CohortGranularity.MONTH ? month : Math.floor(month / 3);
}

/** Analyst queries over the whole customer base; scored exactly as the per-customer fields score each customer. */
export class InsightAnalytics {
  private bookIds?: Promise<ReadonlySet<string> | null>;

  constructor(
    private readonly deps: ServiceDeps,
    private readonly insight: InsightService,
  ) {}

  /** Analyst queries are computed over what the caller may see: the whole base, or a sales rep's own book. */
  private guard(): void {
    this.deps.access.require('analytics:read');
  }

  /** SQL condition on a customers alias confining a statement to the caller's customers. */
  private inBook(alias: string): string {
    return this.deps.access.customerCondition(alias);
  }

  /**
   * FROM … WHERE over the stored scores (`s`) of the caller's customers that are not deleted. Every customer has a
   * scores row carrying its soft delete, so a caller who sees everyone needs no join with customers.
   */
  private scoresInBook(): string {
    const scope = this.deps.access.rowCondition('customers', 'c');
    return scope
      ? `FROM customers c JOIN customer_scores s ON s.customer_id = c.id WHERE c.deleted_at IS NULL AND ${scope}`
      : `FROM customer_scores s WHERE NOT s.customer_deleted`;
  }

  /** The ids of the customers in the caller's book, or null when the caller sees every customer. */
  private book(): Promise<ReadonlySet<string> | null> {
    this.bookIds ??= (async () => {
      if (!this.deps.access.bookOwnerId) return null;
      const rows: Array<{ id: string }> = await this.deps.db.query(`SELECT c.id FROM customers c WHERE ${this.inBook('c')}`);
      return new Set(rows.map((r) => r.id));
    })();
    return this.bookIds;
  }

  /**
   * Now: one GROUP BY over the stored scores (the segments the fields return, the worker's exact totals and predicted
   * CLVs). At an earlier asOf: segments recomputed from the purchases up to then.
   */
  async segmentSummary(asOfArg?: Date | null): Promise<SegmentSummary> {
    this.guard();
    if (asOfArg == null) return this.storedSegmentSummary();
    const at = this.insight.asOf(asOfArg);
    const currency = this.insight.currency;
    const model = await this.insight.model();
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const [population, [{ n }], book] = await Promise.all([
      this.insight.populationRfm(at),
      this.deps.db.query(`SELECT count(*)::int AS n FROM customers c WHERE c.deleted_at IS NULL AND ${this.inBook('c')}`) as Promise<Array<{ n: number }>>,
      this.book(),
    ]);
    // One pass over the population's occasions, shared by the rows, and only when averageClv is selected.
    let clvs: Promise<Map<string, number> | null> | undefined;
    const predictions = () => (clvs ??= this.predictedClvs(model, at, basis));
    const allInputs = population.map((r) => rfmInputFromRow(r, at, basis, currency));
    // Breakpoints come from the whole population, so a rep's customers get the segments their own fields show.
    const breakpoints = (asOfArg == null ? model?.rfmBreakpoints : null) ?? (allInputs.length ? rfmBreakpoints(allInputs) : null);
    const mine = population.flatMap((r, i) => (!book || book.has(r.customerId) ? [i] : []));
    const rows = mine.map((i) => population[i]);
    const inputs = mine.map((i) => allInputs[i]);
    const totals = new Map<RfmSegment, { customers: number; revenue: bigint; margin: bigint; buyers: string[] }>();
    for (const s of Object.values(RFM_SEGMENTS)) totals.set(s, { customers: 0, revenue: 0n, margin: 0n, buyers: [] });
    rows.forEach((row, i) => {
      const t = totals.get(scoreRfm(inputs[i], breakpoints!).segment)!;
      t.customers++;
      t.revenue += parseAmount(row.revenue);
      t.margin += parseAmount(row.margin);
      t.buyers.push(row.customerId);
    });
    totals.get(RFM_SEGMENTS.PROSPECT)!.customers += Math.max(0, n - rows.length);
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
          averageClvOf: async () => {
            const clvs = await predictions();
            const known = t.buyers.flatMap((id) => (clvs?.has(id) ? [clvs.get(id)!] : []));
            return known.length ? moneyOfFloat(known.reduce((sum, v) => sum + v, 0) / known.length, currency) : null;
          },
        }),
      ),
    });
  }

  private async storedSegmentSummary(): Promise<SegmentSummary> {
    const currency = this.insight.currency;
    // Every customer has a scores row: a new one counts as a prospect until the worker reaches it.
    const rows: Array<{ segment: RfmSegment; customers: number; revenue: string; margin: string; clvSum: string | null; clvCount: number }> =
      await this.deps.db.query(
        `SELECT s.segment, count(*)::int AS customers, coalesce(sum(s.revenue), 0)::text AS revenue, coalesce(sum(s.margin), 0)::text AS margin,
                sum(s.predicted_clv)::text AS "clvSum", count(s.predicted_clv)::int AS "clvCount"
           ${this.scoresInBook()}
          GROUP BY 1`,
      );
    const bySegment = new Map(rows.map((r) => [r.segment, r]));
    const n = rows.reduce((sum, r) => sum + r.customers, 0);
    const totalMargin = rows.reduce((sum, r) => sum + parseAmount(r.margin), 0n);
    return Object.assign(new SegmentSummary(), {
      asOf: this.insight.now,
      customers: n,
      segments: Object.values(RFM_SEGMENTS).map((segment) => {
        const r = bySegment.get(segment);
        const margin = r ? parseAmount(r.margin) : 0n;
        const clv = r?.clvCount ? moneyOfUnits(divideToMinor(parseAmount(r.clvSum!), BigInt(r.clvCount), currency), currency) : null;
        return Object.assign(new SegmentSummaryRow(), {
          segment,
          customers: r?.customers ?? 0,
          share: n ? (r?.customers ?? 0) / n : 0,
          revenue: moneyOfUnits(r ? parseAmount(r.revenue) : 0n, currency),
          margin: moneyOfUnits(margin, currency),
          marginShare: totalMargin > 0n ? Number(margin) / Number(totalMargin) : 0,
          averageClvOf: async () => clv,
        });
      }),
    });
  }

  /** One GROUP BY over the stored scores, as storedSegmentSummary, by segment and value tier. */
  async valueMatrix(): Promise<ValueMatrix> {
    this.guard();
    const currency = this.insight.currency;
    // Customers not scored yet (created a moment ago) have the scores of a customer without a purchase, PROSPECT in
    // MONITOR, until the worker reaches them.
    const rows: Array<{ segment: RfmSegment; valueTier: ValueTier; customers: number; revenue: string; margin: string; clvSum: string | null; clvCount: number }> =
      await this.deps.db.query(
        `SELECT s.segment, s.value_tier AS "valueTier", count(*)::int AS customers, coalesce(sum(s.revenue), 0)::text AS revenue,
                coalesce(sum(s.margin), 0)::text AS margin, sum(s.predicted_clv)::text AS "clvSum", count(s.predicted_clv)::int AS "clvCount"
           ${this.scoresInBook()}
          GROUP BY 1, 2`,
      );
    const byCell = new Map(rows.map((r) => [`${r.segment}/${r.valueTier}`, r]));
    const n = rows.reduce((sum, r) => sum + r.customers, 0);
    return Object.assign(new ValueMatrix(), {
      asOf: this.insight.now,
      customers: n,
      cells: Object.values(RFM_SEGMENTS).flatMap((segment) =>
        Object.values(VALUE_TIER_KINDS).map((valueTier) => {
          const r = byCell.get(`${segment}/${valueTier}`);
          return Object.assign(new ValueMatrixCell(), {
            segment,
            valueTier,
            customers: r?.customers ?? 0,
            share: n ? (r?.customers ?? 0) / n : 0,
            revenue: moneyOfUnits(r ? parseAmount(r.revenue) : 0n, currency),
            margin: moneyOfUnits(r ? parseAmount(r.margin) : 0n, currency),
            averageClv: r?.clvCount ? moneyOfUnits(divideToMinor(parseAmount(r.clvSum!), BigInt(r.clvCount), currency), currency) : null,
          });
        }),
      ),
    });
  }

  /**
   * One statement over the stored scores: the buyers (a purchase, customer not deleted, as populationRfm counts them)
   * ranked by their exact total on the basis; the top groups' sums and the Gini's numerator are exact numeric sums.
   */
  async revenueConcentration(basis: ValueBasis): Promise<RevenueConcentration> {
    this.guard();
    const value = basis === ValueBasis.MARGIN ? 's.margin' : 's.revenue';
    // The top p% are the first ⌈n·p/100⌉ (at least 1) by value: (n·p + 99) / 100 in integers. Ties do not change a
    // top group's sum. The Gini over ascending ranks i = n + 1 − rk is Σ (2i − n − 1)·x_i / (n Σx), and
    // 2i − n − 1 = n + 1 − 2·rk.
    const [row]: Array<{ n: number; total: string; weighted: string; tops: string[] }> = await this.deps.db.query(
      `WITH ranked AS (
         SELECT ${value} AS v, row_number() OVER (ORDER BY ${value} DESC) AS rk, count(*) OVER () AS n
           ${this.scoresInBook()} AND s.occasions > 0)
       SELECT count(*)::int AS n, coalesce(sum(v), 0)::text AS total, coalesce(sum((n + 1 - 2 * rk) * v), 0)::text AS weighted,
              ARRAY[${TOP_PERCENTS.map((p) => `coalesce(sum(v) FILTER (WHERE rk <= greatest(1, (n * ${p} + 99) / 100)), 0)::text`).join(', ')}] AS tops
         FROM ranked`,
    );
    const n = row.n;
    const total = parseAmount(row.total);
    return Object.assign(new RevenueConcentration(), {
      basis,
      customers: n,
      total: moneyOfUnits(total, this.insight.currency),
      top: n
        ? TOP_PERCENTS.map((p, j) => ({
            topPercent: p,
            customers: Math.min(Math.max(1, Math.ceil((n * p) / 100)), n),
            share: total > 0n ? Number(parseAmount(row.tops[j])) / Number(total) : 0,
          }))
        : [],
      gini: total > 0n ? Number(parseAmount(row.weighted)) / (n * Number(total)) : null,
    });
  }

  async cohortRetention(granularity: CohortGranularity, from?: Date | null, to?: Date | null): Promise<Cohort[]> {
    this.guard();
    const unit = { WEEK: 'week', MONTH: 'month', QUARTER: 'quarter' }[granularity];
    const rows: Array<{ cohort: string; period: string; n: number }> = await this.deps.db.query(
      `WITH p AS (
         SELECT o.customer_id, date_trunc($2, o.placed_at AT TIME ZONE 'UTC')::date AS period
           FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL AND ${this.inBook('c')}
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
    this.guard();
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_PERIOD_DAYS * 86_400_000) {
      throw badInput('`to` must be after `from`, at most 10 years later.', { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [stages, flows]: [Array<{ stage: string; position: number; current: number }>, Array<{ from: string | null; to: string; count: number }>] =
      await Promise.all([
        this.deps.db.query(
          `SELECT s.key AS stage, s.position, count(c.id)::int AS current
             FROM lifecycle_stages s LEFT JOIN customers c ON c.lifecycle_stage_id = s.id AND c.deleted_at IS NULL AND ${this.inBook('c')}
            GROUP BY s.id ORDER BY s.position, s.key`,
        ),
        this.deps.db.query(
          `SELECT fs.key AS "from", ts.key AS "to", count(*)::int AS count
             FROM lifecycle_transitions t
             LEFT JOIN lifecycle_stages fs ON fs.id = t.from_stage_id
             JOIN lifecycle_stages ts ON ts.id = t.to_stage_id
            WHERE t.at >= $1 AND t.at < $2 AND EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id AND ${this.inBook('c')})
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
    this.guard();
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw badInput('`first` must be from 1 to 100.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
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
         ${this.scoresInBook()} AND s.occasions > 0 AND s.churn_probability IS NOT NULL
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

  async modelDiagnostics(calibrationEnd: Date, holdoutEndArg: Date, unit: TimeUnit): Promise<ModelDiagnostics> {
    this.guard();
    const holdoutEnd = this.insight.asOf(holdoutEndArg, 'holdoutEnd');
    if (!(utcDay(calibrationEnd) < utcDay(holdoutEnd))) {
      throw badInput('`holdoutEnd` must be at least one day after `calibrationEnd`.', { field: 'holdoutEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const calibration: Array<{ s: PurchaseSummary; actual: number }> = [];
    const calibrationDay = utcDay(calibrationEnd);
    const book = await this.book();
    await this.deps.db.transaction('REPEATABLE READ', (m) =>
      streamPopulationDays(m, holdoutEnd, (customerId, days) => {
        if (book && !book.has(customerId)) return;
        const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), calibrationEnd, unit);
        if (s) calibration.push({ s, actual: days.filter((d) => d.day > calibrationDay).length });
      }),
    );
    if (calibration.length === 0) {
      throw badInput('No customer has a purchase by `calibrationEnd`: there is nothing to fit.', { field: 'calibrationEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const fit = fitBgnbd(calibration.map((c) => c.s));
    // As fitAndStore refuses it: an estimate that ran off to a boundary would answer NaN predictions (an INTERNAL error).
    if (![fit.r, fit.alpha, fit.a, fit.b, fit.logLikelihood].every((v) => Number.isFinite(v) && v !== 0) || !(fit.r > 0 && fit.alpha > 0 && fit.a > 0 && fit.b > 0)) {
      throw badInput(`The BG/NBD estimate on the ${calibration.length} customers before \`calibrationEnd\` did not converge to finite parameters; choose a later calibrationEnd.`, {
        field: 'calibrationEnd',
        reason: UserErrorCode.INVALID,
      });
    }
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
  /**
   * Each buyer's predicted 12-month CLV as of `at` (TIER_CLV, on `basis`), from one pass over the population's
   * purchase occasions; a buyer without a prediction (no Gamma-Gamma mean) is left out. Null without a model or a
   * Gamma-Gamma fit for the basis.
   */
  private async predictedClvs(model: CustomerModel | null, at: Date, basis: ValueBasis): Promise<Map<string, number> | null> {
    const gg = model?.gammaGammaFor(basis);
    if (!model || !gg) return null;
    const key = basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
    const out = new Map<string, number>();
    const book = await this.book();
    for (const m of await loadPopulation(this.deps.db, at, model.timeUnit)) {
      if (book && !book.has(m.customerId)) continue;
      const clv = predictedClv(model.bgnbd, gg, { ...m.summary, monetaryValue: m[key].mx, totalValue: m[key].total });
      if (clv !== null) out.set(m.customerId, clv);
    }
    return out;
  }

  /**
   * On the basis the scores store (DEFAULT_CLV's, what Customer.clv predicts without arguments): two statements over
   * customer_scores, the extent of the stored predictions, then the buckets counted with the bounds computed here.
   * On the other basis: every buyer predicted on demand, from one pass over the population's occasions.
   */
  async clvDistribution(buckets: number, basis: ValueBasis): Promise<ClvDistribution> {
    this.guard();
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_CLV_BUCKETS) {
      throw badInput(`\`buckets\` must be from 1 to ${MAX_CLV_BUCKETS}.`, { field: 'buckets', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const model = await this.insight.model();
    if (model?.gammaGammaFor(basis) && basis === DEFAULT_CLV.basis) return this.storedClvDistribution(buckets, basis);
    const currency = this.insight.currency;
    const clvs = await this.predictedClvs(model, this.insight.now, basis);
    const units = [...(clvs?.values() ?? [])].map((v) => unitsOfFloat(v, currency)).filter((u): u is bigint => u !== null);
    const extent = units.length
      ? { n: units.length, total: units.reduce((s, u) => s + u, 0n), lo: units.reduce((m, u) => (u < m ? u : m)), hi: units.reduce((m, u) => (u > m ? u : m)) }
      : null;
    return this.clvHistogram(basis, buckets, extent, async (bounds) => {
      const counts = new Array<number>(buckets).fill(0);
      const sums = new Array<bigint>(buckets).fill(0n);
      for (const u of units) {
        let i = buckets - 1;
        while (i > 0 && u < bounds[i]) i--;
        counts[i]++;
        sums[i] += u;
      }
      return { counts, sums };
    });
  }

  private async storedClvDistribution(buckets: number, basis: ValueBasis): Promise<ClvDistribution> {
    const scope = `${this.scoresInBook()} AND s.occasions > 0 AND s.predicted_clv IS NOT NULL`;
    const [row]: Array<{ n: number; total: string; lo: string | null; hi: string | null }> = await this.deps.db.query(
      `SELECT count(*)::int AS n, coalesce(sum(s.predicted_clv), 0)::text AS total, min(s.predicted_clv)::text AS lo, max(s.predicted_clv)::text AS hi ${scope}`,
    );
    const extent = row.n ? { n: row.n, total: parseAmount(row.total), lo: parseAmount(row.lo!), hi: parseAmount(row.hi!) } : null;
    return this.clvHistogram(basis, buckets, extent, async (bounds) => {
      // width_bucket counts the inner bounds at or below a value: the last bucket whose lower bound the value reaches,
      // as the loop on the other basis finds it (equal bounds included).
      const rows: Array<{ i: number; n: number; sum: string }> = await this.deps.db.query(
        `SELECT width_bucket(s.predicted_clv, $1::numeric[]) AS i, count(*)::int AS n, sum(s.predicted_clv)::text AS sum ${scope} GROUP BY 1`,
        [bounds.slice(1, buckets).map((b) => formatAmount(b))],
      );
      const counts = new Array<number>(buckets).fill(0);
      const sums = new Array<bigint>(buckets).fill(0n);
      for (const r of rows) {
        counts[r.i] = r.n;
        sums[r.i] = parseAmount(r.sum);
      }
      return { counts, sums };
    });
  }

  /** The histogram of predictions (exact units) given their count, sum and extent; `count` fills the buckets. */
  private async clvHistogram(
    basis: ValueBasis,
    buckets: number,
    extent: { n: number; total: bigint; lo: bigint; hi: bigint } | null,
    count: (bounds: bigint[]) => Promise<{ counts: number[]; sums: bigint[] }>,
  ): Promise<ClvDistribution> {
    const currency = this.insight.currency;
    const n = extent?.n ?? 0;
    const total = extent?.total ?? 0n;
    const result = Object.assign(new ClvDistribution(), {
      asOf: this.insight.now,
      basis,
      customers: n,
      total: moneyOfUnits(total, currency),
      average: n ? moneyOfFloat(Number(total) / 10_000 / n, currency) : null,
      buckets: [] as ClvBucket[],
    });
    if (!extent) return result;
    const { lo, hi } = extent;
    // Bucket in exact minor units, so that the bounds shown are the bounds used.
    const step = 10n ** BigInt(4 - currencyExponent(currency));
    // Bounds on the minor-unit grid: lo + round(i·(hi − lo)/k), so equal width up to one minor unit.
    const span = (hi - lo) / step;
    const bounds = Array.from({ length: buckets + 1 }, (_, i) => lo + ((span * BigInt(i) * 2n + BigInt(buckets)) / (2n * BigInt(buckets))) * step);
    bounds[buckets] = hi;
    const { counts, sums } = await count(bounds);
    result.buckets = counts.map((customers, i) =>
      Object.assign(new ClvBucket(), {
        lower: moneyOfUnits(bounds[i], currency),
        upper: moneyOfUnits(bounds[i + 1], currency),
        customers,
        share: customers / n,
        clvShare: total > 0n ? Number(sums[i]) / Number(total) : 0,
      }),
    );
    return result;
  }

  async crossSellRules(minSupport: number, minConfidence: number, first: number): Promise<CrossSellRule[]> {
    this.guard();
    if (!Number.isFinite(minSupport) || minSupport < 0 || minSupport > 1) {
      throw badInput('`minSupport` must be from 0 to 1.', { field: 'minSupport', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isFinite(minConfidence) || minConfidence < 0 || minConfidence > 1) {
      throw badInput('`minConfidence` must be from 0 to 1.', { field: 'minConfidence', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw badInput('`first` must be from 1 to 100.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
    // cross-sell.ts's associationRules, counted in SQL over (order, category) pairs so that the order table never
    // travels to the process; a basket is a purchase order with at least one categorised product.
    const rows: Array<CrossSellRule> = await this.deps.db.query(
      `WITH oc AS (
         SELECT DISTINCT l.order_id, p.category
           FROM order_lines l
           JOIN orders o ON o.id = l.order_id AND o.status = ANY($1::text[]) AND o.deleted_at IS NULL AND o.placed_at <= $2
           JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL AND ${this.inBook('c')}
           JOIN products p ON p.id = l.product_id
          WHERE p.category IS NOT NULL),
       n AS (SELECT count(DISTINCT order_id)::float8 AS n FROM oc),
       single AS (SELECT category, count(*)::float8 AS k FROM oc GROUP BY 1),
       pair AS (
         SELECT a.category AS antecedent, b.category AS consequent, count(*)::int AS orders
           FROM oc a JOIN oc b ON b.order_id = a.order_id AND b.category <> a.category
          GROUP BY 1, 2),
       rules AS (
         SELECT pair.antecedent, pair.consequent, pair.orders, pair.orders / n.n AS support, pair.orders / sa.k AS confidence,
                (pair.orders / sa.k) / (sb.k / n.n) AS lift
           FROM pair CROSS JOIN n
           JOIN single sa ON sa.category = pair.antecedent
           JOIN single sb ON sb.category = pair.consequent)
       SELECT antecedent, consequent, orders, support, confidence, lift FROM rules
        WHERE support >= $3 AND confidence >= $4
        ORDER BY lift DESC, confidence DESC, support DESC, antecedent, consequent
        LIMIT $5`,
      [PURCHASE_STATUSES, this.insight.now, minSupport, minConfidence, first],
    );
    return rows.map((r) => Object.assign(new CrossSellRule(), r));
  }

  /**
   * The care routines of the playbook (next-best-actions.ts) for [from, to), for the whole customer base in one
   * statement: birthdays in the window of customers and their contacts; purchases, open complaints and service
   * contacts up to the end of the window still waiting for a thank-you, an answer or a survey (the older ones
   * overdue). Outreach goes only through a channel the customer consented to; without one it is
   * left out, except complaints (service, not marketing). Earliest due first.
   */
  async careAgenda(from: Date, to: Date, first: number): Promise<CareAgendaItem[]> {
    this.guard();
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_AGENDA_DAYS * MS_PER_DAY) {
      throw badInput(`\`to\` must be after \`from\`, at most ${MAX_AGENDA_DAYS} days later.`, { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isInteger(first) || first < 1 || first > 100) {
      throw badInput('`first` must be from 1 to 100.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
    // One row per holiday and country that keeps it (country null: kept everywhere).
    const holidays = holidaysBetween(from, to).flatMap((h) => (h.countries ?? [null]).map((country) => ({ name: h.name, date: h.date, country })));
    const consented = (k: ActionKind) =>
      `(${CHANNEL_PREFERENCE[k].map((ch) => `c.consent_${ch.toLowerCase()}_granted`).join(' OR ')}${ACTIONS_WITHOUT_CONSENT.includes(k) ? ' OR true' : ''})`;
    // The birthday in year y; 29 February falls on 28 February in other years, as nextBirthday has it.
    const birthdayIn = (col: string) =>
      `make_date(y, extract(month FROM ${col})::int,
         CASE WHEN extract(month FROM ${col}) = 2 AND extract(day FROM ${col}) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))
              THEN 28 ELSE extract(day FROM ${col})::int END)`;
    // A birthday is in the window when its UTC day overlaps [from, to).
    const inWindow = (d: string) => `(${d})::timestamp AT TIME ZONE 'UTC' < $2::timestamptz AND ((${d}) + 1)::timestamp AT TIME ZONE 'UTC' > $1::timestamptz`;
    const years = `generate_series(extract(year FROM $1::timestamptz AT TIME ZONE 'UTC')::int, extract(year FROM $2::timestamptz AT TIME ZONE 'UTC')::int) AS y`;
    const rows: Array<{
      kind: ActionKind;
      customerId: string;
      contactId: string | null;
      dueAt: Date;
      at: Date;
      subject: string | null;
      email: boolean;
      sms: boolean;
      phone: boolean;
      mail: boolean;
    }> = await this.deps.db.query(
      `WITH items AS (
         SELECT 'BIRTHDAY_GREETING' AS kind, c.id AS "customerId", NULL::uuid AS "contactId",
                b.d::timestamp AT TIME ZONE 'UTC' AS "dueAt", b.d::timestamp AT TIME ZONE 'UTC' AS at, NULL::text AS subject
           FROM customers c CROSS JOIN LATERAL (SELECT ${birthdayIn('c.birthday')} AS d FROM ${years}) b
          WHERE c.birthday IS NOT NULL AND c.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
         UNION ALL
         SELECT 'BIRTHDAY_GREETING', c.id, k.id, b.d::timestamp AT TIME ZONE 'UTC', b.d::timestamp AT TIME ZONE 'UTC', k.id::text
           FROM contacts k JOIN customers c ON c.id = k.customer_id AND c.deleted_at IS NULL
           CROSS JOIN LATERAL (SELECT ${birthdayIn('k.birthday')} AS d FROM ${years}) b
          WHERE k.birthday IS NOT NULL AND k.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
         UNION ALL
         -- Each customer's latest purchase in the window or up to thankYouStaleDays before it, when no thank-you was
         -- logged since it.
         (SELECT DISTINCT ON (c.id) 'THANK_YOU', c.id, NULL, o.placed_at + make_interval(days => $4), o.placed_at, o.id::text
           FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
          WHERE o.status = ANY($3::text[]) AND o.deleted_at IS NULL
            AND o.placed_at >= $1::timestamptz - make_interval(days => $5) AND o.placed_at < $2::timestamptz
            AND ${consented('THANK_YOU')}
            AND NOT EXISTS (SELECT 1 FROM touchpoints t WHERE t.customer_id = c.id AND t.purpose = 'THANK_YOU' AND t.deleted_at IS NULL AND t.occurred_at >= o.placed_at)
          ORDER BY c.id, o.placed_at DESC)
         UNION ALL
         SELECT 'RESOLVE_COMPLAINT', c.id, NULL, t.occurred_at + make_interval(days => $6), t.occurred_at, t.id::text
           FROM touchpoints t JOIN customers c ON c.id = t.customer_id AND c.deleted_at IS NULL
          WHERE t.complaint_status = 'OPEN' AND t.deleted_at IS NULL AND t.occurred_at < $2::timestamptz
         UNION ALL
         -- Each customer's latest service contact in the window or up to surveyStaleDays before it, without a survey since.
         (SELECT DISTINCT ON (c.id) 'SATISFACTION_SURVEY', c.id, NULL, t.occurred_at + make_interval(days => $7), t.occurred_at, t.id::text
           FROM touchpoints t JOIN customers c ON c.id = t.customer_id AND c.deleted_at IS NULL
          WHERE t.purpose = 'SERVICE' AND t.deleted_at IS NULL
            AND t.occurred_at >= $1::timestamptz - make_interval(days => $8) AND t.occurred_at < $2::timestamptz
            AND ${consented('SATISFACTION_SURVEY')}
            AND NOT EXISTS (SELECT 1 FROM touchpoints s WHERE s.customer_id = c.id AND s.purpose = 'SURVEY' AND s.deleted_at IS NULL AND s.occurred_at >= t.occurred_at)
          ORDER BY c.id, t.occurred_at DESC)
         UNION ALL
         -- Holiday greetings (the playbook's calendar) to every customer in a country that keeps the holiday.
         SELECT 'HOLIDAY_GREETING', c.id, NULL, h.d, h.d, h.name
           FROM unnest($11::text[], $12::timestamptz[], $13::text[]) AS h(name, d, country)
           JOIN customers c ON c.deleted_at IS NULL AND (h.country IS NULL OR c.address_country = h.country)
          WHERE h.d >= $1::timestamptz AND h.d < $2::timestamptz AND ${consented('HOLIDAY_GREETING')}
       )
       SELECT i.*, c.consent_email_granted AS email, c.consent_sms_granted AS sms, c.consent_phone_granted AS phone, c.consent_mail_granted AS mail
         FROM items i JOIN customers c ON c.id = i."customerId"
        WHERE ${this.inBook('c')}
        ORDER BY i."dueAt", array_position($10::text[], i.kind), i."customerId", i.subject
        LIMIT $9`,
      [
        from, to, PURCHASE_STATUSES, PLAYBOOK.thankYouDueDays, PLAYBOOK.thankYouStaleDays, PLAYBOOK.complaintResponseDays, PLAYBOOK.surveyDueDays,
        PLAYBOOK.surveyStaleDays, first, BY_PRIORITY, holidays.map((h) => h.name), holidays.map((h) => h.date), holidays.map((h) => h.country),
      ],
    );
    const [customers, contacts] = await Promise.all([
      this.deps.loaders.byId(Customer).loadMany(rows.map((r) => r.customerId)),
      this.deps.loaders.byId(Contact).loadMany(rows.flatMap((r) => (r.contactId ? [r.contactId] : []))),
    ]);
    const contactById = new Map(contacts.flatMap((k) => (k instanceof Contact ? [[k.id, k] as const] : [])));
    const now = this.insight.now;
    return rows.flatMap((r, i) => {
      const customer = customers[i];
      if (!(customer instanceof Customer)) return [];
      const granted: Record<ConsentChannel, boolean> = { EMAIL: r.email, SMS: r.sms, PHONE: r.phone, MAIL: r.mail };
      const channel = (CHANNEL_PREFERENCE[r.kind].find((ch) => granted[ch]) ?? null) as ConsentChannel | null;
      const contact = r.contactId ? contactById.get(r.contactId) ?? null : null;
      const at = new Date(r.at);
      const reason = {
        BIRTHDAY_GREETING: contact ? `Birthday of ${contact.name} (${contact.relationship.toLowerCase()}) on ${isoDay(at)}` : `Birthday on ${isoDay(at)}`,
        THANK_YOU: `Purchase on ${isoDay(at)} not thanked yet`,
        RESOLVE_COMPLAINT: `Complaint open since ${isoDay(at)} (${Math.floor((now.getTime() - at.getTime()) / MS_PER_DAY)} days)`,
        SATISFACTION_SURVEY: `Service contact on ${isoDay(at)} without a survey since`,
        HOLIDAY_GREETING: `${r.subject} on ${isoDay(at)}`,
      }[r.kind as 'BIRTHDAY_GREETING' | 'THANK_YOU' | 'RESOLVE_COMPLAINT' | 'SATISFACTION_SURVEY' | 'HOLIDAY_GREETING'];
      return [
        Object.assign(new CareAgendaItem(), {
          kind: r.kind,
          customer,
          contact,
          dueAt: new Date(r.dueAt),
          reason,
          channel,
          subject: r.kind === 'BIRTHDAY_GREETING' ? null : r.subject,
        }),
      ];
    });
  }
}
