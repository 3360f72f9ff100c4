import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, MAX_PAGE_SIZE, DEFAULT_PAGE_SIZE } from '../common/connection.types';
import type { Contact } from '../contact/contact.entity';
import { ConsentChannel, type Customer } from '../customer/customer.entity';
import { TaskKind } from './task-kind';
import { TaskPriority, type Task } from './task.entity';

export enum AgendaItemSource {
  TASK = 'TASK',
  SUGGESTION = 'SUGGESTION',
}
registerEnumType(AgendaItemSource, {
  name: 'AgendaItemSource',
  description: 'Where an agenda item comes from.',
  valuesConfig: {
    TASK: { description: 'One of the caller’s open tasks.' },
    SUGGESTION: { description: 'Suggested by the CRM playbook (care routines, contact cadence); acceptSuggestion turns it into a task.' },
  },
});

/** The playbook's suggestions on the agenda; declared once here and registered as `AgendaSuggestionKind`. */
export const SUGGESTION_KINDS = {
  RESOLVE_COMPLAINT: 'RESOLVE_COMPLAINT',
  THANK_YOU: 'THANK_YOU',
  SATISFACTION_SURVEY: 'SATISFACTION_SURVEY',
  BIRTHDAY_GREETING: 'BIRTHDAY_GREETING',
  HOLIDAY_GREETING: 'HOLIDAY_GREETING',
  FOLLOW_UP: 'FOLLOW_UP',
  WIN_BACK: 'WIN_BACK',
} as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[keyof typeof SUGGESTION_KINDS];
registerEnumType(SUGGESTION_KINDS, {
  name: 'AgendaSuggestionKind',
  description: 'What the playbook suggests.',
  valuesConfig: {
    RESOLVE_COMPLAINT: { description: 'An open complaint to answer; cleared when it is resolved.' },
    THANK_YOU: { description: 'A purchase to thank for; cleared by a THANK_YOU touchpoint after it.' },
    SATISFACTION_SURVEY: { description: 'A service contact to follow with a survey; cleared by a SURVEY touchpoint after it.' },
    BIRTHDAY_GREETING: { description: 'A birthday (of the customer or a contact); cleared by a GREETING touchpoint in the fortnight before it or on the day (with that contact, for a contact’s).' },
    HOLIDAY_GREETING: { description: 'A holiday the customer’s country keeps; cleared by a GREETING touchpoint in the fortnight before it or on the day.' },
    FOLLOW_UP: { description: 'The customer has gone longer than their lifecycle stage’s contact cadence without a touchpoint; cleared by any touchpoint, and not suggested while the customer has an open task.' },
    WIN_BACK: {
      description:
        'A valuable customer slipping away (segment AT_RISK or CANT_LOSE, or stage DECLINING or CHURNED, in a value tier above MONITOR, no open complaint): win them back personally. Due a week after the last touchpoint (or purchase), so each contact moves it on; gone once they are no longer slipping.',
    },
  },
});

/** The task kind a suggestion becomes when accepted. */
export const TASK_KIND_OF: Record<SuggestionKind, TaskKind> = {
  RESOLVE_COMPLAINT: TaskKind.COMPLAINT_RESPONSE,
  THANK_YOU: TaskKind.THANK_YOU,
  SATISFACTION_SURVEY: TaskKind.SURVEY,
  BIRTHDAY_GREETING: TaskKind.GREETING,
  HOLIDAY_GREETING: TaskKind.GREETING,
  FOLLOW_UP: TaskKind.CALL,
  WIN_BACK: TaskKind.CALL,
};

@ObjectType({ description: 'One thing on the caller’s agenda: an open task of theirs, or a suggestion of the playbook for a customer in their book.' })
export class AgendaItem {
  @Field(() => ID, { description: 'For a task, the task’s ID; for a suggestion, a stable ID to pass to acceptSuggestion (the same for as long as the suggestion stands).' })
  id: string;

  @Field(() => AgendaItemSource, { description: 'TASK or SUGGESTION.' })
  source: AgendaItemSource;

  @Field({ description: 'When it is due: a task’s followUpAt, a suggestion’s due time. Before now means overdue. The agenda is ordered by it.' })
  dueAt: Date;

  @Field(() => TaskKind, { description: 'What to do: the task’s kind, or the kind of task the suggestion becomes.' })
  kind: TaskKind;

  @Field(() => SUGGESTION_KINDS, { nullable: true, description: 'For a suggestion, what the playbook suggests; null for a task.' })
  suggestion: SuggestionKind | null;

  @Field({ description: 'The task’s subject, or why the playbook suggests it.' })
  subject: string;

  @Field(() => TaskPriority, { description: 'The task’s priority; HIGH for a complaint to resolve, NORMAL for other suggestions.' })
  priority: TaskPriority;

  @Field(() => ConsentChannel, { nullable: true, description: 'For a suggestion, the first channel the customer consented to that suits it (null for a complaint: answer the way it came in); null for a task.' })
  channel: ConsentChannel | null;

  customerId: string;
  contactId: string | null;
  taskId: string | null;
  customer?: Customer | null;
  contact?: Contact | null;
  task?: Task | null;
}

export const AgendaItemConnection = ConnectionType(AgendaItem, 'AgendaItem', 'agenda item');

@ArgsType()
export class MyAgendaArgs {
  @Field({ description: 'Start of the window (inclusive): birthdays, holidays and purchases from then on.' })
  from: Date;

  @Field({ description: 'End of the window (exclusive); after `from`, at most 92 days later. Everything open and due before it is listed, overdue items first.' })
  to: Date;

  @Field(() => Int, { nullable: true, description: `Return the first n items after \`after\` (at most ${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}).` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'Cursor: return items after this one (`pageInfo.endCursor` of the previous page, same window).' })
  after?: string | null;
}

@InputType({ description: 'A suggestion of myAgenda to turn into a task for the caller.' })
export class AcceptSuggestionInput {
  @Field(() => ID, { description: 'The suggestion’s ID (AgendaItem.id of a SUGGESTION).' })
  id: string;
  @Field(() => Date, { nullable: true, description: 'When the task is due (default: the suggestion’s due time, or now when that is more than a year ago).' })
  dueAt?: Date | null;
}
