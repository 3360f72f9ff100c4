import { badInput, UserErrorCode } from '../../common/errors';
import { DAYS_PER_UNIT, expectedPurchases, fitBgnbd, utcDay, type PurchaseSummary, type TimeUnit } from '../../intelligence';
import { ModelDiagnostics } from '../analytics.types';
import { streamPopulationDays } from '../insight.loaders';
import { summarizeOccasions } from '../occasions';
import { AnalystReports } from './book';

/** BG/NBD checked against a holdout period (modelDiagnostics). */
export class ModelCheckReport extends AnalystReports {
  async modelDiagnostics(calibrationEnd: Date, holdoutEndArg: Date, unit: TimeUnit): Promise<ModelDiagnostics> {
    this.scope.guard();
    const holdoutEnd = this.insight.asOf(holdoutEndArg, 'holdoutEnd');
    if (!(utcDay(calibrationEnd) < utcDay(holdoutEnd))) {
      throw badInput('`holdoutEnd` must be at least one day after `calibrationEnd`.', { field: 'holdoutEnd', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const calibration: Array<{ s: PurchaseSummary; actual: number }> = [];
    const calibrationDay = utcDay(calibrationEnd);
    const book = await this.scope.book();
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
}
