import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { BooleanFilter, DateTimeFilter, EnumFilter, IDFilter, IntFilter } from '../common/filter.types';
import { Money } from '../common/money.types';
import { DecimalScalar } from '../common/scalars';
import { TouchpointChannel } from '../touchpoint/touchpoint.entity';
import { ComplaintStatusFilter, TouchpointChannelFilter } from '../touchpoint/touchpoint.types';
import { User } from '../user/user.entity';
import { Complaint, ComplaintEscalation, ComplaintSla } from './complaint.entity';
import {
  CompensationKind,
  ComplaintCategory,
  ComplaintSeverity,
  ComplaintStatsGrouping,
  ComplaintStatus,
  EscalationReason,
} from './complaint.vocabulary';

export const ComplaintConnection = ConnectionType(Complaint, 'Complaint', 'complaint');
export const ComplaintEscalationConnection = ConnectionType(ComplaintEscalation, 'ComplaintEscalation', 'complaint escalation');

export enum ComplaintSortField {
  OPENED_AT = 'OPENED_AT',
  FIRST_RESPONSE_DUE_AT = 'FIRST_RESPONSE_DUE_AT',
  RESOLUTION_DUE_AT = 'RESOLUTION_DUE_AT',
  UPDATED_AT = 'UPDATED_AT',
}
registerEnumType(ComplaintSortField, {
  name: 'ComplaintSortField',
  description: 'Fields complaints can be sorted by.',
  valuesConfig: {
    OPENED_AT: { description: 'When the customer complained.' },
    FIRST_RESPONSE_DUE_AT: { description: 'When the first response is due.' },
    RESOLUTION_DUE_AT: { description: 'When the resolution is due: ASC puts the most urgent first.' },
    UPDATED_AT: { description: 'When it last changed.' },
  },
});
export const ComplaintOrderBy = OrderByType(ComplaintSortField, 'Complaint', ComplaintSortField.OPENED_AT, SortDirection.DESC);

const ComplaintSeverityFilter = EnumFilter(ComplaintSeverity, 'ComplaintSeverity');
const ComplaintCategoryFilter = EnumFilter(ComplaintCategory, 'ComplaintCategory');
const ComplaintEscalationReasonFilter = EnumFilter(EscalationReason, 'ComplaintEscalationReason');

@InputType({ description: 'Conditions on complaints. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class ComplaintFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The staff member it is assigned to (User ID); `isNull: true` for unassigned ones.' })
  assignee?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The more senior handler it was escalated to (User ID).' })
  escalatedTo?: IDFilter;
  @Field(() => ComplaintStatusFilter, { nullable: true, description: 'Status, e.g. { in: [OPEN, ACKNOWLEDGED, IN_PROGRESS] } for the unresolved ones.' })
  status?: object;
  @Field(() => ComplaintSeverityFilter, { nullable: true, description: 'Severity.' })
  severity?: object;
  @Field(() => ComplaintCategoryFilter, { nullable: true, description: 'Category.' })
  category?: object;
  @Field(() => TouchpointChannelFilter, { nullable: true, description: 'The channel it came in on.' })
  channel?: object;
  @Field(() => BooleanFilter, { nullable: true, description: 'Overdue now: unresolved and past its first-response or resolution due time.' })
  overdue?: BooleanFilter;
  @Field(() => IntFilter, { nullable: true, description: 'Escalation level.' })
  escalationLevel?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the customer complained, e.g. { gte, lt } for a period.' })
  openedAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was resolved.' })
  resolvedAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the resolution is due.' })
  resolutionDueAt?: object;
  @Field(() => [ComplaintFilter], { nullable: true, description: 'All of these conditions.' })
  and?: ComplaintFilter[];
  @Field(() => [ComplaintFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: ComplaintFilter[];
  @Field(() => ComplaintFilter, { nullable: true, description: 'Not this condition.' })
  not?: ComplaintFilter;
}

@ArgsType()
export class ComplaintsArgs extends PageArgs {
  @Field(() => ComplaintFilter, { nullable: true, description: 'Only complaints matching these conditions.' })
  filter?: ComplaintFilter | null;

  @Field(() => ComplaintOrderBy, { nullable: true, description: 'Sort order (default: most recently opened first).' })
  orderBy?: { field: ComplaintSortField; direction: SortDirection } | null;
}

export enum ComplaintEscalationSortField {
  AT = 'AT',
}
registerEnumType(ComplaintEscalationSortField, {
  name: 'ComplaintEscalationSortField',
  description: 'Fields complaint escalations can be sorted by.',
  valuesConfig: { AT: { description: 'When it was escalated.' } },
});
export const ComplaintEscalationOrderBy = OrderByType(ComplaintEscalationSortField, 'ComplaintEscalation', ComplaintEscalationSortField.AT, SortDirection.DESC);

@InputType({ description: 'Conditions on complaint escalations.' })
export class ComplaintEscalationFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The complaint (Complaint ID).' })
  complaint?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'Who it was escalated to (User ID): a manager’s own escalations.' })
  toUser?: IDFilter;
  @Field(() => ComplaintEscalationReasonFilter, { nullable: true, description: 'Why.' })
  reason?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When.' })
  at?: object;
  @Field(() => [ComplaintEscalationFilter], { nullable: true, description: 'All of these conditions.' })
  and?: ComplaintEscalationFilter[];
  @Field(() => [ComplaintEscalationFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: ComplaintEscalationFilter[];
  @Field(() => ComplaintEscalationFilter, { nullable: true, description: 'Not this condition.' })
  not?: ComplaintEscalationFilter;
}

@ArgsType()
export class ComplaintEscalationsArgs extends PageArgs {
  @Field(() => ComplaintEscalationFilter, { nullable: true, description: 'Only escalations matching these conditions.' })
  filter?: ComplaintEscalationFilter | null;

  @Field(() => ComplaintEscalationOrderBy, { nullable: true, description: 'Sort order (default: most recent first).' })
  orderBy?: { field: ComplaintEscalationSortField; direction: SortDirection } | null;
}

@ArgsType()
export class ComplaintAsOfArgs {
  @Field(() => Date, { nullable: true, description: 'The instant to judge at (default now).' })
  asOf?: Date | null;
}

// -- mutations ----------------------------------------------------------------------------------------------------------

@InputType({ description: 'A complaint a customer made. The complaint touchpoint is logged with it, in the same transaction.' })
export class OpenComplaintInput {
  @Field(() => ID, { description: 'The customer; must not be deleted.' })
  customerId: string;
  @Field(() => TouchpointChannel, { description: 'The channel it came in on: the one to answer through.' })
  channel: TouchpointChannel;
  @Field({ description: 'Short summary, e.g. "Machine leaks" (at most 200 characters).' })
  subject: string;
  @Field(() => String, { nullable: true, description: 'What the customer told us, in their words (at most 10,000 characters).' })
  description?: string | null;
  @Field(() => ComplaintCategory, { defaultValue: ComplaintCategory.OTHER, description: 'What it is about.' })
  category: ComplaintCategory;
  @Field(() => ComplaintSeverity, { defaultValue: ComplaintSeverity.MEDIUM, description: 'How bad it is; decides the due times (`complaintSlas`).' })
  severity: ComplaintSeverity;
  @Field(() => ID, { nullable: true, description: 'The contact who complained; must be a contact of the customer.' })
  contactId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The order it concerns; must be an order of the customer.' })
  orderId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Who handles it. Default: the customer’s owner, else the user making the request.' })
  assigneeId?: string | null;
  @Field(() => Date, { nullable: true, description: 'When the customer complained (default now); not before 1900-01-01, not in the future. Due times count from it.' })
  openedAt?: Date | null;
}

@InputType({ description: 'A step in handling a complaint.' })
export class ComplaintStepInput {
  @Field(() => ID, { description: 'The complaint.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the complaint changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'What was done or said, kept with the transition (at most 2,000 characters).' })
  note?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it happened (default now); not before the complaint was opened or its last transition, not in the future.' })
  at?: Date | null;
}

@InputType({ description: 'What the customer is given to make up for the problem.' })
export class CompensationInput {
  @Field(() => CompensationKind, { description: 'Refund, discount, voucher, gift, replacement or repair.' })
  kind: CompensationKind;
  @Field(() => DecimalScalar, { description: 'Its value, exact: not negative, at most 1,000,000,000, no finer than the currency’s minor unit.' })
  amount: string;
  @Field({ description: 'ISO 4217 currency of the amount, e.g. EUR.' })
  currencyCode: string;
}

@InputType({ description: 'How a complaint was resolved.' })
export class ResolveComplaintInput extends ComplaintStepInput {
  @Field({ description: 'How it was fixed (at most 2,000 characters).' })
  resolution: string;
  @Field(() => String, { nullable: true, description: 'Why it happened (at most 2,000 characters).' })
  rootCause?: string | null;
  @Field(() => CompensationInput, { nullable: true, description: 'What the customer was given, if anything.' })
  compensation?: CompensationInput | null;
}

@InputType({ description: 'Who handles a complaint.' })
export class AssignComplaintInput {
  @Field(() => ID, { description: 'The complaint.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => ID, { description: 'The staff member (User ID) who handles it from now on.' })
  assigneeId: string;
}

@InputType({ description: 'Corrections to a complaint’s classification and words. Omitted fields stay as they are.' })
export class UpdateComplaintInput {
  @Field(() => ID, { description: 'The complaint; not CLOSED.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => ComplaintCategory, { nullable: true, description: 'What it is about.' })
  category?: ComplaintCategory | null;
  @Field(() => ComplaintSeverity, {
    nullable: true,
    description: 'How bad it is. On an unresolved complaint the due times follow: the new severity’s service levels (`complaintSlas`), counted from when it was opened.',
  })
  severity?: ComplaintSeverity | null;
  @Field(() => String, { nullable: true, description: 'Short summary (at most 200 characters); cannot be cleared.' })
  subject?: string | null;
  @Field(() => String, { nullable: true, description: 'What the customer told us (at most 10,000 characters); null clears it.' })
  description?: string | null;
}

@InputType({ description: 'Hand a complaint to a more senior handler.' })
export class EscalateComplaintInput {
  @Field(() => ID, { description: 'The complaint; must not be resolved or closed.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => ID, { nullable: true, description: 'Who takes it over (User ID, a MANAGER or ADMIN). Default: the current handler’s manager.' })
  toUserId?: string | null;
  @Field({ description: 'Why (at most 2,000 characters).' })
  note: string;
}

@InputType({ description: 'What the customer said about the resolution ("report back", as the seeds ask).' })
export class RecordComplaintFeedbackInput {
  @Field(() => ID, { description: 'The complaint; must be resolved or closed.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field({ description: 'Whether the customer is satisfied with the resolution.' })
  satisfied: boolean;
  @Field(() => String, { nullable: true, description: 'In their words (at most 2,000 characters).' })
  comment?: string | null;
  @Field(() => Date, { nullable: true, description: 'When the customer said it (default now); not before the resolution, not in the future.' })
  at?: Date | null;
}

@InputType({ description: 'New service levels for a severity. Complaints opened from now on get due times from them; open ones keep theirs.' })
export class SetComplaintSlaInput {
  @Field(() => ComplaintSeverity, { description: 'The severity.' })
  severity: ComplaintSeverity;
  @Field(() => Int, { description: 'Hours to the first response, 1 to 8,760.' })
  firstResponseHours: number;
  @Field(() => Int, { description: 'Hours to the resolution, from `firstResponseHours` to 8,760.' })
  resolutionHours: number;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'Result of a complaint mutation.' })
export class ComplaintPayload {
  @Field(() => Complaint, { nullable: true, description: 'The complaint as stored after the change; null when nothing was written.' })
  complaint: Complaint | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'Result of setComplaintSla.' })
export class ComplaintSlaPayload {
  @Field(() => ComplaintSla, { nullable: true, description: 'The service levels as stored; null when nothing was written.' })
  sla: ComplaintSla | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

// -- statistics ---------------------------------------------------------------------------------------------------------

@ArgsType()
export class ComplaintStatsArgs {
  @Field({ description: 'Complaints opened from this instant…' })
  from: Date;
  @Field({ description: '…up to (not including) this one.' })
  to: Date;
  @Field(() => ComplaintStatsGrouping, { nullable: true, description: 'How to split them into groups; without it, `groups` is empty.' })
  groupBy?: ComplaintStatsGrouping | null;
  @Field(() => Date, { nullable: true, description: 'The instant overdue and missed service levels are judged at (default now).' })
  asOf?: Date | null;
}

@ObjectType({ description: 'Figures for a set of complaints.' })
export class ComplaintStatsGroup {
  @Field(() => String, { nullable: true, description: 'The group’s value (a category, severity, channel or user ID); null for the total and for unassigned complaints.' })
  key: string | null;
  @Field(() => User, { nullable: true, description: 'For ASSIGNEE groups: the staff member.' })
  assignee?: User | null;
  assigneeId?: string | null;
  @Field(() => Int, { description: 'Complaints opened in the period.' })
  count: number;
  @Field(() => Int, { description: 'Of these, not resolved as of `asOf`.' })
  unresolved: number;
  @Field(() => Int, { description: 'Of these, overdue as of `asOf`: unresolved and past a due time.' })
  overdue: number;
  @Field(() => Float, { nullable: true, description: 'Median hours from opening to the first response, over those answered; null when none.' })
  medianFirstResponseHours: number | null;
  @Field(() => Float, { nullable: true, description: 'Median hours from opening to the resolution, over those resolved; null when none.' })
  medianResolutionHours: number | null;
  @Field(() => Int, { description: 'Complaints whose service-level verdict is known as of `asOf` (resolved, or already late).' })
  slaDecided: number;
  @Field(() => Float, { nullable: true, description: 'Share (0–1) of `slaDecided` that met both service levels (`withinSla`); null when none is decided.' })
  withinSlaShare: number | null;
  @Field(() => [Money], { description: 'Compensation given, exact, one total per currency (sorted by currency code).' })
  compensation: Money[];
  @Field(() => Int, { description: 'Complaints with the customer’s feedback on the resolution.' })
  feedbackCount: number;
  @Field(() => Float, { nullable: true, description: 'Share (0–1) of `feedbackCount` where the customer was satisfied; null without feedback.' })
  satisfiedShare: number | null;
}

@ObjectType({ description: 'How complaints were handled in a period: volume, speed, service levels, compensation and satisfaction.' })
export class ComplaintStats {
  @Field({ description: 'Start of the period.' })
  from: Date;
  @Field({ description: 'End of the period (exclusive).' })
  to: Date;
  @Field({ description: 'The instant overdue and missed service levels were judged at.' })
  asOf: Date;
  @Field(() => ComplaintStatsGroup, { description: 'All complaints of the period the caller may see.' })
  total: ComplaintStatsGroup;
  @Field(() => [ComplaintStatsGroup], { description: 'Per group, largest first (then by key).' })
  groups: ComplaintStatsGroup[];
}
