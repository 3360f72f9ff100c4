// Seeded sampling: mulberry32 PRNG (Tommy Ettinger, public domain); gamma variates by Marsaglia & Tsang (2000), "A Simple Method for Generating Gamma Variables", ACM TOMS 26(3).

// Local aliases: under jest's vm sandbox every lookup of the global Math costs ~15× more, which dominates fits.
const { exp, imul, log, sqrt } = Math;

/** A source of uniform numbers in the open interval (0, 1). */
export type Rng = () => number;

/** mulberry32: a small, fast 32-bit generator; the same seed gives the same stream on every platform. */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    // +0.5 keeps the value strictly inside (0, 1), so log(u) and u^(1/k) are always finite.
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
}

/** Standard normal by Marsaglia's polar method. */
export function sampleNormal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * sqrt((-2 * log(s)) / s);
  }
}

/** Exponential with the given rate (mean 1/rate). Infinity when rate is 0. */
export function sampleExponential(rate: number, rng: Rng): number {
  return -log(rng()) / rate;
}

/**
 * ln of a Gamma(shape, rate) variate. Working on the log scale keeps tiny shapes (say 0.05) from underflowing to 0:
 * for shape < 1, X = Y·U^{1/shape} with Y ~ Gamma(shape + 1) (Marsaglia & Tsang, section 6).
 */
export function sampleLogGamma(shape: number, rate: number, rng: Rng): number {
  if (!(shape > 0) || !(rate > 0)) throw new RangeError(`gamma: shape and rate must be positive (got ${shape}, ${rate})`);
  if (shape < 1) return sampleLogGamma(shape + 1, rate, rng) + log(rng()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(rng);
    const v0 = 1 + c * x;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1 - v + log(v))) {
      return log(d * v) - log(rate);
    }
  }
}

/** Gamma(shape, rate) variate: density ∝ x^{shape−1} e^{−rate·x}, mean shape/rate. */
export function sampleGamma(shape: number, rate: number, rng: Rng): number {
  return exp(sampleLogGamma(shape, rate, rng));
}

/** Beta(a, b) variate as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b), computed from their logs. */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const logX = sampleLogGamma(a, 1, rng);
  const logY = sampleLogGamma(b, 1, rng);
  return 1 / (1 + exp(logY - logX));
}
