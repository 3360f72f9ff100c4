// Nelder & Mead (1965), "A Simplex Method for Function Minimization", with the standard coefficients of Lagarias et al. (1998) and restarts.

export interface NelderMeadOptions {
  /** Edge length of the initial simplex along each axis (one number or one per coordinate). Default 0.5. */
  step?: number | readonly number[];
  /** Iterations allowed per run. Default 5000. */
  maxIterations?: number;
  /** Converged when every vertex is within xTolerance of the best one (max norm)… Default 1e-8. */
  xTolerance?: number;
  /** …and every vertex's value is within fTolerance of the best value. Default 1e-10. */
  fTolerance?: number;
  /**
   * Extra runs started from the best point with a fresh simplex; a collapsed simplex can stall away from the
   * minimum, and a restart is the usual cure. Runs stop early once a restart improves by less than fTolerance.
   * Default 5.
   */
  restarts?: number;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  /** Iterations over all runs. */
  iterations: number;
  evaluations: number;
  /** True when the last run met both tolerances before maxIterations. */
  converged: boolean;
}

const REFLECT = 1;
const EXPAND = 2;
const CONTRACT = 0.5;
const SHRINK = 0.5;

/** Minimises f from x0. Non-finite values of f count as +Infinity, so f may return NaN outside its domain. */
export function nelderMead(f: (x: readonly number[]) => number, x0: readonly number[], options: NelderMeadOptions = {}): NelderMeadResult {
  const restarts = options.restarts ?? 5;
  const fTolerance = options.fTolerance ?? 1e-10;
  let evaluations = 0;
  const objective = (x: readonly number[]): number => {
    evaluations++;
    const v = f(x);
    return Number.isFinite(v) ? v : Infinity;
  };
  let best = singleRun(objective, x0, options);
  let iterations = best.iterations;
  for (let i = 0; i < restarts; i++) {
    const next = singleRun(objective, best.x, options);
    iterations += next.iterations;
    const improvement = best.f - next.f;
    if (next.f <= best.f) best = next;
    if (improvement < fTolerance && next.converged) break;
  }
  return { x: best.x, f: best.f, iterations, evaluations, converged: best.converged };
}

function singleRun(
  f: (x: readonly number[]) => number,
  x0: readonly number[],
  options: NelderMeadOptions,
): { x: number[]; f: number; iterations: number; converged: boolean } {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 5000;
  const xTolerance = options.xTolerance ?? 1e-8;
  const fTolerance = options.fTolerance ?? 1e-10;
  const stepOption = options.step ?? 0.5;
  const steps = typeof stepOption === 'number' ? new Array<number>(n).fill(stepOption) : [...stepOption];

  const simplex: number[][] = [x0.slice()];
  for (let i = 0; i < n; i++) {
    const v = x0.slice();
    v[i] += steps[i];
    simplex.push(v);
  }
  const values = simplex.map((v) => f(v));
  const order = (): void => {
    const idx = simplex.map((_, i) => i).sort((i, j) => values[i] - values[j]);
    const s = idx.map((i) => simplex[i]);
    const v = idx.map((i) => values[i]);
    for (let i = 0; i <= n; i++) {
      simplex[i] = s[i];
      values[i] = v[i];
    }
  };
  const along = (centroid: number[], worst: number[], t: number): number[] => centroid.map((c, j) => c + t * (c - worst[j]));

  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    order();
    let xSpread = 0;
    let fSpread = 0;
    for (let i = 1; i <= n; i++) {
      fSpread = Math.max(fSpread, Math.abs(values[i] - values[0]));
      for (let j = 0; j < n; j++) xSpread = Math.max(xSpread, Math.abs(simplex[i][j] - simplex[0][j]));
    }
    if (xSpread <= xTolerance && fSpread <= fTolerance) {
      converged = true;
      break;
    }
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) centroid[j] += simplex[i][j] / n;
    const worst = simplex[n];

    const reflected = along(centroid, worst, REFLECT);
    const fr = f(reflected);
    if (fr < values[0]) {
      const expanded = along(centroid, worst, EXPAND);
      const fe = f(expanded);
      if (fe < fr) {
        simplex[n] = expanded;
        values[n] = fe;
      } else {
        simplex[n] = reflected;
        values[n] = fr;
      }
      continue;
    }
    if (fr < values[n - 1]) {
      simplex[n] = reflected;
      values[n] = fr;
      continue;
    }
    const outside = fr < values[n];
    const contracted = along(centroid, worst, outside ? CONTRACT : -CONTRACT);
    const fc = f(contracted);
    if (outside ? fc <= fr : fc < values[n]) {
      simplex[n] = contracted;
      values[n] = fc;
      continue;
    }
    for (let i = 1; i <= n; i++) {
      simplex[i] = simplex[i].map((x, j) => simplex[0][j] + SHRINK * (x - simplex[0][j]));
      values[i] = f(simplex[i]);
    }
  }
  order();
  return { x: simplex[0], f: values[0], iterations, converged };
}
