// Greeting occasions for the care playbook; Easter by the anonymous Gregorian computus (Meeus, "Astronomical Algorithms", ch. 8).
import type { Holiday } from './next-best-actions';

export interface HolidayRule {
  name: string;
  /** ISO 3166-1 alpha-2 countries that keep it; absent means everywhere. */
  countries?: readonly string[];
  /** The holiday's date in a given year (UTC midnight). */
  on(year: number): Date;
}

const fixed = (month: number, day: number) => (year: number) => new Date(Date.UTC(year, month - 1, day));

/** Easter Sunday in the Gregorian calendar. */
export function easterSunday(year: number): Date {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return new Date(Date.UTC(year, month - 1, day));
}

/** The n-th given weekday (0 = Sunday) of a month. */
function nthWeekday(year: number, month: number, weekday: number, n: number): Date {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return new Date(Date.UTC(year, month - 1, 1 + ((weekday - first + 7) % 7) + (n - 1) * 7));
}

/** Occasions a relationship manager sends greetings for; deliberately short, extend per market. */
export const DEFAULT_HOLIDAYS: readonly HolidayRule[] = [
  { name: "New Year's Day", on: fixed(1, 1) },
  { name: 'Easter', on: easterSunday },
  { name: 'Thanksgiving', countries: ['US'], on: (year) => nthWeekday(year, 11, 4, 4) },
  { name: 'Thanksgiving', countries: ['CA'], on: (year) => nthWeekday(year, 10, 1, 2) },
  { name: 'Christmas', on: fixed(12, 25) },
];

export interface DatedHoliday extends Holiday {
  countries?: readonly string[];
}

/** Every holiday of the calendar whose date lies in [from, to], in date order. */
export function holidaysBetween(from: Date, to: Date, calendar: readonly HolidayRule[] = DEFAULT_HOLIDAYS): DatedHoliday[] {
  const years: number[] = [];
  for (let y = from.getUTCFullYear(); y <= to.getUTCFullYear(); y++) years.push(y);
  return calendar
    .flatMap((rule) => years.map((y) => ({ name: rule.name, date: rule.on(y), countries: rule.countries })))
    .filter((h) => h.date.getTime() >= from.getTime() && h.date.getTime() <= to.getTime())
    .sort((a, b) => a.date.getTime() - b.date.getTime());
}

/**
 * Holidays from today (UTC) through `days` ahead that apply to a customer in `country`
 * (null: only the ones kept everywhere), in date order.
 */
export function upcomingHolidays(now: Date, days: number, country: string | null, calendar: readonly HolidayRule[] = DEFAULT_HOLIDAYS): Holiday[] {
  const today = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return holidaysBetween(today, new Date(today.getTime() + days * 86_400_000), calendar)
    .filter((h) => !h.countries || (country !== null && h.countries.includes(country.toUpperCase())))
    .map(({ name, date }) => ({ name, date }));
}
