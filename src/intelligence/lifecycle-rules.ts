// Suggested lifecycle stage from Rapport's documented rules (no paper), using P(alive) from the BG/NBD model (Fader, Hardie & Lee 2005).

import { MS_PER_DAY } from './purchase-summary';
import type { RfmScore } from './rfm';

export type LifecycleStage = 'PROSPECT' | 'ONBOARDING' | 'GROWING' | 'LOYAL' | 'DECLINING' | 'CHURNED';

export const LIFECYCLE_THRESHOLDS = {
  /** P(alive) below this → CHURNED. */
  churnedBelowProbabilityAlive: 0.1,
  /** This many days or more without a purchase → CHURNED. */
  churnedAfterDays: 365,
  /** P(alive) below this → DECLINING. */
  decliningBelowProbabilityAlive: 0.5,
  /** Days since the last purchase above this multiple of the usual interval → DECLINING. */
  decliningIntervalMultiple: 3,
  /** A single purchase at most this many days ago → ONBOARDING. */
  onboardingDays: 90,
  /** Repeat occasions (x) at or above this, or an F score at or above loyalFrequencyScore, counts as high frequency. */
  loyalRepeatPurchases: 4,
  loyalFrequencyScore: 4,
  /** High frequency also needs P(alive) at or above this → LOYAL. */
  loyalMinProbabilityAlive: 0.7,
} as const;

export interface LifecycleInput {
  firstPurchaseAt: Date | null;
  lastPurchaseAt: Date | null;
  /** Repeat purchase occasions (x). */
  repeatPurchases: number;
  /** Usual days between purchases (tx / x in days); null with fewer than two purchases. */
  usualIntervalDays: number | null;
  /** From the BG/NBD model; null when there is no model. Rules on P(alive) are then skipped. */
  probabilityAlive: number | null;
  frequencyScore?: RfmScore | null;
  /** The stage on record, and since when, to recognise a win-back. */
  previousStage?: LifecycleStage | null;
  previousStageSince?: Date | null;
}

export interface LifecycleSuggestion {
  stage: LifecycleStage;
  /** Which rule fired, in words. */
  reason: string;
  /** A purchase after the customer was marked CHURNED. */
  isWinBack: boolean;
}

/**
 * Rules, first match wins:
 *  1. no purchase → PROSPECT
 *  2. previous stage CHURNED and a purchase since it was set → GROWING, isWinBack (a returning customer is buying
 *     again; they earn LOYAL through rule 6 on a later evaluation)
 *  3. P(alive) < 0.1, or ≥ 365 days without a purchase → CHURNED
 *  4. P(alive) < 0.5, or days since the last purchase > 3 × the usual interval → DECLINING
 *  5. one purchase only, at most 90 days ago → ONBOARDING
 *  6. high frequency (x ≥ 4 or F score ≥ 4) and P(alive) ≥ 0.7 → LOYAL
 *  7. repeat buying (x ≥ 1) → GROWING
 *  8. one purchase only, more than 90 days ago → DECLINING (the onboarding window closed without a second purchase;
 *     BG/NBD gives P(alive) = 1 to one-time buyers, so rule 4 never catches them)
 * Churn and decline come before onboarding and loyalty so that a good history does not hide a customer who has gone quiet.
 */
export function suggestLifecycleStage(input: LifecycleInput, now: Date): LifecycleSuggestion {
  const t = LIFECYCLE_THRESHOLDS;
  const result = (stage: LifecycleStage, reason: string, isWinBack = false): LifecycleSuggestion => ({ stage, reason, isWinBack });
  if (!input.firstPurchaseAt || !input.lastPurchaseAt) return result('PROSPECT', 'No purchase yet');

  if (
    input.previousStage === 'CHURNED' &&
    input.previousStageSince &&
    input.lastPurchaseAt.getTime() > input.previousStageSince.getTime()
  ) {
    return result('GROWING', 'Purchased again after being marked churned (win-back)', true);
  }

  const pAlive = input.probabilityAlive;
  const daysSinceLast = Math.floor((now.getTime() - input.lastPurchaseAt.getTime()) / MS_PER_DAY);
  const daysSinceFirst = Math.floor((now.getTime() - input.firstPurchaseAt.getTime()) / MS_PER_DAY);
  const percent = (p: number): string => `${Math.round(p * 100)}%`;

  if (pAlive !== null && pAlive < t.churnedBelowProbabilityAlive) {
    return result('CHURNED', `Probability still active is ${percent(pAlive)}, below ${percent(t.churnedBelowProbabilityAlive)}`);
  }
  if (daysSinceLast >= t.churnedAfterDays) {
    return result('CHURNED', `No purchase for ${daysSinceLast} days (${t.churnedAfterDays} or more)`);
  }
  if (pAlive !== null && pAlive < t.decliningBelowProbabilityAlive) {
    return result('DECLINING', `Probability still active is ${percent(pAlive)}, below ${percent(t.decliningBelowProbabilityAlive)}`);
  }
  const interval = input.usualIntervalDays;
  if (interval !== null && interval > 0 && daysSinceLast > t.decliningIntervalMultiple * interval) {
    return result(
      'DECLINING',
      `No purchase for ${daysSinceLast} days, more than ${t.decliningIntervalMultiple}× the usual ${Math.round(interval)}-day interval`,
    );
  }
  if (input.repeatPurchases === 0 && daysSinceFirst <= t.onboardingDays) {
    return result('ONBOARDING', `First purchase ${daysSinceFirst} days ago, no repeat yet`);
  }
  const highFrequency =
    input.repeatPurchases >= t.loyalRepeatPurchases || (input.frequencyScore ?? 0) >= t.loyalFrequencyScore;
  if (highFrequency && (pAlive === null || pAlive >= t.loyalMinProbabilityAlive)) {
    return result('LOYAL', `${input.repeatPurchases} repeat purchases and still active`);
  }
  if (input.repeatPurchases >= 1) return result('GROWING', `${input.repeatPurchases} repeat purchase${input.repeatPurchases === 1 ? '' : 's'}`);
  return result('DECLINING', `One purchase ${daysSinceFirst} days ago and no repeat within ${t.onboardingDays} days`);
}
