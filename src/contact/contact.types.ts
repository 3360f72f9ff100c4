import { DateResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { CustomFieldFilter } from '../customfield/custom-field.types';
import { BooleanFilter, DateFilter, DateTimeFilter, EnumFilter, IDFilter, StringFilter } from '../common/filter.types';
import { Contact, ContactRelationship } from './contact.entity';

export const ContactConnection = ConnectionType(Contact, 'Contact', 'contact');

export enum ContactSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
  CUSTOM_FIELD = 'CUSTOM_FIELD',
}
registerEnumType(ContactSortField, {
  name: 'ContactSortField',
  description: 'Fields contacts can be sorted by.',
  valuesConfig: {
    NAME: { description: 'Name, A to Z with ASC.' },
    CREATED_AT: { description: 'When the contact was created.' },
    CUSTOM_FIELD: { description: 'A custom field of the contact, named by `orderBy.customField` (top-level list only; records without a value come last in both directions).' },
  },
});
export const ContactOrderBy = OrderByType(ContactSortField, 'Contact', ContactSortField.NAME, SortDirection.ASC, { customFields: true });

const ContactRelationshipFilter = EnumFilter(ContactRelationship, 'ContactRelationship');

@InputType({ description: 'Conditions on contacts. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class ContactFilter {
  @Field(() => IDFilter, { nullable: true, description: 'The customer the contact belongs to (Customer ID).' })
  customer?: IDFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Job title.' })
  title?: StringFilter;
  @Field(() => ContactRelationshipFilter, { nullable: true, description: 'How the contact relates to the customer.' })
  relationship?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Email address.' })
  email?: StringFilter;
  @Field(() => BooleanFilter, { nullable: true, description: 'Whether the contact is the customer’s primary contact.' })
  isPrimary?: BooleanFilter;
  @Field(() => DateFilter, { nullable: true, description: 'Birthday.' })
  birthday?: object;
  @Field(() => CustomFieldFilter, { nullable: true, description: 'A custom field’s value, e.g. { key: "hobbies", text: { contains: "sailing" } } (combine several with `and`).' })
  customField?: CustomFieldFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the contact was created.' })
  createdAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the contact was deleted (use with includeDeleted).' })
  deletedAt?: object;
  @Field(() => [ContactFilter], { nullable: true, description: 'All of these conditions.' })
  and?: ContactFilter[];
  @Field(() => [ContactFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: ContactFilter[];
  @Field(() => ContactFilter, { nullable: true, description: 'Not this condition.' })
  not?: ContactFilter;
}

@ArgsType()
export class CustomerContactsArgs extends PageArgs {
  @Field(() => ContactFilter, { nullable: true, description: 'Only contacts matching these conditions.' })
  filter?: ContactFilter | null;

  @Field(() => ContactOrderBy, { nullable: true, description: 'Sort order (default: name A–Z).' })
  orderBy?: { field: ContactSortField; direction: SortDirection; customField?: string | null } | null;
}

@ArgsType()
export class ContactsArgs extends CustomerContactsArgs {
  @Field({ defaultValue: false, description: 'Include soft-deleted contacts.' })
  includeDeleted: boolean;
}

@InputType({ description: 'Fields shared by createContact and updateContact.' })
export class ContactFields {
  @Field(() => String, { nullable: true, description: 'Job title, e.g. "Head of Purchasing".' })
  title?: string | null;
  @Field(() => String, { nullable: true, description: 'Email address (stored in lower case); an invalid one is an INVALID user error.' })
  email?: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Phone, E.164 (e.g. +4930123456; spaces, dashes, dots and brackets are dropped); an invalid one is an INVALID user error.',
  })
  phone?: string | null;
  @Field(() => DateResolver, { nullable: true, description: 'Birthday; between 1900-01-01 and today.' })
  birthday?: Date | null;
  @Field(() => String, { nullable: true, description: 'Notes.' })
  notes?: string | null;
}

@InputType({ description: 'A new contact of a customer.' })
export class CreateContactInput extends ContactFields {
  @Field(() => ID, { description: 'The customer the contact belongs to; must not be deleted.' })
  customerId: string;
  @Field({ description: 'Full name.' })
  name: string;
  @Field(() => ContactRelationship, {
    nullable: true,
    description: 'How the contact relates to the customer. Default: EMPLOYEE for a company customer, OTHER for a person.',
  })
  relationship?: ContactRelationship | null;
  @Field({ defaultValue: false, description: 'Make this the customer’s primary contact; the previous primary contact is un-marked.' })
  isPrimary: boolean;
}

@InputType({ description: 'Changes to a contact. Omitted fields stay as they are; null clears a field.' })
export class UpdateContactInput extends ContactFields {
  @Field(() => ID, { description: 'The contact to change.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; if the contact changed since, nothing is written and a CONFLICT error is returned.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'Full name; cannot be cleared.' })
  name?: string | null;
  @Field(() => ContactRelationship, { nullable: true, description: 'How the contact relates to the customer; cannot be cleared.' })
  relationship?: ContactRelationship | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true makes this the primary contact (the previous one is un-marked); false leaves the customer without a primary contact.',
  })
  isPrimary?: boolean | null;
}

@InputType({ description: 'Identifies a contact to delete or restore.' })
export class ContactIdInput {
  @Field(() => ID, { description: 'The contact.' })
  id: string;
}

@ObjectType({ description: 'Result of a contact mutation.' })
export class ContactPayload {
  @Field(() => Contact, { nullable: true, description: 'The contact as stored after the change; null when nothing was written.' })
  contact: Contact | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}
