import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Reads } from '../core/selection';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { Task } from '../task/task.entity';
import { Campaign, CampaignMember } from './campaign.entity';
import {
  CampaignIdInput,
  CampaignMemberConnection,
  CampaignMembersArgs,
  CampaignMembersCsvArgs,
  CampaignPayload,
  CampaignResponsePayload,
  CampaignConnection,
  CampaignsArgs,
  CampaignStats,
  CreateCampaignInput,
  HandCampaignMemberToSalesInput,
  HandCampaignMemberToSalesPayload,
  HandResponderToSalesInput,
  HandResponderToSalesPayload,
  LaunchCampaignPayload,
  MarkCampaignSentInput,
  MarkCampaignSentPayload,
  RecordCampaignResponseInput,
  SetCampaignStatusInput,
  UpdateCampaignInput,
} from './campaign.types';

@Resolver(() => Campaign)
export class CampaignResolver {
  @Query(() => Campaign, { nullable: true, description: 'A campaign by ID; null when it does not exist or was deleted.' })
  campaign(@Arg('id', () => ID, { description: 'The campaign.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.campaigns.findOne(id);
  }

  @Query(() => CampaignConnection, { description: 'Campaigns, newest first by default; filter by status and channel, sort by creation, schedule, response rate or ROI.' })
  campaigns(@Args() args: CampaignsArgs, @Ctx() ctx: Context) {
    const { filter, orderBy, includeDeleted, ...page } = args;
    return ctx.services.campaigns.list({ page, filter: filter as Record<string, unknown>, orderBy, includeDeleted });
  }

  @Query(() => CampaignStats, {
    nullable: true,
    description:
      'A campaign’s results: reach, responses, conversions (recorded, or a purchase within the attribution window), attributed revenue and margin, cost per response, ROI and lift over the control group. A sales rep’s figures cover their own book.',
  })
  campaignStats(@Arg('id', () => ID, { description: 'The campaign.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.campaigns.stats(id);
  }

  @Query(() => String, {
    nullable: true,
    description:
      'A campaign’s member list as CSV (RFC 4180, CRLF line ends, a header row) for the sending system: by default the send list (TARGETED). Personal data is masked for callers who see it masked; a sales rep gets their own book’s members.',
  })
  campaignMembersCsv(@Args() args: CampaignMembersCsvArgs, @Ctx() ctx: Context) {
    return ctx.services.campaigns.membersCsv(args.id, args.statuses);
  }

  @FieldResolver(() => GraphQLJSONObject, { description: 'The audience: the CustomerFilter the campaign was saved with (personal data in it masked for callers who see it masked).' })
  @Reads('audience')
  audience(@Root() c: Campaign, @Ctx() ctx: Context) {
    return ctx.services.campaigns.audienceOf(c);
  }

  @FieldResolver(() => CampaignMemberConnection, { description: 'The members its launch materialised, in launch order; empty before the launch. A sales rep sees their own book’s.' })
  members(@Root() c: Campaign, @Args() args: CampaignMembersArgs, @Ctx() ctx: Context) {
    const { filter, ...page } = args;
    return ctx.services.campaigns.members(c.id, { page, filter: filter as Record<string, unknown> });
  }

  @Mutation(() => CampaignPayload, { description: 'Create a campaign as a DRAFT (ADMIN, MANAGER). The audience is checked by compiling it now; it is applied at launch.' })
  createCampaign(@Arg('input', { description: 'The new campaign.' }) input: CreateCampaignInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.create(input);
  }

  @Mutation(() => CampaignPayload, { description: 'Change a campaign. Channel, audience, schedule, control group and frequency cap change only before the launch; cost and budget any time until cancelled.' })
  updateCampaign(@Arg('input', { description: 'The campaign and the changes.' }) input: UpdateCampaignInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.update(input);
  }

  @Mutation(() => CampaignPayload, { description: 'Move a campaign to another status: DRAFT ⇄ SCHEDULED, RUNNING → DONE, and anything but DONE → CANCELLED.' })
  setCampaignStatus(@Arg('input', { description: 'The campaign and its new status.' }) input: SetCampaignStatusInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.setStatus(input);
  }

  @Mutation(() => LaunchCampaignPayload, {
    description:
      'Launch a DRAFT or SCHEDULED campaign: its members are materialised in one transaction, each customer the audience selects either TARGETED or EXCLUDED with the reason (no consent on the channel, deleted, erased, contacted on the channel within the frequency cap, or held out in the control group). The campaign becomes RUNNING.',
  })
  launchCampaign(@Arg('input', { description: 'The campaign.' }) input: CampaignIdInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.launch(input.id, input.expectedVersion);
  }

  @Mutation(() => CampaignPayload, { description: 'Soft-delete a DRAFT campaign.' })
  deleteCampaign(@Arg('input', { description: 'The campaign.' }) input: CampaignIdInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.delete(input.id, input.expectedVersion);
  }

  @Mutation(() => MarkCampaignSentPayload, { description: 'For the sending system: every TARGETED member of a RUNNING campaign becomes SENT at `sentAt`.' })
  markCampaignSent(@Arg('input', { description: 'The campaign and when it was sent.' }) input: MarkCampaignSentInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.markSent(input);
  }

  @Mutation(() => CampaignResponsePayload, { description: 'Record a member’s response: RESPONDED, CONVERTED, or OPTED_OUT (which also withdraws the customer’s consent on the channel, in the same transaction).' })
  recordCampaignResponse(@Arg('input', { description: 'The member, what came back and when.' }) input: RecordCampaignResponseInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.recordResponse(input);
  }

  @Mutation(() => HandResponderToSalesPayload, {
    description:
      'Hand all of a campaign’s responders (RESPONDED or CONVERTED) to sales at once (ADMIN, MANAGER): for each who has none from this campaign yet, a CALL task for the customer’s owner or an open opportunity in the default pipeline’s first stage (owned by the customer’s owner, or as the assignment rules say for a customer nobody owns).',
  })
  handResponderToSales(@Arg('input', { description: 'The campaign and what to create.' }) input: HandResponderToSalesInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.handToSales(input);
  }

  @Mutation(() => HandCampaignMemberToSalesPayload, {
    description:
      'Hand one responder to sales as an opportunity or a task, as handResponderToSales does for all. Idempotent: a member handed over before answers with what was made then. A sales rep hands over the members of their own book.',
  })
  handCampaignMemberToSales(@Arg('input', { description: 'The member and what to create.' }) input: HandCampaignMemberToSalesInput, @Ctx() ctx: Context) {
    return ctx.services.campaigns.handMemberToSales(input);
  }
}

@Resolver(() => CampaignMember)
export class CampaignMemberResolver {
  @FieldResolver(() => Campaign, { description: 'The campaign.' })
  campaign(@Root() m: CampaignMember, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Campaign).load(m.campaignId);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer.' })
  customer(@Root() m: CampaignMember, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(m.customerId);
  }

  @FieldResolver(() => Task, { nullable: true, description: 'The follow-up task handResponderToSales scheduled for them; null when none (or not yours to see).' })
  task(@Root() m: CampaignMember, @Ctx() ctx: Context) {
    return m.taskId ? ctx.loaders.byId(Task).load(m.taskId) : null;
  }

  @FieldResolver(() => Opportunity, { nullable: true, description: 'The opportunity the member was handed to sales as; null when none (or not yours to see).' })
  opportunity(@Root() m: CampaignMember, @Ctx() ctx: Context) {
    return m.opportunityId ? ctx.loaders.byId(Opportunity).load(m.opportunityId) : null;
  }
}
