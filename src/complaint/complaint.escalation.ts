// "A more senior handler", one of the five mores: the worker hands every complaint that missed a service level to its
// handler's manager. Runs as a graphile-worker job (ESCALATE_OVERDUE_JOB, every five minutes by the crontab in
// src/server/worker.ts), never on a timer in the API.

import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM } from '../core/actor';
import { recordAudit } from '../core/audit';
import { EscalationReason } from './complaint.vocabulary';

/** The job's name is stored in graphile_worker's tables: it never changes. */
export const ESCALATE_OVERDUE_JOB = 'escalate_overdue_complaints';

/** The two service levels, each escalated once per due time it missed. */
const STEPS = [
  { reason: EscalationReason.FIRST_RESPONSE_OVERDUE, due: 'first_response_due_at', missing: 'k.first_response_at IS NULL' },
  { reason: EscalationReason.RESOLUTION_OVERDUE, due: 'resolution_due_at', missing: 'TRUE' },
] as const;

export interface Escalated {
  complaintId: string;
  level: number;
  reason: EscalationReason;
  fromUserId: string | null;
  toUserId: string | null;
}

/**
 * Escalates every unresolved complaint past a due time as of `asOf` that was not escalated for that due time yet: an
 * escalation row (level + 1, from the handler to the handler's manager), the complaint's level and handler raised,
 * an audit event; one transaction. Idempotent and safe with several workers: a unique index allows one escalation per
 * complaint, reason and due time (ON CONFLICT DO NOTHING), complaints another worker holds are skipped (SKIP LOCKED),
 * and only the rows this run inserted change their complaint. Both steps in one run give levels 1 and 2, the second to
 * the manager's manager. The handler is the last escalation's, else the assignee, else the customer's owner; without
 * a manager on record the escalation is kept with no one named (`toUser` null), for any manager to pick up. A manager
 * named gets a COMPLAINT_RESPONSE task for it (Task.complaint), so the escalation is on their agenda.
 */
export function escalateOverdueComplaints(db: DataSource, asOf: Date = new Date()): Promise<Escalated[]> {
  return db.transaction((m) => escalateOverdueIn(m, asOf));
}

/** escalateOverdueComplaints in the caller's transaction (the seed's). */
export async function escalateOverdueIn(m: EntityManager, asOf: Date): Promise<Escalated[]> {
  const done: Escalated[] = [];
  for (const step of STEPS) {
    const rows: Escalated[] = await m.query(
      `WITH due AS (
         SELECT k.id, k.customer_id, k.escalation_level, k.${step.due} AS missed, coalesce(k.escalated_to_id, k.assignee_id, c.owner_id) AS handler
           FROM complaints k JOIN customers c ON c.id = k.customer_id
          WHERE k.resolved_at IS NULL AND ${step.missing} AND k.${step.due} < $1
            -- A complaint withdrawn (its touchpoint deleted as logged by mistake) is not escalated.
            AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)
            AND NOT EXISTS (SELECT 1 FROM complaint_escalations e WHERE e.complaint_id = k.id AND e.reason = $2 AND e.missed_due_at = k.${step.due})
          ORDER BY k.id
          FOR UPDATE OF k SKIP LOCKED
       ), inserted AS (
         INSERT INTO complaint_escalations (complaint_id, customer_id, level, reason, at, missed_due_at, from_user_id, to_user_id, note)
         SELECT d.id, d.customer_id, d.escalation_level + 1, $2, $1, d.missed, d.handler, h.manager_id,
                CASE WHEN h.manager_id IS NULL THEN 'The handler has no manager on record: any manager should take it over.' END
           FROM due d LEFT JOIN users h ON h.id = d.handler
         ON CONFLICT (complaint_id, reason, missed_due_at) WHERE reason <> 'MANUAL' DO NOTHING
         RETURNING complaint_id, level, reason, from_user_id, to_user_id
       ), raised AS (
         UPDATE complaints k SET escalation_level = i.level, escalated_to_id = coalesce(i.to_user_id, k.escalated_to_id),
                                 version = k.version + 1, updated_at = now()
           FROM inserted i WHERE k.id = i.complaint_id
         RETURNING k.id
       )
       SELECT i.complaint_id AS "complaintId", i.level, i.reason, i.from_user_id AS "fromUserId", i.to_user_id AS "toUserId"
         FROM inserted i JOIN raised r ON r.id = i.complaint_id`,
      [asOf, step.reason],
    );
    done.push(...rows);
  }
  await recordAudit(
    m,
    { actor: SYSTEM },
    done.map((e) => ({
      action: 'complaint.escalate',
      objectType: 'Complaint',
      objectId: e.complaintId,
      before: { escalationLevel: e.level - 1 },
      after: { escalationLevel: e.level, escalatedToId: e.toUserId, reason: e.reason },
    })),
  );
  // The more senior handler gets it on their agenda: a COMPLAINT_RESPONSE task, due now, urgent from the second level.
  const handed = done.filter((e) => e.toUserId !== null);
  if (handed.length) {
    const tasks: Array<{ id: string; complaintId: string }> = await m.query(
      `INSERT INTO tasks (customer_id, contact_id, owner_id, complaint_id, kind, subject, notes, due_at, priority)
       SELECT k.customer_id, k.contact_id, e.to_user, k.id, 'COMPLAINT_RESPONSE',
              left('Escalated complaint (level ' || e.level || '): ' || k.subject, 200),
              CASE e.reason WHEN 'FIRST_RESPONSE_OVERDUE' THEN 'Nobody answered the customer in time: answer them yourself.'
                            ELSE 'Not resolved in time: take it over and resolve it.' END,
              $4::timestamptz, CASE WHEN e.level >= 2 THEN 'URGENT' ELSE 'HIGH' END
         FROM unnest($1::uuid[], $2::uuid[], $3::int[], $5::text[]) AS e(complaint, to_user, level, reason)
         JOIN complaints k ON k.id = e.complaint
       RETURNING id, complaint_id AS "complaintId"`,
      [handed.map((e) => e.complaintId), handed.map((e) => e.toUserId), handed.map((e) => e.level), asOf, handed.map((e) => e.reason)],
    );
    await recordAudit(
      m,
      { actor: SYSTEM },
      tasks.map((t) => ({ action: 'task.schedule', objectType: 'Task', objectId: t.id, after: { kind: 'COMPLAINT_RESPONSE', complaintId: t.complaintId } })),
    );
  }
  return done;
}
