import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Touchpoint } from '../touchpoint/touchpoint.entity';
import { User } from '../user/user.entity';
import { Survey, SurveyAnswer, SurveyResponse } from './survey.entity';
import {
  CreateSurveyInput,
  RecordSurveyResponseInput,
  SatisfactionSummary,
  SatisfactionSummaryArgs,
  ScheduleSurveyTasksInput,
  ScheduleSurveyTasksPayload,
  SurveyInvitation,
  SurveyInvitationConnection,
  SurveyInvitationsArgs,
  SurveyPayload,
  SurveyResponseConnection,
  SurveyResponsePayload,
  SurveyResponsesArgs,
  SurveysArgs,
  SurveyStatusInput,
  UpdateSurveyInput,
} from './survey.types';

@Resolver(() => Survey)
export class SurveyResolver {
  @Query(() => Survey, { nullable: true, description: 'A survey by global ID; null when not found.' })
  survey(@Arg('id', () => ID, { description: 'The survey’s global ID.' }) id: string, @Ctx() ctx: Context) {
    return ctx.services.surveys.findOne(id);
  }

  @Query(() => [Survey], { description: 'Every survey (or those in one status), by name.' })
  surveys(@Args() args: SurveysArgs, @Ctx() ctx: Context) {
    return ctx.services.surveys.list(args.status);
  }

  @Query(() => SurveyInvitationConnection, {
    description:
      'Who an ACTIVE survey should ask now: customers whose triggering event (purchase, resolved complaint, service contact; for PERIODIC the end of the period since their last answer) since the survey went live is older than its delay, who have not answered it since, and who consented to its channel. Oldest due first; empty for a survey that is not ACTIVE or MANUAL. A sales rep sees their own book.',
  })
  surveyInvitations(@Args() args: SurveyInvitationsArgs, @Ctx() ctx: Context) {
    return ctx.services.surveys.invitations(args);
  }

  @Query(() => SatisfactionSummary, {
    description:
      'CSAT, NPS and response rate of survey responses and invitations in [from, to), per group and in total, against the previous period of equal length, so that a manager sees where satisfaction is falling. A sales rep’s figures cover their own book.',
  })
  satisfactionSummary(@Args() args: SatisfactionSummaryArgs, @Ctx() ctx: Context) {
    return ctx.services.surveys.satisfaction(args);
  }

  @FieldResolver(() => SurveyResponseConnection, { description: 'The survey’s responses, newest first. A sales rep sees those of their own book.' })
  responses(@Root() s: Survey, @Args() args: SurveyResponsesArgs, @Ctx() ctx: Context) {
    return ctx.services.surveys.responsesOf('survey_id', s.id, { page: args });
  }

  @Mutation(() => SurveyPayload, { description: 'Create a survey (ADMIN, MANAGER). It starts DRAFT.' })
  createSurvey(@Arg('input', { description: 'The new survey.' }) input: CreateSurveyInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.create(input);
  }

  @Mutation(() => SurveyPayload, { description: 'Change a survey (ADMIN, MANAGER): name, channel and delay while DRAFT or ACTIVE; questions and trigger while DRAFT.' })
  updateSurvey(@Arg('input', { description: 'The survey and the changes.' }) input: UpdateSurveyInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.update(input);
  }

  @Mutation(() => SurveyPayload, { description: 'Put a DRAFT survey live (ADMIN, MANAGER): it takes responses and invites customers from now on.' })
  activateSurvey(@Arg('input', { description: 'The survey.' }) input: SurveyStatusInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.activate(input);
  }

  @Mutation(() => SurveyPayload, { description: 'Close a survey (ADMIN, MANAGER): it keeps its responses and takes no new ones.' })
  closeSurvey(@Arg('input', { description: 'The survey.' }) input: SurveyStatusInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.close(input);
  }

  @Mutation(() => SurveyResponsePayload, {
    description:
      'Record a customer’s answers to an ACTIVE survey. Logs a SURVEY touchpoint in the same transaction carrying the CSAT and NPS answers (so Customer.satisfaction and the churn drivers count them) and completes the customer’s open SURVEY task for the survey.',
  })
  recordSurveyResponse(@Arg('input', { description: 'The survey, the customer and the answers.' }) input: RecordSurveyResponseInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.recordResponse(input);
  }

  @Mutation(() => ScheduleSurveyTasksPayload, {
    description:
      'Create a SURVEY task, due at `asOf`, for the owner of each customer `surveyInvitations` lists who has no open SURVEY task (ADMIN, MANAGER). One statement; `dryRun` counts without writing.',
  })
  scheduleSurveyTasks(@Arg('input', { description: 'The survey and the instant.' }) input: ScheduleSurveyTasksInput, @Ctx() ctx: Context) {
    return ctx.services.surveys.scheduleTasks(input);
  }
}

@Resolver(() => SurveyResponse)
export class SurveyResponseResolver {
  @FieldResolver(() => Survey, { description: 'The survey answered.' })
  survey(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Survey).load(r.surveyId);
  }

  @FieldResolver(() => Customer, { nullable: true, description: 'The customer who answered.' })
  customer(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(r.customerId);
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The SURVEY touchpoint logged with the response (it carries the CSAT and NPS).' })
  touchpoint(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Touchpoint).load(r.touchpointId);
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The touchpoint that occasioned the survey, when one was named.' })
  triggeredBy(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return r.triggerTouchpointId ? ctx.loaders.byId(Touchpoint).load(r.triggerTouchpointId) : null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who recorded it.' })
  recordedBy(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return r.userId ? ctx.loaders.byId(User).load(r.userId) : null;
  }

  @FieldResolver(() => [SurveyAnswer], { description: 'The answers, in the survey’s question order.' })
  answers(@Root() r: SurveyResponse, @Ctx() ctx: Context) {
    return ctx.services.surveys.answers(r.id);
  }
}

@Resolver(() => SurveyInvitation)
export class SurveyInvitationResolver {
  @FieldResolver(() => Customer, { nullable: true, description: 'The customer to ask.' })
  customer(@Root() i: SurveyInvitation, @Ctx() ctx: Context) {
    return ctx.loaders.byId(Customer).load(i.customerId);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The customer’s owner: who gets the SURVEY task (`scheduleSurveyTasks`).' })
  owner(@Root() i: SurveyInvitation, @Ctx() ctx: Context) {
    return i.ownerId ? ctx.loaders.byId(User).load(i.ownerId) : null;
  }

  @FieldResolver(() => Touchpoint, { nullable: true, description: 'The touchpoint behind the event (the complaint or the service contact), when there is one: pass it as `touchpointId` when recording the response.' })
  triggeredBy(@Root() i: SurveyInvitation, @Ctx() ctx: Context) {
    return i.triggerTouchpointId ? ctx.loaders.byId(Touchpoint).load(i.triggerTouchpointId) : null;
  }
}

/** Survey fields on Customer. */
@Resolver(() => Customer)
export class CustomerSurveyResolver {
  @FieldResolver(() => SurveyResponseConnection, { description: 'The customer’s survey responses, newest first.' })
  surveyResponses(@Root() c: Customer, @Args() args: SurveyResponsesArgs, @Ctx() ctx: Context) {
    return ctx.services.surveys.responsesOf('customer_id', c.id, { page: args });
  }
}
