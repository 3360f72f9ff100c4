import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { resolveReference } from '../common/references';
import { setDeleted } from '../common/soft-delete';
import { defined, optionalText, pastInstant } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { Order } from '../order/order.entity';
import { actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { byIdJoin } from '../core/loaders';
import { complaintOfTouchpointJoin } from '../complaint/complaint.loaders';
import { findInScope } from '../common/scoped';
import { User } from '../user/user.entity';
import { touchpointList, TouchpointSummary, touchpointSummary } from './touchpoint.loaders';
import { Complaint } from '../complaint/complaint.entity';
import { checkTransition, insertComplaint, moveComplaint } from '../complaint/complaint.handling';
import { ComplaintCategory, ComplaintSeverity, ComplaintStatus } from '../complaint/complaint.vocabulary';
import { Touchpoint, TouchpointDirection, TouchpointPurpose } from './touchpoint.entity';
import type { LogTouchpointInput, NextFollowUpInput, TouchpointFields, TouchpointPayload, UpdateTouchpointInput } from './touchpoint.types';

/** How far in the future a time may lie: clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;

type Path = string[];
/** Where a touchpoint's input sits in the mutation: `input` for logTouchpoint, `input.touchpoint` for completeTask. */
const INPUT: Path = ['input'];
/** The contact a touchpoint was with, read with a page of touchpoints. */
const TOUCHPOINT_CONTACT = byIdJoin<Touchpoint, Contact>(Contact, 'contact_id', (t) => t.contactId);

const payload = (touchpoint: Touchpoint | null, errors: UserErrors): TouchpointPayload => ({ touchpoint: errors.any ? null : touchpoint, userErrors: errors.list });

/** Touchpoint times lie between 1900-01-01 and now. */
function pastTime(errors: UserErrors, field: string, value: Date, now: Date, base: Path = INPUT): void {
  pastInstant(errors, [...base, field], value, now, CLOCK_SKEW_MS);
}

function score(errors: UserErrors, field: string, value: number | null | undefined, min: number, max: number, base: Path): number | null | undefined {
  if (value != null && (value < min || value > max)) {
    errors.add([...base, field], UserErrorCode.OUT_OF_RANGE, `Must be between ${min} and ${max}.`);
    return undefined;
  }
  return value;
}

/** What logTouchpoint and updateTouchpoint may ask of the complaint a COMPLAINT touchpoint opens. */
interface ComplaintRequest {
  status: ComplaintStatus | null;
  resolvedAt: Date | null;
}

/**
 * The complaint fields of a log or update, checked: only complaints have them; a resolution time goes with RESOLVED (or
 * implies it), never before the complaint was made nor in the future. The complaint itself (src/complaint/) holds the
 * status: these only ask it to move.
 */
function complaintRequest(errors: UserErrors, purpose: TouchpointPurpose, occurredAt: Date, input: TouchpointFields, now: Date, base: Path = INPUT): ComplaintRequest {
  const at = (f: string) => [...base, f];
  if (purpose !== TouchpointPurpose.COMPLAINT) {
    if (input.complaintStatus != null) errors.add(at('complaintStatus'), UserErrorCode.INVALID, 'Only complaints have a complaint status.');
    if (input.resolvedAt != null) errors.add(at('resolvedAt'), UserErrorCode.INVALID, 'Only complaints can be resolved.');
    return { status: null, resolvedAt: null };
  }
  const status = input.complaintStatus ?? (input.resolvedAt ? ComplaintStatus.RESOLVED : null);
  if (input.resolvedAt != null && status !== ComplaintStatus.RESOLVED) {
    errors.add(at('resolvedAt'), UserErrorCode.INVALID, 'Only a resolved complaint has a resolution time; set complaintStatus to RESOLVED.');
  }
  if (status !== ComplaintStatus.RESOLVED) return { status, resolvedAt: null };
  const resolvedAt = input.resolvedAt ?? now;
  if (resolvedAt < occurredAt) {
    errors.add(at(input.resolvedAt ? 'resolvedAt' : 'occurredAt'), UserErrorCode.OUT_OF_RANGE, 'A complaint cannot be resolved before it was made.');
  }
  pastTime(errors, 'resolvedAt', resolvedAt, now, base);
  return { status, resolvedAt };
}

/**
 * Resolves the ID of a contact or order that must belong to the touchpoint's customer. One of
 * another customer is INVALID (it exists, but linking it would mix up two customers' histories);
 * one outside the caller's `scope` is NOT_FOUND, so a sales rep cannot probe another rep's records.
 */
export async function customerReference(
  m: EntityManager,
  errors: UserErrors,
  field: string,
  entity: typeof Contact | typeof Order,
  globalId: string | null | undefined,
  customerId: string | null | undefined,
  scope: string | null,
  base: Path = INPUT,
): Promise<string | null | undefined> {
  const at = (f: string) => [...base, f];
  if (globalId == null) return globalId;
  const type = entity.name;
  const id = decodeIdOf(type, globalId);
  if (!id) {
    errors.add(at(field), UserErrorCode.INVALID_ID, `Not a valid ${type} ID.`);
    return undefined;
  }
  const row = await findInScope<Contact | Order>(m, entity, id, scope);
  if (!row) {
    errors.add(at(field), UserErrorCode.NOT_FOUND, `No ${type.toLowerCase()} with this ID.`);
    return undefined;
  }
  if (customerId && row.customerId !== customerId) {
    errors.add(at(field), UserErrorCode.INVALID, `This ${type.toLowerCase()} belongs to another customer.`);
    return undefined;
  }
  return id;
}

/**
 * Schedules the follow-up logTouchpoint may carry. The task domain sits above this one (completing a task logs a
 * touchpoint), so the wiring plugs it in (src/server/services.ts). Prepare checks without writing; write inserts.
 */
export interface FollowUpScheduler {
  prepareFollowUp(m: EntityManager, errors: UserErrors, path: string[], followUp: NextFollowUpInput, customerId: string, contactId: string | null): Promise<unknown | null>;
  writeFollowUp(m: EntityManager, prepared: unknown): Promise<unknown>;
}

/** What prepareLog needs of a touchpoint to log: logTouchpoint's input, less the follow-up. */
export type LogTouchpointFields = Omit<LogTouchpointInput, 'nextFollowUp' | 'direction'> & { direction?: TouchpointDirection | null };

export class TouchpointService {
  followUps?: FollowUpScheduler;
  /** What each prepared row asks of the complaint it opens (prepareLog to writeLog, without a column for it). */
  private readonly complaintRequests = new WeakMap<object, ComplaintRequest>();

  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<Touchpoint>> {
    return this.deps.loaders.list(touchpointList, args);
  }

  /**
   * A customer's touchpoints; with the complaint each opened and the contact spoken to read in the page's statement
   * when the query shows them, and its totalCount with a first page.
   */
  ofCustomer(customerId: string, args: ListArgs, reads: { withComplaints?: boolean; withContacts?: boolean; withCount?: boolean } = {}): Promise<Connection<Touchpoint>> {
    const joins = [...(reads.withComplaints ? [complaintOfTouchpointJoin] : []), ...(reads.withContacts ? [TOUCHPOINT_CONTACT] : [])];
    return this.deps.loaders.pageByParent(touchpointList, 'customer_id', args, { joins, withCount: reads.withCount }).load(customerId);
  }

  summary(customerId: string): Promise<TouchpointSummary> {
    this.deps.access.require('touchpoints:read');
    return touchpointSummary(this.deps.loaders, customerId);
  }

  /** The touchpoints the caller may change: those of customers in their book. */
  private get scope(): string | null {
    return this.deps.access.rowCondition('touchpoints');
  }

  async log(input: LogTouchpointInput): Promise<TouchpointPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const row = await this.prepareLog(m, errors, input, INPUT, new Date());
      // The next follow-up is checked before anything is written, so a bad one leaves no touchpoint behind.
      const followUp =
        input.nextFollowUp && row?.customerId && this.followUps
          ? await this.followUps.prepareFollowUp(m, errors, [...INPUT, 'nextFollowUp'], input.nextFollowUp, row.customerId, row.contactId ?? null)
          : null;
      if (errors.any || !row) return payload(null, errors);
      const created = await this.writeLog(m, row);
      const nextFollowUp = followUp ? await this.followUps!.writeFollowUp(m, followUp) : null;
      return { ...payload(created, errors), nextFollowUp };
    });
  }

  /**
   * Checks a touchpoint to log (input at `base`) and resolves its references inside the caller's transaction,
   * without writing: the row to insert, or null with the problems in `errors`. completeTask logs through here too.
   */
  async prepareLog(m: EntityManager, errors: UserErrors, input: LogTouchpointFields, base: string[], now: Date): Promise<Partial<Touchpoint> | null> {
    const at = (f: string) => [...base, f];
    const occurredAt = input.occurredAt ?? now;
    pastTime(errors, 'occurredAt', occurredAt, now, base);
    const complaint = complaintRequest(errors, input.purpose, occurredAt, input, now, base);
    if (complaint.status && complaint.status !== ComplaintStatus.OPEN && complaint.status !== ComplaintStatus.RESOLVED) {
      errors.add(at('complaintStatus'), UserErrorCode.INVALID, 'A complaint is logged OPEN or RESOLVED; move it on with the complaint mutations.');
    }
    const fields = this.validateFields(errors, input, base);
    const customerId = await resolveReference(m, errors, at('customerId'), 'Customer', Customer, input.customerId, this.deps.access.rowCondition('customers'));
    const contactId = await customerReference(m, errors, 'contactId', Contact, input.contactId, customerId, this.deps.access.rowCondition('contacts'), base);
    const orderId = await customerReference(m, errors, 'orderId', Order, input.orderId, customerId, this.deps.access.rowCondition('orders'), base);
    const userId = input.userId == null ? actorUserId(this.deps.actor) : await resolveReference(m, errors, at('userId'), 'User', User, input.userId);
    if (errors.any || !customerId) return null;
    const row: Partial<Touchpoint> = {
      ...fields,
      customerId,
      contactId: contactId ?? null,
      orderId: orderId ?? null,
      userId,
      channel: input.channel,
      direction: input.direction ?? TouchpointDirection.OUTBOUND,
      purpose: input.purpose,
      occurredAt,
    };
    this.complaintRequests.set(row, complaint);
    return row;
  }

  /**
   * Inserts a touchpoint prepareLog accepted, with its audit event, inside the caller's transaction; a COMPLAINT
   * touchpoint opens its complaint in the same transaction.
   */
  async writeLog(m: EntityManager, row: Partial<Touchpoint>): Promise<Touchpoint> {
    const repo = m.getRepository(Touchpoint);
    const touchpoint = repo.create(row);
    await repo.insert(touchpoint);
    const created = await repo.findOneByOrFail({ id: touchpoint.id });
    await recordAudit(m, this.deps, { action: 'touchpoint.log', objectType: 'Touchpoint', objectId: created.id, after: created });
    if (created.purpose === TouchpointPurpose.COMPLAINT) {
      await this.openComplaintOf(m, created, this.complaintRequests.get(row) ?? { status: null, resolvedAt: null });
    }
    return created;
  }

  async update(input: UpdateTouchpointInput): Promise<TouchpointPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const at = (f: string) => [...INPUT, f];
    const id = decodeIdOf('Touchpoint', input.id);
    if (!id) {
      errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Touchpoint ID.');
      return payload(null, errors);
    }
    for (const field of ['channel', 'direction', 'purpose', 'occurredAt'] as const) {
      if (input[field] === null) errors.add(at(field), UserErrorCode.REQUIRED, 'Cannot be cleared.');
    }
    const now = new Date();
    if (input.occurredAt) pastTime(errors, 'occurredAt', input.occurredAt, now);
    const fields = this.validateFields(errors, input, INPUT);
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(Touchpoint);
      const current = await findInScope(m, Touchpoint, id, this.scope, { lock: true });
      if (!current) {
        errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No touchpoint with this ID.');
        return payload(null, errors);
      }
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The touchpoint changed since you read it (version ${current.version}, you sent ${input.expectedVersion}).`);
        return payload(null, errors);
      }
      const purpose = input.purpose ?? current.purpose;
      const occurredAt = input.occurredAt ?? current.occurredAt;
      const request = complaintRequest(errors, purpose, occurredAt, input, now);
      const complaint = await m.getRepository(Complaint).createQueryBuilder('k').where('k.touchpoint_id = :id', { id }).setLock('pessimistic_write').getOne();
      if (complaint && purpose !== TouchpointPurpose.COMPLAINT) {
        errors.add(at('purpose'), UserErrorCode.INVALID, 'This touchpoint opened a complaint, which keeps its history: it stays a COMPLAINT (delete the touchpoint if it was logged by mistake).');
      }
      if (complaint && input.occurredAt && input.occurredAt.getTime() !== current.occurredAt.getTime()) {
        errors.add(at('occurredAt'), UserErrorCode.INVALID, 'The complaint’s due times count from this instant: it cannot be moved once the complaint is open.');
      }
      // OPEN asks to reopen a resolved complaint, which goes back to work; any other status is a transition as asked.
      const to = request.status === ComplaintStatus.OPEN && complaint && !complaint.isUnresolved ? ComplaintStatus.IN_PROGRESS : request.status;
      if (complaint && to && to !== complaint.status) checkTransition(errors, at('complaintStatus'), complaint.status, to);
      const changes = defined({
        contactId: await customerReference(m, errors, 'contactId', Contact, input.contactId, current.customerId, this.deps.access.rowCondition('contacts')),
        orderId: await customerReference(m, errors, 'orderId', Order, input.orderId, current.customerId, this.deps.access.rowCondition('orders')),
        userId: await resolveReference(m, errors, at('userId'), 'User', User, input.userId),
        channel: input.channel ?? undefined,
        direction: input.direction ?? undefined,
      });
      if (errors.any) return payload(null, errors);
      await repo.update({ id }, { ...fields, ...changes, purpose, occurredAt, version: current.version + 1 });
      const updated = await repo.findOneByOrFail({ id });
      await recordAudit(m, this.deps, { action: 'touchpoint.update', objectType: 'Touchpoint', objectId: id, before: current, after: updated });
      if (!complaint && purpose === TouchpointPurpose.COMPLAINT) await this.openComplaintOf(m, updated, request);
      else if (complaint && to && to !== complaint.status) await this.moveComplaint(m, complaint, to, request.resolvedAt ?? now);
      return payload(updated, errors);
    });
  }

  async delete(globalId: string): Promise<TouchpointPayload> {
    return this.setDeleted(globalId, true);
  }

  async restore(globalId: string): Promise<TouchpointPayload> {
    return this.setDeleted(globalId, false);
  }

  private async setDeleted(globalId: string, deleted: boolean): Promise<TouchpointPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = decodeIdOf('Touchpoint', globalId);
    if (!id) {
      errors.add([...INPUT, 'id'], UserErrorCode.INVALID_ID, 'Not a valid Touchpoint ID.');
      return payload(null, errors);
    }
    return this.deps.db.transaction(async (m) => {
      const touchpoint = await setDeleted(m, errors, Touchpoint, 'touchpoint', id, deleted, this.deps, { scope: this.scope });
      return payload(touchpoint, errors);
    });
  }

  /**
   * A COMPLAINT touchpoint opens a complaint (category OTHER, severity MEDIUM: openComplaint records them), handled
   * by the touchpoint's user or else the customer's owner; logged as resolved, it is resolved at once.
   */
  private async openComplaintOf(m: EntityManager, t: Touchpoint, request: ComplaintRequest): Promise<void> {
    const owner = (await m.getRepository(Customer).findOneByOrFail({ id: t.customerId })).ownerId;
    const complaint = await insertComplaint(m, this.deps, {
      customerId: t.customerId,
      touchpointId: t.id,
      contactId: t.contactId,
      orderId: t.orderId,
      assigneeId: t.userId ?? owner,
      channel: t.channel,
      category: ComplaintCategory.OTHER,
      severity: ComplaintSeverity.MEDIUM,
      subject: t.subject ?? 'Complaint',
      description: t.notes,
      openedAt: t.occurredAt,
    });
    if (request.status === ComplaintStatus.RESOLVED) await this.moveComplaint(m, complaint, ComplaintStatus.RESOLVED, request.resolvedAt ?? new Date());
  }

  /** Moves the complaint of a touchpoint as the complaint mutations would (checked by the caller). */
  private async moveComplaint(m: EntityManager, complaint: Complaint, to: ComplaintStatus, when: Date): Promise<void> {
    const columns: Partial<Complaint> =
      to === ComplaintStatus.RESOLVED ? { resolvedAt: when } : to === ComplaintStatus.CLOSED ? { closedAt: when } : to === ComplaintStatus.IN_PROGRESS ? { resolvedAt: null } : {};
    await moveComplaint(m, this.deps, complaint, to, when, 'Changed on the complaint touchpoint', columns);
  }

  /** Validates the plain fields shared by log and update; returns the columns to write. */
  private validateFields(errors: UserErrors, input: TouchpointFields, base: Path): Partial<Touchpoint> {
    return defined({
      subject: optionalText(errors, [...base, 'subject'], input.subject),
      notes: optionalText(errors, [...base, 'notes'], input.notes, 10_000),
      satisfaction: score(errors, 'satisfaction', input.satisfaction, 1, 5, base),
      nps: score(errors, 'nps', input.nps, 0, 10, base),
    });
  }
}
