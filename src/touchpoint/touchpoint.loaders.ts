import DataLoader from 'dataloader';
import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import type { Loaders } from '../core/loaders';
import { Touchpoint } from './touchpoint.entity';
import { TouchpointFilter, TouchpointSortField } from './touchpoint.types';

/** How touchpoint lists filter and sort (shared by `touchpoints` and `Customer.touchpoints`). */
export const touchpointList: ListSpec<Touchpoint, TouchpointFilter, TouchpointSortField> = {
  entity: Touchpoint,
  what: 'touchpoint',
  filters: {
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    contact: { sql: '{a}.contact_id', kind: 'id', idType: 'Contact' },
    user: { sql: '{a}.user_id', kind: 'id', idType: 'User' },
    order: { sql: '{a}.order_id', kind: 'id', idType: 'Order' },
    channel: { sql: '{a}.channel', kind: 'enum' },
    direction: { sql: '{a}.direction', kind: 'enum' },
    purpose: { sql: '{a}.purpose', kind: 'enum' },
    complaintStatus: { sql: '(SELECT k.status FROM complaints k WHERE k.touchpoint_id = {a}.id)', kind: 'enum' },
    occurredAt: { sql: '{a}.occurred_at', kind: 'timestamp' },
    satisfaction: { sql: '{a}.satisfaction', kind: 'number' },
    nps: { sql: '{a}.nps', kind: 'number' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
    deletedAt: { sql: '{a}.deleted_at', kind: 'timestamp' },
  },
  sorts: {
    [TouchpointSortField.OCCURRED_AT]: { sql: '{a}.occurred_at', pgType: 'timestamptz' },
    [TouchpointSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: TouchpointSortField.OCCURRED_AT, direction: SortDirection.DESC },
};

export interface TouchpointSummary {
  openComplaints: number;
  lastTouchpointAt: Date | null;
}

/** What the touchpoints say about a customer as of an instant (the customer intelligence's inputs). */
export interface TouchpointFacts {
  lastAt: Date | null;
  lastThankYouAt: Date | null;
  lastServiceAt: Date | null;
  lastSurveyAt: Date | null;
  /** Latest GREETING with the customer themselves (not one of their contacts). */
  lastGreetingAt: Date | null;
  /** Complaints open at the cut, by the id of the touchpoint that opened them, with the channel they came in on. */
  openComplaints: Array<{ id: string; openedAt: Date; channel: string; dueAt: Date }>;
  csat: Array<{ at: Date; score: number }>;
  npsResponses: number;
  promoters: number;
  detractors: number;
}

/** A customer's touchpoint aggregates: the summary (now, whatever the cut) and, for a cut, the facts as of it. */
export interface TouchpointActivity {
  summary: TouchpointSummary;
  facts: TouchpointFacts | null;
}

/** Which aggregates to read: the summary of a customer, and with `cut` their facts as of that instant too. */
export interface TouchpointActivityKey {
  customerId: string;
  cut: Date | null;
}

/** A complaint whose COMPLAINT touchpoint was deleted (logged by mistake) is withdrawn: not counted as open. */
const WITHDRAWN = `EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)`;

const date = (v: unknown): Date | null => (v == null ? null : new Date(v as string));

/**
 * Per-customer aggregates of live touchpoints and complaints, for a page of customers in ONE statement: the summary
 * (`openComplaints`, `lastTouchpointAt`) and the facts as of a cut that the customer intelligence reads (latest
 * touchpoint per purpose of interest, complaints still open at the cut, CSAT answers and NPS counts). Both read the
 * same rows, so the Customer 360 reads them once; a summary asked with facts of the same customer rides along.
 */
export function touchpointActivity(loaders: Loaders): DataLoader<TouchpointActivityKey, TouchpointActivity, string> {
  return loaders.memo('touchpointActivity', () =>
    new DataLoader<TouchpointActivityKey, TouchpointActivity, string>(
      async (keys) => {
        const withFacts = new Set(keys.filter((k) => k.cut).map((k) => k.customerId));
        const asked = new Map<string, TouchpointActivityKey>();
        for (const k of keys) if (k.cut || !withFacts.has(k.customerId)) asked.set(activityKey(k), k);
        const pairs = [...asked.values()];
        const rows: Array<Record<string, any>> = await loaders.db.query(
          `SELECT q.n::int AS n,
                  (SELECT count(*) FROM complaints k WHERE k.customer_id = q.id AND k.resolved_at IS NULL AND NOT ${WITHDRAWN})::int AS open_complaints,
                  (SELECT max(t.occurred_at) FROM touchpoints t WHERE t.customer_id = q.id AND t.deleted_at IS NULL) AS last_touchpoint_at,
                  f.*
             FROM unnest($1::uuid[], $2::timestamptz[]) WITH ORDINALITY AS q(id, cut, n)
             LEFT JOIN LATERAL (
               SELECT max(t.occurred_at) AS "lastAt",
                      max(t.occurred_at) FILTER (WHERE t.purpose = 'THANK_YOU') AS "lastThankYouAt",
                      max(t.occurred_at) FILTER (WHERE t.purpose = 'SERVICE') AS "lastServiceAt",
                      max(t.occurred_at) FILTER (WHERE t.purpose = 'SURVEY') AS "lastSurveyAt",
                      max(t.occurred_at) FILTER (WHERE t.purpose = 'GREETING' AND t.contact_id IS NULL) AS "lastGreetingAt",
                      coalesce(json_agg(json_build_object('id', t.id, 'at', t.occurred_at, 'channel', k.channel,
                          'due', CASE WHEN k.first_response_at IS NULL OR k.first_response_at > q.cut THEN k.first_response_due_at ELSE k.resolution_due_at END) ORDER BY t.occurred_at)
                        FILTER (WHERE k.id IS NOT NULL AND (k.resolved_at IS NULL OR k.resolved_at > q.cut)), '[]') AS "openComplaints",
                      coalesce(json_agg(json_build_object('at', t.occurred_at, 'score', t.satisfaction) ORDER BY t.occurred_at)
                        FILTER (WHERE t.satisfaction IS NOT NULL), '[]') AS csat,
                      count(t.nps)::int AS "npsResponses",
                      (count(*) FILTER (WHERE t.nps >= 9))::int AS promoters,
                      (count(*) FILTER (WHERE t.nps <= 6))::int AS detractors
                 FROM touchpoints t LEFT JOIN complaints k ON k.touchpoint_id = t.id
                WHERE t.customer_id = q.id AND t.deleted_at IS NULL AND t.occurred_at <= q.cut
             ) f ON q.cut IS NOT NULL`,
          [pairs.map((k) => k.customerId), pairs.map((k) => k.cut)],
        );
        const byKey = new Map<string, TouchpointActivity>();
        const summaryOf = new Map<string, TouchpointSummary>();
        for (const r of rows) {
          const k = pairs[r.n - 1];
          const summary = { openComplaints: r.open_complaints, lastTouchpointAt: r.last_touchpoint_at };
          summaryOf.set(k.customerId, summary);
          byKey.set(activityKey(k), { summary, facts: k.cut ? factsOf(r) : null });
        }
        return keys.map((k) => byKey.get(activityKey(k)) ?? { summary: summaryOf.get(k.customerId)!, facts: null });
      },
      { cacheKeyFn: activityKey },
    ),
  );
}

function activityKey(k: TouchpointActivityKey): string {
  return `${k.customerId}|${k.cut?.toISOString() ?? ''}`;
}

/** The facts columns of one row; an aggregate over no touchpoints gives nulls, zeros and empty lists. */
function factsOf(r: Record<string, any>): TouchpointFacts {
  return {
    lastAt: date(r.lastAt),
    lastThankYouAt: date(r.lastThankYouAt),
    lastServiceAt: date(r.lastServiceAt),
    lastSurveyAt: date(r.lastSurveyAt),
    lastGreetingAt: date(r.lastGreetingAt),
    openComplaints: r.openComplaints.map((c: { id: string; at: string; channel: string; due: string }) => ({ id: c.id, openedAt: new Date(c.at), channel: c.channel, dueAt: new Date(c.due) })),
    csat: r.csat.map((s: { at: string; score: number }) => ({ at: new Date(s.at), score: s.score })),
    npsResponses: r.npsResponses,
    promoters: r.promoters,
    detractors: r.detractors,
  };
}

/** Per-customer aggregates of live touchpoints and unresolved complaints, batched with the facts a request also reads. */
export async function touchpointSummary(loaders: Loaders, customerId: string): Promise<TouchpointSummary> {
  return (await touchpointActivity(loaders).load({ customerId, cut: null })).summary;
}
