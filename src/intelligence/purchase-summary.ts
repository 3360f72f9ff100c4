// Frequency/recency/T summary in the convention of Fader & Hardie (2005) and lifetimes' summary_data_from_transaction_data.

/** Units of model time; the GraphQL enum `TimeUnit` is registered from this object. */
export const TIME_UNITS = {
  DAY: 'DAY',
  WEEK: 'WEEK',
} as const;
export type TimeUnit = (typeof TIME_UNITS)[keyof typeof TIME_UNITS];

/** One purchase: when, and its value in major currency units of the basis (revenue or margin). */
export interface Purchase {
  at: Date;
  value: number;
}

/** The three numbers the BG/NBD model needs, in one time unit. */
export interface FrequencyRecency {
  /** Repeat purchase occasions (occasions after the first). */
  x: number;
  /** Time from the first to the last occasion. */
  tx: number;
  /** Time from the first occasion to the end of observation. */
  T: number;
}

export interface PurchaseSummary extends FrequencyRecency {
  unit: TimeUnit;
  /** Mean value of the repeat occasions (the Gamma-Gamma model's m_x); 0 when x = 0. */
  monetaryValue: number;
  /** Purchase occasions including the first (x + 1). */
  occasions: number;
  firstPurchaseAt: Date;
  lastPurchaseAt: Date;
  /** Value of all occasions, the first one included. */
  totalValue: number;
}

export const MS_PER_DAY = 86_400_000;
export const DAYS_PER_UNIT: Readonly<Record<TimeUnit, number>> = { DAY: 1, WEEK: 7 };

/** Days since 1970-01-01 of the UTC calendar day containing `at`. */
export function utcDay(at: Date): number {
  return Math.floor(at.getTime() / MS_PER_DAY);
}

/**
 * Summarises one customer's purchases as of `asOf`. Purchases are grouped into occasions by UTC calendar day
 * (several orders on one day are one occasion, their values summed), because the model counts purchase occasions,
 * not orders. Purchases after the instant `asOf` are ignored. tx and T are whole days converted to the unit
 * (WEEK = days / 7), with T measured to the UTC day of `asOf`. Returns null when there is no purchase by `asOf`.
 */
export function summarizePurchases(purchases: readonly Purchase[], asOf: Date, unit: TimeUnit): PurchaseSummary | null {
  const cutoff = asOf.getTime();
  const valueByDay = new Map<number, number>();
  let first: Date | null = null;
  let last: Date | null = null;
  for (const p of purchases) {
    const t = p.at.getTime();
    if (!(t <= cutoff)) continue;
    const day = utcDay(p.at);
    valueByDay.set(day, (valueByDay.get(day) ?? 0) + p.value);
    if (!first || t < first.getTime()) first = p.at;
    if (!last || t > last.getTime()) last = p.at;
  }
  if (!first || !last) return null;

  const days = [...valueByDay.keys()].sort((a, b) => a - b);
  const firstDay = days[0];
  const lastDay = days[days.length - 1];
  const perUnit = DAYS_PER_UNIT[unit];
  const x = days.length - 1;
  let totalValue = 0;
  let repeatValue = 0;
  days.forEach((d, i) => {
    const v = valueByDay.get(d) ?? 0;
    totalValue += v;
    if (i > 0) repeatValue += v;
  });
  return {
    x,
    tx: (lastDay - firstDay) / perUnit,
    T: (utcDay(asOf) - firstDay) / perUnit,
    unit,
    monetaryValue: x > 0 ? repeatValue / x : 0,
    occasions: days.length,
    firstPurchaseAt: first,
    lastPurchaseAt: last,
    totalValue,
  };
}

/** A purchase tagged with its customer, as in a flat transaction log. */
export interface CustomerTransaction extends Purchase {
  customerId: string;
}

/**
 * Summaries for every customer in a flat transaction log, keyed by customer id in order of first appearance.
 * Customers whose first purchase is after `asOf` are left out.
 */
export function summarizeTransactions(
  transactions: readonly CustomerTransaction[],
  asOf: Date,
  unit: TimeUnit,
): Map<string, PurchaseSummary> {
  const byCustomer = new Map<string, Purchase[]>();
  for (const t of transactions) {
    let list = byCustomer.get(t.customerId);
    if (!list) byCustomer.set(t.customerId, (list = []));
    list.push(t);
  }
  const summaries = new Map<string, PurchaseSummary>();
  for (const [customerId, purchases] of byCustomer) {
    const summary = summarizePurchases(purchases, asOf, unit);
    if (summary) summaries.set(customerId, summary);
  }
  return summaries;
}

/** The customer's usual time between purchase occasions, in days: tx / x. Null with fewer than two occasions. */
export function usualIntervalDays(summary: FrequencyRecency & { unit: TimeUnit }): number | null {
  if (summary.x < 1) return null;
  return (summary.tx / summary.x) * DAYS_PER_UNIT[summary.unit];
}
