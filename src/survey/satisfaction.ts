import { badInput, UserErrorCode } from '../common/errors';
import { decodeIdOf } from '../common/ids';
import { instantArgument } from '../common/validate';
import type { ServiceDeps } from '../core/request-scope';
import { User } from '../user/user.entity';
import { SatisfactionDirection, SatisfactionFigures, SatisfactionGroup, SatisfactionGrouping, SatisfactionSummary, SatisfactionSummaryArgs } from './survey.types';

/** The group of a fact: over customers `c`, their scores `s`, and the fact's channel. */
const GROUP_SQL: Record<SatisfactionGrouping, (channel: string) => string> = {
  SEGMENT: () => 's.segment',
  VALUE_TIER: () => 's.value_tier',
  REGION: () => 'c.region',
  OWNER: () => 'c.owner_id::text',
  CHANNEL: (channel) => channel,
};

/** The aggregates of one period (`cond` picks its facts), raw: rounding happens once, in the outer SELECT. */
const periodAggregates = (p: string, cond: string) => `
  sum(response) FILTER (WHERE ${cond})::int AS ${p}_responses,
  avg(csat) FILTER (WHERE ${cond}) AS ${p}_csat_mean,
  count(csat) FILTER (WHERE ${cond})::int AS ${p}_csat_n,
  count(nps) FILTER (WHERE ${cond})::int AS ${p}_nps_n,
  count(*) FILTER (WHERE ${cond} AND nps >= 9)::int AS ${p}_promoters,
  count(*) FILTER (WHERE ${cond} AND nps <= 6)::int AS ${p}_detractors,
  sum(invited) FILTER (WHERE ${cond})::int AS ${p}_invitations,
  sum(answered) FILTER (WHERE ${cond})::int AS ${p}_answered`;

const npsOf = (p: string) => `CASE WHEN ${p}_nps_n > 0 THEN 100.0 * (${p}_promoters - ${p}_detractors) / ${p}_nps_n END`;
const rateOf = (p: string) => `CASE WHEN ${p}_invitations > 0 THEN ${p}_answered::numeric / ${p}_invitations END`;

/**
 * satisfactionSummary: one statement over the survey responses and the survey invitations (SURVEY tasks of a survey)
 * of [previousFrom, to) that the caller may see, grouped once (GROUPING SETS: the total and each group), with the
 * period and the previous one side by side as FILTERed aggregates. Means, scores, rates and their changes are computed
 * from exact numerics and rounded once. Responses whose SURVEY touchpoint was deleted and soft-deleted customers do
 * not count.
 */
export async function satisfactionSummary(deps: ServiceDeps, args: SatisfactionSummaryArgs): Promise<SatisfactionSummary> {
  deps.access.require('analytics:read');
  deps.access.require('touchpoints:read');
  instantArgument(args.from, 'from');
  instantArgument(args.to, 'to');
  if (!(args.from < args.to)) throw badInput('`to` must be after `from`.', { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
  const surveyId = args.surveyId == null ? null : decodeIdOf('Survey', args.surveyId);
  if (args.surveyId != null && !surveyId) throw badInput('`surveyId` is not a valid Survey ID.', { field: 'surveyId' });
  const previousFrom = new Date(args.from.getTime() - (args.to.getTime() - args.from.getTime()));
  if (previousFrom.getUTCFullYear() < 1900) throw badInput('The previous period would start before 1900: choose a later `from`.', { field: 'from', reason: UserErrorCode.OUT_OF_RANGE });
  const key = GROUP_SQL[args.groupBy];
  const scope = deps.access.customerCondition('c');
  const rows: Array<Record<string, any>> = await deps.db.query(
    `WITH facts AS (
       SELECT ${key('r.channel')} AS key, r.responded_at >= $1 AS cur, r.csat, r.nps, 1 AS response, 0 AS invited, 0 AS answered
         FROM survey_responses r JOIN customers c ON c.id = r.customer_id LEFT JOIN customer_scores s ON s.customer_id = c.id
        WHERE r.responded_at >= $3 AND r.responded_at < $2 AND c.deleted_at IS NULL AND ${scope}
          AND ($4::uuid IS NULL OR r.survey_id = $4::uuid)
          AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = r.touchpoint_id AND w.deleted_at IS NOT NULL)
       UNION ALL
       SELECT ${key('v.channel')}, t.due_at >= $1, NULL, NULL, 0, 1,
              CASE WHEN t.status = 'DONE' AND EXISTS (SELECT 1 FROM survey_responses x WHERE x.touchpoint_id = t.completion_touchpoint_id AND x.survey_id = t.survey_id) THEN 1 ELSE 0 END
         FROM tasks t JOIN surveys v ON v.id = t.survey_id JOIN customers c ON c.id = t.customer_id LEFT JOIN customer_scores s ON s.customer_id = c.id
        WHERE t.status <> 'CANCELLED' AND t.due_at >= $3 AND t.due_at < $2 AND c.deleted_at IS NULL AND ${scope}
          AND ($4::uuid IS NULL OR t.survey_id = $4::uuid)
     ), g AS (
       SELECT key, grouping(key) = 1 AS total, ${periodAggregates('cur', 'cur')}, ${periodAggregates('prev', 'NOT cur')}
         FROM facts GROUP BY GROUPING SETS ((), (key))
     )
     SELECT key, total,
            cur_responses, round(cur_csat_mean, 4)::float8 AS cur_csat_mean, cur_csat_n, round(${npsOf('cur')}, 2)::float8 AS cur_nps, cur_nps_n,
            cur_promoters, cur_detractors, cur_invitations, cur_answered, round(${rateOf('cur')}, 4)::float8 AS cur_rate,
            prev_responses, round(prev_csat_mean, 4)::float8 AS prev_csat_mean, prev_csat_n, round(${npsOf('prev')}, 2)::float8 AS prev_nps, prev_nps_n,
            prev_promoters, prev_detractors, prev_invitations, prev_answered, round(${rateOf('prev')}, 4)::float8 AS prev_rate,
            round(cur_csat_mean - prev_csat_mean, 4)::float8 AS csat_change,
            round(${npsOf('cur')} - ${npsOf('prev')}, 2)::float8 AS nps_change,
            round(${rateOf('cur')} - ${rateOf('prev')}, 4)::float8 AS rate_change,
            CASE WHEN cur_csat_mean IS NULL OR prev_csat_mean IS NULL OR prev_csat_mean = 0 THEN 'UNKNOWN'
                 WHEN (cur_csat_mean - prev_csat_mean) / prev_csat_mean <= -0.1 THEN 'FALLING'
                 WHEN (cur_csat_mean - prev_csat_mean) / prev_csat_mean >= 0.1 THEN 'RISING'
                 ELSE 'STABLE' END AS direction
       FROM g
      ORDER BY total DESC, csat_change ASC NULLS LAST, key NULLS LAST`,
    [args.from, args.to, previousFrom, surveyId],
  );
  // The owner's User is for callers who may read users (a partner gets the key, the User ID, alone).
  const owners = args.groupBy === SatisfactionGrouping.OWNER && deps.access.can('users:read') ? await deps.loaders.byId(User).loadMany(rows.filter((r) => !r.total && r.key).map((r) => r.key as string)) : [];
  const users = new Map(owners.flatMap((u) => (u instanceof User ? [[u.id, u] as const] : [])));
  const figures = (r: Record<string, any> | undefined, p: 'cur' | 'prev'): SatisfactionFigures =>
    Object.assign(new SatisfactionFigures(), {
      responses: r?.[`${p}_responses`] ?? 0,
      csatMean: r?.[`${p}_csat_mean`] ?? null,
      csatResponses: r?.[`${p}_csat_n`] ?? 0,
      npsScore: r?.[`${p}_nps`] ?? null,
      npsResponses: r?.[`${p}_nps_n`] ?? 0,
      promoters: r?.[`${p}_promoters`] ?? 0,
      detractors: r?.[`${p}_detractors`] ?? 0,
      invitations: r?.[`${p}_invitations`] ?? 0,
      answeredInvitations: r?.[`${p}_answered`] ?? 0,
      responseRate: r?.[`${p}_rate`] ?? null,
    });
  const group = (r: Record<string, any> | undefined, total: boolean): SatisfactionGroup => {
    const groupKey = total ? null : (r?.key ?? null);
    return Object.assign(new SatisfactionGroup(), {
      key: groupKey,
      owner: args.groupBy === SatisfactionGrouping.OWNER && groupKey ? users.get(groupKey) ?? null : null,
      current: figures(r, 'cur'),
      previous: figures(r, 'prev'),
      csatChange: r?.csat_change ?? null,
      npsChange: r?.nps_change ?? null,
      responseRateChange: r?.rate_change ?? null,
      direction: (r?.direction as SatisfactionDirection) ?? SatisfactionDirection.UNKNOWN,
    });
  };
  return Object.assign(new SatisfactionSummary(), {
    from: args.from,
    to: args.to,
    previousFrom,
    total: group(rows.find((r) => r.total), true),
    groups: rows.filter((r) => !r.total).map((r) => group(r, false)),
  });
}
