import type { DataSource } from 'typeorm';
import { badInput, UserErrorCode, UserErrors } from '../common/errors';
import { currencyExponent, formatAmount, parseAmount } from '../common/money';
import { Money } from '../common/money.types';
import { ConsentChannel, consentEntries, Customer } from '../customer/customer.entity';
import { StatementTally, withStatementTally } from '../db/statement-counter';
import {
  churnRisk,
  customerLifetimeValue,
  DAYS_PER_UNIT,
  expectedPurchases,
  fitBgnbd,
  fitGammaGamma,
  MS_PER_DAY,
  nextBestActions,
  probabilityAlive,
  quintileScore,
  rfmBreakpoints,
  scoreRfm,
  SEGMENTS,
  suggestLifecycleStage,
  summarizePurchases,
  usualIntervalDays,
  utcDay,
  valueTier,
  valueTierThresholds,
  type BgnbdParams,
  type GammaGammaParams,
  type LifecycleStage as StageKey,
  type PurchaseSummary,
  type RfmBreakpoints,
  type RfmInput,
} from '../intelligence';
import { stageByKey } from '../lifecycle/lifecycle.loaders';
import { actorUserId } from '../server/actor';
import { log } from '../server/logger';
import type { ServiceDeps } from '../server/services';
import { CustomerModel, customerModelFromRow, GammaGammaFitRecord, TimeUnit, ValueBasis } from './customer-model-fit.entity';
import {
  populationRfm,
  purchaseDays,
  PurchaseDay,
  referralFacts,
  stageFacts,
  STAGE_FACTS_SQL,
  streamPopulationDays,
  touchpointFacts,
} from './insight.loaders';
import {
  ApplySuggestedLifecycleStagesPayload,
  ChurnLevelKind,
  ChurnDriverCode,
  ChurnRisk,
  ClvArgs,
  CustomerLifetimeValue,
  FitCustomerModelInput,
  FitCustomerModelPayload,
  LifecycleSuggestion,
  NextBestAction,
  NextBestActionKind,
  OrderStats,
  PurchaseForecastArgs,
  ReferralStats,
  Rfm,
  Satisfaction,
  SatisfactionTrend,
  Segment,
  SegmentInfo,
  ValueTierKind,
} from './insight.types';

/** Gamma-Gamma is not fitted on fewer repeat buyers than this: the estimate would be noise. */
export const MIN_REPEAT_BUYERS = 10;
/** Longest forecast horizon accepted, in days (ten years). */
const MAX_HORIZON_DAYS = 3650;
/** Value tiers use the CLV of the next 12 months at 1% a month, as lifetimes' defaults. */
const TIER_CLV = { horizonMonths: 12, monthlyDiscountRate: 0.01 };
/** How often one process asks whether the active fit went stale. */
const STALENESS_CHECK_MS = 10 * 60_000;

/**
 * The active fit is refitted in the background once it is older than this and orders changed since
 * (RAPPORT_MODEL_MAX_AGE_HOURS, default 24).
 */
export function modelMaxAgeMs(env: NodeJS.ProcessEnv = process.env): number {
  const hours = Number(env.RAPPORT_MODEL_MAX_AGE_HOURS ?? 24);
  return (Number.isFinite(hours) && hours >= 0 ? hours : 24) * 3_600_000;
}

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers

/** An occasion as the summaries need it: its orders' first and last instants and its value (float, model input). */
interface Occasion {
  firstAt: Date;
  lastAt: Date;
  value: number;
}

/**
 * purchase-summary's summarizePurchases over occasions (one per UTC day), with lastPurchaseAt set to the last
 * order's instant: the module records the instant of the purchase it was given, which is the day's first order.
 */
export function summarizeOccasions(occasions: readonly Occasion[], asOf: Date, unit: TimeUnit): PurchaseSummary | null {
  const summary = summarizePurchases(
    occasions.map((o) => ({ at: o.firstAt, value: o.value })),
    asOf,
    unit,
  );
  if (!summary) return null;
  let last = summary.lastPurchaseAt;
  for (const o of occasions) if (o.lastAt.getTime() <= asOf.getTime() && o.lastAt.getTime() > last.getTime()) last = o.lastAt;
  return { ...summary, lastPurchaseAt: last };
}

const dayValue = (d: PurchaseDay, basis: ValueBasis): string => (basis === ValueBasis.MARGIN ? d.margin : d.revenue);

/** Model input from exact sums: the nearest float, rounded to the minor unit so that SQL and JS sums agree. */
function modelValue(value: number, currency: string): number {
  const f = 10 ** currencyExponent(currency);
  return Math.round(value * f) / f;
}

/** Exact total of the days' values (ten-thousandths). */
const exactTotal = (days: readonly PurchaseDay[], basis: ValueBasis): bigint => days.reduce((s, d) => s + parseAmount(dayValue(d, basis)), 0n);

const moneyOfUnits = (units: bigint, currency: string): Money => Money.of(formatAmount(units), currency);

/** A model output (a float in major units) as exact units rounded to the currency's minor unit; null when not finite. */
function unitsOfFloat(value: number, currency: string): bigint | null {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e14) return null;
  const exponent = currencyExponent(currency);
  const fixed = value.toFixed(exponent);
  if (fixed.includes('e')) return null;
  return parseAmount(fixed.replace(/^-(0\.?0*)$/, '$1'));
}

const moneyOfFloat = (value: number, currency: string): Money | null => {
  const units = unitsOfFloat(value, currency);
  return units === null ? null : moneyOfUnits(units, currency);
};

/** a / b rounded half away from zero to the currency's minor unit, in ten-thousandths. */
function divideToMinor(a: bigint, b: bigint, currency: string): bigint {
  const step = 10n ** BigInt(4 - currencyExponent(currency));
  const sign = a < 0n ? -1n : 1n;
  const abs = a * sign;
  return sign * ((abs * 2n + b * step) / (2n * b * step)) * step;
}

function rfmInputFromSummary(s: PurchaseSummary, currency: string): RfmInput {
  return {
    recencyDays: Math.round((s.T - s.tx) * DAYS_PER_UNIT[s.unit]),
    frequency: s.occasions,
    monetary: modelValue(s.totalValue, currency),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Fitting (also run in the background, outside any request)

interface PopulationMember {
  customerId: string;
  summary: PurchaseSummary;
  margin: { total: number; mx: number };
  revenue: { total: number; mx: number };
}

/** The data cannot support a fit (no buyers, or an estimate that ran off to a boundary); nothing is stored. */
export class CannotFitError extends Error {}

const NO_PURCHASES = 'No customer has a purchase by this date: there is nothing to fit.';
const positive = (...xs: number[]): boolean => xs.every((x) => Number.isFinite(x) && x > 0);

/** The population's summaries as of `asOf` in one unit, with both value bases. */
async function loadPopulation(db: DataSource, asOf: Date, unit: TimeUnit): Promise<PopulationMember[]> {
  const members: PopulationMember[] = [];
  await db.transaction('REPEATABLE READ', (m) =>
    streamPopulationDays(m, asOf, (customerId, days) => {
      const margin = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), asOf, unit);
      const revenue = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.revenue })), asOf, unit);
      if (!margin || !revenue) return;
      members.push({
        customerId,
        summary: margin,
        margin: { total: margin.totalValue, mx: margin.monetaryValue },
        revenue: { total: revenue.totalValue, mx: revenue.monetaryValue },
      });
    }),
  );
  return members;
}

function fitGammaGammaOn(members: readonly PopulationMember[], basis: ValueBasis): GammaGammaFitRecord | null {
  const key = basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
  const observations = members.map((m) => ({ x: m.summary.x, monetaryValue: m[key].mx }));
  if (observations.filter((o) => o.x > 0 && o.monetaryValue > 0).length < MIN_REPEAT_BUYERS) return null;
  const fit = fitGammaGamma(observations);
  if (!positive(fit.p, fit.q, fit.gamma) || !Number.isFinite(fit.logLikelihood)) return null;
  return { p: fit.p, q: fit.q, gamma: fit.gamma, logLikelihood: fit.logLikelihood, customers: fit.customers };
}

export interface FitOptions {
  asOf: Date;
  timeUnit: TimeUnit;
  basis: ValueBasis;
  activate: boolean;
  baseCurrency: string;
}

/**
 * Fits BG/NBD and Gamma-Gamma (both value bases) on every customer with a purchase by asOf, computes the RFM
 * breakpoints and value-tier medians of the same population, and stores the fit — activating it, in one
 * transaction, when asked. Concurrent fits are serialised by an advisory lock, so one fit stays active.
 */
export async function fitAndStore(db: DataSource, o: FitOptions): Promise<CustomerModel> {
  const started = Date.now();
  const members = await loadPopulation(db, o.asOf, o.timeUnit);
  if (members.length === 0) throw new CannotFitError(NO_PURCHASES);
  const bg = fitBgnbd(members.map((m) => m.summary));
  if (!positive(bg.r, bg.alpha, bg.a, bg.b) || !Number.isFinite(bg.logLikelihood)) {
    throw new CannotFitError(`The BG/NBD estimate did not converge to finite parameters on ${members.length} customers; more purchase history is needed.`);
  }
  const bgnbd = { r: bg.r, alpha: bg.alpha, a: bg.a, b: bg.b };
  const gammaGamma = fitGammaGammaOn(members, o.basis);
  const other = fitGammaGammaOn(members, o.basis === ValueBasis.MARGIN ? ValueBasis.REVENUE : ValueBasis.MARGIN);
  const key = o.basis === ValueBasis.MARGIN ? 'margin' : 'revenue';
  const breakpoints = rfmBreakpoints(members.map((m) => rfmInputFromSummary({ ...m.summary, totalValue: m[key].total }, o.baseCurrency)));
  const medians = valueTierThresholds(
    members.map((m) => ({
      currentValue: modelValue(m[key].total, o.baseCurrency),
      potentialValue: gammaGamma ? predictedClv(bgnbd, gammaGamma, { ...m.summary, monetaryValue: m[key].mx, totalValue: m[key].total }) ?? 0 : 0,
    })),
  );
  const durationMs = Date.now() - started;
  const row = await db.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(hashtext('customer_model_fits'))`);
    if (o.activate) await m.query(`UPDATE customer_model_fits SET active = false, updated_at = now() WHERE active`);
    const [inserted] = await m.query(
      `INSERT INTO customer_model_fits (as_of, time_unit, basis, base_currency, customers,
         bgnbd_r, bgnbd_alpha, bgnbd_a, bgnbd_b, bgnbd_log_likelihood,
         gamma_gamma_p, gamma_gamma_q, gamma_gamma_gamma, gamma_gamma_log_likelihood, gamma_gamma_customers,
         other_basis_gamma_gamma, rfm_breakpoints, value_tier_medians, active, duration_ms)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)
       RETURNING *`,
      [
        o.asOf, o.timeUnit, o.basis, o.baseCurrency, members.length,
        bgnbd.r, bgnbd.alpha, bgnbd.a, bgnbd.b, bg.logLikelihood,
        gammaGamma?.p ?? null, gammaGamma?.q ?? null, gammaGamma?.gamma ?? null, gammaGamma?.logLikelihood ?? null, gammaGamma?.customers ?? null,
        other ? JSON.stringify(other) : null, JSON.stringify(breakpoints), JSON.stringify(medians), o.activate, durationMs,
      ],
    );
    return inserted;
  });
  return customerModelFromRow(row);
}

/** Discounted CLV over TIER_CLV, or null when the Gamma-Gamma mean does not exist for the customer. */
function predictedClv(bgnbd: BgnbdParams, gg: GammaGammaParams, s: PurchaseSummary): number | null {
  const clv = customerLifetimeValue(bgnbd, gg, s, TIER_CLV);
  return Number.isFinite(clv.predicted) && clv.expectedAverageOrderValue >= 0 ? clv.predicted : null;
}

/** One fit at a time per database in this process; concurrent callers share it. */
const inflight = new WeakMap<DataSource, Promise<CustomerModel | null>>();
const lastStalenessCheck = new WeakMap<DataSource, number>();
/** After an on-demand fit failed, requests answer without a model for a minute instead of retrying each time. */
const lastFailedFit = new WeakMap<DataSource, number>();
const RETRY_FAILED_FIT_MS = 60_000;

function singleFlight(db: DataSource, run: () => Promise<CustomerModel | null>): Promise<CustomerModel | null> {
  let p = inflight.get(db);
  if (!p) {
    p = run().finally(() => inflight.delete(db));
    inflight.set(db, p);
  }
  return p;
}

/** With no active fit yet: fit on the current data now (the caller waits), DAY and MARGIN. Null without purchases. */
function fitOnDemand(db: DataSource, baseCurrency: string): Promise<CustomerModel | null> {
  if (Date.now() - (lastFailedFit.get(db) ?? 0) < RETRY_FAILED_FIT_MS) return Promise.resolve(null);
  return singleFlight(db, async () => {
    const [existing] = await db.query(`SELECT * FROM customer_model_fits WHERE active`);
    if (existing) return customerModelFromRow(existing);
    try {
      return await fitAndStore(db, { asOf: new Date(), timeUnit: TimeUnit.DAY, basis: ValueBasis.MARGIN, activate: true, baseCurrency });
    } catch (e) {
      if (e instanceof CannotFitError) {
        lastFailedFit.set(db, Date.now());
        log.warn(`no customer model: ${e.message}`);
        return null;
      }
      throw e;
    }
  });
}

/**
 * When the active fit is older than the configured age and orders changed since, refit in the background with the
 * same unit and basis; requests keep using the current fit meanwhile. Runs outside the request's statement tally.
 */
function refreshIfStale(db: DataSource, model: CustomerModel, baseCurrency: string): void {
  const now = Date.now();
  if (now - model.fittedAt.getTime() < modelMaxAgeMs()) return;
  if (now - (lastStalenessCheck.get(db) ?? 0) < STALENESS_CHECK_MS || inflight.has(db)) return;
  lastStalenessCheck.set(db, now);
  const detached: StatementTally = { statements: 0 };
  withStatementTally(detached, () => {
    singleFlight(db, async () => {
      const [{ changed }] = await db.query(
        `SELECT EXISTS (SELECT 1 FROM orders WHERE created_at > $1 OR updated_at > $1 OR deleted_at > $1) AS changed`,
        [model.fittedAt],
      );
      if (!changed) return model;
      const fit = await fitAndStore(db, { asOf: new Date(), timeUnit: model.timeUnit, basis: model.basis, activate: true, baseCurrency });
      log.info(`customer model refitted in the background (${fit.customers} customers, ${fit.durationMs} ms)`);
      return fit;
    }).catch((e) => log.error('background customer model refit failed', e));
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The service

export class InsightService {
  /** One "now" per request, so every field of a response is computed as of the same instant. */
  readonly now = new Date();
  private active?: Promise<CustomerModel | null>;
  private readonly breakpointsAt = new Map<string, Promise<RfmBreakpoints | null>>();

  constructor(private readonly deps: ServiceDeps) {}

  private get currency(): string {
    return this.deps.config.baseCurrency;
  }

  // -- model ------------------------------------------------------------------------------------------------------

  /** The active fit (loaded once per request); with none yet, one is fitted on demand. Null without any purchase. */
  model(): Promise<CustomerModel | null> {
    this.active ??= (async () => {
      const [row] = await this.deps.db.query(`SELECT * FROM customer_model_fits WHERE active`);
      if (!row) return fitOnDemand(this.deps.db, this.currency);
      const model = customerModelFromRow(row);
      refreshIfStale(this.deps.db, model, this.currency);
      return model;
    })();
    return this.active;
  }

  async fit(input: FitCustomerModelInput): Promise<FitCustomerModelPayload> {
    const errors = new UserErrors();
    const asOf = input.asOf ?? this.now;
    if (Number.isNaN(asOf.getTime()) || asOf.getTime() > this.now.getTime()) {
      errors.add(['input', 'asOf'], UserErrorCode.OUT_OF_RANGE, 'asOf must not be in the future.');
    }
    if (errors.any) return { model: null, userErrors: errors.list };
    try {
      const model = await fitAndStore(this.deps.db, { asOf, timeUnit: input.timeUnit, basis: input.basis, activate: input.activate, baseCurrency: this.currency });
      if (model.active) lastFailedFit.delete(this.deps.db);
      return { model, userErrors: [] };
    } catch (e) {
      if (!(e instanceof CannotFitError)) throw e;
      errors.add(['input', 'asOf'], UserErrorCode.INVALID, e.message);
      return { model: null, userErrors: errors.list };
    }
  }

  segments(): SegmentInfo[] {
    return Object.values(SEGMENTS).map((s) => segmentInfo(s.segment as Segment));
  }

  // -- inputs -----------------------------------------------------------------------------------------------------

  /** A client-given asOf, or now. The future is rejected: nothing has happened there yet. */
  asOf(value: Date | null | undefined, field = 'asOf'): Date {
    if (value == null) return this.now;
    if (Number.isNaN(value.getTime()) || value.getTime() > this.now.getTime()) {
      throw badInput(`\`${field}\` must not be in the future.`, { field, reason: UserErrorCode.OUT_OF_RANGE });
    }
    return value;
  }

  private days(customerId: string, at: Date): Promise<PurchaseDay[]> {
    return purchaseDays(this.deps.loaders, at).load(customerId);
  }

  private summary(days: readonly PurchaseDay[], at: Date, unit: TimeUnit, basis: ValueBasis): PurchaseSummary | null {
    return summarizeOccasions(
      days.map((d) => ({ firstAt: new Date(d.firstAt), lastAt: new Date(d.lastAt), value: Number(dayValue(d, basis)) })),
      at,
      unit,
    );
  }

  private breakpoints(at: Date, basis: ValueBasis): Promise<RfmBreakpoints | null> {
    const key = `${at.toISOString()}|${basis}`;
    let p = this.breakpointsAt.get(key);
    if (!p) {
      p = populationRfm(this.deps.db, at).then((rows) =>
        rows.length === 0
          ? null
          : rfmBreakpoints(
              rows.map((r) => ({
                recencyDays: utcDay(at) - r.lastDay,
                frequency: r.occasions,
                monetary: modelValue(basis === ValueBasis.MARGIN ? r.margin : r.revenue, this.currency),
              })),
            ),
      );
      this.breakpointsAt.set(key, p);
    }
    return p;
  }

  // -- per customer -----------------------------------------------------------------------------------------------

  async orderStats(c: Customer): Promise<OrderStats> {
    const days = await this.days(c.id, this.now);
    const orders = days.reduce((s, d) => s + d.orders, 0);
    const revenue = exactTotal(days, ValueBasis.REVENUE);
    const last = days.length ? new Date(days[days.length - 1].lastAt) : null;
    return Object.assign(new OrderStats(), {
      orders,
      purchaseOccasions: days.length,
      revenue: moneyOfUnits(revenue, this.currency),
      margin: moneyOfUnits(exactTotal(days, ValueBasis.MARGIN), this.currency),
      averageOrderValue: orders ? moneyOfUnits(divideToMinor(revenue, BigInt(orders), this.currency), this.currency) : null,
      firstPurchaseAt: days.length ? new Date(days[0].firstAt) : null,
      lastPurchaseAt: last,
      daysSinceLastPurchase: last ? utcDay(this.now) - utcDay(last) : null,
    });
  }

  async rfm(c: Customer, asOfArg?: Date | null): Promise<Rfm> {
    const at = this.asOf(asOfArg);
    const model = await this.model();
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const [days, stored] = await Promise.all([this.days(c.id, at), asOfArg == null ? model?.rfmBreakpoints ?? null : null]);
    const breakpoints = stored ?? (await this.breakpoints(at, basis));
    const monetary = exactTotal(days, basis);
    const input: RfmInput | null = days.length
      ? { recencyDays: utcDay(at) - days[days.length - 1].day, frequency: days.length, monetary: modelValue(Number(formatAmount(monetary)), this.currency) }
      : null;
    const scored = input ? scoreRfm(input, breakpoints ?? rfmBreakpoints([input])) : { r: null, f: null, m: null, segment: 'PROSPECT' as const };
    return Object.assign(new Rfm(), {
      asOf: at,
      recencyDays: input?.recencyDays ?? null,
      frequency: days.length,
      monetary: moneyOfUnits(monetary, this.currency),
      rScore: scored.r,
      fScore: scored.f,
      mScore: scored.m,
      segment: scored.segment as Segment,
    });
  }

  async segmentInfo(c: Customer): Promise<SegmentInfo> {
    return segmentInfo((await this.rfm(c)).segment);
  }

  async purchaseForecast(c: Customer, args: PurchaseForecastArgs) {
    const at = this.asOf(args.asOf);
    if (!Number.isFinite(args.horizon) || args.horizon < 0 || args.horizon * DAYS_PER_UNIT[args.unit] > MAX_HORIZON_DAYS) {
      throw badInput(`\`horizon\` must be from 0 to ${MAX_HORIZON_DAYS} days (${MAX_HORIZON_DAYS / 7} weeks).`, { field: 'horizon', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [model, days] = await Promise.all([this.model(), this.days(c.id, at)]);
    const summary = model ? this.summary(days, at, model.timeUnit, model.basis) : null;
    const t = model ? (args.horizon * DAYS_PER_UNIT[args.unit]) / DAYS_PER_UNIT[model.timeUnit] : 0;
    return {
      asOf: at,
      horizon: args.horizon,
      unit: args.unit,
      expectedPurchases: model && summary ? expectedPurchases(model.bgnbd, t, summary) : null,
      probabilityAlive: model && summary ? probabilityAlive(model.bgnbd, summary) : null,
    };
  }

  async clv(c: Customer, args: ClvArgs): Promise<CustomerLifetimeValue> {
    const at = this.asOf(args.asOf);
    if (!Number.isInteger(args.horizonMonths) || args.horizonMonths < 0 || args.horizonMonths > 120) {
      throw badInput('`horizonMonths` must be a whole number from 0 to 120.', { field: 'horizonMonths', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isFinite(args.monthlyDiscountRate) || args.monthlyDiscountRate < 0 || args.monthlyDiscountRate >= 1) {
      throw badInput('`monthlyDiscountRate` must be from 0 to below 1.', { field: 'monthlyDiscountRate', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [model, days] = await Promise.all([this.model(), this.days(c.id, at)]);
    const historical = exactTotal(days, args.basis);
    const result: CustomerLifetimeValue = Object.assign(new CustomerLifetimeValue(), {
      asOf: at,
      basis: args.basis,
      horizonMonths: args.horizonMonths,
      monthlyDiscountRate: args.monthlyDiscountRate,
      historical: moneyOfUnits(historical, this.currency),
      predicted: null,
      total: null,
      expectedPurchases: null,
      expectedAverageOrderValue: null,
      probabilityAlive: null,
    } satisfies Partial<CustomerLifetimeValue>);
    const summary = model ? this.summary(days, at, model.timeUnit, args.basis) : null;
    if (!model || !summary) return result;
    result.probabilityAlive = probabilityAlive(model.bgnbd, summary);
    const gg = model.gammaGammaFor(args.basis);
    if (!gg) return result;
    const clv = customerLifetimeValue(model.bgnbd, gg, summary, { horizonMonths: args.horizonMonths, monthlyDiscountRate: args.monthlyDiscountRate });
    result.expectedPurchases = clv.expectedPurchases;
    const predicted = clv.expectedAverageOrderValue >= 0 ? unitsOfFloat(clv.predicted, this.currency) : null;
    if (predicted === null) return result;
    result.predicted = moneyOfUnits(predicted, this.currency);
    result.total = moneyOfUnits(historical + predicted, this.currency);
    result.expectedAverageOrderValue = moneyOfFloat(clv.expectedAverageOrderValue, this.currency);
    return result;
  }

  /** Realised value and predicted 12-month CLV (floats, model basis) as of now; predicted null when unknown. */
  private async valuePair(c: Customer, model: CustomerModel | null): Promise<{ current: number; potential: number | null }> {
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const days = await this.days(c.id, this.now);
    const current = modelValue(Number(formatAmount(exactTotal(days, basis))), this.currency);
    const summary = model ? this.summary(days, this.now, model.timeUnit, basis) : null;
    const gg = model?.gammaGamma;
    return { current, potential: model && summary && gg ? predictedClv(model.bgnbd, gg, summary) : null };
  }

  async valueTier(c: Customer): Promise<ValueTierKind> {
    const model = await this.model();
    const { current, potential } = await this.valuePair(c, model);
    const medians = model?.valueTierMedians;
    if (!medians) return ValueTierKind.MONITOR;
    return valueTier({ currentValue: current, potentialValue: potential ?? 0 }, medians) as ValueTierKind;
  }

  async churnRisk(c: Customer, asOfArg?: Date | null): Promise<ChurnRisk> {
    const at = this.asOf(asOfArg);
    const [model, days, facts] = await Promise.all([this.model(), this.days(c.id, at), touchpointFacts(this.deps.loaders, at).load(c.id)]);
    const summary = this.summary(days, at, model?.timeUnit ?? TimeUnit.DAY, model?.basis ?? ValueBasis.MARGIN);
    const pAlive = model && summary ? probabilityAlive(model.bgnbd, summary) : null;
    const risk = churnRisk(
      {
        probabilityAlive: pAlive,
        lastPurchaseAt: summary?.lastPurchaseAt ?? null,
        usualIntervalDays: summary ? usualIntervalDays(summary) : null,
        openComplaints: facts.openComplaints.length,
        satisfaction: facts.csat,
        lastTouchpointAt: facts.lastAt,
      },
      at,
    );
    return Object.assign(new ChurnRisk(), {
      asOf: at,
      probability: risk.probability,
      level: risk.level as ChurnLevelKind | null,
      probabilityAlive: pAlive,
      drivers: risk.drivers.map((d) => ({ code: d.code as ChurnDriverCode, message: d.message, weight: d.weight })),
    });
  }

  async lifecycleSuggestion(c: Customer): Promise<LifecycleSuggestion> {
    const [model, days, stage, rfm] = await Promise.all([this.model(), this.days(c.id, this.now), stageFacts(this.deps.loaders).load(c.id), this.rfm(c)]);
    const summary = this.summary(days, this.now, model?.timeUnit ?? TimeUnit.DAY, model?.basis ?? ValueBasis.MARGIN);
    const suggestion = suggestLifecycle(summary, model, rfm.fScore, stage.stageKey, stage.since, this.now);
    const stageEntity = await stageByKey(this.deps.loaders).load(suggestion.stage);
    if (!stageEntity) throw new Error(`lifecycle stage ${suggestion.stage} is missing from the catalog`);
    return Object.assign(new LifecycleSuggestion(), {
      stage: stageEntity,
      reason: suggestion.reason,
      isWinBack: suggestion.isWinBack,
      changesStage: stage.stageKey !== suggestion.stage,
    });
  }

  async nextBestActions(c: Customer, first: number): Promise<NextBestAction[]> {
    if (!Number.isInteger(first) || first < 0 || first > 20) {
      throw badInput('`first` must be from 0 to 20.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [model, rfm, tier, churn, lifecycle, facts, days] = await Promise.all([
      this.model(),
      this.rfm(c),
      this.valueTier(c),
      this.churnRisk(c),
      this.lifecycleSuggestion(c),
      touchpointFacts(this.deps.loaders, this.now).load(c.id),
      this.days(c.id, this.now),
    ]);
    const { current, potential } = await this.valuePair(c, model);
    const birthday = c.birthday ? { month: Number(c.birthday.slice(5, 7)), day: Number(c.birthday.slice(8, 10)) } : null;
    const actions = nextBestActions(
      {
        stage: lifecycle.stage.key as StageKey,
        segment: rfm.segment,
        valueTier: tier,
        churnRisk: { probability: churn.probability, level: churn.level },
        lastPurchaseAt: days.length ? new Date(days[days.length - 1].lastAt) : null,
        lastThankYouAt: facts.lastThankYouAt,
        openComplaints: facts.openComplaints,
        lastServiceAt: facts.lastServiceAt,
        lastSurveyAt: facts.lastSurveyAt,
        birthday,
        // No holiday calendar yet: greetings come from birthdays only.
        upcomingHolidays: [],
        consentedChannels: consentEntries(c).filter(([, consent]) => consent?.granted).map(([channel]) => channel),
        predictedClv: potential,
        medianPredictedClv: model?.valueTierMedians?.potentialValueMedian ?? null,
        historicalValue: current,
        medianHistoricalValue: model?.valueTierMedians?.currentValueMedian ?? null,
        // Cross-sell needs association rules over the catalogue's categories; not wired yet.
        crossSellCandidates: [],
      },
      this.now,
    );
    return actions.slice(0, first).map((a) =>
      Object.assign(new NextBestAction(), { ...a, kind: a.kind as NextBestActionKind, channel: a.channel as ConsentChannel | null }),
    );
  }

  async satisfaction(c: Customer): Promise<Satisfaction> {
    const facts = await touchpointFacts(this.deps.loaders, this.now).load(c.id);
    const mean = (xs: Array<{ score: number }>): number | null => (xs.length ? xs.reduce((s, x) => s + x.score, 0) / xs.length : null);
    const recentFrom = this.now.getTime() - 90 * MS_PER_DAY;
    const recent = mean(facts.csat.filter((s) => s.at.getTime() >= recentFrom));
    const earlier = mean(facts.csat.filter((s) => s.at.getTime() < recentFrom));
    let trend = SatisfactionTrend.UNKNOWN;
    if (recent !== null && earlier !== null && earlier > 0) {
      const change = (recent - earlier) / earlier;
      trend = change <= -0.1 ? SatisfactionTrend.FALLING : change >= 0.1 ? SatisfactionTrend.RISING : SatisfactionTrend.STABLE;
    }
    return Object.assign(new Satisfaction(), {
      averageCsat: mean(facts.csat),
      csatResponses: facts.csat.length,
      npsScore: facts.npsResponses ? (100 * (facts.promoters - facts.detractors)) / facts.npsResponses : null,
      npsResponses: facts.npsResponses,
      recentAverageCsat: recent,
      earlierAverageCsat: earlier,
      trend,
    });
  }

  async referralStats(c: Customer): Promise<ReferralStats> {
    const r = await referralFacts(this.deps.loaders).load(c.id);
    return Object.assign(new ReferralStats(), {
      customersReferred: r.customersReferred,
      purchasingCustomers: r.purchasingCustomers,
      revenue: Money.of(r.revenue, this.currency),
      margin: Money.of(r.margin, this.currency),
    });
  }

  // -- bulk -------------------------------------------------------------------------------------------------------

  /**
   * Evaluates the lifecycle rules for every customer that is not deleted, as of now, and moves those whose suggested
   * stage differs (RULE transitions), all in one transaction; moves are written in batches of 500.
   */
  async applySuggestedLifecycleStages(dryRun: boolean): Promise<ApplySuggestedLifecycleStagesPayload> {
    const model = await this.model();
    const unit = model?.timeUnit ?? TimeUnit.DAY;
    const now = this.now;
    return this.deps.db.transaction(async (m) => {
      const t0 = Date.now();
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('insight:lifecycle'))`);
      const summaries = new Map<string, PurchaseSummary>();
      await streamPopulationDays(m, now, (customerId, days) => {
        const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), now, unit);
        if (s) summaries.set(customerId, s);
      });
      console.log('TIMING stream', Date.now() - t0);
      const customers: Array<{ id: string; stageId: string | null; stageKey: string | null; since: Date | null }> = await m.query(
        `${STAGE_FACTS_SQL} WHERE c.deleted_at IS NULL ORDER BY c.id`,
      );
      const stages: Array<{ id: string; key: string }> = await m.query(`SELECT id, key FROM lifecycle_stages`);
      const stageId = new Map(stages.map((s) => [s.key, s.id]));
      console.log('TIMING customers', Date.now() - t0);
      const frequency = model?.rfmBreakpoints?.frequency;
      const moves: Array<{ customerId: string; fromStageId: string | null; toStageId: string; reason: string; key: string }> = [];
      for (const c of customers) {
        const s = summaries.get(c.id) ?? null;
        const fScore = s && frequency ? quintileScore(s.occasions, frequency) : null;
        const suggestion = suggestLifecycle(s, model, fScore, c.stageKey, c.since ? new Date(c.since) : null, now);
        const to = stageId.get(suggestion.stage);
        if (to && c.stageKey !== suggestion.stage) {
          moves.push({ customerId: c.id, fromStageId: c.stageId, toStageId: to, reason: suggestion.reason, key: suggestion.stage });
        }
      }
      console.log('TIMING suggestions', Date.now() - t0);
      if (!dryRun) {
        // recordTransition writes one customer per two statements; a bulk insert and update per batch of 500 record
        // the same rows (same columns, actor and version bump) in a few statements for the whole customer base.
        for (let i = 0; i < moves.length; i += 500) {
          const batch = moves.slice(i, i + 500);
          await m.query(
            `INSERT INTO lifecycle_transitions (customer_id, from_stage_id, to_stage_id, at, reason, source, actor_user_id, actor)
             SELECT c, f, t, $4, r, 'RULE', $5, $6 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $7::text[]) AS u(c, f, t, r)`,
            [batch.map((x) => x.customerId), batch.map((x) => x.fromStageId), batch.map((x) => x.toStageId), now, actorUserId(this.deps.actor), this.deps.actor.label, batch.map((x) => x.reason)],
          );
          await m.query(
            `UPDATE customers c SET lifecycle_stage_id = u.t, version = c.version + 1, updated_at = now()
               FROM unnest($1::uuid[], $2::uuid[]) AS u(id, t) WHERE c.id = u.id`,
            [batch.map((x) => x.customerId), batch.map((x) => x.toStageId)],
          );
        }
      }
      console.log('TIMING writes', Date.now() - t0);
      const counts = new Map<string, number>();
      for (const move of moves) counts.set(move.key, (counts.get(move.key) ?? 0) + 1);
      return {
        evaluated: customers.length,
        moved: moves.length,
        byStage: [...counts].map(([stage, count]) => ({ stage, count })).sort((a, b) => a.stage.localeCompare(b.stage)),
        dryRun,
        userErrors: [],
      };
    });
  }
}

function segmentInfo(segment: Segment): SegmentInfo {
  const s = SEGMENTS[segment];
  return Object.assign(new SegmentInfo(), { segment, label: s.label, description: s.description, strategy: s.strategy });
}

/** The lifecycle rules on one customer's summary (shared by the field and the bulk mutation). */
function suggestLifecycle(
  s: PurchaseSummary | null,
  model: CustomerModel | null,
  fScore: number | null,
  stageKey: string | null,
  since: Date | null,
  now: Date,
) {
  return suggestLifecycleStage(
    {
      firstPurchaseAt: s?.firstPurchaseAt ?? null,
      lastPurchaseAt: s?.lastPurchaseAt ?? null,
      repeatPurchases: s?.x ?? 0,
      usualIntervalDays: s ? usualIntervalDays(s) : null,
      probabilityAlive: model && s ? probabilityAlive(model.bgnbd, s) : null,
      frequencyScore: fScore as 1 | 2 | 3 | 4 | 5 | null,
      previousStage: stageKey as StageKey | null,
      previousStageSince: since,
    },
    now,
  );
}
