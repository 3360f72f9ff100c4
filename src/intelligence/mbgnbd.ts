// MBG/NBD: Batislam, Denizel & Filiztekin (2007), "Empirical validation and comparison of models for customer base analysis", International Journal of Research in Marketing 24(3), with the conditional expectation of Wagner & Hoppe (2008), "Erratum on the MBG/NBD Model", IJRM 25(3), in the form lifetimes' ModifiedBetaGeoFitter implements.

import { checkedFrequencyRecency, frequencyRecencyColumns, startingAlpha, type FrequencyRecencyColumns, type WeightedFrequencyRecency } from './bgnbd';
import { maximizeLikelihoodOnLogScale, type MinimizeOptions } from './optimize';
import type { FrequencyRecency } from './purchase-summary';
import { sampleBeta, sampleExponential, sampleGamma, type Rng } from './random';
import { digamma, expit, lgamma, logHyp2f1 } from './special-functions';

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { abs, exp, expm1, log, log1p, max, min } = Math;

/**
 * λ ~ Gamma(r, α) (α a rate), p ~ Beta(a, b): the BG/NBD's parameters. The MBG/NBD differs in when the coin is
 * tossed: at time 0 as well as after every repeat purchase, so a customer may drop out without ever buying again.
 */
export interface MbgnbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface MbgnbdFitOptions extends MinimizeOptions {
  /** L2 penalty coefficient on the parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default r = a = b = 1 and α = ΣT / Σx, so that the mean purchase rate r/α starts near the data's. */
  initial?: MbgnbdParams;
}

export interface MbgnbdFit extends MbgnbdParams {
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

function assertParams({ r, alpha, a, b }: MbgnbdParams): void {
  if (!(r > 0 && alpha > 0 && a > 0 && b > 0)) throw new RangeError('MBG/NBD parameters must all be positive');
}

/**
 * ln L(r, α, a, b | x, tx, T) for one customer. Given λ and p the customer is either alive at T, having survived
 * x+1 tosses, or dropped out at the toss after the last purchase (time tx, which is 0 when x = 0):
 *   L = B(a, b+x+1)/B(a, b) · Γ(r+x)α^r/Γ(r) · (α+T)^{−(r+x)} + B(a+1, b+x)/B(a, b) · Γ(r+x)α^r/Γ(r) · (α+tx)^{−(r+x)}.
 * As lifetimes writes it, ln L = A₁ + A₂ + A₃ + ln(1 + e^{A₄}) with
 *   A₁ = ln Γ(r+x) − ln Γ(r) + r ln α
 *   A₂ = ln Γ(a+b) + ln Γ(b+x+1) − ln Γ(b) − ln Γ(a+b+x+1)
 *   A₃ = −(r+x) ln(α+T)
 *   A₄ = ln a − ln(b+x) + (r+x)(ln(α+T) − ln(α+tx)).
 * Unlike the BG/NBD's, the second term is there for x = 0 too.
 */
export function mbgnbdLogLikelihood(params: MbgnbdParams, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  const A1 = lgamma(r + x) - lgamma(r) + r * log(alpha);
  const A2 = lgamma(a + b) + lgamma(b + x + 1) - lgamma(b) - lgamma(a + b + x + 1);
  const A3 = -(r + x) * log(alpha + T);
  const A4 = log(a) - log(b + x) + (r + x) * (log(alpha + T) - log(alpha + tx));
  return A1 + A2 + A3 + softplus(A4);
}

/** ln(1 + e^u) without overflow. */
function softplus(u: number): number {
  return max(u, 0) + log1p(exp(-abs(u)));
}

/**
 * Σ weight · ln L over the columns; when `gradient` is given, also its derivatives with respect to (ln r, ln α, ln a,
 * ln b). With π = e^{A₄} / (1 + e^{A₄}), the posterior probability of having dropped out, differentiating the form
 * above gives
 *   ∂/∂r = ψ(r+x) − ψ(r) + ln α − (1−π) ln(α+T) − π ln(α+tx)
 *   ∂/∂α = r/α − (r+x) [(1−π)/(α+T) + π/(α+tx)]
 *   ∂/∂a = ψ(a+b) − ψ(a+b+x+1) + π/a
 *   ∂/∂b = ψ(a+b) + ψ(b+x+1) − ψ(b) − ψ(a+b+x+1) − π/(b+x)
 * and ∂/∂ln θ = θ ∂/∂θ: the BG/NBD's derivatives with b+x−1 → b+x, and π defined for x = 0 too.
 */
function mbgnbdColumnsLogLikelihood(columns: FrequencyRecencyColumns, params: MbgnbdParams, gradient?: number[]): number {
  const { r, alpha, a, b } = params;
  const { xs, weightByX, xIndex, tx, T, weight, totalWeight } = columns;
  const logA = log(a);
  const logBx = xs.map((x) => log(b + x));
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
    const alphaTx = alpha + tx[i];
    const logAlphaT = log(alphaT);
    const logAlphaTx = log(alphaTx);
    const A4 = logA - logBx[k] + rx * (logAlphaT - logAlphaTx);
    branches += w * (-rx * logAlphaT + softplus(A4));
    if (gradient) {
      const pi = expit(A4);
      dr -= w * ((1 - pi) * logAlphaT + pi * logAlphaTx);
      dAlpha -= w * rx * ((1 - pi) / alphaT + pi / alphaTx);
      dLogA += w * pi;
      dLogB -= (w * pi * b) / (b + x);
    }
  }

  const logAlpha = log(alpha);
  const constant = -lgamma(r) + r * logAlpha + lgamma(a + b) - lgamma(b);
  let gammaTerms = totalWeight * constant;
  for (let k = 0; k < xs.length; k++) {
    const x = xs[k];
    gammaTerms += weightByX[k] * (lgamma(r + x) + lgamma(b + x + 1) - lgamma(a + b + x + 1));
  }
  if (gradient) {
    const psiR = digamma(r);
    const psiB = digamma(b);
    const psiAB = digamma(a + b);
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      const W = weightByX[k];
      const psiABX = digamma(a + b + x + 1);
      dr += W * (digamma(r + x) - psiR);
      dLogA += W * a * (psiAB - psiABX);
      dLogB += W * b * (psiAB + digamma(b + x + 1) - psiB - psiABX);
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

/** Total weighted log-likelihood of many customers: the sum of mbgnbdLogLikelihood over them, computed in one pass. */
export function mbgnbdTotalLogLikelihood(params: MbgnbdParams, customers: readonly WeightedFrequencyRecency[]): number {
  return mbgnbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params);
}

/** The total weighted log-likelihood and its gradient with respect to (ln r, ln α, ln a, ln b). */
export function mbgnbdLogLikelihoodGradient(
  params: MbgnbdParams,
  customers: readonly WeightedFrequencyRecency[],
): { logLikelihood: number; gradient: number[] } {
  const gradient = [0, 0, 0, 0];
  const logLikelihood = mbgnbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params, gradient);
  return { logLikelihood, gradient };
}

/**
 * Maximum-likelihood MBG/NBD, minimising the mean negative log-likelihood plus penalizer·Σθ² as lifetimes'
 * ModifiedBetaGeoFitter does, over the distinct (x, tx, T) rows with their weights. Parameters are optimised on the
 * log scale (so they stay positive) by BFGS with the analytic gradient, falling back to Nelder–Mead if BFGS does not
 * converge.
 */
export function fitMbgnbd(customers: readonly WeightedFrequencyRecency[], options: MbgnbdFitOptions = {}): MbgnbdFit {
  const rows = checkedFrequencyRecency('MBG/NBD', customers);
  const columns = frequencyRecencyColumns(rows);
  const { totalWeight } = columns;
  const start = options.initial ?? { r: 1, alpha: startingAlpha(rows), a: 1, b: 1 };
  assertParams(start);
  const fit = maximizeLikelihoodOnLogScale(
    ([r, alpha, a, b], gradient) => mbgnbdColumnsLogLikelihood(columns, { r, alpha, a, b }, gradient),
    totalWeight,
    [start.r, start.alpha, start.a, start.b],
    options,
  );
  const [r, alpha, a, b] = fit.theta;
  const fitted = { r, alpha, a, b };
  return {
    ...fitted,
    logLikelihood: mbgnbdColumnsLogLikelihood(columns, fitted),
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
    method: fit.method,
    customers: totalWeight,
  };
}

/**
 * P(alive | x, tx, T) = 1 / (1 + a/(b+x) · ((α+T)/(α+tx))^{r+x}) (Batislam et al., appendix A, eq. 5), for x = 0 as
 * well: a customer who has not bought again may have dropped out at time 0, so P(alive) < 1 even then. Evaluated as a
 * logistic of a log-odds so that x = 1000 gives 0, not NaN.
 */
export function mbgnbdProbabilityAlive(params: MbgnbdParams, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, tx, T } = customer;
  return expit(-(log(a) - log(b + x) + (r + x) * (log(alpha + T) - log(alpha + tx))));
}

/**
 * Conditional expected number of purchases in (T, T+t] (Wagner & Hoppe 2008; lifetimes):
 *   E[Y(t) | x, tx, T] = (a+b+x)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} ₂F₁(r+x, b+x+1; a+b+x; t/(α+T+t))] · P(alive).
 * An alive customer has survived x+1 tosses, so p | alive ~ Beta(a, b+x+1), and λ | alive ~ Gamma(r+x, α+T): the
 * bracket is the BG/NBD's expectation for a fresh customer with those posteriors. The power and ₂F₁ are combined in
 * log space.
 */
export function mbgnbdExpectedPurchases(params: MbgnbdParams, t: number, customer: FrequencyRecency): number {
  const { r, alpha, a, b } = params;
  const { x, T } = customer;
  if (t <= 0) return 0;
  const z = t / (alpha + T + t);
  const hyp = logHyp2f1(r + x, b + x + 1, a + b + x, z);
  // ((α+T)/(α+T+t))^{r+x} = (1−z)^{r+x}.
  const logProduct = hyp.log + (r + x) * log1p(-z);
  // (a+b+x)/(a−1) · (1 − e^{logProduct}): both factors change sign together at a = 1; expm1 keeps precision.
  return ((a + b + x) / (a - 1)) * -expm1(logProduct) * mbgnbdProbabilityAlive(params, customer);
}

/**
 * Unconditional E[X(t)] = b/(a−1) · [1 − (α/(α+t))^r ₂F₁(r, b+1; a+b; t/(α+t))], for a customer whose first
 * purchase was at time 0: the share b/(a+b) who survive the first toss, times the BG/NBD's expectation with
 * p ~ Beta(a, b+1).
 */
export function mbgnbdExpectedPurchasesUnconditional(params: MbgnbdParams, t: number): number {
  const { r, alpha, a, b } = params;
  if (t <= 0) return 0;
  const z = t / (alpha + t);
  const hyp = logHyp2f1(r, b + 1, a + b, z);
  const logProduct = r * log1p(-z) + hyp.log;
  return (b / (a - 1)) * -expm1(logProduct);
}

/**
 * P(X(T, T+τ) = 0 | x, tx, T): no purchase in the next τ. The history "x purchases in (0, T], the last at tx" followed
 * by no purchase in (T, T+τ] is exactly the history "x purchases in (0, T+τ], the last at tx", so the probability is
 * the ratio of the two likelihoods, L(x, tx, T+τ) / L(x, tx, T) = exp(ln L(x, tx, T+τ) − ln L(x, tx, T)). It
 * includes both the customers who have dropped out and the living who happen not to buy.
 */
export function mbgnbdProbabilityNoPurchase(params: MbgnbdParams, tau: number, customer: FrequencyRecency): number {
  if (tau <= 0) return 1;
  const later = mbgnbdLogLikelihood(params, { ...customer, T: customer.T + tau });
  return min(1, exp(later - mbgnbdLogLikelihood(params, customer)));
}

/** A simulated customer, with the latent λ and p and whether they were still alive at T. */
export interface SimulatedMbgnbdCustomer extends FrequencyRecency {
  /** Times of the repeat purchases, ascending, in (0, T]. */
  purchaseTimes: number[];
  lambda: number;
  p: number;
  alive: boolean;
}

/**
 * Draws n customers from the MBG/NBD story: λ ~ Gamma(r, rate α), p ~ Beta(a, b); at the first purchase (time 0)
 * and after each repeat purchase the customer drops out with probability p, and while alive buys as a Poisson
 * process with rate λ. Observation ends at T (one number for all, or one per customer).
 */
export function simulateMbgnbd(params: MbgnbdParams, n: number, T: number | readonly number[], rng: Rng): SimulatedMbgnbdCustomer[] {
  assertParams(params);
  const customers: SimulatedMbgnbdCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const horizon = typeof T === 'number' ? T : T[i];
    const lambda = sampleGamma(params.r, params.alpha, rng);
    const p = sampleBeta(params.a, params.b, rng);
    const purchaseTimes: number[] = [];
    let alive = !(rng() < p);
    for (let t = 0; alive; ) {
      t += sampleExponential(lambda, rng);
      if (!(t <= horizon)) break;
      purchaseTimes.push(t);
      if (rng() < p) alive = false;
    }
    const x = purchaseTimes.length;
    customers.push({ x, tx: x > 0 ? purchaseTimes[x - 1] : 0, T: horizon, purchaseTimes, lambda, p, alive });
  }
  return customers;
}
