import { CHURN_HIGH_AT, CHURN_MEDIUM_AT, churnLevel, churnRisk, type ChurnInput } from '../../src/intelligence/churn';

const now = new Date('2024-06-01T00:00:00Z');
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
const quiet: ChurnInput = {
  probabilityNoPurchase: 0.1,
  lastPurchaseAt: daysAgo(10),
  purchaseOccasions: 5,
  usualIntervalDays: 45,
  openComplaints: 0,
  satisfaction: [],
  lastTouchpointAt: daysAgo(5),
};

describe('churn risk', () => {
  it('is P(no purchase in the horizon), LOW below 0.5, MEDIUM below 0.8, HIGH from 0.8', () => {
    expect([CHURN_MEDIUM_AT, CHURN_HIGH_AT]).toEqual([0.5, 0.8]);
    expect(churnLevel(0.49)).toBe('LOW');
    expect(churnLevel(0.5)).toBe('MEDIUM');
    expect(churnLevel(0.79)).toBe('MEDIUM');
    expect(churnLevel(0.8)).toBe('HIGH');
    const risk = churnRisk({ ...quiet, probabilityNoPurchase: 0.85 }, now);
    expect(risk.probability).toBeCloseTo(0.85, 12);
    expect(risk.level).toBe('HIGH');
  });

  it('tells a one-time buyer so in words, however the model rates them', () => {
    const risk = churnRisk({ ...quiet, purchaseOccasions: 1, usualIntervalDays: null, lastPurchaseAt: daysAgo(270) }, now);
    expect(risk.drivers).toEqual([
      { code: 'ONE_PURCHASE_ONLY', message: 'One purchase, 270 days ago, and none since; customers who bought once rarely return', weight: expect.any(Number) },
    ]);
  });

  it('has no probability or level without a model, and no drivers for a content, recent customer', () => {
    expect(churnRisk({ ...quiet, probabilityNoPurchase: null }, now)).toEqual({ probability: null, level: null, drivers: [] });
  });

  it('explains a purchase overdue against the usual interval', () => {
    const risk = churnRisk({ ...quiet, lastPurchaseAt: daysAgo(143) }, now);
    expect(risk.drivers).toEqual([
      { code: 'OVERDUE_PURCHASE', message: 'No purchase for 143 days, 3.2× the usual 45-day interval', weight: expect.any(Number) },
    ]);
    // Twice the interval is still normal variation; one-time buyers have no usual interval.
    expect(churnRisk({ ...quiet, lastPurchaseAt: daysAgo(90) }, now).drivers).toEqual([]);
    expect(churnRisk({ ...quiet, lastPurchaseAt: daysAgo(300), usualIntervalDays: null }, now).drivers).toEqual([]);
  });

  it('explains open complaints', () => {
    expect(churnRisk({ ...quiet, openComplaints: 1 }, now).drivers[0].message).toBe('1 open complaint');
    expect(churnRisk({ ...quiet, openComplaints: 2 }, now).drivers[0]).toMatchObject({ code: 'OPEN_COMPLAINTS', message: '2 open complaints' });
  });

  it('explains falling satisfaction: the last 90 days average below the earlier average', () => {
    const satisfaction = [
      { at: daysAgo(300), score: 5 },
      { at: daysAgo(200), score: 4 },
      { at: daysAgo(30), score: 3 },
      { at: daysAgo(10), score: 3 },
    ];
    expect(churnRisk({ ...quiet, satisfaction }, now).drivers).toEqual([
      {
        code: 'FALLING_SATISFACTION',
        message: 'Satisfaction fell to 3.0 in the last 90 days, from 4.5 before',
        weight: expect.any(Number),
      },
    ]);
    const steady = satisfaction.map((s) => ({ ...s, score: 4 }));
    expect(churnRisk({ ...quiet, satisfaction: steady }, now).drivers).toEqual([]);
    expect(churnRisk({ ...quiet, satisfaction: satisfaction.slice(2) }, now).drivers).toEqual([]);
  });

  it('explains a long silence from our side, 90 days by default', () => {
    expect(churnRisk({ ...quiet, lastTouchpointAt: daysAgo(120) }, now).drivers[0].message).toBe('No touchpoint for 120 days');
    expect(churnRisk({ ...quiet, lastTouchpointAt: null }, now).drivers[0].message).toBe('No touchpoint on record');
    expect(churnRisk({ ...quiet, lastTouchpointAt: daysAgo(60) }, now, { noTouchpointDays: 30 }).drivers).toHaveLength(1);
  });

  it('lists the weightiest drivers first', () => {
    const risk = churnRisk({ ...quiet, lastPurchaseAt: daysAgo(400), openComplaints: 1, lastTouchpointAt: null }, now);
    expect(risk.drivers.map((d) => d.code)).toEqual(['OVERDUE_PURCHASE', 'OPEN_COMPLAINTS', 'NO_RECENT_TOUCHPOINT']);
  });
});
