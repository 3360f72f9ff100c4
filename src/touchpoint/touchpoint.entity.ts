import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { Pii } from '../core/masking';

export enum TouchpointChannel {
  EMAIL = 'EMAIL',
  PHONE = 'PHONE',
  SMS = 'SMS',
  VISIT = 'VISIT',
  MEETING = 'MEETING',
  CHAT = 'CHAT',
  SOCIAL = 'SOCIAL',
  DIRECT_MAIL = 'DIRECT_MAIL',
  EVENT = 'EVENT',
  WEB = 'WEB',
}
registerEnumType(TouchpointChannel, {
  name: 'TouchpointChannel',
  description: 'The medium of an interaction.',
  valuesConfig: {
    EMAIL: { description: 'Email.' },
    PHONE: { description: 'Phone call.' },
    SMS: { description: 'Text message.' },
    VISIT: { description: 'Visit at the customer’s site.' },
    MEETING: { description: 'Meeting, in person or online.' },
    CHAT: { description: 'Live chat or messenger.' },
    SOCIAL: { description: 'Social media.' },
    DIRECT_MAIL: { description: 'Letter, card or parcel by post.' },
    EVENT: { description: 'Trade fair, customer event, workshop.' },
    WEB: { description: 'Web form or self-service portal.' },
  },
});

export enum TouchpointDirection {
  INBOUND = 'INBOUND',
  OUTBOUND = 'OUTBOUND',
}
registerEnumType(TouchpointDirection, {
  name: 'TouchpointDirection',
  description: 'Who started the interaction.',
  valuesConfig: {
    INBOUND: { description: 'The customer reached out.' },
    OUTBOUND: { description: 'We reached out.' },
  },
});

export enum TouchpointPurpose {
  INQUIRY = 'INQUIRY',
  FOLLOW_UP = 'FOLLOW_UP',
  THANK_YOU = 'THANK_YOU',
  GREETING = 'GREETING',
  CARE = 'CARE',
  PROMOTION = 'PROMOTION',
  SURVEY = 'SURVEY',
  COMPLAINT = 'COMPLAINT',
  SERVICE = 'SERVICE',
  VISIT = 'VISIT',
}
registerEnumType(TouchpointPurpose, {
  name: 'TouchpointPurpose',
  description: 'Why the interaction happened: the care routines of a CRM are built from these.',
  valuesConfig: {
    INQUIRY: { description: 'A question or request for information.' },
    FOLLOW_UP: { description: 'Following up on an earlier conversation or offer.' },
    THANK_YOU: { description: 'Thanking the customer, typically after a purchase.' },
    GREETING: { description: 'Birthday, holiday or anniversary greeting.' },
    CARE: { description: 'Relationship care without a sales motive (check-in, tip, small gift).' },
    PROMOTION: { description: 'An offer or campaign.' },
    SURVEY: { description: 'Satisfaction survey; carries `satisfaction` and/or `nps`.' },
    COMPLAINT: { description: 'A complaint: it opens a `Complaint` (see `Touchpoint.complaint`), which tracks its handling.' },
    SERVICE: { description: 'After-sales service, repair, support.' },
    VISIT: { description: 'A courtesy or account-review visit.' },
  },
});

@ObjectType({ implements: Node, description: 'An interaction with a customer: call, email, visit, complaint, greeting, survey… The follow-up history of the relationship.' })
@Entity('touchpoints')
export class Touchpoint extends ArchivableRecord {
  protected get nodeType() {
    return 'Touchpoint';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  contactId: string | null;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Field(() => TouchpointChannel, { description: 'Medium.' })
  @Column({ type: 'text' })
  channel: TouchpointChannel;

  @Field(() => TouchpointDirection, { description: 'Who started it.' })
  @Column({ type: 'text' })
  direction: TouchpointDirection;

  @Field(() => TouchpointPurpose, { description: 'Why it happened.' })
  @Column({ type: 'text' })
  purpose: TouchpointPurpose;

  @Field({ description: 'When it happened.' })
  @Column({ type: 'timestamptz' })
  occurredAt: Date;

  @Field(() => String, { nullable: true, description: 'Short subject line.' })
  @Column({ type: 'text', nullable: true })
  subject: string | null;

  @Field(() => String, { nullable: true, description: 'What was said or agreed. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  notes: string | null;

  @Field(() => Int, { nullable: true, description: 'Customer satisfaction (CSAT) from 1 (very unhappy) to 5 (very happy), when asked.' })
  @Column({ type: 'smallint', nullable: true })
  satisfaction: number | null;

  @Field(() => Int, { nullable: true, description: 'Net Promoter answer from 0 to 10 ("how likely are you to recommend us"), when asked.' })
  @Column({ type: 'smallint', nullable: true })
  nps: number | null;
}
