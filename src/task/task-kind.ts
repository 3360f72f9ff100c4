import { registerEnumType } from 'type-graphql';

/**
 * What a task asks the owner to do. Declared once here and registered as the GraphQL enum `TaskKind`; the touchpoint
 * domain names it too (logTouchpoint's `nextFollowUp`), so this file depends on nothing of ours.
 */
export enum TaskKind {
  CALL = 'CALL',
  EMAIL = 'EMAIL',
  VISIT = 'VISIT',
  MEETING = 'MEETING',
  GREETING = 'GREETING',
  THANK_YOU = 'THANK_YOU',
  COMPLAINT_RESPONSE = 'COMPLAINT_RESPONSE',
  SURVEY = 'SURVEY',
  OTHER = 'OTHER',
}
registerEnumType(TaskKind, {
  name: 'TaskKind',
  description: 'What a task asks its owner to do.',
  valuesConfig: {
    CALL: { description: 'Call the customer.' },
    EMAIL: { description: 'Write to the customer.' },
    VISIT: { description: 'Visit the customer on site.' },
    MEETING: { description: 'Meet the customer, in person or online.' },
    GREETING: { description: 'Send a birthday or holiday greeting.' },
    THANK_YOU: { description: 'Thank the customer, typically after a purchase.' },
    COMPLAINT_RESPONSE: { description: 'Answer or follow up on a complaint.' },
    SURVEY: { description: 'Ask how satisfied the customer is.' },
    OTHER: { description: 'Anything else.' },
  },
});
