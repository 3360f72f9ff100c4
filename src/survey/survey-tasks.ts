// Triggered surveys become SURVEY tasks for the customers' owners: on demand (scheduleSurveyTasks) and every day by the
// worker's job (SCHEDULE_SURVEY_TASKS_JOB), for every ACTIVE survey with a trigger, on graphile-worker, never a timer.

import type { DataSource, EntityManager } from 'typeorm';
import { SYSTEM } from '../core/actor';
import { recordAudit, type AuditSubject } from '../core/audit';
import { invitationParams, invitationsCte } from './invitations';
import { Survey, SurveyStatus, SurveyTrigger } from './survey.entity';

/** The job's name is stored in graphile_worker's tables: it never changes. */
export const SCHEDULE_SURVEY_TASKS_JOB = 'schedule_survey_tasks';

export interface SurveyTaskCounts {
  invited: number;
  scheduled: number;
  alreadyOpen: number;
  withoutOwner: number;
}

/**
 * SURVEY tasks for the customers a survey invites as of `asOf` (within `customerCondition`, alias `c`), for each
 * customer's owner, unless the customer has an open SURVEY task already: one statement whether dry or not, so a dry run
 * counts exactly what a real one writes; audited as `who`.
 */
export async function scheduleSurveyTasksIn(m: EntityManager, who: AuditSubject, survey: Survey, asOf: Date, customerCondition: string, dryRun: boolean): Promise<SurveyTaskCounts> {
  const [row]: Array<SurveyTaskCounts & { tasks: Array<{ id: string; customer_id: string; owner_id: string }> }> = await m.query(
    `${invitationsCte(survey, customerCondition)},
     chosen AS (SELECT * FROM due WHERE owner_id IS NOT NULL AND NOT open_task),
     ins AS (
       INSERT INTO tasks (customer_id, owner_id, kind, subject, due_at, priority, status, survey_id)
       SELECT customer_id, owner_id, 'SURVEY', $7, $2, 'NORMAL', 'OPEN', $1 FROM chosen WHERE NOT $8::boolean
       RETURNING id, customer_id, owner_id)
     SELECT (SELECT count(*) FROM due)::int AS invited, (SELECT count(*) FROM chosen)::int AS scheduled,
            (SELECT count(*) FROM due WHERE open_task)::int AS "alreadyOpen",
            (SELECT count(*) FROM due WHERE owner_id IS NULL AND NOT open_task)::int AS "withoutOwner",
            (SELECT coalesce(json_agg(ins), '[]') FROM ins) AS tasks`,
    [...invitationParams(survey, asOf), `Survey: ${survey.name}`.slice(0, 200), dryRun],
  );
  if (!dryRun) {
    await recordAudit(m, who, [
      { action: 'survey.scheduleTasks', objectType: 'Survey', objectId: survey.id, after: { asOf, invited: row.invited, scheduled: row.scheduled } },
      ...row.tasks.map((t) => ({
        action: 'task.schedule',
        objectType: 'Task',
        objectId: t.id,
        after: { kind: 'SURVEY', customerId: t.customer_id, ownerId: t.owner_id, surveyId: survey.id, dueAt: asOf },
      })),
    ]);
  }
  return { invited: row.invited, scheduled: row.scheduled, alreadyOpen: row.alreadyOpen, withoutOwner: row.withoutOwner };
}

/**
 * The job: every ACTIVE survey with a trigger (not MANUAL) schedules its tasks as of `asOf`, one transaction per survey,
 * across the whole base. Running it twice schedules nothing more (a customer with an open SURVEY task is left alone).
 */
export async function scheduleTriggeredSurveyTasks(db: DataSource, asOf: Date = new Date()): Promise<Array<{ surveyId: string } & SurveyTaskCounts>> {
  const surveys = await db.getRepository(Survey).find({ where: { status: SurveyStatus.ACTIVE }, order: { createdAt: 'ASC' } });
  const done = [];
  for (const survey of surveys.filter((s) => s.trigger !== SurveyTrigger.MANUAL)) {
    const counts = await db.transaction((m) => scheduleSurveyTasksIn(m, { actor: SYSTEM }, survey, asOf, 'TRUE', false));
    done.push({ surveyId: survey.id, ...counts });
  }
  return done;
}
