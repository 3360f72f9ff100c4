// Money from model outputs: floats become exact amounts rounded to the currency's minor unit, never stored.

import { currencyExponent, formatAmount, parseAmount } from '../../common/money';
import { Money } from '../../common/money.types';

export const moneyOfUnits = (units: bigint, currency: string): Money => Money.of(formatAmount(units), currency);

/** A model output (a float in major units) as exact units rounded to the currency's minor unit; null when not finite. */
export function unitsOfFloat(value: number, currency: string): bigint | null {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e14) return null;
  const exponent = currencyExponent(currency);
  const fixed = value.toFixed(exponent);
  if (fixed.includes('e')) return null;
  return parseAmount(fixed.replace(/^-(0\.?0*)$/, '$1'));
}

export const moneyOfFloat = (value: number, currency: string): Money | null => {
  const units = unitsOfFloat(value, currency);
  return units === null ? null : moneyOfUnits(units, currency);
};

/** a / b rounded half away from zero to the currency's minor unit, in ten-thousandths. */
export function divideToMinor(a: bigint, b: bigint, currency: string): bigint {
  const step = 10n ** BigInt(4 - currencyExponent(currency));
  const sign = a < 0n ? -1n : 1n;
  const abs = a * sign;
  return sign * ((abs * 2n + b * step) / (2n * b * step)) * step;
}
