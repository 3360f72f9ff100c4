import { CurrencyResolver } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, Float, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Reads } from '../core/selection';
import { Money, moneyOfUnits } from '../common/money.types';
import { instantArgument } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Order } from '../order/order.entity';
import { Product } from '../product/product.entity';
import { User } from '../user/user.entity';
import { days, isRotting, weight, weightedUnits, wholeDays } from './figures';
import { Opportunity } from './opportunity.entity';
import {
  AddPipelineStageInput,
  AsOfArgs,
  AssignOpportunityInput,
  CreateOpportunityInput,
  CreatePipelineInput,
  CustomerOpportunitiesArgs,
  LoseOpportunityInput,
  MoveOpportunityStageInput,
  OpportunitiesArgs,
  OpportunityConnection,
  OpportunityIdInput,
  OpportunityPayload,
  OpportunityStageVisit,
  PipelinePayload,
  PipelineSummary,
  PipelineSummaryArgs,
  ReorderPipelineStagesInput,
  UpdateOpportunityInput,
  UpdatePipelineInput,
  UpdatePipelineStageInput,
  WinOpportunityInput,
} from './opportunity.types';
import { Pipeline, PipelineStage } from './pipeline.entity';

/** `asOf` as given (checked like every instant argument), or now. */
const asOfOr = (args: AsOfArgs) => (args.asOf ? instantArgument(args.asOf, 'asOf') : new Date());

@Resolver(() => Opportunity)
export class OpportunityResolver {
  @Query(() => Opportunity, { nullable: true, description: 'An opportunity by global ID; null when not found, deleted, or (for a sales rep) not theirs.' })
  opportunity(@Arg('id', () => ID, { description: 'The opportunity’s global ID.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.opportunities.findOne(id);
  }

  @Query(() => OpportunityConnection, { description: 'Opportunities, filtered and sorted (default: newest first), a page at a time. A sales rep sees their own.' })
  opportunities(@Args() args: OpportunitiesArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, includeDeleted, ...page } = args;
    return ctx.services.opportunities.list({ page, filter: filter as Record<string, unknown>, orderBy, includeDeleted });
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer; null when the customer is outside your view (e.g. since handed to another rep).' })
  customer(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(o.customerId);
  }

  @FieldResolver(() => Contact, { nullable: true, description: 'The contact the deal is with, if one was named.' })
  contact(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return o.contactId ? ctx.loaders.byId(Contact).load(o.contactId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who works it: a sales rep or manager.' })
  owner(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return ctx.loaders.byId(User).load(o.ownerId);
  }

  @FieldResolver(() => Pipeline, { description: 'The pipeline it moves through.' })
  pipeline(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Pipeline).load(o.pipelineId);
  }

  @FieldResolver(() => PipelineStage, { description: 'The stage it is in (the last one it was in, once closed).' })
  stage(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return ctx.loaders.byId(PipelineStage).load(o.stageId);
  }

  @FieldResolver(() => [Product], { description: 'The products the deal is about.' })
  async products(@Root() o: Opportunity, @Ctx() ctx: Context) {
    if (!o.productIds.length) return [];
    const rows = await ctx.loaders.byId(Product).loadMany(o.productIds);
    return rows.filter((p): p is Product => p instanceof Product);
  }

  @FieldResolver(() => Order, { nullable: true, description: 'The order a won deal became, when it was linked.' })
  order(@Root() o: Opportunity, @Ctx() ctx: Context) {
    return o.orderId ? ctx.loaders.byId(Order).load(o.orderId) : null;
  }

  @FieldResolver(() => Money, {
    description: 'amount × the stage’s win probability, rounded once to the minor unit: what the deal adds to a forecast. Equal to the amount once won, zero once lost.',
  })
  async weightedAmount(@Root() o: Opportunity, @Ctx() ctx: Context) {
    const stage = await ctx.loaders.byId(PipelineStage).load(o.stageId);
    return moneyOfUnits(weightedUnits(o.amountValue, weight(o.status, stage?.probability ?? '0'), o.currency), o.currency);
  }

  @FieldResolver(() => Int, { description: 'Whole days since it was opened, up to `asOf` or its close, whichever comes first.' })
  ageDays(@Root() o: Opportunity, @Args() args: AsOfArgs) {
    const asOf = asOfOr(args);
    return wholeDays(o.openedAt, o.closedAt && o.closedAt < asOf ? o.closedAt : asOf);
  }

  @FieldResolver(() => Int, { description: 'Whole days in its current stage, up to `asOf` or its close, whichever comes first.' })
  daysInStage(@Root() o: Opportunity, @Args() args: AsOfArgs) {
    const asOf = asOfOr(args);
    return wholeDays(o.stageEnteredAt, o.closedAt && o.closedAt < asOf ? o.closedAt : asOf);
  }

  @FieldResolver(() => Boolean, { description: 'Open and untouched (`lastActivityAt`) for more than its stage’s `rottingDays` as of `asOf`: it needs attention.' })
  async isRotting(@Root() o: Opportunity, @Args() args: AsOfArgs, @Ctx() ctx: Context) {
    const asOf = asOfOr(args);
    const stage = await ctx.loaders.byId(PipelineStage).load(o.stageId);
    return isRotting(o.status, o.lastActivityAt, stage?.rottingDays ?? null, asOf);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Days from opening to closing (two decimals), once won or lost; null while open.' })
  salesCycleDays(@Root() o: Opportunity) {
    return o.closedAt ? days(o.openedAt, o.closedAt) : null;
  }

  @FieldResolver(() => [OpportunityStageVisit], { description: 'Every stage it has been in, oldest first, with when it entered and left.' })
  async stageHistory(@Root() o: Opportunity, @Ctx() ctx: Context) {
    const rows = await ctx.services.opportunities.stageHistory(o.id);
    return rows.map((r) => Object.assign(new OpportunityStageVisit(), r));
  }

  @Mutation(() => OpportunityPayload, { description: 'Record an opportunity. It starts OPEN in the first stage of its pipeline (the default pipeline unless another is named).' })
  createOpportunity(@Arg('input', { description: 'The new opportunity.' }) input: CreateOpportunityInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.create(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Change an opportunity’s details. Omitted fields stay; null clears. Pass `expectedVersion` to guard against concurrent edits.' })
  updateOpportunity(@Arg('input', { description: 'The opportunity and the changes.' }) input: UpdateOpportunityInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.update(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Move an open opportunity to another stage of its pipeline; the stage history records when it left and entered.' })
  moveOpportunityStage(@Arg('input', { description: 'The opportunity and its new stage.' }) input: MoveOpportunityStageInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.move(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Hand an opportunity to another owner (a sales rep or manager).' })
  assignOpportunity(@Arg('input', { description: 'The opportunity and its new owner.' }) input: AssignOpportunityInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.assign(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Close an open opportunity as WON, optionally linking the order it became.' })
  winOpportunity(@Arg('input', { description: 'The opportunity, and the order it became.' }) input: WinOpportunityInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.win(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Close an open opportunity as LOST, with the reason.' })
  loseOpportunity(@Arg('input', { description: 'The opportunity and why it was lost.' }) input: LoseOpportunityInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.lose(input);
  }

  @Mutation(() => OpportunityPayload, { description: 'Soft-delete an opportunity (e.g. recorded by mistake): hidden from lists and summaries, restorable.' })
  deleteOpportunity(@Arg('input', { description: 'The opportunity to delete.' }) input: OpportunityIdInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.delete(input.id);
  }

  @Mutation(() => OpportunityPayload, { description: 'Restore a soft-deleted opportunity.' })
  restoreOpportunity(@Arg('input', { description: 'The opportunity to restore.' }) input: OpportunityIdInput, @Ctx() ctx: Context) {
    return ctx.services.opportunities.restore(input.id);
  }
}

@Resolver(() => OpportunityStageVisit)
export class OpportunityStageVisitResolver {
  @FieldResolver(() => PipelineStage, { description: 'The stage.' })
  stage(@Root() v: OpportunityStageVisit, @Ctx() ctx: Context) {
    return ctx.loaders.byId(PipelineStage).load(v.stageId);
  }

  @FieldResolver(() => Float, { description: 'Days spent in the stage (two decimals): up to when it left, or up to `asOf` while it is still there.' })
  days(@Root() v: OpportunityStageVisit, @Args() args: AsOfArgs) {
    return days(v.enteredAt, v.leftAt ?? asOfOr(args));
  }
}

@Resolver(() => Pipeline)
export class PipelineResolver {
  @Query(() => [Pipeline], { description: 'Every pipeline, the default first, then by name.' })
  pipelines(@Ctx() ctx: Context) {
    return ctx.services.pipelines.list();
  }

  @Query(() => PipelineSummary, {
    nullable: true,
    description:
      'A pipeline at a glance: what is in each stage now (count, amount, weighted amount), how stages converted and how long opportunities stayed during [from, to), the win rate and average sales cycle of the opportunities closed in the period, and the forecast by expected close month. A sales rep’s figures cover their own opportunities.',
  })
  pipelineSummary(@Args() args: PipelineSummaryArgs, @Ctx() ctx: Context) {
    return ctx.services.pipelines.summary(args);
  }

  @FieldResolver(() => CurrencyResolver, { description: 'Currency of the pipeline’s opportunities and sums.' })
  @Reads('currency')
  currency(@Root() p: Pipeline, @Ctx() ctx: Context) {
    return ctx.services.pipelines.currency(p);
  }

  @FieldResolver(() => [PipelineStage], { description: 'Its stages, first to last.' })
  stages(@Root() p: Pipeline, @Ctx() ctx: Context) {
    return ctx.services.pipelines.stages(p.id);
  }

  @Mutation(() => PipelinePayload, { description: 'Create a pipeline with its stages (ADMIN, MANAGER).' })
  createPipeline(@Arg('input', { description: 'The new pipeline.' }) input: CreatePipelineInput, @Ctx() ctx: Context) {
    return ctx.services.pipelines.create(input);
  }

  @Mutation(() => PipelinePayload, { description: 'Rename a pipeline or make it the default (ADMIN, MANAGER).' })
  updatePipeline(@Arg('input', { description: 'The pipeline and the changes.' }) input: UpdatePipelineInput, @Ctx() ctx: Context) {
    return ctx.services.pipelines.update(input);
  }

  @Mutation(() => PipelinePayload, { description: 'Add a stage to a pipeline, last or at a position (ADMIN, MANAGER).' })
  addPipelineStage(@Arg('input', { description: 'The pipeline and the new stage.' }) input: AddPipelineStageInput, @Ctx() ctx: Context) {
    return ctx.services.pipelines.addStage(input);
  }

  @Mutation(() => PipelinePayload, { description: 'Rename a stage or change its win probability or rotting period (ADMIN, MANAGER).' })
  updatePipelineStage(@Arg('input', { description: 'The stage and the changes.' }) input: UpdatePipelineStageInput, @Ctx() ctx: Context) {
    return ctx.services.pipelines.updateStage(input);
  }

  @Mutation(() => PipelinePayload, { description: 'Put a pipeline’s stages in a new order (ADMIN, MANAGER).' })
  reorderPipelineStages(@Arg('input', { description: 'The pipeline and its stages in their new order.' }) input: ReorderPipelineStagesInput, @Ctx() ctx: Context) {
    return ctx.services.pipelines.reorderStages(input);
  }
}

@Resolver(() => PipelineStage)
export class PipelineStageResolver {
  @FieldResolver(() => Pipeline, { description: 'The pipeline the stage belongs to.' })
  pipeline(@Root() s: PipelineStage, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Pipeline).load(s.pipelineId);
  }
}

/** Opportunity fields on Customer. */
@Resolver(() => Customer)
export class CustomerOpportunityResolver {
  @FieldResolver(() => OpportunityConnection, { description: 'The customer’s opportunities, newest first by default. A sales rep sees their own.' })
  opportunities(@Root() c: Customer, @Args() args: CustomerOpportunitiesArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, ...page } = args;
    return ctx.services.opportunities.ofCustomer(c.id, { page, filter: filter as Record<string, unknown>, orderBy });
  }
}
