// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".

import { minimize, type MinimizeOptions, type ValueAndGradient } from './optimize';
import { sampleGamma, type Rng } from './random';
import { digamma, lgamma } from './special-functions';

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { exp, log } = Math;

/** Spend per transaction z ~ Gamma(p, ν); across customers ν ~ Gamma(q, γ) (γ a rate). */
export interface GammaGammaParams {
  p: number;
  q: number;
  gamma: number;
}

/** A customer's repeat-purchase count x and mean repeat spend m_x, standing for `weight` customers (default 1). */
export interface MonetaryObservation {
  x: number;
  monetaryValue: number;
  weight?: number;
}

export interface GammaGammaFitOptions extends MinimizeOptions {
  /** L2 penalty on the log parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default p = 1, q = 2 and γ the mean m_x, so that the population mean pγ/(q−1) starts at the data's. */
  initial?: GammaGammaParams;
}

export interface GammaGammaFit extends GammaGammaParams {
  /** Total (weighted) log-likelihood at the estimate, without the penalty. */
  logLikelihood: number;
  iterations: number;
  /** Passes over the customers the optimiser made (a BFGS pass computes the gradient too). */
  evaluations: number;
  converged: boolean;
  /** The optimiser that produced the estimate: BFGS, or Nelder–Mead when BFGS did not converge or was not asked for. */
  method: 'bfgs' | 'nelder-mead';
  /** Total weight of the customers used (x > 0 and m_x > 0). */
  customers: number;
}

/**
 * ln f(m_x | p, q, γ; x), the density of the mean of x transactions with ν integrated out (Fader & Hardie 2013):
 *   ln Γ(px+q) − ln Γ(px) − ln Γ(q) + q ln γ + (px−1) ln m_x + px ln x − (px+q) ln(γ + x m_x).
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, x: number, mx: number): number {
  const { p, q, gamma } = params;
  const px = p * x;
  return (
    lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(gamma) + (px - 1) * log(mx) + px * log(x) -
    (px + q) * log(gamma + x * mx)
  );
}

/**
 * The informative observations (x > 0, m_x > 0, weight > 0) laid out for repeated evaluation: distinct (x, m_x) pairs
 * with their summed weights in typed arrays, the distinct values of x with their total weight (the Gamma terms depend
 * on x alone), and the sums that do not depend on the parameters: Σ w (px − 1) ln m_x = p Σ w x ln m_x − Σ w ln m_x.
 */
interface GammaGammaColumns {
  x: Float64Array;
  xm: Float64Array;
  weight: Float64Array;
  xs: Float64Array;
  weightByX: Float64Array;
  totalWeight: number;
  /** The weighted mean of m_x. */
  meanValue: number;
  sumLogM: number;
  sumXLogM: number;
}

function gammaGammaColumns(customers: readonly MonetaryObservation[]): GammaGammaColumns {
  // Nested maps keyed by the numbers themselves: a string key per customer costs more than the whole fit.
  const groups = new Map<number, Map<number, { x: number; mx: number; weight: number }>>();
  const rows: { x: number; mx: number; weight: number }[] = [];
  const weightOfX = new Map<number, number>();
  for (const c of customers) {
    const weight = c.weight ?? 1;
    if (!(c.x > 0 && c.monetaryValue > 0 && weight > 0)) continue;
    let byM = groups.get(c.x);
    if (!byM) groups.set(c.x, (byM = new Map()));
    const g = byM.get(c.monetaryValue);
    if (g) g.weight += weight;
    else {
      const row = { x: c.x, mx: c.monetaryValue, weight };
      byM.set(c.monetaryValue, row);
      rows.push(row);
    }
    weightOfX.set(c.x, (weightOfX.get(c.x) ?? 0) + weight);
  }
  let totalWeight = 0;
  let sumM = 0;
  let sumLogM = 0;
  let sumXLogM = 0;
  for (const { x, mx, weight } of rows) {
    totalWeight += weight;
    sumM += weight * mx;
    sumLogM += weight * log(mx);
    sumXLogM += weight * x * log(mx);
  }
  return {
    x: Float64Array.from(rows, (r) => r.x),
    xm: Float64Array.from(rows, (r) => r.x * r.mx),
    weight: Float64Array.from(rows, (r) => r.weight),
    xs: Float64Array.from(weightOfX.keys()),
    weightByX: Float64Array.from(weightOfX.values()),
    totalWeight,
    meanValue: sumM / totalWeight,
    sumLogM,
    sumXLogM,
  };
}

/**
 * Σ weight · ln f(m_x | p, q, γ; x) over the columns; when `gradient` is given, also its derivatives with respect
 * to (ln p, ln q, ln γ). Differentiating the density above:
 *   ∂/∂p = x [ψ(px+q) − ψ(px) + ln m_x + ln x − ln(γ + x m_x)]
 *   ∂/∂q = ψ(px+q) − ψ(q) + ln γ − ln(γ + x m_x)
 *   ∂/∂γ = q/γ − (px+q)/(γ + x m_x)
 * and ∂/∂ln θ = θ ∂/∂θ. Per row this costs one logarithm.
 */
function gammaGammaColumnsLogLikelihood(columns: GammaGammaColumns, params: GammaGammaParams, gradient?: number[]): number {
  const { p, q, gamma } = params;
  const { x, xm, weight, xs, weightByX, totalWeight, sumLogM, sumXLogM } = columns;
  let logTerms = 0;
  let dp = 0;
  let dq = 0;
  let dGamma = 0;
  for (let i = 0; i < x.length; i++) {
    const w = weight[i];
    const pxq = p * x[i] + q;
    const g = gamma + xm[i];
    const logG = log(g);
    logTerms += w * pxq * logG;
    if (gradient) {
      dp -= w * x[i] * logG;
      dq -= w * logG;
      dGamma -= (w * pxq) / g;
    }
  }
  const logGamma = log(gamma);
  let gammaTerms = totalWeight * (q * logGamma - lgamma(q));
  for (let k = 0; k < xs.length; k++) {
    const px = p * xs[k];
    gammaTerms += weightByX[k] * (lgamma(px + q) - lgamma(px) + px * log(xs[k]));
  }
  if (gradient) {
    dp += sumXLogM;
    dq += totalWeight * (logGamma - digamma(q));
    dGamma += (totalWeight * q) / gamma;
    for (let k = 0; k < xs.length; k++) {
      const px = p * xs[k];
      const psiPxq = digamma(px + q);
      dp += weightByX[k] * xs[k] * (psiPxq - digamma(px) + log(xs[k]));
      dq += weightByX[k] * psiPxq;
    }
    gradient[0] = p * dp;
    gradient[1] = q * dq;
    gradient[2] = gamma * dGamma;
  }
  return gammaTerms + p * sumXLogM - sumLogM - logTerms;
}

/**
 * The total weighted log-likelihood of the informative customers (x > 0, m_x > 0) and its gradient with respect to
 * (ln p, ln q, ln γ).
 */
export function gammaGammaLogLikelihoodGradient(
  params: GammaGammaParams,
  customers: readonly MonetaryObservation[],
): { logLikelihood: number; gradient: number[] } {
  const gradient = [0, 0, 0];
  const logLikelihood = gammaGammaColumnsLogLikelihood(gammaGammaColumns(customers), params, gradient);
  return { logLikelihood, gradient };
}

/**
 * Maximum-likelihood Gamma-Gamma on customers with at least one repeat purchase and a positive mean repeat value
 * (the others carry no information about spend per transaction and are skipped), on distinct (x, m_x) pairs with
 * their counts. Minimises the mean negative log-likelihood plus penalizer·Σ(ln θ)², as in lifetimes'
 * GammaGammaFitter, over the log parameters by BFGS with the analytic gradient, falling back to Nelder–Mead.
 */
export function fitGammaGamma(customers: readonly MonetaryObservation[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const columns = gammaGammaColumns(customers);
  const { totalWeight } = columns;
  if (totalWeight === 0) throw new RangeError('Gamma-Gamma needs customers with x > 0 and a positive monetary value');
  const penalizer = options.penalizer ?? 0;

  const objective: ValueAndGradient = (theta, gradient) => {
    const [p, q, gamma] = theta.map(exp);
    const ll = gammaGammaColumnsLogLikelihood(columns, { p, q, gamma }, gradient);
    if (gradient) theta.forEach((t, i) => (gradient[i] = -gradient[i] / totalWeight + 2 * penalizer * t));
    return -ll / totalWeight + penalizer * (theta[0] ** 2 + theta[1] ** 2 + theta[2] ** 2);
  };
  const start = options.initial ?? { p: 1, q: 2, gamma: columns.meanValue };
  const result = minimize(objective, [start.p, start.q, start.gamma].map(log), options);
  const [p, q, gamma] = result.x.map(exp);
  return {
    p,
    q,
    gamma,
    logLikelihood: gammaGammaColumnsLogLikelihood(columns, { p, q, gamma }),
    iterations: result.iterations,
    evaluations: result.evaluations,
    converged: result.converged,
    method: result.method,
    customers: totalWeight,
  };
}

/**
 * E[Z | x, m_x] = (γ + m_x x) p / (p x + q − 1): a weighted average of the population mean pγ/(q−1) and the
 * customer's own mean m_x, the weight on m_x growing with x. With x = 0 it is the population mean.
 */
export function conditionalExpectedAverageValue(params: GammaGammaParams, x: number, mx: number): number {
  const { p, q, gamma } = params;
  return ((gamma + mx * x) * p) / (p * x + q - 1);
}

/** Population mean spend per transaction pγ/(q−1); Infinity when q ≤ 1 (the mean does not exist). */
export function populationAverageValue(params: GammaGammaParams): number {
  const { p, q, gamma } = params;
  return q > 1 ? (p * gamma) / (q - 1) : Infinity;
}

/**
 * For each repeat-purchase count x, draws ν ~ Gamma(q, rate γ) and x transaction values z ~ Gamma(p, rate ν) and
 * returns their mean. The sum of x Gamma(p, ν) values is Gamma(px, ν), so one draw per customer suffices.
 * Customers with x = 0 get monetaryValue 0, as in a purchase summary.
 */
export function simulateGammaGamma(params: GammaGammaParams, frequencies: readonly number[], rng: Rng): MonetaryObservation[] {
  const { p, q, gamma } = params;
  return frequencies.map((x) => {
    if (x <= 0) return { x, monetaryValue: 0 };
    const nu = sampleGamma(q, gamma, rng);
    return { x, monetaryValue: sampleGamma(p * x, nu, rng) / x };
  });
}
