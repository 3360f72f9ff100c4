import { CountryCodeResolver, DateResolver, EmailAddressResolver } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { Pii } from '../core/masking';

export enum CustomerKind {
  PERSON = 'PERSON',
  COMPANY = 'COMPANY',
}
registerEnumType(CustomerKind, {
  name: 'CustomerKind',
  description: 'Whether the customer is a consumer or a business account.',
  valuesConfig: {
    PERSON: { description: 'An individual consumer.' },
    COMPANY: { description: 'A business account; its people are contacts.' },
  },
});

/** The four classic social styles (Merrill & Reid), each met with a different approach. */
export enum Personality {
  AUTHORITATIVE = 'AUTHORITATIVE',
  ANALYTICAL = 'ANALYTICAL',
  AMIABLE = 'AMIABLE',
  EXPRESSIVE = 'EXPRESSIVE',
}
export const PERSONALITY_APPROACH: Record<Personality, string> = {
  AUTHORITATIVE: 'Be brief and direct: lead with results and options, let them decide, never waste their time.',
  ANALYTICAL: 'Bring facts, data and written detail; give them time to evaluate and avoid pressure.',
  AMIABLE: 'Build trust personally and patiently: reassurance, guarantees and a steady contact person.',
  EXPRESSIVE: 'Share the vision and the story; recognise them personally and keep the energy up, then confirm details in writing.',
};
registerEnumType(Personality, {
  name: 'Personality',
  description: 'Buyer style (the four classic social styles). `Customer.personalityApproach` suggests how to work with each.',
  valuesConfig: {
    AUTHORITATIVE: { description: 'Decisive and results-driven (the "driver").' },
    ANALYTICAL: { description: 'Careful, data-driven, wants detail.' },
    AMIABLE: { description: 'Relationship-oriented, values trust and stability.' },
    EXPRESSIVE: { description: 'Enthusiastic and social, driven by ideas and recognition.' },
  },
});

export enum ConsentChannel {
  EMAIL = 'EMAIL',
  SMS = 'SMS',
  PHONE = 'PHONE',
  MAIL = 'MAIL',
}
registerEnumType(ConsentChannel, {
  name: 'ConsentChannel',
  description: 'A marketing channel that needs the customer’s consent.',
  valuesConfig: {
    EMAIL: { description: 'Marketing email.' },
    SMS: { description: 'Text messages.' },
    PHONE: { description: 'Marketing calls.' },
    MAIL: { description: 'Postal mail.' },
  },
});

@ObjectType({ description: 'A postal address.' })
export class Address {
  @Field(() => String, { nullable: true, description: 'Street and number. Personal data: null for callers who see it masked.' })
  @Pii('street')
  @Column({ type: 'text', nullable: true })
  line1: string | null;

  @Field(() => String, { nullable: true, description: 'Apartment, suite, building. Personal data: null for callers who see it masked.' })
  @Pii('street')
  @Column({ type: 'text', nullable: true })
  line2: string | null;

  @Field(() => String, { nullable: true, description: 'City or town.' })
  @Column({ type: 'text', nullable: true })
  city: string | null;

  @Field(() => String, { nullable: true, description: 'State, province or county.' })
  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Field(() => String, { nullable: true, description: 'Postal or ZIP code. Personal data: null for callers who see it masked.' })
  @Pii('street')
  @Column({ type: 'text', nullable: true })
  postalCode: string | null;

  @Field(() => CountryCodeResolver, { nullable: true, description: 'ISO 3166-1 alpha-2 country code, e.g. DE.' })
  @Column({ type: 'char', length: 2, nullable: true })
  country: string | null;
}

/** One channel's consent, stored as two columns (granted flag, when it last changed). */
export class Consent {
  @Column({ type: 'boolean', default: false })
  granted: boolean;

  @Column({ type: 'timestamptz', nullable: true })
  at: Date | null;
}

@ObjectType({ description: 'Whether the customer agreed to marketing on one channel, and when that was recorded.' })
export class MarketingConsent {
  @Field(() => ConsentChannel, { description: 'The channel.' })
  channel: ConsentChannel;

  @Field({ description: 'True when the customer agreed to be contacted for marketing on this channel.' })
  granted: boolean;

  @Field(() => Date, { nullable: true, description: 'When consent was last granted or withdrawn.' })
  updatedAt: Date | null;
}

@ObjectType({
  implements: Node,
  description: 'A customer: a person or company you sell to. The heart of the CRM: profile, traits, consent, owner, lifecycle stage, and every order and touchpoint.',
})
@Entity('customers')
export class Customer extends ArchivableRecord {
  protected get nodeType() {
    return 'Customer';
  }

  /** Values of the ADMIN-defined custom fields, key → value (read through `customFields`; src/customfield). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  customFields: Record<string, string | number>;

  @Field(() => CustomerKind, { description: 'Person or company.' })
  @Column({ type: 'text' })
  kind: CustomerKind;

  @Field({ description: 'Full name of the person, or the company name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true, description: 'The customer’s ID in your source system (shop, ERP). Unique; use it to look customers up and to import orders.' })
  @Column({ type: 'text', nullable: true })
  externalRef: string | null;

  @Field(() => EmailAddressResolver, { nullable: true, description: 'Primary email address. Personal data: masked as `j***@example.com` for callers without access to it.' })
  @Pii('email')
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true, description: 'Primary phone number in E.164 format, e.g. +4930123456. Personal data: all but the last two digits masked (`+*********56`) for callers without access to it.' })
  @Pii('phone')
  @Column({ type: 'text', nullable: true })
  phone: string | null;

  @Field(() => Address, { description: 'Postal address.' })
  @Column(() => Address, { prefix: 'address' })
  address: Address;

  @Field(() => DateResolver, { nullable: true, description: 'Birthday (people) or founding date (companies): occasions for a greeting. Personal data: null for callers who see it masked (`birthMonth` stays).' })
  @Pii('birthday')
  @Column({ type: 'date', nullable: true })
  birthday: string | null;

  @Field(() => Int, { nullable: true, description: 'Month of the birthday (1–12): enough to plan a greeting, visible to every reader.' })
  get birthMonth(): number | null {
    return this.birthday ? Number(this.birthday.slice(5, 7)) : null;
  }

  @Field(() => String, { nullable: true, description: 'Gender, if the customer shared it.' })
  @Column({ type: 'text', nullable: true })
  gender: string | null;

  @Field(() => String, { nullable: true, description: 'Income band, e.g. "50-75k", if known.' })
  @Column({ type: 'text', nullable: true })
  incomeBand: string | null;

  @Field(() => String, { nullable: true, description: 'Sales region or territory, e.g. "EMEA-North".' })
  @Column({ type: 'text', nullable: true })
  region: string | null;

  @Field(() => Personality, { nullable: true, description: 'Buyer style, as judged by the account manager.' })
  @Column({ type: 'text', nullable: true })
  personality: Personality | null;

  @Field(() => String, { nullable: true, description: 'How to approach a customer of this personality; null when the personality is unknown.' })
  get personalityApproach(): string | null {
    return this.personality ? PERSONALITY_APPROACH[this.personality] : null;
  }

  @Field(() => [String], { description: 'Interests and hobbies, e.g. ["golf", "wine"]: openers for conversations and offers.' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  interests: string[];

  @Field(() => [String], { description: 'Free tags for grouping, e.g. ["vip", "trade-fair-2025"].' })
  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  @Field(() => String, { nullable: true, description: 'How the customer was acquired, e.g. "referral", "search", "trade fair".' })
  @Column({ type: 'text', nullable: true })
  acquisitionChannel: string | null;

  @Column({ type: 'uuid', nullable: true })
  referredById: string | null;

  /** Set on a customer merged into another (mergeCustomers): the survivor, which its ID now finds. */
  @Column({ type: 'uuid', nullable: true })
  mergedIntoId: string | null;

  @Column({ type: 'uuid', nullable: true })
  ownerId: string | null;

  @Column({ type: 'uuid', nullable: true })
  lifecycleStageId: string | null;

  @Column(() => Consent, { prefix: 'consent_email' })
  consentEmail: Consent;

  @Column(() => Consent, { prefix: 'consent_sms' })
  consentSms: Consent;

  @Column(() => Consent, { prefix: 'consent_phone' })
  consentPhone: Consent;

  @Column(() => Consent, { prefix: 'consent_mail' })
  consentMail: Consent;

  @Field(() => [MarketingConsent], { description: 'Marketing consent per channel (EMAIL, SMS, PHONE, MAIL).' })
  get marketingConsents(): MarketingConsent[] {
    return consentEntries(this).map(([channel, c]) => Object.assign(new MarketingConsent(), { channel, granted: c.granted, updatedAt: c.at }));
  }

  @Field(() => Date, { nullable: true, description: 'When the customer’s personal data was erased on request (`eraseCustomer`); the record stays as an anonymous one so revenue analytics stay right.' })
  @Column({ type: 'timestamptz', nullable: true })
  erasedAt: Date | null;

  @Field(() => String, { nullable: true, description: 'Free-form notes. Withheld (null) from callers who see personal data masked.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  notes: string | null;
}

export function consentEntries(c: Customer): Array<[ConsentChannel, Consent]> {
  return [
    [ConsentChannel.EMAIL, c.consentEmail],
    [ConsentChannel.SMS, c.consentSms],
    [ConsentChannel.PHONE, c.consentPhone],
    [ConsentChannel.MAIL, c.consentMail],
  ];
}

export const CONSENT_PROPERTY: Record<ConsentChannel, 'consentEmail' | 'consentSms' | 'consentPhone' | 'consentMail'> = {
  EMAIL: 'consentEmail',
  SMS: 'consentSms',
  PHONE: 'consentPhone',
  MAIL: 'consentMail',
};
