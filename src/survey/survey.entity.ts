import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { Pii } from '../core/masking';
import { ConsentChannel } from '../customer/customer.entity';

export enum SurveyQuestionType {
  CSAT = 'CSAT',
  NPS = 'NPS',
  SCALE = 'SCALE',
  SINGLE_CHOICE = 'SINGLE_CHOICE',
  MULTIPLE_CHOICE = 'MULTIPLE_CHOICE',
  FREE_TEXT = 'FREE_TEXT',
}
registerEnumType(SurveyQuestionType, {
  name: 'SurveyQuestionType',
  description: 'What kind of answer a survey question takes.',
  valuesConfig: {
    CSAT: { description: 'Customer satisfaction, a whole number from 1 (very unhappy) to 5 (very happy). At most one per survey: it becomes the SURVEY touchpoint’s `satisfaction`.' },
    NPS: { description: 'Net Promoter question, a whole number from 0 to 10. At most one per survey: it becomes the SURVEY touchpoint’s `nps`.' },
    SCALE: { description: 'A whole number from the question’s `min` to its `max`.' },
    SINGLE_CHOICE: { description: 'Exactly one of the question’s `options`.' },
    MULTIPLE_CHOICE: { description: 'One or more distinct `options`.' },
    FREE_TEXT: { description: 'Text, at most 2,000 characters. Personal data: masked for callers who see it masked, erased with the customer.' },
  },
});

export enum SurveyTrigger {
  AFTER_ORDER = 'AFTER_ORDER',
  AFTER_RESOLVED_COMPLAINT = 'AFTER_RESOLVED_COMPLAINT',
  AFTER_SERVICE_TOUCHPOINT = 'AFTER_SERVICE_TOUCHPOINT',
  PERIODIC = 'PERIODIC',
  MANUAL = 'MANUAL',
}
registerEnumType(SurveyTrigger, {
  name: 'SurveyTrigger',
  description: 'When a customer is due to be asked (see `surveyInvitations`).',
  valuesConfig: {
    AFTER_ORDER: { description: '`delayDays` after a purchase (an order PENDING, PAID or FULFILLED: one that counts as a sale).' },
    AFTER_RESOLVED_COMPLAINT: { description: '`delayDays` after a complaint was resolved.' },
    AFTER_SERVICE_TOUCHPOINT: { description: '`delayDays` after a SERVICE touchpoint.' },
    PERIODIC: { description: 'Every `periodDays`: a customer without a response in the last `periodDays` is due.' },
    MANUAL: { description: 'Only when someone decides to ask: no invitations.' },
  },
});

export enum SurveyStatus {
  DRAFT = 'DRAFT',
  ACTIVE = 'ACTIVE',
  CLOSED = 'CLOSED',
}
registerEnumType(SurveyStatus, {
  name: 'SurveyStatus',
  description: 'Where a survey stands: DRAFT → ACTIVE → CLOSED.',
  valuesConfig: {
    DRAFT: { description: 'Being written: its questions and trigger can change; it takes no responses.' },
    ACTIVE: { description: 'Live (`activateSurvey`): it takes responses and invites customers; its questions are fixed.' },
    CLOSED: { description: 'Finished (`closeSurvey`): its responses stay, it takes no new ones. Final.' },
  },
});

@ObjectType({ description: 'A question of a survey.' })
export class SurveyQuestion {
  @Field({ description: 'Stable key of the question within its survey (lower case letters, digits, _): answers name it.' })
  key: string;

  @Field(() => SurveyQuestionType, { description: 'What kind of answer it takes.' })
  type: SurveyQuestionType;

  @Field({ description: 'The question as the customer reads it.' })
  text: string;

  @Field({ description: 'Whether a response must answer it.' })
  required: boolean;

  @Field(() => Int, { nullable: true, description: 'Lowest answer of a CSAT (1), NPS (0) or SCALE question; null for the others.' })
  min: number | null;

  @Field(() => Int, { nullable: true, description: 'Highest answer of a CSAT (5), NPS (10) or SCALE question; null for the others.' })
  max: number | null;

  @Field(() => [String], { description: 'The options of a choice question; empty for the others.' })
  options: string[];
}

@ObjectType({ implements: Node, description: 'A satisfaction survey: typed questions, when customers are asked (trigger and delay) and through which channel.' })
@Entity('surveys')
export class Survey extends BaseRecord {
  protected get nodeType() {
    return 'Survey';
  }

  @Field({ description: 'Name, unique regardless of case, e.g. "After your purchase".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => [SurveyQuestion], { description: 'The questions, in the order they are asked.' })
  @Column({ type: 'jsonb' })
  questions: SurveyQuestion[];

  @Field(() => SurveyTrigger, { description: 'When a customer is due to be asked.' })
  @Column({ type: 'text' })
  trigger: SurveyTrigger;

  @Field(() => Int, { nullable: true, description: 'For PERIODIC surveys: how often a customer is asked, in days; null otherwise.' })
  @Column({ type: 'int', nullable: true })
  periodDays: number | null;

  @Field(() => Int, { description: 'Days after the triggering event before the customer is asked.' })
  @Column({ type: 'int' })
  delayDays: number;

  @Field(() => ConsentChannel, { description: 'How the survey reaches customers; only customers who consented to this channel are invited.' })
  @Column({ type: 'text' })
  channel: ConsentChannel;

  @Field(() => SurveyStatus, { description: 'DRAFT, ACTIVE or CLOSED.' })
  @Column({ type: 'text' })
  status: SurveyStatus;

  @Field(() => Date, { nullable: true, description: 'When it went live; events before it do not invite anyone.' })
  @Column({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Field(() => Int, { description: 'Incremented on every change. Pass it back as `expectedVersion` to detect concurrent edits.' })
  @Column({ type: 'int', default: 1 })
  version: number;
}

@ObjectType({ implements: Node, description: 'A customer’s answers to a survey, logged with a SURVEY touchpoint that carries its CSAT and NPS.' })
@Entity('survey_responses')
export class SurveyResponse extends BaseRecord {
  protected get nodeType() {
    return 'SurveyResponse';
  }

  @Column({ type: 'uuid' })
  surveyId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid' })
  touchpointId: string;

  @Column({ type: 'uuid', nullable: true })
  triggerTouchpointId: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Field(() => ConsentChannel, { description: 'The channel it came through: the survey’s channel when it was answered.' })
  @Column({ type: 'text' })
  channel: ConsentChannel;

  @Field({ description: 'When the customer answered.' })
  @Column({ type: 'timestamptz' })
  respondedAt: Date;

  @Field(() => Int, { nullable: true, description: 'The answer to the survey’s CSAT question (1–5), if it has one and it was answered.' })
  @Column({ type: 'smallint', nullable: true })
  csat: number | null;

  @Field(() => Int, { nullable: true, description: 'The answer to the survey’s NPS question (0–10), if it has one and it was answered.' })
  @Column({ type: 'smallint', nullable: true })
  nps: number | null;
}

@ObjectType({ description: 'One answer of a survey response.' })
export class SurveyAnswer {
  @Field({ description: 'The key of the question answered.' })
  questionKey: string;

  @Field(() => SurveyQuestionType, { description: 'The type of the question answered.' })
  questionType: SurveyQuestionType;

  @Field(() => Int, { nullable: true, description: 'The number given to a CSAT, NPS or SCALE question.' })
  value: number | null;

  @Field(() => [String], { nullable: true, description: 'The options chosen in a choice question.' })
  choices: string[] | null;

  @Field(() => String, { nullable: true, description: 'The text of a FREE_TEXT answer. Withheld (null) from callers who see personal data masked; erased with the customer.' })
  @Pii('freeText')
  text: string | null;
}
