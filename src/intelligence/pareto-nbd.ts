// Pareto/NBD: Schmittlein, Morrison & Colombo (1987), "Counting Your Customers: Who Are They and What Will They Do Next?", Management Science 33(1), in the form of Fader & Hardie (2005), "A Note on Deriving the Pareto/NBD Model and Related Expressions": likelihood §3 eqs. (22)/(23), P(alive) §5, E[Y(t)|x, tx, T] §6.

import { checkedFrequencyRecency, frequencyRecencyColumns, startingAlpha, type FrequencyRecencyColumns, type WeightedFrequencyRecency } from './bgnbd';
import { maximizeLikelihoodOnLogScale, type MinimizeOptions } from './optimize';
import type { FrequencyRecency } from './purchase-summary';
import { sampleExponential, sampleGamma, type Rng } from './random';
import { digamma, expit, lgamma } from './special-functions';

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { abs, exp, expm1, log, log1p, max, min } = Math;

/** λ ~ Gamma(r, α) and μ ~ Gamma(s, β), α and β rates: purchase rates and dropout rates vary independently. */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

export interface ParetoNbdFitOptions extends MinimizeOptions {
  /** L2 penalty coefficient on the parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default r = s = 1 and α = β = ΣT / Σx, so that the mean purchase rate r/α starts near the data's. */
  initial?: ParetoNbdParams;
}

export interface ParetoNbdFit extends ParetoNbdParams {
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

function assertParams({ r, alpha, s, beta }: ParetoNbdParams): void {
  if (!(r > 0 && alpha > 0 && s > 0 && beta > 0)) throw new RangeError('Pareto/NBD parameters must all be positive');
}

// Terms allowed per hypergeometric series. The series below needs about 40 / (1 − z) terms, and z → 1 only when
// α/β or β/α is extreme; a fit treats a longer series as outside the domain (its line search steps back), while a
// prediction for one customer may afford more.
const FIT_MAX_TERMS = 100_000;
const PREDICTION_MAX_TERMS = 2_000_000;
const SERIES_TOLERANCE = 1e-17;

/**
 * E = ₂F₁(1, p; a+1; z) = Σₙ (p)ₙ / (a+1)ₙ zⁿ for 0 ≤ z < 1, and, when `d` is given, d[0] = ∂E/∂p,
 * d[1] = ∂E/∂a (the lower parameter a+1 moving with a) and d[2] = ∂E/∂z, summed term by term. With p < a+1 every
 * term ratio (p+n)/(a+n+1)·z is below z, so the terms fall from the start and the tail after a term is at most
 * term·z/(1−z). NaN when maxTerms were not enough.
 */
function eulerSeries(p: number, a: number, z: number, maxTerms: number, d?: Float64Array): number {
  let term = 1;
  let sum = 1;
  let dp = 0;
  let da = 0;
  let dz = 0;
  // Σ_{k<n} 1/(p+k) and Σ_{k≤n} 1/(a+k): the derivatives of ln (p)ₙ and ln (a+1)ₙ.
  let harmonicP = 0;
  let harmonicA = 0;
  const oneMinusZ = 1 - z;
  for (let n = 1; n <= maxTerms; n++) {
    const ratio = (p + n - 1) / (a + n);
    if (d) {
      harmonicP += 1 / (p + n - 1);
      harmonicA += 1 / (a + n);
      // n·termₙ/z, written without dividing by z so that z = 0 gives ∂E/∂z = p/(a+1).
      dz += term * ratio * n;
    }
    term *= ratio * z;
    sum += term;
    if (d) {
      dp += term * harmonicP;
      da -= term * harmonicA;
    }
    // Bounds the tails of all four sums (the derivatives' terms carry the extra factors n, harmonicP, harmonicA).
    if (term * (n + harmonicP + harmonicA + 1 / oneMinusZ) <= SERIES_TOLERANCE * oneMinusZ * sum) {
      if (d) {
        d[0] = dp;
        d[1] = da;
        d[2] = dz;
      }
      return sum;
    }
  }
  return NaN;
}

/**
 * ln G(y) for G(y) = (r+s+x) ∫_y^∞ (α+u)^{−(r+x)} (β+u)^{−(s+1)} du, so that the note's A₀ = G(tx) − G(T) (eqs.
 * 22/23 with the ₂F₁ terms divided by (α+·)^{r+s+x} or (β+·)^{r+s+x}). Fader & Hardie write G with
 * ₂F₁(r+s+x, s+1; r+s+x+1; (α−β)/(α+y)) when α ≥ β and ₂F₁(r+s+x, r+x; r+s+x+1; (β−α)/(β+y)) when α < β, so that
 * the argument z stays in [0, 1). Euler's transformation ₂F₁(a, b; a+1; z) = (1−z)^{1−b} ₂F₁(1, a+1−b; a+1; z)
 * turns each into a series whose terms fall from the start (the untransformed one first climbs for about
 * b·z/(1−z) terms, which is thousands when x is in the hundreds) and whose prefactor is a product of powers:
 *   α ≥ β:  G(y) = (α+y)^{−(r+x)} (β+y)^{−s} ₂F₁(1, r+x; r+s+x+1; (α−β)/(α+y))
 *   α < β:  G(y) = (α+y)^{1−r−x} (β+y)^{−(s+1)} ₂F₁(1, s+1; r+s+x+1; (β−α)/(β+y)).
 * When `partials` is given it receives ∂ ln G / ∂(r, α, s, β). NaN when the series did not converge.
 */
function logG(
  r: number,
  alpha: number,
  s: number,
  beta: number,
  x: number,
  y: number,
  maxTerms: number,
  partials?: Float64Array,
  scratch?: Float64Array,
): number {
  const a = r + s + x;
  const alphaY = alpha + y;
  const betaY = beta + y;
  const logAlphaY = log(alphaY);
  const logBetaY = log(betaY);
  if (alpha >= beta) {
    const z = (alpha - beta) / alphaY;
    const E = eulerSeries(r + x, a, z, maxTerms, partials && scratch);
    const value = log(E) - (r + x) * logAlphaY - s * logBetaY;
    if (partials && scratch) {
      const Ep = scratch[0] / E;
      const Ea = scratch[1] / E;
      const Ez = scratch[2] / E;
      partials[0] = Ep + Ea - logAlphaY;
      partials[1] = (Ez * betaY) / (alphaY * alphaY) - (r + x) / alphaY;
      partials[2] = Ea - logBetaY;
      partials[3] = -Ez / alphaY - s / betaY;
    }
    return value;
  }
  const z = (beta - alpha) / betaY;
  const E = eulerSeries(s + 1, a, z, maxTerms, partials && scratch);
  const value = log(E) + (1 - r - x) * logAlphaY - (s + 1) * logBetaY;
  if (partials && scratch) {
    const Ep = scratch[0] / E;
    const Ea = scratch[1] / E;
    const Ez = scratch[2] / E;
    partials[0] = Ea - logAlphaY;
    partials[1] = -Ez / betaY + (1 - r - x) / alphaY;
    partials[2] = Ep + Ea - logBetaY;
    partials[3] = (Ez * alphaY) / (betaY * betaY) - (s + 1) / betaY;
  }
  return value;
}

interface PartialsWork {
  /** ∂ ln G / ∂(r, α, s, β) at y = tx and at y = T. */
  atTx: Float64Array;
  atT: Float64Array;
  scratch: Float64Array;
  /** G(T) / G(tx), left by logDied. */
  ratio: number;
}

/** ln of the alive-at-T term of L without its Gamma factor: −(r+x) ln(α+T) − s ln(β+T). */
function logAlive({ r, alpha, s, beta }: ParetoNbdParams, x: number, T: number): number {
  return -(r + x) * log(alpha + T) - s * log(beta + T);
}

/**
 * ln of the died-in-(tx, T] term of L without its Gamma factor, ln(s/(r+s+x) · A₀), −Infinity when tx = T. A₀ =
 * G(tx) − G(T) is formed as G(tx)·(1 − G(T)/G(tx)) so that no difference of large numbers is taken outside log1p.
 * With `work`, also leaves the partials of ln G and the ratio G(T)/G(tx) there. NaN when a series did not converge.
 */
function logDied(p: ParetoNbdParams, x: number, tx: number, T: number, maxTerms: number, work?: PartialsWork): number {
  if (!(T > tx)) return -Infinity;
  const { r, alpha, s, beta } = p;
  const logG1 = logG(r, alpha, s, beta, x, tx, maxTerms, work?.atTx, work?.scratch);
  const logG2 = logG(r, alpha, s, beta, x, T, maxTerms, work?.atT, work?.scratch);
  const ratio = exp(logG2 - logG1);
  if (work) work.ratio = ratio;
  if (Number.isNaN(ratio)) return NaN;
  // G is decreasing, so the ratio is below 1 unless rounding has met a tx within an ulp of T, where A₀ is 0.
  return ratio < 1 ? log(s) - log(r + s + x) + logG1 + log1p(-ratio) : -Infinity;
}

/**
 * ln[(α+T)^{−(r+x)} (β+T)^{−s} + s/(r+s+x) · A₀], the part of ln L that depends on tx and T; with `gradient`, adds
 * weight × its derivatives with respect to (r, α, s, β), the history's share of them weighted by π = P(died by T).
 */
function historyTerm(
  p: ParetoNbdParams,
  x: number,
  tx: number,
  T: number,
  maxTerms: number,
  weight = 1,
  gradient?: Float64Array,
  work?: PartialsWork,
): number {
  const { r, alpha, s, beta } = p;
  const B = logAlive(p, x, T);
  const C = logDied(p, x, tx, T, maxTerms, work);
  if (Number.isNaN(C)) return NaN;
  const d = C - B;
  const value = C === -Infinity ? B : max(B, C) + log1p(exp(-abs(d)));
  if (gradient && work) {
    const pi = C === -Infinity ? 0 : expit(d);
    const aliveWeight = weight * (1 - pi);
    gradient[0] -= aliveWeight * log(alpha + T);
    gradient[1] -= (aliveWeight * (r + x)) / (alpha + T);
    gradient[2] -= aliveWeight * log(beta + T);
    gradient[3] -= (aliveWeight * s) / (beta + T);
    if (pi > 0) {
      // ∂ ln A₀ = (∂ ln G(tx) − e·∂ ln G(T)) / (1 − e), e = G(T)/G(tx).
      const { atTx, atT, ratio: e } = work;
      const k = 1 / (1 - e);
      const w = weight * pi;
      gradient[0] += w * (-1 / (r + s + x) + (atTx[0] - e * atT[0]) * k);
      gradient[1] += w * (atTx[1] - e * atT[1]) * k;
      gradient[2] += w * (1 / s - 1 / (r + s + x) + (atTx[2] - e * atT[2]) * k);
      gradient[3] += w * (atTx[3] - e * atT[3]) * k;
    }
  }
  return value;
}

/**
 * ln L(r, α, s, β | x, tx, T) for one customer (Fader & Hardie's note, eqs. 22/23):
 *   L = Γ(r+x) α^r β^s / Γ(r) · [ (α+T)^{−(r+x)} (β+T)^{−s} + s/(r+s+x) · A₀ ],
 * the first term for a customer still alive at T, the second for one who died in (tx, T] (see logG for A₀).
 * Evaluated in log space throughout, so x in the hundreds neither overflows nor loses the second term.
 */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, customer: FrequencyRecency): number {
  const { r, alpha, s, beta } = params;
  const { x, tx, T } = customer;
  return lgamma(r + x) - lgamma(r) + r * log(alpha) + s * log(beta) + historyTerm(params, x, tx, T, PREDICTION_MAX_TERMS);
}

/**
 * Σ weight · ln L over the columns; when `gradient` is given, also its derivatives with respect to (ln r, ln α, ln s,
 * ln β). The Gamma part Γ(r+x)α^rβ^s/Γ(r) contributes ψ(r+x) − ψ(r) + ln α, r/α, ln β and s/β; the history part's
 * derivatives come from differentiating the series for A₀ term by term (historyTerm). NaN where a series does not
 * converge within maxTerms, which the optimiser treats as outside the domain.
 */
function paretoNbdColumnsLogLikelihood(
  columns: FrequencyRecencyColumns,
  params: ParetoNbdParams,
  gradient?: number[],
  maxTerms = FIT_MAX_TERMS,
): number {
  const { r, alpha, s, beta } = params;
  const { xs, weightByX, xIndex, tx, T, weight, totalWeight } = columns;
  const g = gradient ? new Float64Array(4) : undefined;
  const work: PartialsWork | undefined = gradient
    ? { atTx: new Float64Array(4), atT: new Float64Array(4), scratch: new Float64Array(3), ratio: 0 }
    : undefined;
  let history = 0;
  for (let i = 0; i < xIndex.length; i++) {
    const term = historyTerm(params, xs[xIndex[i]], tx[i], T[i], maxTerms, weight[i], g, work);
    if (Number.isNaN(term)) return NaN;
    history += weight[i] * term;
  }

  const logAlpha = log(alpha);
  const logBeta = log(beta);
  let gammaTerms = totalWeight * (-lgamma(r) + r * logAlpha + s * logBeta);
  for (let k = 0; k < xs.length; k++) gammaTerms += weightByX[k] * lgamma(r + xs[k]);
  if (gradient && g) {
    let dr = g[0] + totalWeight * (logAlpha - digamma(r));
    for (let k = 0; k < xs.length; k++) dr += weightByX[k] * digamma(r + xs[k]);
    gradient[0] = r * dr;
    gradient[1] = alpha * (g[1] + (totalWeight * r) / alpha);
    gradient[2] = s * (g[2] + totalWeight * logBeta);
    gradient[3] = beta * (g[3] + (totalWeight * s) / beta);
  }
  return gammaTerms + history;
}

/** Total weighted log-likelihood of many customers: the sum of paretoNbdLogLikelihood over them, computed in one pass. */
export function paretoNbdTotalLogLikelihood(params: ParetoNbdParams, customers: readonly WeightedFrequencyRecency[]): number {
  return paretoNbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params, undefined, PREDICTION_MAX_TERMS);
}

/** The total weighted log-likelihood and its gradient with respect to (ln r, ln α, ln s, ln β). */
export function paretoNbdLogLikelihoodGradient(
  params: ParetoNbdParams,
  customers: readonly WeightedFrequencyRecency[],
): { logLikelihood: number; gradient: number[] } {
  const gradient = [0, 0, 0, 0];
  const logLikelihood = paretoNbdColumnsLogLikelihood(frequencyRecencyColumns(customers), params, gradient, PREDICTION_MAX_TERMS);
  return { logLikelihood, gradient };
}

/**
 * Maximum-likelihood Pareto/NBD, minimising the mean negative log-likelihood plus penalizer·Σθ² as lifetimes'
 * ParetoNBDFitter does, over the distinct (x, tx, T) rows with their weights. Parameters are optimised on the log
 * scale (so they stay positive) by BFGS with the analytic gradient, falling back to Nelder–Mead if BFGS does not
 * converge.
 */
export function fitParetoNbd(customers: readonly WeightedFrequencyRecency[], options: ParetoNbdFitOptions = {}): ParetoNbdFit {
  const rows = checkedFrequencyRecency('Pareto/NBD', customers);
  const columns = frequencyRecencyColumns(rows);
  const { totalWeight } = columns;
  const rate = startingAlpha(rows);
  const start = options.initial ?? { r: 1, alpha: rate, s: 1, beta: rate };
  assertParams(start);
  const fit = maximizeLikelihoodOnLogScale(
    ([r, alpha, s, beta], gradient) => paretoNbdColumnsLogLikelihood(columns, { r, alpha, s, beta }, gradient),
    totalWeight,
    [start.r, start.alpha, start.s, start.beta],
    options,
  );
  const [r, alpha, s, beta] = fit.theta;
  const fitted = { r, alpha, s, beta };
  return {
    ...fitted,
    logLikelihood: paretoNbdColumnsLogLikelihood(columns, fitted, undefined, PREDICTION_MAX_TERMS),
    iterations: fit.iterations,
    evaluations: fit.evaluations,
    converged: fit.converged,
    method: fit.method,
    customers: totalWeight,
  };
}

/**
 * P(alive at T | x, tx, T) = 1 / (1 + s/(r+s+x) · (α+T)^{r+x} (β+T)^s · A₀) (the note's §5): the share of the
 * likelihood that comes from being alive at T, as a logistic of a log-odds so that x = 1000 gives 0, not NaN.
 */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, customer: FrequencyRecency): number {
  const { x, tx, T } = customer;
  return expit(logAlive(params, x, T) - logDied(params, x, tx, T, PREDICTION_MAX_TERMS));
}

/**
 * Conditional expected number of purchases in (T, T+t] (the note's §6; lifetimes'
 * conditional_expected_number_of_purchases_up_to_time):
 *   E[Y(t) | x, tx, T] = P(alive | x, tx, T) · (r+x)(β+T) / ((α+T)(s−1)) · [1 − ((β+T)/(β+T+t))^{s−1}],
 * an alive customer's posterior mean rate (r+x)/(α+T) times the expected alive time within t under the posterior
 * Gamma(s, β+T) for μ. The bracket over (s−1) is computed with expm1, which also gives its limit ln(1 + t/(β+T)) at
 * s = 1.
 */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number, customer: FrequencyRecency): number {
  const { r, alpha, s, beta } = params;
  const { x, T } = customer;
  if (t <= 0) return 0;
  const aliveTime = (beta + T) * oneMinusPowerOverExponent(s - 1, log1p(t / (beta + T)));
  return paretoNbdProbabilityAlive(params, customer) * ((r + x) / (alpha + T)) * aliveTime;
}

/** Unconditional E[X(t)] = rβ / (α(s−1)) · [1 − (β/(β+t))^{s−1}] (the note's §4), for a customer whose first purchase was at time 0. */
export function paretoNbdExpectedPurchasesUnconditional(params: ParetoNbdParams, t: number): number {
  const { r, alpha, s, beta } = params;
  if (t <= 0) return 0;
  return (r / alpha) * beta * oneMinusPowerOverExponent(s - 1, log1p(t / beta));
}

/** (1 − e^{−k·L}) / k, and its limit L at k = 0. */
function oneMinusPowerOverExponent(k: number, L: number): number {
  return k === 0 ? L : -expm1(-k * L) / k;
}

/**
 * P(X(T, T+τ) = 0 | x, tx, T): no purchase in the next τ. The history "x purchases in (0, T], the last at tx" followed
 * by no purchase in (T, T+τ] is exactly the history "x purchases in (0, T+τ], the last at tx", so the probability is
 * the ratio of the two likelihoods, L(x, tx, T+τ) / L(x, tx, T) = exp(ln L(x, tx, T+τ) − ln L(x, tx, T)); the Gamma
 * factor cancels. It includes both the customers who have died and the living who happen not to buy.
 */
export function paretoNbdProbabilityNoPurchase(params: ParetoNbdParams, tau: number, customer: FrequencyRecency): number {
  if (tau <= 0) return 1;
  const { x, tx, T } = customer;
  const later = historyTerm(params, x, tx, T + tau, PREDICTION_MAX_TERMS);
  const now = historyTerm(params, x, tx, T, PREDICTION_MAX_TERMS);
  return min(1, exp(later - now));
}

/** A simulated customer, with the latent λ and μ and whether they were still alive at T. */
export interface SimulatedParetoNbdCustomer extends FrequencyRecency {
  /** Times of the repeat purchases, ascending, in (0, T]. */
  purchaseTimes: number[];
  lambda: number;
  mu: number;
  /** The unobserved lifetime ω ~ Exponential(μ), from the first purchase at time 0. */
  lifetime: number;
  alive: boolean;
}

/**
 * Draws n customers from the Pareto/NBD story: λ ~ Gamma(r, rate α), μ ~ Gamma(s, rate β); starting from a first
 * purchase at time 0, the customer lives for ω ~ Exponential(μ) and meanwhile buys as a Poisson process with rate λ.
 * Observation ends at T (one number for all, or one per customer).
 */
export function simulateParetoNbd(params: ParetoNbdParams, n: number, T: number | readonly number[], rng: Rng): SimulatedParetoNbdCustomer[] {
  assertParams(params);
  const customers: SimulatedParetoNbdCustomer[] = [];
  for (let i = 0; i < n; i++) {
    const horizon = typeof T === 'number' ? T : T[i];
    const lambda = sampleGamma(params.r, params.alpha, rng);
    const mu = sampleGamma(params.s, params.beta, rng);
    const lifetime = sampleExponential(mu, rng);
    const end = min(lifetime, horizon);
    const purchaseTimes: number[] = [];
    for (let t = sampleExponential(lambda, rng); t <= end; t += sampleExponential(lambda, rng)) purchaseTimes.push(t);
    const x = purchaseTimes.length;
    customers.push({ x, tx: x > 0 ? purchaseTimes[x - 1] : 0, T: horizon, purchaseTimes, lambda, mu, lifetime, alive: lifetime > horizon });
  }
  return customers;
}
