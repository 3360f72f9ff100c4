import { SafeIntResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { badInput } from '../common/errors';
import { instantArgument } from '../common/validate';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Order } from '../order/order.entity';
import { LoyaltyAccount, LoyaltyProgram, LoyaltyTier, PointsTransaction } from './loyalty.entity';
import {
  AdjustPointsInput,
  EnrollInLoyaltyInput,
  ExpiringSoonArgs,
  LoyaltyAccountPayload,
  LoyaltyProgramPayload,
  LoyaltyStats,
  LoyaltyStatsArgs,
  PointsTransactionConnection,
  PointsTransactionPayload,
  PointsTransactionsArgs,
  RedeemPointsInput,
  UpdateLoyaltyProgramInput,
} from './loyalty.types';

@Resolver(() => LoyaltyProgram)
export class LoyaltyProgramResolver {
  @Query(() => LoyaltyProgram, { nullable: true, description: 'The loyalty programme: earn rate, expiry, referral bonus and tiers.' })
  loyaltyProgram(@Ctx() ctx: Context) {
    return ctx.services.loyalty.program();
  }

  @Query(() => LoyaltyStats, {
    description:
      'Members of the loyalty programme against non-members (the live customers you may see): purchase frequency, average order value, retention and mean predicted CLV, as of a date. A member counts with all their purchases, including those before enrolment, and members choose to join: read a gap as an association, not as what the programme caused.',
  })
  loyaltyStats(@Args() args: LoyaltyStatsArgs, @Ctx() ctx: Context) {
    if (!Number.isInteger(args.retentionDays) || args.retentionDays < 1 || args.retentionDays > 3650) throw badInput('`retentionDays` must be from 1 to 3650.', { field: 'retentionDays' });
    return ctx.services.loyalty.stats(args.asOf ? instantArgument(args.asOf, 'asOf') : new Date(), args.retentionDays);
  }

  @FieldResolver(() => [LoyaltyTier], { description: 'The tiers, lowest first.' })
  tiers(@Root() p: LoyaltyProgram, @Ctx() ctx: Context) {
    return ctx.services.loyalty.tiers(p.id);
  }

  @Mutation(() => LoyaltyProgramPayload, { description: 'Change the loyalty programme (ADMIN). Changes apply to points earned from then on; tiers given replace the list.' })
  updateLoyaltyProgram(@Arg('input', { description: 'The changes.' }) input: UpdateLoyaltyProgramInput, @Ctx() ctx: Context) {
    return ctx.services.loyalty.updateProgram(input);
  }
}

@Resolver(() => LoyaltyAccount)
export class LoyaltyAccountResolver {
  @FieldResolver(() => Customer, { nullable: true, description: 'The member.' })
  customer(@Root() a: LoyaltyAccount, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(a.customerId);
  }

  @FieldResolver(() => LoyaltyTier, { nullable: true, description: 'The tier the lifetime points reach.' })
  tier(@Root() a: LoyaltyAccount, @Ctx() ctx: Context) {
    return ctx.services.loyalty.tierOf(a);
  }

  @FieldResolver(() => LoyaltyTier, { nullable: true, description: 'The next tier up; null at the top.' })
  nextTier(@Root() a: LoyaltyAccount, @Ctx() ctx: Context) {
    return ctx.services.loyalty.nextTierOf(a);
  }

  @FieldResolver(() => SafeIntResolver, {
    description: 'Points that expire within `days` of `asOf` unless spent first (spending uses the oldest points first).',
  })
  pointsExpiringSoon(@Root() a: LoyaltyAccount, @Args() args: ExpiringSoonArgs, @Ctx() ctx: Context) {
    if (!Number.isInteger(args.days) || args.days < 1 || args.days > 3660) throw badInput('`days` must be from 1 to 3660.', { field: 'days' });
    return ctx.services.loyalty.expiringSoon(a, args.days, args.asOf ? instantArgument(args.asOf, 'asOf') : null);
  }

  @FieldResolver(() => PointsTransactionConnection, { description: 'The points ledger, newest first by default. The balance is its sum.' })
  transactions(@Root() a: LoyaltyAccount, @Args() args: PointsTransactionsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.loyalty.transactions(a.id, { page, filter: filter as Record<string, unknown>, orderBy });
  }

  @Mutation(() => LoyaltyAccountPayload, { description: 'Enrol a customer in the loyalty programme; for a member, returns their account unchanged. Orders placed from then on earn points (earlier ones do not).' })
  enrollInLoyalty(@Arg('input', { description: 'The customer.' }) input: EnrollInLoyaltyInput, @Ctx() ctx: Context) {
    return ctx.services.loyalty.enroll(input);
  }

  @Mutation(() => PointsTransactionPayload, {
    description: 'Spend a member’s points: refused (INSUFFICIENT_POINTS) beyond the balance; a retry with the same idempotencyKey returns the first redemption.',
  })
  redeemPoints(@Arg('input', { description: 'The member, points, reason and key.' }) input: RedeemPointsInput, @Ctx() ctx: Context) {
    return ctx.services.loyalty.redeem(input);
  }

  @Mutation(() => PointsTransactionPayload, { description: 'Correct a member’s points by hand, with a reason (ADMIN, MANAGER); not below a zero balance.' })
  adjustPoints(@Arg('input', { description: 'The member, points and reason.' }) input: AdjustPointsInput, @Ctx() ctx: Context) {
    return ctx.services.loyalty.adjust(input);
  }
}

@Resolver(() => PointsTransaction)
export class PointsTransactionResolver {
  @FieldResolver(() => Order, { nullable: true, description: 'The order that earned the points, paid the referral bonus, or was reversed.' })
  order(@Root() t: PointsTransaction, @Ctx() ctx: Context) {
    return t.orderId ? ctx.loaders.byId(Order).load(t.orderId) : null;
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'For a REFERRAL_BONUS: the referred customer whose first purchase paid it (null when outside your view).' })
  referredCustomer(@Root() t: PointsTransaction, @Ctx() ctx: Context) {
    return t.referredCustomerId ? ctx.loaders.byId(Customer).load(t.referredCustomerId) : null;
  }

  @FieldResolver(() => PointsTransaction, { nullable: true, description: 'For a REVERSAL: the line it takes back.' })
  reverses(@Root() t: PointsTransaction, @Ctx() ctx: Context) {
    return t.reversesId ? ctx.loaders.byId(PointsTransaction).load(t.reversesId) : null;
  }
}

/** Loyalty fields on Customer. */
@Resolver(() => Customer)
export class CustomerLoyaltyResolver {
  @FieldResolver(() => LoyaltyAccount, { nullable: true, description: 'The customer’s loyalty programme membership; null when not enrolled.' })
  loyalty(@Root() c: Customer, @Ctx() ctx: Context) {
    return ctx.services.loyalty.accountOf(c.id);
  }
}
