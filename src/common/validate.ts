import { UserErrorCode, UserErrors } from './errors';
import { currencyExponent, hasSubMinorUnits, parseAmount } from './money';

/** Trims and checks a required text input; returns the clean value or undefined after recording an error. */
export function requiredText(errors: UserErrors, path: Array<string | number>, value: string | null | undefined, max = 200): string | undefined {
  const text = value?.trim();
  if (!text) {
    errors.add(path, UserErrorCode.REQUIRED, 'Must not be blank.');
    return undefined;
  }
  if (text.length > max) {
    errors.add(path, UserErrorCode.TOO_LONG, `Must be at most ${max} characters.`);
    return undefined;
  }
  return text;
}

/** Optional text: undefined stays undefined (unchanged), blank becomes null (cleared). */
export function optionalText(errors: UserErrors, path: Array<string | number>, value: string | null | undefined, max = 200): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value?.trim() || null;
  if (text && text.length > max) {
    errors.add(path, UserErrorCode.TOO_LONG, `Must be at most ${max} characters.`);
    return undefined;
  }
  return text;
}

/** A list of short labels (tags, interests): trimmed, de-duplicated, bounded. */
export function labelList(errors: UserErrors, path: Array<string | number>, values: string[] | null | undefined, maxItems = 50, maxLength = 50): string[] | undefined {
  if (values === undefined) return undefined;
  const clean = [...new Set((values ?? []).map((v) => v.trim()).filter(Boolean))];
  if (clean.length > maxItems) {
    errors.add(path, UserErrorCode.TOO_MANY, `At most ${maxItems} entries.`);
    return undefined;
  }
  const long = clean.findIndex((v) => v.length > maxLength);
  if (long >= 0) {
    errors.add([...path, long], UserErrorCode.TOO_LONG, `Each entry must be at most ${maxLength} characters.`);
    return undefined;
  }
  return clean;
}

/** Calendar dates ('YYYY-MM-DD') must not lie in the future (birthdays). */
export function pastDate(errors: UserErrors, path: Array<string | number>, value: Date | string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const iso = typeof value === 'string' ? value : value.toISOString().slice(0, 10);
  if (iso > new Date().toISOString().slice(0, 10) || iso < '1900-01-01') {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must be a date between 1900-01-01 and today.');
    return undefined;
  }
  return iso;
}

/** Removes keys whose value is undefined, so a partial update only touches what was given. */
export function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A money amount (a Decimal input) in `currency` as exact units: not negative, no finer than the currency's minor unit. */
export function nonNegativeAmount(errors: UserErrors, path: Array<string | number>, value: string, currency: string): bigint | undefined {
  const units = parseAmount(value);
  if (units < 0n) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must not be negative.');
    return undefined;
  }
  if (hasSubMinorUnits(units, currency)) {
    errors.add(path, UserErrorCode.INVALID, `${currency} amounts have at most ${currencyExponent(currency)} decimals.`);
    return undefined;
  }
  return units;
}
