import { badInput, UserErrorCode } from '../common/errors';
import { formatAmount, parseAmount } from '../common/money';
import { Money } from '../common/money.types';
import { instantArgument } from '../common/validate';
import type { ServiceDeps } from '../core/request-scope';
import { User } from '../user/user.entity';
import { ComplaintStats, ComplaintStatsArgs, ComplaintStatsGroup } from './complaint.types';
import { ComplaintStatsGrouping } from './complaint.vocabulary';

const GROUP_SQL: Record<ComplaintStatsGrouping, string> = {
  CATEGORY: 'k.category',
  SEVERITY: 'k.severity',
  CHANNEL: 'k.channel',
  ASSIGNEE: 'k.assignee_id::text',
};

const round = (x: number | null, places: number): number | null => (x == null ? null : Math.round(Number(x) * 10 ** places) / 10 ** places);

/**
 * complaintStats: two statements over the complaints opened in [from, to) that the caller may see, one for the figures
 * (the total and each group in one pass: GROUPING SETS) and one for the compensation per currency. Everything is judged
 * as of `asOf`: a response, resolution or feedback after it has not happened yet.
 */
export async function complaintStats(deps: ServiceDeps, args: ComplaintStatsArgs): Promise<ComplaintStats> {
  instantArgument(args.from, 'from');
  instantArgument(args.to, 'to');
  const asOf = instantArgument(args.asOf ?? new Date(), 'asOf');
  if (!(args.from < args.to)) throw badInput('`to` must be after `from`.', { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
  const key = args.groupBy ? GROUP_SQL[args.groupBy] : 'NULL::text';
  const sets = args.groupBy ? 'GROUPING SETS ((), (key))' : '()';
  const isTotal = args.groupBy ? 'grouping(key) = 1' : 'true';
  const base = `
    WITH k AS (
      SELECT ${key} AS key, k.opened_at, k.first_response_due_at, k.resolution_due_at,
             CASE WHEN k.first_response_at <= $3 THEN k.first_response_at END AS fr,
             CASE WHEN k.resolved_at <= $3 THEN k.resolved_at END AS rs,
             CASE WHEN k.feedback_at <= $3 THEN k.customer_satisfied END AS satisfied,
             k.compensation_amount, k.compensation_currency
        FROM complaints k JOIN customers c ON c.id = k.customer_id
       WHERE k.opened_at >= $1 AND k.opened_at < $2 AND ${deps.access.customerCondition('c')}
         AND NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)
    ), judged AS (
      SELECT k.*, (k.rs IS NULL AND ((k.fr IS NULL AND k.first_response_due_at < $3) OR k.resolution_due_at < $3)) AS overdue,
             -- Complaint.withinSla, as of $3: false once a service level is missed, true once resolved within both.
             CASE WHEN coalesce(k.fr > k.first_response_due_at, k.first_response_due_at < $3)
                    OR coalesce(k.rs > k.resolution_due_at, k.resolution_due_at < $3) THEN false
                  WHEN k.rs IS NOT NULL THEN true END AS within_sla
        FROM k
    )`;
  const rows: Array<Record<string, any>> = await deps.db.query(
    `${base}
     SELECT ${args.groupBy ? 'key' : 'NULL::text AS key'}, ${isTotal} AS total, count(*)::int AS count,
            (count(*) FILTER (WHERE rs IS NULL))::int AS unresolved,
            (count(*) FILTER (WHERE overdue))::int AS overdue,
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM fr - opened_at) / 3600) FILTER (WHERE fr IS NOT NULL) AS "medianFirstResponseHours",
            percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM rs - opened_at) / 3600) FILTER (WHERE rs IS NOT NULL) AS "medianResolutionHours",
            (count(within_sla))::int AS "slaDecided", (count(*) FILTER (WHERE within_sla))::int AS "withinSla",
            (count(satisfied))::int AS "feedbackCount", (count(*) FILTER (WHERE satisfied))::int AS satisfied
       FROM judged GROUP BY ${sets}
      ORDER BY total DESC, count DESC, key NULLS LAST`,
    [args.from, args.to, asOf],
  );
  const money: Array<{ key: string | null; total: boolean; currency: string; amount: string }> = await deps.db.query(
    `${base}
     SELECT ${args.groupBy ? 'key' : 'NULL::text AS key'}, ${args.groupBy ? 'grouping(key) = 1' : 'true'} AS total, compensation_currency AS currency, sum(compensation_amount)::text AS amount
       FROM judged WHERE compensation_amount IS NOT NULL AND (rs IS NOT NULL)
      GROUP BY ${args.groupBy ? 'GROUPING SETS ((compensation_currency), (key, compensation_currency))' : 'compensation_currency'}`,
    [args.from, args.to, asOf],
  );
  const assignees = args.groupBy === ComplaintStatsGrouping.ASSIGNEE
    ? await deps.loaders.byId(User).loadMany(rows.filter((r) => !r.total && r.key).map((r) => r.key as string))
    : [];
  const users = new Map(assignees.flatMap((u) => (u instanceof User ? [[u.id, u] as const] : [])));
  const group = (r: Record<string, any> | undefined, total: boolean): ComplaintStatsGroup => {
    const key = total ? null : (r?.key ?? null);
    const compensation = money.filter((x) => (args.groupBy ? x.total === total : true) && (total || x.key === key));
    return Object.assign(new ComplaintStatsGroup(), {
      key,
      assignee: args.groupBy === ComplaintStatsGrouping.ASSIGNEE && key ? users.get(key) ?? null : null,
      count: r?.count ?? 0,
      unresolved: r?.unresolved ?? 0,
      overdue: r?.overdue ?? 0,
      medianFirstResponseHours: round(r?.medianFirstResponseHours ?? null, 2),
      medianResolutionHours: round(r?.medianResolutionHours ?? null, 2),
      slaDecided: r?.slaDecided ?? 0,
      withinSlaShare: r?.slaDecided ? round(r.withinSla / r.slaDecided, 4) : null,
      compensation: moneyByCurrency(compensation),
      feedbackCount: r?.feedbackCount ?? 0,
      satisfiedShare: r?.feedbackCount ? round(r.satisfied / r.feedbackCount, 4) : null,
    });
  };
  return Object.assign(new ComplaintStats(), {
    from: args.from,
    to: args.to,
    asOf,
    total: group(rows.find((r) => r.total || !args.groupBy), true),
    groups: args.groupBy ? rows.filter((r) => !r.total).map((r) => group(r, false)) : [],
  });
}

/** Exact totals per currency, as Money sorted by currency code. */
export function moneyByCurrency(rows: Array<{ currency: string; amount: string }>): Money[] {
  const totals = new Map<string, bigint>();
  for (const r of rows) totals.set(r.currency, (totals.get(r.currency) ?? 0n) + parseAmount(r.amount));
  return [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([currency, units]) => Money.of(formatAmount(units), currency));
}
