import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, PageArgs } from '../common/connection.types';
import { UserError } from '../common/errors';
import { ConsentChannel } from '../customer/customer.entity';
import { User } from '../user/user.entity';
import { Survey, SurveyQuestionType, SurveyResponse, SurveyStatus, SurveyTrigger } from './survey.entity';
import { MAX_FREE_TEXT, MAX_OPTIONS, MAX_QUESTIONS } from './questions';

export const SurveyResponseConnection = ConnectionType(SurveyResponse, 'SurveyResponse', 'survey response');

// -- survey inputs -------------------------------------------------------------------------------------------------------

@InputType({ description: 'A question of a survey.' })
export class SurveyQuestionInput {
  @Field({ description: 'Stable key within the survey: a lower-case letter, then lower-case letters, digits or _ (at most 40). Answers name it.' })
  key: string;
  @Field(() => SurveyQuestionType, { description: 'What kind of answer it takes. At most one CSAT and one NPS question per survey.' })
  type: SurveyQuestionType;
  @Field({ description: 'The question as the customer reads it (at most 500 characters).' })
  text: string;
  @Field(() => Boolean, { nullable: true, description: 'Whether a response must answer it (default true).' })
  required?: boolean | null;
  @Field(() => Int, { nullable: true, description: 'SCALE only (required there): the lowest answer. CSAT and NPS have fixed ranges (1–5, 0–10).' })
  min?: number | null;
  @Field(() => Int, { nullable: true, description: 'SCALE only (required there): the highest answer, above `min`, at most 100 steps away.' })
  max?: number | null;
  @Field(() => [String], { nullable: true, description: `SINGLE_CHOICE and MULTIPLE_CHOICE only: 2 to ${MAX_OPTIONS} distinct options.` })
  options?: string[] | null;
}

@InputType({ description: 'Fields shared by createSurvey and updateSurvey.' })
export class SurveyFields {
  @Field(() => Int, { nullable: true, description: 'For PERIODIC surveys (required there): how often a customer is asked, 1 to 3650 days.' })
  periodDays?: number | null;
  @Field(() => Int, { nullable: true, description: 'Days after the triggering event before the customer is asked, 0 to 365 (default 0).' })
  delayDays?: number | null;
}

@InputType({ description: 'A new survey. It starts DRAFT.' })
export class CreateSurveyInput extends SurveyFields {
  @Field({ description: 'Name, unique regardless of case (at most 200 characters).' })
  name: string;
  @Field(() => [SurveyQuestionInput], { description: `The questions, in order (1 to ${MAX_QUESTIONS}).` })
  questions: SurveyQuestionInput[];
  @Field(() => SurveyTrigger, { description: 'When a customer is due to be asked.' })
  trigger: SurveyTrigger;
  @Field(() => ConsentChannel, { description: 'How it reaches customers; only those who consented to the channel are invited.' })
  channel: ConsentChannel;
}

@InputType({ description: 'Changes to a survey. Omitted fields stay. Questions and trigger change only while DRAFT; a CLOSED survey does not change.' })
export class UpdateSurveyInput extends SurveyFields {
  @Field(() => ID, { description: 'The survey.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'New name.' })
  name?: string | null;
  @Field(() => [SurveyQuestionInput], { nullable: true, description: 'The new questions (replace the old ones); DRAFT only.' })
  questions?: SurveyQuestionInput[] | null;
  @Field(() => SurveyTrigger, { nullable: true, description: 'New trigger; DRAFT only.' })
  trigger?: SurveyTrigger | null;
  @Field(() => ConsentChannel, { nullable: true, description: 'New channel.' })
  channel?: ConsentChannel | null;
}

@InputType({ description: 'A survey to activate or close.' })
export class SurveyStatusInput {
  @Field(() => ID, { description: 'The survey.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'The result of a survey mutation.' })
export class SurveyPayload {
  @Field(() => Survey, { nullable: true, description: 'The survey as written; null when there are userErrors.' })
  survey: Survey | null;
  @Field(() => [UserError], { description: 'Problems with the input; nothing was written when there are any.' })
  userErrors: UserError[];
}

// -- responses -------------------------------------------------------------------------------------------------------------

@InputType({ description: 'An answer to one question: `value` for CSAT, NPS and SCALE, `choices` for choice questions, `text` for FREE_TEXT.' })
export class SurveyAnswerInput {
  @Field({ description: 'The key of the question answered.' })
  questionKey: string;
  @Field(() => Int, { nullable: true, description: 'A whole number within the question’s range (CSAT 1–5, NPS 0–10, SCALE min–max).' })
  value?: number | null;
  @Field(() => [String], { nullable: true, description: 'The options chosen: exactly one for SINGLE_CHOICE, one or more distinct for MULTIPLE_CHOICE.' })
  choices?: string[] | null;
  @Field(() => String, { nullable: true, description: `Text for FREE_TEXT (at most ${MAX_FREE_TEXT} characters); blank counts as unanswered.` })
  text?: string | null;
}

@InputType({ description: 'A customer’s response to an ACTIVE survey.' })
export class RecordSurveyResponseInput {
  @Field(() => ID, { description: 'The survey; must be ACTIVE.' })
  surveyId: string;
  @Field(() => ID, { description: 'The customer who answered. A sales rep can only name customers of their own book.' })
  customerId: string;
  @Field(() => [SurveyAnswerInput], { description: 'The answers, at most one per question; every required question answered.' })
  answers: SurveyAnswerInput[];
  @Field(() => ID, { nullable: true, description: 'The touchpoint that occasioned the survey (a service call, a complaint), of the same customer. When omitted, an AFTER_SERVICE_TOUCHPOINT or AFTER_RESOLVED_COMPLAINT survey links the latest such touchpoint since it went live that it was not answered since, if any.' })
  touchpointId?: string | null;
  @Field(() => Date, { nullable: true, description: 'When the customer answered (default now); not before 1900, not in the future.' })
  respondedAt?: Date | null;
}

@ObjectType({ description: 'The result of recordSurveyResponse.' })
export class SurveyResponsePayload {
  @Field(() => SurveyResponse, { nullable: true, description: 'The response as stored; null when there are userErrors.' })
  response: SurveyResponse | null;
  @Field(() => [UserError], { description: 'Problems with the input, each at the path of the answer at fault; nothing was written when there are any.' })
  userErrors: UserError[];
}

@ArgsType()
export class SurveyResponsesArgs extends PageArgs {}

// -- invitations -------------------------------------------------------------------------------------------------------------

@ObjectType({ description: 'A customer due to be asked to answer a survey: the triggering event is older than the delay and they have not answered since.' })
export class SurveyInvitation {
  customerId: string;
  ownerId: string | null;
  triggerTouchpointId: string | null;

  @Field({ description: 'When the triggering event happened: the purchase, the resolution, the service contact (for PERIODIC: the start of the period without a response).' })
  eventAt: Date;

  @Field({ description: 'When the customer became due: `eventAt` plus the survey’s delay.' })
  dueAt: Date;

  @Field({ description: 'Whether the customer already has an open SURVEY task (`scheduleSurveyTasks` leaves them alone).' })
  hasOpenSurveyTask: boolean;
}
export const SurveyInvitationConnection = ConnectionType(SurveyInvitation, 'SurveyInvitation', 'survey invitation');

@ArgsType()
export class SurveyInvitationsArgs {
  @Field(() => ID, { description: 'An ACTIVE survey.' })
  surveyId: string;
  @Field(() => Date, { nullable: true, description: 'The instant to judge at (default now): events up to `asOf` minus the delay count.' })
  asOf?: Date | null;
  @Field(() => Int, { nullable: true, description: 'Return the first n invitations after `after` (at most 100; default 20), oldest due first.' })
  first?: number | null;
  @Field(() => String, { nullable: true, description: 'Cursor: return invitations after this one.' })
  after?: string | null;
}

@InputType({ description: 'Creates SURVEY tasks for the customers a survey invites now.' })
export class ScheduleSurveyTasksInput {
  @Field(() => ID, { description: 'An ACTIVE survey.' })
  surveyId: string;
  @Field(() => Date, { nullable: true, description: 'The instant to judge at (default now); the tasks are due then.' })
  asOf?: Date | null;
  @Field({ defaultValue: false, description: 'Count without writing: the figures are those a real run would give.' })
  dryRun: boolean;
}

@ObjectType({ description: 'What scheduleSurveyTasks did (or, in a dry run, would do).' })
export class ScheduleSurveyTasksPayload {
  @Field(() => Int, { description: 'Customers invited now (the `surveyInvitations` list).' })
  invited: number;
  @Field(() => Int, { description: 'SURVEY tasks created (or that a real run would create): one per invited customer with an owner and without an open SURVEY task.' })
  scheduled: number;
  @Field(() => Int, { description: 'Invited customers left alone because they already have an open SURVEY task.' })
  alreadyOpen: number;
  @Field(() => Int, { description: 'Invited customers without an owner to give the task to.' })
  withoutOwner: number;
  @Field({ description: 'Whether this was a dry run (nothing written).' })
  dryRun: boolean;
  @Field(() => [UserError], { description: 'Problems with the input; nothing was written when there are any.' })
  userErrors: UserError[];
}

// -- satisfaction summary ------------------------------------------------------------------------------------------------------

export enum SatisfactionGrouping {
  SEGMENT = 'SEGMENT',
  VALUE_TIER = 'VALUE_TIER',
  REGION = 'REGION',
  OWNER = 'OWNER',
  CHANNEL = 'CHANNEL',
}
registerEnumType(SatisfactionGrouping, {
  name: 'SatisfactionGrouping',
  description: 'How satisfactionSummary groups responses and invitations.',
  valuesConfig: {
    SEGMENT: { description: 'The customer’s RFM segment now (not when they answered).' },
    VALUE_TIER: { description: 'The customer’s value tier now.' },
    REGION: { description: 'The customer’s region.' },
    OWNER: { description: 'The customer’s owner now (User ID in `key`, the user in `owner`).' },
    CHANNEL: { description: 'The channel of the response (the invitation’s: its survey’s channel).' },
  },
});

export enum SatisfactionDirection {
  RISING = 'RISING',
  STABLE = 'STABLE',
  FALLING = 'FALLING',
  UNKNOWN = 'UNKNOWN',
}
registerEnumType(SatisfactionDirection, {
  name: 'SatisfactionDirection',
  description: 'Mean CSAT of the period against the previous period of equal length.',
  valuesConfig: {
    RISING: { description: 'At least 10% above the previous period’s mean.' },
    STABLE: { description: 'Within 10% of the previous period’s mean.' },
    FALLING: { description: 'At least 10% below the previous period’s mean: look here.' },
    UNKNOWN: { description: 'No CSAT answer in one of the two periods.' },
  },
});

@ObjectType({ description: 'Satisfaction figures of one group over one period.' })
export class SatisfactionFigures {
  @Field(() => Int, { description: 'Survey responses received in the period.' })
  responses: number;
  @Field(() => Float, { nullable: true, description: 'Mean CSAT answer (1–5), to 4 decimals; null without CSAT answers.' })
  csatMean: number | null;
  @Field(() => Int, { description: 'CSAT answers in the period.' })
  csatResponses: number;
  @Field(() => Float, { nullable: true, description: 'Net Promoter Score: % promoters (9–10) minus % detractors (0–6) of the NPS answers, −100 to 100, to 2 decimals; null without NPS answers.' })
  npsScore: number | null;
  @Field(() => Int, { description: 'NPS answers in the period.' })
  npsResponses: number;
  @Field(() => Int, { description: 'NPS answers of 9 or 10.' })
  promoters: number;
  @Field(() => Int, { description: 'NPS answers of 0 to 6.' })
  detractors: number;
  @Field(() => Int, { description: 'Invitations due in the period: SURVEY tasks of a survey (`scheduleSurveyTasks`), not cancelled, due in the period.' })
  invitations: number;
  @Field(() => Int, { description: 'Of those invitations, the ones answered: the task was completed by a response to its survey.' })
  answeredInvitations: number;
  @Field(() => Float, { nullable: true, description: 'answeredInvitations / invitations, to 4 decimals; null without invitations (surveys sent outside Rapport have no known denominator).' })
  responseRate: number | null;
}

@ObjectType({ description: 'One group of satisfactionSummary (or the total): the period, the previous one, and the change.' })
export class SatisfactionGroup {
  @Field(() => String, { nullable: true, description: 'The group: a segment, value tier, region, User ID or channel; null for the total, or for customers without one (no region, not scored yet).' })
  key: string | null;
  @Field(() => User, { nullable: true, description: 'For OWNER groups: the owner (null for callers who may not read users).' })
  owner: User | null;
  @Field(() => SatisfactionFigures, { description: 'The figures of [from, to).' })
  current: SatisfactionFigures;
  @Field(() => SatisfactionFigures, { description: 'The figures of the previous period of equal length, [from − (to − from), from).' })
  previous: SatisfactionFigures;
  @Field(() => Float, { nullable: true, description: 'current.csatMean − previous.csatMean, to 4 decimals; null when either is.' })
  csatChange: number | null;
  @Field(() => Float, { nullable: true, description: 'current.npsScore − previous.npsScore, to 2 decimals; null when either is.' })
  npsChange: number | null;
  @Field(() => Float, { nullable: true, description: 'current.responseRate − previous.responseRate, to 4 decimals; null when either is.' })
  responseRateChange: number | null;
  @Field(() => SatisfactionDirection, { description: 'Where mean CSAT is heading.' })
  direction: SatisfactionDirection;
}

@ObjectType({ description: 'Satisfaction over a period, by group, against the previous period of equal length.' })
export class SatisfactionSummary {
  @Field({ description: 'Start of the period (inclusive).' })
  from: Date;
  @Field({ description: 'End of the period (exclusive).' })
  to: Date;
  @Field({ description: 'Start of the previous period: from − (to − from).' })
  previousFrom: Date;
  @Field(() => SatisfactionGroup, { description: 'Every response and invitation the caller may see.' })
  total: SatisfactionGroup;
  @Field(() => [SatisfactionGroup], { description: 'One per group with a response or invitation in either period; the steepest CSAT fall first, then by key.' })
  groups: SatisfactionGroup[];
}

@ArgsType()
export class SatisfactionSummaryArgs {
  @Field({ description: 'Start of the period (inclusive).' })
  from: Date;
  @Field({ description: 'End of the period (exclusive); after `from`.' })
  to: Date;
  @Field(() => SatisfactionGrouping, { description: 'How to group.' })
  groupBy: SatisfactionGrouping;
  @Field(() => ID, { nullable: true, description: 'Only this survey’s responses and invitations (default: every survey).' })
  surveyId?: string | null;
}

@ArgsType()
export class SurveysArgs {
  @Field(() => SurveyStatus, { nullable: true, description: 'Only surveys in this status.' })
  status?: SurveyStatus | null;
}
