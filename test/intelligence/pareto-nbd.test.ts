import { compressFrequencyRecency } from '../../src/intelligence/bgnbd';
import {
  fitParetoNbd,
  paretoNbdExpectedPurchases,
  paretoNbdExpectedPurchasesUnconditional,
  paretoNbdLogLikelihood,
  paretoNbdLogLikelihoodGradient,
  paretoNbdProbabilityAlive,
  paretoNbdProbabilityNoPurchase,
  paretoNbdTotalLogLikelihood,
  simulateParetoNbd,
  type ParetoNbdFit,
  type ParetoNbdParams,
} from '../../src/intelligence/pareto-nbd';
import type { FrequencyRecency } from '../../src/intelligence/purchase-summary';
import { mulberry32 } from '../../src/intelligence/random';
import { lgamma, logHyp2f1, logSumExp } from '../../src/intelligence/special-functions';
import { cdnowMasterSummary, cdnowSampleSummary } from '../support/cdnow';

// Fader & Hardie's estimates on the CDNOW sample, as lifetimes' test suite asserts them.
const published = { r: 0.553, alpha: 10.578, s: 0.606, beta: 11.669 };

/**
 * ln L straight from the model's definition: the individual likelihood given λ and μ (Fader & Hardie's note, §3),
 *   L(λ, μ | x, tx, T) = λ^x e^{−(λ+μ)T} + λ^x μ/(λ+μ) (e^{−(λ+μ)tx} − e^{−(λ+μ)T}),
 * averaged over the two Gamma densities by the trapezoidal rule in ln λ and ln μ, where the integrands are smooth and
 * decay fast at both ends, so a step of 0.1 is accurate far beyond the 1e-8 asked of it.
 */
function logLikelihoodByIntegration({ r, alpha, s, beta }: ParetoNbdParams, { x, tx, T }: FrequencyRecency): number {
  const h = 0.1;
  // ln of density × Jacobian on a grid of u = ln λ (or ln μ), from where shape·u < −36 up to rate·e^u ≈ 800.
  const grid = (shape: number, rate: number): { u: number[]; logWeight: number[] } => {
    const u: number[] = [];
    for (let v = -36 / shape; v < Math.log(800 / rate); v += h) u.push(v);
    return { u, logWeight: u.map((v) => shape * Math.log(rate) - lgamma(shape) + shape * v - rate * Math.exp(v)) };
  };
  const lambdas = grid(r, alpha);
  const mus = grid(s, beta);
  const terms: number[] = [];
  lambdas.u.forEach((u, i) => {
    const lambda = Math.exp(u);
    mus.u.forEach((v, j) => {
      const mu = Math.exp(v);
      // λ^x e^{−(λ+μ)tx} [E + μ/(λ+μ)(1 − E)] with E = e^{−(λ+μ)(T−tx)}: every piece stays in range.
      const E = Math.exp(-(lambda + mu) * (T - tx));
      const individual = x * u - (lambda + mu) * tx + Math.log(E + (mu / (lambda + mu)) * (1 - E));
      terms.push(lambdas.logWeight[i] + mus.logWeight[j] + individual);
    });
  });
  return logSumExp(terms) + 2 * Math.log(h);
}

/** ln L with Fader & Hardie's ₂F₁ terms as they write them (eqs. 22/23), each ₂F₁ by special-functions' logHyp2f1. */
function logLikelihoodByHyp2f1({ r, alpha, s, beta }: ParetoNbdParams, { x, tx, T }: FrequencyRecency): number {
  const a = r + s + x;
  const [upper, b] = alpha >= beta ? [alpha, s + 1] : [beta, r + x];
  const logTerm = (y: number): number => logHyp2f1(a, b, a + 1, Math.abs(alpha - beta) / (upper + y)).log - a * Math.log(upper + y);
  const atTx = logTerm(tx);
  const A0 = tx < T ? atTx + Math.log(-Math.expm1(logTerm(T) - atTx)) : -Infinity;
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const died = Math.log(s / a) + A0;
  return lgamma(r + x) - lgamma(r) + r * Math.log(alpha) + s * Math.log(beta) + logSumExp([alive, died]);
}

describe('Pareto/NBD likelihood', () => {
  const customers = [
    { x: 0, tx: 0, T: 38.86 },
    { x: 2, tx: 30.43, T: 38.86 },
    { x: 26, tx: 30.86, T: 31 },
    { x: 7, tx: 10, T: 39 },
    { x: 3, tx: 39, T: 39 },
  ];

  it.each([
    ['α < β (CDNOW)', published],
    ['α > β', { r: 0.9, alpha: 12, s: 0.7, beta: 4 }],
    ['α = β', { r: 1.5, alpha: 6, s: 2, beta: 6 }],
  ])('equals the double integral over λ and μ of the individual likelihood, %s', (_, params) => {
    for (const c of customers) expect(paretoNbdLogLikelihood(params, c)).toBeCloseTo(logLikelihoodByIntegration(params, c), 8);
  });

  it('agrees with Fader & Hardie’s ₂F₁ forms evaluated directly, up to x = 500 (lifetimes’ overflow case)', () => {
    for (const c of customers) expect(paretoNbdLogLikelihood(published, c)).toBeCloseTo(logLikelihoodByHyp2f1(published, c), 9);
    // lifetimes' test_overflow_error: α tiny beside β, hundreds of purchases; ln A₀ overflowed there before.
    const extreme = { r: 10.465, alpha: 7.98565181e-3, s: 3.0516, beta: 2.82 };
    const busy = [
      { x: 400, tx: 5, T: 6 },
      { x: 500, tx: 1, T: 37 },
      { x: 500, tx: 4, T: 37 },
    ];
    for (const c of busy) {
      const ll = paretoNbdLogLikelihood(extreme, c);
      expect(Number.isFinite(ll)).toBe(true);
      expect(ll).toBeCloseTo(logLikelihoodByHyp2f1(extreme, c), 6);
    }
  });

  it('gives the same total whether customers are listed one by one or compressed with weights', () => {
    const listed = [...customers, customers[1], customers[1], customers[0]];
    const compressed = compressFrequencyRecency(listed);
    expect(compressed).toHaveLength(customers.length);
    const oneByOne = listed.reduce((s, c) => s + paretoNbdLogLikelihood(published, c), 0);
    expect(paretoNbdTotalLogLikelihood(published, compressed)).toBeCloseTo(oneByOne, 9);
  });
});

describe('Pareto/NBD gradient', () => {
  // Simulated customers plus the edge cases: no repeat purchase, tx = T (no chance of having died in between),
  // a large x, and weights.
  const customers = [
    ...simulateParetoNbd(published, 300, 39, mulberry32(8)),
    { x: 0, tx: 0, T: 12, weight: 4 },
    { x: 1, tx: 3, T: 3 },
    { x: 17, tx: 38.5, T: 39, weight: 2.5 },
    { x: 300, tx: 20, T: 39 },
  ];

  it.each([
    ['CDNOW, α < β', published],
    ['α > β', { r: 0.553, alpha: 11.669, s: 0.606, beta: 10.578 }],
    ['α = β, where the ₂F₁ form switches', { r: 1, alpha: 5, s: 2, beta: 5 }],
    ['β ≫ α', { r: 3, alpha: 0.2, s: 0.05, beta: 30 }],
    ['α ≫ β', { r: 0.05, alpha: 200, s: 4, beta: 0.9 }],
  ])('matches central differences of the log-likelihood in the log parameters (%s)', (_, at) => {
    const { logLikelihood, gradient } = paretoNbdLogLikelihoodGradient(at, customers);
    expect(logLikelihood).toBeCloseTo(paretoNbdTotalLogLikelihood(at, customers), 9);
    const ll = (t: number[]): number =>
      paretoNbdTotalLogLikelihood({ r: Math.exp(t[0]), alpha: Math.exp(t[1]), s: Math.exp(t[2]), beta: Math.exp(t[3]) }, customers);
    const theta = [at.r, at.alpha, at.s, at.beta].map(Math.log);
    const h = 1e-4;
    const shifted = (i: number, by: number): number[] => theta.map((t, j) => (j === i ? t + by : t));
    const numeric = theta.map((_, i) => (ll(shifted(i, h)) - ll(shifted(i, -h))) / (2 * h));
    // Central differences are good to about h² relative, plus the rounding of ln L over 2h.
    const rounding = (1e-12 * Math.abs(logLikelihood)) / h;
    numeric.forEach((d, i) => expect(Math.abs(gradient[i] - d)).toBeLessThan(1e-6 * Math.abs(d) + rounding));
  });
});

describe('Pareto/NBD on CDNOW: the values lifetimes’ test suite and R’s BTYD publish', () => {
  const summary = cdnowSampleSummary();
  let fit: ParetoNbdFit;
  beforeAll(() => {
    fit = fitParetoNbd(summary);
  });

  it('fits the published estimates: r 0.553, α 10.578, s 0.606, β 11.669, LL −9594.98', () => {
    expect(fit.converged).toBe(true);
    expect(fit.customers).toBe(2357);
    // lifetimes asserts these to 3 decimals (numpy's |difference| < 1.5e-3); Fader & Hardie report the LL to two.
    for (const k of ['r', 'alpha', 's', 'beta'] as const) expect(Math.abs(fit[k] - published[k])).toBeLessThan(1.5e-3);
    expect(Math.abs(fit.logLikelihood - -9594.98)).toBeLessThan(0.01);
  });

  it('gets there by BFGS in a few dozen passes over the customers, to the estimate Nelder–Mead finds in hundreds', () => {
    const simplex = fitParetoNbd(summary, { method: 'nelder-mead' });
    expect(fit.method).toBe('bfgs');
    expect(fit.evaluations).toBeLessThanOrEqual(40);
    expect(simplex.evaluations).toBeGreaterThan(10 * fit.evaluations);
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(simplex.logLikelihood - 1e-6);
    for (const k of ['r', 'alpha', 's', 'beta'] as const) expect(Math.abs(fit[k] / simplex[k] - 1)).toBeLessThan(1e-4);
  });

  it('gives P(alive) 0.9979 for x = 26, tx = 30.86, T = 31 at the BTYD walkthrough’s estimates', () => {
    const btyd = { r: 0.5534, alpha: 10.5802, s: 0.6061, beta: 11.6562 };
    expect(Math.abs(paretoNbdProbabilityAlive(btyd, { x: 26, tx: 30.86, T: 31 }) - 0.9979)).toBeLessThan(0.001);
  });

  it('expects 25.46 purchases in the next 52 weeks from x = 26, tx = 30.86, T = 31, as the BTYD walkthrough does', () => {
    expect(Math.abs(paretoNbdExpectedPurchases(fit, 52, { x: 26, tx: 30.86, T: 31 }) - 25.46)).toBeLessThan(0.01);
  });

  it('does not underflow for x = 132 or 133 at T = 200 (lifetimes’ values 6.2060517889632418 and 6.2528722475748113)', () => {
    const params = { r: 0.55, alpha: 10.58, s: 0.61, beta: 11.67 };
    expect(paretoNbdExpectedPurchases(params, 10, { x: 132, tx: 200, T: 200 })).toBeCloseTo(6.2060517889632418, 10);
    expect(paretoNbdExpectedPurchases(params, 10, { x: 133, tx: 200, T: 200 })).toBeCloseTo(6.2528722475748113, 10);
  });

  it('gives BTYD’s unconditional expectations for t = 0…9 weeks (lifetimes checks them to 0.01)', () => {
    const btyd = [0, 0.05077821, 0.09916088, 0.14542507, 0.1897993, 0.23247466, 0.27361274, 0.31335159, 0.35181024, 0.38909211];
    btyd.forEach((expected, t) => expect(Math.abs(paretoNbdExpectedPurchasesUnconditional(fit, t) - expected)).toBeLessThan(0.01));
  });

  it('keeps P(alive) within [0, 1] over lifetimes’ grid and for its overflow case', () => {
    for (let x = 0; x < 100; x += 10) {
      for (let tx = 0; tx < 100; tx += 10) {
        for (let T = tx; T < 100; T += 10) {
          const p = paretoNbdProbabilityAlive(fit, { x, tx, T });
          expect(p).toBeGreaterThanOrEqual(0);
          expect(p).toBeLessThanOrEqual(1);
        }
      }
    }
    const extreme = { r: 10.465, alpha: 7.98565181e-3, s: 3.0516, beta: 2.82 };
    for (const c of [
      { x: 40, tx: 5, T: 6 },
      { x: 50, tx: 1, T: 37 },
      { x: 50, tx: 4, T: 37 },
    ]) {
      const p = paretoNbdProbabilityAlive(extreme, c);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThanOrEqual(1);
    }
  });

  it('fits the full CDNOW cohort (23,570 customers, about 8,700 distinct rows) by BFGS in a few dozen passes', () => {
    const master = fitParetoNbd(cdnowMasterSummary());
    expect(master.customers).toBe(23_570);
    expect(master.converged).toBe(true);
    expect(master.method).toBe('bfgs');
    expect(master.evaluations).toBeLessThanOrEqual(40);
  });
});

describe('Pareto/NBD simulation', () => {
  // Purchase rates around 0.16 a week and lifetimes around 17 weeks, observed for 39 to 78 weeks (cohorts joining over
  // a year): enough dropout is seen for s and β to be estimable.
  const truth = { r: 0.8, alpha: 5, s: 1.2, beta: 20 };
  const n = 20_000;
  const cohorts = Array.from({ length: n }, (_, i) => 39 + (39 * i) / n);

  it('simulates the same customers from the same seed', () => {
    const one = simulateParetoNbd(truth, 50, 39, mulberry32(5));
    expect(simulateParetoNbd(truth, 50, 39, mulberry32(5))).toEqual(one);
    for (const c of one) {
      expect(c.tx).toBeLessThanOrEqual(Math.min(c.T, c.lifetime));
      expect(c.x).toBe(c.purchaseTimes.length);
      expect(c.alive).toBe(c.lifetime > c.T);
    }
  });

  it('shrinks the parameters when a penalizer is given', () => {
    const customers = simulateParetoNbd(truth, 2_000, 39, mulberry32(3));
    const plain = fitParetoNbd(customers);
    const penalized = fitParetoNbd(customers, { penalizer: 0.1 });
    const size = (p: typeof truth): number => p.r ** 2 + p.alpha ** 2 + p.s ** 2 + p.beta ** 2;
    expect(size(penalized)).toBeLessThan(size(plain));
    expect(penalized.logLikelihood).toBeLessThan(plain.logLikelihood);
  });

  it('recovers known parameters from 20,000 simulated customers (r, α within 10%; s within 15%; β within 25%)', () => {
    // About 3.5 standard errors at this size (spread over ten seeds: r 2%, α 2%, s 4%, β 7%).
    const customers = simulateParetoNbd(truth, n, cohorts, mulberry32(1));
    const fit = fitParetoNbd(customers);
    expect(fit.converged).toBe(true);
    expect(fit.method).toBe('bfgs');
    expect(Math.abs(fit.r / truth.r - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.alpha / truth.alpha - 1)).toBeLessThan(0.1);
    expect(Math.abs(fit.s / truth.s - 1)).toBeLessThan(0.15);
    expect(Math.abs(fit.beta / truth.beta - 1)).toBeLessThan(0.25);
    // The estimate is a maximum: at least as likely as the truth.
    expect(fit.logLikelihood).toBeGreaterThanOrEqual(paretoNbdTotalLogLikelihood(truth, customers));
  });

  it('counts as many customers alive as were simulated alive (within 4 standard errors)', () => {
    const customers = simulateParetoNbd(truth, n, cohorts, mulberry32(7));
    const p = customers.map((c) => paretoNbdProbabilityAlive(truth, c));
    const expected = p.reduce((s, v) => s + v, 0);
    const se = Math.sqrt(p.reduce((s, v) => s + v * (1 - v), 0));
    expect(Math.abs(customers.filter((c) => c.alive).length - expected)).toBeLessThan(4 * se);
  });

  it('matches the purchases simulated in a holdout period, summed over 20,000 customers (within 5%)', () => {
    // Simulate 78 weeks, fit nothing: predict weeks 39–78 from weeks 0–39 with the true parameters.
    const customers = simulateParetoNbd(truth, n, 78, mulberry32(2024));
    let predicted = 0;
    let actual = 0;
    for (const c of customers) {
      const calibration = c.purchaseTimes.filter((t) => t <= 39);
      const x = calibration.length;
      predicted += paretoNbdExpectedPurchases(truth, 39, { x, tx: x > 0 ? calibration[x - 1] : 0, T: 39 });
      actual += c.x - x;
    }
    expect(Math.abs(actual / predicted - 1)).toBeLessThan(0.05);
    const mean = customers.reduce((s, c) => s + c.purchaseTimes.filter((t) => t <= 39).length, 0) / n;
    expect(Math.abs(mean / paretoNbdExpectedPurchasesUnconditional(truth, 39) - 1)).toBeLessThan(0.05);
  });
});

describe('Pareto/NBD probability of no purchase', () => {
  const truth = { r: 0.8, alpha: 5, s: 1.2, beta: 20 };

  it('matches Monte Carlo: customers simulated past T, grouped by predicted probability (within 4 standard errors)', () => {
    // Simulate to T + τ, summarise at T, and count who bought nothing in (T, T+τ]. The prediction is exact given the
    // history, so within any group chosen by the prediction the no-purchase count is a sum of Bernoulli(P) draws.
    const T = 39;
    const tau = 13;
    const customers = simulateParetoNbd(truth, 20_000, T + tau, mulberry32(11)).map((c) => {
      const calibration = c.purchaseTimes.filter((t) => t <= T);
      const x = calibration.length;
      const history = { x, tx: x > 0 ? calibration[x - 1] : 0, T };
      return { predicted: paretoNbdProbabilityNoPurchase(truth, tau, history), bought: c.x > x };
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

  it('is 1 over no time, falls with τ, and never below the chance of having died already', () => {
    const c = { x: 4, tx: 20, T: 39 };
    expect(paretoNbdProbabilityNoPurchase(truth, 0, c)).toBe(1);
    const ps = [1, 5, 20, 100, 1000].map((tau) => paretoNbdProbabilityNoPurchase(truth, tau, c));
    for (let i = 1; i < ps.length; i++) expect(ps[i]).toBeLessThan(ps[i - 1]);
    expect(ps[ps.length - 1]).toBeGreaterThan(1 - paretoNbdProbabilityAlive(truth, c));
  });
});

describe('Pareto/NBD fitting input', () => {
  it('refuses impossible rows', () => {
    expect(() => fitParetoNbd([{ x: 1, tx: 50, T: 40 }])).toThrow(RangeError);
    expect(() => fitParetoNbd([])).toThrow(RangeError);
  });
});
