// Gamma-Gamma spend model: Fader, Hardie & Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value".

import { nelderMead, type NelderMeadOptions } from './optimize';
import { sampleGamma, type Rng } from './random';
import { lgamma } from './special-functions';

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

export interface GammaGammaFitOptions extends NelderMeadOptions {
  /** L2 penalty on the log parameters, added to the mean negative log-likelihood as lifetimes does. Default 0. */
  penalizer?: number;
  /** Starting point. Default p = q = gamma = 1. */
  initial?: GammaGammaParams;
}

export interface GammaGammaFit extends GammaGammaParams {
  /** Total (weighted) log-likelihood at the estimate, without the penalty. */
  logLikelihood: number;
  iterations: number;
  converged: boolean;
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
 * Maximum-likelihood Gamma-Gamma on customers with at least one repeat purchase and a positive mean repeat value
 * (the others carry no information about spend per transaction and are skipped). Log-scale Nelder–Mead with
 * restarts on the mean negative log-likelihood plus penalizer·Σ(ln θ)², as in lifetimes' GammaGammaFitter.
 */
export function fitGammaGamma(customers: readonly MonetaryObservation[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const groups = new Map<string, { x: number; mx: number; weight: number }>();
  for (const c of customers) {
    const weight = c.weight ?? 1;
    if (!(c.x > 0 && c.monetaryValue > 0 && weight > 0)) continue;
    const key = `${c.x}|${c.monetaryValue}`;
    const g = groups.get(key);
    if (g) g.weight += weight;
    else groups.set(key, { x: c.x, mx: c.monetaryValue, weight });
  }
  const rows = [...groups.values()];
  const totalWeight = rows.reduce((s, c) => s + c.weight, 0);
  if (totalWeight === 0) throw new RangeError('Gamma-Gamma needs customers with x > 0 and a positive monetary value');
  const penalizer = options.penalizer ?? 0;

  const total = (params: GammaGammaParams): number => {
    // The Gamma terms depend on x only; computing them once per distinct x makes large fits several times faster.
    const { p, q, gamma } = params;
    const constant = -lgamma(q) + q * log(gamma);
    const byX = new Map<number, number>();
    let ll = 0;
    for (const { x, mx, weight } of rows) {
      const px = p * x;
      let gammaTerms = byX.get(x);
      if (gammaTerms === undefined) byX.set(x, (gammaTerms = constant + lgamma(px + q) - lgamma(px) + px * log(x)));
      ll += weight * (gammaTerms + (px - 1) * log(mx) - (px + q) * log(gamma + x * mx));
    }
    return ll;
  };
  const objective = (theta: readonly number[]): number => {
    const params = { p: exp(theta[0]), q: exp(theta[1]), gamma: exp(theta[2]) };
    return -total(params) / totalWeight + penalizer * (theta[0] ** 2 + theta[1] ** 2 + theta[2] ** 2);
  };
  const start = options.initial ?? { p: 1, q: 1, gamma: 1 };
  const result = nelderMead(objective, [start.p, start.q, start.gamma].map(log), options);
  const [p, q, gamma] = result.x.map(exp);
  return {
    p,
    q,
    gamma,
    logLikelihood: total({ p, q, gamma }),
    iterations: result.iterations,
    converged: result.converged,
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
