import { fitBgnbd, probabilityNoPurchase } from '../../src/intelligence/bgnbd';
import { rocAuc } from '../../src/intelligence/back-test';
import { churnLevel, churnRisk } from '../../src/intelligence/churn';
import { summarizeTransactions } from '../../src/intelligence/purchase-summary';
import { cdnowMasterTransactions } from '../support/cdnow';

// Does churn risk rank customers right? The CDNOW cohort (23,570 customers, first purchase in Q1 1997) calibrated to
// 1997-09-30 and judged on the 39 weeks after it: a customer churned if they bought nothing in that holdout.

const CALIBRATION_END = new Date(Date.UTC(1997, 8, 30));
const HOLDOUT_WEEKS = 39;
const HOLDOUT_END = new Date(CALIBRATION_END.getTime() + HOLDOUT_WEEKS * 7 * 86_400_000);

/** Area under the ROC curve of `score` for `positive` (Mann–Whitney, ties counted half). */
function auc(score: readonly number[], positive: readonly boolean[]): number {
  const order = score.map((s, i) => [s, i] as const).sort((a, b) => a[0] - b[0]);
  let rankSum = 0;
  let positives = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && order[j][0] === order[i][0]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (positive[order[k][1]]) (rankSum += midRank), positives++;
    i = j;
  }
  const negatives = order.length - positives;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

describe('churn risk on the CDNOW holdout', () => {
  const all = cdnowMasterTransactions();
  const summaries = summarizeTransactions(all, CALIBRATION_END, 'WEEK');
  const boughtInHoldout = new Set(all.filter((t) => t.at > CALIBRATION_END && t.at <= HOLDOUT_END).map((t) => t.customerId));
  const customers = [...summaries].map(([id, s]) => ({ id, s, churned: !boughtInHoldout.has(id) }));
  const fit = fitBgnbd(customers.map(({ s }) => ({ x: s.x, tx: s.tx, T: s.T })));
  const risk = customers.map(({ s }) => probabilityNoPurchase(fit, HOLDOUT_WEEKS, s));
  const churned = customers.map((c) => c.churned);

  it('ranks churners at least as well as days since the last purchase, and is calibrated', () => {
    expect(customers).toHaveLength(23_570);
    const modelAuc = auc(risk, churned);
    expect(rocAuc(risk, churned)).toBeCloseTo(modelAuc, 12);
    const recencyAuc = auc(customers.map(({ s }) => s.T - s.tx), churned);
    expect(recencyAuc).toBeGreaterThan(0.7);
    expect(modelAuc).toBeGreaterThanOrEqual(recencyAuc - 0.02);
    const brier = risk.reduce((sum, p, i) => sum + (p - (churned[i] ? 1 : 0)) ** 2, 0) / risk.length;
    expect(brier).toBeLessThanOrEqual(0.17);
    // Calibration in the large: the predicted share of churners is 3.4 points above the observed one, the other face
    // of BG/NBD underpredicting this holdout's purchases by 14% (the model's, not the code's: issue 8).
    const observed = churned.filter(Boolean).length / churned.length;
    const predicted = risk.reduce((a, b) => a + b, 0) / risk.length;
    expect(predicted - observed).toBeGreaterThan(0);
    expect(predicted - observed).toBeLessThan(0.05);
    if (process.env.CHURN_HOLDOUT_REPORT) console.log({ modelAuc, recencyAuc, brier, observed, predicted });
  });

  it('bands customers so that each level churns more than the one below', () => {
    const rate = (level: string) => {
      const inLevel = customers.filter((_, i) => churnLevel(risk[i]) === level);
      return inLevel.filter((c) => c.churned).length / inLevel.length;
    };
    expect(rate('LOW')).toBeLessThan(rate('MEDIUM'));
    expect(rate('MEDIUM')).toBeLessThan(rate('HIGH'));
  });

  it('calls customer 00001, who bought once on 1997-01-01, a HIGH risk and says why', () => {
    const i = customers.findIndex((c) => c.id === '00001');
    const s = customers[i].s;
    expect(s.occasions).toBe(1);
    expect(churnLevel(risk[i])).toBe('HIGH');
    const explained = churnRisk(
      { probabilityNoPurchase: risk[i], lastPurchaseAt: s.lastPurchaseAt, purchaseOccasions: s.occasions, usualIntervalDays: null, openComplaints: 0, satisfaction: [], lastTouchpointAt: CALIBRATION_END },
      CALIBRATION_END,
    );
    expect(explained.drivers.map((d) => d.message)).toEqual(['One purchase, 272 days ago, and none since; customers who bought once rarely return']);
  });
});
