import { DateResolver, EmailAddressResolver } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { Pii } from '../core/masking';

export enum ContactRelationship {
  EMPLOYEE = 'EMPLOYEE',
  FAMILY = 'FAMILY',
  FRIEND = 'FRIEND',
  ASSISTANT = 'ASSISTANT',
  OTHER = 'OTHER',
}
registerEnumType(ContactRelationship, {
  name: 'ContactRelationship',
  description: 'How the contact relates to the customer.',
  valuesConfig: {
    EMPLOYEE: { description: 'Works at the customer (company accounts).' },
    FAMILY: { description: 'Family member of the customer.' },
    FRIEND: { description: 'Friend of the customer.' },
    ASSISTANT: { description: 'Assistant or gatekeeper.' },
    OTHER: { description: 'Any other relationship.' },
  },
});

@ObjectType({
  implements: Node,
  description: 'A person around a customer: for a company its employees, for a person the close contacts (family, friends, assistant) a good account manager also remembers.',
})
@Entity('contacts')
export class Contact extends ArchivableRecord {
  protected get nodeType() {
    return 'Contact';
  }

  /** Values of the ADMIN-defined custom fields, key → value (read through `customFields`; src/customfield). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  customFields: Record<string, string | number>;

  @Column({ type: 'uuid' })
  customerId: string;

  @Field({ description: 'Full name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true, description: 'Job title, e.g. "Head of Purchasing".' })
  @Column({ type: 'text', nullable: true })
  title: string | null;

  @Field(() => ContactRelationship, { description: 'How the contact relates to the customer.' })
  @Column({ type: 'text' })
  relationship: ContactRelationship;

  @Field(() => EmailAddressResolver, { nullable: true, description: 'Email address. Personal data: masked as `j***@example.com` for callers without access to it.' })
  @Pii('email')
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true, description: 'Phone number in E.164 format. Personal data: all but the last two digits masked for callers without access to it.' })
  @Pii('phone')
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Field(() => DateResolver, { nullable: true, description: 'Birthday: an occasion for a greeting. Personal data: null for callers who see it masked (`birthMonth` stays).' })
  @Pii('birthday')
  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  @Field(() => Int, { nullable: true, description: 'Month of the birthday (1–12): enough to plan a greeting, visible to every reader.' })
  get birthMonth(): number | null {
    return this.birthday ? Number(this.birthday.slice(5, 7)) : null;
  }

  @Field({ description: 'The main contact for the customer. At most one contact per customer is primary.' })
  @Column({ type: 'boolean', default: false })
  isPrimary: boolean;

  @Field(() => String, { nullable: true, description: 'Free-form notes. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  notes: string | null;
}
