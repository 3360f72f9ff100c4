import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Reads } from '../core/selection';
import { Contact } from '../contact/contact.entity';
import type { Context } from '../core/request-scope';
import { Customer } from '../customer/customer.entity';
import { Opportunity } from '../opportunity/opportunity.entity';
import { CustomFieldDefinition, CustomFieldEntity } from './custom-field.entity';
import {
  CustomFieldDefinitionsArgs,
  CustomFieldIdInput,
  CustomFieldPayload,
  CustomFieldValue,
  DefineCustomFieldInput,
  SetCustomFieldValuesInput,
  SetCustomFieldValuesPayload,
  UpdateCustomFieldInput,
} from './custom-field.types';

const VALUES = 'The record’s custom fields: one entry per live field of its kind, in display order (the value members null when unset).';

@Resolver(() => CustomFieldDefinition)
export class CustomFieldResolver {
  @Query(() => [CustomFieldDefinition], { description: 'The custom fields defined on customers, contacts and opportunities, by entity and display order.' })
  customFieldDefinitions(@Args() args: CustomFieldDefinitionsArgs, @Ctx() ctx: Context) {
    return ctx.services.customFields.definitions(args.entity, args.includeDeleted);
  }

  @Mutation(() => CustomFieldPayload, { description: 'Define a custom field on customers, contacts or opportunities (ADMIN).' })
  defineCustomField(@Arg('input', () => DefineCustomFieldInput, { description: 'The new field.' }) input: DefineCustomFieldInput, @Ctx() ctx: Context) {
    return ctx.services.customFields.define(input);
  }

  @Mutation(() => CustomFieldPayload, { description: 'Change a custom field’s label or display order, or add options to a CHOICE field (ADMIN).' })
  updateCustomField(@Arg('input', () => UpdateCustomFieldInput, { description: 'The field and the changes.' }) input: UpdateCustomFieldInput, @Ctx() ctx: Context) {
    return ctx.services.customFields.update(input);
  }

  @Mutation(() => CustomFieldPayload, { description: 'Delete a custom field (soft delete): it disappears from records and filters, and its key can be defined again (ADMIN).' })
  deleteCustomField(@Arg('input', () => CustomFieldIdInput, { description: 'The field.' }) input: CustomFieldIdInput, @Ctx() ctx: Context) {
    return ctx.services.customFields.delete(input.id);
  }

  @Mutation(() => SetCustomFieldValuesPayload, {
    description:
      'Set or clear custom field values on a customer, contact or opportunity, each checked against its field, in one transaction (a change of the record: `customers:write` for customers and contacts, `opportunities:write` for opportunities, within your book).',
  })
  setCustomFieldValues(@Arg('input', () => SetCustomFieldValuesInput, { description: 'The record and the values.' }) input: SetCustomFieldValuesInput, @Ctx() ctx: Context) {
    return ctx.services.customFields.setValues(input);
  }
}

@Resolver(() => Customer)
export class CustomerCustomFieldsResolver {
  @FieldResolver(() => [CustomFieldValue], { description: VALUES })
  @Reads('customFields')
  customFields(@Root() customer: Customer, @Ctx() ctx: Context) {
    return ctx.services.customFields.valuesOf(CustomFieldEntity.CUSTOMER, customer);
  }
}

@Resolver(() => Contact)
export class ContactCustomFieldsResolver {
  @FieldResolver(() => [CustomFieldValue], { description: VALUES })
  @Reads('customFields')
  customFields(@Root() contact: Contact, @Ctx() ctx: Context) {
    return ctx.services.customFields.valuesOf(CustomFieldEntity.CONTACT, contact);
  }
}

@Resolver(() => Opportunity)
export class OpportunityCustomFieldsResolver {
  @FieldResolver(() => [CustomFieldValue], { description: VALUES })
  @Reads('customFields')
  customFields(@Root() opportunity: Opportunity, @Ctx() ctx: Context) {
    return ctx.services.customFields.valuesOf(CustomFieldEntity.OPPORTUNITY, opportunity);
  }
}
