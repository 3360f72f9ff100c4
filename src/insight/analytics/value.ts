import { badInput, UserErrorCode } from '../../common/errors';
import { currencyExponent, formatAmount, parseAmount, unitsOfFloat } from '../../common/money';
import { moneyOfFloat, moneyOfUnits } from '../../common/money.types';
import type { ServiceDeps } from '../../core/request-scope';
import { ClvBucket, ClvDistribution, RevenueConcentration } from '../analytics.types';
import { DEFAULT_CLV } from '../customer-scores';
import { CustomerModel, ValueBasis } from '../model/customer-model-fit.entity';
import { loadPopulation } from '../model/model-fitting';
import { predictedClv } from '../occasions';
import { AnalystReports, type BookScope } from './book';

const TOP_PERCENTS = [1, 5, 10, 20, 50];
const MAX_CLV_BUCKETS = 50;

/**
 * Each buyer's predicted 12-month CLV as of `at` (TIER_CLV, on `basis`), from the population's purchase summaries
 * (the stored ones when `at` is now); a buyer without a prediction (no Gamma-Gamma mean) is left out. Null without a model or a
 * Gamma-Gamma fit for the basis.
 */
export async function predictedClvs(deps: ServiceDeps, scope: BookScope, model: CustomerModel | null, at: Date, basis: ValueBasis, asOfNow = false): Promise<Map<string, number> | null> {
  const gg = model?.gammaGammaFor(basis);
  if (!model || !gg) return null;
  const key = basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
  const out = new Map<string, number>();
  const book = await scope.book();
  for (const m of await loadPopulation(deps.db, at, model.timeUnit, asOfNow)) {
    if (book && !book.has(m.customerId)) continue;
    const clv = predictedClv(model.purchaseModel, gg, { ...m.summary, monetaryValue: m[key].mx, totalValue: m[key].total });
    if (clv !== null) out.set(m.customerId, clv);
  }
  return out;
}

/** How value is spread over buyers: realised (concentration) and predicted (the CLV histogram). */
export class ValueReports extends AnalystReports {
  /**
   * One statement over the stored scores: the buyers (a purchase, customer not deleted, as populationRfm counts them)
   * ranked by their exact total on the basis; the top groups' sums and the Gini's numerator are exact numeric sums.
   */
  async revenueConcentration(basis: ValueBasis): Promise<RevenueConcentration> {
    this.scope.guard();
    const value = basis === ValueBasis.MARGIN ? 's.margin' : 's.revenue';
    // The top p% are the first ⌈n·p/100⌉ (at least 1) by value: (n·p + 99) / 100 in integers. Ties do not change a
    // top group's sum. The Gini over ascending ranks i = n + 1 − rk is Σ (2i − n − 1)·x_i / (n Σx), and
    // 2i − n − 1 = n + 1 − 2·rk.
    const [row]: Array<{ n: number; total: string; weighted: string; tops: string[] }> = await this.deps.db.query(
      `WITH ranked AS (
         SELECT ${value} AS v, row_number() OVER (ORDER BY ${value} DESC) AS rk, count(*) OVER () AS n
           ${this.scope.scoresInBook()} AND s.occasions > 0)
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

  /**
   * On the basis the scores store (DEFAULT_CLV's, what Customer.clv predicts without arguments): two statements over
   * customer_scores, the extent of the stored predictions, then the buckets counted with the bounds computed here.
   * On the other basis: every buyer predicted on demand, from one pass over the population's occasions.
   */
  async clvDistribution(buckets: number, basis: ValueBasis): Promise<ClvDistribution> {
    this.scope.guard();
    if (!Number.isInteger(buckets) || buckets < 1 || buckets > MAX_CLV_BUCKETS) {
      throw badInput(`\`buckets\` must be from 1 to ${MAX_CLV_BUCKETS}.`, { field: 'buckets', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const model = await this.insight.model();
    if (model?.gammaGammaFor(basis) && basis === DEFAULT_CLV.basis) return this.storedClvDistribution(buckets, basis);
    const currency = this.insight.currency;
    const clvs = await predictedClvs(this.deps, this.scope, model, this.insight.now, basis, true);
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
    const scope = `${this.scope.scoresInBook()} AND s.occasions > 0 AND s.predicted_clv IS NOT NULL`;
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
}
