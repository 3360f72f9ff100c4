// The kinds of event a customer's timeline shows, declared once: the GraphQL enum is registered from this object and
// the timeline's SQL writes the same strings, so a kind cannot exist in one place and not in the other.

import { registerEnumType } from 'type-graphql';

export const TimelineEventKind = {
  ORDER_PLACED: 'ORDER_PLACED',
  TOUCHPOINT_LOGGED: 'TOUCHPOINT_LOGGED',
  LIFECYCLE_CHANGED: 'LIFECYCLE_CHANGED',
  OPPORTUNITY_OPENED: 'OPPORTUNITY_OPENED',
  OPPORTUNITY_MOVED: 'OPPORTUNITY_MOVED',
  OPPORTUNITY_WON: 'OPPORTUNITY_WON',
  OPPORTUNITY_LOST: 'OPPORTUNITY_LOST',
  TASK_COMPLETED: 'TASK_COMPLETED',
  COMPLAINT_OPENED: 'COMPLAINT_OPENED',
  COMPLAINT_STATUS_CHANGED: 'COMPLAINT_STATUS_CHANGED',
  COMPLAINT_ESCALATED: 'COMPLAINT_ESCALATED',
  OWNER_CHANGED: 'OWNER_CHANGED',
} as const;
export type TimelineEventKind = (typeof TimelineEventKind)[keyof typeof TimelineEventKind];
export const TIMELINE_EVENT_KINDS: readonly TimelineEventKind[] = Object.values(TimelineEventKind);

registerEnumType(TimelineEventKind, {
  name: 'TimelineEventKind',
  description: 'What happened, in a customer’s timeline.',
  valuesConfig: {
    ORDER_PLACED: { description: 'An order was placed (at `placedAt`); links `order`. Needs orders access.' },
    TOUCHPOINT_LOGGED: {
      description:
        'An interaction was logged (at `occurredAt`); links `touchpoint`. The touchpoint that opened a complaint shows as COMPLAINT_OPENED, and the one a completed task logged as TASK_COMPLETED, when those kinds are asked for.',
    },
    LIFECYCLE_CHANGED: { description: 'The customer moved to another lifecycle stage.' },
    OPPORTUNITY_OPENED: { description: 'An opportunity was opened in its first stage; links `opportunity`. A sales rep sees the opportunities they own.' },
    OPPORTUNITY_MOVED: { description: 'An opportunity moved to another stage of its pipeline; links `opportunity`.' },
    OPPORTUNITY_WON: { description: 'An opportunity was won (at `closedAt`); links `opportunity`.' },
    OPPORTUNITY_LOST: { description: 'An opportunity was lost (at `closedAt`); links `opportunity`.' },
    TASK_COMPLETED: { description: 'A task was done (at `completedAt`); links `task` and the touchpoint it logged. A sales rep sees their own tasks.' },
    COMPLAINT_OPENED: { description: 'A complaint was opened; links `complaint` and the touchpoint it came in with.' },
    COMPLAINT_STATUS_CHANGED: { description: 'A complaint was acknowledged, taken in progress, resolved, reopened or closed; links `complaint`.' },
    COMPLAINT_ESCALATED: { description: 'A complaint was handed to a more senior handler; links `complaint`.' },
    OWNER_CHANGED: {
      description:
        'The customer got another owner (assignment rules, reassignCustomers, or updateCustomer with `ownerId`), from the audit log: who did it and the owners’ names, none of the log’s other values.',
    },
  },
});
