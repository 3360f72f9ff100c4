import { TouchpointChannel } from '../touchpoint/touchpoint.entity';
import { ArgsType, Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../common/money.types';
import { Contact } from '../contact/contact.entity';
import { ConsentChannel, Customer } from '../customer/customer.entity';
import { ACTION_KINDS, RFM_SEGMENTS, TIME_UNITS, VALUE_TIER_KINDS, type ActionKind, type RfmSegment, type TimeUnit, type ValueTier } from '../intelligence';
import { ValueBasis } from './model/customer-model-fit.entity';
import { DiagnosticsBucket, ModelCandidate } from './model/model-selection.types';

export { DiagnosticsBucket, ModelCandidate };
import { PiiBirthdayAction } from '../core/masking';

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
  @Field(() => RFM_SEGMENTS, { description: 'The segment.' })
  segment: RfmSegment;

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

  /** Set by the service; the predictions behind averageClv are computed only when a request selects it. */
  averageClvOf?: () => Promise<Money | null>;

  @Field(() => Money, {
    nullable: true,
    description:
      'Mean predicted 12-month CLV (margin, 1% monthly discount) of the segment’s buyers with a prediction, as of asOf: the mean of their clv.predicted (with asOf when given). Null without buyers, an active model or a Gamma-Gamma fit on margins.',
  })
  get averageClv(): Promise<Money | null> {
    return this.averageClvOf?.() ?? Promise.resolve(null);
  }
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

@ObjectType({ description: 'One cell of the value matrix: the customers of one RFM segment in one value tier.' })
export class ValueMatrixCell {
  @Field(() => RFM_SEGMENTS, { description: 'The RFM segment (Hughes 1994), as Customer.segment gives it.' })
  segment: RfmSegment;

  @Field(() => VALUE_TIER_KINDS, { description: 'The value tier (Peppers & Rogers 2004), as Customer.valueTier gives it.' })
  valueTier: ValueTier;

  @Field(() => Int, { description: 'Customers in the cell.' })
  customers: number;

  @Field(() => Float, { description: 'Share of all customers (not deleted), 0–1.' })
  share: number;

  @Field(() => Money, { description: 'Revenue of the cell’s purchases, base currency.' })
  revenue: Money;

  @Field(() => Money, { description: 'Gross margin of the cell’s purchases, base currency.' })
  margin: Money;

  @Field(() => Money, {
    nullable: true,
    description:
      'Mean predicted 12-month CLV (margin, 1% monthly discount) of the cell’s customers with a prediction: the mean of their clv.predicted without arguments. Null without any.',
  })
  averageClv: Money | null;
}

@ObjectType({ description: 'The customer base as RFM segment (Hughes 1994) × value tier (Peppers & Rogers 2004), from the scores the customer fields return.' })
export class ValueMatrix {
  @Field({ description: 'The instant the matrix was read; each customer’s scores are as of their latest rescore (see Customer.rfm.asOf).' })
  asOf: Date;

  @Field(() => Int, { description: 'Customers (not deleted), prospects included.' })
  customers: number;

  @Field(() => [ValueMatrixCell], {
    description: 'One cell per segment and tier, empty cells included: segments in catalogue order, and within each the tiers KEY, MAINTAIN, DEVELOP, MONITOR.',
  })
  cells: ValueMatrixCell[];
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

  @Field(() => Float, { description: 'Churn probability: no purchase within a year (the active fit’s model), as Customer.churnRisk.' })
  churnProbability: number;

  @Field(() => Money, { description: 'Realised value to date on the model’s basis.' })
  realisedValue: Money;

  @Field(() => Money, { description: 'churnProbability × realisedValue: the value of the relationship at risk; the list is sorted by it.' })
  valueAtRisk: Money;

  @Field(() => Int, { description: 'UTC days since the last purchase.' })
  daysSinceLastPurchase: number;
}

@ObjectType({ description: 'Customers whose predicted churn probability fell in [lower, upper) (the last bin includes 1): what was predicted against what happened.' })
export class ChurnCalibrationBin {
  @Field(() => Float, { description: 'Lower bound of the predicted probability (inclusive).' })
  lower: number;

  @Field(() => Float, { description: 'Upper bound (exclusive, except 1 in the last bin).' })
  upper: number;

  @Field(() => Int, { description: 'Customers in the bin.' })
  customers: number;

  @Field(() => Float, { description: 'Their mean predicted probability of no purchase in the holdout.' })
  meanPredicted: number;

  @Field(() => Float, { description: 'The share of them who bought nothing in the holdout.' })
  observedRate: number;
}

@ObjectType({ description: 'What an RFM segment (scored at calibrationEnd) did in the holdout period.' })
export class SegmentHoldout {
  @Field(() => RFM_SEGMENTS, { description: 'The segment at calibrationEnd, on breakpoints from the customers then.' })
  segment: RfmSegment;

  @Field(() => Int, { description: 'Customers in the segment at calibrationEnd.' })
  customers: number;

  @Field(() => Float, { description: 'The share of them who bought in the holdout period.' })
  buyRate: number;

  @Field(() => Float, { description: 'The share the model expected to buy in the holdout period: the mean of 1 − P(no purchase in the holdout) from the calibration fit. Beside buyRate it shows where the model misjudges a segment.' })
  predictedBuyRate: number;

  @Field(() => Float, { description: 'Purchase occasions per customer of the segment in the holdout period.' })
  purchasesPerCustomer: number;

  @Field(() => Float, { description: 'Purchase occasions per customer the calibration fit expected in the holdout period.' })
  predictedPurchasesPerCustomer: number;

  @Field(() => Money, { description: 'What they spent in the holdout period (revenue, base currency; each purchase day rounded to the minor unit).' })
  revenue: Money;

  @Field(() => Money, { description: 'Holdout revenue per customer of the segment, rounded to the minor unit.' })
  revenuePerCustomer: Money;
}

@ObjectType({ description: 'Gamma-Gamma (Fader, Hardie & Lee 2005, "RFM and CLV") fitted on calibration order values (revenue per purchase day) and judged on the holdout.' })
export class SpendBackTest {
  @Field(() => Float, { description: 'Fitted p.' })
  p: number;

  @Field(() => Float, { description: 'Fitted q.' })
  q: number;

  @Field(() => Float, { description: 'Fitted γ.' })
  gamma: number;

  @Field(() => Int, { description: 'Customers with repeat purchases in calibration and a purchase in the holdout: those whose order values can be compared.' })
  customers: number;

  @Field(() => Money, { description: 'Their mean expected order value E[Z | x, m_x].' })
  meanPredictedOrderValue: Money;

  @Field(() => Money, { description: 'Their mean actual order value in the holdout (revenue per purchase day).' })
  meanActualOrderValue: Money;

  @Field(() => Float, { nullable: true, description: 'Pearson correlation of expected against actual order value across them; null with fewer than two.' })
  correlation: number | null;

  @Field(() => Money, { description: 'Holdout revenue predicted for every customer: expected purchases (BG/NBD) × expected order value.' })
  predictedRevenue: Money;

  @Field(() => Money, { description: 'Holdout revenue that happened.' })
  actualRevenue: Money;
}

@ObjectType({
  description:
    'Churn risk back-tested on the holdout: the probability of no purchase over the holdout’s length, from the calibration fit, against who actually bought nothing; beside the naive rule (days since the last purchase), so an analyst sees at once whether the score beats it.',
})
export class ChurnBackTest {
  @Field(() => Int, { description: 'The horizon: the holdout period in days.' })
  horizonDays: number;

  @Field(() => Float, { nullable: true, description: 'ROC AUC of the churn probability for "no purchase in the holdout" (0.5 is chance, 1 perfect); null when everyone or no one churned.' })
  churnAuc: number | null;

  @Field(() => Float, { nullable: true, description: 'ROC AUC of days since the last purchase at calibrationEnd, the naive rule to beat.' })
  recencyAuc: number | null;

  @Field(() => Float, { nullable: true, description: 'Brier score of the churn probability (mean squared error; 0 is perfect, 0.25 what always saying 0.5 scores).' })
  brierScore: number | null;

  @Field(() => Float, { description: 'Mean predicted churn probability.' })
  predictedChurnRate: number;

  @Field(() => Float, { description: 'The share of customers who bought nothing in the holdout.' })
  observedChurnRate: number;

  @Field(() => [ChurnCalibrationBin], { description: 'Ten equal-width bins of predicted probability (empty ones left out): mean predicted against observed.' })
  calibration: ChurnCalibrationBin[];

  @Field(() => [SegmentHoldout], { description: 'Observed holdout buy rate and revenue per RFM segment at calibrationEnd.' })
  bySegment: SegmentHoldout[];
}

@ObjectType({ description: 'How well BG/NBD (Fader, Hardie & Lee 2005) fitted on a calibration period predicts purchases in the holdout period that follows, as in the paper’s figure 4 (conditional expectations by calibration frequency).' })
export class ModelDiagnostics {
  @Field({ description: 'End of the calibration period: the model is fitted on purchases up to here.' })
  calibrationEnd: Date;

  @Field({ description: 'End of the holdout period.' })
  holdoutEnd: Date;

  @Field(() => TIME_UNITS, { description: 'Time unit of the fit.' })
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

  @Field(() => Float, { nullable: true, description: 'predictedPurchases against actualPurchases in % of actual; null when nobody bought in the holdout.' })
  errorPercent: number | null;

  @Field(() => [ModelCandidate], { description: 'BG/NBD, Pareto/NBD and MBG/NBD each fitted on the calibration period and judged on the holdout, so the data can choose the model.' })
  candidates: ModelCandidate[];

  @Field(() => [DiagnosticsBucket], { description: 'Predicted against actual by calibration repeat purchases (0 to 6, and 7+).' })
  byRepeatPurchases: DiagnosticsBucket[];
  @Field(() => SpendBackTest, { nullable: true, description: 'Order values and holdout revenue, predicted against actual; null when too few customers have repeat purchases to fit Gamma-Gamma.' })
  spend: SpendBackTest | null;

  @Field(() => ChurnBackTest, { description: 'Churn risk on the holdout: AUC, Brier score and calibration against the naive recency rule, and what each RFM segment did.' })
  churn: ChurnBackTest;
}

@ArgsType()
export class SegmentSummaryArgs {
  @Field(() => Date, { nullable: true, description: 'As of this instant (from 1900-01-01, not in the future); default now, scored against the active model’s breakpoints.' })
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

  @Field({ description: 'End of the holdout period; after calibrationEnd, from 1900-01-01 and not in the future.' })
  holdoutEnd: Date;

  @Field(() => TIME_UNITS, { defaultValue: TIME_UNITS.DAY, description: 'Time unit of the fit.' })
  timeUnit: TimeUnit;
}

@ObjectType({ description: 'One bar of the predicted-CLV histogram: buyers whose predicted CLV lies in [lower, upper) (the last bar includes upper).' })
export class ClvBucket {
  @Field(() => Money, { description: 'Lower bound (inclusive), base currency.' })
  lower: Money;

  @Field(() => Money, { description: 'Upper bound (exclusive, except in the last bucket), base currency.' })
  upper: Money;

  @Field(() => Int, { description: 'Buyers in the bucket.' })
  customers: number;

  @Field(() => Float, { description: 'Share of the buyers with a prediction, 0–1.' })
  share: number;

  @Field(() => Float, { description: 'Share of the total predicted CLV, 0–1 (0 when the total is not positive).' })
  clvShare: number;
}

@ObjectType({ description: 'How predicted 12-month CLV (the active fit’s customer-base model × Gamma-Gamma, 1% monthly discount) is distributed over buyers: equal-width buckets from the lowest to the highest prediction.' })
export class ClvDistribution {
  @Field({ description: 'The instant the predictions were computed as of.' })
  asOf: Date;

  @Field(() => ValueBasis, { description: 'Whether values are margins or revenue.' })
  basis: ValueBasis;

  @Field(() => Int, { description: 'Buyers with a predicted CLV: 0 without an active model or a Gamma-Gamma fit for the basis (then buckets is empty).' })
  customers: number;

  @Field(() => Money, { description: 'Sum of the buyers’ predicted CLV, base currency.' })
  total: Money;

  @Field(() => Money, { nullable: true, description: 'Mean predicted CLV per buyer; null without predictions.' })
  average: Money | null;

  @Field(() => [ClvBucket], { description: 'The buckets, lowest first; empty without predictions.' })
  buckets: ClvBucket[];
}

@ObjectType({ description: 'An association rule between two product categories bought in the same order: support and confidence (Agrawal, Imieliński & Swami 1993), lift (Brin et al. 1997).' })
export class CrossSellRule {
  @Field({ description: 'The category in the order (the "if" side).' })
  antecedent: string;

  @Field({ description: 'The category bought with it (the "then" side).' })
  consequent: string;

  @Field(() => Float, { description: 'Share of orders with both categories, 0–1.' })
  support: number;

  @Field(() => Float, { description: 'P(consequent | antecedent): share of the orders with the antecedent that also have the consequent, 0–1.' })
  confidence: number;

  @Field(() => Float, { description: 'confidence / P(consequent): above 1, orders with the antecedent hold the consequent more often than orders in general.' })
  lift: number;

  @Field(() => Int, { description: 'Orders with both categories.' })
  orders: number;
}

@ObjectType({ description: 'A care routine due for a customer: a birthday greeting (of the customer or one of their contacts), a thank-you, a complaint to resolve or a satisfaction survey.' })
export class CareAgendaItem {
  @Field(() => ACTION_KINDS, { description: 'What to do: BIRTHDAY_GREETING, HOLIDAY_GREETING, THANK_YOU, RESOLVE_COMPLAINT or SATISFACTION_SURVEY.' })
  kind: ActionKind;

  @Field(() => Customer, { description: 'The customer.' })
  customer: Customer;

  @Field(() => Contact, { nullable: true, description: 'For the birthday of one of the customer’s contacts: that contact; null otherwise.' })
  contact: Contact | null;

  @Field({ description: 'When it is due (UTC midnight of a birthday); a date before now means overdue. A birthday greeting is due on the first of its month for callers who see personal data masked.' })
  @PiiBirthdayAction('dueAt')
  dueAt: Date;

  @Field({ description: 'Why, with the facts behind it. A birthday shows its month only to callers who see personal data masked.' })
  @PiiBirthdayAction('reason')
  reason: string;

  @Field(() => ConsentChannel, { nullable: true, description: 'The first channel the customer consented to, in the order that suits the kind; for a complaint the channel it came in on (`complaintChannel`), consent or not; null for a complaint that came in on a channel outside this list (see `complaintChannel`).' })
  channel: ConsentChannel | null;

  @Field(() => TouchpointChannel, { nullable: true, description: 'For RESOLVE_COMPLAINT: the channel the complaint came in on, which the answer goes through (a phone complaint is answered by phone, whatever the consents); null for other kinds.' })
  complaintChannel: TouchpointChannel | null;

  @Field(() => String, { nullable: true, description: 'What the item is about: the complaint’s or service touchpoint’s ID, the order’s ID for a thank-you, or the holiday’s name.' })
  subject: string | null;
}

@ArgsType()
export class ClvDistributionArgs {
  @Field(() => Int, { defaultValue: 10, description: 'Number of equal-width buckets, 1 to 50.' })
  buckets: number;

  @Field(() => ValueBasis, { defaultValue: ValueBasis.MARGIN, description: 'Predict margin (default) or revenue.' })
  basis: ValueBasis;
}

@ArgsType()
export class CrossSellRulesArgs {
  @Field(() => Float, { defaultValue: 0.01, description: 'Minimum support, 0 to 1: rules need both categories together in at least this share of orders.' })
  minSupport: number;

  @Field(() => Float, { defaultValue: 0, description: 'Minimum confidence, 0 to 1.' })
  minConfidence: number;

  @Field(() => Int, { defaultValue: 20, description: 'How many rules, 1 to 100.' })
  first: number;
}

@ArgsType()
export class CareAgendaArgs {
  @Field({ description: 'Start of the window (inclusive).' })
  from: Date;

  @Field({ description: 'End of the window (exclusive); after from, at most 92 days later.' })
  to: Date;

  @Field(() => Int, { defaultValue: 100, description: 'How many items, 1 to 100; the earliest due first.' })
  first: number;
}
