import { SafeIntResolver } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, ValueTransformer } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { DecimalScalar } from '../common/scalars';
import { toGlobalId } from '../common/ids';

/** Points are bigint in Postgres (pg returns them as strings) and whole numbers well within 2^53 here. */
export const points: ValueTransformer = {
  to: (v: number | null | undefined) => v,
  from: (v: string | null) => (v == null ? v : Number(v)),
};

export enum EarnBasis {
  REVENUE = 'REVENUE',
  MARGIN = 'MARGIN',
}
registerEnumType(EarnBasis, {
  name: 'LoyaltyEarnBasis',
  description: 'What an order’s points are counted on.',
  valuesConfig: {
    REVENUE: { description: 'The order’s total in the base currency.' },
    MARGIN: { description: 'The order’s total less its cost, in the base currency (never below zero).' },
  },
});

export enum PointsTransactionKind {
  EARN = 'EARN',
  REDEEM = 'REDEEM',
  EXPIRE = 'EXPIRE',
  ADJUST = 'ADJUST',
  REFERRAL_BONUS = 'REFERRAL_BONUS',
  REVERSAL = 'REVERSAL',
}
registerEnumType(PointsTransactionKind, {
  name: 'PointsTransactionKind',
  description: 'What a line of the points ledger records.',
  valuesConfig: {
    EARN: { description: 'Points an order earned (positive), in the transaction that recorded the order.' },
    REDEEM: { description: 'Points spent (`redeemPoints`, negative).' },
    EXPIRE: { description: 'Points that reached their expiry unspent (the scheduled expiry job, negative).' },
    ADJUST: { description: 'A correction by a manager (`adjustPoints`), either sign, with its reason.' },
    REFERRAL_BONUS: { description: 'The bonus paid to a referrer when the customer they referred made a first purchase (positive).' },
    REVERSAL: { description: 'Takes back an EARN or REFERRAL_BONUS of an order that was cancelled or refunded (negative).' },
  },
});

@ObjectType({ description: 'A level of the loyalty programme, reached by lifetime points.' })
@Entity('loyalty_tiers')
export class LoyaltyTier {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'uuid' })
  programId: string;

  @Field({ description: 'The tier’s name, e.g. "Gold".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => SafeIntResolver, { description: 'Lifetime points from which a member is in this tier; the lowest tier starts at 0.' })
  @Column({ type: 'bigint', transformer: points })
  threshold: number;

  @Field(() => String, { nullable: true, description: 'What members of the tier get, in words.' })
  @Column({ type: 'text', nullable: true })
  benefits: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

@ObjectType({ implements: Node, description: 'The loyalty programme: how points are earned, when they expire, the referral bonus and the tiers.' })
@Entity('loyalty_programs')
export class LoyaltyProgram extends BaseRecord {
  protected get nodeType() {
    return 'LoyaltyProgram';
  }

  @Field({ description: 'The programme’s name, as members see it.' })
  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'boolean' })
  active: boolean;

  @Field(() => EarnBasis, { description: 'Whether points are counted on revenue or margin.' })
  @Column({ type: 'text' })
  earnBasis: EarnBasis;

  @Field(() => DecimalScalar, {
    description: 'Points per unit of the base currency of the basis; an order earns floor(basis × earnRate) points.',
  })
  @Column({ type: 'numeric', precision: 10, scale: 4 })
  earnRate: string;

  @Field(() => Int, { nullable: true, description: 'Months after they were earned that points expire (oldest first); null: points never expire.' })
  @Column({ type: 'int', nullable: true })
  expiryMonths: number | null;

  @Field(() => SafeIntResolver, { description: 'Points a member earns when a customer they referred makes a first purchase.' })
  @Column({ type: 'bigint', transformer: points })
  referralBonusPoints: number;

  @Field(() => Int, { description: 'Incremented on every change; pass it back as `expectedVersion`.' })
  @Column({ type: 'int', default: 1 })
  version: number;
}

@ObjectType({ implements: Node, description: 'A customer’s membership of the loyalty programme. Its balance is always the sum of its ledger.' })
@Entity('loyalty_accounts')
export class LoyaltyAccount extends BaseRecord {
  protected get nodeType() {
    return 'LoyaltyAccount';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid' })
  programId: string;

  @Field({ description: 'When the customer joined. Orders placed from then on earn points.' })
  @Column({ type: 'timestamptz' })
  enrolledAt: Date;

  @Field(() => SafeIntResolver, { description: 'Points available: the sum of the ledger. Negative only when a refund took back points already spent.' })
  @Column({ type: 'bigint', transformer: points, update: false, insert: false })
  balance: number;

  @Field(() => SafeIntResolver, { description: 'Points ever earned (orders, referral bonuses, adjustments) less reversals: what the tier is reached by. Spending and expiry do not lower it.' })
  @Column({ type: 'bigint', transformer: points, update: false, insert: false })
  lifetimePoints: number;

  @Field(() => Int, { description: 'Incremented on every change to the membership itself (not on ledger lines).' })
  @Column({ type: 'int', default: 1 })
  version: number;
}

@ObjectType({ implements: Node, description: 'A line of a loyalty account’s points ledger. Lines are only ever added.' })
@Entity('points_transactions')
export class PointsTransaction {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get globalId(): string {
    return toGlobalId('PointsTransaction', this.id);
  }

  @Column({ type: 'uuid' })
  accountId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Field(() => PointsTransactionKind, { description: 'What the line records.' })
  @Column({ type: 'text' })
  kind: PointsTransactionKind;

  @Field(() => SafeIntResolver, { description: 'Points added (positive) or taken (negative).' })
  @Column({ type: 'bigint', transformer: points })
  points: number;

  @Field({ description: 'When it happened: the order’s placement for EARN and REFERRAL_BONUS, the expiry date for EXPIRE.' })
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field(() => Date, { nullable: true, description: 'When the points of a credit expire; null for debits and for points that never expire.' })
  @Column({ type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Column({ type: 'uuid', nullable: true })
  referredCustomerId: string | null;

  @Column({ type: 'uuid', nullable: true })
  reversesId: string | null;

  @Field(() => String, { nullable: true, description: 'Why: the reason given for a redemption or adjustment, or what caused the line.' })
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Field(() => String, { nullable: true, description: 'The client’s idempotency key of a redemption or adjustment.' })
  @Column({ type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Field(() => String, { nullable: true, description: 'Who wrote the line (a user, an API key, the worker).' })
  @Column({ type: 'text', nullable: true })
  actorLabel: string | null;

  @Field({ description: 'When the line was written.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
