import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { Money } from '../common/money.types';
import { Pii } from '../core/masking';
import { TouchpointChannel } from '../touchpoint/touchpoint.entity';
import {
  CompensationKind,
  ComplaintCategory,
  ComplaintSeverity,
  ComplaintStatus,
  EscalationReason,
  UNRESOLVED_STATUSES,
} from './complaint.vocabulary';

const HOUR_MS = 3_600_000;
const hoursBetween = (from: Date, to: Date | null): number | null => (to ? Math.round(((to.getTime() - from.getTime()) / HOUR_MS) * 100) / 100 : null);

@ObjectType({ description: 'What the customer was given to make up for the problem.' })
export class Compensation {
  @Field(() => CompensationKind, { description: 'Refund, discount, voucher, gift, replacement or repair.' })
  kind: CompensationKind;

  @Field(() => Money, { description: 'Its value, exact, in the currency it was given in.' })
  amount: Money;
}

@ObjectType({ description: 'What the customer said about how their complaint was resolved.' })
export class ComplaintFeedback {
  @Field({ description: 'Whether the customer is satisfied with the resolution.' })
  satisfied: boolean;

  @Field(() => String, { nullable: true, description: 'In their words. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  comment: string | null;

  @Field({ description: 'When the feedback was recorded.' })
  at: Date;
}

/**
 * A complaint, handled to the seeds' standard: fast (service levels per severity), listening (the channel it came
 * in on, the customer's own words), fixing (root cause, resolution), compensating, reporting back (feedback), and a
 * more senior handler when it runs late (escalations). Its status lives here and only here; the touchpoint that
 * opened it reads it from this row.
 */
@ObjectType({ implements: Node, description: 'A customer complaint and how it is being handled: status, service levels, handler, escalations, resolution, compensation and the customer’s feedback.' })
@Entity('complaints')
export class Complaint extends BaseRecord {
  protected get nodeType() {
    return 'Complaint';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  touchpointId: string | null;

  @Column({ type: 'uuid', nullable: true })
  contactId: string | null;

  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Column({ type: 'uuid', nullable: true })
  assigneeId: string | null;

  @Column({ type: 'uuid', nullable: true })
  escalatedToId: string | null;

  @Field(() => TouchpointChannel, { description: 'The channel the complaint came in on: the one to answer through.' })
  @Column({ type: 'text' })
  channel: TouchpointChannel;

  @Field(() => ComplaintCategory, { description: 'What it is about.' })
  @Column({ type: 'text' })
  category: ComplaintCategory;

  @Field(() => ComplaintSeverity, { description: 'How bad it is; decides the due times.' })
  @Column({ type: 'text' })
  severity: ComplaintSeverity;

  @Field(() => ComplaintStatus, { description: 'Where it stands. Changed only by the complaint mutations, each change recorded in `transitions`.' })
  @Column({ type: 'text' })
  status: ComplaintStatus;

  @Field({ description: 'Short summary, e.g. "Machine leaks".' })
  @Column({ type: 'text' })
  subject: string;

  @Field(() => String, { nullable: true, description: 'What the customer told us. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  description: string | null;

  @Field(() => Int, { description: 'How many times it went to a more senior handler (0: never).' })
  @Column({ type: 'int', default: 0 })
  escalationLevel: number;

  @Field({ description: 'When the customer complained.' })
  @Column({ type: 'timestamptz' })
  openedAt: Date;

  @Field({ description: 'When the first response is due: `openedAt` plus the severity’s first-response hours at the time it was opened.' })
  @Column({ type: 'timestamptz' })
  firstResponseDueAt: Date;

  @Field({ description: 'When the resolution is due: `openedAt` (or the reopening) plus the severity’s resolution hours.' })
  @Column({ type: 'timestamptz' })
  resolutionDueAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the customer first heard back from us (acknowledged, or resolved on the spot).' })
  @Column({ type: 'timestamptz', nullable: true })
  firstResponseAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was resolved; null while it is not (a reopening clears it).' })
  @Column({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was closed.' })
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'How it was fixed.' })
  @Column({ type: 'text', nullable: true })
  resolution: string | null;

  @Field(() => String, { nullable: true, description: 'Why it happened, so that it does not happen again.' })
  @Column({ type: 'text', nullable: true })
  rootCause: string | null;

  @Column({ type: 'text', nullable: true })
  compensationKind: CompensationKind | null;

  @Column({ type: 'numeric', precision: 19, scale: 4, nullable: true })
  compensationAmount: string | null;

  @Column({ type: 'text', nullable: true })
  compensationCurrency: string | null;

  @Column({ type: 'boolean', nullable: true })
  customerSatisfied: boolean | null;

  @Column({ type: 'text', nullable: true })
  feedbackComment: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  feedbackAt: Date | null;

  @Field(() => Int, { description: 'Incremented on every change. Pass it back as `expectedVersion` to detect concurrent handling.' })
  @Column({ type: 'int', default: 1 })
  version: number;

  @Field(() => Compensation, { nullable: true, description: 'What the customer was given; null when nothing.' })
  get compensation(): Compensation | null {
    if (!this.compensationKind || this.compensationAmount == null || !this.compensationCurrency) return null;
    return Object.assign(new Compensation(), { kind: this.compensationKind, amount: Money.of(this.compensationAmount, this.compensationCurrency) });
  }

  @Field(() => ComplaintFeedback, { nullable: true, description: 'The customer’s verdict on the resolution; null until recorded.' })
  get feedback(): ComplaintFeedback | null {
    if (this.customerSatisfied == null || !this.feedbackAt) return null;
    return Object.assign(new ComplaintFeedback(), { satisfied: this.customerSatisfied, comment: this.feedbackComment, at: this.feedbackAt });
  }

  @Field(() => Float, { nullable: true, description: 'Hours from opening to the first response; null without one.' })
  get firstResponseHours(): number | null {
    return hoursBetween(this.openedAt, this.firstResponseAt);
  }

  @Field(() => Float, { nullable: true, description: 'Hours from opening to the resolution; null while unresolved.' })
  get resolutionHours(): number | null {
    return hoursBetween(this.openedAt, this.resolvedAt);
  }

  get isUnresolved(): boolean {
    return UNRESOLVED_STATUSES.includes(this.status);
  }

  /** Past a due time without what was due, as of `asOf`. */
  isOverdueAt(asOf: Date): boolean {
    if (!this.isUnresolved) return false;
    const t = asOf.getTime();
    return (!this.firstResponseAt && this.firstResponseDueAt.getTime() < t) || this.resolutionDueAt.getTime() < t;
  }

  @Field(() => Boolean, {
    nullable: true,
    description:
      'Whether both service levels were met: first response by `firstResponseDueAt` and resolution by `resolutionDueAt`. false as soon as one is missed (also while still open), null while both can still be met.',
  })
  get withinSla(): boolean | null {
    return withinSla(this, new Date());
  }
}

/** The SLA verdict as of an instant (see Complaint.withinSla); the same rule as complaintStats' SQL. */
export function withinSla(
  c: Pick<Complaint, 'firstResponseAt' | 'firstResponseDueAt' | 'resolvedAt' | 'resolutionDueAt'>,
  asOf: Date,
): boolean | null {
  const t = asOf.getTime();
  const responseLate = c.firstResponseAt ? c.firstResponseAt > c.firstResponseDueAt : c.firstResponseDueAt.getTime() < t;
  const resolutionLate = c.resolvedAt ? c.resolvedAt > c.resolutionDueAt : c.resolutionDueAt.getTime() < t;
  if (responseLate || resolutionLate) return false;
  return c.resolvedAt ? true : null;
}

@ObjectType({ description: 'One change of a complaint’s status: from what, to what, when, by whom and why.' })
@Entity('complaint_transitions')
export class ComplaintTransition extends BaseRecord {
  protected get nodeType() {
    return 'ComplaintTransition';
  }

  @Column({ type: 'uuid' })
  complaintId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Field(() => ComplaintStatus, { nullable: true, description: 'The status before; null for the opening.' })
  @Column({ type: 'text', nullable: true })
  fromStatus: ComplaintStatus | null;

  @Field(() => ComplaintStatus, { description: 'The status after.' })
  @Column({ type: 'text' })
  toStatus: ComplaintStatus;

  @Field({ description: 'When it happened.' })
  @Column({ type: 'timestamptz' })
  at: Date;

  @Column({ type: 'uuid', nullable: true })
  byUserId: string | null;

  @Field({ description: 'Who made the change: a user, an API key or the system, as a label.' })
  @Column({ type: 'text' })
  actor: string;

  @Field(() => String, { nullable: true, description: 'Why, or what was said.' })
  @Column({ type: 'text', nullable: true })
  note: string | null;
}

@ObjectType({ implements: Node, description: 'A complaint handed to a more senior handler: by the worker when a service level was missed, or by hand.' })
@Entity('complaint_escalations')
export class ComplaintEscalation extends BaseRecord {
  protected get nodeType() {
    return 'ComplaintEscalation';
  }

  @Column({ type: 'uuid' })
  complaintId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Field(() => Int, { description: 'The complaint’s escalation level after this one (1 for the first).' })
  @Column({ type: 'int' })
  level: number;

  @Field(() => EscalationReason, { description: 'Why.' })
  @Column({ type: 'text' })
  reason: EscalationReason;

  @Field({ description: 'When.' })
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field(() => Date, { nullable: true, description: 'For the worker’s escalations: the due time that was missed. Each is escalated once.' })
  @Column({ type: 'timestamptz', nullable: true })
  missedDueAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  fromUserId: string | null;

  @Column({ type: 'uuid', nullable: true })
  toUserId: string | null;

  @Field(() => String, { nullable: true, description: 'Why, in words.' })
  @Column({ type: 'text', nullable: true })
  note: string | null;

  // The escalation job also schedules a COMPLAINT_RESPONSE task for `toUser` in the same transaction (Task.complaint).
}

@ObjectType({ description: 'The service levels for one severity: how fast a complaint must be answered and resolved.' })
@Entity('complaint_slas')
export class ComplaintSla {
  @Field(() => ComplaintSeverity, { description: 'The severity.' })
  @PrimaryColumn({ type: 'text' })
  severity: ComplaintSeverity;

  @Field(() => Int, { description: 'Hours from opening to the first response.' })
  @Column({ type: 'int' })
  firstResponseHours: number;

  @Field(() => Int, { description: 'Hours from opening (or reopening) to the resolution.' })
  @Column({ type: 'int' })
  resolutionHours: number;

  @Field({ description: 'When it was last changed.' })
  @Column({ type: 'timestamptz' })
  updatedAt: Date;

  @Field(() => Int, { description: 'Incremented on every change.' })
  @Column({ type: 'int', default: 1 })
  version: number;
}
