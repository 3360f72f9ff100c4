// Churn risk = P(no purchase within a horizon | x, tx, T) from the BG/NBD model (Fader, Hardie & Lee 2005, eq. 6 as a
// likelihood ratio; see probabilityNoPurchase), with Rapport's plain-language risk drivers.

import { MS_PER_DAY } from './purchase-summary';

/** Churn probability bands; the GraphQL enum `ChurnLevel` is registered from this object. */
export const CHURN_LEVELS = {
  LOW: 'LOW',
  MEDIUM: 'MEDIUM',
  HIGH: 'HIGH',
} as const;
export type ChurnLevel = (typeof CHURN_LEVELS)[keyof typeof CHURN_LEVELS];

/**
 * The default horizon of churn risk: "will this customer buy again within a year?". A year spans the seasons, matches
 * the 12-month CLV, and most retail customers who buy at all buy once a year or more.
 */
export const CHURN_HORIZON_DAYS = 365;

/**
 * Probabilities from CHURN_MEDIUM_AT up are MEDIUM ("more likely than not to buy nothing in the horizon"), from
 * CHURN_HIGH_AT up HIGH (four chances in five).
 */
export const CHURN_MEDIUM_AT = 0.5;
export const CHURN_HIGH_AT = 0.8;

/** Reasons behind a churn risk; the GraphQL enum `ChurnDriverCode` is registered from this object. */
export const CHURN_DRIVER_CODES = {
  OVERDUE_PURCHASE: 'OVERDUE_PURCHASE',
  OPEN_COMPLAINTS: 'OPEN_COMPLAINTS',
  FALLING_SATISFACTION: 'FALLING_SATISFACTION',
  NO_RECENT_TOUCHPOINT: 'NO_RECENT_TOUCHPOINT',
  ONE_PURCHASE_ONLY: 'ONE_PURCHASE_ONLY',
} as const;
export type ChurnDriverCode = (typeof CHURN_DRIVER_CODES)[keyof typeof CHURN_DRIVER_CODES];

export interface ChurnDriver {
  code: ChurnDriverCode;
  message: string;
  /** Rough importance in [0, 1], for ordering only. */
  weight: number;
}

export interface SatisfactionScore {
  at: Date;
  /** On the caller's scale (say CSAT 1–5); only comparisons and ratios are used. */
  score: number;
}

export interface ChurnInput {
  /** P(no purchase within the horizon) from the model; null when there is no model or no purchase. */
  probabilityNoPurchase: number | null;
  lastPurchaseAt: Date | null;
  /** Days with a purchase so far (0 without any). */
  purchaseOccasions: number;
  /** The customer's usual days between purchases (tx / x in days); null with fewer than two purchases. */
  usualIntervalDays: number | null;
  openComplaints: number;
  satisfaction: readonly SatisfactionScore[];
  lastTouchpointAt: Date | null;
}

export interface ChurnOptions {
  /** Days since the last purchase must exceed this multiple of the usual interval to be a driver. Default 2. */
  overdueRatio?: number;
  /** No touchpoint for at least this many days is a driver. Default 90. */
  noTouchpointDays?: number;
  /** Scores within this many days of now are "recent"; the rest are "earlier". Default 90. */
  recentSatisfactionDays?: number;
  /** Recent average must be below the earlier one by at least this fraction of it. Default 0.1 (10%). */
  satisfactionDrop?: number;
}

export interface ChurnRisk {
  /** P(no purchase within the horizon); null when unknown. */
  probability: number | null;
  level: ChurnLevel | null;
  /** Reasons, most important first. */
  drivers: ChurnDriver[];
}

export const CHURN_DEFAULTS: Readonly<Required<ChurnOptions>> = {
  overdueRatio: 2,
  noTouchpointDays: 90,
  recentSatisfactionDays: 90,
  satisfactionDrop: 0.1,
};

export function churnLevel(probability: number): ChurnLevel {
  if (probability >= CHURN_HIGH_AT) return 'HIGH';
  if (probability >= CHURN_MEDIUM_AT) return 'MEDIUM';
  return 'LOW';
}

/** Churn probability (no purchase within the horizon) and its level; both null when unknown. */
export function churnProbability(probability: number | null): { probability: number | null; level: ChurnLevel | null } {
  return { probability, level: probability === null ? null : churnLevel(probability) };
}

const daysBetween = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / MS_PER_DAY;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
const oneDecimal = (v: number): string => (Math.round(v * 10) / 10).toFixed(1);

export function churnRisk(input: ChurnInput, now: Date, options: ChurnOptions = {}): ChurnRisk {
  const o = { ...CHURN_DEFAULTS, ...options };
  const { probability, level } = churnProbability(input.probabilityNoPurchase);
  const drivers: ChurnDriver[] = [];

  // The model cannot see a one-time buyer drop out (BG/NBD only lets customers leave after a purchase), yet most never
  // return: say so in words, weighted by how long ago that one purchase was.
  if (input.purchaseOccasions === 1 && input.lastPurchaseAt) {
    const days = Math.floor(daysBetween(input.lastPurchaseAt, now));
    drivers.push({
      code: 'ONE_PURCHASE_ONLY',
      message: `One purchase, ${plural(days, 'day')} ago, and none since; customers who bought once rarely return`,
      weight: Math.min(1, 0.3 + days / 365),
    });
  }

  if (input.lastPurchaseAt && input.usualIntervalDays !== null && input.usualIntervalDays > 0) {
    const days = Math.floor(daysBetween(input.lastPurchaseAt, now));
    const ratio = days / input.usualIntervalDays;
    if (ratio > o.overdueRatio) {
      drivers.push({
        code: 'OVERDUE_PURCHASE',
        message: `No purchase for ${days} days, ${oneDecimal(ratio)}× the usual ${Math.round(input.usualIntervalDays)}-day interval`,
        weight: Math.min(1, ratio / 5),
      });
    }
  }

  if (input.openComplaints > 0) {
    drivers.push({
      code: 'OPEN_COMPLAINTS',
      message: `${plural(input.openComplaints, 'open complaint')}`,
      weight: Math.min(1, 0.6 + 0.2 * (input.openComplaints - 1)),
    });
  }

  const recentFrom = now.getTime() - o.recentSatisfactionDays * MS_PER_DAY;
  const scores = input.satisfaction.filter((s) => s.at.getTime() <= now.getTime());
  const recent = scores.filter((s) => s.at.getTime() >= recentFrom);
  const earlier = scores.filter((s) => s.at.getTime() < recentFrom);
  if (recent.length > 0 && earlier.length > 0) {
    const mean = (list: readonly SatisfactionScore[]): number => list.reduce((s, v) => s + v.score, 0) / list.length;
    const before = mean(earlier);
    const after = mean(recent);
    const drop = before > 0 ? (before - after) / before : 0;
    if (drop >= o.satisfactionDrop) {
      drivers.push({
        code: 'FALLING_SATISFACTION',
        message: `Satisfaction fell to ${oneDecimal(after)} in the last ${o.recentSatisfactionDays} days, from ${oneDecimal(before)} before`,
        weight: Math.min(1, 2 * drop),
      });
    }
  }

  if (!input.lastTouchpointAt) {
    drivers.push({ code: 'NO_RECENT_TOUCHPOINT', message: 'No touchpoint on record', weight: 0.3 });
  } else {
    const days = Math.floor(daysBetween(input.lastTouchpointAt, now));
    if (days >= o.noTouchpointDays) {
      drivers.push({ code: 'NO_RECENT_TOUCHPOINT', message: `No touchpoint for ${days} days`, weight: 0.3 });
    }
  }

  drivers.sort((a, b) => b.weight - a.weight);
  return { probability, level, drivers };
}
