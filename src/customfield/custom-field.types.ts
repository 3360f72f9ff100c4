import { DateResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { UserError } from '../common/errors';
import { DateFilter, FloatFilter, StringFilter } from '../common/filter.types';
import { Node } from '../common/base.entity';
import { CustomFieldDefinition, CustomFieldEntity, CustomFieldType } from './custom-field.entity';

export const MAX_FIELDS_PER_ENTITY = 100;
export const MAX_OPTIONS = 100;
export const MAX_TEXT_VALUE = 1000;
export const MAX_VALUES_PER_CALL = 100;

@ObjectType({ description: 'The value of one live custom field on a record (null members: not set, or not of this type).' })
export class CustomFieldValue {
  @Field({ description: 'The field’s key.' })
  key: string;
  @Field({ description: 'The field’s label.' })
  label: string;
  @Field(() => CustomFieldType, { description: 'The field’s type: which member below carries the value.' })
  type: CustomFieldType;
  @Field({ description: 'Whether the field holds personal data.' })
  personal: boolean;
  @Field({ description: 'True when the value is withheld from you (a personal field, and you see personal data masked): the value members are then null whether or not a value is set.' })
  withheld: boolean;
  @Field(() => String, { nullable: true, description: 'The value of a TEXT field.' })
  text: string | null;
  @Field(() => Float, { nullable: true, description: 'The value of a NUMBER field.' })
  number: number | null;
  @Field(() => DateResolver, { nullable: true, description: 'The value of a DATE field.' })
  date: string | null;
  @Field(() => String, { nullable: true, description: 'The value of a CHOICE field (one of its options).' })
  choice: string | null;
}

@InputType({ description: 'A new custom field.' })
export class DefineCustomFieldInput {
  @Field(() => CustomFieldEntity, { description: 'The kind of record it belongs to.' })
  entity: CustomFieldEntity;
  @Field({ description: 'Identifier: lowercase letters, digits and underscores, starting with a letter, at most 50 characters; unique per entity among live fields.' })
  key: string;
  @Field({ description: 'What people see.' })
  label: string;
  @Field(() => CustomFieldType, { description: 'What it holds; cannot be changed later.' })
  type: CustomFieldType;
  @Field(() => [String], { nullable: true, description: `The allowed values of a CHOICE field (required for CHOICE, at most ${MAX_OPTIONS}); none for other types.` })
  options?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'Display order (ascending); omitted: after the entity’s other fields.' })
  position?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Personal data (hobbies, background…): withheld from callers who see personal data masked. Default false.' })
  personal?: boolean | null;
}

@InputType({ description: 'Changes to a custom field; omitted fields stay as they are. Key and type are fixed.' })
export class UpdateCustomFieldInput {
  @Field(() => ID, { description: 'The field (CustomFieldDefinition ID).' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'New label.' })
  label?: string | null;
  @Field(() => [String], { nullable: true, description: 'Options to add to a CHOICE field (options are never removed: stored values keep their meaning).' })
  addOptions?: string[] | null;
  @Field(() => Int, { nullable: true, description: 'New display order.' })
  position?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'Mark the field personal data, or not.' })
  personal?: boolean | null;
}

@InputType({ description: 'Which custom field.' })
export class CustomFieldIdInput {
  @Field(() => ID, { description: 'The field (CustomFieldDefinition ID).' })
  id: string;
}

@ObjectType({ description: 'Result of a custom-field definition mutation.' })
export class CustomFieldPayload {
  @Field(() => CustomFieldDefinition, { nullable: true, description: 'The field as stored; null when nothing was written.' })
  field: CustomFieldDefinition | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@InputType({ description: 'One custom field’s new value: set the member of its type, or none of them to clear it.' })
export class CustomFieldValueInput {
  @Field({ description: 'The field’s key.' })
  key: string;
  @Field(() => String, { nullable: true, description: `TEXT: at most ${MAX_TEXT_VALUE} characters (trimmed; blank clears).` })
  text?: string | null;
  @Field(() => Float, { nullable: true, description: 'NUMBER: a finite number.' })
  number?: number | null;
  @Field(() => DateResolver, { nullable: true, description: 'DATE: a calendar date.' })
  date?: Date | null;
  @Field(() => String, { nullable: true, description: 'CHOICE: one of the field’s options.' })
  choice?: string | null;
}

@InputType({ description: 'Set or clear custom field values on one record; fields not named keep their values.' })
export class SetCustomFieldValuesInput {
  @Field(() => ID, { description: 'The record: a Customer, Contact or Opportunity ID.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The record’s version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => [CustomFieldValueInput], { description: `The values (at most ${MAX_VALUES_PER_CALL}, each key once).` })
  values: CustomFieldValueInput[];
}

@ObjectType({ description: 'Result of setCustomFieldValues.' })
export class SetCustomFieldValuesPayload {
  @Field(() => Node, { nullable: true, description: 'The record as stored (a Customer, Contact or Opportunity); null when nothing was written.' })
  record: Node | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success. Nothing is written when there are any.' })
  userErrors: UserError[];
}

@ArgsType()
export class CustomFieldDefinitionsArgs {
  @Field(() => CustomFieldEntity, { nullable: true, description: 'Only the fields of this kind of record; omitted: all.' })
  entity?: CustomFieldEntity | null;
  @Field({ defaultValue: false, description: 'Include deleted fields.' })
  includeDeleted: boolean;
}

@InputType({
  description:
    'A condition on one live custom field of the record (a key no live field of this type has matches nothing). Use the member of the field’s type: `text` for TEXT and CHOICE, `number` for NUMBER, `date` for DATE.',
})
export class CustomFieldFilter {
  @Field({ description: 'The field’s key.' })
  key: string;
  @Field(() => StringFilter, { nullable: true, description: 'Conditions on a TEXT or CHOICE value (eq, in, contains, isNull…).' })
  text?: StringFilter | null;
  @Field(() => FloatFilter, { nullable: true, description: 'Conditions on a NUMBER value (eq, gt, gte, lt, lte…).' })
  number?: object | null;
  @Field(() => DateFilter, { nullable: true, description: 'Conditions on a DATE value (eq, gt, gte, lt, lte…).' })
  date?: object | null;
}
