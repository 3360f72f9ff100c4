import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { formatAmount } from '../common/money';
import { resolveReference } from '../common/references';
import { findInScope } from '../common/scoped';
import { currencyCode, nonNegativeAmount, optionalText, pastInstant, requiredText } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import { Customer } from '../customer/customer.entity';
import { actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { UserRole } from '../core/roles';
import { Order } from '../order/order.entity';
import { Touchpoint, TouchpointDirection, TouchpointPurpose } from '../touchpoint/touchpoint.entity';
import { customerReference } from '../touchpoint/touchpoint.service';
import { User } from '../user/user.entity';
import { Complaint, ComplaintEscalation, ComplaintSla } from './complaint.entity';
import { addHours, checkTransition, insertComplaint, lastTransitionAt, moveComplaint, slaOf } from './complaint.handling';
import { complaintEscalationList, complaintList } from './complaint.loaders';
import { complaintStats } from './complaint.stats';
import type {
  UpdateComplaintInput,
  AssignComplaintInput,
  ComplaintPayload,
  ComplaintSlaPayload,
  ComplaintStats,
  ComplaintStatsArgs,
  ComplaintStepInput,
  EscalateComplaintInput,
  OpenComplaintInput,
  RecordComplaintFeedbackInput,
  ResolveComplaintInput,
  SetComplaintSlaInput,
} from './complaint.types';
import { ComplaintSeverity, ComplaintStatus, EscalationReason } from './complaint.vocabulary';

/** How far in the future a time may lie: clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;
/** Staff who handle complaints; analysts read only. */
const HANDLER_ROLES: readonly string[] = [UserRole.SALES_REP, UserRole.MANAGER, UserRole.ADMIN];
/** A more senior handler. */
const SENIOR_ROLES: readonly string[] = [UserRole.MANAGER, UserRole.ADMIN];
const SEVERITY_ORDER = Object.values(ComplaintSeverity);

const at = (f: string) => ['input', f];
const payload = (complaint: Complaint | null, errors: UserErrors): ComplaintPayload => ({ complaint: errors.any ? null : complaint, userErrors: errors.list });

export class ComplaintService {
  constructor(private readonly deps: ServiceDeps) {}

  list(args: ListArgs): Promise<Connection<Complaint>> {
    return this.deps.loaders.list(complaintList, args);
  }

  ofCustomer(customerId: string, args: ListArgs): Promise<Connection<Complaint>> {
    return this.deps.loaders.pageByParent(complaintList, 'customer_id', args).load(customerId);
  }

  escalations(args: ListArgs): Promise<Connection<ComplaintEscalation>> {
    return this.deps.loaders.list(complaintEscalationList, args);
  }

  async slas(): Promise<ComplaintSla[]> {
    this.deps.access.require('touchpoints:read');
    const rows = await this.deps.db.getRepository(ComplaintSla).find();
    return rows.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity));
  }

  stats(args: ComplaintStatsArgs): Promise<ComplaintStats> {
    this.deps.access.require('analytics:read');
    this.deps.access.require('touchpoints:read');
    return complaintStats(this.deps, args);
  }

  /** The complaints the caller may change: those of customers in their book. */
  private get scope(): string | null {
    return this.deps.access.rowCondition('complaints');
  }

  /** Opens a complaint and logs the inbound COMPLAINT touchpoint it came in as, in one transaction. */
  async open(input: OpenComplaintInput): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const now = new Date();
    const openedAt = input.openedAt ?? now;
    pastInstant(errors, at('openedAt'), openedAt, now, CLOCK_SKEW_MS);
    const subject = requiredText(errors, at('subject'), input.subject);
    const description = optionalText(errors, at('description'), input.description, 10_000) ?? null;
    return this.deps.db.transaction(async (m) => {
      const customerId = await resolveReference(m, errors, at('customerId'), 'Customer', Customer, input.customerId, this.deps.access.rowCondition('customers'));
      const contactId = await customerReference(m, errors, 'contactId', Contact, input.contactId, customerId, this.deps.access.rowCondition('contacts'));
      const orderId = await customerReference(m, errors, 'orderId', Order, input.orderId, customerId, this.deps.access.rowCondition('orders'));
      const assignee = input.assigneeId == null ? undefined : await this.handler(m, errors, at('assigneeId'), input.assigneeId, HANDLER_ROLES);
      if (errors.any || !customerId || !subject) return payload(null, errors);
      const owner = (await m.getRepository(Customer).findOneByOrFail({ id: customerId })).ownerId;
      const touchpoints = m.getRepository(Touchpoint);
      const touchpoint = touchpoints.create({
        customerId,
        contactId: contactId ?? null,
        orderId: orderId ?? null,
        userId: actorUserId(this.deps.actor),
        channel: input.channel,
        direction: TouchpointDirection.INBOUND,
        purpose: TouchpointPurpose.COMPLAINT,
        occurredAt: openedAt,
        subject,
        notes: description,
      });
      await touchpoints.insert(touchpoint);
      await recordAudit(m, this.deps, { action: 'touchpoint.log', objectType: 'Touchpoint', objectId: touchpoint.id, after: await touchpoints.findOneByOrFail({ id: touchpoint.id }) });
      const complaint = await insertComplaint(m, this.deps, {
        customerId,
        touchpointId: touchpoint.id,
        contactId: contactId ?? null,
        orderId: orderId ?? null,
        assigneeId: assignee?.id ?? owner ?? actorUserId(this.deps.actor),
        channel: input.channel,
        category: input.category,
        severity: input.severity,
        subject,
        description,
        openedAt,
      });
      return payload(complaint, errors);
    });
  }

  acknowledge(input: ComplaintStepInput): Promise<ComplaintPayload> {
    return this.step(input, ComplaintStatus.ACKNOWLEDGED, (_, when) => ({ firstResponseAt: when }));
  }

  startWork(input: ComplaintStepInput): Promise<ComplaintPayload> {
    return this.step(input, ComplaintStatus.IN_PROGRESS, undefined, undefined, undefined, [ComplaintStatus.OPEN, ComplaintStatus.ACKNOWLEDGED]);
  }

  resolve(input: ResolveComplaintInput): Promise<ComplaintPayload> {
    return this.step(input, ComplaintStatus.RESOLVED, (errors, when) => {
      const resolution = requiredText(errors, at('resolution'), input.resolution, 2_000);
      const rootCause = optionalText(errors, at('rootCause'), input.rootCause, 2_000);
      const changes: Partial<Complaint> = { resolvedAt: when, resolution: resolution ?? null, ...(rootCause !== undefined ? { rootCause } : {}) };
      const comp = input.compensation;
      if (comp) {
        const currency = currencyCode(errors, ['input', 'compensation', 'currencyCode'], comp.currencyCode);
        const units = currency ? nonNegativeAmount(errors, ['input', 'compensation', 'amount'], comp.amount, currency) : undefined;
        if (currency && units !== undefined) Object.assign(changes, { compensationKind: comp.kind, compensationAmount: formatAmount(units), compensationCurrency: currency });
      }
      return changes;
    });
  }

  close(input: ComplaintStepInput): Promise<ComplaintPayload> {
    return this.step(input, ComplaintStatus.CLOSED, (_, when) => ({ closedAt: when }));
  }

  /** A resolved complaint the customer says is not fixed: back to work, with a fresh resolution due time. */
  reopen(input: ComplaintStepInput): Promise<ComplaintPayload> {
    return this.step(input, ComplaintStatus.IN_PROGRESS, () => ({ resolvedAt: null }), 'complaint.reopen', async (m, current, when) => {
      const sla = await slaOf(m, current.severity);
      return { resolutionDueAt: addHours(when, sla.resolutionHours) };
    }, [ComplaintStatus.RESOLVED]);
  }

  /**
   * One step along the complaint's transitions: validates the input (`extra` adds the step's own fields), then in one
   * transaction locks the complaint (within the caller's scope), checks its version, the transition and the time, and
   * moves it.
   */
  private async step(
    input: ComplaintStepInput,
    to: ComplaintStatus,
    extra: (errors: UserErrors, when: Date) => Partial<Complaint> = () => ({}),
    action = 'complaint.transition',
    later?: (m: EntityManager, current: Complaint, when: Date) => Promise<Partial<Complaint>>,
    /** The statuses this step starts from, when narrower than the transitions allow (reopening starts from RESOLVED only). */
    from?: readonly ComplaintStatus[],
  ): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = this.id(errors, input.id);
    const now = new Date();
    const when = input.at ?? now;
    pastInstant(errors, at('at'), when, now, CLOCK_SKEW_MS);
    const note = optionalText(errors, at('note'), input.note, 2_000) ?? null;
    const changes = extra(errors, when);
    if (!id) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, id, input.expectedVersion);
      if (!current) return payload(null, errors);
      if (from && !from.includes(current.status)) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The complaint is ${current.status}; this step starts from ${from.join(' or ')}.`);
      } else checkTransition(errors, at('id'), current.status, to);
      const last = await lastTransitionAt(m, id);
      if (last && when < last) errors.add(at('at'), UserErrorCode.OUT_OF_RANGE, `Must not be before the complaint’s last change (${last.toISOString()}).`);
      if (errors.any) return payload(null, errors);
      const more = later ? await later(m, current, when) : {};
      return payload(await moveComplaint(m, this.deps, current, to, when, note, { ...changes, ...more }, action), errors);
    });
  }

  async assign(input: AssignComplaintInput): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = this.id(errors, input.id);
    if (!id) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const assignee = await this.handler(m, errors, at('assigneeId'), input.assigneeId, HANDLER_ROLES);
      const current = await this.locked(m, errors, id, input.expectedVersion);
      if (!current || !assignee || errors.any) return payload(null, errors);
      if (current.status === ComplaintStatus.CLOSED) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, 'A CLOSED complaint is final: it cannot be reassigned.');
        return payload(null, errors);
      }
      return payload(await this.change(m, current, { assigneeId: assignee.id }, 'complaint.assign'), errors);
    });
  }

  /** Corrects category, severity (due times follow on an unresolved complaint), subject or description. */
  async update(input: UpdateComplaintInput): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = this.id(errors, input.id);
    for (const field of ['category', 'severity', 'subject'] as const) {
      if (input[field] === null) errors.add(at(field), UserErrorCode.REQUIRED, 'Cannot be cleared.');
    }
    const subject = input.subject == null ? undefined : requiredText(errors, at('subject'), input.subject);
    const description = input.description === undefined ? undefined : optionalText(errors, at('description'), input.description, 10_000);
    if (!id || errors.any) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, id, input.expectedVersion);
      if (!current || errors.any) return payload(null, errors);
      if (current.status === ComplaintStatus.CLOSED) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, 'A CLOSED complaint is final: it cannot be changed.');
        return payload(null, errors);
      }
      const changes: Partial<Complaint> = {};
      if (input.category != null) changes.category = input.category;
      if (subject !== undefined) changes.subject = subject;
      if (description !== undefined) changes.description = description ?? null;
      if (input.severity != null && input.severity !== current.severity) {
        changes.severity = input.severity;
        // A corrected severity resets what the complaint is held to; a resolved one keeps the levels it was judged by.
        if (current.isUnresolved) {
          const sla = await slaOf(m, input.severity);
          changes.firstResponseDueAt = addHours(current.openedAt, sla.firstResponseHours);
          changes.resolutionDueAt = addHours(current.openedAt, sla.resolutionHours);
        }
      }
      return payload(await this.change(m, current, changes, 'complaint.update'), errors);
    });
  }

  /** "A more senior handler": the complaint goes to the handler's manager (or the user named), one level up. */
  async escalate(input: EscalateComplaintInput): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = this.id(errors, input.id);
    const note = requiredText(errors, at('note'), input.note, 2_000);
    if (!id) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const named = input.toUserId == null ? undefined : await this.handler(m, errors, at('toUserId'), input.toUserId, SENIOR_ROLES);
      const current = await this.locked(m, errors, id, input.expectedVersion);
      if (!current || errors.any || !note) return payload(null, errors);
      if (!current.isUnresolved) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `A ${current.status} complaint is not escalated: reopen it first.`);
        return payload(null, errors);
      }
      const [{ handler, manager }]: Array<{ handler: string | null; manager: string | null }> = await m.query(
        `SELECT h.id AS handler, h.manager_id AS manager
           FROM complaints k JOIN customers c ON c.id = k.customer_id
           LEFT JOIN users h ON h.id = coalesce(k.escalated_to_id, k.assignee_id, c.owner_id)
          WHERE k.id = $1`,
        [id],
      );
      const toUserId = named?.id ?? manager;
      if (!toUserId) {
        errors.add(at('toUserId'), UserErrorCode.REQUIRED, 'The current handler has no manager on record: name who takes the complaint over.');
        return payload(null, errors);
      }
      const level = current.escalationLevel + 1;
      await m.getRepository(ComplaintEscalation).insert({
        complaintId: id,
        customerId: current.customerId,
        level,
        reason: EscalationReason.MANUAL,
        at: new Date(),
        missedDueAt: null,
        fromUserId: handler,
        toUserId,
        note,
      });
      return payload(await this.change(m, current, { escalationLevel: level, escalatedToId: toUserId }, 'complaint.escalate'), errors);
    });
  }

  async recordFeedback(input: RecordComplaintFeedbackInput): Promise<ComplaintPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const id = this.id(errors, input.id);
    const comment = optionalText(errors, at('comment'), input.comment, 2_000) ?? null;
    const now = new Date();
    const when = input.at ?? now;
    pastInstant(errors, at('at'), when, now, CLOCK_SKEW_MS);
    if (!id) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const current = await this.locked(m, errors, id, input.expectedVersion);
      if (!current || errors.any) return payload(null, errors);
      if (current.isUnresolved) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The complaint is ${current.status}: feedback on the resolution comes once it is resolved.`);
        return payload(null, errors);
      }
      if (current.resolvedAt && when < current.resolvedAt) errors.add(at('at'), UserErrorCode.OUT_OF_RANGE, 'Feedback on the resolution comes after it.');
      if (errors.any) return payload(null, errors);
      return payload(await this.change(m, current, { customerSatisfied: input.satisfied, feedbackComment: comment, feedbackAt: when }, 'complaint.feedback'), errors);
    });
  }

  async setSla(input: SetComplaintSlaInput): Promise<ComplaintSlaPayload> {
    this.deps.access.require('settings:write');
    const errors = new UserErrors();
    const hours = (field: string, value: number, min: number) => {
      if (value < min || value > 8760) errors.add(at(field), UserErrorCode.OUT_OF_RANGE, `Must be between ${min} and 8760 hours.`);
    };
    hours('firstResponseHours', input.firstResponseHours, 1);
    hours('resolutionHours', input.resolutionHours, Math.max(1, input.firstResponseHours));
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(ComplaintSla);
      const current = await repo.createQueryBuilder('a').where('a.severity = :s', { s: input.severity }).setLock('pessimistic_write').getOneOrFail();
      if (input.expectedVersion != null && input.expectedVersion !== current.version) {
        errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The service levels changed since you read them (version ${current.version}, you sent ${input.expectedVersion}).`);
      }
      if (errors.any) return { sla: null, userErrors: errors.list };
      await repo.update({ severity: input.severity }, { firstResponseHours: input.firstResponseHours, resolutionHours: input.resolutionHours, version: current.version + 1, updatedAt: new Date() });
      const updated = await repo.findOneByOrFail({ severity: input.severity });
      await recordAudit(m, this.deps, { action: 'complaintSla.set', objectType: 'ComplaintSla', objectId: null, before: current, after: updated });
      return { sla: updated, userErrors: [] };
    });
  }

  // -- helpers ----------------------------------------------------------------------------------------------------------

  private id(errors: UserErrors, globalId: string): string | null {
    const id = decodeIdOf('Complaint', globalId);
    if (!id) errors.add(at('id'), UserErrorCode.INVALID_ID, 'Not a valid Complaint ID.');
    return id;
  }

  /** The complaint locked for a change, within the caller's scope; NOT_FOUND or CONFLICT recorded otherwise. */
  private async locked(m: EntityManager, errors: UserErrors, id: string, expectedVersion: number | null | undefined): Promise<Complaint | null> {
    const current = await findInScope(m, Complaint, id, this.scope, { lock: true });
    if (!current) {
      errors.add(at('id'), UserErrorCode.NOT_FOUND, 'No complaint with this ID.');
      return null;
    }
    if (expectedVersion != null && expectedVersion !== current.version) {
      errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The complaint changed since you read it (version ${current.version}, you sent ${expectedVersion}).`);
      return null;
    }
    return current;
  }

  /** A staff user who may take the complaint (by role); INVALID_ID, NOT_FOUND or INVALID recorded otherwise. */
  private async handler(m: EntityManager, errors: UserErrors, path: string[], globalId: string, roles: readonly string[]): Promise<User | undefined> {
    const id = await resolveReference(m, errors, path, 'User', User, globalId);
    if (!id) return undefined;
    const user = await m.getRepository(User).findOneByOrFail({ id });
    if (!roles.includes(user.role)) {
      errors.add(path, UserErrorCode.INVALID, `${user.name} is ${user.role}: this needs ${roles.join(' or ')}.`);
      return undefined;
    }
    return user;
  }

  /** A change that is not a transition: version bumped, audited. */
  private async change(m: EntityManager, current: Complaint, changes: Partial<Complaint>, action: string): Promise<Complaint> {
    const repo = m.getRepository(Complaint);
    await repo.update({ id: current.id }, { ...changes, version: current.version + 1 });
    const updated = await repo.findOneByOrFail({ id: current.id });
    await recordAudit(m, this.deps, { action, objectType: 'Complaint', objectId: current.id, before: current, after: updated });
    return updated;
  }
}
