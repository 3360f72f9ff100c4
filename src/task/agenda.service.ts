import { badInput, UserErrorCode, UserErrors } from '../common/errors';
import { toGlobalId } from '../common/ids';
import { connection, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Connection } from '../common/connection.types';
import { instantArgument } from '../common/validate';
import { hasNul } from '../common/validate';
import { Contact } from '../contact/contact.entity';
import { ConsentChannel } from '../customer/customer.entity';
import { actorUserId } from '../core/actor';
import type { ServiceDeps } from '../core/request-scope';
import { CHANNEL_PREFERENCE, complaintReplyChannel, MS_PER_DAY, PLAYBOOK, type ActionKind } from '../intelligence';
import { careItemsParams, careItemsSql, careReason } from '../insight/analytics/care-items';
import { AcceptSuggestionInput, AgendaItem, AgendaItemSource, MyAgendaArgs, SUGGESTION_KINDS, TASK_KIND_OF, type SuggestionKind } from './agenda.types';
import { TaskKind } from './task-kind';
import { TaskPriority } from './task.entity';
import type { TaskService } from './task.service';
import type { TaskPayload } from './task.types';

/** An agenda covers at most a quarter, as careAgenda does. */
const MAX_AGENDA_DAYS = 92;
const INSTANT_SQL = (col: string) => `to_char((${col}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const KINDS = new Set<string>([...Object.values(TaskKind), ...Object.values(SUGGESTION_KINDS)]);
/** kind:customer:subject:due — what identifies a suggestion for as long as it stands. */
const SUGGESTION_KEY = new RegExp(`^(${Object.values(SUGGESTION_KINDS).join('|')}):(${UUID}):([^:]{0,200}):(\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z)$`);

/**
 * The playbook's suggestions for the customers of user $13 (the care routines, careItemsSql's $1–$12, and the contact
 * cadence), each with its stable key. A cadence follow-up is due `contact_every_days` after the customer's last
 * touchpoint (or their creation, without one), and is not suggested while the customer has an open task: a
 * follow-up is planned already.
 */
function suggestionsSql(): string {
  const key = (kind: string, customer: string, subject: string, due: string) => `${kind} || ':' || ${customer}::text || ':' || coalesce(${subject}, '') || ':' || ${INSTANT_SQL(due)}`;
  return `
    SELECT i.kind, i."customerId", i."contactId", i."dueAt", i.at, i.subject, NULL::int AS every, ${key('i.kind', 'i."customerId"', 'i.subject', 'i."dueAt"')} AS key, i."complaintChannel"
      FROM (${careItemsSql()}) i JOIN customers oc ON oc.id = i."customerId" AND oc.owner_id = $13
    UNION ALL
    SELECT 'FOLLOW_UP', c.id, NULL::uuid, f.due, l.since, NULL::text, s.contact_every_days, ${key(`'FOLLOW_UP'`, 'c.id', 'NULL::text', 'f.due')}, NULL::text
      FROM customers c
      JOIN lifecycle_stages s ON s.id = c.lifecycle_stage_id AND s.contact_every_days IS NOT NULL
      CROSS JOIN LATERAL (SELECT coalesce((SELECT max(t.occurred_at) FROM touchpoints t WHERE t.customer_id = c.id AND t.deleted_at IS NULL), c.created_at) AS since) l
      CROSS JOIN LATERAL (SELECT l.since + make_interval(days => s.contact_every_days) AS due) f
     WHERE c.owner_id = $13 AND c.deleted_at IS NULL AND f.due < $2::timestamptz
       AND NOT EXISTS (SELECT 1 FROM tasks o WHERE o.customer_id = c.id AND o.status = 'OPEN')
    UNION ALL
    -- Win back the valuable ones slipping away (the stored scores: what Customer.segment and valueTier say), as
    -- nextBestActions does, with a due time that stands still between requests: a week after the last contact.
    SELECT 'WIN_BACK', c.id, NULL::uuid, w.due, w.since, NULL::text, NULL::int, ${key(`'WIN_BACK'`, 'c.id', 'NULL::text', 'w.due')}, NULL::text
      FROM customers c
      JOIN customer_scores s ON s.customer_id = c.id
      LEFT JOIN lifecycle_stages st ON st.id = c.lifecycle_stage_id
      CROSS JOIN LATERAL (SELECT greatest((SELECT max(t.occurred_at) FROM touchpoints t WHERE t.customer_id = c.id AND t.deleted_at IS NULL), s.last_at) AS since) l
      CROSS JOIN LATERAL (SELECT l.since, l.since + make_interval(days => ${PLAYBOOK.winBackDueDays}) AS due) w
     WHERE c.owner_id = $13 AND c.deleted_at IS NULL AND w.due < $2::timestamptz
       AND (s.segment IN ('AT_RISK', 'CANT_LOSE') OR st.key IN ('DECLINING', 'CHURNED')) AND s.value_tier <> 'MONITOR'
       AND (c.consent_phone_granted OR c.consent_email_granted OR c.consent_mail_granted OR c.consent_sms_granted)
       AND NOT EXISTS (SELECT 1 FROM complaints k WHERE k.customer_id = c.id AND k.resolved_at IS NULL)`;
}

interface AgendaRow {
  kind: string;
  id: string;
  due_at: Date;
  due_text: string;
  customer_id: string;
  contact_id: string | null;
  task_id: string | null;
  at: Date | null;
  subject: string | null;
  every: number | null;
  priority: TaskPriority;
  /** A complaint's channel: its reply goes back the way it came. */
  complaint_channel: string | null;
  email: boolean;
  sms: boolean;
  phone: boolean;
  mail: boolean;
}

const suggestionId = (key: string) => Buffer.from(JSON.stringify(['Suggestion', key]), 'utf8').toString('base64url');

function suggestionKey(id: string): string | null {
  try {
    if (typeof id !== 'string' || id.length > 1000) return null;
    const parsed = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
    return Array.isArray(parsed) && parsed.length === 2 && parsed[0] === 'Suggestion' && typeof parsed[1] === 'string' && SUGGESTION_KEY.test(parsed[1]) ? parsed[1] : null;
  } catch {
    return null;
  }
}

/**
 * The caller's agenda (myAgenda): their open tasks and the playbook's suggestions for the customers in their book, in
 * ONE keyset-paged list ordered by (due time, kind, id), so nothing hangs on a cap: every page is one statement over
 * the window, the cursor the last item's (dueAt, kind, id), and the window travels in the cursor.
 */
export class AgendaService {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly tasks: TaskService,
  ) {}

  async myAgenda(args: MyAgendaArgs): Promise<Connection<AgendaItem>> {
    this.deps.access.require('touchpoints:read');
    const { from, to } = args;
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_AGENDA_DAYS * MS_PER_DAY) {
      throw badInput(`\`to\` must be after \`from\`, at most ${MAX_AGENDA_DAYS} days later.`, { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    const first = args.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) throw badInput(`\`first\` must be between 0 and ${MAX_PAGE_SIZE}, got ${first}`, { field: 'first' });
    const window = [from.toISOString(), to.toISOString()];
    const cursor = args.after == null ? null : decodeCursor(args.after, window);
    const me = actorUserId(this.deps.actor);
    // Without a user there is no book and no task of one's own.
    if (!me || first === 0) return connection({ edges: [], nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } }, async () => 0);

    const params: unknown[] = [...careItemsParams(from, to), me];
    const after = cursor ? `WHERE (i.due_at, i.kind COLLATE "C", i.id COLLATE "C") > ($14::timestamptz, $15::text COLLATE "C", $16::text COLLATE "C")` : '';
    if (cursor) params.push(cursor.due, cursor.kind, cursor.id);
    params.push(first + 1);
    const rows: AgendaRow[] = await this.deps.db.query(
      `${this.itemsSql()}
       SELECT i.*, ${INSTANT_SQL('i.due_at')} AS due_text, c.consent_email_granted AS email, c.consent_sms_granted AS sms,
              c.consent_phone_granted AS phone, c.consent_mail_granted AS mail
         FROM items i JOIN customers c ON c.id = i.customer_id
        ${after}
        ORDER BY i.due_at, i.kind COLLATE "C", i.id COLLATE "C"
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, first);
    const contacts = await this.deps.loaders.byId(Contact).loadMany(page.flatMap((r) => (r.contact_id ? [r.contact_id] : [])));
    const contactById = new Map(contacts.flatMap((k) => (k instanceof Contact ? [[k.id, k] as const] : [])));
    const now = new Date();
    const items = page.map((r) => this.item(r, r.contact_id ? contactById.get(r.contact_id) ?? null : null, now));
    const edges = page.map((r, i) => ({ cursor: encodeCursor(window, r), node: items[i] }));
    const count = async () => {
      const [{ n }] = await this.deps.db.query(`${this.itemsSql()} SELECT count(*)::int AS n FROM items`, params.slice(0, 13));
      return n as number;
    };
    return connection(
      { edges, nodes: items, pageInfo: { hasNextPage: rows.length > first, hasPreviousPage: cursor !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } },
      count,
    );
  }

  /** The agenda's items for user $13 over careItemsParams' window: open tasks and suggestions due before `to`. */
  private itemsSql(): string {
    const scope = this.deps.access.rowCondition('tasks', 't');
    return `WITH s AS (${suggestionsSql()}),
      items AS (
        SELECT t.kind, t.id::text AS id, t.follow_up_at AS due_at, t.customer_id, t.contact_id, t.id AS task_id, NULL::timestamptz AS at,
               t.subject, NULL::int AS every, t.priority, NULL::text AS complaint_channel
          FROM tasks t
         WHERE t.owner_id = $13 AND t.status = 'OPEN' AND t.follow_up_at < $2::timestamptz${scope ? ` AND ${scope}` : ''}
        UNION ALL
        SELECT s.kind, s.key, s."dueAt", s."customerId", s."contactId", NULL::uuid, s.at, s.subject, s.every,
               CASE WHEN s.kind = 'RESOLVE_COMPLAINT' THEN 'HIGH' ELSE 'NORMAL' END, s."complaintChannel"
          FROM s
         WHERE s."dueAt" < $2::timestamptz AND NOT EXISTS (SELECT 1 FROM tasks a WHERE a.suggestion_id = s.key)
      )`;
  }

  private item(r: AgendaRow, contact: Contact | null, now: Date): AgendaItem {
    const isTask = r.task_id !== null;
    const suggestion = isTask ? null : (r.kind as SuggestionKind);
    const granted: Record<ConsentChannel, boolean> = { EMAIL: r.email, SMS: r.sms, PHONE: r.phone, MAIL: r.mail };
    const channel = r.complaint_channel
      ? (complaintReplyChannel(r.complaint_channel) as ConsentChannel | null)
      : suggestion && suggestion !== 'FOLLOW_UP'
        ? ((CHANNEL_PREFERENCE[suggestion as ActionKind].find((ch) => granted[ch]) ?? null) as ConsentChannel | null)
        : null;
    const subject = isTask ? r.subject! : suggestionReason(suggestion!, r, contact, now);
    return Object.assign(new AgendaItem(), {
      id: isTask ? toGlobalId('Task', r.task_id!) : suggestionId(r.id),
      source: isTask ? AgendaItemSource.TASK : AgendaItemSource.SUGGESTION,
      dueAt: new Date(r.due_at),
      kind: isTask ? (r.kind as TaskKind) : TASK_KIND_OF[suggestion!],
      suggestion,
      subject,
      priority: r.priority,
      channel,
      customerId: r.customer_id,
      contactId: r.contact_id,
      taskId: r.task_id,
    });
  }

  /** Turns a suggestion on the caller's agenda into a task of theirs; the suggestion is not offered again. */
  async acceptSuggestion(input: AcceptSuggestionInput): Promise<TaskPayload> {
    this.deps.access.require('touchpoints:write');
    const errors = new UserErrors();
    const key = suggestionKey(input.id);
    if (!key) {
      errors.add(['input', 'id'], UserErrorCode.INVALID_ID, 'Not a suggestion ID: pass the id of a SUGGESTION item of myAgenda.');
      return { task: null, userErrors: errors.list };
    }
    const me = actorUserId(this.deps.actor);
    const due = new Date(SUGGESTION_KEY.exec(key)![4]);
    const now = new Date();
    return this.deps.db.transaction(async (m) => {
      // Two accepts of one suggestion take turns: the second finds it gone.
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`suggestion:${key}`]);
      // The suggestion is looked up again by the agenda's own SQL, over a window around its due time.
      const params = [...careItemsParams(new Date(due.getTime() - MS_PER_DAY), new Date(due.getTime() + 1)), me ?? '00000000-0000-0000-0000-000000000000', key];
      const [row]: Array<{ kind: SuggestionKind; customerId: string; contactId: string | null; dueAt: Date; at: Date; subject: string | null; every: number | null }> = await m.query(
        `WITH s AS (${suggestionsSql()}) SELECT * FROM s WHERE s.key = $14 AND NOT EXISTS (SELECT 1 FROM tasks a WHERE a.suggestion_id = s.key)`,
        params,
      );
      if (!me || !row) {
        errors.add(['input', 'id'], UserErrorCode.NOT_FOUND, 'No such suggestion on your agenda: it was accepted already, or what it suggested was done.');
        return { task: null, userErrors: errors.list };
      }
      const contact = row.contactId ? await m.getRepository(Contact).findOneBy({ id: row.contactId }) : null;
      const reason = suggestionReason(row.kind, { at: row.at, subject: row.subject, every: row.every }, contact, now).slice(0, 200);
      const dueAt = input.dueAt ?? (row.dueAt.getTime() >= now.getTime() - 300 * MS_PER_DAY ? row.dueAt : now);
      const task = await this.tasks.prepareTask(
        m,
        errors,
        ['input'],
        {
          kind: TASK_KIND_OF[row.kind],
          subject: reason,
          customerId: toGlobalId('Customer', row.customerId),
          contactId: row.contactId ? toGlobalId('Contact', row.contactId) : null,
          dueAt,
          priority: row.kind === 'RESOLVE_COMPLAINT' ? TaskPriority.HIGH : TaskPriority.NORMAL,
        },
        now,
        { customerAt: 'id' },
      );
      if (errors.any || !task) return { task: null, userErrors: errors.list };
      return { task: await this.tasks.insertTask(m, { ...task, suggestionId: key }), userErrors: [] };
    });
  }
}

function suggestionReason(kind: SuggestionKind, r: { at: Date | null; subject: string | null; every: number | null }, contact: Contact | null, now: Date): string {
  const at = new Date(r.at!);
  if (kind === 'FOLLOW_UP') return `No touchpoint since ${at.toISOString().slice(0, 10)}: the customer’s stage asks for one every ${r.every} days`;
  if (kind === 'WIN_BACK') return `Valuable and slipping away, last contact ${at.toISOString().slice(0, 10)}: win them back personally`;
  return careReason(kind as ActionKind, at, r.subject, contact, now);
}

function encodeCursor(window: string[], r: AgendaRow): string {
  return Buffer.from(JSON.stringify(['agenda', ...window, r.due_text, r.kind, r.id]), 'utf8').toString('base64url');
}

function decodeCursor(cursor: string, window: string[]): { due: string; kind: string; id: string } {
  const refuse = (why: string) => badInput(`\`after\` ${why}`, { field: 'after' });
  let parsed: unknown;
  try {
    if (cursor.length > 2048) throw new Error('too long');
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse('is not a cursor of myAgenda: pass `pageInfo.endCursor` or an edge’s `cursor`');
  }
  const [list, from, to, due, kind, id] = Array.isArray(parsed) && parsed.length === 6 ? (parsed as unknown[]) : [];
  if (list !== 'agenda' || typeof due !== 'string' || !INSTANT.test(due) || typeof kind !== 'string' || !KINDS.has(kind) || typeof id !== 'string' || id.length > 400 || hasNul(id)) {
    throw refuse('is not a cursor of myAgenda: pass `pageInfo.endCursor` or an edge’s `cursor`');
  }
  if (from !== window[0] || to !== window[1]) throw refuse('was issued for another window: keep `from` and `to` while paging');
  if (Number.isNaN(Date.parse(due))) throw refuse('is not a cursor of myAgenda');
  return { due, kind, id };
}
