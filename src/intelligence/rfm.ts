// RFM scoring in the tradition of Hughes (1994), "Strategic Database Marketing": recency, frequency and monetary value each scored 1–5 by quintile.

export type RfmScore = 1 | 2 | 3 | 4 | 5;

/** One customer's raw RFM values. Suggested: days since the last purchase, purchase occasions, total value. */
export interface RfmInput {
  recencyDays: number;
  frequency: number;
  monetary: number;
}

/** The four cut points (20th, 40th, 60th and 80th percentiles) of a metric. */
export type QuintileBreakpoints = readonly [number, number, number, number];

/** Population breakpoints, storable so that one customer can be scored later against the same population. */
export interface RfmBreakpoints {
  recencyDays: QuintileBreakpoints;
  frequency: QuintileBreakpoints;
  monetary: QuintileBreakpoints;
  /** Customers the breakpoints were computed from. */
  population: number;
}

/** The RFM segments; the GraphQL enum `Segment` is registered from this object. */
export const RFM_SEGMENTS = {
  CHAMPIONS: 'CHAMPIONS',
  LOYAL: 'LOYAL',
  POTENTIAL_LOYALIST: 'POTENTIAL_LOYALIST',
  NEW: 'NEW',
  PROMISING: 'PROMISING',
  NEEDS_ATTENTION: 'NEEDS_ATTENTION',
  ABOUT_TO_SLEEP: 'ABOUT_TO_SLEEP',
  AT_RISK: 'AT_RISK',
  CANT_LOSE: 'CANT_LOSE',
  HIBERNATING: 'HIBERNATING',
  LOST: 'LOST',
  PROSPECT: 'PROSPECT',
} as const;
export type RfmSegment = (typeof RFM_SEGMENTS)[keyof typeof RFM_SEGMENTS];

/** Scores are null for a prospect (no purchase yet). */
export interface RfmResult {
  r: RfmScore | null;
  f: RfmScore | null;
  m: RfmScore | null;
  segment: RfmSegment;
}

/** The p-quantile of sorted values by linear interpolation between order statistics (Hyndman & Fan type 7, numpy's default). */
export function quantile(sortedValues: readonly number[], p: number): number {
  const n = sortedValues.length;
  if (n === 0) throw new RangeError('quantile of an empty list');
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sortedValues[lo] + (h - lo) * (sortedValues[hi] - sortedValues[lo]);
}

export function quintileBreakpoints(values: readonly number[]): QuintileBreakpoints {
  const sorted = [...values].sort((a, b) => a - b);
  return [quantile(sorted, 0.2), quantile(sorted, 0.4), quantile(sorted, 0.6), quantile(sorted, 0.8)];
}

/**
 * Score of a value against cut points, higher values scoring higher. The bins are (−∞, c₁], (c₁, c₂], …, (c₄, ∞):
 * a value on a cut point falls in the lower bin, and equal values always share a score. This matters for
 * frequency, where most customers buy once — with half the population at 1, the first cut points are all 1 and
 * one-time buyers score 1 rather than being spread arbitrarily over several quintiles.
 */
export function quintileScore(value: number, breakpoints: QuintileBreakpoints): RfmScore {
  let above = 0;
  for (const c of breakpoints) if (value > c) above++;
  return (above + 1) as RfmScore;
}

/** Breakpoints from the customers with at least one purchase (frequency ≥ 1). */
export function rfmBreakpoints(population: readonly RfmInput[]): RfmBreakpoints {
  const buyers = population.filter((c) => c.frequency >= 1);
  if (buyers.length === 0) throw new RangeError('RFM breakpoints need at least one customer with a purchase');
  return {
    recencyDays: quintileBreakpoints(buyers.map((c) => c.recencyDays)),
    frequency: quintileBreakpoints(buyers.map((c) => c.frequency)),
    monetary: quintileBreakpoints(buyers.map((c) => c.monetary)),
    population: buyers.length,
  };
}

/**
 * Scores one customer against stored breakpoints. Recency is reversed (fewer days is better: 5 = most recent), by
 * the same bin rule, so a value on a cut point gets the better recency score. No purchase → PROSPECT.
 */
export function scoreRfm(customer: RfmInput | null, breakpoints: RfmBreakpoints): RfmResult {
  if (!customer || customer.frequency < 1) return { r: null, f: null, m: null, segment: 'PROSPECT' };
  const r = (6 - quintileScore(customer.recencyDays, breakpoints.recencyDays)) as RfmScore;
  const f = quintileScore(customer.frequency, breakpoints.frequency);
  const m = quintileScore(customer.monetary, breakpoints.monetary);
  return { r, f, m, segment: rfmSegment(r, f) };
}

/** Scores a whole population; each customer's result equals scoreRfm(customer, breakpoints). */
export function scoreRfmPopulation(population: readonly RfmInput[]): { breakpoints: RfmBreakpoints; results: RfmResult[] } {
  const breakpoints = rfmBreakpoints(population);
  return { breakpoints, results: population.map((c) => scoreRfm(c, breakpoints)) };
}

export interface RfmRectangle {
  r: readonly [RfmScore, RfmScore];
  f: readonly [RfmScore, RfmScore];
}

export interface SegmentInfo {
  segment: RfmSegment;
  label: string;
  /** Rectangles of (R, F) scores, ranges inclusive, that make up the segment; empty for PROSPECT. */
  cells: readonly RfmRectangle[];
  description: string;
  strategy: string;
}

/** The segment catalogue. The rules partition the 5 × 5 grid of (R, F) scores: every pair belongs to exactly one segment. */
export const SEGMENTS: Readonly<Record<RfmSegment, SegmentInfo>> = {
  CHAMPIONS: {
    segment: 'CHAMPIONS',
    label: 'Champions',
    cells: [{ r: [5, 5], f: [4, 5] }],
    description: 'Bought very recently and buy often. Your best customers.',
    strategy: 'Reward them, give early access to new products, ask for reviews and referrals. Avoid discounting: they buy anyway.',
  },
  LOYAL: {
    segment: 'LOYAL',
    label: 'Loyal',
    cells: [{ r: [3, 4], f: [4, 5] }],
    description: 'Buy often and fairly recently. Responsive to the relationship.',
    strategy: 'Up-sell higher-value products, enrol in the loyalty programme, ask for feedback and reviews.',
  },
  POTENTIAL_LOYALIST: {
    segment: 'POTENTIAL_LOYALIST',
    label: 'Potential loyalist',
    cells: [{ r: [4, 5], f: [2, 3] }],
    description: 'Recent customers with a few purchases. Could become loyal.',
    strategy: 'Offer membership or loyalty benefits, recommend related products, keep the contact personal.',
  },
  NEW: {
    segment: 'NEW',
    label: 'New',
    cells: [{ r: [5, 5], f: [1, 1] }],
    description: 'Bought for the first time very recently.',
    strategy: 'Thank them, onboard them well (how-to, support contacts), and make the second purchase easy.',
  },
  PROMISING: {
    segment: 'PROMISING',
    label: 'Promising',
    cells: [{ r: [4, 4], f: [1, 1] }],
    description: 'Bought once, fairly recently.',
    strategy: 'Build awareness of the range with free trials, samples or a modest first-repeat offer.',
  },
  NEEDS_ATTENTION: {
    segment: 'NEEDS_ATTENTION',
    label: 'Needs attention',
    cells: [{ r: [3, 3], f: [3, 3] }],
    description: 'Average recency and frequency; starting to drift.',
    strategy: 'Reach out with limited-time offers and recommendations based on past purchases; reactivate before they slip.',
  },
  ABOUT_TO_SLEEP: {
    segment: 'ABOUT_TO_SLEEP',
    label: 'About to sleep',
    cells: [{ r: [3, 3], f: [1, 2] }],
    description: 'Below-average recency and few purchases. Will be lost without contact.',
    strategy: 'Share popular products and useful content, offer a discount on a relevant category, reconnect.',
  },
  AT_RISK: {
    segment: 'AT_RISK',
    label: 'At risk',
    cells: [{ r: [1, 2], f: [3, 4] }],
    description: 'Bought often, but a long time ago.',
    strategy: 'Send personalised win-back messages, offer renewals and helpful resources; find out what changed.',
  },
  CANT_LOSE: {
    segment: 'CANT_LOSE',
    label: "Can't lose them",
    cells: [{ r: [1, 2], f: [5, 5] }],
    description: 'Were among the most frequent buyers, but have not bought for a long time.',
    strategy: 'Win them back personally: call, ask what went wrong, offer new products or a strong retention offer. Do not lose them to a competitor.',
  },
  HIBERNATING: {
    segment: 'HIBERNATING',
    label: 'Hibernating',
    // The rest of R 1–2, F 1–2: R1 F2, and R2 F1–2.
    cells: [
      { r: [1, 1], f: [2, 2] },
      { r: [2, 2], f: [1, 2] },
    ],
    description: 'Last purchase long ago, few purchases.',
    strategy: 'Offer other relevant products and special discounts at low cost; recreate brand value, do not overspend.',
  },
  LOST: {
    segment: 'LOST',
    label: 'Lost',
    cells: [{ r: [1, 1], f: [1, 1] }],
    description: 'Lowest recency and frequency: bought once, long ago.',
    strategy: 'Try one low-cost reactivation campaign at most; otherwise let them go and spend elsewhere.',
  },
  PROSPECT: {
    segment: 'PROSPECT',
    label: 'Prospect',
    cells: [],
    description: 'No purchase yet.',
    strategy: 'Nurture towards the first purchase: welcome content, a first-order incentive, answer their questions.',
  },
};

/** Whether a segment's cells contain the pair (R, F). */
export function segmentContains(info: SegmentInfo, r: RfmScore, f: RfmScore): boolean {
  return info.cells.some((c) => r >= c.r[0] && r <= c.r[1] && f >= c.f[0] && f <= c.f[1]);
}

/** Segment of an (R, F) pair: the one segment whose cells contain it. */
export function rfmSegment(r: RfmScore, f: RfmScore): RfmSegment {
  for (const info of Object.values(SEGMENTS)) if (segmentContains(info, r, f)) return info.segment;
  throw new RangeError(`R${r} F${f} is not a valid pair of RFM scores`);
}
