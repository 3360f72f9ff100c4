import { easterSunday, upcomingHolidays } from '../../src/intelligence/holidays';

const iso = (d: Date) => d.toISOString().slice(0, 10);

describe('holiday calendar', () => {
  it('computes Easter Sunday for known years', () => {
    expect([2019, 2024, 2025, 2026, 2038].map((y) => iso(easterSunday(y)))).toEqual(['2019-04-21', '2024-03-31', '2025-04-20', '2026-04-05', '2038-04-25']);
  });

  it('lists the holidays in the window that the customer’s country keeps, across the new year', () => {
    const now = new Date('2026-11-22T15:00:00Z');
    expect(upcomingHolidays(now, 14, 'US').map((h) => [h.name, iso(h.date)])).toEqual([['Thanksgiving', '2026-11-26']]);
    expect(upcomingHolidays(now, 14, 'DE')).toEqual([]);
    expect(upcomingHolidays(new Date('2026-12-20T00:00:00Z'), 14, null).map((h) => [h.name, iso(h.date)])).toEqual([
      ['Christmas', '2026-12-25'],
      ["New Year's Day", '2027-01-01'],
    ]);
  });

  it('includes a holiday that falls today', () => {
    expect(upcomingHolidays(new Date('2026-12-25T23:59:00Z'), 0, 'FR').map((h) => h.name)).toEqual(['Christmas']);
  });
});
