import { median, valueTier, valueTierThresholds, VALUE_TIERS } from '../../src/intelligence/value-tier';

describe('value tiers', () => {
  it('use the median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(RangeError);
  });

  it('split current and potential value at the population medians into KEY, MAINTAIN, DEVELOP and MONITOR', () => {
    const population = [
      { currentValue: 100, potentialValue: 100 },
      { currentValue: 100, potentialValue: 0 },
      { currentValue: 0, potentialValue: 100 },
      { currentValue: 0, potentialValue: 0 },
    ];
    const thresholds = valueTierThresholds(population);
    expect(thresholds).toEqual({ currentValueMedian: 50, potentialValueMedian: 50 });
    expect(population.map((c) => valueTier(c, thresholds))).toEqual(['KEY', 'MAINTAIN', 'DEVELOP', 'MONITOR']);
  });

  it('call a value high only when strictly above the median, so zero is never high', () => {
    const population = [0, 0, 0, 10].map((v) => ({ currentValue: v, potentialValue: v }));
    const thresholds = valueTierThresholds(population);
    expect(valueTier({ currentValue: 0, potentialValue: 0 }, thresholds)).toBe('MONITOR');
    expect(valueTier({ currentValue: 10, potentialValue: 10 }, thresholds)).toBe('KEY');
  });

  it('each come with a description and a strategy', () => {
    for (const [key, info] of Object.entries(VALUE_TIERS)) {
      expect(info.tier).toBe(key);
      expect(info.description).not.toBe('');
      expect(info.strategy).not.toBe('');
    }
  });
});
