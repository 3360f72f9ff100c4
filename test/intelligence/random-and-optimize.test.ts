import { nelderMead } from '../../src/intelligence/optimize';
import { mulberry32, sampleBeta, sampleGamma, sampleNormal } from '../../src/intelligence/random';

const mean = (v: number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
const variance = (v: number[]): number => {
  const m = mean(v);
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
};

describe('seeded sampling', () => {
  it('repeats the same stream for the same seed, strictly inside (0, 1)', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(xs.every((u) => u > 0 && u < 1)).toBe(true);
    expect(mulberry32(43)()).not.toBe(xs[0]);
  });

  // 50,000 draws: the sample mean is within about 4 standard errors of the truth for these shapes.
  it.each([
    [0.24, 4.41],
    [2.5, 1],
    [6.25, 0.3],
  ])('draws Gamma(shape %p, rate %p) with the right mean and variance', (shape, rate) => {
    const rng = mulberry32(7);
    const xs = Array.from({ length: 50_000 }, () => sampleGamma(shape, rate, rng));
    expect(Math.abs(mean(xs) / (shape / rate) - 1)).toBeLessThan(4 * Math.sqrt(1 / shape / 50_000));
    expect(Math.abs(variance(xs) / (shape / rate ** 2) - 1)).toBeLessThan(0.1);
  });

  it('draws Beta(a, b) with mean a / (a + b), and standard normals', () => {
    const rng = mulberry32(11);
    const ps = Array.from({ length: 50_000 }, () => sampleBeta(0.79, 2.43, rng));
    expect(Math.abs(mean(ps) - 0.79 / 3.22)).toBeLessThan(0.005);
    const zs = Array.from({ length: 50_000 }, () => sampleNormal(rng));
    expect(Math.abs(mean(zs))).toBeLessThan(0.02);
    expect(Math.abs(variance(zs) - 1)).toBeLessThan(0.03);
  });
});

describe('Nelder–Mead', () => {
  it('finds the minimum of the Rosenbrock function', () => {
    const rosenbrock = ([x, y]: readonly number[]): number => (1 - x) ** 2 + 100 * (y - x * x) ** 2;
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.x[1]).toBeCloseTo(1, 4);
  });

  it('treats NaN as +Infinity so the simplex walks back into the domain', () => {
    const f = ([x]: readonly number[]): number => (x < 0 ? NaN : (Math.log(x) - 1) ** 2);
    expect(nelderMead(f, [0.1]).x[0]).toBeCloseTo(Math.E, 5);
  });
});
