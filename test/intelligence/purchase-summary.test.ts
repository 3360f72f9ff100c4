import { summarizePurchases, summarizeTransactions, usualIntervalDays } from '../../src/intelligence/purchase-summary';

const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const at = (iso: string): Date => new Date(iso);

describe('purchase summary', () => {
  it('counts repeat occasions, recency and age in days, and the mean value of repeat occasions', () => {
    const s = summarizePurchases(
      [
        { at: day('2024-01-01'), value: 100 },
        { at: day('2024-01-11'), value: 30 },
        { at: day('2024-01-31'), value: 50 },
      ],
      day('2024-03-01'),
      'DAY',
    );
    expect(s).toMatchObject({ x: 2, tx: 30, T: 60, monetaryValue: 40, occasions: 3, totalValue: 180 });
    expect(s?.firstPurchaseAt).toEqual(day('2024-01-01'));
    expect(s?.lastPurchaseAt).toEqual(day('2024-01-31'));
  });

  it('treats orders on one UTC day as one occasion with their values summed', () => {
    const s = summarizePurchases(
      [
        { at: at('2024-01-01T09:00:00Z'), value: 10 },
        { at: at('2024-01-01T23:59:00Z'), value: 5 },
        { at: at('2024-01-08T12:00:00Z'), value: 20 },
        { at: at('2024-01-08T13:00:00Z'), value: 4 },
      ],
      day('2024-01-15'),
      'WEEK',
    );
    expect(s).toMatchObject({ x: 1, tx: 1, T: 2, monetaryValue: 24, occasions: 2, totalValue: 39 });
  });

  it('ignores purchases after asOf, and returns null when nothing was bought by then', () => {
    const purchases = [
      { at: day('2024-01-01'), value: 10 },
      { at: at('2024-02-01T12:00:00Z'), value: 99 },
    ];
    expect(summarizePurchases(purchases, at('2024-02-01T11:00:00Z'), 'DAY')).toMatchObject({ x: 0, tx: 0, T: 31, monetaryValue: 0, totalValue: 10 });
    expect(summarizePurchases(purchases, day('2023-12-31'), 'DAY')).toBeNull();
    expect(summarizePurchases([], day('2024-01-01'), 'DAY')).toBeNull();
  });

  it('groups a flat transaction log by customer and leaves out customers who start after asOf', () => {
    const summaries = summarizeTransactions(
      [
        { customerId: 'a', at: day('2024-01-01'), value: 1 },
        { customerId: 'b', at: day('2024-05-01'), value: 1 },
        { customerId: 'a', at: day('2024-01-15'), value: 3 },
      ],
      day('2024-02-01'),
      'WEEK',
    );
    expect([...summaries.keys()]).toEqual(['a']);
    expect(summaries.get('a')).toMatchObject({ x: 1, tx: 2, monetaryValue: 3 });
  });

  it('gives the usual interval between occasions in days', () => {
    expect(usualIntervalDays({ x: 4, tx: 10, T: 20, unit: 'WEEK' })).toBe(17.5);
    expect(usualIntervalDays({ x: 0, tx: 0, T: 20, unit: 'DAY' })).toBeNull();
  });
});
