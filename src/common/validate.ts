import { badInput, UserErrorCode, UserErrors } from './errors';
import { currencyExponent, hasSubMinorUnits, isCurrency, MAX_AMOUNT, MAX_AMOUNT_LABEL, parseAmount } from './money';

type Path = Array<string | number>;

/**
 * Postgres text cannot hold U+0000, and jsonb (the audit log) refuses an unpaired UTF-16 surrogate (\ud800): either
 * would fail the statement instead of the input.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Does the text contain a character Postgres refuses (NUL, or an unpaired surrogate)? */
export function hasNul(value: string): boolean {
  return UNSTORABLE.test(value);
}

export const NUL_MESSAGE = 'Must not contain NUL (\\u0000) characters or unpaired surrogates.';

/** Trims and checks a required text input; returns the clean value or undefined after recording an error. */
export function requiredText(errors: UserErrors, path: Path, value: string | null | undefined, max = 200): string | undefined {
  const text = value?.trim();
  if (!text) {
    errors.add(path, UserErrorCode.REQUIRED, 'Must not be blank.');
    return undefined;
  }
  if (hasNul(text)) {
    errors.add(path, UserErrorCode.INVALID, NUL_MESSAGE);
    return undefined;
  }
  if (text.length > max) {
    errors.add(path, UserErrorCode.TOO_LONG, `Must be at most ${max} characters.`);
    return undefined;
  }
  return text;
}

/** Optional text: undefined stays undefined (unchanged), blank becomes null (cleared). */
export function optionalText(errors: UserErrors, path: Path, value: string | null | undefined, max = 200): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value?.trim() || null;
  if (text && hasNul(text)) {
    errors.add(path, UserErrorCode.INVALID, NUL_MESSAGE);
    return undefined;
  }
  if (text && text.length > max) {
    errors.add(path, UserErrorCode.TOO_LONG, `Must be at most ${max} characters.`);
    return undefined;
  }
  return text;
}

/** A list of short labels (tags, interests): trimmed, de-duplicated, bounded. */
export function labelList(errors: UserErrors, path: Path, values: string[] | null | undefined, maxItems = 50, maxLength = 50): string[] | undefined {
  if (values === undefined) return undefined;
  const raw = values ?? [];
  const nul = raw.findIndex(hasNul);
  if (nul >= 0) {
    errors.add([...path, nul], UserErrorCode.INVALID, NUL_MESSAGE);
    return undefined;
  }
  const clean = [...new Set(raw.map((v) => v.trim()).filter(Boolean))];
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

/** A key into a small catalog (a lifecycle stage key): trimmed and upper-cased; undefined after recording an error. */
export function catalogKey(errors: UserErrors, path: Path, value: string, max = 50): string | undefined {
  const key = requiredText(errors, path, value, max);
  return key?.toUpperCase();
}

// The HTML living standard's "valid email address" (what graphql-scalars' EmailAddress checks), at most 254 characters (RFC 5321).
const EMAIL = /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** An optional email address: trimmed and lower-cased; blank or null clears it; undefined stays unchanged. */
export function optionalEmail(errors: UserErrors, path: Path, value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value?.trim() || null;
  if (text === null) return null;
  if (text.length > 254 || !EMAIL.test(text)) {
    errors.add(path, UserErrorCode.INVALID, 'Must be an email address such as ada@example.com.');
    return undefined;
  }
  return text.toLowerCase();
}

// E.164: a plus, a country code not starting with 0, at most 15 digits in all.
const E164 = /^\+[1-9]\d{1,14}$/;

/** An optional phone number in E.164 (+4930123456); spaces, dashes, dots and brackets are dropped first. */
export function optionalPhone(errors: UserErrors, path: Path, value: string | null | undefined): string | null | undefined {
  if (value === undefined) return undefined;
  const text = value?.trim() || null;
  if (text === null) return null;
  const compact = text.replace(/[\s\-.()]/g, '');
  if (!E164.test(compact)) {
    errors.add(path, UserErrorCode.INVALID, 'Must be a phone number in E.164 form: a plus, the country code and the number, such as +4930123456.');
    return undefined;
  }
  return compact;
}

/** The earliest instant any date in the CRM may carry (orders, touchpoints, birthdays, model dates). */
export const EARLIEST_DATE = '1900-01-01';
export const EARLIEST_INSTANT = new Date(`${EARLIEST_DATE}T00:00:00Z`);

/**
 * An instant that must lie between 1900-01-01 and now (plus `skewMs` for clients' clocks); records OUT_OF_RANGE
 * and returns false otherwise.
 */
export function pastInstant(errors: UserErrors, path: Path, value: Date, now: Date, skewMs = 0): boolean {
  if (Number.isNaN(value.getTime()) || value.getTime() < EARLIEST_INSTANT.getTime()) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must not be before ${EARLIEST_DATE}.`);
    return false;
  }
  if (value.getTime() > now.getTime() + skewMs) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must not be in the future.');
    return false;
  }
  return true;
}

/** Calendar dates ('YYYY-MM-DD') must not lie in the future (birthdays). */
export function pastDate(errors: UserErrors, path: Path, value: Date | string | null | undefined): string | null | undefined {
  if (value === undefined || value === null) return value;
  const iso = typeof value === 'string' ? value : Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || iso > new Date().toISOString().slice(0, 10) || iso < EARLIEST_DATE) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must be a date between ${EARLIEST_DATE} and today.`);
    return undefined;
  }
  return iso;
}

/** Removes keys whose value is undefined, so a partial update only touches what was given. */
export function defined<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** An ISO 4217 currency to record money in (upper-cased); XXX, XTS, metals and funds codes are refused. */
export function currencyCode(errors: UserErrors, path: Path, value: string): string | undefined {
  const code = value.trim().toUpperCase();
  if (!isCurrency(code)) {
    errors.add(path, UserErrorCode.INVALID, `${value} is not a currency one can pay in: use an ISO 4217 code such as EUR or USD.`);
    return undefined;
  }
  return code;
}

/**
 * A money amount (a Decimal input) in `currency` as exact units: not negative, at most MAX_AMOUNT (the per-line and
 * per-order maximum), no finer than the currency's minor unit.
 */
export function nonNegativeAmount(errors: UserErrors, path: Path, value: string, currency: string): bigint | undefined {
  const units = parseAmount(value);
  if (units < 0n) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must not be negative.');
    return undefined;
  }
  if (units > MAX_AMOUNT) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, `Must be at most ${MAX_AMOUNT_LABEL}.`);
    return undefined;
  }
  if (hasSubMinorUnits(units, currency)) {
    errors.add(path, UserErrorCode.INVALID, `${currency} amounts have at most ${currencyExponent(currency)} decimals.`);
    return undefined;
  }
  return units;
}

/** The latest instant a query argument may name: the end of year 9999, where ISO 8601 dates stop. */
const LATEST_INSTANT = new Date('9999-12-31T23:59:59.999Z');

/**
 * An instant given as a query argument (asOf, from, to): from 1900-01-01 up to `latest` (by default the end of year
 * 9999; pass now for "not in the future"). Anything else is BAD_USER_INPUT naming the argument.
 */
export function instantArgument(value: Date, field: string, latest: Date = LATEST_INSTANT): Date {
  if (Number.isNaN(value.getTime()) || value.getTime() < EARLIEST_INSTANT.getTime()) {
    throw badInput(`\`${field}\` must not be before ${EARLIEST_DATE}.`, { field, reason: UserErrorCode.OUT_OF_RANGE });
  }
  if (value.getTime() > latest.getTime()) {
    throw badInput(latest === LATEST_INSTANT ? `\`${field}\` must be before the year 10000.` : `\`${field}\` must not be in the future.`, {
      field,
      reason: UserErrorCode.OUT_OF_RANGE,
    });
  }
  return value;
}
