import { CountryCodeResolver, EmailAddressResolver } from 'graphql-scalars';
import { currencyExponent, hasSubMinorUnits, isCurrency, isDecimal, MAX_AMOUNT, MAX_AMOUNT_LABEL, parseAmount } from '../common/money';
import { hasNul } from '../common/validate';

/** One cell's problem; the importers collect them per row. */
export class FieldError extends Error {}

/** Runs a cell parser, turning FieldError into a collected problem. */
export function collect(problems: string[]): <T>(parse: () => T) => T | undefined {
  return (parse) => {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof FieldError)) throw e;
      problems.push(e.message);
      return undefined;
    }
  };
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1 || d > DAYS_IN_MONTH[m - 1]) return false;
  return m !== 2 || d < 29 || (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
}

const COMPACT_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * A point in time from YYYYMMDD, YYYY-MM-DD or an ISO 8601 date-time. Dates and date-times without an offset are
 * taken as UTC, so a file means the same on every server.
 */
export function parseTimestamp(column: string, text: string, now = Date.now()): Date {
  const compact = COMPACT_DATE.exec(text);
  const iso = compact ? null : ISO.exec(text);
  const parts = compact ?? iso;
  const bad = () => new FieldError(`${column} "${text}" is not a date: use YYYY-MM-DD, YYYYMMDD or an ISO date-time such as 2024-05-31T14:30:00Z`);
  if (!parts) throw bad();
  const [y, mo, d] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  const [h, mi, s] = iso ? [Number(iso[4] ?? 0), Number(iso[5] ?? 0), Number(iso[6] ?? 0)] : [0, 0, 0];
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || s > 59) throw bad();
  const ms = iso?.[7] ? Math.floor(Number(iso[7]) * 1000) : 0;
  let offsetMinutes = 0;
  const zone = iso?.[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const [, sign, oh, om = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
    if (Number(oh) > 14 || Number(om) > 59) throw bad();
    offsetMinutes = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om));
  }
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000);
  if (y < 1900) throw new FieldError(`${column} ${text} is before 1900`);
  if (date.getTime() > now + 86_400_000) throw new FieldError(`${column} ${text} is in the future`);
  return date;
}

/** A calendar date (YYYY-MM-DD or YYYYMMDD) from 1900 up to today, as 'YYYY-MM-DD'. */
export function parseCalendarDate(column: string, text: string, today = new Date().toISOString().slice(0, 10)): string {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3]))) throw new FieldError(`${column} "${text}" is not a date: use YYYY-MM-DD`);
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  if (iso < '1900-01-01' || iso > today) throw new FieldError(`${column} ${iso} must be between 1900-01-01 and today`);
  return iso;
}

export function parseCurrency(column: string, text: string): string {
  const code = text.toUpperCase();
  if (!isCurrency(code)) throw new FieldError(`${column} "${text}" is not an ISO 4217 currency code such as USD or EUR (XXX, XTS, metals and funds codes are not money)`);
  return code;
}

/** A non-negative amount in the currency, as 4-decimal money units (see common/money). */
export function parseMoney(column: string, text: string, currency: string): bigint {
  if (!isDecimal(text)) throw new FieldError(`${column} "${text}" is not a number: use digits with an optional decimal point, such as 1234.50`);
  const units = parseAmount(text);
  if (units < 0n) throw new FieldError(`${column} ${text} must not be negative`);
  if (units > MAX_AMOUNT) throw new FieldError(`${column} ${text} is more than ${MAX_AMOUNT_LABEL}, the most one order may carry`);
  if (hasSubMinorUnits(units, currency)) {
    throw new FieldError(`${column} ${text} has more decimals than ${currency} allows (${currencyExponent(currency)})`);
  }
  return units;
}

/** An exchange rate for numeric(18,8): positive, at most 10 digits before and 8 after the point. */
export function parseRate(column: string, text: string): string {
  if (!/^\d{1,10}(\.\d{1,8})?$/.test(text) || !/[1-9]/.test(text)) {
    throw new FieldError(`${column} "${text}" must be a positive number with at most 8 decimals, such as 1.0842`);
  }
  return text;
}

export function parseChoice<T extends string>(column: string, text: string, choices: readonly T[]): T {
  const value = text.toUpperCase() as T;
  if (!choices.includes(value)) throw new FieldError(`${column} "${text}" must be one of ${choices.join(', ')}`);
  return value;
}

export function parseText(column: string, text: string, max: number): string {
  if (text.length > max) throw new FieldError(`${column} is longer than ${max} characters`);
  if (hasNul(text)) throw new FieldError(`${column} contains a NUL (\\u0000) character`);
  return text;
}

export function parseEmail(column: string, text: string): string {
  try {
    EmailAddressResolver.parseValue(text);
  } catch {
    throw new FieldError(`${column} "${text}" is not an email address`);
  }
  return parseText(column, text.toLowerCase(), 254);
}

/** E.164 after dropping spaces, dashes, dots and parentheses: "+44 20 7123 4567" → "+442071234567". */
export function parsePhone(column: string, text: string): string {
  const phone = text.replace(/[\s\-.()]/g, '');
  if (!/^\+[1-9]\d{6,14}$/.test(phone)) throw new FieldError(`${column} "${text}" is not an international phone number such as +442071234567`);
  return phone;
}

export function parseCountry(column: string, text: string): string {
  const code = text.toUpperCase();
  try {
    CountryCodeResolver.parseValue(code);
  } catch {
    throw new FieldError(`${column} "${text}" is not an ISO 3166 country code such as DE or US`);
  }
  return code;
}

/** ';'-separated labels, trimmed and de-duplicated: at most 50, each at most 50 characters (as the API allows). */
export function parseTags(column: string, text: string): string[] {
  const tags = [...new Set(text.split(';').map((t) => t.trim()).filter(Boolean))];
  if (tags.length > 50) throw new FieldError(`${column} has ${tags.length} entries; at most 50 are allowed`);
  const long = tags.find((t) => t.length > 50);
  if (long) throw new FieldError(`${column} entry "${long.slice(0, 20)}…" is longer than 50 characters`);
  return tags;
}
