import { CountryCodeResolver, DateResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { CustomFieldFilter } from '../customfield/custom-field.types';
import {
  BooleanFilter,
  CountryFilter,
  DateFilter,
  DateTimeFilter,
  DecimalFilter,
  EnumFilter,
  FloatFilter,
  IntFilter,
  IDFilter,
  StringFilter,
  StringListFilter,
} from '../common/filter.types';
import { CHURN_LEVELS, RFM_SEGMENTS, VALUE_TIER_KINDS } from '../intelligence';
import { ConsentChannel, Customer, CustomerKind, Personality } from './customer.entity';
import { PossibleDuplicate } from './customer.duplicates';

export const CustomerConnection = ConnectionType(Customer, 'Customer', 'customer');

export enum CustomerSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  UPDATED_AT = 'UPDATED_AT',
  PREDICTED_CLV = 'PREDICTED_CLV',
  TOTAL_CLV = 'TOTAL_CLV',
  CHURN_PROBABILITY = 'CHURN_PROBABILITY',
  CUSTOM_FIELD = 'CUSTOM_FIELD',
}
registerEnumType(CustomerSortField, {
  name: 'CustomerSortField',
  description: 'Fields customers can be sorted by.',
  valuesConfig: {
    NAME: { description: 'Name, A to Z with ASC.' },
    CREATED_AT: { description: 'When the customer was created.' },
    UPDATED_AT: { description: 'When the customer was last changed.' },
    PREDICTED_CLV: {
      description:
        'Predicted CLV, as `clv { predicted }` returns it with its default arguments. Customers without a prediction (no purchase, no model) come last in both directions, so DESC opens with the most valuable.',
    },
    TOTAL_CLV: {
      description:
        'Total CLV, as `clv { total }` returns it with its default arguments: realised margin + predicted + referral value. The referral part counts every customer this one referred, also those outside a sales rep’s book (whose field counts only the referred customers they may see). Customers without a prediction come last in both directions.',
    },
    CHURN_PROBABILITY: {
      description: 'Churn probability, as `churnRisk { probability }` returns it without asOf. Customers without one (no purchase, no model) come last in both directions, so DESC opens with the likeliest to leave.',
    },
    CUSTOM_FIELD: { description: 'A custom field of the customer, named by `orderBy.customField` (top-level list only; records without a value come last in both directions).' },
  },
});
export const CustomerOrderBy = OrderByType(CustomerSortField, 'Customer', CustomerSortField.NAME, SortDirection.ASC, { customFields: true });

const CustomerKindFilter = EnumFilter(CustomerKind, 'CustomerKind');
const SegmentFilter = EnumFilter(RFM_SEGMENTS, 'Segment');
const ValueTierFilter = EnumFilter(VALUE_TIER_KINDS, 'ValueTier');
const ChurnLevelFilter = EnumFilter(CHURN_LEVELS, 'ChurnLevel');
const PersonalityFilter = EnumFilter(Personality, 'Personality');

@InputType({ description: 'Conditions on customers. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class CustomerFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The customer’s own ID.' })
  id?: IDFilter;
  @Field(() => CustomerKindFilter, { nullable: true, description: 'Person or company.' })
  kind?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'ID in the source system.' })
  externalRef?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Email address.' })
  email?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Phone number.' })
  phone?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Sales region.' })
  region?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'City of the address.' })
  city?: StringFilter;
  @Field(() => CountryFilter, { nullable: true, description: 'Country of the address.' })
  country?: CountryFilter;
  @Field(() => StringListFilter, { nullable: true, description: 'Tags.' })
  tags?: StringListFilter;
  @Field(() => StringListFilter, { nullable: true, description: 'Interests.' })
  interests?: StringListFilter;
  @Field(() => PersonalityFilter, { nullable: true, description: 'Buyer style.' })
  personality?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Acquisition channel.' })
  acquisitionChannel?: StringFilter;
  @Field(() => IDFilter, { nullable: true, description: 'Owning user (User ID).' })
  owner?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'Referring customer (Customer ID).' })
  referredBy?: IDFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Current lifecycle stage key, e.g. { eq: "LOYAL" }.' })
  lifecycleStage?: StringFilter;
  @Field(() => DateFilter, { nullable: true, description: 'Birthday.' })
  birthday?: object;
  @Field(() => BooleanFilter, { nullable: true, description: 'Consented to marketing email.' })
  emailConsent?: BooleanFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Consented to text messages.' })
  smsConsent?: BooleanFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Consented to marketing calls.' })
  phoneConsent?: BooleanFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Consented to postal mail.' })
  mailConsent?: BooleanFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Has an open opportunity, e.g. { eq: false } for customers nobody is selling to now. Needs `opportunities:read`.' })
  hasOpenOpportunity?: BooleanFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Member of the loyalty programme. Needs `loyalty:read`.' })
  loyaltyMember?: BooleanFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Loyalty tier name, as `loyalty { tier { name } }` returns it, e.g. { eq: "Gold" }; null for non-members. Needs `loyalty:read`.' })
  loyaltyTier?: StringFilter;
  @Field(() => IntFilter, { nullable: true, description: 'Loyalty points balance, as `loyalty { balance }` returns it; null for non-members. Needs `loyalty:read`.' })
  loyaltyBalance?: object;
  @Field(() => CustomFieldFilter, { nullable: true, description: 'A custom field’s value, e.g. { key: "favourite_sport", text: { eq: "Sailing" } } (combine several with `and`).' })
  customField?: CustomFieldFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the customer was created.' })
  createdAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the customer was last changed.' })
  updatedAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the customer was deleted (use with includeDeleted).' })
  deletedAt?: object;
  @Field(() => SegmentFilter, { nullable: true, description: 'RFM segment now, as the `segment` field returns it. Top-level `customers` only.' })
  segment?: object;
  @Field(() => ValueTierFilter, { nullable: true, description: 'Value tier, as the `valueTier` field returns it (MONITOR for everyone without a model). Top-level `customers` only.' })
  valueTier?: object;
  @Field(() => ChurnLevelFilter, {
    nullable: true,
    description: 'Churn level, as `churnRisk { level }` returns it without asOf; null without a purchase or a model (neq and in leave those out). Top-level `customers` only.',
  })
  churnLevel?: object;
  @Field(() => FloatFilter, { nullable: true, description: 'Churn probability, as `churnRisk { probability }` returns it without asOf; null without a purchase or a model. Top-level `customers` only.' })
  churnProbability?: object;
  @Field(() => DecimalFilter, {
    nullable: true,
    description: 'Predicted CLV in the base currency, as `clv { predicted }` returns it with its default arguments (12 months, 1% a month, MARGIN); null without a prediction. Top-level `customers` only.',
  })
  predictedClv?: object;
  @Field(() => [CustomerFilter], { nullable: true, description: 'All of these conditions.' })
  and?: CustomerFilter[];
  @Field(() => [CustomerFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: CustomerFilter[];
  @Field(() => CustomerFilter, { nullable: true, description: 'Not this condition.' })
  not?: CustomerFilter;
}

@ArgsType()
export class CustomersArgs extends PageArgs {
  @Field(() => CustomerFilter, { nullable: true, description: 'Only customers matching these conditions.' })
  filter?: CustomerFilter | null;

  @Field(() => CustomerOrderBy, { nullable: true, description: 'Sort order (default: name A–Z).' })
  orderBy?: { field: CustomerSortField; direction: SortDirection; customField?: string | null } | null;

  @Field(() => String, { nullable: true, description: 'Free-text search over name, email, phone, external reference and contact names (case-insensitive, partial match).' })
  search?: string | null;

  @Field({ defaultValue: false, description: 'Include soft-deleted customers.' })
  includeDeleted: boolean;
}

@ArgsType()
export class ReferralsArgs extends PageArgs {
  @Field(() => CustomerFilter, { nullable: true, description: 'Only referred customers matching these conditions.' })
  filter?: CustomerFilter | null;

  @Field(() => CustomerOrderBy, { nullable: true, description: 'Sort order (default: name A–Z).' })
  orderBy?: { field: CustomerSortField; direction: SortDirection; customField?: string | null } | null;
}

@ArgsType()
export class CustomerLookupArgs {
  @Field(() => ID, { nullable: true, description: 'The customer’s global ID.' })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'The customer’s ID in your source system.' })
  externalRef?: string | null;
}

@InputType({ description: 'A postal address. On update, the given address replaces the stored one.' })
export class AddressInput {
  @Field(() => String, { nullable: true, description: 'Street and number.' })
  line1?: string | null;
  @Field(() => String, { nullable: true, description: 'Apartment, suite, building.' })
  line2?: string | null;
  @Field(() => String, { nullable: true, description: 'City or town.' })
  city?: string | null;
  @Field(() => String, { nullable: true, description: 'State, province or county.' })
  region?: string | null;
  @Field(() => String, { nullable: true, description: 'Postal or ZIP code.' })
  postalCode?: string | null;
  @Field(() => CountryCodeResolver, { nullable: true, description: 'ISO 3166-1 alpha-2 country code.' })
  country?: string | null;
}

@InputType({ description: 'Grant or withdraw marketing consent on one channel.' })
export class MarketingConsentInput {
  @Field(() => ConsentChannel, { description: 'The channel.' })
  channel: ConsentChannel;
  @Field({ description: 'true to grant, false to withdraw.' })
  granted: boolean;
}

@InputType({ description: 'Fields shared by createCustomer and updateCustomer.' })
export class CustomerFields {
  @Field(() => String, { nullable: true, description: 'ID in your source system; unique.' })
  externalRef?: string | null;
  @Field(() => String, { nullable: true, description: 'Primary email (stored in lower case); an invalid one is an INVALID user error.' })
  email?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Primary phone, E.164 (e.g. +4930123456; spaces, dashes, dots and brackets are dropped); an invalid one is an INVALID user error.',
  })
  phone?: string | null;
  @Field(() => AddressInput, { nullable: true, description: 'Postal address.' })
  address?: AddressInput | null;
  @Field(() => DateResolver, { nullable: true, description: 'Birthday (or founding date); between 1900-01-01 and today.' })
  birthday?: Date | null;
  @Field(() => String, { nullable: true, description: 'Gender.' })
  gender?: string | null;
  @Field(() => String, { nullable: true, description: 'Income band, e.g. "50-75k".' })
  incomeBand?: string | null;
  @Field(() => String, { nullable: true, description: 'Sales region.' })
  region?: string | null;
  @Field(() => Personality, { nullable: true, description: 'Buyer style.' })
  personality?: Personality | null;
  @Field(() => [String], { nullable: true, description: 'Interests (replaces the list on update).' })
  interests?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Tags (replaces the list on update).' })
  tags?: string[] | null;
  @Field(() => String, { nullable: true, description: 'How the customer was acquired.' })
  acquisitionChannel?: string | null;
  @Field(() => ID, { nullable: true, description: 'Customer who referred this one; not the customer itself or one it referred, directly or through others.' })
  referredById?: string | null;
  @Field(() => ID, { nullable: true, description: 'Owning staff user.' })
  ownerId?: string | null;
  @Field(() => [MarketingConsentInput], { nullable: true, description: 'Consent changes; channels not listed keep their state.' })
  consents?: MarketingConsentInput[] | null;
  @Field(() => String, { nullable: true, description: 'Notes.' })
  notes?: string | null;
}

export enum DuplicatePolicy {
  WARN = 'WARN',
  REFUSE = 'REFUSE',
}
registerEnumType(DuplicatePolicy, {
  name: 'DuplicatePolicy',
  description: 'What createCustomer does when the new customer looks like an existing one (possibleDuplicates).',
  valuesConfig: {
    WARN: { description: 'Create it, and list the existing customers it may duplicate.' },
    REFUSE: { description: 'Create nothing: a POSSIBLE_DUPLICATE userError, with the candidates listed.' },
  },
});

@InputType({ description: 'A new customer.' })
export class CreateCustomerInput extends CustomerFields {
  @Field(() => CustomerKind, { defaultValue: CustomerKind.PERSON, description: 'Person or company.' })
  kind: CustomerKind;
  @Field({ description: 'Name of the person or company.' })
  name: string;
  @Field(() => String, { nullable: true, description: 'Initial lifecycle stage key (default PROSPECT); recorded as a MANUAL transition.' })
  lifecycleStage?: string | null;
  @Field(() => DuplicatePolicy, { defaultValue: DuplicatePolicy.WARN, description: 'When it looks like an existing customer (same email or phone, or a similar name with the same birthday or address): WARN creates it and lists them, REFUSE creates nothing.' })
  onDuplicate: DuplicatePolicy;
}

@InputType({ description: 'Changes to a customer. Omitted fields stay as they are; null clears a field.' })
export class UpdateCustomerInput extends CustomerFields {
  @Field(() => ID, { description: 'The customer to change.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the customer changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => CustomerKind, { nullable: true, description: 'Person or company.' })
  kind?: CustomerKind | null;
  @Field(() => String, { nullable: true, description: 'Name.' })
  name?: string | null;
}

@InputType({ description: 'Identifies a customer to delete or restore.' })
export class CustomerIdInput {
  @Field(() => ID, { description: 'The customer.' })
  id: string;
}

@ObjectType({ description: 'Result of a customer mutation.' })
export class CustomerPayload {
  @Field(() => Customer, { nullable: true, description: 'The customer as stored after the change; null when nothing was written.' })
  customer: Customer | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
  @Field(() => [PossibleDuplicate], { description: 'createCustomer only: existing customers (that you may see) the new one may duplicate, best first; empty otherwise.' })
  possibleDuplicates: PossibleDuplicate[];
}

@ArgsType()
export class DuplicateCandidatesArgs {
  @Field(() => Int, { defaultValue: 20, description: 'At most this many pairs (1–100), best first.' })
  first: number;
  @Field(() => Float, { defaultValue: 0.5, description: 'Only pairs scoring at least this (0–1).' })
  minScore: number;
}
