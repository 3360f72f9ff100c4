// BG/NBD: Fader, Hardie & Lee (2005), "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2): likelihood eq. 6, E[Y(t)|x, tx, T] eq. 10.

import { maximizeLikelihoodOnLogScale, type MinimizeOptions } from './optimize';
import type { FrequencyRecency } from './purchase-summary';
import { sampleBeta, sampleExponential, sampleGamma, type Rng } from './random';
import { digamma, expit, lgamma, logAddExp, logHyp2f1 } from './special-functions';

export type { FrequencyRecency } from './purchase-summary';

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { abs, exp, expm1, log, log1p, max } = Math;

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

export interface BgnbdFitOptions extends MinimizeOptions {
  /** L2 penalty coefficient on the parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default r = a = b = 1 and α = ΣT / Σx, so that the mean purchase rate r/α starts near the data's. */
  initial?: BgnbdParams;
}

export interface BgnbdFit extends BgnbdParams {
  /** Total (weighted) log-likelihood at the estimate, without the penalty. */
  logLikelihood: number;
  iterations: number;
  /** Passes over the customers the optimiser made (a BFGS pass computes the gradient too). */
  evaluations: number;
  converged: boolean;
  /** The optimiser that produced the estimate: BFGS, or Nelder–Mead when BFGS did not converge or was not asked for. */
  method: 'bfgs' | 'nelder-mead';
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
  // Nested maps keyed by the numbers themselves: a string key per customer costs more than the whole fit.
  const groups = new Map<number, Map<number, Map<number, Required<WeightedFrequencyRecency>>>>();
  const rows: Required<WeightedFrequencyRecency>[] = [];
  for (const c of customers) {
    const weight = c.weight ?? 1;
    if (weight === 0) continue;
    let byTx = groups.get(c.x);
    if (!byTx) groups.set(c.x, (byTx = new Map()));
    let byT = byTx.get(c.tx);
    if (!byT) byTx.set(c.tx, (byT = new Map()));
    const g = byT.get(c.T);
    if (g) g.weight += weight;
    else {
      const row = { x: c.x, tx: c.tx, T: c.T, weight };
      byT.set(c.T, row);
      rows.push(row);
    }
  }
  return rows;
}

/**
 * Customers laid out for repeated evaluation: one entry per row in typed arrays, and the distinct values of x with
 * their total weight, because the Gamma terms of every customer-base model (and their derivatives) depend on x alone.
 */
export interface FrequencyRecencyColumns {
  xs: Float64Array;
  weightByX: Float64Array;
  xIndex: Int32Array;
  tx: Float64Array;
  T: Float64Array;
  weight: Float64Array;
  totalWeight: number;
}

export function frequencyRecencyColumns(customers: readonly WeightedFrequencyRecency[]): FrequencyRecencyColumns {
  const n = customers.length;
  const indexOfX = new Map<number, number>();
  const xIndex = new Int32Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const weight = new Float64Array(n);
  const weightByX: number[] = [];
  let totalWeight = 0;
  customers.forEach((c, i) => {
    let k = indexOfX.get(c.x);
    if (k === undefined) {
      indexOfX.set(c.x, (k = indexOfX.size));
      weightByX.push(0);
    }
    xIndex[i] = k;
    tx[i] = c.tx;
    T[i] = c.T;
    weight[i] = c.weight ?? 1;
    weightByX[k] += weight[i];
    totalWeight += weight[i];
  });
  return { xs: Float64Array.from(indexOfX.keys()), weightByX: Float64Array.from(weightByX), xIndex, tx, T, weight, totalWeight };
}

/**
 * Σ weight · ln L over the columns; when `gradient` is given, also its derivatives with respect to (ln r, ln α, ln a,
 * ln b). With π = e^{A₄} / (e^{A₃} + e^{A₄}) (0 when x = 0), differentiating eq. 6 in the form above gives
 *   ∂/∂r = ψ(r+x) − ψ(r) + ln α − (1−π) ln(α+T) − π ln(α+tx)
 *   ∂/∂α = r/α − (r+x) [(1−π)/(α+T) + π/(α+tx)]
 *   ∂/∂a = ψ(a+b) − ψ(a+b+x) + π/a
 *   ∂/∂b = ψ(a+b) + ψ(b+x) − ψ(b) − ψ(a+b+x) − π/(b+x−1)
 * and ∂/∂ln θ = θ ∂/∂θ. Per row this costs two logarithms and one exponential.
 */
function bgnbdColumnsLogLikelihood(columns: FrequencyRecencyColumns, params: BgnbdParams, gradient?: number[]): number {
  const { r, alpha, a, b } = params;
  const { xs, weightByX, xIndex, tx, T, weight } = columns;
  const logA = log(a);
  const logB = xs.map((x) => (x > 0 ? log(b + x - 1) : 0));
  let branches = 0;
  let dr = 0;
  let dAlpha = 0;
  let dLogA = 0;
  let dLogB = 0;
  for (let i = 0; i < xIndex.length; i++) {
    const k = xIndex[i];
    const x = xs[k];
    const w = weight[i];
    const rx = r + x;
    const alphaT = alpha + T[i];
    const logAlphaT = log(alphaT);
    const A3 = -rx * logAlphaT;
    if (x === 0) {
      branches += w * A3;
      if (gradient) {
        dr -= w * logAlphaT;
        dAlpha -= (w * rx) / alphaT;
      }
      continue;
    }
    const alphaTx = alpha + tx[i];
    const logAlphaTx = log(alphaTx);
    const A4 = logA - logB[k] - rx * logAlphaTx;
    // ln(e^{A₃} + e^{A₄}) and π from one exponential.
    const d = A4 - A3;
    const e = exp(-abs(d));
    branches += w * (max(A3, A4) + log1p(e));
    if (gradient) {
      const pi = d > 0 ? 1 / (1 + e) : e / (1 + e);
      dr -= w * ((1 - pi) * logAlphaT + pi * logAlphaTx);
      dAlpha -= w * rx * ((1 - pi) / alphaT + pi / alphaTx);
      dLogA += w * pi;
      dLogB -= (w * pi * b) / (b + x - 1);
    }
  }

  const logAlpha = log(alpha);
  const constant = -lgamma(r) + r * logAlpha + lgamma(a + b) - lgamma(b);
  let gammaTerms = 0;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    gammaTerms += weightByX[k] * (constant + lgamma(r + x) + lgamma(b + x) - lgamma(a + b + x));
  }
  if (gradient) {
    const psiR = digamma(r);
    const psiB = digamma(b);
    const psiAB = digamma(a + b);
    let totalWeight = 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      const W = weightByX[k];
      const psiABX = digamma(a + b + x);
      totalWeight += W;
      dr += W * (digamma(r + x) - psiR);
      dLogA += W * a * (psiAB - psiABX);
      dLogB += W * b * (psiAB + digamma(b + x) - psiB - psiABX);
    }
    dr += totalWeight * logAlpha;
    dAlpha += (totalWeight * r) / alpha;
    gradient[0] = r * dr;
    gradient[1] = alpha * dAlpha;
    gradient[2] = dLogA;
    gradient[3] = dLogB;
  }
  return gammaTerms + branches;
}

/** Total weighted log-likelihood of many customers: the sum of bgnbdLogLikelihood over them, computed in one pass. */
export function bgnbdTotalLogLikelihood(params: BgnbdParams, customers: readonly WeightedFrequencyRecency[]): number {
  return bgnbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params);
}

/** The total weighted log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). */
export function bgnbdLogLikelihoodGradient(
  params: BgnbdParams,
  customers: readonly WeightedFrequencyRecency[],
): { logLikelihood: number; gradient: number[] } {
  const gradient = [0, 0, 0, 0];
  const logLikelihood = bgnbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params, gradient);
  return { logLikelihood, gradient };
}

/**
 * Maximum-likelihood BG/NBD, minimising the mean negative log-likelihood plus penalizer·Σθ² as lifetimes'
 * BetaGeoFitter does. Parameters are optimised on the log scale (so they stay positive) by BFGS with the analytic
 * gradient, falling back to Nelder–Mead if BFGS does not converge.
 */
export function fitBgnbd(customers: readonly WeightedFrequencyRecency[], options: BgnbdFitOptions = {}): BgnbdFit {
  const rows = checkedFrequencyRecency('BG/NBD', customers);
  const columns = frequencyRecencyColumns(rows);
  const { totalWeight } = columns;
  const start = options.initial ?? { r: 1, alpha: startingAlpha(rows), a: 1, b: 1 };
  assertParams(start);
  const fit = maximizeLikelihoodOnLogScale(
    ([r, alpha, a, b], gradient) => bgnbdColumnsLogLikelihood(columns, { r, alpha, a, b }, gradient),
    totalWeight,
    [start.r, start.alpha, start.a, start.b],
    options,
  );
  const [r, alpha, a, b] = fit.theta;
  const fitted = { r, alpha, a, b };
  return {
    ...fitted,
    logLikelihood: bgnbdColumnsLogLikelihood(columns, fitted),
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
    method: fit.method,
    customers: totalWeight,
  };
}

/**
 * The customers compressed to distinct (x, tx, T) rows with weights, checked for what every customer-base model needs
 * (0 ≤ tx ≤ T, x ≥ 0, positive weights, at least one customer); `model` names the model in the error.
 */
export function checkedFrequencyRecency(model: string, customers: readonly WeightedFrequencyRecency[]): Required<WeightedFrequencyRecency>[] {
  const rows = compressFrequencyRecency(customers);
  for (const c of rows) {
    if (!(c.x >= 0 && c.tx >= 0 && c.T >= c.tx && c.weight > 0)) {
      throw new RangeError(`${model} needs 0 ≤ tx ≤ T, x ≥ 0 and positive weights (got x=${c.x}, tx=${c.tx}, T=${c.T})`);
    }
  }
  if (rows.length === 0) throw new RangeError(`${model} needs at least one customer`);
  return rows;
}

/** ΣT / Σx over the rows, the α at which r = 1 matches the observed purchase rate (ignoring drop-out); 1 without purchases. */
export function startingAlpha(rows: readonly Required<WeightedFrequencyRecency>[]): number {
  let purchases = 0;
  let time = 0;
  for (const c of rows) {
    purchases += c.weight * c.x;
    time += c.weight * c.T;
  }
  return purchases > 0 && time > 0 ? time / purchases : 1;
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
 * P(X(T, T+τ) = 0 | x, tx, T): the chance of no purchase in the next τ. Observing "x purchases, the last at tx" on
 * (0, T+τ] is observing the same on (0, T] and nothing after, so the probability is L(x, tx, T+τ) / L(x, tx, T) with
 * L the likelihood of eq. 6; in closed form 1 − P(alive) + P(alive)·((α+T)/(α+T+τ))^{r+x}, because a customer alive
 * at T with rate λ ~ Gamma(r+x, α+T) a posteriori stays alive until the next purchase. Unlike 1 − P(alive), this is
 * not 0 for a one-time buyer (who cannot have dropped out under BG/NBD, yet rarely buys again).
 */
export function probabilityNoPurchase(params: BgnbdParams, tau: number, customer: FrequencyRecency): number {
  if (!(tau >= 0)) throw new RangeError('the horizon τ must be ≥ 0');
  const { r, alpha } = params;
  const { x, T } = customer;
  const alive = probabilityAlive(params, customer);
  // ((α+T)/(α+T+τ))^{r+x} as exp(−(r+x)·ln(1 + τ/(α+T))): exact for small τ.
  return 1 - alive + alive * exp(-(r + x) * log1p(tau / (alpha + T)));
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
