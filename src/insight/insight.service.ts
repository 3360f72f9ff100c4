import { GraphQLError } from 'graphql';
import { divideToMinor, parseAmount } from '../common/money';
import { Money, moneyOfFloat, moneyOfUnits } from '../common/money.types';
import { badInput, UserErrorCode, UserErrors } from '../common/errors';
import { instantArgument, pastInstant } from '../common/validate';
import { ConsentChannel, consentEntries, Customer } from '../customer/customer.entity';
import {
  CHURN_HORIZON_DAYS,
  churnRisk,
  CUSTOMER_MODEL_CHOICES,
  DAYS_PER_UNIT,
  MS_PER_DAY,
  nextBestActions,
  PLAYBOOK,
  quintileScore,
  recommendCategories,
  SEGMENTS,
  TIME_UNITS,
  suggestLifecycleStage,
  upcomingHolidays,
  usualIntervalDays,
  utcDay,
  type LifecycleStage as StageKey,
  type PurchaseSummary,
  type RfmBreakpoints,
  type RfmSegment,
  type TimeUnit,
  type ValueTier,
} from '../intelligence';
import { stageByKey, stageFacts, STAGE_FACTS_SQL } from '../lifecycle/lifecycle.loaders';
import { recordTransitions } from '../lifecycle/lifecycle.service';
import { TransitionSource } from '../lifecycle/lifecycle-transition.entity';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { InsightAnalytics } from './analytics';
import { CustomerModel, ValueBasis } from './model/customer-model-fit.entity';
import { churnOf, clvOf, DEFAULT_CLV, referralValue, rfmOf, summarizeDays, valueTierOf } from './customer-scores';
import {
  populationRfm,
  PopulationRfmRow,
  purchasedCategories,
  purchaseDays,
  PurchaseDay,
  referralFacts,
  streamPopulationDays,
  touchpointFacts,
} from './insight.loaders';
import {
  ApplySuggestedLifecycleStagesPayload,
  ChurnRisk,
  ClvArgs,
  CustomerLifetimeValue,
  type LifetimeValues,
  FitCustomerModelInput,
  FitCustomerModelPayload,
  LifecycleSuggestion,
  NextBestAction,
  OrderStats,
  PurchaseForecastArgs,
  ReferralStats,
  Rfm,
  Satisfaction,
  SatisfactionTrend,
  SegmentInfo,
} from './insight.types';
import { fitOutcome, requestFit } from './model/model-fitting';
import { activeFitWithScores, customerScoreRows, type StoredScores } from '../scoring/score-store';
import { exactTotal, populationRfmBreakpoints, summarizeOccasions } from './occasions';

/** Longest forecast horizon accepted, in days (ten years). */
const MAX_HORIZON_DAYS = 3650;
/** The longest holdout an AUTO fit may judge its candidates on (ten years, as forecast horizons). */
const MAX_HOLDOUT_DAYS = 3650;


export class InsightService {
  /** One "now" per request, so every field of a response is computed as of the same instant. */
  readonly now = new Date();
  private active?: Promise<CustomerModel | null>;
  private readonly breakpointsAt = new Map<string, Promise<RfmBreakpoints | null>>();
  private readonly populationAt = new Map<string, Promise<PopulationRfmRow[]>>();
  /** Analyst queries over the whole customer base. */
  readonly analytics: InsightAnalytics;

  constructor(private readonly deps: ServiceDeps) {
    this.analytics = new InsightAnalytics(deps, this);
  }

  get currency(): string {
    return this.deps.config.baseCurrency;
  }

  // -- model ------------------------------------------------------------------------------------------------------

  /** The active fit (loaded once per request). Null until the worker (or fitCustomerModel) fitted the first one. */
  model(): Promise<CustomerModel | null> {
    this.active ??= activeFitWithScores(this.deps.loaders);
    return this.active;
  }

  /**
   * The customer's stored scores (customer_scores), which the argument-free fields return so that a list filters on
   * exactly what its fields say. Null only between a customer's creation and the worker's first scoring of them.
   */
  private stored(c: Customer): Promise<StoredScores | null> {
    return customerScoreRows(this.deps.loaders).load(c.id);
  }

  /** The active model, as the `customerModel` query shows it. */
  currentModel(): Promise<CustomerModel | null> {
    this.deps.access.require('models:read');
    return this.model();
  }

  async fit(input: FitCustomerModelInput): Promise<FitCustomerModelPayload> {
    this.deps.access.require('models:write');
    const errors = new UserErrors();
    const asOf = input.asOf ?? this.now;
    if (!pastInstant(errors, ['input', 'asOf'], asOf, this.now)) return { model: null, userErrors: errors.list };
    // The job worker fits (src/insight/model/model-fitting.ts, fitRequested); this request waits for the outcome it writes.
    if (input.holdoutDays != null) {
      if (input.model !== CUSTOMER_MODEL_CHOICES.AUTO) errors.add(['input', 'holdoutDays'], UserErrorCode.INVALID, 'holdoutDays applies only to model AUTO (it is the period the candidates are judged on).');
      else if (!(input.holdoutDays >= 1 && input.holdoutDays <= MAX_HOLDOUT_DAYS)) errors.add(['input', 'holdoutDays'], UserErrorCode.OUT_OF_RANGE, `holdoutDays must be from 1 to ${MAX_HOLDOUT_DAYS}.`);
      if (errors.list.length) return { model: null, userErrors: errors.list };
    }
    const requestId = await requestFit(this.deps.db, {
      asOf,
      fromScores: input.asOf == null,
      timeUnit: input.timeUnit,
      basis: input.basis,
      activate: input.activate,
      choice: input.model,
      holdoutDays: input.holdoutDays,
      requestedBy: { actor: this.deps.actor, requestId: this.deps.requestId },
    });
    const outcome = await fitOutcome(this.deps.db, requestId, Date.now() + this.deps.config.requestTimeoutMs);
    if (!outcome) {
      throw new GraphQLError('The fit is still running in the job worker: it is stored (and activated, if asked) when done; see customerModel.', {
        extensions: { code: 'TIMEOUT', fitRequestId: requestId },
      });
    }
    if ('failed' in outcome) throw new Error(`customer model fit request ${requestId} failed in the worker`);
    if ('cannotFit' in outcome) {
      errors.add(['input', outcome.field], UserErrorCode.INVALID, outcome.cannotFit);
      return { model: null, userErrors: errors.list };
    }
    // The worker wrote the fit's audit entry and event with it, in this caller's name.
    return { model: outcome.fit, userErrors: [] };
  }

  segments(): SegmentInfo[] {
    return Object.values(SEGMENTS).map((s) => segmentInfo(s.segment));
  }

  // -- inputs -----------------------------------------------------------------------------------------------------

  /** A client-given asOf, or now. The future is rejected (nothing has happened there yet), and so is the time before 1900. */
  asOf(value: Date | null | undefined, field = 'asOf'): Date {
    if (value == null) return this.now;
    return instantArgument(value, field, this.now);
  }

  private days(customerId: string, at: Date): Promise<PurchaseDay[]> {
    return purchaseDays(this.deps.loaders, at, customerId);
  }

  private summary(days: readonly PurchaseDay[], at: Date, unit: TimeUnit, basis: ValueBasis): PurchaseSummary | null {
    return summarizeDays(days, at, unit, basis);
  }

  /** The RFM breakpoints Customer.rfm scores against without asOf: the active model's, else the population's now. */
  private async currentBreakpoints(model: CustomerModel | null): Promise<RfmBreakpoints | null> {
    return model?.rfmBreakpoints ?? (await this.rfmBreakpointsAt(this.now, model?.basis ?? ValueBasis.MARGIN));
  }

  /** RFM breakpoints of the population as of `at` (one aggregate, cached per request); null without buyers. */
  rfmBreakpointsAt(at: Date, basis: ValueBasis): Promise<RfmBreakpoints | null> {
    const key = `${at.toISOString()}|${basis}`;
    let p = this.breakpointsAt.get(key);
    if (!p) {
      p = this.populationRfm(at).then((rows) => populationRfmBreakpoints(rows, at, basis, this.currency));
      this.breakpointsAt.set(key, p);
    }
    return p;
  }

  /** The population aggregate as of `at`, cached per request. */
  populationRfm(at: Date): Promise<PopulationRfmRow[]> {
    const key = at.toISOString();
    let p = this.populationAt.get(key);
    if (!p) this.populationAt.set(key, (p = populationRfm(this.deps.db, at)));
    return p;
  }

  // -- per customer -----------------------------------------------------------------------------------------------

  async orderStats(c: Customer): Promise<OrderStats> {
    this.deps.access.require('orders:read');
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
    this.deps.access.require('analytics:read');
    const stored = asOfArg == null ? await this.stored(c) : null;
    if (stored) {
      return Object.assign(new Rfm(), {
        asOf: new Date(`${stored.scoredOn}T00:00:00Z`),
        recencyDays: stored.recencyDays,
        frequency: stored.occasions,
        monetary: moneyOfUnits(stored.monetary, this.currency),
        rScore: stored.rScore,
        fScore: stored.fScore,
        mScore: stored.mScore,
        segment: stored.segment,
      });
    }
    const at = this.asOf(asOfArg);
    const model = await this.model();
    const basis = model?.basis ?? ValueBasis.MARGIN;
    const [days, breakpoints] = await Promise.all([this.days(c.id, at), asOfArg == null ? this.currentBreakpoints(model) : this.rfmBreakpointsAt(at, basis)]);
    const { input, monetary, scored } = rfmOf(days, at, basis, breakpoints, this.currency);
    return Object.assign(new Rfm(), {
      asOf: at,
      recencyDays: input?.recencyDays ?? null,
      frequency: days.length,
      monetary: moneyOfUnits(monetary, this.currency),
      rScore: scored.r,
      fScore: scored.f,
      mScore: scored.m,
      segment: scored.segment,
    });
  }

  async segmentInfo(c: Customer): Promise<SegmentInfo> {
    this.deps.access.require('analytics:read');
    return segmentInfo((await this.rfm(c)).segment);
  }

  async purchaseForecast(c: Customer, args: PurchaseForecastArgs) {
    this.deps.access.require('analytics:read');
    const at = this.asOf(args.asOf);
    if (!Number.isFinite(args.horizon) || args.horizon < 0 || args.horizon * DAYS_PER_UNIT[args.unit] > MAX_HORIZON_DAYS) {
      throw badInput(`\`horizon\` must be from 0 to ${MAX_HORIZON_DAYS} days (${Math.floor(MAX_HORIZON_DAYS / 7)} weeks).`, { field: 'horizon', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [model, days] = await Promise.all([this.model(), this.days(c.id, at)]);
    const summary = model ? this.summary(days, at, model.timeUnit, model.basis) : null;
    const t = model ? (args.horizon * DAYS_PER_UNIT[args.unit]) / DAYS_PER_UNIT[model.timeUnit] : 0;
    return {
      asOf: at,
      horizon: args.horizon,
      unit: args.unit,
      expectedPurchases: model && summary ? model.purchaseModel.expectedPurchases(t, summary) : null,
      probabilityAlive: model && summary ? model.purchaseModel.probabilityAlive(summary) : null,
    };
  }

  async clv(c: Customer, args: ClvArgs): Promise<CustomerLifetimeValue> {
    this.deps.access.require('analytics:read');
    const at = this.asOf(args.asOf);
    if (!Number.isInteger(args.horizonMonths) || args.horizonMonths < 0 || args.horizonMonths > 120) {
      throw badInput('`horizonMonths` must be a whole number from 0 to 120.', { field: 'horizonMonths', reason: UserErrorCode.OUT_OF_RANGE });
    }
    if (!Number.isFinite(args.monthlyDiscountRate) || args.monthlyDiscountRate < 0 || args.monthlyDiscountRate >= 1) {
      throw badInput('`monthlyDiscountRate` must be from 0 to below 1.', { field: 'monthlyDiscountRate', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const currency = this.currency;
    // The purchase history loads only for the fields that need it: without arguments, `predicted` alone is the stored
    // score the PREDICTED_CLV filter and sort read.
    let values: Promise<LifetimeValues> | undefined;
    const valuesOf = () =>
      (values ??= Promise.all([this.model(), this.days(c.id, at)]).then(([model, days]) => {
        const clv = clvOf(days, at, model, args, currency);
        return {
          historical: moneyOfUnits(clv.historical, currency),
          predicted: clv.predicted === null ? null : moneyOfUnits(clv.predicted, currency),
          totalWith: (predicted: Money, referral: Money) => moneyOfUnits(clv.historical + parseAmount(predicted.amount) + parseAmount(referral.amount), currency),
          expectedPurchases: clv.expectedPurchases,
          expectedAverageOrderValue: clv.expectedAverageOrderValue === null ? null : moneyOfFloat(clv.expectedAverageOrderValue, currency),
          probabilityAlive: clv.probabilityAlive,
        };
      }));
    // The seeds' CLV counts referrals: a share of what the referred customers have brought, on the same basis, exact.
    let referral: Promise<Money> | undefined;
    const referralOf = () =>
      (referral ??= referralFacts(this.deps.loaders, args.asOf == null ? null : at)
        .load(c.id)
        .then((r) => moneyOfUnits(referralValue(parseAmount(args.basis === ValueBasis.REVENUE ? r.revenue : r.margin), this.deps.config.referralValueShare, currency), currency)));
    const isDefault = args.asOf == null && args.basis === DEFAULT_CLV.basis && args.horizonMonths === DEFAULT_CLV.horizonMonths && args.monthlyDiscountRate === DEFAULT_CLV.monthlyDiscountRate;
    const stored = isDefault ? await this.stored(c) : null;
    return Object.assign(new CustomerLifetimeValue(), {
      asOf: at,
      basis: args.basis,
      horizonMonths: args.horizonMonths,
      monthlyDiscountRate: args.monthlyDiscountRate,
      valuesOf,
      referralOf,
      storedPredicted: stored ? (stored.predictedClv === null ? null : moneyOfUnits(stored.predictedClv, currency)) : undefined,
    });
  }

  /** Realised value and predicted 12-month CLV (floats, model basis) as of now, and the tier they give. */
  private async valuePair(c: Customer, model: CustomerModel | null) {
    return valueTierOf(await this.days(c.id, this.now), this.now, model, this.currency);
  }

  async valueTier(c: Customer): Promise<ValueTier> {
    this.deps.access.require('analytics:read');
    const stored = await this.stored(c);
    if (stored) return stored.valueTier;
    const model = await this.model();
    return (await this.valuePair(c, model)).tier;
  }

  async churnRisk(c: Customer, asOfArg?: Date | null, horizonDays = CHURN_HORIZON_DAYS): Promise<ChurnRisk> {
    this.deps.access.require('analytics:read');
    const at = this.asOf(asOfArg);
    if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > 3650) {
      throw badInput('`horizonDays` must be a whole number from 1 to 3650.', { field: 'horizonDays', reason: UserErrorCode.OUT_OF_RANGE });
    }
    // The purchase history (and the model) is read once, and only when something needs it: a customer not scored
    // yet, an asOf, or P(alive) or the drivers selected. Probability and level alone read the stored row.
    let history: Promise<ReturnType<typeof churnOf>> | undefined;
    const computed = () => (history ??= Promise.all([this.model(), this.days(c.id, at)]).then(([model, days]) => churnOf(days, at, model, horizonDays)));
    // The stored row holds the risk now, over the default horizon.
    const stored = asOfArg == null && horizonDays === CHURN_HORIZON_DAYS ? await this.stored(c) : null;
    const { probability, level } = stored ? { probability: stored.churnProbability, level: stored.churnLevel } : await computed();
    return Object.assign(new ChurnRisk(), {
      asOf: at,
      horizonDays,
      probability,
      level,
      probabilityAliveOf: async () => (await computed()).probabilityAlive,
      driversOf: async () => {
        const [{ summary, probability: probabilityOf }, facts] = await Promise.all([computed(), touchpointFacts(this.deps.loaders, at, c.id)]);
        const risk = churnRisk(
          {
            probabilityNoPurchase: probabilityOf,
            lastPurchaseAt: summary?.lastPurchaseAt ?? null,
            purchaseOccasions: summary?.occasions ?? 0,
            usualIntervalDays: summary ? usualIntervalDays(summary) : null,
            openComplaints: facts.openComplaints.length,
            satisfaction: facts.csat,
            lastTouchpointAt: facts.lastAt,
          },
          at,
        );
        return risk.drivers.map((d) => ({ code: d.code, message: d.message, weight: d.weight }));
      },
    });
  }

  async lifecycleSuggestion(c: Customer): Promise<LifecycleSuggestion> {
    this.deps.access.require('analytics:read');
    const [model, days, stage, rfm] = await Promise.all([this.model(), this.days(c.id, this.now), stageFacts(this.deps.loaders, c.id), this.rfm(c)]);
    const summary = this.summary(days, this.now, model?.timeUnit ?? TIME_UNITS.DAY, model?.basis ?? ValueBasis.MARGIN);
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
    this.deps.access.require('analytics:read');
    if (!Number.isInteger(first) || first < 0 || first > 20) {
      throw badInput('`first` must be from 0 to 20.', { field: 'first', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const [model, rfm, tier, churn, lifecycle, facts, days, categories] = await Promise.all([
      this.model(),
      this.rfm(c),
      this.valueTier(c),
      this.churnRisk(c),
      this.lifecycleSuggestion(c),
      touchpointFacts(this.deps.loaders, this.now, c.id),
      this.days(c.id, this.now),
      purchasedCategories(this.deps.loaders, c.id),
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
        lastGreetingAt: facts.lastGreetingAt,
        birthday,
        upcomingHolidays: upcomingHolidays(this.now, PLAYBOOK.greetingLookaheadDays, c.address?.country ?? null),
        consentedChannels: consentEntries(c).filter(([, consent]) => consent?.granted).map(([channel]) => channel),
        predictedClv: potential,
        medianPredictedClv: model?.valueTierMedians?.potentialValueMedian ?? null,
        historicalValue: current,
        medianHistoricalValue: model?.valueTierMedians?.currentValueMedian ?? null,
        crossSellCandidates: recommendCategories(categories, model?.associationRules ?? []),
      },
      this.now,
    );
    return actions.slice(0, first).map((a) =>
      Object.assign(new NextBestAction(), { ...a, channel: a.channel as ConsentChannel | null }),
    );
  }

  async satisfaction(c: Customer): Promise<Satisfaction> {
    this.deps.access.require('touchpoints:read');
    const facts = await touchpointFacts(this.deps.loaders, this.now, c.id);
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
    this.deps.access.require('analytics:read');
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
    this.deps.access.require('models:write');
    const model = await this.model();
    const unit = model?.timeUnit ?? TIME_UNITS.DAY;
    const now = this.now;
    return this.deps.db.transaction(async (m) => {
      await m.query(`SELECT pg_advisory_xact_lock(hashtext('insight:lifecycle'))`);
      const summaries = new Map<string, PurchaseSummary>();
      await streamPopulationDays(m, now, (customerId, days) => {
        const s = summarizeOccasions(days.map((d) => ({ firstAt: d.firstAt, lastAt: d.lastAt, value: d.margin })), now, unit);
        if (s) summaries.set(customerId, s);
      });
      const customers: Array<{ id: string; stageId: string | null; stageKey: string | null; since: Date | null }> = await m.query(
        `${STAGE_FACTS_SQL} WHERE c.deleted_at IS NULL ORDER BY c.id`,
      );
      const stages: Array<{ id: string; key: string }> = await m.query(`SELECT id, key FROM lifecycle_stages`);
      const stageId = new Map(stages.map((s) => [s.key, s.id]));
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
      let applied = moves;
      if (!dryRun) {
        const done = await recordTransitions(m, moves, { at: now, source: TransitionSource.RULE, actor: this.deps.actor });
        applied = moves.filter((x) => done.has(x.customerId));
        await recordAudit(
          m,
          this.deps,
          applied.map((x) => ({ action: 'customer.moveToStage', objectType: 'Customer', objectId: x.customerId, before: { lifecycleStage: x.fromStageId }, after: { lifecycleStage: x.toStageId, reason: x.reason } })),
        );
      }
      const counts = new Map<string, number>();
      for (const move of applied) counts.set(move.key, (counts.get(move.key) ?? 0) + 1);
      return {
        evaluated: customers.length,
        moved: applied.length,
        byStage: [...counts].map(([stage, count]) => ({ stage, count })).sort((a, b) => a.stage.localeCompare(b.stage)),
        dryRun,
        userErrors: [],
      };
    });
  }
}

function segmentInfo(segment: RfmSegment): SegmentInfo {
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
      probabilityAlive: model && s ? model.purchaseModel.probabilityAlive(s) : null,
      frequencyScore: fScore as 1 | 2 | 3 | 4 | 5 | null,
      previousStage: stageKey as StageKey | null,
      previousStageSince: since,
    },
    now,
  );
}
