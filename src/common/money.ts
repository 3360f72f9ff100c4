/**
 * Exact money arithmetic. Amounts are stored as Postgres numeric(19,4) in major units and
 * travel as decimal strings; in JS they are BigInt "ten-thousandths" so nothing passes
 * through a binary float.
 */
export const SCALE = 4;
const FACTOR = 10n ** BigInt(SCALE);

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0, BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/**
 * ISO 4217 codes that are not money one pays an order in: precious metals, bond-market and IMF units, the
 * testing and "no currency" codes, and funds codes. ICU's list (below) leaves most out; spelled out so a
 * different ICU build cannot let them in.
 */
const NOT_MONEY = new Set([
  'XAU', 'XAG', 'XPD', 'XPT', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA', 'XTS', 'XXX',
  'BOV', 'CHE', 'CHW', 'CLF', 'COU', 'MXV', 'USN', 'UYI', 'UYW',
]);
/** Currencies in use, as ICU knows them (it also keeps recently withdrawn ones, which historic orders need). */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency').filter((c) => !NOT_MONEY.has(c)));

/** Is `code` (upper case) an ISO 4217 currency one can pay in, such as EUR, and not XXX, XTS or XAU? */
export function isCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

export function currencyExponent(currency: string): number {
  return EXPONENTS[currency.toUpperCase()] ?? 2;
}

/** What a client may send: what numeric(19,4) holds. */
const DECIMAL = /^-?\d{1,15}(\.\d{1,4})?$/;
/** What Postgres may return: a sum over many rows outgrows numeric(19,4), and must still parse exactly. */
const NUMERIC = /^-?\d+(\.\d{1,4})?$/;

/** Is `value` a decimal a client may send (at most 15 digits before the point and 4 after)? */
export function isDecimal(value: string): boolean {
  return DECIMAL.test(value);
}

/**
 * The largest amount one order line or one order may carry: a price, a cost, a discount, a line total or an order
 * total, in the order's currency or converted to the base currency. Far below numeric(19,4)'s limit, so a customer's
 * or the whole base's sums stay exact (they are summed as numeric in SQL and as BigInt here).
 */
export const MAX_AMOUNT = parseAmount('1000000000');
/** MAX_AMOUNT for people: in messages and schema descriptions. */
export const MAX_AMOUNT_LABEL = '1,000,000,000';

/**
 * "12.3" -> 123000n (units of 10^-4). Any number of digits before the point (sums from SQL), at most 4 after.
 * Throws on anything that is not a plain decimal.
 */
export function parseAmount(value: string): bigint {
  if (!NUMERIC.test(value)) throw new RangeError(`not a decimal amount: ${value}`);
  const negative = value.charCodeAt(0) === 45; // '-'
  const dot = value.indexOf('.');
  const whole = value.slice(negative ? 1 : 0, dot < 0 ? undefined : dot);
  const frac = dot < 0 ? '' : value.slice(dot + 1);
  // Up to 11 digits before the point the units stay below 10^15, where a double holds every integer exactly: one BigInt
  // instead of two and a multiplication (a full rescore parses ~5 million day totals).
  const units =
    whole.length <= 11 ? BigInt(Number(whole) * 10_000 + Number(frac.padEnd(SCALE, '0'))) : BigInt(whole) * FACTOR + BigInt(frac.padEnd(SCALE, '0'));
  return negative ? -units : units;
}

export function formatAmount(units: bigint, decimals = SCALE): string {
  const rounded = roundUnits(units, decimals);
  const negative = rounded < 0n;
  const abs = negative ? -rounded : rounded;
  const whole = abs / FACTOR;
  const frac = (abs % FACTOR).toString().padStart(SCALE, '0').slice(0, decimals);
  return `${negative ? '-' : ''}${whole}${decimals > 0 ? `.${frac}` : ''}`;
}

/** Round half away from zero to `decimals` places (the usual retail rounding). */
export function roundUnits(units: bigint, decimals: number): bigint {
  const step = 10n ** BigInt(SCALE - decimals);
  if (step === 1n) return units;
  const sign = units < 0n ? -1n : 1n;
  const abs = units * sign;
  return sign * (((abs + step / 2n) / step) * step);
}

/** Does the amount use more decimals than the currency has? */
export function hasSubMinorUnits(units: bigint, currency: string): boolean {
  return roundUnits(units, currencyExponent(currency)) !== units;
}

/** units × rate (rate a decimal string), rounded once, half away from zero, to the currency's minor unit. */
export function convert(units: bigint, rate: string, currency: string): bigint {
  const [whole, frac = ''] = rate.split('.');
  const product = units * BigInt(whole + frac);
  // One division straight to the currency's minor unit: rounding to 4 decimals first would round twice.
  const step = 10n ** BigInt(SCALE - currencyExponent(currency));
  const divisor = 10n ** BigInt(frac.length) * step;
  const sign = product < 0n ? -1n : 1n;
  return sign * (((product * sign) + divisor / 2n) / divisor) * step;
}

/** What a numeric(19,4) column returns: no leading zeros, exactly four decimals. */
const STORED = /^(-?)(0|[1-9]\d*)\.(\d{4})$/;
const ZEROS = ['0000', '000', '00', '0', ''];

/** Postgres numeric text -> display string with the currency's decimals. */
export function normaliseAmount(value: string | number | bigint, currency: string): string {
  if (typeof value === 'string') {
    // The common case, every stored amount on every page: when the digits past the currency's minor unit are zeros
    // there is nothing to round, and the text itself is the answer (what the BigInt path below returns, without it).
    const stored = STORED.exec(value);
    const decimals = currencyExponent(currency);
    if (stored && stored[3].endsWith(ZEROS[decimals]) && !(stored[1] && stored[2] === '0')) {
      return `${stored[1]}${stored[2]}${decimals > 0 ? `.${stored[3].slice(0, decimals)}` : ''}`;
    }
  }
  const units = typeof value === 'bigint' ? value : parseAmount(String(value));
  return formatAmount(units, currencyExponent(currency));
}

/** A model output (a float in major units) as exact units rounded to the currency's minor unit; null when not finite. */
export function unitsOfFloat(value: number, currency: string): bigint | null {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e14) return null;
  const exponent = currencyExponent(currency);
  const fixed = value.toFixed(exponent);
  if (fixed.includes('e')) return null;
  return parseAmount(fixed.replace(/^-(0\.?0*)$/, '$1'));
}

/** a / b rounded half away from zero to the currency's minor unit, in ten-thousandths (averages of exact totals). */
export function divideToMinor(a: bigint, b: bigint, currency: string): bigint {
  const step = 10n ** BigInt(4 - currencyExponent(currency));
  const sign = a < 0n ? -1n : 1n;
  const abs = a * sign;
  return sign * ((abs * 2n + b * step) / (2n * b * step)) * step;
}
