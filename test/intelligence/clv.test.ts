import { expectedPurchases, probabilityAlive } from '../../src/intelligence/bgnbd';
import { paretoNbdExpectedPurchases, paretoNbdProbabilityAlive } from '../../src/intelligence/pareto-nbd';
import { customerLifetimeValue } from '../../src/intelligence/clv';
import { customerBaseModel } from '../../src/intelligence/customer-base-models';

const bgnbd = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
const gammaGamma = { p: 2, q: 3, gamma: 10 };
// Gamma-Gamma: (γ + m_x x) p / (p x + q − 1) = (10 + 20·2)·2 / (2·2 + 3 − 1) = 100/6.
const aov = 100 / 6;
const customer = { x: 2, tx: 30, T: 40, unit: 'DAY' as const, monetaryValue: 20, totalValue: 75 };

describe('customer lifetime value', () => {
  it('without discounting is the horizon’s expected purchases times the expected order value, plus history', () => {
    const clv = customerLifetimeValue(customerBaseModel('BG_NBD', bgnbd), gammaGamma, customer, { horizonMonths: 2, monthlyDiscountRate: 0 });
    const purchases = expectedPurchases(bgnbd, 60, customer);
    expect(clv.expectedAverageOrderValue).toBeCloseTo(aov, 12);
    expect(clv.expectedPurchases).toBeCloseTo(purchases, 12);
    expect(clv.predicted).toBeCloseTo(purchases * aov, 10);
    expect(clv.historical).toBe(75);
    expect(clv.total).toBeCloseTo(75 + purchases * aov, 10);
    expect(clv.probabilityAlive).toBeCloseTo(probabilityAlive(bgnbd, customer), 12);
  });

  it('discounts each month’s expected purchases by (1 + d)^i', () => {
    const clv = customerLifetimeValue(customerBaseModel('BG_NBD', bgnbd), gammaGamma, customer, { horizonMonths: 2, monthlyDiscountRate: 0.1 });
    const month1 = expectedPurchases(bgnbd, 30, customer);
    const month2 = expectedPurchases(bgnbd, 60, customer) - month1;
    expect(clv.predicted).toBeCloseTo((month1 * aov) / 1.1 + (month2 * aov) / 1.21, 10);
  });

  it('gives the same value whether the model works in days or in weeks', () => {
    // Measuring time in days instead of weeks divides λ by 7, so α (a rate on λ) is multiplied by 7.
    const inWeeks = { ...customer, tx: 30 / 7, T: 40 / 7, unit: 'WEEK' as const };
    const weekly = customerLifetimeValue(customerBaseModel('BG_NBD', { ...bgnbd, alpha: bgnbd.alpha / 7 }), gammaGamma, inWeeks);
    const daily = customerLifetimeValue(customerBaseModel('BG_NBD', bgnbd), gammaGamma, customer);
    expect(weekly.predicted).toBeCloseTo(daily.predicted, 9);
    expect(weekly.predicted).toBeGreaterThan(0);
  });

  it('is only the history with a zero horizon, and refuses a fractional horizon', () => {
    const clv = customerLifetimeValue(customerBaseModel('BG_NBD', bgnbd), gammaGamma, customer, { horizonMonths: 0 });
    expect(clv).toMatchObject({ predicted: 0, total: 75, expectedPurchases: 0 });
    expect(() => customerLifetimeValue(customerBaseModel('BG_NBD', bgnbd), gammaGamma, customer, { horizonMonths: 1.5 })).toThrow(RangeError);
  });

  it('takes its purchases from whichever customer-base model the fit uses (Pareto/NBD here)', () => {
    const pareto = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };
    const clv = customerLifetimeValue(customerBaseModel('PARETO_NBD', pareto), gammaGamma, customer, { horizonMonths: 2, monthlyDiscountRate: 0 });
    expect(clv.expectedPurchases).toBeCloseTo(paretoNbdExpectedPurchases(pareto, 60, customer), 12);
    expect(clv.predicted).toBeCloseTo(paretoNbdExpectedPurchases(pareto, 60, customer) * aov, 10);
    expect(clv.probabilityAlive).toBeCloseTo(paretoNbdProbabilityAlive(pareto, customer), 12);
    expect(clv.expectedPurchases).not.toBeCloseTo(expectedPurchases(bgnbd, 60, customer), 3);
  });

  it('refuses stored parameters a model cannot use', () => {
    expect(() => customerBaseModel('PARETO_NBD', { r: 1, alpha: 1, a: 1, b: 1 })).toThrow(RangeError);
    expect(() => customerBaseModel('BG_NBD', { r: 1, alpha: 1, a: -1, b: 1 })).toThrow(RangeError);
  });
});
