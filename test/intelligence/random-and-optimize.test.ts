import { bfgs, minimize, nelderMead, type ValueAndGradient } from '../../src/intelligence/optimize';
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

const rosenbrock: ValueAndGradient = ([x, y], gradient) => {
  if (gradient) {
    gradient[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    gradient[1] = 200 * (y - x * x);
  }
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};

describe('BFGS', () => {
  it('finds the minimum of the Rosenbrock function in far fewer evaluations than Nelder–Mead', () => {
    const result = bfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 8);
    expect(result.x[1]).toBeCloseTo(1, 8);
    // About 40 iterations and 50 evaluations, each giving value and gradient; the simplex needs over 300 values.
    expect(result.iterations).toBeLessThan(50);
    expect(result.evaluations).toBeLessThan(80);
    expect(nelderMead((x) => rosenbrock(x), [-1.2, 1]).evaluations).toBeGreaterThan(5 * result.evaluations);
  });

  it('solves an ill-conditioned quadratic in four dimensions exactly', () => {
    // f = ½ xᵀAx − bᵀx, A with eigenvalues from about 1 to 1000 and couplings; the minimiser solves Ax = b.
    const A = [
      [1, 0.5, 0, 0],
      [0.5, 10, 0, 0],
      [0, 0, 100, 30],
      [0, 0, 30, 1000],
    ];
    const b = [1, 2, 3, 4];
    const f: ValueAndGradient = (x, gradient) => {
      const Ax = A.map((row) => row.reduce((s, a, j) => s + a * x[j], 0));
      if (gradient) for (let i = 0; i < 4; i++) gradient[i] = Ax[i] - b[i];
      return 0.5 * x.reduce((s, xi, i) => s + xi * Ax[i], 0) - b.reduce((s, bi, i) => s + bi * x[i], 0);
    };
    const result = bfgs(f, [0, 0, 0, 0], { gradientTolerance: 1e-12 });
    expect(result.converged).toBe(true);
    const residual = A.map((row, i) => row.reduce((s, a, j) => s + a * result.x[j], 0) - b[i]);
    for (const r of residual) expect(Math.abs(r)).toBeLessThan(1e-12);
  });

  it('steps back into the domain when the objective is NaN outside it', () => {
    // (ln x − 1)² has its minimum at e; a full steepest-descent step from 0.1 lands at negative x.
    const f: ValueAndGradient = ([x], gradient) => {
      if (gradient) gradient[0] = (2 * (Math.log(x) - 1)) / x;
      return x < 0 ? NaN : (Math.log(x) - 1) ** 2;
    };
    const result = bfgs(f, [0.1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(Math.E, 6);
  });

  it('falls back to Nelder–Mead from where it stopped when it does not converge', () => {
    const stopped = bfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(stopped.converged).toBe(false);
    const result = minimize(rosenbrock, [-1.2, 1], { bfgs: { maxIterations: 3 } });
    expect(result.method).toBe('nelder-mead');
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 4);
    expect(result.evaluations).toBeGreaterThan(stopped.evaluations);
    expect(minimize(rosenbrock, [-1.2, 1]).method).toBe('bfgs');
  });
});
