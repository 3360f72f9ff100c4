import { SafeIntResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, EnumFilter } from '../common/filter.types';
import { Money } from '../common/money.types';
import { DecimalScalar } from '../common/scalars';
import { registerEnumType } from 'type-graphql';
import { EarnBasis, LoyaltyAccount, LoyaltyProgram, PointsTransaction, PointsTransactionKind } from './loyalty.entity';

export const PointsTransactionConnection = ConnectionType(PointsTransaction, 'PointsTransaction', 'points transaction');

/** Limits of one call. */
export const MAX_TIERS = 10;
export const MAX_POINTS = 1_000_000_000;
export const MAX_EARN_RATE = '1000';

export enum PointsTransactionSortField {
  AT = 'AT',
}
registerEnumType(PointsTransactionSortField, {
  name: 'PointsTransactionSortField',
  description: 'Fields ledger lines can be sorted by.',
  valuesConfig: { AT: { description: 'When it happened.' } },
});
export const PointsTransactionOrderBy = OrderByType(PointsTransactionSortField, 'PointsTransaction', PointsTransactionSortField.AT, SortDirection.DESC);

const KindFilter = EnumFilter(PointsTransactionKind, 'PointsTransactionKind');

@InputType({ description: 'Conditions on ledger lines. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class PointsTransactionFilter {
  @Field(() => KindFilter, { nullable: true, description: 'What the line records.' })
  kind?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it happened.' })
  at?: object;
  @Field(() => [PointsTransactionFilter], { nullable: true, description: 'All of these conditions.' })
  and?: PointsTransactionFilter[];
  @Field(() => [PointsTransactionFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: PointsTransactionFilter[];
  @Field(() => PointsTransactionFilter, { nullable: true, description: 'Not this condition.' })
  not?: PointsTransactionFilter;
}

@ArgsType()
export class PointsTransactionsArgs extends PageArgs {
  @Field(() => PointsTransactionFilter, { nullable: true, description: 'Only lines matching these conditions.' })
  filter?: PointsTransactionFilter | null;
  @Field(() => PointsTransactionOrderBy, { nullable: true, description: 'Sort order (default: newest first).' })
  orderBy?: { field: PointsTransactionSortField; direction: SortDirection } | null;
}

@ArgsType()
export class ExpiringSoonArgs {
  @Field(() => Int, { defaultValue: 30, description: 'How many days ahead to look (1 to 3660).' })
  days: number;
  @Field(() => Date, { nullable: true, description: 'The instant to look from (default now).' })
  asOf?: Date | null;
}

@ArgsType()
export class LoyaltyStatsArgs {
  @Field(() => Date, { nullable: true, description: 'The instant the figures are as of (default now): purchases after it do not count, members are those enrolled by then.' })
  asOf?: Date | null;
  @Field(() => Int, { defaultValue: 90, description: 'Retention window in days (1 to 3650): a buyer is retained when they bought again within this many days of their first purchase.' })
  retentionDays: number;
}

@ObjectType({ description: 'Purchase figures of one group of customers (members or non-members) as of a date.' })
export class LoyaltyGroupStats {
  @Field(() => Int, { description: 'Live customers in the group.' })
  customers: number;
  @Field(() => Int, { description: 'Customers of the group with at least one purchase.' })
  buyers: number;
  @Field(() => Int, { description: 'Their purchases (cancelled and refunded orders do not count).' })
  orders: number;
  @Field(() => Float, { nullable: true, description: 'Purchases per buyer (two decimals); null without buyers.' })
  purchaseFrequency: number | null;
  @Field(() => Money, { nullable: true, description: 'Revenue per purchase in the base currency, rounded once to the minor unit; null without purchases.' })
  averageOrderValue: Money | null;
  @Field(() => Int, { description: 'Buyers whose first purchase was at least `retentionDays` before asOf: the ones retention is judged on.' })
  retentionCohort: number;
  @Field(() => Float, { nullable: true, description: 'Share (0–1, four decimals) of the retention cohort who bought again within `retentionDays` of their first purchase; null for an empty cohort.' })
  retentionRate: number | null;
  @Field(() => Money, { nullable: true, description: 'Mean predicted CLV (stored scores) of the group’s customers who have a prediction, rounded once; null when none has.' })
  meanPredictedClv: Money | null;
}

@ObjectType({ description: 'Members of the loyalty programme against everyone else: the comparison that judges whether the programme pays.' })
export class LoyaltyStats {
  @Field({ description: 'The instant the figures are as of.' })
  asOf: Date;
  @Field(() => Int, { description: 'The retention window used, in days.' })
  retentionDays: number;
  @Field(() => LoyaltyGroupStats, { description: 'Customers enrolled by asOf.' })
  members: LoyaltyGroupStats;
  @Field(() => LoyaltyGroupStats, { description: 'Customers not enrolled by asOf.' })
  nonMembers: LoyaltyGroupStats;
}

// -- inputs and payloads -----------------------------------------------------------------------------------------------

@InputType({ description: 'Enrols a customer in the loyalty programme.' })
export class EnrollInLoyaltyInput {
  @Field(() => ID, { description: 'The customer; must not be deleted. A sales rep can only name customers of their own book.' })
  customerId: string;
}

@InputType({ description: 'Spends points of a member.' })
export class RedeemPointsInput {
  @Field(() => ID, { description: 'The member (Customer ID).' })
  customerId: string;
  @Field(() => SafeIntResolver, { description: `Points to spend: from 1 to the balance (at most ${MAX_POINTS.toLocaleString('en-US')}).` })
  points: number;
  @Field({ description: 'What they are spent on, e.g. "Voucher 10 EUR".' })
  reason: string;
  @Field({ description: 'Your unique key for this redemption (1–255 characters): a retry with the same key returns the first redemption instead of spending twice.' })
  idempotencyKey: string;
}

@InputType({ description: 'Corrects a member’s points by hand (ADMIN, MANAGER).' })
export class AdjustPointsInput {
  @Field(() => ID, { description: 'The member (Customer ID).' })
  customerId: string;
  @Field(() => SafeIntResolver, { description: `Points to add (positive) or take (negative); not zero, at most ${MAX_POINTS.toLocaleString('en-US')} either way, and not below a zero balance.` })
  points: number;
  @Field({ description: 'Why, for the ledger and the audit log. Required.' })
  reason: string;
  @Field(() => String, { nullable: true, description: 'Your unique key for this adjustment: a retry with the same key returns the first one.' })
  idempotencyKey?: string | null;
}

@InputType({ description: 'A tier of the programme.' })
export class LoyaltyTierInput {
  @Field({ description: 'Its name, unique in the programme.' })
  name: string;
  @Field(() => SafeIntResolver, { description: 'Lifetime points from which a member is in it; one tier must start at 0.' })
  threshold: number;
  @Field(() => String, { nullable: true, description: 'What members of the tier get.' })
  benefits?: string | null;
}

@InputType({ description: 'Changes to the loyalty programme. Omitted fields stay as they are. Changes apply to points earned from then on.' })
export class UpdateLoyaltyProgramInput {
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'The programme’s name.' })
  name?: string | null;
  @Field(() => EarnBasis, { nullable: true, description: 'Revenue or margin.' })
  earnBasis?: EarnBasis | null;
  @Field(() => DecimalScalar, { nullable: true, description: `Points per unit of the base currency: from 0 to ${MAX_EARN_RATE}, at most 4 decimals.` })
  earnRate?: string | null;
  @Field(() => Int, { nullable: true, description: 'Months after earning that points expire (1 to 120). Pass `neverExpire: true` instead to keep points forever.' })
  expiryMonths?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'True: points earned from now on never expire.' })
  neverExpire?: boolean | null;
  @Field(() => SafeIntResolver, { nullable: true, description: `Referral bonus points (0 to ${MAX_POINTS.toLocaleString('en-US')}).` })
  referralBonusPoints?: number | null;
  @Field(() => [LoyaltyTierInput], { nullable: true, description: `The tiers, replacing the list (1 to ${MAX_TIERS}; one starting at 0, thresholds and names unique).` })
  tiers?: LoyaltyTierInput[] | null;
}

@ObjectType({ description: 'The result of enrolInLoyalty.' })
export class LoyaltyAccountPayload {
  @Field(() => LoyaltyAccount, { nullable: true, description: 'The membership; null when there are userErrors.' })
  account: LoyaltyAccount | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The result of redeemPoints or adjustPoints.' })
export class PointsTransactionPayload {
  @Field(() => PointsTransaction, { nullable: true, description: 'The ledger line written (or, for a repeated idempotency key, the one written first); null when there are userErrors.' })
  transaction: PointsTransaction | null;
  @Field(() => LoyaltyAccount, { nullable: true, description: 'The member’s account after the change.' })
  account: LoyaltyAccount | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'The result of updateLoyaltyProgram.' })
export class LoyaltyProgramPayload {
  @Field(() => LoyaltyProgram, { nullable: true, description: 'The programme; null when there are userErrors.' })
  program: LoyaltyProgram | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}
