// Purchase occasions (UTC days) as the models see them: summaries, RFM inputs and predicted value, shared by the
// per-customer fields, the fits and the analyst queries so that all of them agree.

import { currencyExponent, parseAmount } from '../common/money';
import {
  customerLifetimeValue,
  DAYS_PER_UNIT,
  rfmBreakpoints,
  summarizePurchases,
  utcDay,
  type PurchaseForecaster,
  type GammaGammaParams,
  type PurchaseSummary,
  type RfmBreakpoints,
  type RfmInput,
  type TimeUnit,
} from '../intelligence';
import { ValueBasis } from './model/customer-model-fit.entity';
import type { PopulationRfmRow, PurchaseDay } from './insight.loaders';

/** Value tiers use the CLV of the next 12 months at 1% a month, as lifetimes' defaults. */
export const TIER_CLV = { horizonMonths: 12, monthlyDiscountRate: 0.01 };

/** An occasion as the summaries need it: its orders' first and last instants and its value (float, model input). */
export interface Occasion {
  firstAt: Date;
  lastAt: Date;
  value: number;
}

/**
 * purchase-summary's summarizePurchases over occasions (one per UTC day), with lastPurchaseAt set to the last
 * order's instant: the module records the instant of the purchase it was given, which is the day's first order.
 */
export function summarizeOccasions(occasions: readonly Occasion[], asOf: Date, unit: TimeUnit): PurchaseSummary | null {
  const summary = summarizePurchases(
    occasions.map((o) => ({ at: o.firstAt, value: o.value })),
    asOf,
    unit,
  );
  if (!summary) return null;
  let last = summary.lastPurchaseAt;
  for (const o of occasions) if (o.lastAt.getTime() <= asOf.getTime() && o.lastAt.getTime() > last.getTime()) last = o.lastAt;
  return { ...summary, lastPurchaseAt: last };
}

export const dayValue = (d: PurchaseDay, basis: ValueBasis): string => (basis === ValueBasis.MARGIN ? d.margin : d.revenue);

/** Model input from exact sums: the nearest float, rounded to the minor unit so that SQL and JS sums agree. */
export function modelValue(value: number, currency: string): number {
  const f = 10 ** currencyExponent(currency);
  return Math.round(value * f) / f;
}

/** Exact total of the days' values (ten-thousandths). */
export const exactTotal = (days: readonly PurchaseDay[], basis: ValueBasis): bigint => days.reduce((s, d) => s + parseAmount(dayValue(d, basis)), 0n);

/** RFM input of a summarised buyer (at fit time); equal to rfmInputFromRow for the same purchases. */
export function rfmInputFromSummary(s: PurchaseSummary, currency: string): RfmInput {
  return {
    recencyDays: Math.round((s.T - s.tx) * DAYS_PER_UNIT[s.unit]),
    frequency: s.occasions,
    monetary: modelValue(s.totalValue, currency),
  };
}

/** RFM input of one buyer from the population aggregate; equal to what Customer.rfm computes for them. */
export function rfmInputFromRow(row: PopulationRfmRow, at: Date, basis: ValueBasis, currency: string): RfmInput {
  return {
    recencyDays: utcDay(at) - row.lastDay,
    frequency: row.occasions,
    monetary: modelValue(Number(basis === ValueBasis.MARGIN ? row.margin : row.revenue), currency),
  };
}

/** RFM breakpoints of a population aggregate as of `at` on a value basis; null without buyers. */
export function populationRfmBreakpoints(rows: readonly PopulationRfmRow[], at: Date, basis: ValueBasis, currency: string): RfmBreakpoints | null {
  return rows.length ? rfmBreakpoints(rows.map((r) => rfmInputFromRow(r, at, basis, currency))) : null;
}

/** Discounted CLV over TIER_CLV, or null when the Gamma-Gamma mean does not exist for the customer. */
export function predictedClv(purchases: PurchaseForecaster, gg: GammaGammaParams, s: PurchaseSummary): number | null {
  const clv = customerLifetimeValue(purchases, gg, s, TIER_CLV);
  return Number.isFinite(clv.predicted) && clv.expectedAverageOrderValue >= 0 ? clv.predicted : null;
}
