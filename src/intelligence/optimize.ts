// Minimisers: Nelder & Mead (1965), "A Simplex Method for Function Minimization", with the standard coefficients of Lagarias et al. (1998) and restarts; BFGS after Nocedal & Wright (2006), Numerical Optimization, 2nd ed., chapters 3 and 6.

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

/** An objective that returns f(x) and, when given an array (of x's length), writes ∇f(x) into it. */
export type ValueAndGradient = (x: readonly number[], gradient?: number[]) => number;

export interface BfgsOptions {
  /** Converged when every component of the gradient is within this of 0 (max norm). Default 1e-8. */
  gradientTolerance?: number;
  /** Iterations (line searches) allowed. Default 200. */
  maxIterations?: number;
}

export interface BfgsResult {
  x: number[];
  f: number;
  gradient: number[];
  iterations: number;
  /** Calls of the objective, each giving the value and the gradient together. */
  evaluations: number;
  converged: boolean;
}

// Strong Wolfe constants as Nocedal & Wright recommend for quasi-Newton methods (section 3.1): c₁ = 1e-4, c₂ = 0.9.
const WOLFE_DECREASE = 1e-4;
const WOLFE_CURVATURE = 0.9;
/** Evaluations one line search may spend before it gives up. */
const LINE_SEARCH_EVALUATIONS = 40;
// Near the minimum f stops resolving decreases before ∇f reaches the tolerance; a step whose value is within this
// (relative) of f(0) is accepted on the curvature condition alone, a simpler form of Hager & Zhang's (2005)
// approximate Wolfe conditions.
const VALUE_NOISE = 1e-12;

interface LinePoint {
  alpha: number;
  f: number;
  /** Directional derivative ∇f(x + αp)·p. */
  slope: number;
  x: number[];
  gradient: number[];
}

/**
 * BFGS: Nocedal & Wright, Numerical Optimization (2nd ed.), Algorithm 6.1 — the inverse-Hessian update (6.17),
 * the first step's scaling (6.20), and a line search for the strong Wolfe conditions (Algorithms 3.5 and 3.6).
 * Dense BFGS rather than L-BFGS (chapter 7): the models here have three or four parameters. Non-finite values of f
 * count as +Infinity, so the line search steps back into the domain. Not converged means the gradient test was not
 * met: the caller may polish the returned point with a derivative-free method.
 */
export function bfgs(fg: ValueAndGradient, x0: readonly number[], options: BfgsOptions = {}): BfgsResult {
  const n = x0.length;
  const gradientTolerance = options.gradientTolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 200;
  let evaluations = 0;
  const evaluate = (x: number[]): { f: number; gradient: number[] } => {
    evaluations++;
    const gradient = new Array<number>(n).fill(0);
    const f = fg(x, gradient);
    return Number.isFinite(f) && gradient.every(Number.isFinite) ? { f, gradient } : { f: Infinity, gradient };
  };

  let x = x0.slice();
  let { f, gradient } = evaluate(x);
  if (f === Infinity) return { x, f, gradient, iterations: 0, evaluations, converged: false };
  const identity = (scale: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? scale : 0)));
  let H = identity(1);
  let fresh = true;
  let iterations = 0;
  let converged = maxNorm(gradient) <= gradientTolerance;
  while (!converged && iterations < maxIterations) {
    iterations++;
    let direction = H.map((row) => -dot(row, gradient));
    if (!(dot(direction, gradient) < 0)) {
      // Rounding can spoil H's positive definiteness; steepest descent restarts it.
      H = identity(1);
      fresh = true;
      direction = gradient.map((g) => -g);
    }
    // Unscaled steepest descent has no natural step length: start with at most a unit step in any coordinate.
    const firstTrial = fresh ? Math.min(1, 1 / maxNorm(direction)) : 1;
    const step = wolfeLineSearch(evaluate, x, f, gradient, direction, firstTrial);
    if (!step) {
      if (fresh) break;
      H = identity(1);
      fresh = true;
      continue;
    }
    const s = x.map((xi, i) => step.x[i] - xi);
    const y = step.gradient.map((gi, i) => gi - gradient[i]);
    const sy = dot(s, y);
    if (sy > 0) {
      if (fresh) H = identity(sy / dot(y, y));
      H = bfgsUpdate(H, s, y, 1 / sy);
      fresh = false;
    }
    x = step.x;
    f = step.f;
    gradient = step.gradient;
    converged = maxNorm(gradient) <= gradientTolerance;
  }
  return { x, f, gradient, iterations, evaluations, converged };
}

/** H ← (I − ρ s yᵀ) H (I − ρ y sᵀ) + ρ s sᵀ (Nocedal & Wright eq. 6.17), with ρ = 1/(yᵀs). */
function bfgsUpdate(H: number[][], s: number[], y: number[], rho: number): number[][] {
  const n = s.length;
  const Hy = H.map((row) => dot(row, y));
  const yHy = dot(y, Hy);
  // Expanded: H − ρ(s (Hy)ᵀ + (Hy) sᵀ) + (ρ² yᵀHy + ρ) s sᵀ, using the symmetry of H.
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => H[i][j] - rho * (s[i] * Hy[j] + Hy[i] * s[j]) + (rho * rho * yHy + rho) * s[i] * s[j]),
  );
}

/**
 * A step length satisfying the strong Wolfe conditions along `direction` (Nocedal & Wright Algorithm 3.5: grow
 * the step until it brackets an acceptable one, then zoom in by Algorithm 3.6). Null when none was found.
 */
function wolfeLineSearch(
  evaluate: (x: number[]) => { f: number; gradient: number[] },
  x: readonly number[],
  f0: number,
  gradient0: readonly number[],
  direction: readonly number[],
  firstTrial: number,
): LinePoint | null {
  const slope0 = dot(gradient0, direction);
  const noise = VALUE_NOISE * Math.max(1, Math.abs(f0));
  let budget = LINE_SEARCH_EVALUATIONS;
  const at = (alpha: number): LinePoint => {
    budget--;
    const point = x.map((xi, i) => xi + alpha * direction[i]);
    const { f, gradient } = evaluate(point);
    return { alpha, f, slope: dot(gradient, direction), x: point, gradient };
  };
  const sufficientDecrease = (p: LinePoint): boolean => p.f <= f0 + WOLFE_DECREASE * p.alpha * slope0;
  const flatEnough = (p: LinePoint): boolean => Math.abs(p.slope) <= -WOLFE_CURVATURE * slope0;
  const acceptable = (p: LinePoint): boolean => flatEnough(p) && (sufficientDecrease(p) || p.f <= f0 + noise);

  const zoom = (lo: LinePoint, hi: LinePoint): LinePoint | null => {
    while (budget > 0) {
      const trial = at(interpolate(lo, hi));
      if (acceptable(trial)) return trial;
      if (!sufficientDecrease(trial) || trial.f >= lo.f) hi = trial;
      else {
        if (trial.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = trial;
      }
      if (Math.abs(hi.alpha - lo.alpha) <= 1e-14 * Math.max(lo.alpha, hi.alpha)) break;
    }
    // lo always decreased f enough; a step there still makes progress, though it may not update H well.
    return lo.alpha > 0 ? lo : null;
  };

  let previous: LinePoint = { alpha: 0, f: f0, slope: slope0, x: x.slice(), gradient: gradient0.slice() };
  let alpha = firstTrial;
  while (budget > 0) {
    const trial = at(alpha);
    if (acceptable(trial)) return trial;
    if (!sufficientDecrease(trial) || (previous.alpha > 0 && trial.f >= previous.f)) return zoom(previous, trial);
    if (trial.slope >= 0) return zoom(trial, previous);
    previous = trial;
    alpha *= 2;
  }
  return null;
}

/**
 * The minimiser of the cubic through (α, f, slope) at both ends (Nocedal & Wright eq. 3.59), kept within the middle
 * 80% of the interval; bisection when an end is not finite or the cubic has no minimiser there.
 */
function interpolate(lo: LinePoint, hi: LinePoint): number {
  const left = Math.min(lo.alpha, hi.alpha);
  const width = Math.abs(hi.alpha - lo.alpha);
  const bisect = (lo.alpha + hi.alpha) / 2;
  if (!Number.isFinite(hi.f) || !Number.isFinite(hi.slope)) return bisect;
  const d1 = lo.slope + hi.slope - (3 * (lo.f - hi.f)) / (lo.alpha - hi.alpha);
  const discriminant = d1 * d1 - lo.slope * hi.slope;
  if (!(discriminant >= 0)) return bisect;
  const d2 = Math.sign(hi.alpha - lo.alpha) * Math.sqrt(discriminant);
  const alpha = hi.alpha - (hi.alpha - lo.alpha) * ((hi.slope + d2 - d1) / (hi.slope - lo.slope + 2 * d2));
  if (!Number.isFinite(alpha)) return bisect;
  return Math.min(Math.max(alpha, left + 0.1 * width), left + 0.9 * width);
}

export interface MinimizeOptions {
  /**
   * 'bfgs' (default): BFGS, then Nelder–Mead from where it stopped if it did not converge. 'nelder-mead': the
   * simplex alone, which needs no gradient but many more evaluations.
   */
  method?: 'bfgs' | 'nelder-mead';
  bfgs?: BfgsOptions;
  nelderMead?: NelderMeadOptions;
}

export interface MinimizeResult {
  x: number[];
  f: number;
  iterations: number;
  /** Calls of the objective by both methods (BFGS's calls compute the gradient too). */
  evaluations: number;
  converged: boolean;
  /** The method that produced x. */
  method: 'bfgs' | 'nelder-mead';
}

/** Minimises fg from x0 by BFGS, falling back to Nelder–Mead (see MinimizeOptions). */
export function minimize(fg: ValueAndGradient, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const value = (x: readonly number[]): number => fg(x);
  if (options.method === 'nelder-mead') {
    const simplex = nelderMead(value, x0, options.nelderMead);
    return { ...pick(simplex), method: 'nelder-mead' };
  }
  const quasiNewton = bfgs(fg, x0, options.bfgs);
  if (quasiNewton.converged) return { ...pick(quasiNewton), method: 'bfgs' };
  const start = Number.isFinite(quasiNewton.f) ? quasiNewton.x : x0;
  const simplex = nelderMead(value, start, options.nelderMead);
  const iterations = quasiNewton.iterations + simplex.iterations;
  const evaluations = quasiNewton.evaluations + simplex.evaluations;
  return { ...pick(simplex), iterations, evaluations, method: 'nelder-mead' };
}

function pick(r: NelderMeadResult | BfgsResult): Omit<MinimizeResult, 'method'> {
  return { x: r.x, f: r.f, iterations: r.iterations, evaluations: r.evaluations, converged: r.converged };
}

function dot(u: readonly number[], v: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}

function maxNorm(v: readonly number[]): number {
  let m = 0;
  for (const x of v) m = Math.max(m, Math.abs(x));
  return m;
}

/**
 * Maximum likelihood over positive parameters as lifetimes' fitters do it: minimises the mean negative log-likelihood
 * plus penalizer·Σθ² over ln θ (so every θ stays positive), with the gradient when `logLikelihood` fills one (with
 * respect to ln θ). Returns the estimate on the natural scale with the optimiser's account.
 */
export function maximizeLikelihoodOnLogScale(
  logLikelihood: (theta: readonly number[], gradient?: number[]) => number,
  totalWeight: number,
  start: readonly number[],
  options: MinimizeOptions & { penalizer?: number } = {},
): MinimizeResult & { theta: number[] } {
  const penalizer = options.penalizer ?? 0;
  const objective: ValueAndGradient = (lnTheta, gradient) => {
    const theta = lnTheta.map(Math.exp);
    const ll = logLikelihood(theta, gradient);
    // d(θ²)/d ln θ = 2θ².
    if (gradient) theta.forEach((p, i) => (gradient[i] = -gradient[i] / totalWeight + 2 * penalizer * p * p));
    return -ll / totalWeight + penalizer * theta.reduce((sum, p) => sum + p * p, 0);
  };
  const result = minimize(objective, start.map(Math.log), options);
  return { ...result, theta: result.x.map(Math.exp) };
}

