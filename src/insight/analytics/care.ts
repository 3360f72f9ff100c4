import { badInput, UserErrorCode } from '../../common/errors';
import { instantArgument } from '../../common/validate';
import { Contact } from '../../contact/contact.entity';
import { ConsentChannel, Customer } from '../../customer/customer.entity';
import { ACTION_KINDS, ACTION_PRIORITY, ACTIONS_WITHOUT_CONSENT, CHANNEL_PREFERENCE, complaintReplyChannel, holidaysBetween, MS_PER_DAY, PLAYBOOK, type ActionKind } from '../../intelligence';
import { PURCHASE_STATUSES } from '../../order/order.entity';
import { CareAgendaItem } from '../analytics.types';
import { AnalystReports, checkFirst } from './book';

/** A care agenda covers at most a quarter: longer windows are planning, not an agenda. */
const MAX_AGENDA_DAYS = 92;
const isoDay = (at: Date): string => at.toISOString().slice(0, 10);
/** Action kinds, most urgent first: the agenda's tie-break between items due at the same instant. */
const BY_PRIORITY = Object.values(ACTION_KINDS).sort((a, b) => ACTION_PRIORITY[a] - ACTION_PRIORITY[b]);

/** The playbook's care routines due in a window (careAgenda). */
export class CareReport extends AnalystReports {
  /**
   * The care routines of the playbook (next-best-actions.ts) for [from, to), for the whole customer base in one
   * statement: birthdays in the window of customers and their contacts; purchases, open complaints and service
   * contacts up to the end of the window still waiting for a thank-you, an answer or a survey (the older ones
   * overdue). Outreach goes only through a channel the customer consented to; without one it is
   * left out, except complaints (service, not marketing). Earliest due first.
   */
  async careAgenda(from: Date, to: Date, first: number): Promise<CareAgendaItem[]> {
    this.scope.guard();
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_AGENDA_DAYS * MS_PER_DAY) {
      throw badInput(`\`to\` must be after \`from\`, at most ${MAX_AGENDA_DAYS} days later.`, { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    checkFirst(first);
    // One row per holiday and country that keeps it (country null: kept everywhere).
    const holidays = holidaysBetween(from, to).flatMap((h) => (h.countries ?? [null]).map((country) => ({ name: h.name, date: h.date, country })));
    const consented = (k: ActionKind) =>
      `(${CHANNEL_PREFERENCE[k].map((ch) => `c.consent_${ch.toLowerCase()}_granted`).join(' OR ')}${ACTIONS_WITHOUT_CONSENT.includes(k) ? ' OR true' : ''})`;
    // The birthday in year y; 29 February falls on 28 February in other years, as nextBirthday has it.
    const birthdayIn = (col: string) =>
      `make_date(y, extract(month FROM ${col})::int,
         CASE WHEN extract(month FROM ${col}) = 2 AND extract(day FROM ${col}) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))
              THEN 28 ELSE extract(day FROM ${col})::int END)`;
    // A birthday is in the window when its UTC day overlaps [from, to).
    const inWindow = (d: string) => `(${d})::timestamp AT TIME ZONE 'UTC' < $2::timestamptz AND ((${d}) + 1)::timestamp AT TIME ZONE 'UTC' > $1::timestamptz`;
    const years = `generate_series(extract(year FROM $1::timestamptz AT TIME ZONE 'UTC')::int, extract(year FROM $2::timestamptz AT TIME ZONE 'UTC')::int) AS y`;
    const rows: Array<{
      kind: ActionKind;
      customerId: string;
      contactId: string | null;
      dueAt: Date;
      at: Date;
      subject: string | null;
      complaintChannel: string | null;
      email: boolean;
      sms: boolean;
      phone: boolean;
      mail: boolean;
    }> = await this.deps.db.query(
      `WITH items AS (
         SELECT 'BIRTHDAY_GREETING' AS kind, c.id AS "customerId", NULL::uuid AS "contactId",
                b.d::timestamp AT TIME ZONE 'UTC' AS "dueAt", b.d::timestamp AT TIME ZONE 'UTC' AS at, NULL::text AS subject, NULL::text AS "complaintChannel"
           FROM customers c CROSS JOIN LATERAL (SELECT ${birthdayIn('c.birthday')} AS d FROM ${years}) b
          WHERE c.birthday IS NOT NULL AND c.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
         UNION ALL
         SELECT 'BIRTHDAY_GREETING', c.id, k.id, b.d::timestamp AT TIME ZONE 'UTC', b.d::timestamp AT TIME ZONE 'UTC', k.id::text, NULL
           FROM contacts k JOIN customers c ON c.id = k.customer_id AND c.deleted_at IS NULL
           CROSS JOIN LATERAL (SELECT ${birthdayIn('k.birthday')} AS d FROM ${years}) b
          WHERE k.birthday IS NOT NULL AND k.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
         UNION ALL
         -- Each customer's latest purchase in the window or up to thankYouStaleDays before it, when no thank-you was
         -- logged since it.
         (SELECT DISTINCT ON (c.id) 'THANK_YOU', c.id, NULL, o.placed_at + make_interval(days => $4), o.placed_at, o.id::text, NULL
           FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
          WHERE o.status = ANY($3::text[]) AND o.deleted_at IS NULL
            AND o.placed_at >= $1::timestamptz - make_interval(days => $5) AND o.placed_at < $2::timestamptz
            AND ${consented('THANK_YOU')}
            AND NOT EXISTS (SELECT 1 FROM touchpoints t WHERE t.customer_id = c.id AND t.purpose = 'THANK_YOU' AND t.deleted_at IS NULL AND t.occurred_at >= o.placed_at)
          ORDER BY c.id, o.placed_at DESC)
         UNION ALL
         -- Unresolved complaints, answered through the channel they came in on.
         SELECT 'RESOLVE_COMPLAINT', c.id, NULL, t.occurred_at + make_interval(days => $6), t.occurred_at, t.id::text, k.channel
           FROM complaints k JOIN touchpoints t ON t.id = k.touchpoint_id JOIN customers c ON c.id = k.customer_id AND c.deleted_at IS NULL
          WHERE k.resolved_at IS NULL AND t.deleted_at IS NULL AND t.occurred_at < $2::timestamptz
         UNION ALL
         -- Each customer's latest service contact in the window or up to surveyStaleDays before it, without a survey since.
         (SELECT DISTINCT ON (c.id) 'SATISFACTION_SURVEY', c.id, NULL, t.occurred_at + make_interval(days => $7), t.occurred_at, t.id::text, NULL
           FROM touchpoints t JOIN customers c ON c.id = t.customer_id AND c.deleted_at IS NULL
          WHERE t.purpose = 'SERVICE' AND t.deleted_at IS NULL
            AND t.occurred_at >= $1::timestamptz - make_interval(days => $8) AND t.occurred_at < $2::timestamptz
            AND ${consented('SATISFACTION_SURVEY')}
            AND NOT EXISTS (SELECT 1 FROM touchpoints s WHERE s.customer_id = c.id AND s.purpose = 'SURVEY' AND s.deleted_at IS NULL AND s.occurred_at >= t.occurred_at)
          ORDER BY c.id, t.occurred_at DESC)
         UNION ALL
         -- Holiday greetings (the playbook's calendar) to every customer in a country that keeps the holiday.
         SELECT 'HOLIDAY_GREETING', c.id, NULL, h.d, h.d, h.name, NULL
           FROM unnest($11::text[], $12::timestamptz[], $13::text[]) AS h(name, d, country)
           JOIN customers c ON c.deleted_at IS NULL AND (h.country IS NULL OR c.address_country = h.country)
          WHERE h.d >= $1::timestamptz AND h.d < $2::timestamptz AND ${consented('HOLIDAY_GREETING')}
       )
       SELECT i.*, c.consent_email_granted AS email, c.consent_sms_granted AS sms, c.consent_phone_granted AS phone, c.consent_mail_granted AS mail
         FROM items i JOIN customers c ON c.id = i."customerId"
        WHERE ${this.scope.inBook('c')}
        ORDER BY i."dueAt", array_position($10::text[], i.kind), i."customerId", i.subject
        LIMIT $9`,
      [
        from, to, PURCHASE_STATUSES, PLAYBOOK.thankYouDueDays, PLAYBOOK.thankYouStaleDays, PLAYBOOK.complaintResponseDays, PLAYBOOK.surveyDueDays,
        PLAYBOOK.surveyStaleDays, first, BY_PRIORITY, holidays.map((h) => h.name), holidays.map((h) => h.date), holidays.map((h) => h.country),
      ],
    );
    const [customers, contacts] = await Promise.all([
      this.deps.loaders.byId(Customer).loadMany(rows.map((r) => r.customerId)),
      this.deps.loaders.byId(Contact).loadMany(rows.flatMap((r) => (r.contactId ? [r.contactId] : []))),
    ]);
    const contactById = new Map(contacts.flatMap((k) => (k instanceof Contact ? [[k.id, k] as const] : [])));
    const now = this.insight.now;
    return rows.flatMap((r, i) => {
      const customer = customers[i];
      if (!(customer instanceof Customer)) return [];
      const granted: Record<ConsentChannel, boolean> = { EMAIL: r.email, SMS: r.sms, PHONE: r.phone, MAIL: r.mail };
      const channel = (r.complaintChannel ? complaintReplyChannel(r.complaintChannel) : CHANNEL_PREFERENCE[r.kind].find((ch) => granted[ch]) ?? null) as ConsentChannel | null;
      const contact = r.contactId ? contactById.get(r.contactId) ?? null : null;
      const at = new Date(r.at);
      const reason = {
        BIRTHDAY_GREETING: contact ? `Birthday of ${contact.name} (${contact.relationship.toLowerCase()}) on ${isoDay(at)}` : `Birthday on ${isoDay(at)}`,
        THANK_YOU: `Purchase on ${isoDay(at)} not thanked yet`,
        RESOLVE_COMPLAINT: `Complaint open since ${isoDay(at)} (${Math.floor((now.getTime() - at.getTime()) / MS_PER_DAY)} days)`,
        SATISFACTION_SURVEY: `Service contact on ${isoDay(at)} without a survey since`,
        HOLIDAY_GREETING: `${r.subject} on ${isoDay(at)}`,
      }[r.kind as 'BIRTHDAY_GREETING' | 'THANK_YOU' | 'RESOLVE_COMPLAINT' | 'SATISFACTION_SURVEY' | 'HOLIDAY_GREETING'];
      return [
        Object.assign(new CareAgendaItem(), {
          kind: r.kind,
          customer,
          contact,
          dueAt: new Date(r.dueAt),
          reason,
          channel,
          complaintChannel: r.complaintChannel,
          subject: r.kind === 'BIRTHDAY_GREETING' ? null : r.subject,
        }),
      ];
    });
  }
}
