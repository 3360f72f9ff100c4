// Customer value matrix: current (actual) value against potential value, after Peppers & Rogers, "Managing Customer Relationships" (2004), split at population medians.

/** The value tiers; the GraphQL enum `ValueTier` is registered from this object. */
export const VALUE_TIER_KINDS = {
  KEY: 'KEY',
  MAINTAIN: 'MAINTAIN',
  DEVELOP: 'DEVELOP',
  MONITOR: 'MONITOR',
} as const;
export type ValueTier = (typeof VALUE_TIER_KINDS)[keyof typeof VALUE_TIER_KINDS];

export interface ValueTierInput {
  /** Realised value to date, e.g. margin. */
  currentValue: number;
  /** Expected future value, e.g. predicted CLV. */
  potentialValue: number;
}

export interface ValueTierThresholds {
  currentValueMedian: number;
  potentialValueMedian: number;
}

export interface ValueTierInfo {
  tier: ValueTier;
  label: string;
  description: string;
  strategy: string;
}

/** Median: the middle value, or the mean of the two middle values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function valueTierThresholds(population: readonly ValueTierInput[]): ValueTierThresholds {
  return {
    currentValueMedian: median(population.map((c) => c.currentValue)),
    potentialValueMedian: median(population.map((c) => c.potentialValue)),
  };
}

/**
 * "High" means strictly above the median. With ≥, a population where most customers have zero value (median 0)
 * would call every zero-value customer high.
 */
export function valueTier(customer: ValueTierInput, thresholds: ValueTierThresholds): ValueTier {
  const highCurrent = customer.currentValue > thresholds.currentValueMedian;
  const highPotential = customer.potentialValue > thresholds.potentialValueMedian;
  if (highCurrent) return highPotential ? 'KEY' : 'MAINTAIN';
  return highPotential ? 'DEVELOP' : 'MONITOR';
}

export const VALUE_TIERS: Readonly<Record<ValueTier, ValueTierInfo>> = {
  KEY: {
    tier: 'KEY',
    label: 'Key',
    description: 'High value today and high expected future value.',
    strategy: 'Protect and grow: named account owner, priority service, personal contact, early access. Invest first here.',
  },
  MAINTAIN: {
    tier: 'MAINTAIN',
    label: 'Maintain',
    description: 'High value so far, but little expected from here on.',
    strategy: 'Keep them served efficiently and watch for churn signals; a retention offer only if the relationship can be revived. Once-frequent buyers gone silent (segment CANT_LOSE or AT_RISK) are the exception: win them back personally, as their segment asks.',
  },
  DEVELOP: {
    tier: 'DEVELOP',
    label: 'Develop',
    description: 'Low value so far, high expected future value.',
    strategy: 'Grow share of wallet: cross-sell, up-sell, onboarding to more of the range, loyalty programme.',
  },
  MONITOR: {
    tier: 'MONITOR',
    label: 'Monitor',
    description: 'Low value so far and little expected.',
    strategy: 'Serve through low-cost, automated channels; watch for a change in behaviour before investing.',
  },
};
