import {
  bgnbdLogLikelihood,
  bgnbdLogLikelihoodGradient,
  bgnbdTotalLogLikelihood,
  compressFrequencyRecency,
  expectedPurchases,
  expectedPurchasesUnconditional,
  fitBgnbd,
  probabilityAlive,
  simulateBgnbd,
} from '../../src/intelligence/bgnbd';
import { mulberry32 } from '../../src/intelligence/random';

const params = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };

describe('BG/NBD likelihood', () => {
  it('matches the known values for one customer at r = 0.25, α = 4, a = 0.8, b = 2.5, T = 40', () => {
    expect(bgnbdLogLikelihood(params, { x: 0, tx: 0, T: 40 })).toBeCloseTo(-0.59947382, 7);
    expect(bgnbdLogLikelihood(params, { x: 200, tx: 38, T: 40 })).toBeCloseTo(100.7957, 4);
  });

  it('gives the same total whether customers are listed one by one or compressed with weights', () => {
    const customers = [
      { x: 0, tx: 0, T: 40 },
      { x: 2, tx: 30, T: 40 },
      { x: 0, tx: 0, T: 40 },
      { x: 2, tx: 30, T: 40 },
      { x: 2, tx: 30, T: 40 },
    ];
    const compressed = compressFrequencyRecency(customers);
    expect(compressed).toEqual([
      { x: 0, tx: 0, T: 40, weight: 2 },
      { x: 2, tx: 30, T: 40, weight: 3 },
    ]);
    const oneByOne = customers.reduce((s, c) => s + bgnbdLogLikelihood(params, c), 0);
    expect(bgnbdTotalLogLikelihood(params, compressed)).toBeCloseTo(oneByOne, 10);
  });
});

describe('BG/NBD gradient', () => {
  // Simulated customers plus the edge cases of eq. 6: no repeat purchase, x = 1 (where b + x − 1 = b), tx = T.
  const customers = [
    ...simulateBgnbd(params, 300, 39, mulberry32(8)),
    { x: 0, tx: 0, T: 12, weight: 4 },
    { x: 1, tx: 3, T: 3 },
    { x: 17, tx: 38.5, T: 39, weight: 2.5 },
  ];

  it.each([
    [params],
    [{ r: 0.2426, alpha: 4.4136, a: 0.793, b: 2.4259 }],
    [{ r: 3, alpha: 0.2, a: 0.05, b: 0.6 }],
    [{ r: 0.01, alpha: 200, a: 40, b: 900 }],
  ])('matches central differences of the log-likelihood in the log parameters at %p', (at) => {
    const { logLikelihood, gradient } = bgnbdLogLikelihoodGradient(at, customers);
    expect(logLikelihood).toBeCloseTo(bgnbdTotalLogLikelihood(at, customers), 10);
    const ll = (t: number[]): number => bgnbdTotalLogLikelihood({ r: Math.exp(t[0]), alpha: Math.exp(t[1]), a: Math.exp(t[2]), b: Math.exp(t[3]) }, customers);
    const theta = [at.r, at.alpha, at.a, at.b].map(Math.log);
    const h = 1e-4;
    const shifted = (i: number, by: number): number[] => theta.map((t, j) => (j === i ? t + by : t));
    const numeric = theta.map((_, i) => (ll(shifted(i, h)) - ll(shifted(i, -h))) / (2 * h));
    // Central differences are good to about h² relative, plus the rounding of ln L (lgamma's ~1e-13) over 2h.
    const rounding = (1e-12 * Math.abs(logLikelihood)) / h;
    numeric.forEach((d, i) => expect(Math.abs(gradient[i] - d)).toBeLessThan(1e-6 * Math.abs(d) + rounding));
  });
});

describe('BG/NBD P(alive)', () => {
  it('is 1 without repeat purchases and 0 (not NaN) for x = 1000 with a long silence', () => {
    expect(probabilityAlive(params, { x: 0, tx: 0, T: 40 })).toBe(1);
    const p = probabilityAlive(params, { x: 1000, tx: 20, T: 40 });
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeLessThan(1e-100);
    expect(probabilityAlive(params, { x: 1000, tx: 20, T: 40 })).toBeGreaterThanOrEqual(0);
  });

  it('falls as the silence since the last purchase grows', () => {
    const ps = [40, 30, 20, 10].map((tx) => probabilityAlive(params, { x: 5, tx, T: 40 }));
    for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeLessThan(ps[i - 1]);
    // At tx = T the odds of being dead are a/(b + x − 1).
    expect(ps[0]).toBeCloseTo(1 / (1 + 0.8 / (2.5 + 4)), 12);
  });
});

describe('BG/NBD expected purchases', () => {
  it('is 0 for t = 0, grows with t, and stays finite and tiny for x = 1000 with a long silence', () => {
    expect(expectedPurchases(params, 0, { x: 3, tx: 30, T: 40 })).toBe(0);
    const e = [1, 10, 50].map((t) => expectedPurchases(params, t, { x: 3, tx: 30, T: 40 }));
    expect(e[0]).toBeLessThan(e[1]);
    expect(e[1]).toBeLessThan(e[2]);
    const busy = expectedPurchases(params, 10, { x: 1000, tx: 20, T: 40 });
    expect(Number.isFinite(busy)).toBe(true);
    expect(busy).toBeLessThan(1e-100);
    // A busy customer seen yesterday is expected to keep buying at about x / T.
    expect(expectedPurchases(params, 1, { x: 1000, tx: 40, T: 40 })).toBeGreaterThan(15);
  });

  it('matches the purchases simulated in a holdout period, summed over 20,000 customers (within 5%)', () => {
    // Simulate 78 periods, fit nothing: predict periods 39–78 from periods 0–39 with the true parameters.
    const truth = { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
    const customers = simulateBgnbd(truth, 20_000, 78, mulberry32(2024));
    let predicted = 0;
    let actual = 0;
    for (const c of customers) {
      const calibration = c.purchaseTimes.filter((t) => t <= 39);
      const x = calibration.length;
      predicted += expectedPurchases(truth, 39, { x, tx: x > 0 ? calibration[x - 1] : 0, T: 39 });
      actual += c.x - x;
    }
    expect(Math.abs(actual / predicted - 1)).toBeLessThan(0.05);
  });

  it('matches the mean number of simulated repeat purchases unconditionally (within 5%)', () => {
    const truth = { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
    const customers = simulateBgnbd(truth, 20_000, 39, mulberry32(99));
    const mean = customers.reduce((s, c) => s + c.x, 0) / customers.length;
    expect(Math.abs(mean / expectedPurchasesUnconditional(truth, 39) - 1)).toBeLessThan(0.05);
  });
});

describe('BG/NBD simulation and fitting', () => {
  it('simulates the same customers from the same seed', () => {
    const one = simulateBgnbd(params, 50, 39, mulberry32(5));
    expect(simulateBgnbd(params, 50, 39, mulberry32(5))).toEqual(one);
    for (const c of one) {
      expect(c.tx).toBeLessThanOrEqual(c.T);
      expect(c.x).toBe(c.purchaseTimes.length);
    }
  });

  it('recovers known parameters from 20,000 simulated customers (r, α within 10%; a, b within 20%)', () => {
    // Tolerances are about 3 standard errors at this size (spread over seeds: r 2%, α 3%, a 6%, b 8%).
    const truth = { r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 };
    const customers = simulateBgnbd(truth, 20_000, 39, mulberry32(1));
    const fit = fitBgnbd(customers);
    expect(fit.converged).toBe(true);
    expect(fit.method).toBe('bfgs');
    expect(Math.abs(fit.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.a / truth.a - 1)).toBeLessThan(0.2);
    expect(Math.abs(fit.b / truth.b - 1)).toBeLessThan(0.2);
    // The estimate is a maximum: at least as likely as the truth.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(bgnbdTotalLogLikelihood(truth, customers));
  });

  it('shrinks the parameters when a penalizer is given', () => {
    const customers = simulateBgnbd({ r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 }, 2_000, 39, mulberry32(3));
    const plain = fitBgnbd(customers);
    const penalized = fitBgnbd(customers, { penalizer: 0.1 });
    expect(penalized.method).toBe('bfgs');
    const size = (p: { r: number; alpha: number; a: number; b: number }): number => p.r ** 2 + p.alpha ** 2 + p.a ** 2 + p.b ** 2;
    expect(size(penalized)).toBeLessThan(size(plain));
    expect(penalized.logLikelihood).toBeLessThan(plain.logLikelihood);
  });

  it('refuses impossible rows', () => {
    expect(() => fitBgnbd([{ x: 1, tx: 50, T: 40 }])).toThrow(RangeError);
    expect(() => fitBgnbd([])).toThrow(RangeError);
  });
});
