import { brierScore, calibrationBins, rocAuc } from '../../src/intelligence/back-test';

describe('back-test measures', () => {
  it('AUC: 1 for a perfect ranking, 0 for a reversed one, 0.5 for ties, and the pairwise count otherwise', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [false, true, false, true])).toBe(0.5);
    // Pairs (positive, negative): (0.4, 0.1) ✓, (0.4, 0.6) ✗, (0.7, 0.1) ✓, (0.7, 0.6) ✓, and the tie (0.6, 0.6) half.
    const scores = [0.1, 0.4, 0.6, 0.7, 0.6];
    const positive = [false, true, false, true, true];
    // Brute force over every pair as the definition says.
    let wins = 0;
    let pairs = 0;
    scores.forEach((s, i) => scores.forEach((t, j) => {
      if (positive[i] && !positive[j]) {
        pairs++;
        wins += s > t ? 1 : s === t ? 0.5 : 0;
      }
    }));
    expect(rocAuc(scores, positive)).toBeCloseTo(wins / pairs, 12);
    expect(rocAuc([0.3, 0.4], [true, true])).toBeNull();
  });

  it('Brier: the mean squared error of the forecasts', () => {
    expect(brierScore([1, 0, 0.5], [true, false, true])).toBeCloseTo(0.25 / 3, 12);
    expect(brierScore([], [])).toBeNull();
  });

  it('calibration: equal-width bins with their mean forecast and observed rate, 1 in the last bin', () => {
    expect(calibrationBins([0.05, 0.07, 0.95, 1, 0.5], [false, true, true, true, false])).toEqual([
      { lower: 0, upper: 0.1, count: 2, meanPredicted: expect.closeTo(0.06, 12), observedRate: 0.5 },
      { lower: 0.5, upper: 0.6, count: 1, meanPredicted: 0.5, observedRate: 0 },
      { lower: 0.9, upper: 1, count: 2, meanPredicted: expect.closeTo(0.975, 12), observedRate: 1 },
    ]);
  });
});
