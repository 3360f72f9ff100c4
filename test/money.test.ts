import { convert, currencyExponent, formatAmount, hasSubMinorUnits, normaliseAmount, parseAmount } from '../src/common/money';

describe('exact money', () => {
  it('parses and formats decimal strings without passing through a float', () => {
    expect(parseAmount('19.99') * 3n - parseAmount('5')).toBe(parseAmount('54.97'));
    expect(formatAmount(parseAmount('0.1') + parseAmount('0.2'), 2)).toBe('0.30');
    expect(formatAmount(parseAmount('-2.005'), 2)).toBe('-2.01');
  });

  it('converts at a rate with a single rounding to the target currency’s minor unit', () => {
    // 10.05 × 1.08449 = 10.8991245: rounding to 4 decimals first (10.8991) and then to cents gives the same 10.90,
    // but 0.45 × 1.0111 = 0.454995 would become 0.4550 → 0.46 with two roundings, and is 0.45 with one.
    expect(formatAmount(convert(parseAmount('10.05'), '1.08449', 'USD'), 2)).toBe('10.90');
    expect(formatAmount(convert(parseAmount('0.45'), '1.0111', 'USD'), 2)).toBe('0.45');
    expect(formatAmount(convert(parseAmount('100'), '149.5', 'JPY'), 0)).toBe('14950');
    expect(formatAmount(convert(parseAmount('-0.45'), '1.0111', 'USD'), 2)).toBe('-0.45');
  });

  it('knows which amounts have more decimals than the currency allows', () => {
    expect(hasSubMinorUnits(parseAmount('0.001'), 'USD')).toBe(true);
    expect(hasSubMinorUnits(parseAmount('0.5'), 'JPY')).toBe(true);
    expect(hasSubMinorUnits(parseAmount('1.234'), 'KWD')).toBe(false);
  });
});

describe('normaliseAmount', () => {
  it('gives what exact rounding gives for every shape of stored and summed amount, in 0-, 2- and 3-decimal currencies', () => {
    const wholes = ['0', '1', '7', '10', '99', '100', '123456789012345', '999999999999999999'];
    const fracs = ['', '.5', '.05', '.0000', '.0001', '.0049', '.0050', '.0051', '.0100', '.0500', '.4900', '.5000', '.9950', '.9999', '.1230', '.1200', '.1000', '.12', '.1'];
    const values = wholes.flatMap((w) => fracs.flatMap((f) => [`${w}${f}`, `-${w}${f}`, `0${w}${f}`]));
    for (const currency of ['JPY', 'EUR', 'KWD']) {
      for (const value of values) {
        expect([value, currency, normaliseAmount(value, currency)]).toEqual([value, currency, formatAmount(parseAmount(value), currencyExponent(currency))]);
      }
    }
    expect(normaliseAmount('-0.0000', 'EUR')).toBe('0.00');
    expect(normaliseAmount('270.9400', 'USD')).toBe('270.94');
    expect(normaliseAmount('1200.0000', 'JPY')).toBe('1200');
  });
});
