import { mulberry32 } from '../../src/intelligence/random';
import {
  conditionalExpectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  populationAverageValue,
  simulateGammaGamma,
} from '../../src/intelligence/gamma-gamma';

const truth = { p: 6.25, q: 3.74, gamma: 15.44 };

describe('Gamma-Gamma', () => {
  it('computes the conditional mean (γ + m_x x) p / (p x + q − 1) and the population mean pγ/(q − 1)', () => {
    const params = { p: 2, q: 3, gamma: 10 };
    expect(conditionalExpectedAverageValue(params, 2, 20)).toBeCloseTo((50 * 2) / 6, 12);
    expect(conditionalExpectedAverageValue(params, 0, 0)).toBeCloseTo(10, 12);
    expect(populationAverageValue(params)).toBe(10);
    expect(populationAverageValue({ p: 2, q: 1, gamma: 10 })).toBe(Infinity);
  });

  it('moves the expectation towards the customer’s own mean as x grows', () => {
    const few = conditionalExpectedAverageValue(truth, 1, 100);
    const many = conditionalExpectedAverageValue(truth, 50, 100);
    expect(few).toBeLessThan(many);
    expect(many).toBeLessThan(100);
    expect(Math.abs(many - 100)).toBeLessThan(Math.abs(few - 100));
  });

  it('has a likelihood that integrates to 1 over m_x (a density)', () => {
    // Trapezoid on a log grid, x = 3.
    let total = 0;
    const lo = Math.log(1e-3);
    const hi = Math.log(1e5);
    const steps = 20_000;
    for (let i = 0; i <= steps; i++) {
      const u = lo + ((hi - lo) * i) / steps;
      const m = Math.exp(u);
      const w = i === 0 || i === steps ? 0.5 : 1;
      total += w * Math.exp(gammaGammaLogLikelihood(truth, 3, m)) * m * ((hi - lo) / steps);
    }
    expect(total).toBeCloseTo(1, 4);
  });

  it('recovers known parameters from 20,000 simulated repeat buyers (p, γ within 20%, q within 10%, mean within 3%)', () => {
    // Tolerances are about 3 standard errors at this size (spread over seeds: p 5%, q 2%, γ 7%).
    const rng = mulberry32(1);
    const frequencies = Array.from({ length: 20_000 }, () => 1 + Math.floor(rng() * 6));
    const customers = simulateGammaGamma(truth, frequencies, rng);
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(20_000);
    expect(Math.abs(fit.p / truth.p - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.q / truth.q - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.gamma / truth.gamma - 1)).toBeLessThan(0.2);
    expect(Math.abs(populationAverageValue(fit) / populationAverageValue(truth) - 1)).toBeLessThan(0.03);
  });

  it('skips customers without repeat purchases or value, and refuses to fit nobody', () => {
    const customers = simulateGammaGamma(truth, [0, 0, 1, 2, 3, 1, 2, 4, 5, 2], mulberry32(4));
    expect(customers.slice(0, 2)).toEqual([
      { x: 0, monetaryValue: 0 },
      { x: 0, monetaryValue: 0 },
    ]);
    expect(fitGammaGamma(customers).customers).toBe(8);
    expect(() => fitGammaGamma([{ x: 0, monetaryValue: 0 }])).toThrow(RangeError);
  });
});
