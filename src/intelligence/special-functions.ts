// Special functions: log-gamma by Lanczos (1964) with g = 7, n = 9; digamma by recurrence and its asymptotic series (Abramowitz & Stegun 6.3.5, 6.3.7, 6.3.18); Gauss ₂F₁ by its series (Abramowitz & Stegun 15.1.1) with the Euler (15.3.3) and Pfaff (15.3.4) transformations.

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { PI, abs, exp, log, log1p, max, sin, tan } = Math;

const LANCZOS_G = 7;
const LANCZOS_COEFFICIENTS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const HALF_LOG_TWO_PI = 0.5 * log(2 * PI);

/** ln|Γ(x)|. Infinity at the poles (0, −1, −2, …). */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1−x) = π / sin(πx).
    return log(PI / abs(sin(PI * x))) - lgamma(1 - x);
  }
  const z = x - 1;
  let series = LANCZOS_COEFFICIENTS[0];
  for (let i = 1; i < LANCZOS_COEFFICIENTS.length; i++) series += LANCZOS_COEFFICIENTS[i] / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (z + 0.5) * log(t) - t + log(series);
}

/**
 * ψ(x) = d ln Γ(x)/dx. Negative x by reflection, ψ(x) = ψ(1−x) − π cot(πx); small x climbs by ψ(x) = ψ(x+1) − 1/x
 * to x ≥ 10, where the asymptotic series ln x − 1/(2x) − Σ B₂ₖ/(2k x²ᵏ) through x⁻¹⁴ leaves an error below 1e-16.
 * NaN at the poles (0, −1, −2, …), where ψ tends to +∞ on one side and −∞ on the other.
 */
export function digamma(x: number): number {
  if (Number.isNaN(x) || (x <= 0 && Number.isInteger(x))) return NaN;
  if (x < 0) return digamma(1 - x) - PI / tan(PI * x);
  let shift = 0;
  while (x < 10) {
    shift -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  const series = inv2 * (1 / 12 - inv2 * (1 / 120 - inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  return shift + log(x) - 0.5 / x - series;
}

/** ln(e^a + e^b) without overflow; −Infinity is the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = max(a, b);
  return m + log(exp(a - m) + exp(b - m));
}

/** ln Σ e^{v_i} without overflow; −Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  if (m === -Infinity || m === Infinity) return m;
  let s = 0;
  for (const v of values) s += exp(v - m);
  return m + log(s);
}

/** The logistic function 1 / (1 + e^{−u}), stable for large |u|. */
export function expit(u: number): number {
  if (u >= 0) return 1 / (1 + exp(-u));
  const e = exp(u);
  return e / (1 + e);
}

/** A real number as sign × e^log, so that values beyond the double range survive. */
export interface SignedLog {
  log: number;
  sign: -1 | 0 | 1;
}

export interface Hyp2f1Options {
  /** Relative tolerance on the truncated tail. Default 1e-15. */
  tolerance?: number;
  /** Terms allowed per series before it counts as not converging. Default 1,000,000. */
  maxTerms?: number;
}

const RESCALE_AT = 1e200;
const LOG_RESCALE = log(RESCALE_AT);

/** The power series Σ (a)_n (b)_n / (c)_n zⁿ/n!, rescaled as it goes; null if it has not converged within maxTerms. */
function hyp2f1Series(a: number, b: number, c: number, z: number, tolerance: number, maxTerms: number): SignedLog | null {
  let term = 1;
  let sum = 1;
  let logScale = 0;
  const absZ = abs(z);
  for (let n = 0; n < maxTerms; n++) {
    term *= (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    sum += term;
    if (term === 0) return toSignedLog(sum, logScale);
    if (abs(sum) > RESCALE_AT || abs(term) > RESCALE_AT) {
      sum /= RESCALE_AT;
      term /= RESCALE_AT;
      logScale += LOG_RESCALE;
    }
    // The term ratio tends to z; bound the tail by a geometric series with the larger of the next ratio and |z|.
    const nextRatio = abs((((a + n + 1) * (b + n + 1)) / ((c + n + 1) * (n + 2))) * z);
    const rho = max(nextRatio, absZ);
    if (rho < 1 && (abs(term) * rho) / (1 - rho) <= tolerance * abs(sum)) return toSignedLog(sum, logScale);
    if (!Number.isFinite(sum)) return null;
  }
  return null;
}

function toSignedLog(value: number, logScale: number): SignedLog {
  if (value === 0) return { log: -Infinity, sign: 0 };
  return { log: log(abs(value)) + logScale, sign: value > 0 ? 1 : -1 };
}

/**
 * ln|₂F₁(a, b; c; z)| with its sign, for real z < 1 (and z = 1 when c − a − b > 0, by Gauss's theorem).
 * For z < 0 the Pfaff transformation maps z into (0, 1). For 0 ≤ z < 1 the series is summed directly or after
 * Euler's transformation ₂F₁(a,b;c;z) = (1−z)^{c−a−b} ₂F₁(c−a, c−b; c; z), whichever has the smaller upper
 * parameters (the number of terms grows with them), falling back to the other when the first does not converge.
 */
export function logHyp2f1(a: number, b: number, c: number, z: number, options: Hyp2f1Options = {}): SignedLog {
  const tolerance = options.tolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 1_000_000;
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError('hyp2f1: arguments must be finite');
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`hyp2f1: c = ${c} is a non-positive integer`);
  if (z === 0 || a === 0 || b === 0) return { log: 0, sign: 1 };
  if (z > 1) throw new RangeError(`hyp2f1: z = ${z} > 1 is outside the real domain handled here`);
  if (z === 1) {
    if (c - a - b <= 0) throw new RangeError('hyp2f1: diverges at z = 1 unless c − a − b > 0');
    // Gauss: ₂F₁(a,b;c;1) = Γ(c)Γ(c−a−b) / (Γ(c−a)Γ(c−b)), here for the common case of positive Gamma arguments.
    return { log: lgamma(c) + lgamma(c - a - b) - lgamma(c - a) - lgamma(c - b), sign: 1 };
  }
  if (z < 0) {
    // Pfaff: ₂F₁(a,b;c;z) = (1−z)^{−a} ₂F₁(a, c−b; c; z/(z−1)), with z/(z−1) in (0, 1).
    const inner = logHyp2f1(a, c - b, c, z / (z - 1), options);
    return { log: inner.log - a * log1p(-z), sign: inner.sign };
  }
  const direct = (): SignedLog | null => hyp2f1Series(a, b, c, z, tolerance, maxTerms);
  const euler = (): SignedLog | null => {
    const s = hyp2f1Series(c - a, c - b, c, z, tolerance, maxTerms);
    return s && { log: s.log + (c - a - b) * log1p(-z), sign: s.sign };
  };
  const eulerFirst = abs(c - a) + abs(c - b) < abs(a) + abs(b);
  const result = eulerFirst ? (euler() ?? direct()) : (direct() ?? euler());
  if (!result) throw new RangeError(`hyp2f1(${a}, ${b}; ${c}; ${z}): series did not converge in ${maxTerms} terms`);
  return result;
}

/** Gauss hypergeometric function ₂F₁(a, b; c; z) for real z ≤ 1 (see logHyp2f1). May overflow to ±Infinity. */
export function hyp2f1(a: number, b: number, c: number, z: number, options?: Hyp2f1Options): number {
  const s = logHyp2f1(a, b, c, z, options);
  return s.sign * exp(s.log);
}
