import {
  bgnbdLogLikelihood,
  compressFrequencyRecency,
  expectedPurchases as bgnbdExpectedPurchases,
  expectedPurchasesUnconditional as bgnbdExpectedPurchasesUnconditional,
  probabilityAlive as bgnbdProbabilityAlive,
} from '../../src/intelligence/bgnbd';
import {
  fitMbgnbd,
  mbgnbdExpectedPurchases,
  mbgnbdExpectedPurchasesUnconditional,
  mbgnbdLogLikelihood,
  mbgnbdLogLikelihoodGradient,
  mbgnbdProbabilityAlive,
  mbgnbdProbabilityNoPurchase,
  mbgnbdTotalLogLikelihood,
  simulateMbgnbd,
  type MbgnbdFit,
} from '../../src/intelligence/mbgnbd';
import { mulberry32 } from '../../src/intelligence/random';
import { lgamma } from '../../src/intelligence/special-functions';
import { cdnowMasterSummary, cdnowSampleSummary } from '../support/cdnow';

// lifetimes' expected MBG/NBD estimates on the CDNOW sample ("See https://github.com/mplatzer/BTYDplus").
const published = { r: 0.525, alpha: 6.183, a: 0.891, b: 1.614 };

describe('MBG/NBD likelihood', () => {
  const customers = [
    { x: 0, tx: 0, T: 38.86 },
    { x: 1, tx: 5, T: 38.86 },
    { x: 2, tx: 30.43, T: 38.86 },
    { x: 26, tx: 30.86, T: 31 },
    { x: 3, tx: 39, T: 39 },
  ];

  it('is the BG/NBD with b + 1, scaled by the b/(a+b) who survive the toss at time 0, plus a/(a+b) for x = 0', () => {
    // Surviving the first toss leaves p ~ Beta(a, b+1), after which the story is the BG/NBD's; a customer who drops
    // out at time 0 shows x = 0 with probability 1. bgnbd.ts is tested on its own against Fader, Hardie & Lee.
    const { a, b } = published;
    const survive = b / (a + b);
    for (const c of customers) {
      const viaBgnbd = survive * Math.exp(bgnbdLogLikelihood({ ...published, b: b + 1 }, c)) + (c.x === 0 ? a / (a + b) : 0);
      expect(mbgnbdLogLikelihood(published, c)).toBeCloseTo(Math.log(viaBgnbd), 10);
    }
  });

  it('tends to the NBD as a → 0, when nobody drops out', () => {
    const params = { ...published, a: 1e-9 };
    for (const { x, tx, T } of customers) {
      const nbd = lgamma(params.r + x) - lgamma(params.r) + params.r * Math.log(params.alpha) - (params.r + x) * Math.log(params.alpha + T);
      expect(mbgnbdLogLikelihood(params, { x, tx, T })).toBeCloseTo(nbd, 6);
      expect(mbgnbdProbabilityAlive(params, { x, tx, T })).toBeCloseTo(1, 6);
    }
  });

  it('gives the same total whether customers are listed one by one or compressed with weights', () => {
    const listed = [...customers, customers[1], customers[1], customers[0]];
    const compressed = compressFrequencyRecency(listed);
    expect(compressed).toHaveLength(customers.length);
    const oneByOne = listed.reduce((s, c) => s + mbgnbdLogLikelihood(published, c), 0);
    expect(mbgnbdTotalLogLikelihood(published, compressed)).toBeCloseTo(oneByOne, 10);
  });
});

describe('MBG/NBD gradient', () => {
  const customers = [
    ...simulateMbgnbd(published, 300, 39, mulberry32(8)),
    { x: 0, tx: 0, T: 12, weight: 4 },
    { x: 1, tx: 3, T: 3 },
    { x: 0, tx: 0, T: 0 },
    { x: 17, tx: 38.5, T: 39, weight: 2.5 },
  ];

  it.each([
    [published],
    [{ r: 0.24, alpha: 4.41, a: 0.79, b: 2.43 }],
    [{ r: 3, alpha: 0.2, a: 0.05, b: 0.6 }],
    [{ r: 0.01, alpha: 200, a: 40, b: 900 }],
  ])('matches central differences of the log-likelihood in the log parameters at %p', (at) => {
    const { logLikelihood, gradient } = mbgnbdLogLikelihoodGradient(at, customers);
    expect(logLikelihood).toBeCloseTo(mbgnbdTotalLogLikelihood(at, customers), 10);
    const ll = (t: number[]): number => mbgnbdTotalLogLikelihood({ r: Math.exp(t[0]), alpha: Math.exp(t[1]), a: Math.exp(t[2]), b: Math.exp(t[3]) }, customers);
    const theta = [at.r, at.alpha, at.a, at.b].map(Math.log);
    const h = 1e-4;
    const shifted = (i: number, by: number): number[] => theta.map((t, j) => (j === i ? t + by : t));
    const numeric = theta.map((_, i) => (ll(shifted(i, h)) - ll(shifted(i, -h))) / (2 * h));
    // Central differences are good to about h² relative, plus the rounding of ln L (lgamma's ~1e-13) over 2h.
    const rounding = (1e-12 * Math.abs(logLikelihood)) / h;
    numeric.forEach((d, i) => expect(Math.abs(gradient[i] - d)).toBeLessThan(1e-6 * Math.abs(d) + rounding));
  });
});

describe('MBG/NBD P(alive) and expectations', () => {
  it('is below 1 without repeat purchases, where the BG/NBD says 1: the customer may have dropped out at once', () => {
    const { a, b, r, alpha } = published;
    const p = mbgnbdProbabilityAlive(published, { x: 0, tx: 0, T: 39 });
    expect(p).toBeLessThan(1);
    // Alive ∝ b/(a+b) · (α/(α+T))^r, dropped at 0 ∝ a/(a+b).
    const alive = (b / (a + b)) * (alpha / (alpha + 39)) ** r;
    expect(p).toBeCloseTo(alive / (alive + a / (a + b)), 12);
    // lifetimes' test_conditional_probability_alive_returns_lessthan_1_if_no_repeat_purchases, (x, tx, T) = (0, 1, 1).
    expect(mbgnbdProbabilityAlive(published, { x: 0, tx: 1, T: 1 })).toBeLessThan(1);
  });

  it('equals the BG/NBD’s with b + 1 for repeat buyers, P(alive) and expected purchases alike', () => {
    const shifted = { ...published, b: published.b + 1 };
    for (const c of [
      { x: 1, tx: 5, T: 38.86 },
      { x: 2, tx: 30.43, T: 38.86 },
      { x: 26, tx: 30.86, T: 31 },
    ]) {
      expect(mbgnbdProbabilityAlive(published, c)).toBeCloseTo(bgnbdProbabilityAlive(shifted, c), 12);
      expect(mbgnbdExpectedPurchases(published, 39, c)).toBeCloseTo(bgnbdExpectedPurchases(shifted, 39, c), 10);
    }
    // Unconditionally, only the b/(a+b) who survive the first toss buy at all.
    const survive = published.b / (published.a + published.b);
    for (const t of [1, 10, 39, 78]) {
      expect(mbgnbdExpectedPurchasesUnconditional(published, t)).toBeCloseTo(survive * bgnbdExpectedPurchasesUnconditional(shifted, t), 10);
    }
  });

  it('stays finite and tiny for x = 1000 with a long silence', () => {
    const p = mbgnbdProbabilityAlive(published, { x: 1000, tx: 20, T: 40 });
    expect(Number.isFinite(p)).toBe(true);
    expect(p).toBeLessThan(1e-100);
    expect(mbgnbdExpectedPurchases(published, 10, { x: 1000, tx: 20, T: 40 })).toBeLessThan(1e-100);
  });
});

describe('MBG/NBD on CDNOW: the values lifetimes’ test suite publishes', () => {
  const summary = cdnowSampleSummary();
  let fit: MbgnbdFit;
  beforeAll(() => {
    fit = fitMbgnbd(summary);
  });

  it('fits lifetimes’ (and BTYDplus’) estimates r 0.525, α 6.183, a 0.891, b 1.614', () => {
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(2357);
    // lifetimes asserts these to 3 decimals (numpy's |difference| < 1.5e-3).
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit[k] - published[k])).toBeLessThan(1.5e-3);
    // No log-likelihood is published for this fit; ours is −9582.13, 0.3 better than the BG/NBD's −9582.4.
    expect(fit.logLikelihood).toBeCloseTo(-9582.13, 2);
  });

  it('gets there by BFGS in a few dozen passes over the customers, to the estimate Nelder–Mead finds in hundreds', () => {
    const simplex = fitMbgnbd(summary, { method: 'nelder-mead' });
    expect(fit.method).toBe('bfgs');
    expect(fit.evaluations).toBeLessThanOrEqual(40);
    expect(simplex.evaluations).toBeGreaterThan(10 * fit.evaluations);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(simplex.logLikelihood - 1e-6);
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs(fit[k] / simplex[k] - 1)).toBeLessThan(1e-5);
  });

  it('expects about the BG/NBD’s 1.226 purchases in 39 weeks for customer 1 (lifetimes allows 0.05)', () => {
    expect(Math.abs(mbgnbdExpectedPurchases(fit, 39, { x: 2, tx: 30.43, T: 38.86 }) - 1.226)).toBeLessThan(0.05);
  });

  it('follows Hardie’s BG/NBD unconditional expectations within 5%, as lifetimes checks', () => {
    const times = [0.1429, 1, 3, 31.8571, 32, 78];
    const expected = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576];
    times.forEach((t, i) => expect(Math.abs(mbgnbdExpectedPurchasesUnconditional(fit, t) / expected[i] - 1)).toBeLessThan(0.05));
  });

  it('keeps P(alive) within [0, 1] over lifetimes’ grid', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        for (let T = tx; T < 100; T += 10) {
          const p = mbgnbdProbabilityAlive(fit, { x, tx, T });
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
    }
  });

  it('fits the full CDNOW cohort (23,570 customers) by BFGS in a few dozen passes', () => {
    const master = fitMbgnbd(cdnowMasterSummary());
    expect(master.customers).toBe(23_570);
    expect(master.converged).toBe(true);
    expect(master.method).toBe('bfgs');
    expect(master.evaluations).toBeLessThanOrEqual(40);
  });
});

describe('MBG/NBD simulation', () => {
  const truth = published;
  const n = 20_000;
  // Cohorts observed for 39 to 78 weeks.
  const cohorts = Array.from({ length: n }, (_, i) => 39 + (39 * i) / n);

  it('simulates the same customers from the same seed, some of them gone before buying again', () => {
    const one = simulateMbgnbd(truth, 200, 39, mulberry32(5));
    expect(simulateMbgnbd(truth, 200, 39, mulberry32(5))).toEqual(one);
    for (const c of one) {
      expect(c.tx).toBeLessThanOrEqual(c.T);
      expect(c.x).toBe(c.purchaseTimes.length);
    }
    expect(one.some((c) => c.x === 0 && !c.alive)).toBe(true);
  });

  it('shrinks the parameters when a penalizer is given', () => {
    const customers = simulateMbgnbd(truth, 2_000, 39, mulberry32(3));
    const plain = fitMbgnbd(customers);
    const penalized = fitMbgnbd(customers, { penalizer: 0.1 });
    const size = (p: typeof truth): number => p.r ** 2 + p.alpha ** 2 + p.a ** 2 + p.b ** 2;
    expect(size(penalized)).toBeLessThan(size(plain));
    expect(penalized.logLikelihood).toBeLessThan(plain.logLikelihood);
  });

  it('recovers known parameters from 20,000 simulated customers (α within 10%; r, a within 15%; b within 25%)', () => {
    // About 3.5 standard errors at this size (spread over ten seeds: r 4%, α 3%, a 3.5%, b 7%).
    const customers = simulateMbgnbd(truth, n, cohorts, mulberry32(1));
    const fit = fitMbgnbd(customers);
    expect(fit.converged).toBe(true);
    expect(fit.method).toBe('bfgs');
    expect(Math.abs(fit.r / truth.r - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.a / truth.a - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.b / truth.b - 1)).toBeLessThan(0.25);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(mbgnbdTotalLogLikelihood(truth, customers));
  });

  it('counts as many customers alive as were simulated alive, among those without a repeat purchase too (within 4 standard errors)', () => {
    const customers = simulateMbgnbd(truth, n, cohorts, mulberry32(7));
    for (const group of [customers, customers.filter((c) => c.x === 0)]) {
      const p = group.map((c) => mbgnbdProbabilityAlive(truth, c));
      const expected = p.reduce((s, v) => s + v, 0);
      const se = Math.sqrt(p.reduce((s, v) => s + v * (1 - v), 0));
      expect(Math.abs(group.filter((c) => c.alive).length - expected)).toBeLessThan(4 * se);
    }
  });

  it('matches the purchases simulated in a holdout period, summed over 20,000 customers (within 5%)', () => {
    const customers = simulateMbgnbd(truth, n, 78, mulberry32(2024));
    let predicted = 0;
    let actual = 0;
    for (const c of customers) {
      const calibration = c.purchaseTimes.filter((t) => t <= 39);
      const x = calibration.length;
      predicted += mbgnbdExpectedPurchases(truth, 39, { x, tx: x > 0 ? calibration[x - 1] : 0, T: 39 });
      actual += c.x - x;
    }
    expect(Math.abs(actual / predicted - 1)).toBeLessThan(0.05);
    const mean = customers.reduce((s, c) => s + c.purchaseTimes.filter((t) => t <= 39).length, 0) / n;
    expect(Math.abs(mean / mbgnbdExpectedPurchasesUnconditional(truth, 39) - 1)).toBeLessThan(0.05);
  });
});

describe('MBG/NBD probability of no purchase', () => {
  const truth = published;

  it('matches Monte Carlo: customers simulated past T, grouped by predicted probability (within 4 standard errors)', () => {
    // Simulate to T + τ, summarise at T, and count who bought nothing in (T, T+τ]. The prediction is exact given the
    // history, so within any group chosen by the prediction the no-purchase count is a sum of Bernoulli(P) draws.
    const T = 39;
    const tau = 13;
    const customers = simulateMbgnbd(truth, 20_000, T + tau, mulberry32(11)).map((c) => {
      const calibration = c.purchaseTimes.filter((t) => t <= T);
      const x = calibration.length;
      const history = { x, tx: x > 0 ? calibration[x - 1] : 0, T };
      return { predicted: mbgnbdProbabilityNoPurchase(truth, tau, history), bought: c.x > x };
    });
    customers.sort((u, v) => u.predicted - v.predicted);
    const groups = 5;
    for (let g = 0; g < groups; g++) {
      const group = customers.slice((g * customers.length) / groups, ((g + 1) * customers.length) / groups);
      const expected = group.reduce((s, c) => s + c.predicted, 0);
      const se = Math.sqrt(group.reduce((s, c) => s + c.predicted * (1 - c.predicted), 0));
      const observed = group.filter((c) => !c.bought).length;
      expect(Math.abs(observed - expected)).toBeLessThan(4 * se);
    }
  });

  it('is 1 over no time, falls with τ, and never below the chance of having dropped out already', () => {
    for (const c of [
      { x: 0, tx: 0, T: 39 },
      { x: 4, tx: 20, T: 39 },
    ]) {
      expect(mbgnbdProbabilityNoPurchase(truth, 0, c)).toBe(1);
      const ps = [1, 5, 20, 100, 1000].map((tau) => mbgnbdProbabilityNoPurchase(truth, tau, c));
      for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeLessThan(ps[i - 1]);
      expect(ps[ps.length - 1]).toBeGreaterThan(1 - mbgnbdProbabilityAlive(truth, c));
    }
  });
});

describe('MBG/NBD fitting input', () => {
  it('refuses impossible rows', () => {
    expect(() => fitMbgnbd([{ x: 1, tx: 50, T: 40 }])).toThrow(RangeError);
    expect(() => fitMbgnbd([])).toThrow(RangeError);
  });
});
