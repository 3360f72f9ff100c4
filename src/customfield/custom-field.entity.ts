import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';

export enum CustomFieldEntity {
  CUSTOMER = 'CUSTOMER',
  CONTACT = 'CONTACT',
  OPPORTUNITY = 'OPPORTUNITY',
}
registerEnumType(CustomFieldEntity, {
  name: 'CustomFieldEntity',
  description: 'The kind of record a custom field belongs to.',
  valuesConfig: {
    CUSTOMER: { description: 'Customers.' },
    CONTACT: { description: 'Contacts of customers.' },
    OPPORTUNITY: { description: 'Opportunities (deals).' },
  },
});

export enum CustomFieldType {
  TEXT = 'TEXT',
  NUMBER = 'NUMBER',
  DATE = 'DATE',
  CHOICE = 'CHOICE',
}
registerEnumType(CustomFieldType, {
  name: 'CustomFieldType',
  description: 'What a custom field holds, and so which member of a `CustomFieldValueInput` carries its value.',
  valuesConfig: {
    TEXT: { description: 'Free text, at most 1000 characters (`text`).' },
    NUMBER: { description: 'A finite number (`number`).' },
    DATE: { description: 'A calendar date (`date`).' },
    CHOICE: { description: 'One of the definition’s `options` (`choice`).' },
  },
});

@ObjectType({
  implements: Node,
  description:
    'A custom field an ADMIN defined on customers, contacts or opportunities (e.g. "hobbies", "preferred contact time"): the traits worth keeping on file without a schema change. Values are read with each record’s `customFields`.',
})
@Entity('custom_field_definitions')
export class CustomFieldDefinition extends ArchivableRecord {
  protected get nodeType() {
    return 'CustomFieldDefinition';
  }

  @Field(() => CustomFieldEntity, { description: 'The kind of record the field belongs to.' })
  @Column({ type: 'text' })
  entity: CustomFieldEntity;

  @Field({ description: 'Identifier of the field, unique per entity among live fields: lowercase letters, digits and underscores, starting with a letter, e.g. "favourite_sport".' })
  @Column({ type: 'text' })
  key: string;

  @Field({ description: 'What people see, e.g. "Favourite sport".' })
  @Column({ type: 'text' })
  label: string;

  @Field(() => CustomFieldType, { description: 'What the field holds; fixed once defined.' })
  @Column({ type: 'text' })
  type: CustomFieldType;

  @Field(() => [String], { description: 'The allowed values of a CHOICE field, in order (options can be added, never removed); empty for other types.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  options: string[];

  @Field({
    description:
      'Personal data (e.g. hobbies, background): withheld from callers who see personal data masked (analysts, partners without `pii:read`) in `customFields` and exports, and they cannot filter or sort on it.',
  })
  @Column({ type: 'boolean', default: false })
  personal: boolean;

  @Field(() => Int, { description: 'Display order among the entity’s fields (ascending; ties by key).' })
  @Column({ type: 'int', default: 0 })
  position: number;
}
