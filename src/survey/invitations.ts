import { PURCHASE_STATUSES } from '../order/order.entity';
import { Survey, SurveyTrigger } from './survey.entity';

/**
 * Who a survey invites at `asOf`, as a CTE named `due` over the caller's customers (`scope`: a condition on the
 * customers alias `c`). Columns: customer_id, owner_id, event_at, due_at, due_key (due_at as text, exact for cursors),
 * trigger_touchpoint_id, open_task.
 *
 * A customer is invited when their latest triggering event since the survey went live is at least `delayDays` old,
 * they have not answered the survey since that event, they consented to the survey's channel, and they are neither
 * deleted nor erased. The events: a purchase (AFTER_ORDER), a complaint's resolution (AFTER_RESOLVED_COMPLAINT), a
 * SERVICE touchpoint (AFTER_SERVICE_TOUCHPOINT); for PERIODIC the event is the end of the period after the last
 * response (or the activation). MANUAL surveys invite nobody. Parameters: $1 survey id, $2 asOf, $3 delay days,
 * $4 activated at, $5 period days, $6 purchase statuses; `extra` numbers further parameters from $7.
 */
export function invitationsCte(survey: Survey, scope: string): string {
  const until = `$2::timestamptz - make_interval(days => $3::int)`;
  const events: Record<SurveyTrigger, string> = {
    [SurveyTrigger.AFTER_ORDER]: `
      SELECT o.customer_id, max(o.placed_at) AS event_at, NULL::uuid AS trigger_touchpoint_id
        FROM orders o
       WHERE o.status = ANY($6::text[]) AND o.deleted_at IS NULL AND o.placed_at >= $4::timestamptz AND o.placed_at <= ${until}
       GROUP BY o.customer_id`,
    [SurveyTrigger.AFTER_RESOLVED_COMPLAINT]: `
      SELECT DISTINCT ON (k.customer_id) k.customer_id, k.resolved_at AS event_at, k.touchpoint_id AS trigger_touchpoint_id
        FROM complaints k
       WHERE k.resolved_at IS NOT NULL AND k.resolved_at >= $4::timestamptz AND k.resolved_at <= ${until}
         AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)
       ORDER BY k.customer_id, k.resolved_at DESC`,
    [SurveyTrigger.AFTER_SERVICE_TOUCHPOINT]: `
      SELECT DISTINCT ON (t.customer_id) t.customer_id, t.occurred_at AS event_at, t.id AS trigger_touchpoint_id
        FROM touchpoints t
       WHERE t.purpose = 'SERVICE' AND t.deleted_at IS NULL AND t.occurred_at >= $4::timestamptz AND t.occurred_at <= ${until}
       ORDER BY t.customer_id, t.occurred_at DESC`,
    [SurveyTrigger.PERIODIC]: `
      SELECT c.id AS customer_id,
             coalesce((SELECT max(r.responded_at) FROM survey_responses r WHERE r.survey_id = $1 AND r.customer_id = c.id) + make_interval(days => $5::int), $4::timestamptz) AS event_at,
             NULL::uuid AS trigger_touchpoint_id
        FROM customers c`,
    [SurveyTrigger.MANUAL]: `SELECT NULL::uuid AS customer_id, NULL::timestamptz AS event_at, NULL::uuid AS trigger_touchpoint_id WHERE false`,
  };
  const consent = `c.consent_${survey.channel.toLowerCase()}_granted`;
  return `
    -- Every parameter typed once, whichever trigger's events below read them.
    WITH params AS (SELECT $1::uuid, $2::timestamptz, $3::int, $4::timestamptz, $5::int, $6::text[]),
    ev AS (${events[survey.trigger]}),
    due AS (
      SELECT ev.customer_id, c.owner_id, ev.event_at, ev.event_at + make_interval(days => $3::int) AS due_at,
             (ev.event_at + make_interval(days => $3::int))::text AS due_key, ev.trigger_touchpoint_id,
             EXISTS (SELECT 1 FROM tasks t WHERE t.customer_id = c.id AND t.kind = 'SURVEY' AND t.status = 'OPEN') AS open_task
        FROM ev JOIN customers c ON c.id = ev.customer_id
       WHERE c.deleted_at IS NULL AND c.erased_at IS NULL AND ${consent} AND (${scope})
         AND ev.event_at <= ${until}
         AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.survey_id = $1 AND r.customer_id = c.id AND r.responded_at >= ev.event_at)
    )`;
}

/** The parameters invitationsCte reads, $1–$6. */
export function invitationParams(survey: Survey, asOf: Date): unknown[] {
  return [survey.id, asOf, survey.delayDays, survey.activatedAt ?? asOf, survey.periodDays ?? 0, PURCHASE_STATUSES];
}
