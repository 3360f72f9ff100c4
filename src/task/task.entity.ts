import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { Pii } from '../core/masking';
import { TaskKind } from './task-kind';

export enum TaskPriority {
  LOW = 'LOW',
  NORMAL = 'NORMAL',
  HIGH = 'HIGH',
  URGENT = 'URGENT',
}
registerEnumType(TaskPriority, {
  name: 'TaskPriority',
  description: 'How pressing a task is.',
  valuesConfig: {
    LOW: { description: 'When there is time.' },
    NORMAL: { description: 'The usual.' },
    HIGH: { description: 'Before the usual work.' },
    URGENT: { description: 'Before anything else.' },
  },
});

export enum TaskStatus {
  OPEN = 'OPEN',
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'Where a task stands.',
  valuesConfig: {
    OPEN: { description: 'To do (possibly snoozed).' },
    DONE: { description: 'Completed; `completedAt` and `completionTouchpoint` say when and how.' },
    CANCELLED: { description: 'Dropped without being done.' },
  },
});

@ObjectType({ implements: Node, description: 'A follow-up to do with a customer: a call, visit, greeting…, with an owner, a due time and a priority. Completing it logs the touchpoint.' })
@Entity('tasks')
export class Task extends BaseRecord {
  protected get nodeType() {
    return 'Task';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  contactId: string | null;

  /** The opportunity the task works towards (Task.opportunity). */
  @Column({ type: 'uuid', nullable: true })
  opportunityId: string | null;

  /** The complaint the task answers: an escalation's COMPLAINT_RESPONSE task for the manager (Task.complaint). */
  @Column({ type: 'uuid', nullable: true })
  complaintId: string | null;

  @Column({ type: 'uuid' })
  ownerId: string;

  @Field(() => TaskKind, { description: 'What to do.' })
  @Column({ type: 'text' })
  kind: TaskKind;

  @Field({ description: 'Short subject line, e.g. "Call about the spring order".' })
  @Column({ type: 'text' })
  subject: string;

  @Field(() => String, { nullable: true, description: 'Details. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Field({ description: 'When it is due.' })
  @Column({ type: 'timestamptz' })
  dueAt: Date;

  @Field(() => TaskPriority, { description: 'How pressing it is.' })
  @Column({ type: 'text' })
  priority: TaskPriority;

  @Field(() => TaskStatus, { description: 'OPEN, DONE or CANCELLED.' })
  @Column({ type: 'text' })
  status: TaskStatus;

  @Field(() => Date, { nullable: true, description: 'Put off until then (snoozeTask); null when not snoozed.' })
  @Column({ type: 'timestamptz', nullable: true })
  snoozedUntil: Date | null;

  @Field({ description: 'When the task is on the agenda: `dueAt`, or `snoozedUntil` when that is later. Lists and `myAgenda` order by it.' })
  @Column({ type: 'timestamptz', insert: false, update: false })
  followUpAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was done; null unless DONE.' })
  @Column({ type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  completionTouchpointId: string | null;

  @Field(() => Date, { nullable: true, description: 'When it was cancelled; null unless CANCELLED.' })
  @Column({ type: 'timestamptz', nullable: true })
  cancelledAt: Date | null;

  @Field(() => String, { nullable: true, description: 'The `myAgenda` suggestion this task was accepted from (acceptSuggestion); null for a task scheduled directly.' })
  @Column({ type: 'text', nullable: true })
  suggestionId: string | null;

  @Field(() => Int, { description: 'Incremented on every change. Pass it back as `expectedVersion` to detect concurrent edits.' })
  @Column({ type: 'int', default: 1 })
  version: number;

  /** Whether it is open and on the agenda before `at`. */
  isOverdue(at: Date): boolean {
    return this.status === TaskStatus.OPEN && this.followUpAt.getTime() < at.getTime();
  }
}
