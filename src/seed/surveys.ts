import { PURCHASE_STATUSES } from '../order/order.entity';

type Query = (sql: string, parameters?: unknown[]) => Promise<any[]>;

const CSAT = { key: 'csat', type: 'CSAT', text: 'How satisfied are you overall?', required: true, min: 1, max: 5, options: [] };
const NPS = { key: 'nps', type: 'NPS', text: 'How likely are you to recommend us to a friend or colleague?', required: true, min: 0, max: 10, options: [] };
const COMMENT = { key: 'comment', type: 'FREE_TEXT', text: 'Anything we could do better?', required: false, min: null, max: null, options: [] };
const SURVEYS = [
  {
    name: 'After your purchase',
    trigger: 'AFTER_ORDER',
    delayDays: 3,
    questions: [CSAT, NPS, { key: 'best', type: 'SINGLE_CHOICE', text: 'What mattered most to you?', required: true, min: null, max: null, options: ['Price', 'Quality', 'Service', 'Delivery'] }, COMMENT],
  },
  {
    name: 'After your complaint',
    trigger: 'AFTER_RESOLVED_COMPLAINT',
    delayDays: 2,
    questions: [CSAT, NPS, { key: 'resolved', type: 'SINGLE_CHOICE', text: 'Did we solve your problem?', required: true, min: null, max: null, options: ['Yes', 'Partly', 'No'] }, COMMENT],
  },
];

/**
 * Demo surveys: a post-purchase and a post-complaint survey, live for two years, and a response for every SURVEY
 * touchpoint the generator wrote that has none yet (post-complaint when a complaint of the customer was resolved in
 * the month before it), with the touchpoint's CSAT and NPS as the answers. Satisfaction follows the relationship, as
 * the seeds describe it: frequent recent buyers (the champions and loyal segments) score a point higher, customers
 * lapsed for nine months (at risk, hibernating) a point lower, so that `satisfactionSummary` by segment differs.
 * Set-based: three statements however many customers; safe to run again (it adds only what is missing).
 */
export async function seedSurveys(query: Query, options: { now: Date }): Promise<number> {
  for (const s of SURVEYS) {
    await query(
      `INSERT INTO surveys (name, questions, trigger, delay_days, channel, status, activated_at)
       SELECT $1, $2::jsonb, $3, $4, 'EMAIL', 'ACTIVE', $5::timestamptz - interval '730 days'
        WHERE NOT EXISTS (SELECT 1 FROM surveys WHERE lower(name) = lower($1))`,
      [s.name, JSON.stringify(s.questions), s.trigger, s.delayDays, options.now],
    );
  }
  const ids: Array<{ name: string; id: string }> = await query(`SELECT name, id::text FROM surveys WHERE name = ANY($1::text[])`, [SURVEYS.map((s) => s.name)]);
  const purchase = ids.find((s) => s.name === SURVEYS[0].name)!.id;
  const complaint = ids.find((s) => s.name === SURVEYS[1].name)!.id;
  await query(
    `WITH facts AS (
       SELECT o.customer_id, count(*) AS n, max(o.placed_at) AS last FROM orders o
        WHERE o.status = ANY($2::text[]) AND o.deleted_at IS NULL GROUP BY o.customer_id),
     adj AS (
       SELECT customer_id, CASE WHEN last < $1::timestamptz - interval '270 days' THEN -1
                                WHEN n >= 6 AND last >= $1::timestamptz - interval '120 days' THEN 1 ELSE 0 END AS d FROM facts)
     UPDATE touchpoints t SET satisfaction = least(5, greatest(1, t.satisfaction + adj.d)), nps = least(10, greatest(0, t.nps + 2 * adj.d))
       FROM adj
      WHERE adj.customer_id = t.customer_id AND adj.d <> 0 AND t.purpose = 'SURVEY' AND t.satisfaction IS NOT NULL AND t.nps IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM survey_responses r WHERE r.touchpoint_id = t.id)`,
    [options.now, PURCHASE_STATUSES],
  );
  const [{ n }] = await query(
    `WITH r AS (
       INSERT INTO survey_responses (survey_id, customer_id, touchpoint_id, trigger_touchpoint_id, channel, responded_at, csat, nps)
       SELECT CASE WHEN k.id IS NULL THEN $1::uuid ELSE $2::uuid END, t.customer_id, t.id, k.touchpoint_id, 'EMAIL', t.occurred_at, t.satisfaction, t.nps
         FROM touchpoints t
         LEFT JOIN LATERAL (SELECT k.id, k.touchpoint_id FROM complaints k
                             WHERE k.customer_id = t.customer_id AND k.resolved_at <= t.occurred_at AND k.resolved_at > t.occurred_at - interval '30 days'
                             ORDER BY k.resolved_at DESC LIMIT 1) k ON true
        WHERE t.purpose = 'SURVEY' AND t.deleted_at IS NULL AND t.satisfaction IS NOT NULL AND t.nps IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM survey_responses x WHERE x.touchpoint_id = t.id)
       RETURNING id, survey_id, customer_id, csat, nps),
     a AS (
       INSERT INTO survey_answers (response_id, customer_id, question_key, question_type, number_value, choices, text_value)
       SELECT id, customer_id, 'csat', 'CSAT', csat, NULL::text[], NULL FROM r
       UNION ALL SELECT id, customer_id, 'nps', 'NPS', nps, NULL, NULL FROM r
       UNION ALL SELECT id, customer_id, CASE WHEN survey_id = $2::uuid THEN 'resolved' ELSE 'best' END, 'SINGLE_CHOICE', NULL,
                        ARRAY[CASE WHEN survey_id = $2::uuid THEN CASE WHEN csat >= 4 THEN 'Yes' WHEN csat = 3 THEN 'Partly' ELSE 'No' END
                                   ELSE (ARRAY['Price', 'Quality', 'Service', 'Delivery'])[1 + abs(hashtext(customer_id::text)) % 4] END], NULL FROM r
       UNION ALL SELECT id, customer_id, 'comment', 'FREE_TEXT', NULL, NULL,
                        CASE WHEN csat <= 2 THEN 'The delivery took too long and nobody called back.' ELSE 'Friendly staff and great coffee, thank you!' END
                   FROM r WHERE csat <= 2 OR (csat = 5 AND abs(hashtext(customer_id::text)) % 3 = 0)
       RETURNING 1)
     SELECT count(*)::int AS n FROM r`,
    [purchase, complaint],
  );
  return n;
}
