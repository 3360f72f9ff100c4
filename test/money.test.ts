import fc from 'fast-check';
import { convert, currencyExponent, formatAmount, hasSubMinorUnits, normaliseAmount, parseAmount } from '../src/common/money';

describe('exact money', () => {
  it('parses and formats decimal strings without passing through a float', () => {
    expect(parseAmount('19.99') * 3n - parseAmount('5')).toBe(parseAmount('54.97'));
    expect(formatAmount(parseAmount('0.1') + parseAmount('0.2'), 2)).toBe('0.30');
    expect(formatAmount(parseAmount('-2.005'), 2)).toBe('-2.01');
  });

  it('parses every decimal exactly, short or as long as a sum over millions of rows', () => {
    const digits = (min: number, max: number) => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));
    fc.assert(
      fc.property(fc.boolean(), digits(1, 24), fc.option(digits(1, 4), { nil: undefined }), (negative, whole, frac) => {
        const value = `${negative ? '-' : ''}${whole}${frac === undefined ? '' : `.${frac}`}`;
        // Reference: the two parts as BigInts, nothing through a double.
        const units = BigInt(whole) * 10_000n + BigInt((frac ?? '').padEnd(4, '0'));
        expect(parseAmount(value)).toBe(negative ? -units : units);
      }),
      { numRuns: 2000 },
    );
    expect(parseAmount('99999999999.9999')).toBe(999999999999999n);
    expect(parseAmount('999999999999.9999')).toBe(9999999999999999n);
    expect(() => parseAmount('1.23456')).toThrow(RangeError);
    expect(() => parseAmount('1e5')).toThrow(RangeError);
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
