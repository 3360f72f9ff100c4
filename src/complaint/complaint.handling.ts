// The write primitives of complaint handling, shared by the complaint mutations and by logTouchpoint/updateTouchpoint
// (a COMPLAINT touchpoint opens a complaint): opening, moving along the allowed transitions, recording each move.

import type { EntityManager } from 'typeorm';
import { UserErrorCode, UserErrors } from '../common/errors';
import { actorUserId } from '../core/actor';
import { AuditSubject, recordAudit } from '../core/audit';
import type { TouchpointChannel } from '../touchpoint/touchpoint.entity';
import { Complaint, ComplaintSla, ComplaintTransition } from './complaint.entity';
import { ALLOWED_TRANSITIONS, ComplaintCategory, ComplaintSeverity, ComplaintStatus } from './complaint.vocabulary';

const HOUR_MS = 3_600_000;
export const addHours = (at: Date, hours: number): Date => new Date(at.getTime() + hours * HOUR_MS);

export async function slaOf(m: EntityManager, severity: ComplaintSeverity): Promise<ComplaintSla> {
  return m.getRepository(ComplaintSla).findOneByOrFail({ severity });
}

export interface NewComplaint {
  customerId: string;
  touchpointId: string | null;
  contactId: string | null;
  orderId: string | null;
  assigneeId: string | null;
  channel: TouchpointChannel;
  category: ComplaintCategory;
  severity: ComplaintSeverity;
  subject: string;
  description: string | null;
  openedAt: Date;
}

/** Records one status change (the transitions table is the complaint's history). */
async function recordTransition(m: EntityManager, who: AuditSubject, c: Complaint, from: ComplaintStatus | null, to: ComplaintStatus, at: Date, note: string | null): Promise<void> {
  await m.getRepository(ComplaintTransition).insert({
    complaintId: c.id,
    customerId: c.customerId,
    fromStatus: from,
    toStatus: to,
    at,
    byUserId: actorUserId(who.actor),
    actor: who.actor.label,
    note,
  });
}

/** Opens a complaint, due times from the severity's current service levels; written to the audit log. */
export async function insertComplaint(m: EntityManager, who: AuditSubject, fields: NewComplaint, note: string | null = null): Promise<Complaint> {
  const sla = await slaOf(m, fields.severity);
  const repo = m.getRepository(Complaint);
  const complaint = repo.create({
    ...fields,
    status: ComplaintStatus.OPEN,
    firstResponseDueAt: addHours(fields.openedAt, sla.firstResponseHours),
    resolutionDueAt: addHours(fields.openedAt, sla.resolutionHours),
  });
  await repo.insert(complaint);
  const created = await repo.findOneByOrFail({ id: complaint.id });
  await recordTransition(m, who, created, null, ComplaintStatus.OPEN, fields.openedAt, note);
  await recordAudit(m, who, { action: 'complaint.open', objectType: 'Complaint', objectId: created.id, after: created });
  return created;
}

/** Whether `to` may follow `from`; records INVALID_TRANSITION at `path` otherwise. */
export function checkTransition(errors: UserErrors, path: string[], from: ComplaintStatus, to: ComplaintStatus): boolean {
  if (ALLOWED_TRANSITIONS[from].includes(to)) return true;
  const next = ALLOWED_TRANSITIONS[from];
  errors.add(path, UserErrorCode.INVALID_TRANSITION, `A ${from} complaint cannot become ${to}; from ${from} it can go to ${next.length ? next.join(' or ') : 'nothing (it is final)'}.`);
  return false;
}

/**
 * Moves a complaint (locked by the caller) to `to` at `at`, with the columns that go with it, bumps its version and
 * records the transition and the audit event. The caller has checked the transition.
 */
export async function moveComplaint(
  m: EntityManager,
  who: AuditSubject,
  current: Complaint,
  to: ComplaintStatus,
  at: Date,
  note: string | null,
  changes: Partial<Complaint> = {},
  action = 'complaint.transition',
): Promise<Complaint> {
  const repo = m.getRepository(Complaint);
  // Leaving OPEN means the customer has heard from us: that is the first response if none was recorded.
  const firstResponseAt = current.firstResponseAt ?? (to !== ComplaintStatus.OPEN ? at : null);
  await repo.update({ id: current.id }, { firstResponseAt, ...changes, status: to, version: current.version + 1 });
  const updated = await repo.findOneByOrFail({ id: current.id });
  await recordTransition(m, who, updated, current.status, to, at, note);
  await recordAudit(m, who, { action, objectType: 'Complaint', objectId: current.id, before: current, after: updated });
  return updated;
}

/** The latest transition's time: a step may not be dated before it. */
export async function lastTransitionAt(m: EntityManager, complaintId: string): Promise<Date | null> {
  const [row]: Array<{ at: Date | null }> = await m.query(`SELECT max(at) AS at FROM complaint_transitions WHERE complaint_id = $1`, [complaintId]);
  return row?.at ? new Date(row.at) : null;
}
