// One customer's scores from its purchase days: the code behind Customer.rfm/segment, valueTier, churnRisk and clv,
// and behind the `customers` filters and sorts on them, so that a list filters on exactly what the fields return.

import { divideToMinor, formatAmount, parseAmount, unitsOfFloat } from '../common/money';
import {
  CHURN_HORIZON_DAYS,
  churnProbability,
  customerLifetimeValue,
  DAYS_PER_UNIT,
  probabilityAlive,
  probabilityNoPurchase,
  rfmBreakpoints,
  scoreRfm,
  utcDay,
  TIME_UNITS,
  valueTier,
  type ChurnLevel,
  type PurchaseSummary,
  type RfmBreakpoints,
  type RfmInput,
  type RfmResult,
  type RfmSegment,
  type TimeUnit,
  type ValueTier,
} from '../intelligence';
import { CustomerModel, ValueBasis } from './model/customer-model-fit.entity';
import type { PurchaseDay } from './insight.loaders';
import { dayValue, exactTotal, modelValue, predictedClv, summarizeOccasions, TIER_CLV } from './occasions';

/** What Customer.clv uses without arguments (its argument defaults), and so what `predictedClv` filters and sorts on. */
export const DEFAULT_CLV = { ...TIER_CLV, basis: ValueBasis.MARGIN };

/** The purchase summary of one customer's days as of `at`, in the model's unit and on a value basis. */
export function summarizeDays(days: readonly PurchaseDay[], at: Date, unit: TimeUnit, basis: ValueBasis): PurchaseSummary | null {
  return summarizeOccasions(
    days.map((d) => ({ firstAt: new Date(d.firstAt), lastAt: new Date(d.lastAt), value: Number(dayValue(d, basis)) })),
    at,
    unit,
  );
}

/** RFM as of `at` against population breakpoints (null: none, the customer is scored against itself). */
export function rfmOf(days: readonly PurchaseDay[], at: Date, basis: ValueBasis, breakpoints: RfmBreakpoints | null, currency: string) {
  const monetary = exactTotal(days, basis);
  const input: RfmInput | null = days.length
    ? { recencyDays: utcDay(at) - days[days.length - 1].day, frequency: days.length, monetary: modelValue(Number(formatAmount(monetary)), currency) }
    : null;
  const scored: RfmResult = input ? scoreRfm(input, breakpoints ?? rfmBreakpoints([input])) : { r: null, f: null, m: null, segment: 'PROSPECT' };
  return { input, monetary, scored };
}

/**
 * Churn probability as of `at`: no purchase within `horizonDays` (null without a model or a purchase), with P(alive)
 * and the summary it came from.
 */
export function churnOf(days: readonly PurchaseDay[], at: Date, model: CustomerModel | null, horizonDays = CHURN_HORIZON_DAYS) {
  const unit = model?.timeUnit ?? TIME_UNITS.DAY;
  const summary = summarizeDays(days, at, unit, model?.basis ?? ValueBasis.MARGIN);
  const pAlive = model && summary ? model.purchaseModel.probabilityAlive(summary) : null;
  const pNone = model && summary ? model.purchaseModel.probabilityNoPurchase(horizonDays / DAYS_PER_UNIT[unit], summary) : null;
  return { summary, probabilityAlive: pAlive, ...churnProbability(pNone) };
}

export interface ClvOptions {
  basis: ValueBasis;
  horizonMonths: number;
  monthlyDiscountRate: number;
}

/** Historical value (exact) and the model's prediction as of `at`; predicted is rounded to the minor unit, null when unknown. */
export function clvOf(days: readonly PurchaseDay[], at: Date, model: CustomerModel | null, o: ClvOptions, currency: string) {
  const historical = exactTotal(days, o.basis);
  const summary = model ? summarizeDays(days, at, model.timeUnit, o.basis) : null;
  const gg = model && summary ? model.gammaGammaFor(o.basis) : null;
  const out = {
    historical,
    probabilityAlive: model && summary ? model.purchaseModel.probabilityAlive(summary) : null,
    predicted: null as bigint | null,
    expectedPurchases: null as number | null,
    expectedAverageOrderValue: null as number | null,
  };
  if (!model || !summary || !gg) return out;
  const clv = customerLifetimeValue(model.purchaseModel, gg, summary, { horizonMonths: o.horizonMonths, monthlyDiscountRate: o.monthlyDiscountRate });
  out.expectedPurchases = clv.expectedPurchases;
  out.predicted = clv.expectedAverageOrderValue >= 0 ? unitsOfFloat(clv.predicted, currency) : null;
  if (out.predicted !== null) out.expectedAverageOrderValue = clv.expectedAverageOrderValue;
  return out;
}

/** Realised value and predicted 12-month CLV (floats, model basis) as of `at`, and the value tier they give. */
export function valueTierOf(days: readonly PurchaseDay[], at: Date, model: CustomerModel | null, currency: string) {
  const basis = model?.basis ?? ValueBasis.MARGIN;
  const current = modelValue(Number(formatAmount(exactTotal(days, basis))), currency);
  const summary = model ? summarizeDays(days, at, model.timeUnit, basis) : null;
  const gg = model?.gammaGamma;
  const potential = model && summary && gg ? predictedClv(model.purchaseModel, gg, summary) : null;
  const medians = model?.valueTierMedians;
  const tier: ValueTier = medians ? valueTier({ currentValue: current, potentialValue: potential ?? 0 }, medians) : 'MONITOR';
  return { current, potential, tier };
}

/** What scoring needs besides the customer's own days: the instant, the active model and the RFM breakpoints. */
export interface ScoringBasis {
  at: Date;
  model: CustomerModel | null;
  breakpoints: RfmBreakpoints | null;
  currency: string;
  /** REFERRAL_VALUE_SHARE: the share of referred customers' value a referrer is credited with. */
  referralValueShare: number;
}

/**
 * The referral component of CLV (clv { referral }): `share` of what the referred customers brought (exact units on one
 * basis), rounded to the currency's minor unit. The seeds value a customer who brings others higher.
 */
export function referralValue(referredValue: bigint, share: number, currency: string): bigint {
  return divideToMinor(referredValue * BigInt(Math.round(share * 10_000)), 10_000n, currency);
}

/** The scores `customers` filters and sorts on, as the argument-free fields return them (one customer_scores row). */
export interface CustomerScores {
  /** Customer.rfm without asOf: the raw values and the quintile scores behind the segment. */
  recencyDays: number | null;
  occasions: number;
  /** Exact units (ten-thousandths) on the model's value basis. */
  monetary: bigint;
  /** Exact purchase totals (ten-thousandths), for reports that group by the scores. */
  revenue: bigint;
  margin: bigint;
  rScore: number | null;
  fScore: number | null;
  mScore: number | null;
  segment: RfmSegment;
  valueTier: ValueTier;
  churnProbability: number | null;
  churnLevel: ChurnLevel | null;
  /** Exact units (ten-thousandths), as Customer.clv.predicted. */
  predictedClv: bigint | null;
  /** Exact units, as Customer.clv.referral counts it for a caller who sees every referred customer. */
  referralValue: bigint;
  /** historical + predicted + referral (Customer.clv.total with default arguments); null when predicted is. */
  totalClv: bigint | null;
  /** The purchase summary a model fit reads (null without a purchase): first and last occasion, the first's values. */
  firstDay: number | null;
  lastDay: number | null;
  firstAt: Date | null;
  lastAt: Date | null;
  firstRevenue: bigint | null;
  firstMargin: bigint | null;
}

/** `referredMargin`: the exact margin (DEFAULT_CLV's basis) of every customer this one referred, to now. */
export function scoreCustomer(days: readonly PurchaseDay[], b: ScoringBasis, referredMargin = 0n): CustomerScores {
  const churn = churnOf(days, b.at, b.model);
  const rfm = rfmOf(days, b.at, b.model?.basis ?? ValueBasis.MARGIN, b.breakpoints, b.currency);
  const margin = exactTotal(days, ValueBasis.MARGIN);
  const predicted = clvOf(days, b.at, b.model, DEFAULT_CLV, b.currency).predicted;
  const referral = referralValue(referredMargin, b.referralValueShare, b.currency);
  return {
    recencyDays: rfm.input?.recencyDays ?? null,
    occasions: days.length,
    monetary: rfm.monetary,
    revenue: exactTotal(days, ValueBasis.REVENUE),
    margin,
    rScore: rfm.scored.r,
    fScore: rfm.scored.f,
    mScore: rfm.scored.m,
    segment: rfm.scored.segment,
    valueTier: valueTierOf(days, b.at, b.model, b.currency).tier,
    churnProbability: churn.probability,
    churnLevel: churn.level,
    predictedClv: predicted,
    referralValue: referral,
    totalClv: predicted === null ? null : margin + predicted + referral,
    // Days come in day order.
    firstDay: days[0]?.day ?? null,
    lastDay: days.at(-1)?.day ?? null,
    firstAt: days[0] ? new Date(days[0].firstAt) : null,
    lastAt: days.length ? new Date(days[days.length - 1].lastAt) : null,
    firstRevenue: days[0] ? parseAmount(days[0].revenue) : null,
    firstMargin: days[0] ? parseAmount(days[0].margin) : null,
  };
}
