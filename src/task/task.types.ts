import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, EnumFilter, IDFilter } from '../common/filter.types';
import { TouchpointChannel, TouchpointDirection, TouchpointPurpose } from '../touchpoint/touchpoint.entity';
import { TaskKind } from './task-kind';
import { Task, TaskPriority, TaskStatus } from './task.entity';

export const TaskConnection = ConnectionType(Task, 'Task', 'task');

export enum TaskSortField {
  FOLLOW_UP_AT = 'FOLLOW_UP_AT',
  DUE_AT = 'DUE_AT',
  CREATED_AT = 'CREATED_AT',
  COMPLETED_AT = 'COMPLETED_AT',
}
registerEnumType(TaskSortField, {
  name: 'TaskSortField',
  description: 'Fields tasks can be sorted by.',
  valuesConfig: {
    FOLLOW_UP_AT: { description: 'When the task is on the agenda (due time, or the snooze when later).' },
    DUE_AT: { description: 'The due time as scheduled.' },
    CREATED_AT: { description: 'When it was scheduled.' },
    COMPLETED_AT: { description: 'When it was done (tasks not done count as the latest).' },
  },
});
export const TaskOrderBy = OrderByType(TaskSortField, 'Task', TaskSortField.FOLLOW_UP_AT, SortDirection.ASC);

const TaskKindFilter = EnumFilter(TaskKind, 'TaskKind');
const TaskStatusFilter = EnumFilter(TaskStatus, 'TaskStatus');
const TaskPriorityFilter = EnumFilter(TaskPriority, 'TaskPriority');

@InputType({ description: 'Conditions on tasks. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class TaskFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The owner (User ID).' })
  owner?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The contact (Contact ID).' })
  contact?: IDFilter;
  @Field(() => TaskKindFilter, { nullable: true, description: 'What to do.' })
  kind?: object;
  @Field(() => TaskStatusFilter, { nullable: true, description: 'OPEN, DONE or CANCELLED.' })
  status?: object;
  @Field(() => TaskPriorityFilter, { nullable: true, description: 'Priority.' })
  priority?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'Due time as scheduled.' })
  dueAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the task is on the agenda (due time, or the snooze when later).' })
  followUpAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was done.' })
  completedAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was scheduled.' })
  createdAt?: object;
  @Field(() => [TaskFilter], { nullable: true, description: 'All of these conditions.' })
  and?: TaskFilter[];
  @Field(() => [TaskFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: TaskFilter[];
  @Field(() => TaskFilter, { nullable: true, description: 'Not this condition.' })
  not?: TaskFilter;
}

@ArgsType()
export class CustomerTasksArgs extends PageArgs {
  @Field(() => TaskFilter, { nullable: true, description: 'Only tasks matching these conditions.' })
  filter?: TaskFilter | null;

  @Field(() => TaskOrderBy, { nullable: true, description: 'Sort order (default: earliest on the agenda first).' })
  orderBy?: { field: TaskSortField; direction: SortDirection } | null;
}

@ArgsType()
export class TasksArgs extends CustomerTasksArgs {
  @Field(() => Boolean, { nullable: true, description: 'true: only overdue tasks (OPEN, on the agenda before `asOf`); false: only tasks that are not.' })
  overdue?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'The instant `overdue` is judged at (default now).' })
  asOf?: Date | null;
}

@InputType({ description: 'A task to schedule. Give the customer, the contact, or both (the contact must then belong to the customer).' })
export class ScheduleTaskInput {
  @Field(() => TaskKind, { description: 'What to do.' })
  kind: TaskKind;
  @Field({ description: 'Short subject line (at most 200 characters).' })
  subject: string;
  @Field(() => String, { nullable: true, description: 'Details (at most 10,000 characters).' })
  notes?: string | null;
  @Field(() => ID, { nullable: true, description: 'The customer; may be omitted when a contact is given (the contact’s customer).' })
  customerId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The contact to speak to.' })
  contactId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Who does it (a SALES_REP or MANAGER; a sales rep must own the customer). Default: the caller, else the customer’s owner. A sales rep schedules only for themselves.' })
  ownerId?: string | null;
  @Field({ description: 'When it is due; not more than a year in the past, at most 5 years ahead.' })
  dueAt: Date;
  @Field(() => TaskPriority, { defaultValue: TaskPriority.NORMAL, description: 'How pressing it is.' })
  priority: TaskPriority;
  @Field(() => ID, { nullable: true, description: 'The opportunity it works towards; must be the customer’s (a sales rep: one they own).' })
  opportunityId?: string | null;
}

@InputType({ description: 'Changes to an open task. Omitted fields stay as they are; null clears notes and contact.' })
export class UpdateTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the task changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => TaskKind, { nullable: true, description: 'What to do; cannot be cleared.' })
  kind?: TaskKind | null;
  @Field(() => String, { nullable: true, description: 'Subject; cannot be cleared.' })
  subject?: string | null;
  @Field(() => String, { nullable: true, description: 'Details.' })
  notes?: string | null;
  @Field(() => ID, { nullable: true, description: 'The contact; must belong to the task’s customer.' })
  contactId?: string | null;
  @Field(() => Date, { nullable: true, description: 'New due time; clears a snooze. Cannot be cleared.' })
  dueAt?: Date | null;
  @Field(() => TaskPriority, { nullable: true, description: 'Priority; cannot be cleared.' })
  priority?: TaskPriority | null;
}

@InputType({ description: 'The touchpoint completeTask logs. Omitted fields come from the task: channel and purpose from its kind, the contact, the subject, and the owner as the handler.' })
export class CompletionTouchpointInput {
  @Field(() => TouchpointChannel, { nullable: true, description: 'Medium. Required for kinds without an obvious one (GREETING, THANK_YOU, COMPLAINT_RESPONSE, SURVEY, OTHER); CALL is PHONE, EMAIL EMAIL, VISIT VISIT, MEETING MEETING.' })
  channel?: TouchpointChannel | null;
  @Field(() => TouchpointDirection, { nullable: true, description: 'Who started it (default OUTBOUND).' })
  direction?: TouchpointDirection | null;
  @Field(() => TouchpointPurpose, { nullable: true, description: 'Why (default from the kind: GREETING, THANK_YOU, SURVEY, VISIT, SERVICE for a complaint response, FOLLOW_UP otherwise).' })
  purpose?: TouchpointPurpose | null;
  @Field(() => String, { nullable: true, description: 'Subject (default the task’s).' })
  subject?: string | null;
  @Field(() => String, { nullable: true, description: 'What was said or agreed.' })
  notes?: string | null;
  @Field(() => Int, { nullable: true, description: 'Customer satisfaction from 1 to 5.' })
  satisfaction?: number | null;
  @Field(() => Int, { nullable: true, description: 'Net Promoter answer from 0 to 10.' })
  nps?: number | null;
  @Field(() => ID, { nullable: true, description: 'The order it concerns; must be an order of the task’s customer.' })
  orderId?: string | null;
}

@InputType({ description: 'Marks an open task done and logs what happened as a touchpoint, in one transaction.' })
export class CompleteTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT if the task changed since.' })
  expectedVersion?: number | null;
  @Field(() => Date, { nullable: true, description: 'When it was done (default now); not in the future. The touchpoint occurred then.' })
  completedAt?: Date | null;
  @Field(() => CompletionTouchpointInput, { nullable: true, description: 'The touchpoint to log; may be omitted for a CALL, EMAIL, VISIT or MEETING.' })
  touchpoint?: CompletionTouchpointInput | null;
}

@InputType({ description: 'Puts an open task off until a later time.' })
export class SnoozeTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT if the task changed since.' })
  expectedVersion?: number | null;
  @Field({ description: 'Until when; in the future, at most a year ahead.' })
  until: Date;
}

@InputType({ description: 'Hands an open task to someone else.' })
export class ReassignTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT if the task changed since.' })
  expectedVersion?: number | null;
  @Field(() => ID, { description: 'The new owner: a SALES_REP who owns the customer, or a MANAGER. A sales rep cannot hand tasks to others.' })
  ownerId: string;
}

@InputType({ description: 'Drops an open task.' })
export class CancelTaskInput {
  @Field(() => ID, { description: 'The task.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT if the task changed since.' })
  expectedVersion?: number | null;
}

@ObjectType({ description: 'Result of a task mutation.' })
export class TaskPayload {
  @Field(() => Task, { nullable: true, description: 'The task as stored after the change; null when nothing was written.' })
  task: Task | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}
