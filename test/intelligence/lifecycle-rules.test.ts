import { suggestLifecycleStage, type LifecycleInput } from '../../src/intelligence/lifecycle-rules';

const now = new Date('2024-06-01T00:00:00Z');
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
const regular: LifecycleInput = {
  firstPurchaseAt: daysAgo(200),
  lastPurchaseAt: daysAgo(20),
  repeatPurchases: 2,
  usualIntervalDays: 60,
  probabilityAlive: 0.8,
};

describe('lifecycle rules', () => {
  it('1. no purchase → PROSPECT', () => {
    expect(suggestLifecycleStage({ ...regular, firstPurchaseAt: null, lastPurchaseAt: null, repeatPurchases: 0 }, now)).toEqual({
      stage: 'PROSPECT',
      reason: 'No purchase yet',
      isWinBack: false,
    });
  });

  it('2. a purchase after being marked CHURNED → GROWING, as a win-back', () => {
    const s = suggestLifecycleStage({ ...regular, previousStage: 'CHURNED', previousStageSince: daysAgo(30) }, now);
    expect(s).toMatchObject({ stage: 'GROWING', isWinBack: true });
    // Still churned with no purchase since: not a win-back.
    const still = suggestLifecycleStage({ ...regular, lastPurchaseAt: daysAgo(400), previousStage: 'CHURNED', previousStageSince: daysAgo(30) }, now);
    expect(still).toMatchObject({ stage: 'CHURNED', isWinBack: false });
  });

  it('3. P(alive) below 0.1, or 365 days without a purchase → CHURNED', () => {
    expect(suggestLifecycleStage({ ...regular, probabilityAlive: 0.05 }, now)).toMatchObject({
      stage: 'CHURNED',
      reason: 'Probability still active is 5%, below 10%',
    });
    expect(suggestLifecycleStage({ ...regular, lastPurchaseAt: daysAgo(365), probabilityAlive: null }, now)).toMatchObject({
      stage: 'CHURNED',
      reason: 'No purchase for 365 days (365 or more)',
    });
  });

  it('4. P(alive) below 0.5, or silence beyond 3× the usual interval → DECLINING', () => {
    expect(suggestLifecycleStage({ ...regular, probabilityAlive: 0.4 }, now).stage).toBe('DECLINING');
    expect(suggestLifecycleStage({ ...regular, lastPurchaseAt: daysAgo(181) }, now)).toMatchObject({
      stage: 'DECLINING',
      reason: 'No purchase for 181 days, more than 3× the usual 60-day interval',
    });
    expect(suggestLifecycleStage({ ...regular, lastPurchaseAt: daysAgo(180) }, now).stage).toBe('GROWING');
  });

  it('5. one purchase within the last 90 days → ONBOARDING', () => {
    const first = { firstPurchaseAt: daysAgo(90), lastPurchaseAt: daysAgo(90), repeatPurchases: 0, usualIntervalDays: null, probabilityAlive: 1 };
    expect(suggestLifecycleStage(first, now)).toMatchObject({ stage: 'ONBOARDING', reason: 'First purchase 90 days ago, no repeat yet' });
  });

  it('6. high frequency with P(alive) ≥ 0.7 → LOYAL, by repeat count or by F score', () => {
    expect(suggestLifecycleStage({ ...regular, repeatPurchases: 4 }, now).stage).toBe('LOYAL');
    expect(suggestLifecycleStage({ ...regular, frequencyScore: 4 }, now).stage).toBe('LOYAL');
    expect(suggestLifecycleStage({ ...regular, repeatPurchases: 4, probabilityAlive: 0.6 }, now).stage).toBe('GROWING');
    // Without a model, frequency alone decides.
    expect(suggestLifecycleStage({ ...regular, repeatPurchases: 4, probabilityAlive: null }, now).stage).toBe('LOYAL');
  });

  it('7. repeat buying → GROWING', () => {
    expect(suggestLifecycleStage(regular, now)).toEqual({ stage: 'GROWING', reason: '2 repeat purchases', isWinBack: false });
  });

  it('8. one purchase more than 90 days ago, not yet churned → DECLINING', () => {
    const once = { firstPurchaseAt: daysAgo(91), lastPurchaseAt: daysAgo(91), repeatPurchases: 0, usualIntervalDays: null, probabilityAlive: 1 };
    expect(suggestLifecycleStage(once, now)).toMatchObject({ stage: 'DECLINING', reason: 'One purchase 91 days ago and no repeat within 90 days' });
  });

  it('check churn before loyalty: a once-loyal customer gone quiet is CHURNED', () => {
    expect(suggestLifecycleStage({ ...regular, repeatPurchases: 20, probabilityAlive: 0.05 }, now).stage).toBe('CHURNED');
  });
});
