// Back-testing a churn score against what happened: the ROC AUC as the Mann–Whitney U statistic (Hanley & McNeil
// 1982, "The meaning and use of the area under a ROC curve", Radiology 143), the Brier score (Brier 1950, "Verification
// of forecasts expressed in terms of probability", Monthly Weather Review 78) and a reliability table of equal-width bins.

/**
 * P(score of a random positive > score of a random negative), ties counted half: 1 ranks perfectly, 0.5 is chance.
 * Null when there is no positive or no negative to compare.
 */
export function rocAuc(scores: readonly number[], positive: readonly boolean[]): number | null {
  if (scores.length !== positive.length) throw new RangeError('one outcome per score');
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    // Tied scores share the mean of their ranks (1-based): i+1 … j.
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (positive[order[k]]) {
        rankSum += midRank;
        positives++;
      }
    }
    i = j;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return null;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Mean squared difference between each probability and its outcome (1 happened, 0 did not); null without forecasts. */
export function brierScore(probabilities: readonly number[], happened: readonly boolean[]): number | null {
  if (probabilities.length !== happened.length) throw new RangeError('one outcome per probability');
  if (!probabilities.length) return null;
  let sum = 0;
  for (let i = 0; i < probabilities.length; i++) sum += (probabilities[i] - (happened[i] ? 1 : 0)) ** 2;
  return sum / probabilities.length;
}

export interface CalibrationBin {
  /** The bin covers probabilities in [lower, upper) (the last one includes 1). */
  lower: number;
  upper: number;
  count: number;
  meanPredicted: number;
  observedRate: number;
}

/** Forecasts grouped into `bins` equal-width bins of probability, each with its mean forecast and observed rate; empty bins are left out. */
export function calibrationBins(probabilities: readonly number[], happened: readonly boolean[], bins = 10): CalibrationBin[] {
  if (probabilities.length !== happened.length) throw new RangeError('one outcome per probability');
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    const k = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[k]++;
    predicted[k] += p;
    if (happened[i]) observed[k]++;
  }
  const out: CalibrationBin[] = [];
  for (let k = 0; k < bins; k++) {
    if (count[k]) out.push({ lower: k / bins, upper: (k + 1) / bins, count: count[k], meanPredicted: predicted[k] / count[k], observedRate: observed[k] / count[k] });
  }
  return out;
}
