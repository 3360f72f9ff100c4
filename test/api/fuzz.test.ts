import fc from 'fast-check';
import {
  GraphQLArgument,
  GraphQLField,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLNamedType,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { getSchema } from '../../src/server/schema';
import { GraphQLResponse, startTestApp, TestApp } from '../support/test-app';

/*
 * Property: whatever a client sends to any mutation or list (and the lookups and analyst queries beside them), the
 * answer is a response with a clear code, never an INTERNAL_SERVER_ERROR or a 5xx, and the data stays consistent.
 *
 * Every call is generated from the schema: each argument's type picks a generator of hostile values (NUL and other
 * control characters, lone surrogates, SQL, very long text, numbers at and past their limits, dates of the year 0000,
 * forged cursors and global IDs of the wrong type), mixed with plausible values (real IDs and cursors seen in earlier
 * answers, recent dates, small amounts) so that calls also get past the first check and into the services. Calls are
 * batched with aliases, as variables or as inline literals. The seed is fixed: a failure prints it and the batch.
 */

const SEED = 20261124;
const QUERY_BATCHES = 380;
const QUERY_BATCH = 16;
const MUTATION_BATCHES = 330;
const MUTATION_BATCH = 10;
const UNTYPED_CALLS = 640;

let app: TestApp;
let schema: GraphQLSchema;
beforeAll(async () => {
  app = await startTestApp();
  schema = await getSchema();
});
afterAll(() => app.close());

// --- what the server told us: IDs by type, cursors, the highest version seen of each record --------------------

const ids = new Map<string, string[]>();
const cursors: string[] = [];
const versions = new Map<string, number>();
let stageKeys: string[] = [];

function remember(value: unknown): void {
  if (Array.isArray(value)) return value.forEach(remember);
  if (value === null || typeof value !== 'object') return;
  const o = value as Record<string, unknown>;
  if (typeof o.id === 'string') {
    const decoded = fromGlobalId(o.id);
    if (decoded) {
      const list = ids.get(decoded.type) ?? [];
      if (!list.includes(o.id) && list.length < 200) list.push(o.id);
      ids.set(decoded.type, list);
      if (typeof o.version === 'number') {
        const seen = versions.get(o.id) ?? 0;
        if (o.version < seen) throw new Error(`version of ${decoded.type} ${decoded.id} went back from ${seen} to ${o.version}`);
        versions.set(o.id, o.version);
      }
    }
  }
  for (const [k, v] of Object.entries(o)) {
    if ((k === 'cursor' || k === 'endCursor' || k === 'startCursor') && typeof v === 'string' && cursors.length < 400 && !cursors.includes(v)) cursors.push(v);
    else remember(v);
  }
}

/** A value that names a real ID or cursor by position: resolved when the call is sent, from what was seen by then. */
class Ref {
  constructor(
    readonly kind: 'id' | 'cursor',
    readonly type: string | null,
    readonly i: number,
  ) {}
  [fc.toStringMethod]() {
    return `Ref(${this.kind}${this.type ? `:${this.type}` : ''}#${this.i})`;
  }
  resolve(): string {
    if (this.kind === 'cursor') return cursors.length ? cursors[this.i % cursors.length] : 'no-cursor-yet';
    const pool = this.type ? ids.get(this.type) ?? [] : [...ids.values()].flat();
    return pool.length ? pool[this.i % pool.length] : toGlobalId(this.type ?? 'Customer', '00000000-0000-4000-8000-000000000000');
  }
}

const resolveRefs = (v: unknown): unknown =>
  v instanceof Ref ? v.resolve() : Array.isArray(v) ? v.map(resolveRefs) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolveRefs(x)])) : v;

// --- hostile values --------------------------------------------------------------------------------------------

const NODE_TYPES = ['Customer', 'Contact', 'Order', 'OrderLine', 'Product', 'Touchpoint', 'User', 'LifecycleStage', 'LifecycleTransition'];
const cursorOf = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');

// NUL is kept rare: one in a query batch refuses the whole request before it runs (see hostile-input.test.ts).
const NUL_TEXT = ['\u0000', 'a\u0000b', '\u0000\u0000\u0000'];
const HOSTILE_TEXT = [
  '', ' ', '\u0001\u0002\u001f\u007f', '\t\n\r\u000b\u000c', '\u0008', '\ud800', 'x\udfff', '\ud83d',
  "' OR 1=1 --", "'; DROP TABLE customers; --", '%', '_', '\\', '%_\\%', "\\'", '$1', ':search', '{a}', 'd.segment', 'NULL', 'null',
  'Müller', '名前', '🙂🙂🙂', '\u202eevil', '\ufeff', 'e\u0301', '\u200b', 'NaN', 'Infinity', '-0', '1e309', '[object Object]', '<script>alert(1)</script>',
  'x'.repeat(201), 'y'.repeat(1001), 'z'.repeat(10_001), 'PROSPECT', 'prospect', ' LOYAL ', 'XXX', 'USD',
];
const controlChars = fc.integer({ min: 1, max: 31 }).map((c) => String.fromCharCode(c));
const hostileText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...HOSTILE_TEXT), weight: 30 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map((t) => t.replace(/\u0000/g, '')), weight: 15 },
  { arbitrary: fc.string({ unit: controlChars, maxLength: 8 }), weight: 5 },
  { arbitrary: fc.integer({ min: 0, max: 50_000 }).map((n) => 'w'.repeat(n)), weight: 5 },
  { arbitrary: fc.oneof(fc.constantFrom(...NUL_TEXT), fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([a, b]) => `${a}\u0000${b}`)), weight: 1 },
);
const plainText = fc.oneof({ arbitrary: fc.constantFrom('Ada', 'Grace Hopper', 'ACME GmbH', 'Espresso', 'vip', 'newsletter'), weight: 3 }, { arbitrary: fc.string({ minLength: 1, maxLength: 12 }), weight: 1 });
const text = (plain: fc.Arbitrary<string> = plainText) => fc.oneof({ arbitrary: plain, weight: 3 }, { arbitrary: hostileText, weight: 2 });

const uuid = fc.uuid();
const forgedId = fc.oneof(
  fc.tuple(fc.constantFrom(...NODE_TYPES, 'Nope', 'customer'), uuid).map(([t, u]) => toGlobalId(t, u)),
  fc.constantFrom('Q3VzdG9tZXI6bm90LWEtdXVpZA', '00000000-0000-0000-0000-000000000000', 'Q3VzdG9tZXI6', '=', 'x'.repeat(300)),
  hostileText,
);
const idArb = (type: string | null) =>
  fc.oneof(
    { arbitrary: fc.nat().map((i) => new Ref('id', type, i)), weight: type ? 6 : 3 },
    { arbitrary: fc.tuple(fc.constantFrom(...NODE_TYPES), fc.nat()).map(([t, i]) => new Ref('id', t, i)), weight: 2 },
    { arbitrary: forgedId, weight: 2 },
  );
const forgedCursor = fc.oneof(
  fc.tuple(fc.constantFrom('customer', 'order', 'product', 'contact', 'touchpoint', 'user', 'lifecycle stage', 'x'), fc.constantFrom('NAME', 'TOTAL', 'PLACED_AT', 'CREATED_AT', 'PRICE', 'POSITION', 'PREDICTED_CLV', 'CHURN_PROBABILITY'), fc.oneof(hostileText, fc.constant(null), fc.constantFrom('2026-01-01T00:00:00.000000Z', '0000-01-01T00:00:00.000000Z', '12.5', '1e400', 'NaN', '2147483648')), fc.oneof(uuid, hostileText)).map((p) => cursorOf(p)),
  fc.tuple(hostileText, uuid).map((p) => cursorOf(p)),
  fc.jsonValue().map((v) => cursorOf([v])),
  hostileText,
);
const cursorArb = fc.oneof({ arbitrary: fc.nat().map((i) => new Ref('cursor', null, i)), weight: 4 }, { arbitrary: forgedCursor, weight: 3 });

// A page size past the cost limit refuses its whole batch: kept rarer than the other bad sizes.
const pageSize = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 10 }), weight: 60 },
  { arbitrary: fc.integer({ min: 0, max: 100 }), weight: 15 },
  { arbitrary: fc.constantFrom(-1, 101, -2147483648), weight: 6 },
  { arbitrary: fc.constant(2147483647), weight: 1 },
);
const anyInt = fc.oneof(
  { arbitrary: fc.integer({ min: -2, max: 12 }), weight: 6 },
  { arbitrary: fc.constantFrom(0, -1, 1_000_000, 1_000_001, 2147483647, -2147483648), weight: 2 },
  { arbitrary: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), weight: 1 },
);
const anyFloat = fc.oneof(
  { arbitrary: fc.double({ min: -0.5, max: 1.5, noNaN: true }), weight: 4 },
  { arbitrary: fc.constantFrom(0, 1, -1e308, 1e308, 5e-324, 1e-300, 0.01), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
);
const DAY = 86_400_000;
const NOW = Date.now();
const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const calendarDate = fc.tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`);
// Instants near a few anchors, so that two arguments of one call (from and to) often lie close together, at the edges too.
const ANCHORS = ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1899-11-15T00:00:00Z', '9999-10-01T00:00:00Z', new Date(NOW - 45 * DAY).toISOString()].map(Date.parse);
const anchored = fc.tuple(fc.constantFrom(...ANCHORS), fc.integer({ min: 0, max: 60 * DAY })).map(([a, d]) => new Date(a + d).toISOString());
const dateTimeArb = fc.oneof(
  { arbitrary: fc.integer({ min: NOW - 4 * 365 * DAY, max: NOW }).map((t) => new Date(t).toISOString()), weight: 4 },
  { arbitrary: anchored, weight: 4 },
  {
    arbitrary: fc.constantFrom(
      '0000-01-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '1899-12-31T23:59:59Z', '1900-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z',
      '2100-01-01T00:00:00Z', '2024-02-29T12:00:00+13:00', '1970-01-01T00:00:00Z', new Date(NOW + DAY).toISOString(), new Date(NOW + 60_000).toISOString(),
    ),
    weight: 2,
  },
  { arbitrary: fc.tuple(calendarDate, fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([d, h, m]) => `${d}T${pad(h)}:${pad(m)}:00Z`), weight: 1 },
);
const dateArb = fc.oneof(
  { arbitrary: fc.integer({ min: NOW - 80 * 365 * DAY, max: NOW }).map((t) => new Date(t).toISOString().slice(0, 10)), weight: 4 },
  { arbitrary: fc.constantFrom('0000-01-01', '0001-01-01', '1899-12-31', '1900-01-01', '9999-12-31', '2024-02-29', new Date(NOW + 2 * DAY).toISOString().slice(0, 10)), weight: 2 },
  { arbitrary: calendarDate, weight: 1 },
);
const decimalArb = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 100_000 }).map((c) => (c / 100).toFixed(2)), weight: 6 },
  {
    arbitrary: fc.constantFrom(
      '999999999999999.9999', '-999999999999999.9999', '1000000000', '1000000000.0001', '999999999.99', '500000000', '0', '-0', '-1', '0.0001', '0.001', '1.5', '00001.10', '1',
    ),
    weight: 3,
  },
  { arbitrary: fc.tuple(fc.boolean(), fc.stringMatching(/^[0-9]{1,15}$/), fc.stringMatching(/^[0-9]{0,4}$/)).map(([neg, w, f]) => `${neg ? '-' : ''}${w}${f ? `.${f}` : ''}`), weight: 1 },
);
const currencyArb = fc.constantFrom('USD', 'EUR', 'JPY', 'KWD', 'GBP', 'usd', 'XXX', 'XTS', 'XAU', 'CHE', 'XDR', 'XAF');
const countryArb = fc.constantFrom('DE', 'US', 'GB', 'JP', 'FR', 'de');
const emailArb = text(fc.oneof(fc.constantFrom('ada@example.com', 'A.B+tag@Example.ORG', 'x@y', 'not-an-email', '@x.io', 'a@b@c'), fc.emailAddress()));
const phoneArb = text(fc.constantFrom('+4930123456', '+1 (555) 123-4567', '+44 20 7123 4567', '030 123456', '+0123', '+999999999999999999', 'call me'));
const stageArb = () => text(fc.constantFrom(...stageKeys, 'NOPE', 'loyal', ''));

// --- values by schema type -------------------------------------------------------------------------------------

const ID_HINTS: Record<string, string> = {
  customerId: 'Customer', referredById: 'Customer', referredBy: 'Customer', customer: 'Customer', customers: 'Customer',
  contactId: 'Contact', contact: 'Contact', orderId: 'Order', order: 'Order', productId: 'Product', product: 'Product',
  userId: 'User', ownerId: 'User', owner: 'User', user: 'User',
};
/** The node type an `id` field most likely wants, from its input type's name (UpdateCustomerInput, CustomerFilter, …). */
function typeFromInputName(name: string): string | null {
  const m = /^(?:Update|Create|Delete|Restore|Log|Record)?(Customer|Contact|Order|Product|Touchpoint|User|LifecycleStage)/.exec(name);
  return m ? m[1] : null;
}

/**
 * Hostile calls try every value; plausible ones pick values a real client would send (a real ID of the right type,
 * a recent date, a small amount), so that they get past validation into the writes and the reads behind them; mixed
 * ones are plausible with a hostile value here and there, the shape that finds a check missing on one field.
 */
type Mode = 'hostile' | 'plausible' | 'mixed';

/** Mutations answer a NUL with a userError and run the rest of their batch, so mixed calls send it often. */
const nulText = fc.oneof(fc.constantFrom(...NUL_TEXT), fc.tuple(plainText, plainText).map(([a, b]) => `${a}\u0000${b}`));

const smallAmount = fc.integer({ min: 0, max: 50_000 }).map((c) => (c / 100).toFixed(2));
const unique = (prefix: string) => uuid.map((u) => `${prefix}-${u.slice(0, 13)}`);

/** Plausible values for the fields whose rules a random value of their type would nearly always break. */
function plausibleField(field: string, mode: Mode): fc.Arbitrary<unknown> | undefined {
  const mix = <T>(plausible: fc.Arbitrary<T>, hostile: fc.Arbitrary<unknown>) => (mode === 'mixed' ? fc.oneof({ arbitrary: plausible, weight: 9 }, { arbitrary: hostile, weight: 1 }) : plausible);
  switch (field) {
    case 'lines':
      return fc.array(
        fc.record(
          {
            description: mix(plainText, fc.oneof(nulText, hostileText)),
            quantity: mix(fc.integer({ min: 1, max: 5 }), anyInt),
            unitPrice: mix(smallAmount, decimalArb),
            unitCost: mix(smallAmount, decimalArb),
            discount: mix(fc.constantFrom('0', '0.01'), decimalArb),
          },
          { requiredKeys: ['description', 'quantity', 'unitPrice'] },
        ),
        { minLength: 1, maxLength: 3 },
      );
    case 'quantity':
      return fc.integer({ min: 1, max: 5 });
    case 'exchangeRate':
      return fc.constant('1');
    case 'discount':
    case 'orderDiscount':
      return fc.constantFrom('0', '0.50');
    case 'unitPrice':
    case 'unitCost':
      return smallAmount;
    case 'satisfaction':
      return fc.integer({ min: 1, max: 5 });
    case 'nps':
      return fc.integer({ min: 0, max: 10 });
    case 'externalRef':
    case 'number':
      return unique('FZ');
    case 'sku':
      return unique('SKU');
    case 'currency':
      return fc.constant('USD');
    case 'email':
      return uuid.map((u) => `${u.slice(0, 8)}@example.com`);
    case 'phone':
      return fc.integer({ min: 1_000_000, max: 99_999_999 }).map((n) => `+4930${n}`);
    case 'stage':
    case 'lifecycleStage':
      return fc.constantFrom(...stageKeys);
    case 'expectedVersion':
    case 'resolvedAt':
    case 'complaintStatus':
    case 'contactId':
    case 'orderId':
    case 'asOf':
      return fc.constant(null);
    case 'first':
    case 'last':
      return fc.integer({ min: 0, max: 10 });
    default:
      return undefined;
  }
}

function scalarArb(type: GraphQLScalarType, field: string, hint: string | null, mode: Mode): fc.Arbitrary<unknown> {
  if (mode === 'mixed') {
    const hostile = scalarArb(type, field, hint, 'hostile');
    return fc.oneof(
      { arbitrary: scalarArb(type, field, hint, 'plausible'), weight: 9 },
      { arbitrary: type.name === 'String' ? fc.oneof(nulText, hostile) : hostile, weight: 1 },
    );
  }
  const plausible = mode === 'plausible';
  switch (type.name) {
    case 'ID':
      return plausible ? fc.nat().map((i) => new Ref('id', hint, i)) : idArb(hint);
    case 'String':
      if (field === 'after' || field === 'before') return plausible ? fc.nat().map((i) => new Ref('cursor', null, i)) : cursorArb;
      if (plausible) return plainText;
      if (field === 'email') return emailArb;
      if (field === 'phone') return phoneArb;
      if (field === 'stage' || field === 'lifecycleStage') return stageArb();
      if (field === 'search') return text(fc.constantFrom('a', 'ada', 'müller', '%', '_'));
      return text();
    case 'Int':
      return plausible ? fc.integer({ min: 0, max: 5 }) : field === 'first' || field === 'last' ? pageSize : anyInt;
    case 'Float':
      return plausible ? fc.double({ min: 0, max: 1, noNaN: true }) : anyFloat;
    case 'SafeInt':
      // Loyalty points: whole numbers up to 2^53; past it, the scalar itself refuses.
      return plausible ? fc.integer({ min: 0, max: 1000 }) : fc.oneof(anyInt, fc.constantFrom(2 ** 53 - 1, 2 ** 53, -(2 ** 53), 1e300, 0.5, -1));
    case 'Boolean':
      return fc.boolean();
    case 'DateTime':
      return plausible ? fc.integer({ min: NOW - 3 * 365 * DAY, max: NOW - 60_000 }).map((t) => new Date(t).toISOString()) : dateTimeArb;
    case 'Date':
      return plausible ? fc.integer({ min: NOW - 70 * 365 * DAY, max: NOW - DAY }).map((t) => new Date(t).toISOString().slice(0, 10)) : dateArb;
    case 'Decimal':
      return plausible ? smallAmount : decimalArb;
    case 'Currency':
      return plausible ? fc.constant('USD') : currencyArb;
    case 'CountryCode':
      return countryArb;
    default:
      throw new Error(`no generator for scalar ${type.name}`);
  }
}

const MAX_DEPTH = 3;

function valueArb(type: GraphQLInputType, field: string, hint: string | null, depth: number, mode: Mode): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueArb(type.ofType, field, hint, depth, mode);
  // By field name, for scalars (filters reuse names such as `email` for their operator inputs) and order lines.
  const special = mode !== 'hostile' && (isScalarType(getNamedType(type)) || field === 'lines') ? plausibleField(field, mode) : undefined;
  if (special) return mode === 'mixed' ? fc.oneof({ arbitrary: special, weight: 9 }, { arbitrary: valueArb(type, field, hint, depth, 'hostile'), weight: 1 }) : special;
  if (isListType(type)) {
    const item = valueArb(type.ofType as GraphQLInputType, field, hint, depth + 1, mode);
    if (mode !== 'hostile') return fc.array(item, { minLength: field === 'lines' || field === 'orders' ? 1 : 0, maxLength: 3 });
    return fc.oneof({ arbitrary: fc.array(item, { maxLength: 3 }), weight: 8 }, { arbitrary: fc.array(item, { minLength: 40, maxLength: 60 }), weight: 1 });
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isScalarType(type)) return scalarArb(type, field, hint, mode);
  return inputObjectArb(type as GraphQLInputObjectType, hint, depth, mode);
}

function inputObjectArb(type: GraphQLInputObjectType, hint: string | null, depth: number, mode: Mode): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.values(type.getFields());
  const own = typeFromInputName(type.name) ?? hint;
  const fieldArb = (f: (typeof fields)[number]) => valueArb(f.type, f.name, ID_HINTS[f.name] ?? (f.name === 'id' || f.name === 'ids' ? own : hint), depth + 1, mode);
  const required = fields.filter((f) => isNonNullType(f.type) && f.defaultValue === undefined);
  const optional = fields.filter((f) => !required.includes(f) && (depth < MAX_DEPTH || !isInputObjectType(getNamedType(f.type))));
  const optionalArb = (f: (typeof fields)[number]) =>
    isNonNullType(f.type) || mode !== 'hostile' ? fieldArb(f) : fc.oneof({ arbitrary: fieldArb(f), weight: 6 }, { arbitrary: fc.constant(null), weight: 1 });
  return fc
    .tuple(
      fc.record(Object.fromEntries(required.map((f) => [f.name, fieldArb(f)]))),
      fc
        .subarray(optional, { maxLength: Math.min(mode === 'hostile' ? 5 : 3, optional.length) })
        .chain((chosen) => fc.record(Object.fromEntries(chosen.map((f) => [f.name, optionalArb(f)])))),
    )
    .map(([a, b]) => ({ ...a, ...b }));
}

function argsArb(field: GraphQLField<unknown, unknown>, mode: Mode): fc.Arbitrary<Record<string, unknown>> {
  const hint = ID_HINTS[field.name] ?? (field.name === 'node' || field.name === 'nodes' ? null : typeFromInputName(field.name.charAt(0).toUpperCase() + field.name.slice(1)));
  const required = field.args.filter((a) => isNonNullType(a.type) && a.defaultValue === undefined);
  const optional = field.args.filter((a) => !required.includes(a));
  const arb = (a: GraphQLArgument) => valueArb(a.type, a.name, ID_HINTS[a.name] ?? hint, 0, mode);
  return fc
    .tuple(fc.record(Object.fromEntries(required.map((a) => [a.name, arb(a)]))), fc.subarray(optional).chain((chosen) => fc.record(Object.fromEntries(chosen.map((a) => [a.name, arb(a)])))))
    .map(([a, b]) => ({ ...a, ...b }));
}

// --- operations ------------------------------------------------------------------------------------------------

/** What to select from a result: IDs and versions of records, scalars of small objects, userErrors, page info (and the count, a second statement, when asked). */
function selection(type: GraphQLNamedType, depth = 0, count = false): string {
  if (isInterfaceType(type)) return '{ __typename id }';
  if (!isObjectType(type)) return '';
  const fields = Object.values((type as GraphQLObjectType).getFields()).filter((f) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined));
  const has = (name: string) => fields.some((f) => f.name === name);
  if (type.name.endsWith('Connection')) {
    const node = getNamedType(fields.find((f) => f.name === 'nodes')!.type);
    return `{ ${count ? 'totalCount ' : ''}pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node ${selection(node, depth + 1)} } }`;
  }
  if (has('id') && depth > 0) return `{ id${has('version') ? ' version' : ''} }`;
  const parts = fields.flatMap((f) => {
    const named = getNamedType(f.type);
    if (f.args.length && depth > 0) return [];
    if (isScalarType(named) || isEnumType(named)) return [f.name];
    if (f.name === 'userErrors') return ['userErrors { field message code }'];
    if (depth >= 2 || named.name.endsWith('Connection')) return [];
    const inner = selection(named, depth + 1);
    return inner ? [`${f.name} ${inner}`] : [];
  });
  return parts.length ? `{ ${parts.join(' ')} }` : '';
}

interface Call {
  field: string;
  args: Record<string, unknown>;
  /** Inline literals instead of variables. */
  literal: boolean;
  /** Select a list's totalCount too. */
  count: boolean;
}

/** A GraphQL literal of a value of `type` (enums bare, everything else as JSON, which GraphQL string syntax accepts). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null) return 'null';
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return Array.isArray(value) ? `[${value.map((v) => literal(v, t.ofType as GraphQLInputType)).join(', ')}]` : literal(value, t.ofType as GraphQLInputType);
  if (isEnumType(t) && typeof value === 'string' && /^[_A-Za-z]\w*$/.test(value)) return value;
  if (isInputObjectType(t) && typeof value === 'object' && !Array.isArray(value)) {
    const fields = t.getFields();
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}: ${fields[k] ? literal(v, fields[k].type) : JSON.stringify(v)}`)
      .join(', ')} }`;
  }
  // Wrong-typed values print as JSON, which is not always GraphQL: the server answers those with a syntax error.
  return JSON.stringify(value) ?? 'null';
}

function document(kind: 'query' | 'mutation', calls: Call[]): { query: string; variables: Record<string, unknown> } {
  const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const declarations: string[] = [];
  const variables: Record<string, unknown> = {};
  const fields = calls.map((call, i) => {
    const field = root.getFields()[call.field];
    // GraphQL string literals cannot hold a lone surrogate (JSON escapes it as \udXXX): such calls go as variables.
    const inline = call.literal && !/\\ud[89a-f][0-9a-f]{2}/i.test(JSON.stringify(call.args));
    const args = Object.entries(call.args).map(([name, value]) => {
      const argType = field.args.find((a) => a.name === name)!.type;
      if (inline) return `${name}: ${literal(value, argType)}`;
      variables[`v${i}_${name}`] = value;
      declarations.push(`$v${i}_${name}: ${argType.toString()}`);
      return `${name}: $v${i}_${name}`;
    });
    return `c${i}: ${call.field}${args.length ? `(${args.join(', ')})` : ''} ${selection(getNamedType(field.type), 0, call.count)}`;
  });
  return { query: `${kind}${declarations.length ? `(${declarations.join(', ')})` : ''} { ${fields.join('\n')} }`, variables };
}

function callArb(kind: 'query' | 'mutation'): fc.Arbitrary<Call> {
  const root = kind === 'query' ? schema.getQueryType()! : schema.getMutationType()!;
  const weight = (f: GraphQLField<unknown, unknown>) => {
    if (kind === 'mutation') return ['fitCustomerModel', 'applySuggestedLifecycleStages'].includes(f.name) ? 1 : f.name === 'recordOrders' ? 2 : 6;
    if (getNamedType(f.type).name.endsWith('Connection')) return 10;
    if (['customer', 'order', 'product', 'node', 'nodes'].includes(f.name)) return 3;
    return f.name === 'modelDiagnostics' ? 1 : 2;
  };
  return fc.oneof(
    ...Object.values(root.getFields()).map((f) => ({
      arbitrary: fc.record({
        field: fc.constant(f.name),
        args: fc.oneof(
          { arbitrary: argsArb(f, 'hostile'), weight: 3 },
          { arbitrary: argsArb(f, 'plausible'), weight: 2 },
          // A NUL refuses a whole query batch, so only mutations get mixed calls (their NULs come back as userErrors).
          ...(kind === 'mutation' ? [{ arbitrary: argsArb(f, 'mixed'), weight: 4 }] : []),
        ),
        literal: fc.boolean(),
        count: fc.nat(3).map((n) => n === 0),
      }),
      weight: weight(f),
    })),
  );
}

// --- sending and checking --------------------------------------------------------------------------------------

let calls = 0;
let executed = 0;

const describeCall = (c: Call) => `${c.field}(${fc.stringify(c.args)})${c.literal ? ' [literal]' : ''}${c.count ? ' [totalCount]' : ''}`;

/** Sends a batch and checks the answer: no 5xx, no INTERNAL_SERVER_ERROR, and no payload that is both written and refused. */
async function send(kind: 'query' | 'mutation', batch: Call[]): Promise<void> {
  const { query, variables } = document(kind, batch.map((c) => ({ ...c, args: resolveRefs(c.args) as Record<string, unknown> })));
  const res: GraphQLResponse = await app.gql(query, variables);
  calls += batch.length;
  const internal = res.errors?.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR');
  if (res.status >= 500 || internal) {
    const at = internal?.path?.[0];
    const culprit = at ? batch[Number(String(at).slice(1))] : undefined;
    throw new Error(`HTTP ${res.status}, ${JSON.stringify(res.errors)}\n${culprit ? `call: ${describeCall(culprit)}` : `batch: ${batch.map(describeCall).join('\n')}`}`);
  }
  // 200: the calls ran (a failed non-null list may still null the whole data); 400: the request was refused before.
  if (res.status === 200) executed += batch.length;
  if (res.data) {
    remember(res.data);
    for (const [alias, payload] of Object.entries(res.data)) {
      const p = payload as Record<string, unknown> | null;
      if (kind !== 'mutation' || !p || !Array.isArray(p.userErrors) || !p.userErrors.length) continue;
      const written = Object.entries(p).filter(([k, v]) => k !== 'userErrors' && v !== null && !(Array.isArray(v) && v.length === 0) && typeof v === 'object');
      if (written.length) throw new Error(`${alias} returned userErrors and a written object: ${JSON.stringify(p)}\ncall: ${describeCall(batch[Number(alias.slice(1))])}`);
    }
  }
}

async function seed(): Promise<void> {
  await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Fuzz Admin', 'fuzz.admin@rapport.example', 'ADMIN'), ('Fuzz Rep', 'fuzz.rep@rapport.example', 'SALES_REP')`);
  stageKeys = (await app.db.query(`SELECT key FROM lifecycle_stages ORDER BY position`)).map((r: { key: string }) => r.key);
  for (let i = 0; i < 6; i++) {
    const { createCustomer } = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id version } } }`, {
      input: { name: `Seed ${i}`, kind: i % 2 ? 'COMPANY' : 'PERSON', email: `seed${i}@example.com`, tags: ['seed'] },
    });
    const customerId = createCustomer.customer.id;
    await app.ok(`mutation($id: ID!) { createContact(input: { customerId: $id, name: "Kim" }) { contact { id } } }`, { id: customerId });
    await app.ok(`mutation($id: ID!) { logTouchpoint(input: { customerId: $id, channel: EMAIL, purpose: COMPLAINT }) { touchpoint { id } } }`, { id: customerId });
    for (let k = 0; k < 3; k++) {
      const placedAt = new Date(NOW - (k * 40 + i) * DAY).toISOString();
      await app.ok(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } } }`, {
        input: { customerId, placedAt, lines: [{ description: 'Seed', quantity: 1 + k, unitPrice: `${10 + i}.50`, unitCost: '3' }] },
      });
    }
  }
  await app.ok(`mutation { createProduct(input: { sku: "FZ-1", name: "Fuzz", unitPrice: "9.99", unitCost: "2" }) { product { id } } }`);
  remember(await app.ok(`{ customers(first: 100) { edges { cursor node { id version } } } contacts { edges { cursor node { id } } } orders { edges { cursor node { id } } }
    products { edges { cursor node { id } } } touchpoints { edges { cursor node { id } } } users { edges { cursor node { id } } } lifecycleStages { edges { cursor node { id } } } }`));
}

const OPTIONS = { seed: SEED, endOnFailure: true, verbose: 1 as const };

describe('hostile input, generated from the schema', () => {
  beforeAll(seed);

  it('never answers a list, lookup or analyst query with INTERNAL_SERVER_ERROR or a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArb('query'), { minLength: QUERY_BATCH, maxLength: QUERY_BATCH }), (batch) => send('query', batch)),
      { ...OPTIONS, numRuns: QUERY_BATCHES },
    );
  });

  it('never answers a mutation with INTERNAL_SERVER_ERROR or a 5xx, and never writes when it reports userErrors', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(callArb('mutation'), { minLength: MUTATION_BATCH, maxLength: MUTATION_BATCH }), (batch) => send('mutation', batch)),
      { ...OPTIONS, numRuns: MUTATION_BATCHES },
    );
  });

  it('answers values of the wrong type with a client error, one call at a time', async () => {
    const wrong = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(2 ** 31, 1.5, -1e309, 'NaN', '', {}, [], [null], true, null, 'x'.repeat(100)));
    const root = (kind: 'query' | 'mutation') => Object.values((kind === 'query' ? schema.getQueryType() : schema.getMutationType())!.getFields()).filter((f) => f.args.length);
    const untyped = fc
      .constantFrom<'query' | 'mutation'>('query', 'mutation')
      .chain((kind) =>
        fc.record({
          kind: fc.constant(kind),
          call: fc.constantFrom(...root(kind)).chain((f) =>
            fc.record({
              field: fc.constant(f.name),
              literal: fc.boolean(),
              count: fc.constant(false),
              args: fc.tuple(argsArb(f, 'hostile'), fc.constantFrom(...f.args.map((a) => a.name)), wrong).map(([args, name, v]) => ({ ...args, [name]: v })),
            }),
          ),
        }),
      );
    await fc.assert(
      fc.asyncProperty(untyped, ({ kind, call }) => send(kind, [call])),
      { ...OPTIONS, numRuns: UNTYPED_CALLS },
    );
  });

  it(`made at least 10,000 calls, most of them past GraphQL's own checks`, () => {
    expect(calls).toBeGreaterThanOrEqual(10_000);
    expect(executed / calls).toBeGreaterThan(0.6);
  });

  it('leaves the data consistent: order totals equal their lines, no orphans, no referral circles, versions never went back', async () => {
    const [check] = await app.db.query(`SELECT
      (SELECT count(*)::int FROM orders o WHERE NOT EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id)) AS "ordersWithoutLines",
      (SELECT count(*)::int FROM orders o CROSS JOIN LATERAL (
         SELECT sum(l.quantity * l.unit_price_amount) AS subtotal, sum(l.discount_amount) AS discount, sum(l.total_amount) AS total, sum(l.quantity * l.unit_cost_amount) AS cost
           FROM order_lines l WHERE l.order_id = o.id) x
        WHERE (o.subtotal_amount, o.discount_amount, o.total_amount, o.cost_amount) IS DISTINCT FROM (x.subtotal, x.discount, x.total, x.cost)) AS "ordersNotTheirLines",
      (SELECT count(*)::int FROM order_lines l WHERE l.total_amount <> l.quantity * l.unit_price_amount - l.discount_amount) AS "linesNotTheirAmounts",
      (SELECT count(*)::int FROM contacts x WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = x.customer_id)) AS "orphanContacts",
      (SELECT count(*)::int FROM orders x WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = x.customer_id)) AS "orphanOrders",
      (SELECT count(*)::int FROM touchpoints x WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = x.customer_id)) AS "orphanTouchpoints",
      (SELECT count(*)::int FROM order_lines l WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = l.order_id AND o.customer_id = l.customer_id)) AS "orphanLines",
      (SELECT count(*)::int FROM lifecycle_transitions t WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)) AS "orphanTransitions",
      (SELECT count(*)::int FROM orders WHERE placed_at < '1900-01-01' OR total_base > 1000000000 OR total_amount > 1000000000) AS "ordersOutOfRange",
      (SELECT count(*)::int FROM touchpoints WHERE occurred_at < '1900-01-01') AS "touchpointsOutOfRange"`);
    expect(check).toEqual({
      ordersWithoutLines: 0,
      ordersNotTheirLines: 0,
      linesNotTheirAmounts: 0,
      orphanContacts: 0,
      orphanOrders: 0,
      orphanTouchpoints: 0,
      orphanLines: 0,
      orphanTransitions: 0,
      ordersOutOfRange: 0,
      touchpointsOutOfRange: 0,
    });
    const [{ circles }] = await app.db.query(`WITH RECURSIVE walk(start, id, depth) AS (
        SELECT id, referred_by_id, 1 FROM customers WHERE referred_by_id IS NOT NULL
        UNION ALL SELECT w.start, c.referred_by_id, w.depth + 1 FROM walk w JOIN customers c ON c.id = w.id WHERE c.referred_by_id IS NOT NULL AND w.id <> w.start AND w.depth < 1000)
      SELECT count(*)::int AS circles FROM walk WHERE id = start`);
    expect(circles).toBe(0);
    const stored = new Map<string, number>(
      (
        await app.db.query(`SELECT 'Customer' AS t, id::text, version FROM customers UNION ALL SELECT 'Contact', id::text, version FROM contacts
          UNION ALL SELECT 'Order', id::text, version FROM orders UNION ALL SELECT 'Product', id::text, version FROM products UNION ALL SELECT 'Touchpoint', id::text, version FROM touchpoints`)
      ).map((r: { t: string; id: string; version: number }) => [toGlobalId(r.t, r.id), r.version]),
    );
    expect(versions.size).toBeGreaterThan(20);
    const wentBack = [...versions].filter(([id, seen]) => (stored.get(id) ?? Infinity) < seen);
    expect(wentBack).toEqual([]);
  });
});
