import { convert, parseAmount } from '../common/money';
import { OpportunityStatus } from './opportunity.entity';

/*
 * The derived figures of an opportunity, as pure functions of its row, its stage and the instant asked about
 * (`asOf`), so that they read the same in a field, a list and a summary, and tests set the clock by argument.
 */

export const DAY_MS = 86_400_000;

/** Whole days from `from` to `to` (rounded down; 0 when `to` is not after `from`). */
export function wholeDays(from: Date, to: Date): number {
  return Math.max(0, Math.floor((to.getTime() - from.getTime()) / DAY_MS));
}

/** Days from `from` to `to` with two decimals, for averages and time in a stage. */
export function days(from: Date, to: Date): number {
  return Math.round(((to.getTime() - from.getTime()) / DAY_MS) * 100) / 100;
}

/**
 * The probability that weighs an opportunity: its stage's while open; 1 once won and 0 once lost, since the
 * outcome is known. A decimal string, so the product stays exact.
 */
export function weight(status: OpportunityStatus, stageProbability: string): string {
  return status === OpportunityStatus.OPEN ? stageProbability : status === OpportunityStatus.WON ? '1' : '0';
}

/** amount × probability in ten-thousandths, rounded once (half away from zero) to the currency's minor unit. */
export function weightedUnits(amount: string, probability: string, currency: string): bigint {
  return convert(parseAmount(amount), probability, currency);
}

/**
 * An open opportunity rots when nobody has touched it for longer than its stage allows: strictly more than
 * `rottingDays` whole days since its last activity (which is never before it entered the stage).
 */
export function isRotting(status: OpportunityStatus, lastActivityAt: Date, rottingDays: number | null, asOf: Date): boolean {
  if (status !== OpportunityStatus.OPEN || rottingDays == null) return false;
  return asOf.getTime() - lastActivityAt.getTime() > rottingDays * DAY_MS;
}
