import DataLoader from 'dataloader';
import { badInput } from '../common/errors';
import { connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection } from '../common/connection.types';
import { isUuid } from '../common/ids';
import { normaliseAmount } from '../common/money';
import { areaOfTable } from '../core/access';
import type { ServiceDeps } from '../core/request-scope';
import { CustomerTimelineArgs, TimelineEvent } from './timeline.types';
import { TIMELINE_EVENT_KINDS, TimelineEventKind as K, type TimelineEventKind } from './timeline.vocabulary';

/**
 * A customer's timeline: every source of events merged into ONE keyset-paged list, newest first, ordered by
 * (at, kind, id) all descending, so that each source's (customer, time, id) index is read backwards without a sort.
 * A page is one statement, however long the history: a UNION ALL with a branch per source, each branch confined by
 * the access policy, bounded by the cursor and cut at first+1 rows, the merge cut at first+1 again. Nested under a
 * page of customers it is still one statement (a LATERAL timeline per customer, as nested connections are batched).
 *
 * The indexes each branch reads (migrations/1734400000000-timeline-indexes.ts adds the missing ones):
 * - orders: orders_customer_placed_idx (customer_id, placed_at, id)
 * - touchpoints: touchpoints_customer_occurred_idx (customer_id, occurred_at, id)
 * - lifecycle_transitions: lifecycle_transitions_customer_idx (customer_id, at, id)
 * - stage history: opportunities_customer_idx, then opportunity_stage_history_opportunity_idx (opportunity_id,
 *   entered_at, id) per opportunity of the customer (also for each row's previous stage)
 * - opportunities won or lost: opportunities_customer_closed_idx (customer_id, closed_at, id) WHERE closed_at IS NOT NULL
 * - tasks: tasks_customer_completed_idx (customer_id, completed_at, id) WHERE status = 'DONE'
 * - complaint_transitions: complaint_transitions_customer_idx (customer_id, at, id)
 * - complaint_escalations: complaint_escalations_customer_idx (customer_id, at, id)
 * - audit_events: audit_events_owner_change_idx (object_id, at, id) WHERE <OWNER_CHANGE>
 */

/** The audit events that change a customer's owner; the partial index audit_events_owner_change_idx has this predicate. */
const OWNER_CHANGE = `(a.action IN ('customer.assign', 'customer.reassign') OR (a.action = 'customer.update' AND a.changes ? 'ownerId'))`;
const INSTANT_SQL = (col: string) => `to_char((${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.\d{6}Z$/;
const UUID_TEXT = `'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'`;
/** Free text in a title: enough to recognise it. */
const MAX_TEXT_IN_TITLE = 80;

/** The columns every branch yields, in this order. */
interface Columns {
  kind: string;
  id: string;
  at: string;
  actor?: string;
  order?: string;
  touchpoint?: string;
  opportunity?: string;
  task?: string;
  complaint?: string;
  facts: string;
}
function select(c: Columns): string {
  const uuid = (v?: string) => (v ? `${v}` : 'NULL::uuid');
  return `SELECT (${c.kind})::text COLLATE "C" AS kind, ${c.id} AS id, ${c.at} AS at, ${uuid(c.actor)} AS actor_id, ${uuid(c.order)} AS order_id,
                 ${uuid(c.touchpoint)} AS touchpoint_id, ${uuid(c.opportunity)} AS opportunity_id, ${uuid(c.task)} AS task_id,
                 ${uuid(c.complaint)} AS complaint_id, ${c.facts} AS facts`;
}

interface BranchContext {
  /** The customer's id (the LATERAL parent). */
  customer: string;
  /** The row condition the access policy puts on a table (alias given), or null. */
  scope(table: string, alias: string): string | null;
  masked: boolean;
  /** Whether the caller may read the table's area. */
  readable(table: string): boolean;
  /** Whether the page asks for this kind. */
  wants(kind: TimelineEventKind): boolean;
}

interface Branch {
  kinds: readonly TimelineEventKind[];
  /** The table whose area decides whether the caller sees the branch at all. */
  table: string;
  /** A SELECT of the branch's events with `select`, for the customer, within the caller's scope. */
  sql(c: BranchContext): string;
}

const and = (...parts: Array<string | null | false>) => parts.filter(Boolean).join(' AND ');
/** Free text, for callers who may see it. */
const text = (c: BranchContext, sql: string) => (c.masked ? 'NULL::text' : sql);

const BRANCHES: Branch[] = [
  {
    kinds: [K.ORDER_PLACED],
    table: 'orders',
    sql: (c) => `${select({
      kind: `'${K.ORDER_PLACED}'`,
      id: 'o.id',
      at: 'o.placed_at',
      order: 'o.id',
      facts: `jsonb_build_object('number', o.number, 'total', o.total_amount::text, 'currency', o.currency)`,
    })} FROM orders o WHERE ${and(`o.customer_id = ${c.customer}`, 'o.deleted_at IS NULL', c.scope('orders', 'o'))}`,
  },
  {
    kinds: [K.TOUCHPOINT_LOGGED],
    table: 'touchpoints',
    // A touchpoint that opened a complaint, or that a completed task logged, is that event (when it is asked for and
    // the caller sees it): one thing happened, it shows once.
    sql: (c) => `${select({
      kind: `'${K.TOUCHPOINT_LOGGED}'`,
      id: 't.id',
      at: 't.occurred_at',
      actor: 't.user_id',
      touchpoint: 't.id',
      facts: `jsonb_build_object('channel', t.channel, 'direction', t.direction, 'purpose', t.purpose, 'subject', ${text(c, 't.subject')})`,
    })} FROM touchpoints t WHERE ${and(
      `t.customer_id = ${c.customer}`,
      't.deleted_at IS NULL',
      c.scope('touchpoints', 't'),
      c.wants(K.COMPLAINT_OPENED) && `NOT EXISTS (SELECT 1 FROM complaints ck WHERE ck.touchpoint_id = t.id)`,
      c.wants(K.TASK_COMPLETED) && `NOT EXISTS (SELECT 1 FROM tasks tk WHERE ${and('tk.completion_touchpoint_id = t.id', c.scope('tasks', 'tk'))})`,
    )}`,
  },
  {
    kinds: [K.LIFECYCLE_CHANGED],
    table: 'lifecycle_transitions',
    sql: (c) => `${select({
      kind: `'${K.LIFECYCLE_CHANGED}'`,
      id: 'l.id',
      at: 'l.at',
      actor: 'l.actor_user_id',
      facts: `jsonb_build_object('from', fs.name, 'to', ts.name, 'reason', ${text(c, 'l.reason')})`,
    })} FROM lifecycle_transitions l JOIN lifecycle_stages ts ON ts.id = l.to_stage_id LEFT JOIN lifecycle_stages fs ON fs.id = l.from_stage_id
        WHERE ${and(`l.customer_id = ${c.customer}`, c.scope('lifecycle_transitions', 'l'))}`,
  },
  {
    kinds: [K.OPPORTUNITY_OPENED, K.OPPORTUNITY_MOVED],
    table: 'opportunity_stage_history',
    // Each row of the stage history is a stage entered: the first one opens the opportunity, the others move it.
    sql: (c) => `${select({
      kind: `CASE WHEN prev.stage_id IS NULL THEN '${K.OPPORTUNITY_OPENED}' ELSE '${K.OPPORTUNITY_MOVED}' END`,
      id: 'h.id',
      at: 'h.entered_at',
      actor: 'h.user_id',
      opportunity: 'o.id',
      facts: `jsonb_build_object('name', o.name, 'from', ps.name, 'to', s.name)`,
    })} FROM opportunities o
        JOIN opportunity_stage_history h ON h.opportunity_id = o.id
        JOIN pipeline_stages s ON s.id = h.stage_id
        LEFT JOIN LATERAL (SELECT p.stage_id FROM opportunity_stage_history p WHERE p.opportunity_id = h.opportunity_id AND (p.entered_at, p.id) < (h.entered_at, h.id)
                            ORDER BY p.entered_at DESC, p.id DESC LIMIT 1) prev ON true
        LEFT JOIN pipeline_stages ps ON ps.id = prev.stage_id
        WHERE ${and(`o.customer_id = ${c.customer}`, 'o.deleted_at IS NULL', c.scope('opportunities', 'o'))}`,
  },
  {
    kinds: [K.OPPORTUNITY_WON, K.OPPORTUNITY_LOST],
    table: 'opportunities',
    // Who closed it is in the audit log (only the actor is read from it); the owner for opportunities closed without one.
    sql: (c) => `${select({
      kind: `CASE o.status WHEN 'WON' THEN '${K.OPPORTUNITY_WON}' ELSE '${K.OPPORTUNITY_LOST}' END`,
      id: 'o.id',
      at: 'o.closed_at',
      actor: `coalesce((SELECT a.actor_user_id FROM audit_events a WHERE a.object_id = o.id AND a.action IN ('opportunity.win', 'opportunity.lose') ORDER BY a.at DESC LIMIT 1), o.owner_id)`,
      opportunity: 'o.id',
      facts: `jsonb_build_object('name', o.name, 'amount', o.amount::text, 'currency', o.currency, 'reason', ${text(c, 'o.lost_reason')})`,
    })} FROM opportunities o WHERE ${and(`o.customer_id = ${c.customer}`, 'o.closed_at IS NOT NULL', 'o.deleted_at IS NULL', c.scope('opportunities', 'o'))}`,
  },
  {
    kinds: [K.TASK_COMPLETED],
    table: 'tasks',
    sql: (c) => `${select({
      kind: `'${K.TASK_COMPLETED}'`,
      id: 'k.id',
      at: 'k.completed_at',
      actor: 'k.owner_id',
      task: 'k.id',
      touchpoint: 'k.completion_touchpoint_id',
      facts: `jsonb_build_object('kind', k.kind, 'subject', ${text(c, 'k.subject')})`,
    })} FROM tasks k WHERE ${and(`k.customer_id = ${c.customer}`, `k.status = 'DONE'`, c.scope('tasks', 'k'))}`,
  },
  {
    kinds: [K.COMPLAINT_OPENED, K.COMPLAINT_STATUS_CHANGED],
    table: 'complaint_transitions',
    // A complaint whose touchpoint was deleted (logged by mistake) is withdrawn, as openComplaints counts it.
    sql: (c) => `${select({
      kind: `CASE WHEN x.from_status IS NULL THEN '${K.COMPLAINT_OPENED}' ELSE '${K.COMPLAINT_STATUS_CHANGED}' END`,
      id: 'x.id',
      at: 'x.at',
      actor: 'x.by_user_id',
      complaint: 'x.complaint_id',
      touchpoint: 'CASE WHEN x.from_status IS NULL THEN k.touchpoint_id END',
      facts: `jsonb_build_object('from', x.from_status, 'to', x.to_status, 'severity', k.severity, 'category', k.category, 'subject', ${text(c, 'k.subject')})`,
    })} FROM complaint_transitions x JOIN complaints k ON k.id = x.complaint_id
        WHERE ${and(
          `x.customer_id = ${c.customer}`,
          c.scope('complaint_transitions', 'x'),
          'NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)',
        )}`,
  },
  {
    kinds: [K.COMPLAINT_ESCALATED],
    table: 'complaint_escalations',
    sql: (c) => `${select({
      kind: `'${K.COMPLAINT_ESCALATED}'`,
      id: 'e.id',
      at: 'e.at',
      complaint: 'e.complaint_id',
      facts: `jsonb_build_object('level', e.level, 'reason', e.reason, 'subject', ${text(c, 'k.subject')})`,
    })} FROM complaint_escalations e JOIN complaints k ON k.id = e.complaint_id
        WHERE ${and(
          `e.customer_id = ${c.customer}`,
          c.scope('complaint_escalations', 'e'),
          'NOT EXISTS (SELECT 1 FROM touchpoints w WHERE w.id = k.touchpoint_id AND w.deleted_at IS NOT NULL)',
        )}`,
  },
  {
    kinds: [K.OWNER_CHANGED],
    // The audit log is ADMIN's, but who owns a customer is part of the customer: whoever reads the customer sees its
    // owner changes (who made them and the owners' names, with users access), none of the log's other values.
    table: 'customers',
    sql: (c) => {
      const owner = (side: 'before' | 'after') =>
        c.readable('users')
          ? `(SELECT u.name FROM users u WHERE u.id = CASE WHEN a.changes->'ownerId'->>'${side}' ~ ${UUID_TEXT} THEN (a.changes->'ownerId'->>'${side}')::uuid END)`
          : 'NULL::text';
      return `${select({
        kind: `'${K.OWNER_CHANGED}'`,
        id: 'a.id',
        at: 'a.at',
        actor: 'a.actor_user_id',
        facts: `jsonb_build_object('from', ${owner('before')}, 'to', ${owner('after')})`,
      })} FROM audit_events a WHERE ${and(`a.object_id = ${c.customer}`, `a.object_type = 'Customer'`, OWNER_CHANGE)}`;
    },
  },
];

interface Cursor {
  at: string;
  kind: TimelineEventKind;
  id: string;
}

interface Page {
  first: number;
  cursor: Cursor | null;
  kinds: TimelineEventKind[] | null;
}

interface EventRow {
  customer_id: string;
  kind: TimelineEventKind;
  id: string;
  at: Date;
  at_text: string;
  actor_id: string | null;
  order_id: string | null;
  touchpoint_id: string | null;
  opportunity_id: string | null;
  task_id: string | null;
  complaint_id: string | null;
  facts: Record<string, string | number | null>;
}

function encodeCursor(r: { at_text: string; kind: string; id: string }): string {
  return Buffer.from(JSON.stringify(['timeline', r.at_text, r.kind, r.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): Cursor {
  const refuse = () => badInput('`after` is not a cursor of a timeline: pass `pageInfo.endCursor` or an edge’s `cursor`', { field: 'after' });
  let parsed: unknown;
  try {
    if (cursor.length > 512) throw new Error('too long');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const [list, at, kind, id] = Array.isArray(parsed) && parsed.length === 4 ? (parsed as unknown[]) : [];
  if (list !== 'timeline' || typeof at !== 'string' || typeof kind !== 'string' || typeof id !== 'string') throw refuse();
  const m = INSTANT.exec(at);
  if (!m || !TIMELINE_EVENT_KINDS.includes(kind as TimelineEventKind) || !isUuid(id)) throw refuse();
  // A calendar instant Postgres and JS agree on: year 1 to 9999, a real day and time.
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) throw refuse();
  return { at, kind: kind as TimelineEventKind, id: id.toLowerCase() };
}

const words = (value: unknown) => String(value ?? '').toLowerCase().replace(/_/g, ' ');
const quoted = (value: unknown) => {
  if (typeof value !== 'string' || !value.trim()) return '';
  const t = value.trim().replace(/\s+/g, ' ');
  return `“${t.length > MAX_TEXT_IN_TITLE ? `${t.slice(0, MAX_TEXT_IN_TITLE - 1)}…` : t}”`;
};
const money = (amount: unknown, currency: unknown) => `${normaliseAmount(String(amount), String(currency))} ${currency}`;

/** `what` and, when there is one, the free text: "Complaint resolved: “Machine leaks water”". */
const withText = (what: string, value: unknown) => (quoted(value) ? `${what}: ${quoted(value)}` : what);
const capital = (s: string) => s.replace(/^./, (ch) => ch.toUpperCase());

/** The title of an event: short words from the facts its branch read (free text only when the caller may see it). */
export function titleOf(kind: TimelineEventKind, f: Record<string, string | number | null>): string {
  const opportunity = `Opportunity ${quoted(f.name)}`;
  switch (kind) {
    case K.ORDER_PLACED:
      return `Order ${f.number} placed, ${money(f.total, f.currency)}`;
    case K.TOUCHPOINT_LOGGED:
      return withText(`${capital(words(f.direction))} ${words(f.channel)}, ${words(f.purpose)}`, f.subject);
    case K.LIFECYCLE_CHANGED:
      return withText(f.from ? `Lifecycle stage changed from ${f.from} to ${f.to}` : `Lifecycle stage set to ${f.to}`, f.reason);
    case K.OPPORTUNITY_OPENED:
      return `${opportunity} opened in ${f.to}`;
    case K.OPPORTUNITY_MOVED:
      return `${opportunity} moved from ${f.from} to ${f.to}`;
    case K.OPPORTUNITY_WON:
      return `${opportunity} won, ${money(f.amount, f.currency)}`;
    case K.OPPORTUNITY_LOST:
      return withText(`${opportunity} lost`, f.reason);
    case K.TASK_COMPLETED:
      return withText(`${capital(words(f.kind))} task done`, f.subject);
    case K.COMPLAINT_OPENED:
      return withText(`Complaint opened (${words(f.severity)}, ${words(f.category)})`, f.subject);
    case K.COMPLAINT_STATUS_CHANGED:
      return withText(`Complaint ${f.from === 'RESOLVED' && f.to === 'IN_PROGRESS' ? 'reopened' : words(f.to)}`, f.subject);
    case K.COMPLAINT_ESCALATED:
      return withText(`Complaint escalated to level ${f.level} (${words(f.reason)})`, f.subject);
    case K.OWNER_CHANGED:
      return f.from && f.to ? `Owner changed from ${f.from} to ${f.to}` : f.to ? `Owner set to ${f.to}` : 'Owner changed';
  }
}

export class TimelineService {
  constructor(private readonly deps: ServiceDeps) {}

  /** A page of the customer's timeline; pages of many customers asked for in one request share one statement. */
  ofCustomer(customerId: string, args: CustomerTimelineArgs): Promise<Connection<TimelineEvent>> {
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badInput(`\`first\` must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
    const page: Page = { first, cursor: args.after == null ? null : decodeCursor(args.after), kinds: args.filter?.kinds ? [...new Set(args.filter.kinds)] : null };
    return this.deps.loaders.memo(`timeline:${JSON.stringify(page)}`, () => new DataLoader<string, Connection<TimelineEvent>>((ids) => this.pages(ids, page))).load(customerId);
  }

  /** The branches the caller sees and the page asks for, as SQL for the customer `parent.id`. */
  private branches(page: Page): string[] {
    const access = this.deps.access;
    const wanted = (kind: TimelineEventKind) => !page.kinds || page.kinds.includes(kind);
    const readable = (table: string) => access.can(`${areaOfTable(table)}:read`);
    const c: BranchContext = { customer: 'parent.id', scope: (t, a) => access.rowCondition(t, a), masked: access.masksPii, readable, wants: wanted };
    return BRANCHES.filter((b) => readable(b.table) && b.kinds.some(wanted)).map((b) => b.sql(c));
  }

  private async pages(customerIds: readonly string[], page: Page): Promise<Array<Connection<TimelineEvent>>> {
    const branches = this.branches(page);
    const rows: EventRow[] = page.first === 0 || !branches.length ? [] : await this.deps.db.query(...this.pageSql(branches, customerIds, page));
    const byCustomer = new Map<string, EventRow[]>();
    for (const r of rows) byCustomer.set(r.customer_id, [...(byCustomer.get(r.customer_id) ?? []), r]);
    const counts = this.counts(branches, page);
    return customerIds.map((id) => {
      const all = byCustomer.get(id) ?? [];
      const shown = all.slice(0, page.first);
      const edges = shown.map((r) => ({ cursor: encodeCursor(r), node: this.event(r) }));
      return connection(
        {
          edges,
          nodes: edges.map((e) => e.node),
          pageInfo: { hasNextPage: all.length > page.first, hasPreviousPage: page.cursor !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
        },
        () => counts.load(id),
      );
    });
  }

  /**
   * One statement for the page of every customer asked for: per customer (LATERAL), each branch after the cursor,
   * newest first, cut at first+1; then the merge, cut at first+1. `at <= cursor` is spelled out beside the row
   * comparison so that it bounds each branch's index range (the kind is not in the indexes).
   */
  private pageSql(branches: string[], customerIds: readonly string[], page: Page): [string, unknown[]] {
    const params: unknown[] = [];
    const param = (value: unknown, type: string) => {
      params.push(value);
      return `$${params.length}::${type}`;
    };
    const customers = param(customerIds, 'uuid[]');
    const limit = param(page.first + 1, 'int');
    const c = page.cursor;
    const at = c && param(c.at, 'timestamptz');
    const where =
      and(page.kinds && `x.kind = ANY(${param(page.kinds, 'text[]')})`, c && `x.at <= ${at} AND (x.at, x.kind, x.id) < (${at}, ${param(c.kind, 'text')} COLLATE "C", ${param(c.id, 'uuid')})`) ||
      'TRUE';
    const order = 'ORDER BY x.at DESC, x.kind DESC, x.id DESC';
    const union = branches.map((b) => `(SELECT x.* FROM (${b}) x WHERE ${where} ${order} LIMIT ${limit})`).join('\n UNION ALL ');
    const sql = `SELECT parent.id::text AS customer_id, x.*, ${INSTANT_SQL('x.at')} AS at_text
                   FROM unnest(${customers}) WITH ORDINALITY AS parent(id, n)
                   CROSS JOIN LATERAL (SELECT x.* FROM (${union}) x ${order} LIMIT ${limit}) x
                  ORDER BY parent.n, x.at DESC, x.kind DESC, x.id DESC`;
    return [sql, params];
  }

  /** totalCount: the events of each customer the caller sees under the filter, one statement for every customer asked. */
  private counts(branches: string[], page: Page): DataLoader<string, number> {
    return this.deps.loaders.memo(`timelineCount:${JSON.stringify(page.kinds)}`, () =>
      new DataLoader<string, number>(async (ids) => {
        if (!branches.length) return ids.map(() => 0);
        const where = page.kinds ? `WHERE x.kind = ANY($2::text[])` : '';
        const union = branches.map((b) => `(SELECT x.kind FROM (${b}) x ${where})`).join('\n UNION ALL ');
        const rows: Array<{ customer_id: string; n: number }> = await this.deps.db.query(
          `SELECT parent.id::text AS customer_id, (SELECT count(*) FROM (${union}) x)::int AS n FROM unnest($1::uuid[]) AS parent(id)`,
          page.kinds ? [ids, page.kinds] : [ids],
        );
        const n = new Map(rows.map((r) => [r.customer_id, r.n]));
        return ids.map((id) => n.get(id) ?? 0);
      }),
    );
  }

  private event(r: EventRow): TimelineEvent {
    return Object.assign(new TimelineEvent(), {
      at: new Date(r.at),
      kind: r.kind,
      title: titleOf(r.kind, r.facts),
      actorId: r.actor_id,
      orderId: r.order_id,
      touchpointId: r.touchpoint_id,
      opportunityId: r.opportunity_id,
      taskId: r.task_id,
      complaintId: r.complaint_id,
    });
  }
}
