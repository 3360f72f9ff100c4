import { expectedPurchases, fitBgnbd } from '../../src/intelligence/bgnbd';
import { judgeCustomerBaseModels, type HoldoutCustomer } from '../../src/intelligence/model-selection';
import { fitParetoNbd, paretoNbdExpectedPurchases, simulateParetoNbd } from '../../src/intelligence/pareto-nbd';
import { mulberry32 } from '../../src/intelligence/random';

/** Customers simulated over calibration + holdout, cut at the calibration's end: (x, tx, T) then, purchases after. */
function holdoutSample(n: number, calibration: number, holdout: number, seed: number): HoldoutCustomer[] {
  const rng = mulberry32(seed);
  // Varied acquisition: customer i joined (i mod 30) weeks into the calibration.
  const T = Array.from({ length: n }, (_, i) => calibration - (i % 30));
  return simulateParetoNbd({ r: 0.55, alpha: 10.5, s: 0.6, beta: 11.7 }, n, T.map((t) => t + holdout), rng).map((c, i) => {
    const before = c.purchaseTimes.filter((t) => t <= T[i]);
    return { x: before.length, tx: before.length ? before[before.length - 1] : 0, T: T[i], actual: c.purchaseTimes.length - before.length };
  });
}

describe('choosing a customer-base model by its holdout error', () => {
  const customers = holdoutSample(10_000, 39, 39, 7);
  const judged = judgeCustomerBaseModels(customers, 39);

  it('judges every model, and marks exactly the one with the lowest mean absolute error', () => {
    expect(judged.map((c) => c.model)).toEqual(['BG_NBD', 'PARETO_NBD', 'MBG_NBD']);
    for (const c of judged) expect(c.problem).toBeNull();
    const lowest = Math.min(...judged.map((c) => c.meanAbsoluteError!));
    expect(judged.filter((c) => c.lowestError).map((c) => c.meanAbsoluteError)).toEqual([lowest]);
  });

  it('computes each figure as an independent fit and sum would', () => {
    const actual = customers.reduce((n, c) => n + c.actual, 0);
    const bg = fitBgnbd(customers);
    const bgPredicted = customers.map((c) => expectedPurchases(bg, 39, c));
    const bgJudged = judged.find((c) => c.model === 'BG_NBD')!;
    expect(bgJudged.meanAbsoluteError).toBeCloseTo(bgPredicted.reduce((s, p, i) => s + Math.abs(p - customers[i].actual), 0) / customers.length, 9);
    expect(bgJudged.errorPercent).toBeCloseTo((100 * (bgPredicted.reduce((a, b) => a + b, 0) - actual)) / actual, 9);
    const pareto = fitParetoNbd(customers);
    const paretoJudged = judged.find((c) => c.model === 'PARETO_NBD')!;
    expect(paretoJudged.predictedPurchases).toBeCloseTo(customers.reduce((s, c) => s + paretoNbdExpectedPurchases(pareto, 39, c), 0), 6);
    // Buckets partition the customers, and their predictions add up to the total.
    for (const c of judged) {
      expect(c.byRepeatPurchases.reduce((n, b) => n + b.customers, 0)).toBe(customers.length);
      expect(c.byRepeatPurchases.reduce((s, b) => s + b.predictedMean * b.customers, 0)).toBeCloseTo(c.predictedPurchases!, 6);
    }
  });

  it('on Pareto/NBD data, predicts the holdout within a few percent with the generating model', () => {
    const pareto = judged.find((c) => c.model === 'PARETO_NBD')!;
    expect(Math.abs(pareto.errorPercent!)).toBeLessThan(5);
  });

  it('reports a model it cannot fit with its reason, and chooses among the rest', () => {
    // Nobody ever bought again: BG/NBD's estimate runs to a boundary where its predictions are not finite.
    const none = judgeCustomerBaseModels([{ x: 0, tx: 0, T: 10, actual: 0 }, { x: 0, tx: 0, T: 12, actual: 0 }], 5);
    const bg = none.find((c) => c.model === 'BG_NBD')!;
    expect(bg).toMatchObject({ meanAbsoluteError: null, lowestError: false, fitted: null });
    expect(bg.problem).toMatch(/finite/);
    const judgedRest = none.filter((c) => c.problem === null);
    expect(judgedRest.length).toBeGreaterThan(0);
    const lowest = Math.min(...judgedRest.map((c) => c.meanAbsoluteError!));
    expect(none.filter((c) => c.lowestError).map((c) => c.meanAbsoluteError)).toEqual([lowest]);
  });
});
