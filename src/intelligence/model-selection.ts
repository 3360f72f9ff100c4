// Choosing a customer-base model by its holdout error: fit each candidate on the purchases up to a calibration end,
// predict the purchases of the period after it, and compare with what happened (Fader, Hardie & Lee 2005, §4 and
// fig. 4, judge BG/NBD this way against CDNOW's 39-week holdout). The criterion is the mean absolute error per
// customer: it counts every customer's miss, where the total error lets over- and under-predictions cancel.

import { rocAuc } from './back-test';
import { CUSTOMER_BASE_MODELS, fitCustomerBaseModel, type CustomerBaseModelKind, type FittedCustomerBaseModel } from './customer-base-models';
import type { FrequencyRecency } from './purchase-summary';

/** A customer of the calibration period: (x, tx, T) at its end, and the purchases the holdout saw. */
export interface HoldoutCustomer extends FrequencyRecency {
  /** Purchases (occasions) in the holdout period. */
  actual: number;
}

/** Predicted against actual purchases for customers with the same number of repeat purchases in the calibration. */
export interface RepeatPurchaseBucket {
  /** 0…6, or '7+'. */
  repeatPurchases: string;
  customers: number;
  predictedMean: number;
  actualMean: number;
  /** (predicted − actual) / actual in %; null when the bucket bought nothing in the holdout. */
  errorPercent: number | null;
}

/** One candidate as judged on the holdout; the figures are null when its fit failed (`problem` says why). */
export interface CandidateJudgement {
  model: CustomerBaseModelKind;
  converged: boolean;
  logLikelihood: number | null;
  predictedPurchases: number | null;
  errorPercent: number | null;
  meanAbsoluteError: number | null;
  /** AUC of P(no purchase in the holdout) against who bought nothing; null when everyone (or no one) bought. */
  churnAuc: number | null;
  /** True for the one candidate with the lowest mean absolute error. */
  lowestError: boolean;
  byRepeatPurchases: RepeatPurchaseBucket[];
  problem: string | null;
  /** The calibration fit and its per-customer predictions (in the customers' order), when it could be judged. */
  fitted: { model: FittedCustomerBaseModel; predicted: number[]; risk: number[] } | null;
}

const BUCKETS = ['0', '1', '2', '3', '4', '5', '6', '7+'];

/** (predicted − actual) / actual in %, null when nothing happened to compare with. */
export function percentError(predicted: number, actual: number): number | null {
  return actual > 0 ? (100 * (predicted - actual)) / actual : null;
}

/**
 * Each model in `models` fitted on the calibration summaries and judged on a holdout of length `t` (in the summaries'
 * time unit): total and per-bucket error, mean absolute error per customer, churn AUC. A model whose fit fails on
 * this data is reported with its reason; the one with the lowest mean absolute error is marked `lowestError`.
 */
export function judgeCustomerBaseModels(
  customers: readonly HoldoutCustomer[],
  t: number,
  models: readonly CustomerBaseModelKind[] = Object.values(CUSTOMER_BASE_MODELS),
): CandidateJudgement[] {
  const summaries = customers.map((c) => ({ x: c.x, tx: c.tx, T: c.T }));
  const churned = customers.map((c) => c.actual === 0);
  const actualPurchases = customers.reduce((n, c) => n + c.actual, 0);
  const judged = models.map((kind): CandidateJudgement => {
    const failed = (problem: string, converged = false): CandidateJudgement => ({
      model: kind, converged, logLikelihood: null, predictedPurchases: null, errorPercent: null, meanAbsoluteError: null, churnAuc: null, lowestError: false, byRepeatPurchases: [], problem, fitted: null,
    });
    let model: FittedCustomerBaseModel;
    try {
      model = fitCustomerBaseModel(kind, summaries);
    } catch (e) {
      if (e instanceof RangeError) return failed(e.message);
      throw e;
    }
    const params = Object.values(model.params);
    if (!params.every((v) => Number.isFinite(v) && v > 0)) return failed('The estimate ran off to a boundary on this data.', model.converged);
    const predicted = summaries.map((c) => model.expectedPurchases(t, c));
    const risk = summaries.map((c) => model.probabilityNoPurchase(t, c));
    if (![model.logLikelihood, ...predicted, ...risk].every(Number.isFinite)) return failed('The estimate did not give finite predictions on this data.', model.converged);
    const buckets = new Map<string, { customers: number; predicted: number; actual: number }>();
    let total = 0;
    let absolute = 0;
    customers.forEach((c, i) => {
      total += predicted[i];
      absolute += Math.abs(predicted[i] - c.actual);
      const label = c.x >= 7 ? '7+' : String(c.x);
      const b = buckets.get(label) ?? { customers: 0, predicted: 0, actual: 0 };
      b.customers++;
      b.predicted += predicted[i];
      b.actual += c.actual;
      buckets.set(label, b);
    });
    return {
      model: kind,
      converged: model.converged,
      logLikelihood: model.logLikelihood,
      predictedPurchases: total,
      errorPercent: percentError(total, actualPurchases),
      meanAbsoluteError: absolute / customers.length,
      churnAuc: rocAuc(risk, churned),
      lowestError: false,
      byRepeatPurchases: BUCKETS.filter((label) => buckets.has(label)).map((label) => {
        const b = buckets.get(label)!;
        return { repeatPurchases: label, customers: b.customers, predictedMean: b.predicted / b.customers, actualMean: b.actual / b.customers, errorPercent: percentError(b.predicted, b.actual) };
      }),
      problem: null,
      fitted: { model, predicted, risk },
    };
  });
  const best = judged.reduce<CandidateJudgement | null>((a, c) => (c.meanAbsoluteError !== null && (a === null || c.meanAbsoluteError < a.meanAbsoluteError!) ? c : a), null);
  if (best) best.lowestError = true;
  return judged;
}
