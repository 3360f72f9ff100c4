// Synthetic CRM data. Purchases follow the BG/NBD story (Fader, Hardie & Lee 2005): while active, a customer buys as a
// Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out with probability p ~ Beta(a, b).

import { convert, currencyExponent, formatAmount } from '../common/money';
import { LifecycleStage, suggestLifecycleStage } from '../intelligence/lifecycle-rules';
import { mulberry32, Rng, sampleBeta, sampleGamma, sampleNormal } from '../intelligence/random';
import { newId } from '../db/ids';
import { DEFAULT_COMPLAINT_SLAS, type CompensationKind, type ComplaintCategory, type ComplaintSeverity, type ComplaintStatus } from '../complaint/complaint.vocabulary';
import {
  COMPANY_ACQUISITION, COMPANY_TAGS, COMPANY_TRADES, COMPANY_WORDS, CONSUMABLE_CATEGORIES, CONTACT_TITLES, COUNTRIES,
  Country, EMAIL_DOMAINS, FEMALE_FIRST_NAMES, INCOME_BANDS, INTEREST_CATEGORIES, INTERESTS, LAST_NAMES, MALE_FIRST_NAMES,
  PERSON_ACQUISITION, PERSON_TAGS, PRODUCT_CATALOGUE, USD_PER_UNIT,
} from './catalogue';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MINUTE = 60_000;

/**
 * Purchase-process parameters, tuned so that customers acquired evenly over two years average about ten orders,
 * with roughly one in six buying only once. λ is per day.
 */
export const PURCHASE_PROCESS = { r: 1.2, alpha: 13, a: 0.8, b: 7, maxRatePerDay: 0.35 } as const;
/** Share of customers who are only leads: created, maybe an inquiry, never an order. */
const PROSPECT_SHARE = 0.06;
/** Of those who dropped out, the share who come back after a long silence (win-back). */
const WIN_BACK_SHARE = 0.12;
/** A complaint makes the next dropout this much more likely. */
const COMPLAINT_DROPOUT_BOOST = 0.25;

export type Role = 'ADMIN' | 'MANAGER' | 'SALES_REP' | 'ANALYST';
export type OrderStatus = 'PENDING' | 'PAID' | 'FULFILLED' | 'CANCELLED' | 'REFUNDED';
export type SalesChannel = 'STORE' | 'ONLINE' | 'PHONE' | 'PARTNER' | 'OTHER';
export type TouchpointPurpose = 'INQUIRY' | 'FOLLOW_UP' | 'THANK_YOU' | 'GREETING' | 'CARE' | 'PROMOTION' | 'SURVEY' | 'COMPLAINT' | 'SERVICE' | 'VISIT';
export type TouchpointChannel = 'EMAIL' | 'PHONE' | 'SMS' | 'VISIT' | 'MEETING' | 'CHAT' | 'SOCIAL' | 'DIRECT_MAIL' | 'EVENT' | 'WEB';

export interface StaffRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  createdAt: Date;
  /** How reliably this person follows up (thank-you notes, greetings), 0..1. */
  diligence: number;
  /** Sales reps report to the first manager: complaints they miss are escalated to them. */
  managerId: string | null;
}

export interface ProductRow {
  id: string;
  sku: string;
  name: string;
  category: string;
  /** Minor units of the base currency. */
  price: number;
  cost: number;
  createdAt: Date;
}

export interface Consent {
  granted: boolean;
  at: Date | null;
}

export interface CustomerRow {
  id: string;
  kind: 'PERSON' | 'COMPANY';
  name: string;
  externalRef: string | null;
  email: string | null;
  phone: string | null;
  addressLine1: string | null;
  addressCity: string;
  addressRegion: string;
  addressPostalCode: string;
  addressCountry: string;
  birthday: string | null;
  gender: string | null;
  incomeBand: string | null;
  region: string;
  personality: string | null;
  interests: string[];
  tags: string[];
  acquisitionChannel: string;
  referredById: string | null;
  ownerId: string | null;
  stage: LifecycleStage;
  consentEmail: Consent;
  consentSms: Consent;
  consentPhone: Consent;
  consentMail: Consent;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export interface ContactRow {
  id: string;
  customerId: string;
  name: string;
  title: string | null;
  relationship: 'EMPLOYEE' | 'FAMILY' | 'ASSISTANT';
  email: string | null;
  phone: string | null;
  birthday: string | null;
  isPrimary: boolean;
  createdAt: Date;
}

export interface OrderLineRow {
  id: string;
  productId: string;
  position: number;
  description: string;
  quantity: number;
  /** Decimal strings in the order currency; total = quantity × unitPrice − discount. */
  unitPrice: string;
  unitCost: string;
  discount: string;
  total: string;
}

export interface OrderRow {
  id: string;
  customerId: string;
  placedAt: Date;
  updatedAt: Date;
  status: OrderStatus;
  channel: SalesChannel;
  currency: string;
  baseCurrency: string;
  /** Decimal string, 1 unit of `currency` in the base currency. */
  rateToBase: string;
  /** Decimal strings, exact: subtotal − discount = total = Σ line totals; cost = Σ quantity × unit cost. */
  subtotal: string;
  discount: string;
  total: string;
  cost: string;
  totalBase: string;
  costBase: string;
  lines: OrderLineRow[];
}

export interface TouchpointRow {
  id: string;
  customerId: string;
  contactId: string | null;
  userId: string | null;
  orderId: string | null;
  channel: TouchpointChannel;
  direction: 'INBOUND' | 'OUTBOUND';
  purpose: TouchpointPurpose;
  occurredAt: Date;
  subject: string | null;
  notes: string | null;
  satisfaction: number | null;
  nps: number | null;
  complaintStatus: 'OPEN' | 'RESOLVED' | null;
  resolvedAt: Date | null;
}

export interface ComplaintRow {
  id: string;
  customerId: string;
  touchpointId: string;
  contactId: string | null;
  orderId: string | null;
  assigneeId: string | null;
  channel: TouchpointChannel;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  status: ComplaintStatus;
  subject: string;
  openedAt: Date;
  firstResponseDueAt: Date;
  resolutionDueAt: Date;
  firstResponseAt: Date | null;
  resolvedAt: Date | null;
  closedAt: Date | null;
  resolution: string | null;
  rootCause: string | null;
  compensation: { kind: CompensationKind; amount: string } | null;
  satisfied: boolean | null;
  feedbackAt: Date | null;
  transitions: Array<{ from: ComplaintStatus | null; to: ComplaintStatus; at: Date }>;
}

const COMPLAINT_CATEGORY: Record<string, ComplaintCategory> = {
  'Item arrived damaged': 'PRODUCT_QUALITY',
  'Late delivery': 'DELIVERY',
  'Wrong item sent': 'DELIVERY',
  'Charged twice': 'BILLING',
  'Machine stopped working': 'SERVICE',
};
const ROOT_CAUSE: Record<ComplaintCategory, string> = {
  PRODUCT_QUALITY: 'Packaging too thin for the carrier',
  DELIVERY: 'Carrier missed the promised slot',
  BILLING: 'Payment retried after a timeout',
  SERVICE: 'Known fault in the pump batch',
  STAFF: 'Hand-over between shifts',
  OTHER: 'Unclear',
};

/**
 * The handling of a generated complaint: severity, first response, transitions, compensation and feedback. Its own
 * PRNG, seeded from the complaint's age, keeps the rest of the dataset exactly as before complaints had details.
 * Service levels are the defaults: most complaints meet them, slow ones and severe ones miss some.
 */
export function complaintOf(t: TouchpointRow, ownerId: string | null, now: number, exponent: number, unresolvedOrdinal: number | null = null): ComplaintRow {
  // Seeded from how long ago it was opened, not when: the same dataset seed gives the same handling on any day.
  const rng = mulberry32(Math.floor((now - t.occurredAt.getTime()) / 1000) ^ 0xc0ffee);
  const opened = t.occurredAt.getTime();
  const u = rng();
  const severity: ComplaintSeverity = u < 0.3 ? 'LOW' : u < 0.75 ? 'MEDIUM' : u < 0.95 ? 'HIGH' : 'CRITICAL';
  const sla = DEFAULT_COMPLAINT_SLAS[severity];
  const category = COMPLAINT_CATEGORY[t.subject ?? ''] ?? 'OTHER';
  const resolved = t.resolvedAt?.getTime() ?? null;
  // First response: log-normal, median 3 hours; never after the resolution, never in the future.
  let responded: number | null = opened + Math.exp(Math.log(3) + 1.3 * sampleNormal(rng)) * HOUR;
  if (resolved !== null) responded = Math.min(responded, resolved);
  if (responded > now) responded = null;
  const transitions: ComplaintRow['transitions'] = [{ from: null, to: 'OPEN', at: t.occurredAt }];
  let status = 'OPEN' as ComplaintStatus;
  const move = (to: ComplaintStatus, at: number) => {
    transitions.push({ from: status, to, at: new Date(at) });
    status = to;
  };
  // Most unresolved ones were answered and some are being worked on; a few were never answered.
  // Unresolved ones take OPEN (never answered), ACKNOWLEDGED and IN_PROGRESS in turn (the draw is still made, so
  // the rest of the complaint is as before).
  const draw = rng();
  const stage = unresolvedOrdinal === null ? draw : [0.9, 0.6, 0.2][unresolvedOrdinal % 3];
  if (responded !== null && (resolved !== null || stage < 0.75)) move('ACKNOWLEDGED', responded);
  if (status === 'ACKNOWLEDGED' && (resolved !== null ? rng() < 0.6 : stage < 0.45)) move('IN_PROGRESS', responded! + (resolved !== null ? (resolved - responded!) / 2 : HOUR));
  let closed: number | null = null;
  let compensation: ComplaintRow['compensation'] = null;
  let satisfied: boolean | null = null;
  let feedbackAt: number | null = null;
  if (resolved !== null) {
    move('RESOLVED', resolved);
    if (rng() < 0.35) {
      const kind = pick(rng, ['REFUND', 'DISCOUNT', 'VOUCHER', 'GIFT', 'REPLACEMENT'] as const);
      compensation = { kind, amount: formatAmount(BigInt(pick(rng, [5, 10, 20, 25, 50])) * 10_000n, exponent) };
    }
    if (rng() < 0.6 && resolved + DAY <= now) {
      feedbackAt = resolved + DAY;
      satisfied = rng() < (compensation ? 0.85 : 0.7);
    }
    if (resolved + 7 * DAY <= now && rng() < 0.7) {
      closed = resolved + intBetween(rng, 2, 7) * DAY;
      move('CLOSED', closed);
    }
  }
  return {
    id: newId(),
    customerId: t.customerId,
    touchpointId: t.id,
    contactId: t.contactId,
    orderId: t.orderId,
    assigneeId: t.userId ?? ownerId,
    channel: t.channel,
    category,
    severity,
    status,
    subject: t.subject ?? 'Complaint',
    openedAt: t.occurredAt,
    firstResponseDueAt: new Date(opened + sla.firstResponseHours * HOUR),
    resolutionDueAt: new Date(opened + sla.resolutionHours * HOUR),
    firstResponseAt: status === 'OPEN' ? null : new Date(responded!),
    resolvedAt: resolved !== null ? new Date(resolved) : null,
    closedAt: closed !== null ? new Date(closed) : null,
    resolution: resolved !== null ? 'Apologised and fixed' : null,
    rootCause: resolved !== null ? ROOT_CAUSE[category] : null,
    compensation,
    satisfied,
    feedbackAt: feedbackAt !== null ? new Date(feedbackAt) : null,
    transitions,
  };
}

export interface TransitionRow {
  id: string;
  customerId: string;
  from: LifecycleStage | null;
  to: LifecycleStage;
  at: Date;
  reason: string;
  source: 'MANUAL' | 'RULE';
  actorUserId: string | null;
  actor: string;
}

/** Everything about one customer, generated together so a batch can be written and forgotten. */
export interface CustomerHistory {
  customer: CustomerRow;
  contacts: ContactRow[];
  orders: OrderRow[];
  touchpoints: TouchpointRow[];
  transitions: TransitionRow[];
  /** The complaints the COMPLAINT touchpoints opened (see complaintOf). */
  complaints: ComplaintRow[];
}

export interface GeneratorOptions {
  /** Number of customers the run will generate (spreads their creation dates). */
  customers: number;
  seed: number;
  /** Customers are acquired over this many years up to `now`. */
  years: number;
  now: Date;
  baseCurrency: string;
  /** First number for external refs C0000001…; lets --append continue after earlier runs. */
  externalRefOffset?: number;
}

// ---------------------------------------------------------------------------------------------------------------------
// Small sampling helpers

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

function pickWeighted<T>(rng: Rng, items: readonly T[], weight: (t: T) => number): T {
  let total = 0;
  for (const item of items) total += weight(item);
  let u = rng() * total;
  for (const item of items) {
    u -= weight(item);
    if (u <= 0) return item;
  }
  return items[items.length - 1];
}

function pickSome<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  for (let i = 0; i < count && pool.length; i++) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]);
  return out;
}

function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

function digits(rng: Rng, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(rng() * 10));
  return s;
}

function exponentialDays(rng: Rng, meanDays: number): number {
  return -Math.log(rng()) * meanDays * DAY;
}

/** Lower-case ASCII for email local parts: "Lefèvre" → "lefevre", "O'Brien" → "obrien". */
function slug(text: string): string {
  return text.normalize('NFD').replace(/[^A-Za-z0-9]/g, '').toLowerCase();
}

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Minor units → decimal string in major units, e.g. (1234, 2) → "12.34". */
export function minorToDecimal(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const factor = 10 ** exponent;
  const whole = Math.trunc(minor / factor);
  const frac = String(Math.abs(minor % factor)).padStart(exponent, '0');
  return `${minor < 0 && whole === 0 ? '-' : ''}${whole}.${frac}`;
}

/** 4-decimal money units (see common/money) from minor units. */
function toUnits(minor: number, exponent: number): bigint {
  return BigInt(minor) * 10n ** BigInt(4 - exponent);
}

/** A price that ends like a shop price, in minor units: 649.00 stays, 24.90 becomes 24.99, 1,234 yen stays whole. */
function shopPrice(major: number, exponent: number): number {
  const factor = 10 ** exponent;
  if (major >= 100) return (Math.round(major / 10) * 10 - 1) * factor;
  if (exponent === 0) return Math.max(1, Math.round(major));
  return Math.max(1, Math.round(major) * factor - 1);
}

// ---------------------------------------------------------------------------------------------------------------------
// Staff and products

/** A handful of staff of every role; the sales team grows slowly with the number of customers. */
export function generateStaff(options: GeneratorOptions): StaffRow[] {
  const rng = mulberry32(options.seed ^ 0x5eed5);
  const reps = Math.max(3, Math.min(25, Math.round(3 + 1.5 * Math.log10(Math.max(1, options.customers / 100)))));
  const roles: Role[] = [
    'ADMIN',
    'MANAGER',
    ...(reps > 6 ? (['MANAGER'] as Role[]) : []),
    ...Array<Role>(reps).fill('SALES_REP'),
    'ANALYST',
    ...(options.customers >= 10_000 ? (['ANALYST'] as Role[]) : []),
  ];
  const used = new Set<string>();
  const start = options.now.getTime() - options.years * 365 * DAY;
  return roles.map((role) => {
    let first: string;
    let last: string;
    do {
      first = pick(rng, rng() < 0.5 ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      last = pick(rng, LAST_NAMES);
    } while (used.has(`${first} ${last}`));
    used.add(`${first} ${last}`);
    return {
      id: newId(),
      name: `${first} ${last}`,
      email: `${slug(first)}.${slug(last)}@rapport.example`,
      role,
      createdAt: new Date(start - intBetween(rng, 30, 400) * DAY),
      diligence: 0.35 + rng() * 0.55,
      managerId: null as string | null,
    };
  }).map((s, _, all) => ({ ...s, managerId: s.role === 'SALES_REP' ? all.find((m) => m.role === 'MANAGER')?.id ?? null : null }));
}

/** About 60 products in 11 categories, priced in the base currency, with margins of 20–60 %. */
export function generateProducts(options: GeneratorOptions): ProductRow[] {
  const rng = mulberry32(options.seed ^ 0x9a0d);
  const exponent = currencyExponent(options.baseCurrency);
  const usdPerBase = USD_PER_UNIT[options.baseCurrency] ?? 1;
  const created = new Date(options.now.getTime() - (options.years * 365 + 60) * DAY);
  return PRODUCT_CATALOGUE.flatMap(({ category, code, products }) =>
    products.map(([name, usd], i) => {
      const price = shopPrice(usd / usdPerBase, exponent);
      const margin = 0.2 + rng() * 0.4;
      return {
        id: newId(),
        sku: `${code}-${String(100 + i * 7 + intBetween(rng, 0, 6)).padStart(4, '0')}`,
        name,
        category,
        price,
        cost: Math.max(exponent === 0 ? 1 : 0, Math.round(price * (1 - margin))),
        createdAt: created,
      };
    }),
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Customers with their whole history

interface Product {
  id: string;
  name: string;
  category: string;
  price: number;
  cost: number;
}

const PURCHASE: ReadonlySet<OrderStatus> = new Set(['PENDING', 'PAID', 'FULFILLED']);

/**
 * Generates customers one at a time, in creation order, each with contacts, orders, touchpoints and lifecycle history.
 * Deterministic for a seed (only the ids differ between runs). Of earlier customers it keeps just the ids, for referrals.
 */
export class CustomerGenerator {
  private readonly rng: Rng;
  private readonly start: number;
  private readonly now: number;
  /** Unresolved complaints so far: they take the open statuses in turn, so that even a small dataset has each. */
  private unresolvedComplaints = 0;
  private readonly span: number;
  private readonly reps: StaffRow[];
  private readonly repWeights: Map<string, number>;
  private readonly byCategory = new Map<string, Product[]>();
  private readonly categories: string[];
  private readonly baseExponent: number;
  private readonly earlier: string[] = [];
  private index = 0;

  constructor(private readonly options: GeneratorOptions, staff: StaffRow[], products: Product[]) {
    if (!products.length) throw new Error('The generator needs at least one product to sell.');
    this.rng = mulberry32(options.seed);
    this.now = options.now.getTime();
    this.span = options.years * 365 * DAY;
    this.start = this.now - this.span;
    this.reps = staff.filter((s) => s.role === 'SALES_REP');
    // Books of unequal size: some reps carry twice the accounts of others.
    this.repWeights = new Map(this.reps.map((r, i) => [r.id, 1 + ((i * 0.37) % 1)]));
    for (const p of products) {
      const list = this.byCategory.get(p.category) ?? [];
      list.push(p);
      this.byCategory.set(p.category, list);
    }
    this.categories = [...this.byCategory.keys()];
    this.baseExponent = currencyExponent(options.baseCurrency);
  }

  get generated(): number {
    return this.index;
  }

  next(): CustomerHistory {
    const rng = this.rng;
    const i = this.index++;
    // Acquisition speeds up over time (a growing business): creation time ∝ u^0.77 of the span.
    const u = Math.min(1, (i + rng()) / this.options.customers);
    const createdAt = this.start + this.span * Math.pow(u, 0.77);
    const history = this.customer(i, createdAt);
    this.earlier.push(history.customer.id);
    return history;
  }

  private customer(i: number, createdAt: number): CustomerHistory {
    const rng = this.rng;
    const id = newId();
    const kind = rng() < 0.2 ? 'COMPANY' : 'PERSON';
    const country = pickWeighted(rng, COUNTRIES, (c) => c.weight);
    const city = pick(rng, country.cities);
    const owner = this.reps.length && (kind === 'COMPANY' || rng() < 0.93) ? pickWeighted(rng, this.reps, (r) => this.repWeights.get(r.id)!) : null;
    const referredById = this.earlier.length && rng() < 0.1 ? this.earlier[Math.floor(rng() * this.earlier.length)] : null;

    let name: string;
    let email: string | null;
    let gender: string | null = null;
    let birthday: string | null = null;
    let domain: string;
    let firstName = '';
    let lastName = '';
    if (kind === 'PERSON') {
      const female = rng() < 0.5;
      firstName = pick(rng, female ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      lastName = pick(rng, LAST_NAMES);
      name = `${firstName} ${lastName}`;
      domain = pick(rng, EMAIL_DOMAINS);
      email = rng() < 0.92 ? `${slug(firstName)}.${slug(lastName)}${rng() < 0.6 ? intBetween(rng, 1, 999) : ''}@${domain}` : null;
      const g = rng();
      gender = g < 0.66 ? (female ? 'female' : 'male') : g < 0.68 ? 'non-binary' : null;
      if (rng() < 0.85) birthday = isoDate(this.now - (18 + rng() * 62) * 365.25 * DAY);
    } else {
      const word = pick(rng, COMPANY_WORDS);
      const trade = pick(rng, COMPANY_TRADES);
      name = `${word} ${trade} ${pick(rng, country.legalForms)}`;
      domain = `${slug(word)}-${slug(trade)}.example`;
      email = `${pick(rng, ['info', 'orders', 'office', 'purchasing'])}@${domain}`;
      if (rng() < 0.4) birthday = isoDate(Date.UTC(intBetween(rng, 1950, 2020), intBetween(rng, 0, 11), intBetween(rng, 1, 28)));
    }

    const interests = kind === 'PERSON' ? pickSome(rng, INTERESTS, intBetween(rng, 0, 4)) : [];
    const favourites = this.favouriteCategories(interests);
    const history: CustomerHistory = {
      customer: {
        id,
        kind,
        name,
        externalRef: `C${String((this.options.externalRefOffset ?? 0) + i + 1).padStart(7, '0')}`,
        email,
        phone: rng() < 0.8 ? this.phone(country, city.area) : null,
        addressLine1: rng() < 0.75 ? `${intBetween(rng, 1, 240)} ${pick(rng, country.streets)}` : null,
        addressCity: city.name,
        addressRegion: city.region,
        addressPostalCode: city.postal.replace(/#/g, () => String(Math.floor(rng() * 10))).replace(/A/g, () => String.fromCharCode(65 + Math.floor(rng() * 26))),
        addressCountry: country.code,
        birthday,
        gender,
        incomeBand: kind === 'PERSON' && rng() < 0.5 ? pick(rng, INCOME_BANDS) : null,
        region: city.territory,
        personality: rng() < 0.75 ? pick(rng, ['AUTHORITATIVE', 'ANALYTICAL', 'AMIABLE', 'EXPRESSIVE']) : null,
        interests,
        tags: pickSome(rng, kind === 'PERSON' ? PERSON_TAGS : COMPANY_TAGS, rng() < 0.5 ? 0 : intBetween(rng, 1, 2)),
        acquisitionChannel: referredById ? 'referral' : pick(rng, kind === 'PERSON' ? PERSON_ACQUISITION : COMPANY_ACQUISITION),
        referredById,
        ownerId: owner?.id ?? null,
        stage: 'PROSPECT',
        consentEmail: this.consent(createdAt, email ? 0.6 : 0),
        consentSms: this.consent(createdAt, 0.25),
        consentPhone: this.consent(createdAt, kind === 'COMPANY' ? 0.5 : 0.15),
        consentMail: this.consent(createdAt, 0.35),
        createdAt: new Date(createdAt),
        updatedAt: new Date(createdAt),
        version: 1,
      },
      contacts: [],
      orders: [],
      touchpoints: [],
      transitions: [],
      complaints: [],
    };
    this.contacts(history, domain, country, city.area, lastName);
    const primaryContact = history.contacts.find((c) => c.isPrimary)?.id ?? null;
    this.purchases(history, owner, country, favourites, primaryContact);
    this.occasions(history, owner, primaryContact);
    this.lifecycle(history, owner);
    if (history.orders.length >= 25 || (kind === 'COMPANY' && history.orders.length >= 12)) history.customer.tags.push('vip');
    history.touchpoints.sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
    return history;
  }

  private phone(country: Country, area: string): string {
    const rng = this.rng;
    if (country.mobilePrefix && this.rng() < 0.6) {
      return `+${country.dial}${country.mobilePrefix}${digits(rng, country.nationalLength - country.mobilePrefix.length)}`;
    }
    // The first local digit is never 0 or 1 (trunk and service prefixes).
    return `+${country.dial}${area}${intBetween(rng, 2, 9)}${digits(rng, country.nationalLength - area.length - 1)}`;
  }

  private consent(createdAt: number, share: number): Consent {
    const rng = this.rng;
    if (rng() >= share) return { granted: false, at: rng() < 0.3 ? new Date(createdAt) : null };
    const at = createdAt + rng() * 2 * DAY;
    // Some withdraw later; the timestamp is then the withdrawal.
    if (rng() < 0.1) return { granted: false, at: new Date(Math.min(this.now, at + exponentialDays(rng, 200))) };
    return { granted: true, at: new Date(at) };
  }

  private favouriteCategories(interests: string[]): string[] {
    const fromInterests = interests.flatMap((i) => INTEREST_CATEGORIES[i] ?? []).filter((c) => this.byCategory.has(c));
    const favourites = new Set(fromInterests.slice(0, 2));
    while (favourites.size < 2 && favourites.size < this.categories.length) favourites.add(pick(this.rng, this.categories));
    return [...favourites];
  }

  private contacts(h: CustomerHistory, domain: string, country: Country, area: string, lastName: string): void {
    const rng = this.rng;
    const c = h.customer;
    const at = c.createdAt;
    if (c.kind === 'COMPANY') {
      const n = intBetween(rng, 2, 5);
      const titles = pickSome(rng, CONTACT_TITLES, n);
      for (let k = 0; k < n; k++) {
        const first = pick(rng, rng() < 0.5 ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
        const last = pick(rng, LAST_NAMES);
        h.contacts.push({
          id: newId(),
          customerId: c.id,
          name: `${first} ${last}`,
          title: titles[k] ?? null,
          relationship: 'EMPLOYEE',
          email: `${slug(first)}.${slug(last)}@${domain}`,
          phone: rng() < 0.7 ? this.phone(country, area) : null,
          birthday: rng() < 0.3 ? isoDate(this.now - (22 + rng() * 40) * 365.25 * DAY) : null,
          isPrimary: k === 0,
          createdAt: at,
        });
      }
    } else if (rng() < 0.12) {
      const assistant = c.incomeBand === '150k+' || rng() < 0.25;
      const first = pick(rng, rng() < 0.5 ? FEMALE_FIRST_NAMES : MALE_FIRST_NAMES);
      h.contacts.push({
        id: newId(),
        customerId: c.id,
        name: `${first} ${assistant ? pick(rng, LAST_NAMES) : lastName}`,
        title: assistant ? 'Personal assistant' : pick(rng, ['Partner', 'Spouse', 'Daughter', 'Son']),
        relationship: assistant ? 'ASSISTANT' : 'FAMILY',
        email: null,
        phone: rng() < 0.5 ? this.phone(country, area) : null,
        birthday: !assistant && rng() < 0.6 ? isoDate(this.now - (18 + rng() * 50) * 365.25 * DAY) : null,
        isPrimary: false,
        createdAt: new Date(at.getTime() + rng() * 90 * DAY),
      });
      if (h.contacts[0].createdAt.getTime() > this.now) h.contacts[0].createdAt = at;
    }
  }

  /** Orders and the touchpoints that follow them, by the BG/NBD process with win-backs and complaint-driven dropout. */
  private purchases(h: CustomerHistory, owner: StaffRow | null, country: Country, favourites: string[], contactId: string | null): void {
    const rng = this.rng;
    const c = h.customer;
    const created = c.createdAt.getTime();
    if (rng() < PROSPECT_SHARE) {
      if (rng() < 0.7) this.touch(h, { purpose: 'INQUIRY', direction: 'INBOUND', at: created + rng() * 5 * DAY, channel: pick(rng, ['EMAIL', 'WEB', 'PHONE', 'CHAT']), subject: 'Question about a product', contactId });
      return;
    }
    const company = c.kind === 'COMPANY';
    const p = PURCHASE_PROCESS;
    const rate = Math.min(p.maxRatePerDay, sampleGamma(p.r, p.alpha, rng) * (company ? 1.3 : 1));
    let dropout = sampleBeta(p.a, p.b, rng);
    const basket = sampleGamma(3, 3, rng) * (company ? 2.5 : 1);
    const channel = this.preferredChannel(company);
    const foreign = country.currency !== this.options.baseCurrency && USD_PER_UNIT[country.currency] && USD_PER_UNIT[this.options.baseCurrency];
    const paysLocal = foreign && rng() < 0.5;
    const sentiment = 3.2 + rng() * 1.8;
    const thankYouRate = owner ? owner.diligence : 0.25;

    if (rng() < 0.3) {
      this.touch(h, { purpose: 'INQUIRY', direction: 'INBOUND', at: created + rng() * DAY, channel: pick(rng, ['EMAIL', 'WEB', 'PHONE', 'CHAT']), subject: 'Question before buying', contactId });
    }
    // Most first orders come with the sign-up (checkout creates the account); some a little later.
    let t = rng() < 0.6 ? created + rng() * 20 * MINUTE : created + exponentialDays(rng, 10);
    while (t <= this.now) {
      const order = this.order(h, t, channel, paysLocal ? country.currency : this.options.baseCurrency, favourites, basket, company);
      h.orders.push(order);
      const complained = this.afterOrder(h, order, owner, thankYouRate, sentiment, contactId);
      const dropProbability = Math.min(0.95, dropout + (complained ? COMPLAINT_DROPOUT_BOOST : 0));
      if (rng() < dropProbability) {
        if (rng() >= WIN_BACK_SHARE) break;
        // Gone quiet for a year or more, then won back (often after a personal offer).
        t += 365 * DAY + exponentialDays(rng, 150);
        if (t > this.now) break;
        if (owner && rng() < 0.6) {
          this.touch(h, { purpose: 'PROMOTION', direction: 'OUTBOUND', at: t - (2 + rng() * 12) * DAY, channel: pick(rng, ['EMAIL', 'PHONE', 'DIRECT_MAIL']), subject: 'We miss you: a personal offer', userId: owner.id, contactId });
        }
        dropout = sampleBeta(p.a, p.b, rng);
        continue;
      }
      t += exponentialDays(rng, 1 / rate);
    }
  }

  private preferredChannel(company: boolean): SalesChannel {
    const u = this.rng();
    if (company) return u < 0.35 ? 'PHONE' : u < 0.65 ? 'ONLINE' : u < 0.9 ? 'PARTNER' : 'OTHER';
    return u < 0.55 ? 'ONLINE' : u < 0.88 ? 'STORE' : u < 0.95 ? 'PHONE' : u < 0.98 ? 'PARTNER' : 'OTHER';
  }

  private order(h: CustomerHistory, at: number, preferred: SalesChannel, currency: string, favourites: string[], basket: number, company: boolean): OrderRow {
    const rng = this.rng;
    const base = this.options.baseCurrency;
    const channel = rng() < 0.8 ? preferred : pick(rng, ['STORE', 'ONLINE', 'PHONE', 'PARTNER', 'OTHER'] as const);
    // Store orders happen in opening hours; the hour of other orders is spread over the waking day.
    const day = Math.floor(at / DAY) * DAY;
    const placed = channel === 'STORE' ? day + (9 + rng() * 10) * HOUR : Math.max(at, day + (7 + rng() * 16) * HOUR);
    const placedAt = Math.min(Math.max(placed, h.customer.createdAt.getTime()), this.now - MINUTE);
    const age = this.now - placedAt;
    let status: OrderStatus;
    const s = rng();
    if (age < 2 * DAY) status = s < 0.6 ? 'PENDING' : s < 0.95 ? 'PAID' : 'CANCELLED';
    else if (age < 7 * DAY) status = s < 0.1 ? 'PENDING' : s < 0.6 ? 'PAID' : s < 0.97 ? 'FULFILLED' : 'CANCELLED';
    else status = s < 0.945 ? 'FULFILLED' : s < 0.975 ? 'CANCELLED' : 'REFUNDED';

    let rate = '1';
    let rateNumber = 1;
    if (currency !== base) {
      // A slow seasonal drift around the reference rate, fixed per day.
      const reference = USD_PER_UNIT[currency] / USD_PER_UNIT[base];
      const drift = 1 + 0.04 * Math.sin((2 * Math.PI * placedAt) / (365 * DAY)) + 0.01 * Math.sin((2 * Math.PI * placedAt) / (37 * DAY));
      rateNumber = Number((reference * drift).toFixed(6));
      rate = rateNumber.toFixed(6);
    }
    const exponent = currencyExponent(currency);
    // Base-currency minor units → order-currency minor units.
    const scale = 10 ** (exponent - this.baseExponent) / rateNumber;

    const lineCount = this.lineCount(rng);
    const lines: OrderLineRow[] = [];
    const used = new Set<string>();
    let subtotal = 0;
    let discount = 0;
    let cost = 0;
    for (let position = 1; position <= lineCount; position++) {
      const product = this.product(favourites, used, h.orders.length > 0);
      if (!product) break;
      used.add(product.id);
      const consumable = CONSUMABLE_CATEGORIES.includes(product.category);
      const quantity = company
        ? 1 + Math.floor(rng() * (consumable ? 8 : 3) * basket)
        : 1 + (rng() < 0.22 * basket + (consumable ? 0.25 : 0) ? intBetween(rng, 1, consumable ? 3 : 1) : 0);
      const unitPrice = currency === base ? product.price : Math.max(1, Math.round(product.price * scale));
      const unitCost = currency === base ? product.cost : Math.round(product.cost * scale);
      const gross = quantity * unitPrice;
      const lineDiscount = rng() < 0.12 ? Math.round((gross * pick(rng, [5, 10, 15, 20])) / 100) : 0;
      const total = gross - lineDiscount;
      const money = (minor: number) => minorToDecimal(minor, exponent);
      lines.push({ id: newId(), productId: product.id, position, description: product.name, quantity, unitPrice: money(unitPrice), unitCost: money(unitCost), discount: money(lineDiscount), total: money(total) });
      subtotal += gross;
      discount += lineDiscount;
      cost += quantity * unitCost;
    }
    const total = subtotal - discount;
    const totalDecimal = minorToDecimal(total, exponent);
    const costDecimal = minorToDecimal(cost, exponent);
    return {
      id: newId(),
      customerId: h.customer.id,
      placedAt: new Date(placedAt),
      updatedAt: new Date(Math.min(this.now, placedAt + (status === 'PENDING' ? 0 : (1 + rng() * 72) * HOUR))),
      status,
      channel,
      currency,
      baseCurrency: base,
      rateToBase: rate,
      subtotal: minorToDecimal(subtotal, exponent),
      discount: minorToDecimal(discount, exponent),
      total: totalDecimal,
      cost: costDecimal,
      totalBase: currency === base ? totalDecimal : formatAmount(convert(toUnits(total, exponent), rate, base)),
      costBase: currency === base ? costDecimal : formatAmount(convert(toUnits(cost, exponent), rate, base)),
      lines,
    };
  }

  private lineCount(rng: Rng): number {
    const u = rng();
    return u < 0.45 ? 1 : u < 0.75 ? 2 : u < 0.9 ? 3 : 4;
  }

  /** Mostly from the customer's favourite categories; repeat orders lean on consumables (beans, tea, care). */
  private product(favourites: string[], used: Set<string>, repeat: boolean): Product | null {
    const rng = this.rng;
    for (let attempt = 0; attempt < 8; attempt++) {
      const u = rng();
      const category =
        repeat && u < 0.35 ? pick(rng, CONSUMABLE_CATEGORIES.filter((c) => this.byCategory.has(c)).concat(favourites))
        : u < 0.75 ? pick(rng, favourites)
        : pick(rng, this.categories);
      const product = pick(rng, this.byCategory.get(category)!);
      if (!used.has(product.id)) return product;
    }
    return null;
  }

  /** Touchpoints that follow an order. Returns whether the customer complained. */
  private afterOrder(h: CustomerHistory, order: OrderRow, owner: StaffRow | null, thankYouRate: number, sentiment: number, contactId: string | null): boolean {
    const rng = this.rng;
    const at = order.placedAt.getTime();
    const userId = owner?.id ?? null;
    const orderId = order.id;
    if (order.status === 'CANCELLED') return false;
    // Not every purchase gets its thank-you: how often depends on the owner's diligence.
    if (rng() < thankYouRate) {
      this.touch(h, { purpose: 'THANK_YOU', direction: 'OUTBOUND', at: at + (2 + rng() * 46) * HOUR, channel: pick(rng, ['EMAIL', 'EMAIL', 'PHONE', 'DIRECT_MAIL', 'SMS']), subject: 'Thank you for your order', userId, orderId, contactId });
    }
    if (rng() < 0.1) {
      this.touch(h, { purpose: 'FOLLOW_UP', direction: 'OUTBOUND', at: at + (3 + rng() * 11) * DAY, channel: pick(rng, ['PHONE', 'EMAIL']), subject: 'How are you getting on with your order?', userId, orderId, contactId });
    }
    if (rng() < 0.03) {
      const inbound = rng() < 0.6;
      this.touch(h, { purpose: 'SERVICE', direction: inbound ? 'INBOUND' : 'OUTBOUND', at: at + (5 + rng() * 55) * DAY, channel: pick(rng, ['PHONE', 'CHAT', 'EMAIL']), subject: inbound ? 'Help with setup' : 'Maintenance reminder', userId: inbound ? null : userId, orderId, contactId });
    }
    const complained = rng() < 0.025;
    if (complained) {
      const occurred = at + (1 + rng() * 29) * DAY;
      // Resolution time is log-normal, median 20 hours, capped at two weeks; one in ten is forgotten and stays open.
      const resolved = rng() < 0.9 ? occurred + Math.min(14 * DAY, Math.exp(Math.log(20) + 1.1 * sampleNormal(rng)) * HOUR) : Infinity;
      const done = resolved <= this.now;
      this.touch(h, {
        purpose: 'COMPLAINT', direction: 'INBOUND', at: occurred, channel: pick(rng, ['EMAIL', 'PHONE', 'CHAT', 'SOCIAL']),
        subject: pick(rng, ['Item arrived damaged', 'Late delivery', 'Wrong item sent', 'Charged twice', 'Machine stopped working']),
        userId: done ? userId : null, orderId, contactId,
        complaintStatus: done ? 'RESOLVED' : 'OPEN', resolvedAt: done ? new Date(resolved) : null,
      });
    }
    if (rng() < 0.08) {
      const satisfaction = Math.max(1, Math.min(5, Math.round(sentiment - (complained ? 1.5 : 0) + (rng() - 0.5) * 1.6)));
      const nps = Math.max(0, Math.min(10, Math.round(satisfaction * 2 + (rng() - 0.5) * 3)));
      this.touch(h, { purpose: 'SURVEY', direction: 'OUTBOUND', at: at + (2 + rng() * 8) * DAY, channel: 'EMAIL', subject: 'How did we do?', orderId, contactId, satisfaction, nps });
    }
    return complained;
  }

  /** Birthday and season's greetings, and the occasional visit to a business customer. */
  private occasions(h: CustomerHistory, owner: StaffRow | null, contactId: string | null): void {
    const rng = this.rng;
    const c = h.customer;
    if (!owner || !h.orders.length) return;
    const from = c.createdAt.getTime();
    const fromYear = new Date(from).getUTCFullYear();
    const toYear = new Date(this.now).getUTCFullYear();
    for (let year = fromYear; year <= toYear; year++) {
      if (c.birthday && c.kind === 'PERSON' && rng() < owner.diligence * 0.8) {
        const at = Date.UTC(year, Number(c.birthday.slice(5, 7)) - 1, Number(c.birthday.slice(8, 10)), 9) - (rng() < 0.3 ? DAY : 0);
        if (at > from && at <= this.now) this.touch(h, { purpose: 'GREETING', direction: 'OUTBOUND', at, channel: pick(rng, ['EMAIL', 'SMS', 'DIRECT_MAIL']), subject: 'Happy birthday!', userId: owner.id });
      }
      if (rng() < 0.3) {
        const at = Date.UTC(year, 11, intBetween(rng, 12, 22), 10);
        if (at > from && at <= this.now) this.touch(h, { purpose: 'GREETING', direction: 'OUTBOUND', at, channel: pick(rng, ['EMAIL', 'DIRECT_MAIL']), subject: "Season's greetings", userId: owner.id, contactId });
      }
    }
    if (c.kind === 'COMPANY' && rng() < 0.4) {
      for (let at = from + exponentialDays(rng, 90); at <= this.now; at += exponentialDays(rng, 120)) {
        this.touch(h, { purpose: 'VISIT', direction: 'OUTBOUND', at, channel: pick(rng, ['VISIT', 'MEETING']), subject: 'Account review', userId: owner.id, contactId });
      }
    }
    if (rng() < 0.2) {
      const at = from + rng() * (this.now - from);
      this.touch(h, { purpose: 'INQUIRY', direction: 'INBOUND', at, channel: pick(rng, ['EMAIL', 'PHONE', 'CHAT', 'WEB']), subject: 'Question about availability', contactId });
    }
  }

  /**
   * Replays Rapport's lifecycle rules over the customer's history: evaluated after every purchase and at the moments a
   * quiet spell crosses a threshold, as the nightly rule run would have. A few moves are made by hand by the owner.
   */
  private lifecycle(h: CustomerHistory, owner: StaffRow | null): void {
    const rng = this.rng;
    const c = h.customer;
    const created = c.createdAt.getTime();
    const creator = owner ? { id: owner.id, label: owner.name } : { id: null, label: 'system' };
    h.transitions.push({ id: newId(), customerId: c.id, from: null, to: 'PROSPECT', at: c.createdAt, reason: 'Customer created', source: 'MANUAL', actorUserId: creator.id, actor: creator.label });
    h.orders.sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());
    const purchases = h.orders.filter((o) => PURCHASE.has(o.status)).map((o) => o.placedAt.getTime());
    let stage: LifecycleStage = 'PROSPECT';
    let since = created;
    const evaluate = (at: number, count: number) => {
      const first = purchases[0];
      const last = purchases[count - 1];
      const x = count - 1;
      const suggestion = suggestLifecycleStage(
        {
          firstPurchaseAt: count ? new Date(first) : null,
          lastPurchaseAt: count ? new Date(last) : null,
          repeatPurchases: Math.max(0, x),
          usualIntervalDays: x > 0 ? (last - first) / x / DAY : null,
          probabilityAlive: null,
          previousStage: stage,
          previousStageSince: new Date(since),
        },
        new Date(at),
      );
      if (suggestion.stage === stage) return;
      const manual = owner && rng() < 0.08;
      h.transitions.push({
        id: newId(),
        customerId: c.id,
        from: stage,
        to: suggestion.stage,
        at: new Date(at),
        reason: suggestion.reason,
        source: manual ? 'MANUAL' : 'RULE',
        actorUserId: manual ? owner.id : null,
        actor: manual ? owner.name : 'system',
      });
      stage = suggestion.stage;
      since = at;
    };
    // The rules run nightly: after the night of each purchase, and on the nights a quiet spell crosses a threshold.
    const night = (t: number) => (Math.floor(t / DAY) + 1) * DAY + 2 * HOUR;
    const runs = new Set<number>([this.now]);
    for (let k = 0; k < purchases.length; k++) {
      runs.add(Math.min(this.now, night(purchases[k])));
      const last = purchases[k];
      const next = k + 1 < purchases.length ? purchases[k + 1] : Infinity;
      const interval = k > 0 ? (last - purchases[0]) / k : 0;
      const thresholds = [last + 91 * DAY, last + 365 * DAY];
      if (interval > 0) thresholds.push(last + 3 * interval + DAY);
      for (const at of thresholds) if (night(at) < next && night(at) <= this.now) runs.add(night(at));
    }
    let count = 0;
    for (const at of [...runs].sort((a, b) => a - b)) {
      while (count < purchases.length && purchases[count] <= at) count++;
      evaluate(at, count);
    }
    c.stage = stage;
    c.version = h.transitions.length;
    c.updatedAt = h.transitions[h.transitions.length - 1].at;
  }

  private touch(
    h: CustomerHistory,
    t: {
      purpose: TouchpointPurpose;
      direction: 'INBOUND' | 'OUTBOUND';
      at: number;
      channel: TouchpointChannel;
      subject: string;
      userId?: string | null;
      orderId?: string | null;
      contactId?: string | null;
      satisfaction?: number;
      nps?: number;
      complaintStatus?: 'OPEN' | 'RESOLVED';
      resolvedAt?: Date | null;
    },
  ): void {
    if (t.at > this.now) return;
    const row: TouchpointRow = {
      id: newId(),
      customerId: h.customer.id,
      contactId: t.contactId ?? null,
      userId: t.userId ?? null,
      orderId: t.orderId ?? null,
      channel: t.channel,
      direction: t.direction,
      purpose: t.purpose,
      occurredAt: new Date(t.at),
      subject: t.subject,
      notes: null,
      satisfaction: t.satisfaction ?? null,
      nps: t.nps ?? null,
      complaintStatus: t.complaintStatus ?? null,
      resolvedAt: t.resolvedAt ?? null,
    };
    h.touchpoints.push(row);
    if (row.purpose === 'COMPLAINT') {
      const ordinal = row.resolvedAt === null ? this.unresolvedComplaints++ : null;
      h.complaints.push(complaintOf(row, h.customer.ownerId, this.now, currencyExponent(this.options.baseCurrency), ordinal));
    }
  }
}
