import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, EnumFilter, IDFilter, IntFilter } from '../common/filter.types';
import { ComplaintStatus } from '../complaint/complaint.vocabulary';
import { TaskKind } from '../task/task-kind';
import { Touchpoint, TouchpointChannel, TouchpointDirection, TouchpointPurpose } from './touchpoint.entity';

export const TouchpointConnection = ConnectionType(Touchpoint, 'Touchpoint', 'touchpoint');

export enum TouchpointSortField {
  OCCURRED_AT = 'OCCURRED_AT',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(TouchpointSortField, {
  name: 'TouchpointSortField',
  description: 'Fields touchpoints can be sorted by.',
  valuesConfig: {
    OCCURRED_AT: { description: 'When the interaction happened.' },
    CREATED_AT: { description: 'When it was logged.' },
  },
});
export const TouchpointOrderBy = OrderByType(TouchpointSortField, 'Touchpoint', TouchpointSortField.OCCURRED_AT, SortDirection.DESC);

export const TouchpointChannelFilter = EnumFilter(TouchpointChannel, 'TouchpointChannel');
const TouchpointDirectionFilter = EnumFilter(TouchpointDirection, 'TouchpointDirection');
const TouchpointPurposeFilter = EnumFilter(TouchpointPurpose, 'TouchpointPurpose');
export const ComplaintStatusFilter = EnumFilter(ComplaintStatus, 'ComplaintStatus');

@InputType({ description: 'Conditions on touchpoints. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class TouchpointFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The contact spoken to (Contact ID).' })
  contact?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The staff member who handled it (User ID).' })
  user?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The order it concerns (Order ID).' })
  order?: IDFilter;
  @Field(() => TouchpointChannelFilter, { nullable: true, description: 'Medium.' })
  channel?: object;
  @Field(() => TouchpointDirectionFilter, { nullable: true, description: 'Who started it.' })
  direction?: object;
  @Field(() => TouchpointPurposeFilter, { nullable: true, description: 'Why it happened.' })
  purpose?: object;
  @Field(() => ComplaintStatusFilter, { nullable: true, description: 'The status of the complaint the touchpoint opened, e.g. { in: [OPEN, ACKNOWLEDGED, IN_PROGRESS] } for the complaints still to resolve.' })
  complaintStatus?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it happened.' })
  occurredAt?: object;
  @Field(() => IntFilter, { nullable: true, description: 'Satisfaction score (1–5).' })
  satisfaction?: object;
  @Field(() => IntFilter, { nullable: true, description: 'Net Promoter answer (0–10).' })
  nps?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was logged.' })
  createdAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was deleted (use with includeDeleted).' })
  deletedAt?: object;
  @Field(() => [TouchpointFilter], { nullable: true, description: 'All of these conditions.' })
  and?: TouchpointFilter[];
  @Field(() => [TouchpointFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: TouchpointFilter[];
  @Field(() => TouchpointFilter, { nullable: true, description: 'Not this condition.' })
  not?: TouchpointFilter;
}

@ArgsType()
export class CustomerTouchpointsArgs extends PageArgs {
  @Field(() => TouchpointFilter, { nullable: true, description: 'Only touchpoints matching these conditions.' })
  filter?: TouchpointFilter | null;

  @Field(() => TouchpointOrderBy, { nullable: true, description: 'Sort order (default: most recent first).' })
  orderBy?: { field: TouchpointSortField; direction: SortDirection } | null;
}

@ArgsType()
export class TouchpointsArgs extends CustomerTouchpointsArgs {
  @Field({ defaultValue: false, description: 'Include soft-deleted touchpoints.' })
  includeDeleted: boolean;
}

@InputType({ description: 'Fields shared by logTouchpoint and updateTouchpoint.' })
export class TouchpointFields {
  @Field(() => ID, { nullable: true, description: 'The contact spoken to; must be a contact of the touchpoint’s customer.' })
  contactId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The order it concerns; must be an order of the touchpoint’s customer.' })
  orderId?: string | null;
  @Field(() => String, { nullable: true, description: 'Short subject line.' })
  subject?: string | null;
  @Field(() => String, { nullable: true, description: 'What was said or agreed.' })
  notes?: string | null;
  @Field(() => Int, { nullable: true, description: 'Customer satisfaction from 1 to 5.' })
  satisfaction?: number | null;
  @Field(() => Int, { nullable: true, description: 'Net Promoter answer from 0 to 10.' })
  nps?: number | null;
  @Field(() => ComplaintStatus, {
    nullable: true,
    description:
      'Complaints only: moves the complaint the touchpoint opened, as the complaint mutations do and along the same transitions. RESOLVED resolves it (at `resolvedAt`, default now); OPEN on a resolved complaint reopens it (it goes back to IN_PROGRESS). A new complaint starts OPEN; logTouchpoint accepts OPEN and RESOLVED only. Omitted or null: unchanged. Prefer openComplaint and the complaint mutations, which record category, severity, resolution and compensation.',
  })
  complaintStatus?: ComplaintStatus | null;
  @Field(() => Date, {
    nullable: true,
    description: 'Complaints only: when it was resolved; not before `occurredAt`, not in the future. Giving it resolves an open complaint. Omitted or null: unchanged.',
  })
  resolvedAt?: Date | null;
}

@InputType({ description: 'The next follow-up to schedule with a touchpoint: a task for the person logging it, on the same customer and contact.' })
export class NextFollowUpInput {
  @Field({ description: 'When it is due; not more than a year in the past, at most 5 years ahead.' })
  dueAt: Date;
  @Field(() => TaskKind, { defaultValue: TaskKind.CALL, description: 'What to do then (default CALL).' })
  kind: TaskKind;
  @Field(() => String, { nullable: true, description: 'Subject of the task (default: "Follow up: " and the touchpoint’s subject, or the kind).' })
  subject?: string | null;
}

@InputType({ description: 'An interaction to record in the customer’s history.' })
export class LogTouchpointInput extends TouchpointFields {
  @Field(() => ID, { description: 'The customer; must not be deleted.' })
  customerId: string;
  @Field(() => ID, { nullable: true, description: 'The staff member who handled it. Default: the user making the request, if any.' })
  userId?: string | null;
  @Field(() => TouchpointChannel, { description: 'Medium.' })
  channel: TouchpointChannel;
  @Field(() => TouchpointDirection, { defaultValue: TouchpointDirection.OUTBOUND, description: 'Who started it.' })
  direction: TouchpointDirection;
  @Field(() => TouchpointPurpose, { description: 'Why it happened.' })
  purpose: TouchpointPurpose;
  @Field(() => Date, { nullable: true, description: 'When it happened (default now); not before 1900-01-01, not in the future.' })
  occurredAt?: Date | null;
  @Field(() => NextFollowUpInput, { nullable: true, description: 'Schedule the next follow-up in the same call: a task for the caller (or the customer’s owner), written with the touchpoint or not at all.' })
  nextFollowUp?: NextFollowUpInput | null;
}

@InputType({ description: 'Changes to a touchpoint. Omitted fields stay as they are; null clears a field.' })
export class UpdateTouchpointInput extends TouchpointFields {
  @Field(() => ID, { description: 'The touchpoint to change.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the touchpoint changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => ID, { nullable: true, description: 'The staff member who handled it.' })
  userId?: string | null;
  @Field(() => TouchpointChannel, { nullable: true, description: 'Medium; cannot be cleared.' })
  channel?: TouchpointChannel | null;
  @Field(() => TouchpointDirection, { nullable: true, description: 'Who started it; cannot be cleared.' })
  direction?: TouchpointDirection | null;
  @Field(() => TouchpointPurpose, { nullable: true, description: 'Why it happened; cannot be cleared. Changing it away from COMPLAINT drops the complaint status.' })
  purpose?: TouchpointPurpose | null;
  @Field(() => Date, { nullable: true, description: 'When it happened; not before 1900-01-01, not in the future; cannot be cleared.' })
  occurredAt?: Date | null;
}

@InputType({ description: 'Identifies a touchpoint to delete or restore.' })
export class TouchpointIdInput {
  @Field(() => ID, { description: 'The touchpoint.' })
  id: string;
}

@ObjectType({ description: 'Result of a touchpoint mutation.' })
export class TouchpointPayload {
  @Field(() => Touchpoint, { nullable: true, description: 'The touchpoint as stored after the change; null when nothing was written.' })
  touchpoint: Touchpoint | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
  /** The task logTouchpoint's `nextFollowUp` scheduled; served by the task domain (Task is above this one). */
  nextFollowUp?: unknown;
}
