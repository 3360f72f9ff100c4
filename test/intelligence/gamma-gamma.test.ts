import { mulberry32 } from '../../src/intelligence/random';
import {
  conditionalExpectedAverageValue,
  fitGammaGamma,
  gammaGammaLogLikelihood,
  gammaGammaLogLikelihoodGradient,
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

  it.each([[truth], [{ p: 0.3, q: 0.8, gamma: 0.02 }], [{ p: 40, q: 25, gamma: 3000 }]])(
    'has the analytic gradient of the log-likelihood in ln p, ln q, ln γ (central differences) at %p',
    (at) => {
      const customers = [
        ...simulateGammaGamma(truth, [1, 1, 2, 3, 5, 8, 13, 40], mulberry32(6)),
        { x: 2, monetaryValue: 19.99, weight: 3 },
        { x: 0, monetaryValue: 0 },
      ];
      // The reference: the density of each informative customer, summed one by one.
      const ll = (t: number[]): number =>
        customers
          .filter((c) => c.x > 0)
          .reduce((s, c) => s + (c.weight ?? 1) * gammaGammaLogLikelihood({ p: Math.exp(t[0]), q: Math.exp(t[1]), gamma: Math.exp(t[2]) }, c.x, c.monetaryValue), 0);
      const theta = [at.p, at.q, at.gamma].map(Math.log);
      const { logLikelihood, gradient } = gammaGammaLogLikelihoodGradient(at, customers);
      expect(logLikelihood).toBeCloseTo(ll(theta), 9);
      const h = 1e-4;
      const shifted = (i: number, by: number): number[] => theta.map((t, j) => (j === i ? t + by : t));
      const numeric = theta.map((_, i) => (ll(shifted(i, h)) - ll(shifted(i, -h))) / (2 * h));
      // Central differences are good to about h² relative, plus the rounding of ln L (lgamma's ~1e-13) over 2h.
      const rounding = (1e-12 * Math.abs(logLikelihood)) / h;
      numeric.forEach((d, i) => expect(Math.abs(gradient[i] - d)).toBeLessThan(1e-6 * Math.abs(d) + rounding));
    },
  );

  it('fits the same estimate from distinct (x, m_x) pairs with counts as from the customers one by one', () => {
    const oneByOne = simulateGammaGamma(truth, Array.from({ length: 400 }, (_, i) => 1 + (i % 3)), mulberry32(2)).map((c) => ({
      x: c.x,
      monetaryValue: Math.round(c.monetaryValue / 5) * 5,
    }));
    const counts = new Map<string, { x: number; monetaryValue: number; weight: number }>();
    for (const c of oneByOne) {
      const key = `${c.x}|${c.monetaryValue}`;
      const g = counts.get(key) ?? { ...c, weight: 0 };
      g.weight++;
      counts.set(key, g);
    }
    expect(counts.size).toBeLessThan(oneByOne.length / 3);
    const plain = fitGammaGamma(oneByOne);
    const weighted = fitGammaGamma([...counts.values()]);
    expect(weighted.customers).toBe(plain.customers);
    expect(weighted.logLikelihood).toBeCloseTo(plain.logLikelihood, 8);
    for (const k of ['p', 'q', 'gamma'] as const) expect(weighted[k]).toBeCloseTo(plain[k], 6);
  });

  it('recovers known parameters from 20,000 simulated repeat buyers (p, γ within 20%, q within 10%, mean within 3%)', () => {
    // Tolerances are about 3 standard errors at this size (spread over seeds: p 5%, q 2%, γ 7%).
    const rng = mulberry32(1);
    const frequencies = Array.from({ length: 20_000 }, () => 1 + Math.floor(rng() * 6));
    const customers = simulateGammaGamma(truth, frequencies, rng);
    const fit = fitGammaGamma(customers);
    expect(fit.converged).toBe(true);
    expect(fit.method).toBe('bfgs');
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
