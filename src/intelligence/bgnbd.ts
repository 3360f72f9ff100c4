// BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2): likelihood eq. 6, E[Y(t)|x, tx, T] eq. 10.

import { nelderMead, type NelderMeadOptions } from './optimize';
import type { FrequencyRecency } from './purchase-summary';
import { sampleBeta, sampleExponential, sampleGamma, type Rng } from './random';
import { expit, lgamma, logAddExp, logHyp2f1 } from './special-functions';

export type { FrequencyRecency } from './purchase-summary';

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { exp, expm1, log, log1p } = Math;

/** λ ~ Gamma(r, α) (α a rate), p ~ Beta(a, b). */
export interface BgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** A frequency/recency row standing for `weight` identical customers (default 1). */
export interface WeightedFrequencyRecency extends FrequencyRecency {
  weight?: number;
}

export interface BgnbdFitOptions extends NelderMeadOptions {
  /** L2 penalty coefficient on the parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default r = alpha = a = b = 1. */
  initial?: BgnbdParams;
}

export interface BgnbdFit extends BgnbdParams {
  /** Total (weighted) log-likelihood at the estimate, without the penalty. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
  /** Total weight (number of customers) fitted. */
  customers: number;
}

function assertParams({ r, alpha, a, b }: BgnbdParams): void {
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) throw new RangeError('BG/NBD parameters must all be positive');
}

/**
 * ln L(r, α, a, b | x, tx, T) for one customer (eq. 6), in the form of Hardie's note and lifetimes:
 * ln L = A₁ + A₂ + ln(e^{A₃} + δ_{x>0} e^{A₄}), with
 *   A₁ = ln Γ(r+x) − ln Γ(r) + r ln α
 *   A₂ = ln Γ(a+b) + ln Γ(b+x) − ln Γ(b) − ln Γ(a+b+x)
 *   A₃ = −(r+x) ln(α+T)
 *   A₄ = ln a − ln(b+x−1) − (r+x) ln(α+tx).
 */
export function bgnbdLogLikelihood(params: BgnbdParams, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  const A1 = lgamma(r + x) - lgamma(r) + r * log(alpha);
  const A2 = lgamma(a + b) + lgamma(b + x) - lgamma(b) - lgamma(a + b + x);
  const A3 = -(r + x) * log(alpha + T);
  const A4 = x > 0 ? log(a) - log(b + x - 1) - (r + x) * log(alpha + tx) : -Infinity;
  return A1 + A2 + logAddExp(A3, A4);
}

/** Groups identical (x, tx, T) rows and sums their weights: CDNOW's 2,357 customers become about 1,100 rows. */
export function compressFrequencyRecency(customers: readonly WeightedFrequencyRecency[]): Required<WeightedFrequencyRecency>[] {
  const groups = new Map<string, Required<WeightedFrequencyRecency>>();
  for (const c of customers) {
    const weight = c.weight ?? 1;
    if (weight === 0) continue;
    const key = `${c.x}|${c.tx}|${c.T}`;
    const g = groups.get(key);
    if (g) g.weight += weight;
    else groups.set(key, { x: c.x, tx: c.tx, T: c.T, weight });
  }
  return [...groups.values()];
}

/**
 * Total weighted log-likelihood of many customers: the same sum as bgnbdLogLikelihood over each, but the Gamma
 * terms A₁ + A₂ depend only on x, which takes few distinct values, so they are computed once per x.
 */
export function bgnbdTotalLogLikelihood(params: BgnbdParams, customers: readonly WeightedFrequencyRecency[]): number {
  const { r, alpha, a, b } = params;
  const constant = -lgamma(r) + r * log(alpha) + lgamma(a + b) - lgamma(b);
  const logA = log(a);
  const byX = new Map<number, { gammaTerms: number; logB: number }>();
  let total = 0;
  for (const c of customers) {
    const { x, tx, T } = c;
    let terms = byX.get(x);
    if (!terms) {
      terms = { gammaTerms: constant + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x), logB: log(b + x - 1) };
      byX.set(x, terms);
    }
    const A3 = -(r + x) * log(alpha + T);
    const A4 = x > 0 ? logA - terms.logB - (r + x) * log(alpha + tx) : -Infinity;
    total += (c.weight ?? 1) * (terms.gammaTerms + logAddExp(A3, A4));
  }
  return total;
}

/**
 * Maximum-likelihood BG/NBD. Parameters are optimised on the log scale (so they stay positive) by Nelder–Mead with
 * restarts, minimising the mean negative log-likelihood plus penalizer·Σθ² as lifetimes' BetaGeoFitter does.
 */
export function fitBgnbd(customers: readonly WeightedFrequencyRecency[], options: BgnbdFitOptions = {}): BgnbdFit {
  const rows = compressFrequencyRecency(customers);
  for (const c of rows) {
    if (!(c.x >= 0 && c.tx >= 0 && c.T >= c.tx && c.weight > 0)) {
      throw new RangeError(`BG/NBD needs 0 ≤ tx ≤ T, x ≥ 0 and positive weights (got x=${c.x}, tx=${c.tx}, T=${c.T})`);
    }
  }
  const totalWeight = rows.reduce((s, c) => s + c.weight, 0);
  if (totalWeight === 0) throw new RangeError('BG/NBD needs at least one customer');
  const penalizer = options.penalizer ?? 0;

  const objective = (theta: readonly number[]): number => {
    const params = { r: exp(theta[0]), alpha: exp(theta[1]), a: exp(theta[2]), b: exp(theta[3]) };
    const penalty = penalizer * (params.r ** 2 + params.alpha ** 2 + params.a ** 2 + params.b ** 2);
    return -bgnbdTotalLogLikelihood(params, rows) / totalWeight + penalty;
  };
  const start = options.initial ?? { r: 1, alpha: 1, a: 1, b: 1 };
  assertParams(start);
  const result = nelderMead(objective, [start.r, start.alpha, start.a, start.b].map(log), options);
  const [r, alpha, a, b] = result.x.map(exp);
  const fitted = { r, alpha, a, b };
  return {
    ...fitted,
    logLikelihood: bgnbdTotalLogLikelihood(fitted, rows),
    iterations: result.iterations,
    converged: result.converged,
    customers: totalWeight,
  };
}

/**
 * P(alive | x, tx, T) = 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+tx))^{r+x}) (Fader, Hardie & Lee 2008, "Computing
 * P(alive) using the BG/NBD model"), evaluated as a logistic of a log-odds so that x = 1000 gives 0, not NaN.
 */
export function probabilityAlive(params: BgnbdParams, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  if (x === 0) return 1;
  const logOddsDead = (r + x) * (log(alpha + T) - log(alpha + tx)) + log(a) - log(b + x - 1);
  return expit(-logOddsDead);
}

/**
 * Conditional expected number of purchases in (T, T+t] (eq. 10):
 *   E[Y(t) | x, tx, T] = [(a+b+x−1)/(a−1)] · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x; a+b+x−1; t/(α+T+t))]
 *                        / [1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+tx))^{r+x}].
 * The power and ₂F₁ are combined in log space; the hypergeometric term uses Euler's transformation when large x
 * would make the direct series slow.
 */
export function expectedPurchases(params: BgnbdParams, t: number, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, T } = customer;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const hyp = logHyp2f1(r + x, b + x, a + b + x - 1, z);
  // ((α+T)/(α+T+t))^{r+x} = (1−z)^{r+x}.
  const logProduct = hyp.log + (r + x) * log1p(-z);
  // (a+b+x−1)/(a−1) · (1 − e^{logProduct}): both factors change sign together at a = 1; expm1 keeps precision.
  const numerator = ((a + b + x - 1) / (a - 1)) * -expm1(logProduct);
  return numerator * probabilityAlive(params, customer);
}

/** Unconditional E[X(t)] = (a+b−1)/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b; a+b−1; t/(α+t))], for a customer whose first purchase was at time 0. */
export function expectedPurchasesUnconditional(params: BgnbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + t);
  const hyp = logHyp2f1(r, b, a + b - 1, z);
  const logProduct = r * log(alpha / (alpha + t)) + hyp.log;
  return ((a + b - 1) / (a - 1)) * -expm1(logProduct);
}

/** A simulated customer, with the latent λ and p and whether they were still alive at T. */
export interface SimulatedBgnbdCustomer extends FrequencyRecency {
  /** Times of the repeat purchases, ascending, in (0, T]. */
  purchaseTimes: number[];
  lambda: number;
  p: number;
  alive: boolean;
}

/**
 * Draws n customers from the BG/NBD story: λ ~ Gamma(r, rate α), p ~ Beta(a, b); starting from a first purchase at
 * time 0, repeat purchases follow a Poisson process with rate λ, and after each repeat purchase the customer drops
 * out with probability p. Observation ends at T (one number for all, or one per customer).
 */
export function simulateBgnbd(params: BgnbdParams, n: number, T: number | readonly number[], rng: Rng): SimulatedBgnbdCustomer[] {
  assertParams(params);
  const customers: SimulatedBgnbdCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const horizon = typeof T === 'number' ? T : T[i];
    const lambda = sampleGamma(params.r, params.alpha, rng);
    const p = sampleBeta(params.a, params.b, rng);
    const purchaseTimes: number[] = [];
    let t = 0;
    let alive = true;
    for (;;) {
      t += sampleExponential(lambda, rng);
      if (!(t <= horizon)) break;
      purchaseTimes.push(t);
      if (rng() < p) {
        alive = false;
        break;
      }
    }
    const x = purchaseTimes.length;
    customers.push({ x, tx: x > 0 ? purchaseTimes[x - 1] : 0, T: horizon, purchaseTimes, lambda, p, alive });
  }
  return customers;
}
