import { divideToMinor, parseAmount } from '../../common/money';
import { moneyOfFloat, moneyOfUnits } from '../../common/money.types';
import { RFM_SEGMENTS, VALUE_TIER_KINDS, rfmBreakpoints, scoreRfm, type RfmSegment, type ValueTier } from '../../intelligence';
import { SegmentSummary, SegmentSummaryRow, ValueMatrix, ValueMatrixCell } from '../analytics.types';
import { ValueBasis } from '../model/customer-model-fit.entity';
import { rfmInputFromRow } from '../occasions';
import { DEFAULT_CLV } from '../customer-scores';
import { AnalystReports } from './book';
import { predictedClvs } from './value';

/** The customer base by RFM segment, and by segment × value tier. */
export class SegmentReports extends AnalystReports {
  /**
   * Now: one GROUP BY over the stored scores (the segments the fields return, the worker's exact totals and predicted
   * CLVs). At an earlier asOf: segments recomputed from the purchases up to then.
   */
  async segmentSummary(asOfArg?: Date | null): Promise<SegmentSummary> {
    this.scope.guard();
    if (asOfArg == null) return this.storedSegmentSummary();
    const at = this.insight.asOf(asOfArg);
    const currency = this.insight.currency;
    const model = await this.insight.model();
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const [population, [{ n }], book] = await Promise.all([
      this.insight.populationRfm(at),
      this.deps.db.query(`SELECT count(*)::int AS n FROM customers c WHERE c.deleted_at IS NULL AND ${this.scope.inBook('c')}`) as Promise<Array<{ n: number }>>,
      this.scope.book(),
    ]);
    // One pass over the population's occasions, shared by the rows, and only when averageClv is selected.
    let clvs: Promise<Map<string, number> | null> | undefined;
    // On the margin basis, as Customer.clv without arguments and the stored predictions the summary without asOf averages.
    const predictions = () => (clvs ??= predictedClvs(this.deps, this.scope, model, at, DEFAULT_CLV.basis));
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
           ${this.scope.scoresInBook()}
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
    this.scope.guard();
    const currency = this.insight.currency;
    // Customers not scored yet (created a moment ago) have the scores of a customer without a purchase, PROSPECT in
    // MONITOR, until the worker reaches them.
    const rows: Array<{ segment: RfmSegment; valueTier: ValueTier; customers: number; revenue: string; margin: string; clvSum: string | null; clvCount: number }> =
      await this.deps.db.query(
        `SELECT s.segment, s.value_tier AS "valueTier", count(*)::int AS customers, coalesce(sum(s.revenue), 0)::text AS revenue,
                coalesce(sum(s.margin), 0)::text AS margin, sum(s.predicted_clv)::text AS "clvSum", count(s.predicted_clv)::int AS "clvCount"
           ${this.scope.scoresInBook()}
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
}
