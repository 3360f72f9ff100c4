import { TouchpointChannel } from '../touchpoint/touchpoint.entity';
import { ArgsType, Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UserError } from '../common/errors';
import { Money } from '../common/money.types';
import { ConsentChannel } from '../customer/customer.entity';
import { LifecycleStage } from '../lifecycle/lifecycle-stage.entity';
import { CustomerModel, ValueBasis } from './model/customer-model-fit.entity';
import { PiiBirthdayAction } from '../core/masking';
import {
  ACTION_KINDS,
  CHURN_DRIVER_CODES,
  CHURN_HORIZON_DAYS,
  CHURN_LEVELS,
  CUSTOMER_MODEL_CHOICES,
  RFM_SEGMENTS,
  TIME_UNITS,
  VALUE_TIER_KINDS,
  type ActionKind,
  type ChurnDriverCode,
  type ChurnLevel,
  type CustomerModelChoice,
  type RfmSegment,
  type TimeUnit,
} from '../intelligence';

registerEnumType(RFM_SEGMENTS, {
  name: 'Segment',
  description: 'RFM segment from the recency (R) and frequency (F) quintile scores (Hughes 1994). Each value’s strategy is in `segments` / `Customer.segmentInfo`.',
  valuesConfig: {
    CHAMPIONS: { description: 'R 5, F 4–5: bought very recently and buy often.' },
    LOYAL: { description: 'R 3–4, F 4–5: buy often and fairly recently.' },
    POTENTIAL_LOYALIST: { description: 'R 4–5, F 2–3: recent, a few purchases.' },
    NEW: { description: 'R 5, F 1: first purchase very recently.' },
    PROMISING: { description: 'R 4, F 1: bought once, fairly recently.' },
    NEEDS_ATTENTION: { description: 'R 3, F 3: average recency and frequency, starting to drift.' },
    ABOUT_TO_SLEEP: { description: 'R 3, F 1–2: below-average recency, few purchases.' },
    AT_RISK: { description: 'R 1–2, F 3–4: bought often, but long ago.' },
    CANT_LOSE: { description: 'R 1–2, F 5: among the most frequent buyers, silent for long. The models read the silence as dropout and predict little CLV (on CDNOW 2% expected to buy again, 33% did): next best actions win them back on the segment, not the prediction.' },
    HIBERNATING: { description: 'R 1 F 2, or R 2 F 1–2: last purchase long ago, few purchases.' },
    LOST: { description: 'R 1, F 1: bought once, long ago.' },
    PROSPECT: { description: 'No purchase yet.' },
  },
});

registerEnumType(VALUE_TIER_KINDS, {
  name: 'ValueTier',
  description: 'Customer value matrix (after Peppers & Rogers 2004): realised value against predicted CLV, each split at the active model’s population median.',
  valuesConfig: {
    KEY: { description: 'Above the median on both: high value today and high expected future value. Protect and grow.' },
    MAINTAIN: { description: 'High realised value, low expected future value. Serve efficiently, watch for churn.' },
    DEVELOP: { description: 'Low realised value, high expected future value. Grow share of wallet.' },
    MONITOR: { description: 'Low on both. Serve through low-cost channels.' },
  },
});

registerEnumType(CHURN_LEVELS, {
  name: 'ChurnLevel',
  description: 'Churn probability banded: LOW below 0.3, MEDIUM from 0.3, HIGH from 0.6.',
  valuesConfig: {
    LOW: { description: 'Churn probability below 0.3.' },
    MEDIUM: { description: 'Churn probability from 0.3 to below 0.6.' },
    HIGH: { description: 'Churn probability 0.6 or more.' },
  },
});

registerEnumType(CHURN_DRIVER_CODES, {
  name: 'ChurnDriverCode',
  description: 'A reason behind a churn risk, in plain terms a salesperson can act on.',
  valuesConfig: {
    OVERDUE_PURCHASE: { description: 'No purchase for more than twice the customer’s usual interval between purchases.' },
    OPEN_COMPLAINTS: { description: 'At least one complaint is still open.' },
    FALLING_SATISFACTION: { description: 'Average satisfaction (CSAT) of the last 90 days is at least 10% below the earlier average.' },
    NO_RECENT_TOUCHPOINT: { description: 'No touchpoint for 90 days or more, or none on record.' },
    ONE_PURCHASE_ONLY: { description: 'The customer bought once and never again; most such customers do not return.' },
  },
});

export enum SatisfactionTrend {
  RISING = 'RISING',
  STABLE = 'STABLE',
  FALLING = 'FALLING',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(SatisfactionTrend, {
  name: 'SatisfactionTrend',
  description: 'Average CSAT of the last 90 days compared with the average before.',
  valuesConfig: {
    RISING: { description: 'Recent average at least 10% above the earlier one.' },
    STABLE: { description: 'Within 10% of the earlier average.' },
    FALLING: { description: 'Recent average at least 10% below the earlier one.' },
    UNKNOWN: { description: 'Not enough scores: none in the last 90 days or none before.' },
  },
});

registerEnumType(ACTION_KINDS, {
  name: 'NextBestActionKind',
  description: 'A contact the CRM playbook suggests; listed from most to least urgent.',
  valuesConfig: {
    RESOLVE_COMPLAINT: { description: 'Answer an open complaint (due 2 days after it was opened). Listed even without marketing consent.' },
    THANK_YOU: { description: 'Thank for a purchase of the last 14 days that was not thanked yet.' },
    WIN_BACK: { description: 'Personal win-back of a valuable customer who is declining or churned.' },
    SATISFACTION_SURVEY: { description: 'Ask for satisfaction after a service contact without a survey since.' },
    BIRTHDAY_GREETING: { description: 'Birthday within the next 14 days.' },
    HOLIDAY_GREETING: { description: 'Holiday within the next 14 days.' },
    UP_SELL: { description: 'Offer a higher tier or premium range to a loyal customer.' },
    CROSS_SELL: { description: 'Recommend a category bought together with past purchases.' },
  },
});

@ObjectType({ description: 'Purchase totals of a customer in the base currency. Only purchases count: CANCELLED and REFUNDED orders and deleted orders are left out, as are orders placed after now.' })
export class OrderStats {
  @Field(() => Int, { description: 'Number of purchase orders.' })
  orders: number;

  @Field(() => Int, { description: 'Purchase occasions: UTC calendar days with at least one purchase (several orders on one day are one occasion, as the BG/NBD model counts them).' })
  purchaseOccasions: number;

  @Field(() => Money, { description: 'Sum of the purchase orders’ totals in the base currency.' })
  revenue: Money;

  @Field(() => Money, { description: 'Sum of the purchase orders’ gross margins (total − cost) in the base currency.' })
  margin: Money;

  @Field(() => Money, { nullable: true, description: 'revenue / orders, rounded to the currency’s minor unit; null without orders.' })
  averageOrderValue: Money | null;

  @Field(() => Date, { nullable: true, description: 'When the first purchase was placed; null without purchases.' })
  firstPurchaseAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the latest purchase was placed; null without purchases.' })
  lastPurchaseAt: Date | null;

  @Field(() => Int, { nullable: true, description: 'UTC calendar days from the latest purchase to today (0 = today); null without purchases.' })
  daysSinceLastPurchase: number | null;
}

@ObjectType({ description: 'An RFM segment with what it means and what to do about it.' })
export class SegmentInfo {
  @Field(() => RFM_SEGMENTS, { description: 'The segment.' })
  segment: RfmSegment;

  @Field({ description: 'Display name.' })
  label: string;

  @Field({ description: 'Who is in the segment.' })
  description: string;

  @Field({ description: 'How to treat customers in the segment.' })
  strategy: string;
}

@ObjectType({ description: 'Recency, frequency and monetary value, each scored 1–5 by quintile against a population (Hughes 1994), and the segment from R and F.' })
export class Rfm {
  @Field({ description: 'The instant the values were computed as of.' })
  asOf: Date;

  @Field(() => Int, { nullable: true, description: 'UTC calendar days from the latest purchase to asOf; null for a prospect.' })
  recencyDays: number | null;

  @Field(() => Int, { description: 'Purchase occasions (UTC days with a purchase) up to asOf.' })
  frequency: number;

  @Field(() => Money, { description: 'Realised value up to asOf on the model’s value basis (margin by default), in the base currency.' })
  monetary: Money;

  @Field(() => Int, { nullable: true, description: 'Recency score 1–5, 5 = most recent; null for a prospect.' })
  rScore: number | null;

  @Field(() => Int, { nullable: true, description: 'Frequency score 1–5, 5 = most frequent; null for a prospect.' })
  fScore: number | null;

  @Field(() => Int, { nullable: true, description: 'Monetary score 1–5, 5 = most valuable; null for a prospect.' })
  mScore: number | null;

  @Field(() => RFM_SEGMENTS, { description: 'Segment from the R and F scores; PROSPECT without a purchase.' })
  segment: RfmSegment;
}

@ObjectType({ description: 'Expected purchases over a horizon and the probability the customer is still active, from the active fit’s customer-base model (CustomerModel.baseModel; for BG/NBD: Fader, Hardie & Lee 2005, eq. 10, and P(alive): Fader, Hardie & Lee 2008).' })
export class PurchaseForecast {
  @Field({ description: 'The instant the forecast starts from.' })
  asOf: Date;

  @Field(() => Float, { description: 'Length of the horizon, in `unit`.' })
  horizon: number;

  @Field(() => TIME_UNITS, { description: 'Unit of `horizon`.' })
  unit: TimeUnit;

  @Field(() => Float, { nullable: true, description: 'Expected purchase occasions in (asOf, asOf + horizon]; null for a customer without a purchase by asOf (the model starts at the first purchase) or when no model could be fitted.' })
  expectedPurchases: number | null;

  @Field(() => Float, { nullable: true, description: 'P(alive): probability the customer has not dropped out; null as for expectedPurchases.' })
  probabilityAlive: number | null;
}

@ObjectType({ description: 'Customer lifetime value: realised value plus the discounted value expected over the horizon, from the active fit’s customer-base model’s purchase counts and Gamma-Gamma spend per purchase (Fader, Hardie & Lee 2005), after lifetimes’ customer_lifetime_value.' })
export class CustomerLifetimeValue {
  @Field({ description: 'The instant the value was computed as of.' })
  asOf: Date;

  @Field(() => ValueBasis, { description: 'Whether values are margins or revenue.' })
  basis: ValueBasis;

  @Field(() => Int, { description: 'Months ahead (a month is 30 days).' })
  horizonMonths: number;

  @Field(() => Float, { description: 'Discount rate per month.' })
  monthlyDiscountRate: number;

  /** Set by the service: everything computed from the purchase history, loaded only when a field needs it. */
  valuesOf!: () => Promise<LifetimeValues>;
  /** Set by the service without arguments: the stored prediction (what PREDICTED_CLV sorts on); undefined otherwise. */
  storedPredicted?: Money | null;

  @Field(() => Money, { description: 'Realised value to asOf (exact sum of the purchases).' })
  async historical(): Promise<Money> {
    return (await this.valuesOf()).historical;
  }

  @Field(() => Money, { nullable: true, description: 'Discounted expected value over the horizon, rounded to the currency’s minor unit; null without a purchase by asOf, or when no Gamma-Gamma fit exists for the basis (too few repeat buyers). For once-frequent buyers silent for long (segment CANT_LOSE, AT_RISK) the customer-base models expect far less than such customers go on to buy: compare modelDiagnostics { churn { bySegment { buyRate predictedBuyRate } } }.' })
  async predicted(): Promise<Money | null> {
    return this.storedPredicted !== undefined ? this.storedPredicted : (await this.valuesOf()).predicted;
  }

  /** Set by the service: the referral component, loaded only when referral or total is selected. */
  referralOf!: () => Promise<Money>;

  @Field(() => Money, {
    description:
      'What the customers this one referred are worth to you through them: REFERRAL_VALUE_SHARE (default 10%) of their realised value on the same basis to asOf, rounded to the minor unit. Counts only referred customers you may see; 0 without referrals.',
  })
  referral(): Promise<Money> {
    return this.referralOf();
  }

  @Field(() => Money, { nullable: true, description: 'historical + predicted + referral, exactly; null when predicted is. Customers sort by it with TOTAL_CLV (default arguments); value tiers compare realised value and predicted alone.' })
  async total(): Promise<Money | null> {
    const [values, predicted, referral] = await Promise.all([this.valuesOf(), this.predicted(), this.referralOf()]);
    return predicted === null ? null : values.totalWith(predicted, referral);
  }

  @Field(() => Float, { nullable: true, description: 'Expected purchase occasions over the horizon (undiscounted, the active fit’s customer-base model).' })
  async expectedPurchases(): Promise<number | null> {
    return (await this.valuesOf()).expectedPurchases;
  }

  @Field(() => Money, { nullable: true, description: 'Gamma-Gamma expected value per future purchase occasion, E[Z | x, m_x].' })
  async expectedAverageOrderValue(): Promise<Money | null> {
    return (await this.valuesOf()).expectedAverageOrderValue;
  }

  @Field(() => Float, { nullable: true, description: 'P(alive) from the active fit’s customer-base model.' })
  async probabilityAlive(): Promise<number | null> {
    return (await this.valuesOf()).probabilityAlive;
  }
}

/** A customer's lifetime value as computed from its purchase history (CustomerLifetimeValue's lazy part). */
export interface LifetimeValues {
  historical: Money;
  predicted: Money | null;
  /** historical + the given prediction + the referral value, exactly. */
  totalWith(predicted: Money, referral: Money): Money;
  expectedPurchases: number | null;
  expectedAverageOrderValue: Money | null;
  probabilityAlive: number | null;
}

@ObjectType({ description: 'One reason behind a churn risk.' })
export class ChurnDriver {
  @Field(() => CHURN_DRIVER_CODES, { description: 'Stable code to branch on.' })
  code: ChurnDriverCode;

  @Field({ description: 'The reason in words, with the numbers behind it.' })
  message: string;

  @Field(() => Float, { description: 'Rough importance in [0, 1]; drivers are sorted by it.' })
  weight: number;
}

@ObjectType({ description: 'Risk that the customer buys nothing within a horizon: P(no purchase in the next horizonDays) under the active fit’s customer-base model (CustomerModel.baseModel), with the signals behind it.' })
export class ChurnRisk {
  @Field({ description: 'The instant the risk was computed as of.' })
  asOf: Date;

  @Field(() => Int, { description: 'The horizon in days: the probability is of no purchase within it.' })
  horizonDays: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'P(no purchase in the next `horizonDays` | the customer’s purchases so far), from the active fit’s customer-base model: L(x, tx, T+τ) / L(x, tx, T) (for BG/NBD: Fader, Hardie & Lee 2005, eq. 6). Null without a purchase by asOf or without a model.',
  })
  probability: number | null;

  @Field(() => CHURN_LEVELS, { nullable: true, description: 'The probability banded: LOW below 0.5, MEDIUM from 0.5, HIGH from 0.8; null when the probability is.' })
  level: ChurnLevel | null;

  /**
   * Set by the service. Without asOf, probability and level are the stored scores; P(alive) needs the purchase history
   * and the drivers the touchpoints too, so these load only when a request selects them.
   */
  probabilityAliveOf?: () => Promise<number | null>;
  driversOf?: () => Promise<ChurnDriver[]>;

  @Field(() => Float, { nullable: true, description: 'P(alive) from the active fit’s customer-base model.' })
  get probabilityAlive(): Promise<number | null> {
    return this.probabilityAliveOf?.() ?? Promise.resolve(null);
  }

  @Field(() => [ChurnDriver], { description: 'Signals behind the risk (one purchase only, overdue purchase, open complaints, falling satisfaction, no recent touchpoint), most important first.' })
  get drivers(): Promise<ChurnDriver[]> {
    return this.driversOf?.() ?? Promise.resolve([]);
  }
}

@ObjectType({ description: 'The lifecycle stage Rapport’s rules suggest from purchases and P(alive), and why.' })
export class LifecycleSuggestion {
  @Field(() => LifecycleStage, { description: 'The suggested stage.' })
  stage: LifecycleStage;

  @Field({ description: 'The rule that fired, in words.' })
  reason: string;

  @Field({ description: 'True when a customer marked CHURNED bought again.' })
  isWinBack: boolean;

  @Field({ description: 'True when the suggestion differs from the customer’s current stage (applySuggestedLifecycleStages would move them).' })
  changesStage: boolean;
}

@ObjectType({ description: 'A contact the CRM playbook suggests for this customer now.' })
export class NextBestAction {
  @Field(() => ACTION_KINDS, { description: 'What to do.' })
  kind: ActionKind;

  @Field(() => Int, { description: 'Urgency, 1 = most urgent.' })
  priority: number;

  @Field({ description: 'Why, with the facts behind it. A birthday shows its month only to callers who see personal data masked.' })
  @PiiBirthdayAction('reason')
  reason: string;

  @Field({ description: 'When it should be done; a past date means overdue. A birthday greeting is due on the first of its month for callers who see personal data masked.' })
  @PiiBirthdayAction('dueAt')
  dueAt: Date;

  @Field(() => ConsentChannel, { nullable: true, description: 'The first channel the customer consented to, in the order that suits the action; for a complaint the channel it came in on (`complaintChannel`), consent or not; null for a complaint that came in on a channel outside this list (see `complaintChannel`).' })
  channel: ConsentChannel | null;

  @Field(() => TouchpointChannel, { nullable: true, description: 'For RESOLVE_COMPLAINT: the channel the complaint came in on, which the answer goes through (a phone complaint is answered by phone, whatever the consents); null for other kinds.' })
  complaintChannel: TouchpointChannel | null;

  @Field(() => String, { nullable: true, description: 'What the action is about: the complaint’s touchpoint ID, the holiday or the category.' })
  subject: string | null;
}

@ObjectType({ description: 'What the customer told us in surveys: CSAT (1–5) and Net Promoter answers (0–10) from touchpoints.' })
export class Satisfaction {
  @Field(() => Float, { nullable: true, description: 'Average CSAT over all answers; null without answers.' })
  averageCsat: number | null;

  @Field(() => Int, { description: 'Number of CSAT answers.' })
  csatResponses: number;

  @Field(() => Float, { nullable: true, description: 'Net Promoter Score from −100 to 100: % promoters (9–10) − % detractors (0–6) (Reichheld 2003); null without answers.' })
  npsScore: number | null;

  @Field(() => Int, { description: 'Number of NPS answers.' })
  npsResponses: number;

  @Field(() => Float, { nullable: true, description: 'Average CSAT of the last 90 days; null without answers in that window.' })
  recentAverageCsat: number | null;

  @Field(() => Float, { nullable: true, description: 'Average CSAT before the last 90 days; null without answers then.' })
  earlierAverageCsat: number | null;

  @Field(() => SatisfactionTrend, { description: 'Recent against earlier average.' })
  trend: SatisfactionTrend;
}

@ObjectType({ description: 'The customers this customer referred and what they are worth so far.' })
export class ReferralStats {
  @Field(() => Int, { description: 'Customers (not deleted) who name this customer as their referrer.' })
  customersReferred: number;

  @Field(() => Int, { description: 'Referred customers with at least one purchase.' })
  purchasingCustomers: number;

  @Field(() => Money, { description: 'Revenue of the referred customers’ purchases, base currency.' })
  revenue: Money;

  @Field(() => Money, { description: 'Gross margin of the referred customers’ purchases, base currency.' })
  margin: Money;
}

@ArgsType()
export class AsOfArgs {
  @Field(() => Date, { nullable: true, description: 'Compute as of this instant (from 1900-01-01, not in the future); default now. Purchases and touchpoints after it are ignored.' })
  asOf?: Date | null;
}

@ArgsType()
export class ChurnRiskArgs extends AsOfArgs {
  @Field(() => Int, { defaultValue: CHURN_HORIZON_DAYS, description: 'The horizon in days, from 1 to 3650: churn means no purchase within it. Default a year.' })
  horizonDays: number;
}

@ArgsType()
export class PurchaseForecastArgs extends AsOfArgs {
  @Field(() => Float, { description: 'Length of the forecast horizon in `unit`; from 0 up to 10 years.' })
  horizon: number;

  @Field(() => TIME_UNITS, { defaultValue: TIME_UNITS.DAY, description: 'Unit of `horizon`; converted to the model’s unit.' })
  unit: TimeUnit;
}

@ArgsType()
export class ClvArgs extends AsOfArgs {
  @Field(() => Int, { defaultValue: 12, description: 'Months ahead, 0 to 120. A month is 30 days whatever the model’s time unit (lifetimes’ customer_lifetime_value for daily data; for weekly data lifetimes takes 4.345 weeks, 1.4% longer).' })
  horizonMonths: number;

  @Field(() => Float, { defaultValue: 0.01, description: 'Discount rate per month, from 0 to below 1 (0.01 = 1%).' })
  monthlyDiscountRate: number;

  @Field(() => ValueBasis, { defaultValue: ValueBasis.MARGIN, description: 'Value purchases by margin (default) or revenue.' })
  basis: ValueBasis;
}

@ArgsType()
export class NextBestActionsArgs {
  @Field(() => Int, { defaultValue: 5, description: 'At most this many actions, 0 to 20.' })
  first: number;
}

@InputType({ description: 'How to fit the customer model.' })
export class FitCustomerModelInput {
  @Field(() => Date, { nullable: true, description: 'Fit on purchases up to this instant (from 1900-01-01, not in the future; at least one purchase before it); default now.' })
  asOf?: Date | null;

  @Field(() => TIME_UNITS, { defaultValue: TIME_UNITS.DAY, description: 'Time unit of the customer-base model’s parameters.' })
  timeUnit: TimeUnit;

  @Field(() => ValueBasis, { defaultValue: ValueBasis.MARGIN, description: 'Value basis of RFM monetary, Gamma-Gamma and value tiers.' })
  basis: ValueBasis;

  @Field({ defaultValue: true, description: 'Make the new fit the active one (the previous active fit is kept, inactive).' })
  activate: boolean;

  @Field(() => CUSTOMER_MODEL_CHOICES, {
    defaultValue: CUSTOMER_MODEL_CHOICES.BG_NBD,
    description: 'The customer-base model the per-customer predictions use, or AUTO: each model judged on a holdout before asOf and the one with the lowest error fitted (the fit records each candidate’s error in CustomerModel.selection).',
  })
  model: CustomerModelChoice;

  @Field(() => Int, { nullable: true, description: 'With AUTO: days before asOf held out to judge the candidates (from 1, shorter than the purchase history); default a third of the purchase history.' })
  holdoutDays?: number | null;
}

@ObjectType({ description: 'Result of fitCustomerModel.' })
export class FitCustomerModelPayload {
  @Field(() => CustomerModel, { nullable: true, description: 'The stored fit; null when nothing was fitted.' })
  model: CustomerModel | null;

  @Field(() => [UserError], { description: 'Problems with the input or the data; empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'Options of applySuggestedLifecycleStages.' })
export class ApplySuggestedLifecycleStagesInput {
  @Field({ defaultValue: false, description: 'Only count the moves; write nothing.' })
  dryRun: boolean;
}

@ObjectType({ description: 'How many customers moved into one stage.' })
export class StageMoveCount {
  @Field({ description: 'Key of the stage moved into.' })
  stage: string;

  @Field(() => Int, { description: 'Customers moved into it.' })
  count: number;
}

@ObjectType({ description: 'Result of applySuggestedLifecycleStages.' })
export class ApplySuggestedLifecycleStagesPayload {
  @Field(() => Int, { description: 'Customers evaluated (all that are not deleted).' })
  evaluated: number;

  @Field(() => Int, { description: 'Customers whose stage changed (or would change, with dryRun).' })
  moved: number;

  @Field(() => [StageMoveCount], { description: 'Moves per target stage.' })
  byStage: StageMoveCount[];

  @Field({ description: 'True when nothing was written.' })
  dryRun: boolean;

  @Field(() => [UserError], { description: 'Problems; empty on success.' })
  userErrors: UserError[];
}
