import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../common/money.types';
import { Customer } from '../customer/customer.entity';
import { TimeUnit, ValueBasis } from './customer-model-fit.entity';
import { Segment } from './insight.types';

export enum CohortGranularity {
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
}
registerEnumType(CohortGranularity, {
  name: 'CohortGranularity',
  description: 'Length of a cohort and of each retention period (calendar periods in UTC; weeks start on Monday).',
  valuesConfig: {
    WEEK: { description: 'Calendar weeks.' },
    MONTH: { description: 'Calendar months.' },
    QUARTER: { description: 'Calendar quarters.' },
  },
});

@ObjectType({ description: 'One RFM segment’s size and value.' })
export class SegmentSummaryRow {
  @Field(() => Segment, { description: 'The segment.' })
  segment: Segment;

  @Field(() => Int, { description: 'Customers in the segment.' })
  customers: number;

  @Field(() => Float, { description: 'Share of all customers (not deleted), 0–1.' })
  share: number;

  @Field(() => Money, { description: 'Revenue of the segment’s purchases up to asOf, base currency.' })
  revenue: Money;

  @Field(() => Money, { description: 'Gross margin of the segment’s purchases up to asOf, base currency.' })
  margin: Money;

  @Field(() => Float, { description: 'Share of all buyers’ margin, 0–1 (0 when total margin is not positive).' })
  marginShare: number;
}

@ObjectType({ description: 'The customer base by RFM segment (Hughes 1994), scored as Customer.segment scores each customer.' })
export class SegmentSummary {
  @Field({ description: 'The instant the summary was computed as of.' })
  asOf: Date;

  @Field(() => Int, { description: 'Customers (not deleted), prospects included.' })
  customers: number;

  @Field(() => [SegmentSummaryRow], { description: 'One row per segment, in catalogue order, empty segments included.' })
  segments: SegmentSummaryRow[];
}

@ObjectType({ description: 'How much of the value the top customers bring.' })
export class ConcentrationShare {
  @Field(() => Float, { description: 'The top this-many percent of buyers by value.' })
  topPercent: number;

  @Field(() => Int, { description: 'Number of buyers in that top group (at least 1).' })
  customers: number;

  @Field(() => Float, { description: 'Their share of the total value, 0–1.' })
  share: number;
}

@ObjectType({ description: 'Concentration of value over buyers: the Pareto view (top shares) and the Gini coefficient.' })
export class RevenueConcentration {
  @Field(() => ValueBasis, { description: 'Whether values are margins or revenue.' })
  basis: ValueBasis;

  @Field(() => Int, { description: 'Buyers (customers with a purchase) considered.' })
  customers: number;

  @Field(() => Money, { description: 'Total value of all buyers, base currency.' })
  total: Money;

  @Field(() => [ConcentrationShare], { description: 'Shares of the top 1, 5, 10, 20 and 50 percent.' })
  top: ConcentrationShare[];

  @Field(() => Float, { nullable: true, description: 'Gini coefficient of value over buyers (0 = equal, towards 1 = concentrated); null when the total is not positive.' })
  gini: number | null;
}

@ObjectType({ description: 'A cohort of customers who first bought in the same period, and how many bought again in each later period.' })
export class Cohort {
  @Field({ description: 'Start of the cohort’s period (UTC).' })
  start: Date;

  @Field(() => Int, { description: 'Customers whose first purchase fell in the period.' })
  customers: number;

  @Field(() => [Float], { description: 'retention[k]: share of the cohort with a purchase in the k-th period after the first (retention[0] = 1), up to the current period.' })
  retention: number[];

  @Field(() => [Int], { description: 'active[k]: number of the cohort’s customers with a purchase in period k.' })
  active: number[];
}

@ObjectType({ description: 'Movement between two lifecycle stages in a period.' })
export class LifecycleFlow {
  @Field(() => String, { nullable: true, description: 'Key of the stage left; null for a customer’s first stage.' })
  from: string | null;

  @Field({ description: 'Key of the stage entered.' })
  to: string;

  @Field(() => Int, { description: 'Transitions recorded.' })
  count: number;
}

@ObjectType({ description: 'One lifecycle stage in the funnel.' })
export class LifecycleFunnelStage {
  @Field({ description: 'Stage key.' })
  stage: string;

  @Field(() => Int, { description: 'Funnel position.' })
  position: number;

  @Field(() => Int, { description: 'Customers (not deleted) in the stage now.' })
  current: number;

  @Field(() => Int, { description: 'Transitions into the stage in the period.' })
  entered: number;

  @Field(() => Int, { description: 'Transitions out of the stage in the period.' })
  left: number;
}

@ObjectType({ description: 'The lifecycle funnel: stage sizes now and the moves between stages in a period.' })
export class LifecycleFunnel {
  @Field({ description: 'Start of the period (inclusive).' })
  from: Date;

  @Field({ description: 'End of the period (exclusive).' })
  to: Date;

  @Field(() => [LifecycleFunnelStage], { description: 'Stages in funnel order.' })
  stages: LifecycleFunnelStage[];

  @Field(() => [LifecycleFlow], { description: 'Moves between stages in the period, most frequent first.' })
  flows: LifecycleFlow[];
}

@ObjectType({ description: 'A customer likely to have churned, with the value at stake.' })
export class ChurnWatchlistEntry {
  @Field(() => Customer, { description: 'The customer.' })
  customer: Customer;

  @Field(() => Float, { description: 'Churn probability 1 − P(alive) (BG/NBD).' })
  churnProbability: number;

  @Field(() => Money, { description: 'Realised value to date on the model’s basis.' })
  realisedValue: Money;

  @Field(() => Money, { description: 'churnProbability × realisedValue: the value of the relationship at risk; the list is sorted by it.' })
  valueAtRisk: Money;

  @Field(() => Int, { description: 'UTC days since the last purchase.' })
  daysSinceLastPurchase: number;
}

@ObjectType({ description: 'Calibration against holdout for one group of customers.' })
export class DiagnosticsBucket {
  @Field({ description: 'Repeat purchases in the calibration period, e.g. "0", "3" or "7+".' })
  repeatPurchases: string;

  @Field(() => Int, { description: 'Customers in the group.' })
  customers: number;

  @Field(() => Float, { description: 'Mean predicted purchases per customer in the holdout period.' })
  predictedMean: number;

  @Field(() => Float, { description: 'Mean actual purchase occasions per customer in the holdout period.' })
  actualMean: number;
}

@ObjectType({ description: 'How well BG/NBD (Fader, Hardie & Lee 2005) fitted on a calibration period predicts purchases in the holdout period that follows, as in the paper’s figure 4 (conditional expectations by calibration frequency).' })
export class ModelDiagnostics {
  @Field({ description: 'End of the calibration period: the model is fitted on purchases up to here.' })
  calibrationEnd: Date;

  @Field({ description: 'End of the holdout period.' })
  holdoutEnd: Date;

  @Field(() => TimeUnit, { description: 'Time unit of the fit.' })
  timeUnit: TimeUnit;

  @Field(() => Int, { description: 'Customers with a purchase by calibrationEnd.' })
  customers: number;

  @Field(() => Float, { description: 'Fitted r.' })
  r: number;

  @Field(() => Float, { description: 'Fitted α.' })
  alpha: number;

  @Field(() => Float, { description: 'Fitted a.' })
  a: number;

  @Field(() => Float, { description: 'Fitted b.' })
  b: number;

  @Field(() => Float, { description: 'Sum over customers of the expected holdout purchases (eq. 10).' })
  predictedPurchases: number;

  @Field(() => Int, { description: 'Purchase occasions that actually happened in the holdout period.' })
  actualPurchases: number;

  @Field(() => Float, { description: 'Mean absolute error per customer, in purchases.' })
  meanAbsoluteError: number;

  @Field(() => [DiagnosticsBucket], { description: 'Predicted against actual by calibration repeat purchases (0 to 6, and 7+).' })
  byRepeatPurchases: DiagnosticsBucket[];
}

@ArgsType()
export class SegmentSummaryArgs {
  @Field(() => Date, { nullable: true, description: 'As of this instant (not in the future); default now, scored against the active model’s breakpoints.' })
  asOf?: Date | null;
}

@ArgsType()
export class RevenueConcentrationArgs {
  @Field(() => ValueBasis, { defaultValue: ValueBasis.REVENUE, description: 'Concentration of revenue (default) or margin.' })
  basis: ValueBasis;
}

@ArgsType()
export class CohortRetentionArgs {
  @Field(() => CohortGranularity, { defaultValue: CohortGranularity.MONTH, description: 'Cohort and period length.' })
  granularity: CohortGranularity;

  @Field(() => Date, { nullable: true, description: 'Only cohorts starting at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only cohorts starting before this instant.' })
  to?: Date | null;
}

@ArgsType()
export class LifecycleFunnelArgs {
  @Field({ description: 'Start of the period (inclusive).' })
  from: Date;

  @Field({ description: 'End of the period (exclusive); after from, at most 10 years later.' })
  to: Date;
}

@ArgsType()
export class ChurnWatchlistArgs {
  @Field(() => Int, { defaultValue: 20, description: 'How many customers, 1 to 100.' })
  first: number;
}

@ArgsType()
export class ModelDiagnosticsArgs {
  @Field({ description: 'End of the calibration period.' })
  calibrationEnd: Date;

  @Field({ description: 'End of the holdout period; after calibrationEnd and not in the future.' })
  holdoutEnd: Date;

  @Field(() => TimeUnit, { defaultValue: TimeUnit.DAY, description: 'Time unit of the fit.' })
  timeUnit: TimeUnit;
}
