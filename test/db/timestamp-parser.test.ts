import fc from 'fast-check';
import { types } from 'pg';
import { parseTimestamptz } from '../../src/db/timestamp-parser';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Rapport parses `timestamptz` text itself (src/db/timestamp-parser.ts) instead of with pg's regular expressions.
 * It must give exactly pg's Date for every text Postgres can send: checked against pg's own parser (postgres-date,
 * still reachable through pg-types' builtin table) on Postgres's own output under several time zones, historic
 * offsets with seconds, BC dates and infinities, and on generated texts of every shape.
 */
/** pg-types' own text parser for timestamptz (postgres-date), read from its table, which our override does not touch. */
const pgParse: (text: string) => unknown = (() => {
  const textParsers = require('pg-types/lib/textParsers') as { init(register: (oid: number, parser: (text: string) => unknown) => void): void };
  let parser: ((text: string) => unknown) | undefined;
  textParsers.init((oid, p) => {
    if (oid === types.builtins.TIMESTAMPTZ) parser = p;
  });
  return parser!;
})();

const same = (text: string) => {
  const ours = parseTimestamptz(text);
  const theirs = pgParse(text);
  const key = (v: unknown) => (v instanceof Date ? `date:${v.getTime()}` : `other:${String(v)}`);
  expect({ text, value: key(ours) }).toEqual({ text, value: key(theirs) });
};

describe('timestamptz parsing', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp();
  });
  afterAll(() => app.close());

  it("gives pg's Date for Postgres's own text in every time zone, historic offsets, BC and infinity", async () => {
    const zones = ['UTC', 'Asia/Kolkata', 'America/St_Johns', 'Europe/Amsterdam', 'Pacific/Chatham', 'America/Sao_Paulo', 'Africa/Monrovia'];
    let checked = 0;
    for (const zone of zones) {
      const rows: Array<{ t: string }> = await app.db.transaction(async (m) => {
        await m.query(`SET LOCAL TimeZone = '${zone}'`);
        return m.query(
          `SELECT t::text AS t FROM (
             SELECT timestamptz '1890-03-01 12:00:00+00' + make_interval(days => k * 3701, secs => k * 7.123457) AS t FROM generate_series(0, 60) k
             UNION ALL SELECT unnest(ARRAY[timestamptz 'infinity', timestamptz '-infinity', timestamptz '0044-03-15 12:00:00+00 BC',
               timestamptz '0099-12-31 23:59:59.999999+00', timestamptz '1000-01-01 00:00:00+00', timestamptz '2026-11-24 23:59:59.5+00',
               timestamptz '1970-01-01 00:00:00+00', timestamptz '9999-12-31 23:59:59.999999+00', now()])
           ) x`,
        );
      });
      for (const { t } of rows) {
        same(t);
        checked++;
      }
    }
    expect(checked).toBe(zones.length * 70);
  });

  it("gives pg's Date for generated texts of every shape, or falls back to pg's parser", () => {
    const two = (n: number) => String(n).padStart(2, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        fc.integer({ min: 0, max: 59 }),
        fc.stringMatching(/^(\.[0-9]{1,6})?$/),
        fc.constantFrom('+', '-'),
        fc.integer({ min: 0, max: 15 }),
        fc.option(fc.integer({ min: 0, max: 59 })),
        fc.option(fc.integer({ min: 0, max: 59 })),
        fc.boolean(),
        (year, month, day, hour, minute, second, fraction, sign, oh, om, os, bc) => {
          const offset = `${sign}${two(oh)}${om === null ? '' : `:${two(om)}${os === null ? '' : `:${two(os)}`}`}`;
          same(`${String(year).padStart(4, '0')}-${two(month)}-${two(day)} ${two(hour)}:${two(minute)}:${two(second)}${fraction}${offset}${bc ? ' BC' : ''}`);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('hands text of any other form to pg unchanged', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.stringMatching(/^[0-9 :.+-]{18,32}$/)), (text) => same(text)),
      { numRuns: 3000 },
    );
  });

  it("parses Postgres's usual form itself, and hands only the rest to pg's parser", () => {
    // A fresh module registry, so the parser captures this spy as pg's parser when it loads.
    const fallback = jest.fn((text: string) => pgParse(text));
    let parse: (text: string) => unknown = () => null;
    jest.isolateModules(() => {
      (require('pg') as typeof import('pg')).types.setTypeParser(types.builtins.TIMESTAMPTZ, fallback);
      parse = (require('../../src/db/timestamp-parser') as typeof import('../../src/db/timestamp-parser')).parseTimestamptz;
    });
    for (const text of ['2026-11-24 23:59:59.123456+00', '1999-01-01 00:00:00+05:30', '2000-02-29 12:00:00.5-03:30:15']) parse(text);
    expect(fallback).not.toHaveBeenCalled();
    for (const text of ['infinity', '0044-03-15 12:00:00+00 BC', '0099-12-31 23:59:59+00']) parse(text);
    expect(fallback.mock.calls.map(([text]) => text)).toEqual(['infinity', '0044-03-15 12:00:00+00 BC', '0099-12-31 23:59:59+00']);
  });
});
