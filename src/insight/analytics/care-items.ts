import { ACTION_KINDS, ACTION_PRIORITY, ACTIONS_WITHOUT_CONSENT, CHANNEL_PREFERENCE, holidaysBetween, MS_PER_DAY, PLAYBOOK, type ActionKind } from '../../intelligence';
import { PURCHASE_STATUSES } from '../../order/order.entity';

/** The care routines' kinds, most urgent first: the tie-break between items due at the same instant. */
export const CARE_KINDS_BY_PRIORITY = Object.values(ACTION_KINDS).sort((a, b) => ACTION_PRIORITY[a] - ACTION_PRIORITY[b]);

/** A care routine as the SQL below returns it. */
export interface CareItemRow {
  kind: ActionKind;
  customerId: string;
  contactId: string | null;
  dueAt: Date;
  /** The occasion: the birthday, purchase, complaint, service contact or holiday. */
  at: Date;
  subject: string | null;
  /** For RESOLVE_COMPLAINT: the channel the complaint came in on, which the reply goes through; null otherwise. */
  complaintChannel: string | null;
}

const dayStart = (at: Date): Date => new Date(Math.floor(at.getTime() / MS_PER_DAY) * MS_PER_DAY);

/**
 * The parameters careItemsSql reads, as $1–$12, for the window [from, to). Holidays are listed by the UTC day they
 * fall on, so a window that starts on Christmas morning still has Christmas (a birthday today is in today's agenda too).
 */
export function careItemsParams(from: Date, to: Date): unknown[] {
  // One row per holiday and country that keeps it (country null: kept everywhere).
  const holidays = holidaysBetween(dayStart(from), to).flatMap((h) => (h.countries ?? [null]).map((country) => ({ name: h.name, date: h.date, country })));
  return [
    from, to, PURCHASE_STATUSES, PLAYBOOK.thankYouDueDays, PLAYBOOK.thankYouStaleDays, PLAYBOOK.complaintResponseDays, PLAYBOOK.surveyDueDays,
    PLAYBOOK.surveyStaleDays, holidays.map((h) => h.name), holidays.map((h) => h.date), holidays.map((h) => h.country), PLAYBOOK.greetingLookaheadDays,
  ];
}

/**
 * The playbook's care routines (next-best-actions.ts) for [from, to) ($1, $2; the rest as careItemsParams lays
 * them out), for the whole customer base in one statement: birthdays and holidays whose UTC day meets the window,
 * of customers and their contacts, not greeted yet (a GREETING touchpoint in the fortnight before the day or on it:
 * with that contact for a contact's birthday, without one for the customer's own birthday or a holiday);
 * purchases, open complaints and service contacts up to the end of the window still waiting for a thank-you, an
 * answer or a survey. Outreach goes only through a channel the customer consented to; without one it is left out,
 * except complaints (service, not marketing). Columns: kind, "customerId", "contactId", "dueAt", at, subject,
 * "complaintChannel".
 */
export function careItemsSql(): string {
  const consented = (k: ActionKind) =>
    `(${CHANNEL_PREFERENCE[k].map((ch) => `c.consent_${ch.toLowerCase()}_granted`).join(' OR ')}${ACTIONS_WITHOUT_CONSENT.includes(k) ? ' OR true' : ''})`;
  // The birthday in year y; 29 February falls on 28 February in other years, as nextBirthday has it.
  const birthdayIn = (col: string) =>
    `make_date(y, extract(month FROM ${col})::int,
       CASE WHEN extract(month FROM ${col}) = 2 AND extract(day FROM ${col}) = 29 AND NOT (y % 4 = 0 AND (y % 100 <> 0 OR y % 400 = 0))
            THEN 28 ELSE extract(day FROM ${col})::int END)`;
  // An occasion is in the window when its UTC day overlaps [from, to).
  const inWindow = (d: string) => `(${d})::timestamp AT TIME ZONE 'UTC' < $2::timestamptz AND ((${d}) + 1)::timestamp AT TIME ZONE 'UTC' > $1::timestamptz`;
  const years = `generate_series(extract(year FROM $1::timestamptz AT TIME ZONE 'UTC')::int, extract(year FROM $2::timestamptz AT TIME ZONE 'UTC')::int) AS y`;
  // Greeted for an occasion on day d: a GREETING touchpoint from the lookahead before the day to its end.
  const greeted = (d: string, contact: string) =>
    `EXISTS (SELECT 1 FROM touchpoints g WHERE g.customer_id = c.id AND g.purpose = 'GREETING' AND g.deleted_at IS NULL AND ${contact}
        AND g.occurred_at >= (${d})::timestamp AT TIME ZONE 'UTC' - make_interval(days => $12) AND g.occurred_at < ((${d}) + 1)::timestamp AT TIME ZONE 'UTC')`;
  return `
         SELECT 'BIRTHDAY_GREETING' AS kind, c.id AS "customerId", NULL::uuid AS "contactId",
                b.d::timestamp AT TIME ZONE 'UTC' AS "dueAt", b.d::timestamp AT TIME ZONE 'UTC' AS at, NULL::text AS subject, NULL::text AS "complaintChannel"
           FROM customers c CROSS JOIN LATERAL (SELECT ${birthdayIn('c.birthday')} AS d FROM ${years}) b
          WHERE c.birthday IS NOT NULL AND c.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
            AND NOT ${greeted('b.d', 'g.contact_id IS NULL')}
         UNION ALL
         SELECT 'BIRTHDAY_GREETING', c.id, k.id, b.d::timestamp AT TIME ZONE 'UTC', b.d::timestamp AT TIME ZONE 'UTC', k.id::text, NULL
           FROM contacts k JOIN customers c ON c.id = k.customer_id AND c.deleted_at IS NULL
           CROSS JOIN LATERAL (SELECT ${birthdayIn('k.birthday')} AS d FROM ${years}) b
          WHERE k.birthday IS NOT NULL AND k.deleted_at IS NULL AND ${inWindow('b.d')} AND ${consented('BIRTHDAY_GREETING')}
            AND NOT ${greeted('b.d', 'g.contact_id = k.id')}
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
         -- Due at its next service level: the first response, once answered the resolution.
         SELECT 'RESOLVE_COMPLAINT', c.id, NULL,
                coalesce(CASE WHEN k.first_response_at IS NULL THEN k.first_response_due_at ELSE k.resolution_due_at END, t.occurred_at + make_interval(days => $6)),
                t.occurred_at, t.id::text, k.channel
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
           FROM unnest($9::text[], $10::timestamptz[], $11::text[]) AS h(name, d, country)
           JOIN customers c ON c.deleted_at IS NULL AND (h.country IS NULL OR c.address_country = h.country)
          WHERE h.d < $2::timestamptz AND h.d + interval '1 day' > $1::timestamptz AND ${consented('HOLIDAY_GREETING')}
            AND NOT ${greeted(`(h.d AT TIME ZONE 'UTC')::date`, 'g.contact_id IS NULL')}`;
}

/** Why a care routine is due, in words (the agenda's and careAgenda's `reason`). */
export function careReason(kind: ActionKind, at: Date, subject: string | null, contact: { name: string; relationship: string } | null, now: Date): string {
  const day = at.toISOString().slice(0, 10);
  switch (kind) {
    case 'BIRTHDAY_GREETING':
      return contact ? `Birthday of ${contact.name} (${contact.relationship.toLowerCase()}) on ${day}` : `Birthday on ${day}`;
    case 'THANK_YOU':
      return `Purchase on ${day} not thanked yet`;
    case 'RESOLVE_COMPLAINT':
      return `Complaint open since ${day} (${Math.floor((now.getTime() - at.getTime()) / MS_PER_DAY)} days)`;
    case 'SATISFACTION_SURVEY':
      return `Service contact on ${day} without a survey since`;
    case 'HOLIDAY_GREETING':
      return `${subject} on ${day}`;
    default:
      return kind;
  }
}
