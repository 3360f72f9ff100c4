// CLV = historical value + Σ_{i=1..H} E[purchases in month i] · E[spend | x, m_x] / (1+d)^i, after lifetimes' customer_lifetime_value with BG/NBD eq. 10 and the Gamma-Gamma conditional mean (Fader, Hardie & Lee 2005).
// E[purchases] comes from whichever customer-base model the fit uses (BG/NBD, Pareto/NBD or MBG/NBD): the sum is the same.

import type { CustomerBaseModel } from './customer-base-models';
import { conditionalExpectedAverageValue, type GammaGammaParams } from './gamma-gamma';
import { DAYS_PER_UNIT, type FrequencyRecency, type TimeUnit } from './purchase-summary';

/** What CLV needs to know about the customer: a purchase summary or anything shaped like one. */
export interface ClvCustomer extends FrequencyRecency {
  /** Time unit of x, tx and T — the unit the model's parameters were fitted in. */
  unit: TimeUnit;
  /** Mean value of repeat occasions (m_x). */
  monetaryValue: number;
  /** Realised value to date. */
  totalValue: number;
}

/** What CLV asks of a customer-base model. */
export type PurchaseForecaster = Pick<CustomerBaseModel, 'expectedPurchases' | 'probabilityAlive'>;

export interface ClvOptions {
  /** Months ahead. Default 12. */
  horizonMonths?: number;
  /** Discount rate per month. Default 0.01, as in lifetimes. */
  monthlyDiscountRate?: number;
  /**
   * Length of a month in days. Default 30 (lifetimes' conversion for daily data). lifetimes uses 4.345 weeks for
   * weekly data; pass 30.415 to reproduce that exactly.
   */
  daysPerMonth?: number;
}

export interface ClvResult {
  /** Realised value to date (the customer's totalValue). */
  historical: number;
  /** Discounted expected value over the horizon. */
  predicted: number;
  /** historical + predicted. */
  total: number;
  /** Expected purchase occasions over the horizon (undiscounted). */
  expectedPurchases: number;
  /** Gamma-Gamma expected value per future occasion. */
  expectedAverageOrderValue: number;
  probabilityAlive: number;
}

export function customerLifetimeValue(
  purchases: PurchaseForecaster,
  gammaGamma: GammaGammaParams,
  customer: ClvCustomer,
  options: ClvOptions = {},
): ClvResult {
  const horizonMonths = options.horizonMonths ?? 12;
  const discountRate = options.monthlyDiscountRate ?? 0.01;
  const month = (options.daysPerMonth ?? 30) / DAYS_PER_UNIT[customer.unit];
  if (!(Number.isInteger(horizonMonths) && horizonMonths >= 0)) throw new RangeError('horizonMonths must be a whole number ≥ 0');
  if (!(discountRate > -1)) throw new RangeError('monthlyDiscountRate must be greater than −1');

  const expectedAverageOrderValue = conditionalExpectedAverageValue(gammaGamma, customer.x, customer.monetaryValue);
  let predicted = 0;
  let previous = 0;
  for (let i = 1; i <= horizonMonths; i++) {
    // E[Y(t)] is cumulative, so the month's purchases are the difference of consecutive horizons.
    const cumulative = purchases.expectedPurchases(i * month, customer);
    predicted += ((cumulative - previous) * expectedAverageOrderValue) / (1 + discountRate) ** i;
    previous = cumulative;
  }
  return {
    historical: customer.totalValue,
    predicted,
    total: customer.totalValue + predicted,
    expectedPurchases: previous,
    expectedAverageOrderValue,
    probabilityAlive: purchases.probabilityAlive(customer),
  };
}
