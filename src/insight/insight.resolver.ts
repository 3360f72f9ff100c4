import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Customer } from '../customer/customer.entity';
import { LifecycleStage } from '../lifecycle/lifecycle-stage.entity';
import type { Context } from '../core/request-scope';
import { Reads } from '../core/selection';
import {
  CareAgendaArgs,
  CareAgendaItem,
  ChurnWatchlistArgs,
  ChurnWatchlistEntry,
  ClvDistribution,
  ClvDistributionArgs,
  Cohort,
  CohortRetentionArgs,
  CrossSellRule,
  CrossSellRulesArgs,
  LifecycleFunnel,
  LifecycleFunnelArgs,
  ModelDiagnostics,
  ModelDiagnosticsArgs,
  RevenueConcentration,
  RevenueConcentrationArgs,
  SegmentSummary,
  SegmentSummaryArgs,
  ValueMatrix,
} from './analytics.types';
import { RFM_SEGMENTS, VALUE_TIER_KINDS } from '../intelligence';
import { CustomerModel } from './model/customer-model-fit.entity';
import {
  ApplySuggestedLifecycleStagesInput,
  ApplySuggestedLifecycleStagesPayload,
  AsOfArgs,
  ChurnRiskArgs,
  ChurnRisk,
  ClvArgs,
  CustomerLifetimeValue,
  FitCustomerModelInput,
  FitCustomerModelPayload,
  LifecycleSuggestion,
  NextBestAction,
  NextBestActionsArgs,
  OrderStats,
  PurchaseForecast,
  PurchaseForecastArgs,
  ReferralStats,
  Rfm,
  Satisfaction,
  SegmentInfo,
} from './insight.types';

@Resolver(() => CustomerModel)
export class CustomerModelResolver {
  @Query(() => CustomerModel, {
    nullable: true,
    description:
      'The active fit of the customer models. With no fit yet, the first request that needs it starts a fit on the current data (DAY, MARGIN) and waits for it up to 5 seconds; a longer fit finishes in the background while answers go without a model (null here, null predictions). Null also while no customer has a purchase. An active fit older than MODEL_MAX_AGE_HOURS (default 24) is refitted in the background once orders changed; requests keep using the current fit meanwhile.',
  })
  customerModel(@Ctx() ctx: Context) {
    return ctx.services.insight.currentModel();
  }

  @Query(() => [SegmentInfo], { description: 'The RFM segment catalogue (Hughes 1994): what each segment means and how to treat it.' })
  segments(@Ctx() ctx: Context) {
    return ctx.services.insight.segments();
  }

  @Mutation(() => FitCustomerModelPayload, {
    description:
      'Fit a customer-base model (BG/NBD by default, Pareto/NBD, MBG/NBD, or AUTO: the lowest holdout error) and Gamma-Gamma on every customer with a purchase by asOf, with the RFM breakpoints and value-tier medians of the same population; store it and, by default, make it the active fit.',
  })
  fitCustomerModel(@Arg('input', () => FitCustomerModelInput, { description: 'As of when, in which time unit and on which value basis to fit.' }) input: FitCustomerModelInput, @Ctx() ctx: Context) {
    return ctx.services.insight.fit(input);
  }

  @Mutation(() => ApplySuggestedLifecycleStagesPayload, {
    description: 'Move every customer whose suggested lifecycle stage differs from the current one, recording RULE transitions, in one transaction (written in batches of 500). A customer whose stage changes while this runs keeps the new stage.',
  })
  applySuggestedLifecycleStages(
    @Arg('input', () => ApplySuggestedLifecycleStagesInput, { defaultValue: { dryRun: false }, description: 'Pass dryRun: true to count the moves without writing.' }) input: ApplySuggestedLifecycleStagesInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.insight.applySuggestedLifecycleStages(input.dryRun);
  }
}

/** Analyst queries over the whole customer base. */
@Resolver()
export class InsightAnalyticsResolver {
  @Query(() => SegmentSummary, { description: 'Customers, revenue and margin per RFM segment (Hughes 1994), scored as Customer.segment scores each customer.' })
  segmentSummary(@Args() { asOf }: SegmentSummaryArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.segmentSummary(asOf);
  }

  @Query(() => ValueMatrix, {
    description:
      'Customers, revenue, margin and average predicted CLV per RFM segment (Hughes 1994) × value tier (Peppers & Rogers 2004): one cell per pair, from the stored scores Customer.segment and Customer.valueTier return.',
  })
  valueMatrix(@Ctx() ctx: Context) {
    return ctx.services.insight.analytics.valueMatrix();
  }

  @Query(() => RevenueConcentration, { description: 'How concentrated value is over buyers: shares of the top 1–50% and the Gini coefficient.' })
  revenueConcentration(@Args() { basis }: RevenueConcentrationArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.revenueConcentration(basis);
  }

  @Query(() => [Cohort], { description: 'Retention by acquisition cohort: for customers who first bought in the same period, the share buying again in each later period.' })
  cohortRetention(@Args() { granularity, from, to }: CohortRetentionArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.cohortRetention(granularity, from, to);
  }

  @Query(() => LifecycleFunnel, { description: 'Lifecycle stage sizes now and the moves between stages recorded in a period.' })
  lifecycleFunnel(@Args() { from, to }: LifecycleFunnelArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.lifecycleFunnel(from, to);
  }

  @Query(() => [ChurnWatchlistEntry], { description: 'Buyers with the most value at risk: churn probability (no purchase within a year under the active fit’s model; as Customer.churnRisk) × realised value, highest first.' })
  churnWatchlist(@Args() { first }: ChurnWatchlistArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.churnWatchlist(first);
  }

  @Query(() => ModelDiagnostics, { description: 'Fit BG/NBD on purchases up to calibrationEnd and compare its predictions with the purchases up to holdoutEnd (Fader, Hardie & Lee 2005). Nothing is stored.' })
  modelDiagnostics(@Args() { calibrationEnd, holdoutEnd, timeUnit }: ModelDiagnosticsArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.modelDiagnostics(calibrationEnd, holdoutEnd, timeUnit);
  }

  @Query(() => ClvDistribution, {
    description: 'Histogram of predicted 12-month CLV over buyers (the active fit’s customer-base model × Gamma-Gamma, 1% monthly discount): equal-width buckets with counts and shares of customers and of value.',
  })
  clvDistribution(@Args() { buckets, basis }: ClvDistributionArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.clvDistribution(buckets, basis);
  }

  @Query(() => [CrossSellRule], { description: 'Association rules between product categories bought in the same purchase order, strongest lift first.' })
  crossSellRules(@Args() { minSupport, minConfidence, first }: CrossSellRulesArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.crossSellRules(minSupport, minConfidence, first);
  }

  @Query(() => [CareAgendaItem], {
    description:
      'The care routines for a window of at most 92 days, earliest due first: birthdays in the window (customers and their contacts), holiday greetings (New Year, Easter, Christmas; Thanksgiving in the US and Canada), purchases not thanked yet, open complaints, and service contacts without a survey since. Each goes through a channel the customer consented to; outreach without one is left out, complaints are listed regardless.',
  })
  careAgenda(@Args() { from, to, first }: CareAgendaArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.analytics.careAgenda(from, to, first);
  }
}

/** Customer-intelligence fields on Customer; every one is batched per page of customers. */
@Resolver(() => Customer)
export class CustomerInsightResolver {
  @FieldResolver(() => OrderStats, { description: 'Purchase totals in the base currency (cancelled, refunded and deleted orders excluded).' })
  @Reads('id')
  orderStats(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.orderStats(c);
  }

  @FieldResolver(() => Rfm, {
    description:
      'Recency, frequency and monetary value with 1–5 quintile scores (Hughes 1994). Without asOf: values as of now, scored against the active model’s breakpoints; with asOf: values and breakpoints as of that instant.',
  })
  @Reads('id')
  rfm(@Root() c: Customer, @Args() { asOf }: AsOfArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.rfm(c, asOf);
  }

  @FieldResolver(() => RFM_SEGMENTS, { description: 'RFM segment now (PROSPECT without a purchase); same as rfm.segment.' })
  @Reads('id')
  async segment(@Root() c: Customer, @Ctx() ctx: Context) {
    return (await ctx.services.insight.rfm(c)).segment;
  }

  @FieldResolver(() => SegmentInfo, { description: 'The segment with its description and strategy.' })
  @Reads('id')
  segmentInfo(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.segmentInfo(c);
  }

  @FieldResolver(() => PurchaseForecast, {
    description: 'Expected purchase occasions over a horizon and P(alive), from the active fit’s customer-base model (CustomerModel.baseModel: BG/NBD, Pareto/NBD or MBG/NBD). The horizon is converted to the model’s time unit.',
  })
  @Reads('id')
  purchaseForecast(@Root() c: Customer, @Args() args: PurchaseForecastArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.purchaseForecast(c, args);
  }

  @FieldResolver(() => CustomerLifetimeValue, {
    description: 'Customer lifetime value: realised value plus discounted predicted value (the active fit’s customer-base model × Gamma-Gamma, Fader, Hardie & Lee 2005).',
  })
  @Reads('id')
  clv(@Root() c: Customer, @Args() args: ClvArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.clv(c, args);
  }

  @FieldResolver(() => VALUE_TIER_KINDS, {
    description: 'Value tier (Peppers & Rogers 2004): realised value and predicted 12-month CLV against the active model’s medians, on the model’s value basis. Once-frequent buyers silent for long (segment CANT_LOSE) usually land in MAINTAIN because the models predict little of them; their next best action is still a win-back.',
  })
  @Reads('id')
  valueTier(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.valueTier(c);
  }

  @FieldResolver(() => ChurnRisk, {
    description:
      'Churn risk: the probability of no purchase within `horizonDays` (default a year) under the active fit’s customer-base model, banded, with its drivers: one purchase only, overdue purchase, open complaints, falling satisfaction, no recent touchpoint.',
  })
  @Reads('id')
  churnRisk(@Root() c: Customer, @Args() { asOf, horizonDays }: ChurnRiskArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.churnRisk(c, asOf, horizonDays);
  }

  @FieldResolver(() => LifecycleStage, { description: 'The lifecycle stage Rapport’s rules suggest now (see lifecycleSuggestion for why).' })
  async suggestedLifecycleStage(@Root() c: Customer, @Ctx() ctx: Context) {
    return (await ctx.services.insight.lifecycleSuggestion(c)).stage;
  }

  @FieldResolver(() => LifecycleSuggestion, { description: 'The suggested lifecycle stage, the rule behind it, and whether it differs from the current stage.' })
  lifecycleSuggestion(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.lifecycleSuggestion(c);
  }

  @FieldResolver(() => [NextBestAction], { description: 'The contacts the CRM playbook suggests now, most urgent first, each through a consented channel.' })
  nextBestActions(@Root() c: Customer, @Args() { first }: NextBestActionsArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.nextBestActions(c, first);
  }

  @FieldResolver(() => Satisfaction, { description: 'CSAT and NPS from survey touchpoints, with the trend of the last 90 days.' })
  satisfaction(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.satisfaction(c);
  }

  @FieldResolver(() => ReferralStats, { description: 'Customers this customer referred and the value of their purchases.' })
  referralStats(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.referralStats(c);
  }
}
