import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Customer } from '../customer/customer.entity';
import { LifecycleStage } from '../lifecycle/lifecycle-stage.entity';
import type { Context } from '../server/context';
import { CustomerModel } from './customer-model-fit.entity';
import {
  ApplySuggestedLifecycleStagesInput,
  ApplySuggestedLifecycleStagesPayload,
  AsOfArgs,
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
  Segment,
  SegmentInfo,
  ValueTierKind,
} from './insight.types';

@Resolver(() => CustomerModel)
export class CustomerModelResolver {
  @Query(() => CustomerModel, {
    nullable: true,
    description:
      'The active fit of the customer models. With no fit yet, one is fitted on the current data (DAY, MARGIN) before answering; null only while no customer has a purchase. An active fit older than RAPPORT_MODEL_MAX_AGE_HOURS (default 24) is refitted in the background once orders changed.',
  })
  customerModel(@Ctx() ctx: Context) {
    return ctx.services.insight.model();
  }

  @Query(() => [SegmentInfo], { description: 'The RFM segment catalogue (Hughes 1994): what each segment means and how to treat it.' })
  segments(@Ctx() ctx: Context) {
    return ctx.services.insight.segments();
  }

  @Mutation(() => FitCustomerModelPayload, {
    description:
      'Fit BG/NBD (Fader, Hardie & Lee 2005) and Gamma-Gamma on every customer with a purchase by asOf, with the RFM breakpoints and value-tier medians of the same population; store it and, by default, make it the active fit.',
  })
  fitCustomerModel(@Arg('input', () => FitCustomerModelInput, { description: 'As of when, in which time unit and on which value basis to fit.' }) input: FitCustomerModelInput, @Ctx() ctx: Context) {
    return ctx.services.insight.fit(input);
  }

  @Mutation(() => ApplySuggestedLifecycleStagesPayload, {
    description: 'Move every customer whose suggested lifecycle stage differs from the current one, recording RULE transitions, in one transaction.',
  })
  applySuggestedLifecycleStages(
    @Arg('input', () => ApplySuggestedLifecycleStagesInput, { defaultValue: { dryRun: false }, description: 'Pass dryRun: true to count the moves without writing.' }) input: ApplySuggestedLifecycleStagesInput,
    @Ctx() ctx: Context,
  ) {
    return ctx.services.insight.applySuggestedLifecycleStages(input.dryRun);
  }
}

/** Customer-intelligence fields on Customer; every one is batched per page of customers. */
@Resolver(() => Customer)
export class CustomerInsightResolver {
  @FieldResolver(() => OrderStats, { description: 'Purchase totals in the base currency (cancelled, refunded and deleted orders excluded).' })
  orderStats(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.orderStats(c);
  }

  @FieldResolver(() => Rfm, {
    description:
      'Recency, frequency and monetary value with 1–5 quintile scores (Hughes 1994). Without asOf: values as of now, scored against the active model’s breakpoints; with asOf: values and breakpoints as of that instant.',
  })
  rfm(@Root() c: Customer, @Args() { asOf }: AsOfArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.rfm(c, asOf);
  }

  @FieldResolver(() => Segment, { description: 'RFM segment now (PROSPECT without a purchase); same as rfm.segment.' })
  async segment(@Root() c: Customer, @Ctx() ctx: Context) {
    return (await ctx.services.insight.rfm(c)).segment;
  }

  @FieldResolver(() => SegmentInfo, { description: 'The segment with its description and strategy.' })
  segmentInfo(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.segmentInfo(c);
  }

  @FieldResolver(() => PurchaseForecast, {
    description: 'Expected purchase occasions over a horizon and P(alive), from the active BG/NBD fit (Fader, Hardie & Lee 2005). The horizon is converted to the model’s time unit.',
  })
  purchaseForecast(@Root() c: Customer, @Args() args: PurchaseForecastArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.purchaseForecast(c, args);
  }

  @FieldResolver(() => CustomerLifetimeValue, {
    description: 'Customer lifetime value: realised value plus discounted predicted value (BG/NBD × Gamma-Gamma, Fader, Hardie & Lee 2005).',
  })
  clv(@Root() c: Customer, @Args() args: ClvArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.clv(c, args);
  }

  @FieldResolver(() => ValueTierKind, {
    description: 'Value tier (Peppers & Rogers 2004): realised value and predicted 12-month CLV against the active model’s medians, on the model’s value basis.',
  })
  valueTier(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.insight.valueTier(c);
  }

  @FieldResolver(() => ChurnRisk, { description: 'Churn risk 1 − P(alive) (BG/NBD) with its drivers: overdue purchase, open complaints, falling satisfaction, no recent touchpoint.' })
  churnRisk(@Root() c: Customer, @Args() { asOf }: AsOfArgs, @Ctx() ctx: Context) {
    return ctx.services.insight.churnRisk(c, asOf);
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
