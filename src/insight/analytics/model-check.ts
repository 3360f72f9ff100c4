import { badInput, UserErrorCode } from '../../common/errors';
import { divideToMinor, formatAmount, unitsOfFloat } from '../../common/money';
import { moneyOfFloat, moneyOfUnits } from '../../common/money.types';
import {
  brierScore,
  calibrationBins,
  conditionalExpectedAverageValue,
  fitGammaGamma,
  CUSTOMER_BASE_MODELS,
  judgeCustomerBaseModels,
  type CandidateJudgement,
  DAYS_PER_UNIT,
  RFM_SEGMENTS,
  rfmBreakpoints,
  rocAuc,
  scoreRfm,
  utcDay,
  type PurchaseSummary,
  type RfmInput,
  type RfmSegment,
  type TimeUnit,
} from '../../intelligence';
import { ChurnBackTest, ModelCandidate, ModelDiagnostics, SpendBackTest } from '../analytics.types';
import { streamPopulationDays } from '../insight.loaders';
import { summarizeOccasions } from '../occasions';
import { AnalystReports } from './book';

/** The customer-base models checked against a holdout period (modelDiagnostics); the report's own figures are BG/NBD's. */
export class ModelCheckReport extends AnalystReports {
  async modelDiagnostics(calibrationEnd: Date, holdoutEndArg: Date, unit: TimeUnit): Promise<ModelDiagnostics> {
    this.scope.guard();
    const holdoutEnd = this.insight.asOf(holdoutEndArg, 'holdoutEnd');
    if (!(utcDay(calibrationEnd) < utcDay(holdoutEnd))) {
      throw badInput('`holdoutEnd` must be at least one day after `calibrationEnd`.', { field: 'holdoutEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const calibration: CalibrationCustomer[] = [];
    const calibrationDay = utcDay(calibrationEnd);
    const currency = this.insight.currency;
    const book = await this.scope.book();
    await this.deps.db.transaction('REPEATABLE READ', (m) =>
      streamPopulationDays(m, holdoutEnd, (customerId, days) => {
        if (book && !book.has(customerId)) return;
        const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), calibrationEnd, unit);
        if (!s) return;
        const before = days.filter((d) => d.day <= calibrationDay);
        const after = days.filter((d) => d.day > calibrationDay);
        calibration.push({
          s,
          actual: after.length,
          // As Customer.rfm scores on the margin basis: recency in days, purchase days, margin in major units.
          rfm: { recencyDays: calibrationDay - before[before.length - 1].day, frequency: before.length, monetary: before.reduce((sum, d) => sum + Number(d.margin), 0) },
          holdoutRevenue: after.reduce((sum, d) => sum + (unitsOfFloat(d.revenue, currency) ?? 0n), 0n),
          // Order values for Gamma-Gamma: revenue per purchase day, the first day left out as the model asks.
          revenueSummary: summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.revenue })), calibrationEnd, unit)!,
        });
      }),
    );
    if (calibration.length === 0) {
      throw badInput('No customer has a purchase by `calibrationEnd`: there is nothing to fit.', { field: 'calibrationEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const t = (utcDay(holdoutEnd) - calibrationDay) / DAYS_PER_UNIT[unit];
    const candidates = judgeCandidates(calibration, t);
    // The report's own figures are BG/NBD's, the model the fields use.
    const bgnbd = candidates.find((c) => c.model === CUSTOMER_BASE_MODELS.BG_NBD)!;
    // As fitAndStore refuses it: an estimate that ran off to a boundary would answer NaN predictions (an INTERNAL error).
    if (!bgnbd.fitted) {
      throw badInput(`The BG/NBD estimate on the ${calibration.length} customers before \`calibrationEnd\` did not converge to finite parameters; choose a later calibrationEnd.`, {
        field: 'calibrationEnd',
        reason: UserErrorCode.INVALID,
      });
    }
    const { model, predicted, risk } = bgnbd.fitted;
    return Object.assign(new ModelDiagnostics(), {
      calibrationEnd,
      holdoutEnd,
      timeUnit: unit,
      customers: calibration.length,
      r: model.params.r,
      alpha: model.params.alpha,
      a: model.params.a,
      b: model.params.b,
      predictedPurchases: bgnbd.predictedPurchases,
      actualPurchases: calibration.reduce((n, c) => n + c.actual, 0),
      meanAbsoluteError: bgnbd.meanAbsoluteError,
      errorPercent: bgnbd.errorPercent,
      byRepeatPurchases: bgnbd.byRepeatPurchases,
      candidates,
      churn: this.churnBackTest(calibration, risk, predicted, utcDay(holdoutEnd) - calibrationDay),
      spend: this.spendBackTest(calibration, predicted),
    });
  }

  /** Gamma-Gamma on calibration order values against holdout order values, and holdout revenue predicted against actual. */
  private spendBackTest(calibration: readonly CalibrationCustomer[], expectedPurchases: readonly number[]): SpendBackTest | null {
    const currency = this.insight.currency;
    const repeat = calibration.filter((c) => c.revenueSummary.x > 0 && c.revenueSummary.monetaryValue > 0);
    if (repeat.length < 2) return null;
    let gg;
    try {
      gg = fitGammaGamma(repeat.map((c) => ({ x: c.revenueSummary.x, monetaryValue: c.revenueSummary.monetaryValue })));
    } catch (e) {
      if (e instanceof RangeError) return null;
      throw e;
    }
    if (![gg.p, gg.q, gg.gamma].every((v) => Number.isFinite(v) && v > 0) || !(gg.q > 1)) return null;
    const expectedValue = (c: CalibrationCustomer) => conditionalExpectedAverageValue(gg, c.revenueSummary.x, c.revenueSummary.monetaryValue);
    const compared = repeat.filter((c) => c.actual > 0).map((c) => ({ predicted: expectedValue(c), actual: Number(formatAmount(c.holdoutRevenue)) / c.actual }));
    const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const predictedMean = mean(compared.map((c) => c.predicted));
    const actualMean = mean(compared.map((c) => c.actual));
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const c of compared) {
      sxy += (c.predicted - predictedMean) * (c.actual - actualMean);
      sxx += (c.predicted - predictedMean) ** 2;
      syy += (c.actual - actualMean) ** 2;
    }
    const predictedRevenue = calibration.reduce((sum, c, i) => sum + expectedPurchases[i] * expectedValue(c), 0);
    const actualRevenue = calibration.reduce((sum, c) => sum + c.holdoutRevenue, 0n);
    return Object.assign(new SpendBackTest(), {
      p: gg.p,
      q: gg.q,
      gamma: gg.gamma,
      customers: compared.length,
      meanPredictedOrderValue: moneyOfFloat(predictedMean, currency),
      meanActualOrderValue: moneyOfFloat(actualMean, currency),
      correlation: compared.length >= 2 && sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : null,
      predictedRevenue: moneyOfFloat(predictedRevenue, currency),
      actualRevenue: moneyOfUnits(actualRevenue, currency),
    });
  }

  /** Churn as P(no purchase in the holdout) from the calibration fit, judged on who bought nothing (issue: churn that ranks right). */
  private churnBackTest(calibration: readonly CalibrationCustomer[], risk: readonly number[], predicted: readonly number[], horizonDays: number): ChurnBackTest {
    const currency = this.insight.currency;
    const churned = calibration.map((c) => c.actual === 0);
    const breakpoints = rfmBreakpoints(calibration.map((c) => c.rfm));
    const segments = new Map<RfmSegment, { customers: number; buyers: number; revenue: bigint; expectedBuyers: number; purchases: number; expectedPurchases: number }>();
    calibration.forEach((c, i) => {
      const segment = scoreRfm(c.rfm, breakpoints).segment;
      const row = segments.get(segment) ?? { customers: 0, buyers: 0, revenue: 0n, expectedBuyers: 0, purchases: 0, expectedPurchases: 0 };
      row.customers++;
      row.expectedBuyers += 1 - risk[i];
      row.purchases += c.actual;
      row.expectedPurchases += predicted[i];
      if (!churned[i]) row.buyers++;
      row.revenue += c.holdoutRevenue;
      segments.set(segment, row);
    });
    return Object.assign(new ChurnBackTest(), {
      horizonDays,
      churnAuc: rocAuc(risk, churned),
      recencyAuc: rocAuc(calibration.map((c) => c.rfm.recencyDays), churned),
      brierScore: brierScore(risk, churned),
      predictedChurnRate: risk.reduce((a, b) => a + b, 0) / risk.length,
      observedChurnRate: churned.filter(Boolean).length / churned.length,
      calibration: calibrationBins(risk, churned).map((b) => ({ lower: b.lower, upper: b.upper, customers: b.count, meanPredicted: b.meanPredicted, observedRate: b.observedRate })),
      // In the vocabulary's order, segments with nobody left out.
      bySegment: Object.values(RFM_SEGMENTS)
        .filter((segment) => segments.has(segment))
        .map((segment) => {
          const row = segments.get(segment)!;
          return {
            segment,
            customers: row.customers,
            buyRate: row.buyers / row.customers,
            predictedBuyRate: row.expectedBuyers / row.customers,
            purchasesPerCustomer: row.purchases / row.customers,
            predictedPurchasesPerCustomer: row.expectedPurchases / row.customers,
            revenue: moneyOfUnits(row.revenue, currency),
            revenuePerCustomer: moneyOfUnits(divideToMinor(row.revenue, BigInt(row.customers), currency), currency),
          };
        }),
    });
  }
}

/** A customer of the calibration period with what the holdout showed. */
interface CalibrationCustomer {
  /** Purchase summary at calibrationEnd on the margin basis (what the BG/NBD fit reads). */
  s: PurchaseSummary;
  /** The same on revenue: order values for Gamma-Gamma. */
  revenueSummary: PurchaseSummary;
  /** Purchase days in the holdout. */
  actual: number;
  rfm: RfmInput;
  holdoutRevenue: bigint;
}

/** The candidates as the report shows them, each with its calibration fit for the report's own figures. */
function judgeCandidates(calibration: readonly CalibrationCustomer[], t: number): Array<ModelCandidate & CandidateJudgement> {
  return judgeCustomerBaseModels(calibration.map((c) => ({ x: c.s.x, tx: c.s.tx, T: c.s.T, actual: c.actual })), t).map((j) => Object.assign(new ModelCandidate(), j));
}
