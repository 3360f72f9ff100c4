import { badInput, UserErrorCode } from '../../common/errors';
import { instantArgument } from '../../common/validate';
import { Contact } from '../../contact/contact.entity';
import { ConsentChannel, Customer } from '../../customer/customer.entity';
import { CHANNEL_PREFERENCE, complaintReplyChannel, MS_PER_DAY } from '../../intelligence';
import { CareAgendaItem } from '../analytics.types';
import { AnalystReports, checkFirst } from './book';
import { CARE_KINDS_BY_PRIORITY, careItemsParams, careItemsSql, careReason, type CareItemRow } from './care-items';

/** A care agenda covers at most a quarter: longer windows are planning, not an agenda. */
const MAX_AGENDA_DAYS = 92;

/** The playbook's care routines due in a window (careAgenda). */
export class CareReport extends AnalystReports {
  /**
   * The care routines of the playbook for [from, to) (careItemsSql: the same routines myAgenda suggests), in the
   * caller's scope, earliest due first, at most `first` of them: a capped list. Overdue items come first, so a busy
   * book can fill the list before the window's later occasions; myAgenda pages through all of them.
   */
  async careAgenda(from: Date, to: Date, first: number): Promise<CareAgendaItem[]> {
    this.scope.guard();
    instantArgument(from, 'from');
    instantArgument(to, 'to');
    if (!(from.getTime() < to.getTime()) || to.getTime() - from.getTime() > MAX_AGENDA_DAYS * MS_PER_DAY) {
      throw badInput(`\`to\` must be after \`from\`, at most ${MAX_AGENDA_DAYS} days later.`, { field: 'to', reason: UserErrorCode.OUT_OF_RANGE });
    }
    checkFirst(first);
    const rows: Array<CareItemRow & { email: boolean; sms: boolean; phone: boolean; mail: boolean }> = await this.deps.db.query(
      `WITH items AS (${careItemsSql()})
       SELECT i.*, c.consent_email_granted AS email, c.consent_sms_granted AS sms, c.consent_phone_granted AS phone, c.consent_mail_granted AS mail
         FROM items i JOIN customers c ON c.id = i."customerId"
        WHERE ${this.scope.inBook('c')}
        ORDER BY i."dueAt", array_position($14::text[], i.kind), i."customerId", i.subject
        LIMIT $13`,
      [...careItemsParams(from, to), first, CARE_KINDS_BY_PRIORITY],
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
      const reason = careReason(r.kind, new Date(r.at), r.subject, contact, now);
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
