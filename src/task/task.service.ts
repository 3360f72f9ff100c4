import type { EntityManager } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf, toGlobalId } from '../common/ids';
import type { ListArgs } from '../common/list-query';
import { findInScope } from '../common/scoped';
import { defined, instantArgument, optionalText, pastInstant, requiredText } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { OWNER_ROLES } from '../core/access';
import { actorUserId } from '../core/actor';
import { recordAudit } from '../core/audit';
import type { ServiceDeps } from '../core/request-scope';
import { TouchpointChannel, TouchpointDirection, TouchpointPurpose } from '../touchpoint/touchpoint.entity';
import type { FollowUpScheduler, TouchpointService } from '../touchpoint/touchpoint.service';
import type { NextFollowUpInput } from '../touchpoint/touchpoint.types';
import { TaskKind } from './task-kind';
import { Task, TaskPriority, TaskStatus } from './task.entity';
import { nextFollowUps, taskList } from './task.loaders';
import type { CancelTaskInput, CompleteTaskInput, ReassignTaskInput, ScheduleTaskInput, SnoozeTaskInput, TaskPayload, UpdateTaskInput } from './task.types';

type Path = Array<string | number>;
const DAY = 86_400_000;
/** A task may be entered late (up to a year after it was due) and planned up to five years ahead. */
const DUE_PAST_MS = 365 * DAY;
const DUE_AHEAD_MS = 5 * 365 * DAY;
/** A snooze puts a task off for at most a year: beyond that it is a new plan, not a snooze. */
const SNOOZE_MS = 365 * DAY;
/** Clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** The touchpoint a completed task logs, by kind, when the caller does not say. */
const COMPLETION_CHANNEL: Partial<Record<TaskKind, TouchpointChannel>> = {
  CALL: TouchpointChannel.PHONE,
  EMAIL: TouchpointChannel.EMAIL,
  VISIT: TouchpointChannel.VISIT,
  MEETING: TouchpointChannel.MEETING,
};
const COMPLETION_PURPOSE: Record<TaskKind, TouchpointPurpose> = {
  CALL: TouchpointPurpose.FOLLOW_UP,
  EMAIL: TouchpointPurpose.FOLLOW_UP,
  VISIT: TouchpointPurpose.VISIT,
  MEETING: TouchpointPurpose.FOLLOW_UP,
  GREETING: TouchpointPurpose.GREETING,
  THANK_YOU: TouchpointPurpose.THANK_YOU,
  // Answering a complaint is service; the complaint itself is the touchpoint it answers.
  COMPLAINT_RESPONSE: TouchpointPurpose.SERVICE,
  SURVEY: TouchpointPurpose.SURVEY,
  OTHER: TouchpointPurpose.FOLLOW_UP,
};

const payload = (task: Task | null, errors: UserErrors): TaskPayload => ({ task: errors.any ? null : task, userErrors: errors.list });

/** What scheduling needs once checked: the row to insert. */
export interface NewTask {
  customerId: string;
  contactId: string | null;
  ownerId: string;
  kind: TaskKind;
  subject: string;
  notes: string | null;
  dueAt: Date;
  priority: TaskPriority;
  suggestionId?: string | null;
  opportunityId?: string | null;
}

/** The fields of a task to schedule, as scheduleTask, logTouchpoint's nextFollowUp and acceptSuggestion give them. */
export interface TaskRequest {
  kind: TaskKind;
  subject: string | null | undefined;
  notes?: string | null;
  customerId?: string | null;
  contactId?: string | null;
  ownerId?: string | null;
  dueAt: Date;
  priority?: TaskPriority | null;
  opportunityId?: string | null;
}

function dueTime(errors: UserErrors, path: Path, value: Date, now: Date): boolean {
  const t = value.getTime();
  if (Number.isNaN(t) || t < now.getTime() - DUE_PAST_MS || t > now.getTime() + DUE_AHEAD_MS) {
    errors.add(path, UserErrorCode.OUT_OF_RANGE, 'Must be at most a year in the past and at most 5 years ahead.');
    return false;
  }
  return true;
}

export class TaskService implements FollowUpScheduler {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly touchpoints: TouchpointService,
  ) {}

  /** The tasks the caller may see and change: a sales rep's own, on customers in their book. */
  private get scope(): string | null {
    return this.deps.access.rowCondition('tasks');
  }

  list(args: ListArgs, overdue?: boolean | null, asOf?: Date | null): Promise<Connection<Task>> {
    if (overdue == null) return this.deps.loaders.list(taskList, args);
    const at = asOf ? instantArgument(asOf, 'asOf') : new Date();
    const late = { status: { eq: TaskStatus.OPEN }, followUpAt: { lt: at } };
    const condition = overdue ? late : { not: late };
    return this.deps.loaders.list(taskList, { ...args, filter: args.filter ? { and: [args.filter, condition] } : condition });
  }

  ofCustomer(customerId: string, args: ListArgs): Promise<Connection<Task>> {
    return this.deps.loaders.pageByParent(taskList, 'customer_id', args).load(customerId);
  }

  nextFollowUpAt(customerId: string): Promise<Date | null> {
    return nextFollowUps(this.deps.loaders).load(customerId);
  }

  async schedule(input: ScheduleTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const task = await this.prepareTask(m, errors, ['input'], input, new Date());
      if (errors.any || !task) return payload(null, errors);
      return payload(await this.insertTask(m, task), errors);
    });
  }

  // -- FollowUpScheduler: logTouchpoint's nextFollowUp ----------------------------------------------------------

  prepareFollowUp(m: EntityManager, errors: UserErrors, path: string[], followUp: NextFollowUpInput, customerId: string, contactId: string | null): Promise<NewTask | null> {
    return this.prepareTask(
      m,
      errors,
      path,
      { kind: followUp.kind, subject: followUp.subject ?? `Follow up (${followUp.kind.toLowerCase().replace(/_/g, ' ')})`, dueAt: followUp.dueAt, customerId: toGlobalId('Customer', customerId), contactId: contactId ? toGlobalId('Contact', contactId) : null },
      new Date(),
      { customerAt: null },
    );
  }

  writeFollowUp(m: EntityManager, prepared: unknown): Promise<Task> {
    return this.insertTask(m, prepared as NewTask);
  }

  /**
   * Checks a task to schedule (input at `base`) and resolves its customer, contact and owner inside the caller's
   * transaction, without writing. `customerAt` names where a problem with the customer is reported (null: the
   * customer was resolved already, by the caller).
   */
  async prepareTask(m: EntityManager, errors: UserErrors, base: Path, input: TaskRequest, now: Date, { customerAt = 'customerId' as string | null } = {}): Promise<NewTask | null> {
    const at = (f: string) => [...base, f];
    const subject = requiredText(errors, at('subject'), input.subject);
    const notes = optionalText(errors, at('notes'), input.notes, 10_000);
    dueTime(errors, at('dueAt'), input.dueAt, now);
    const customer = await this.resolveCustomer(m, errors, base, input.customerId, input.contactId, customerAt);
    const ownerId = customer ? await this.resolveOwner(m, errors, at('ownerId'), input.ownerId, customer.ownerId) : null;
    const opportunityId = customer ? await this.resolveOpportunity(m, errors, at('opportunityId'), input.opportunityId, customer.id) : null;
    if (errors.any || !customer || !ownerId || !subject) return null;
    return {
      customerId: customer.id,
      contactId: customer.contactId,
      ownerId,
      kind: input.kind,
      subject,
      notes: notes ?? null,
      dueAt: input.dueAt,
      priority: input.priority ?? TaskPriority.NORMAL,
      opportunityId: opportunityId ?? null,
    };
  }

  /** The opportunity a task works towards: one of the same customer that the caller may see (a rep: one they own). */
  private async resolveOpportunity(m: EntityManager, errors: UserErrors, path: Path, globalId: string | null | undefined, customerId: string): Promise<string | null> {
    if (globalId == null) return null;
    const id = decodeIdOf('Opportunity', globalId);
    if (!id) {
      errors.add(path, UserErrorCode.INVALID_ID, 'Not a valid Opportunity ID.');
      return null;
    }
    const opportunity = await findInScope(m, Opportunity, id, this.deps.access.rowCondition('opportunities'));
    if (!opportunity) errors.add(path, UserErrorCode.NOT_FOUND, 'No opportunity with this ID.');
    else if (opportunity.customerId !== customerId) errors.add(path, UserErrorCode.INVALID, 'This opportunity belongs to another customer.');
    return opportunity && opportunity.customerId === customerId ? id : null;
  }

  async insertTask(m: EntityManager, task: NewTask): Promise<Task> {
    const repo = m.getRepository(Task);
    const row = repo.create({ ...task, status: TaskStatus.OPEN });
    await repo.insert(row);
    const created = await repo.findOneByOrFail({ id: row.id });
    await recordAudit(m, this.deps, { action: 'task.schedule', objectType: 'Task', objectId: created.id, after: created });
    return created;
  }

  /** The customer (and contact) a task is about: the contact must belong to the customer; either one may stand alone. */
  private async resolveCustomer(
    m: EntityManager,
    errors: UserErrors,
    base: Path,
    customerGlobalId: string | null | undefined,
    contactGlobalId: string | null | undefined,
    customerAt: string | null,
  ): Promise<{ id: string; ownerId: string | null; contactId: string | null } | null> {
    const at = (f: string) => [...base, f];
    let customerId: string | null = null;
    if (customerGlobalId != null) {
      customerId = decodeIdOf('Customer', customerGlobalId);
      if (!customerId) errors.add(at(customerAt ?? 'customerId'), UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
    }
    let contact: Contact | null = null;
    if (contactGlobalId != null) {
      const contactId = decodeIdOf('Contact', contactGlobalId);
      if (!contactId) errors.add(at('contactId'), UserErrorCode.INVALID_ID, 'Not a valid Contact ID.');
      else {
        contact = await findInScope(m, Contact, contactId, this.deps.access.rowCondition('contacts'));
        if (!contact) errors.add(at('contactId'), UserErrorCode.NOT_FOUND, 'No contact with this ID.');
        else if (customerId && contact.customerId !== customerId) {
          errors.add(at('contactId'), UserErrorCode.INVALID, 'This contact belongs to another customer.');
          return null;
        }
      }
    }
    if (customerGlobalId == null && contactGlobalId == null) {
      errors.add(at('customerId'), UserErrorCode.REQUIRED, 'Give the customer, the contact, or both.');
      return null;
    }
    if (errors.any) return null;
    const id = customerId ?? contact!.customerId;
    const scope = this.deps.access.rowCondition('customers', 'c');
    const [row]: Array<{ owner_id: string | null }> = await m.query(`SELECT c.owner_id FROM customers c WHERE c.id = $1 AND c.deleted_at IS NULL${scope ? ` AND ${scope}` : ''}`, [id]);
    if (!row) {
      errors.add(at(customerAt ?? (customerId ? 'customerId' : 'contactId')), UserErrorCode.NOT_FOUND, customerId ? 'No customer with this ID.' : 'The contact’s customer was deleted.');
      return null;
    }
    return { id, ownerId: row.owner_id, contactId: contact?.id ?? null };
  }

  /**
   * Who does a task. A sales rep plans only their own work; anyone else may name a SALES_REP who owns the customer
   * (a task of a sales rep lies in their book, or they could not see it) or a MANAGER. Default: the caller if they
   * can own tasks, else the customer's owner.
   */
  private async resolveOwner(m: EntityManager, errors: UserErrors, path: Path, ownerGlobalId: string | null | undefined, customerOwnerId: string | null): Promise<string | null> {
    const rep = this.deps.access.bookOwnerId;
    if (ownerGlobalId == null) {
      if (rep) return rep;
      const me = actorUserId(this.deps.actor);
      const [mine] = me ? await m.query(`SELECT role FROM users WHERE id = $1`, [me]) : [];
      if (mine && OWNER_ROLES.includes(mine.role) && (mine.role !== 'SALES_REP' || me === customerOwnerId)) return me;
      if (customerOwnerId) return customerOwnerId;
      errors.add(path, UserErrorCode.REQUIRED, 'The customer has no owner: name who does the task.');
      return null;
    }
    const ownerId = decodeIdOf('User', ownerGlobalId);
    if (!ownerId) {
      errors.add(path, UserErrorCode.INVALID_ID, 'Not a valid User ID.');
      return null;
    }
    if (rep) {
      if (ownerId === rep) return rep;
      errors.add(path, UserErrorCode.INVALID, 'A sales rep schedules and keeps tasks for themselves; ask a manager to hand one over.');
      return null;
    }
    const [user]: Array<{ role: string }> = await m.query(`SELECT role FROM users WHERE id = $1`, [ownerId]);
    if (!user) errors.add(path, UserErrorCode.NOT_FOUND, 'No user with this ID.');
    else if (!OWNER_ROLES.includes(user.role)) errors.add(path, UserErrorCode.INVALID, 'Tasks are done by sales reps and managers.');
    else if (user.role === 'SALES_REP' && ownerId !== customerOwnerId) errors.add(path, UserErrorCode.INVALID, 'This sales rep does not own the customer: a rep’s tasks are on customers in their book.');
    else return ownerId;
    return null;
  }

  // -- changes to a task ------------------------------------------------------------------------------------------

  /** The open task a change is about, locked; null after recording INVALID_ID, NOT_FOUND, CONFLICT or INVALID_TRANSITION. */
  private async openTask(m: EntityManager, errors: UserErrors, globalId: string, expectedVersion: number | null | undefined, verb: string): Promise<Task | null> {
    const id = decodeIdOf('Task', globalId);
    if (!id) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a valid Task ID.');
      return null;
    }
    const task = await findInScope(m, Task, id, this.scope, { lock: true });
    if (!task) errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No task with this ID.');
    else if (expectedVersion != null && expectedVersion !== task.version) {
      errors.add(['input', 'expectedVersion'], UserErrorCode.CONFLICT, `The task changed since you read it (version ${task.version}, you sent ${expectedVersion}).`);
    } else if (task.status !== TaskStatus.OPEN) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_TRANSITION, `The task is ${task.status}: only an open task can be ${verb}.`);
    } else return task;
    return null;
  }

  /** Writes a change to a task with its audit event, bumping the version. */
  private async write(m: EntityManager, current: Task, changes: Partial<Task>, action: string): Promise<Task> {
    const repo = m.getRepository(Task);
    await repo.update({ id: current.id }, { ...changes, version: current.version + 1 });
    const updated = await repo.findOneByOrFail({ id: current.id });
    await recordAudit(m, this.deps, { action: `task.${action}`, objectType: 'Task', objectId: current.id, before: current, after: updated });
    return updated;
  }

  async update(input: UpdateTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const now = new Date();
    for (const field of ['kind', 'subject', 'dueAt', 'priority'] as const) {
      if (input[field] === null) errors.add(['input', field], UserErrorCode.REQUIRED, 'Cannot be cleared.');
    }
    const subject = input.subject == null ? undefined : requiredText(errors, ['input', 'subject'], input.subject);
    const notes = optionalText(errors, ['input', 'notes'], input.notes, 10_000);
    if (input.dueAt) dueTime(errors, ['input', 'dueAt'], input.dueAt, now);
    return this.deps.db.transaction(async (m) => {
      const task = await this.openTask(m, errors, input.id, input.expectedVersion, 'changed');
      let contactId: string | null | undefined;
      if (task && input.contactId !== undefined) {
        contactId = input.contactId === null ? null : (await this.resolveCustomer(m, errors, ['input'], toGlobalId('Customer', task.customerId), input.contactId, 'id'))?.contactId;
      }
      if (errors.any || !task) return payload(null, errors);
      const changes = defined({
        kind: input.kind ?? undefined,
        subject,
        notes,
        contactId,
        priority: input.priority ?? undefined,
        dueAt: input.dueAt ?? undefined,
        snoozedUntil: input.dueAt ? null : undefined,
      });
      return payload(await this.write(m, task, changes, 'update'), errors);
    });
  }

  async complete(input: CompleteTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const now = new Date();
    const completedAt = input.completedAt ?? now;
    pastInstant(errors, ['input', 'completedAt'], completedAt, now, CLOCK_SKEW_MS);
    return this.deps.db.transaction(async (m) => {
      const task = await this.openTask(m, errors, input.id, input.expectedVersion, 'completed');
      if (!task || errors.any) return payload(null, errors);
      const given = input.touchpoint ?? {};
      const channel = given.channel ?? COMPLETION_CHANNEL[task.kind];
      if (!channel) errors.add(['input', 'touchpoint', 'channel'], UserErrorCode.REQUIRED, `Say how the ${task.kind.toLowerCase().replace(/_/g, ' ')} went out: a ${task.kind} task has no default channel.`);
      // The touchpoint goes through the touchpoint domain's own checks and insert, in this transaction.
      const touchpoint = await this.touchpoints.prepareLog(
        m,
        errors,
        {
          customerId: toGlobalId('Customer', task.customerId),
          contactId: task.contactId ? toGlobalId('Contact', task.contactId) : null,
          orderId: given.orderId,
          userId: toGlobalId('User', task.ownerId),
          channel: channel ?? TouchpointChannel.PHONE,
          direction: given.direction ?? TouchpointDirection.OUTBOUND,
          purpose: given.purpose ?? COMPLETION_PURPOSE[task.kind],
          occurredAt: completedAt,
          subject: given.subject ?? task.subject,
          notes: given.notes,
          satisfaction: given.satisfaction,
          nps: given.nps,
        },
        ['input', 'touchpoint'],
        now,
      );
      if (errors.any || !touchpoint) return payload(null, errors);
      const logged = await this.touchpoints.writeLog(m, touchpoint);
      const done = await this.write(m, task, { status: TaskStatus.DONE, completedAt, completionTouchpointId: logged.id }, 'complete');
      return payload(done, errors);
    });
  }

  async snooze(input: SnoozeTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const now = new Date();
    const t = input.until.getTime();
    if (Number.isNaN(t) || t <= now.getTime() || t > now.getTime() + SNOOZE_MS) errors.add(['input', 'until'], UserErrorCode.OUT_OF_RANGE, 'Must be in the future, at most a year ahead.');
    return this.deps.db.transaction(async (m) => {
      const task = await this.openTask(m, errors, input.id, input.expectedVersion, 'snoozed');
      if (errors.any || !task) return payload(null, errors);
      return payload(await this.write(m, task, { snoozedUntil: input.until }, 'snooze'), errors);
    });
  }

  async reassign(input: ReassignTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const task = await this.openTask(m, errors, input.id, input.expectedVersion, 'reassigned');
      if (errors.any || !task) return payload(null, errors);
      const [customer]: Array<{ owner_id: string | null }> = await m.query(`SELECT owner_id FROM customers WHERE id = $1`, [task.customerId]);
      const ownerId = await this.resolveOwner(m, errors, ['input', 'ownerId'], input.ownerId, customer?.owner_id ?? null);
      if (errors.any || !ownerId) return payload(null, errors);
      return payload(await this.write(m, task, { ownerId }, 'reassign'), errors);
    });
  }

  async cancel(input: CancelTaskInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    return this.deps.db.transaction(async (m) => {
      const task = await this.openTask(m, errors, input.id, input.expectedVersion, 'cancelled');
      if (errors.any || !task) return payload(null, errors);
      return payload(await this.write(m, task, { status: TaskStatus.CANCELLED, cancelledAt: new Date() }, 'cancel'), errors);
    });
  }
}
