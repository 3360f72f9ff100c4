import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { customFieldFilter } from '../customfield/custom-field.filter';
import { Contact } from './contact.entity';
import { ContactFilter, ContactSortField } from './contact.types';

/** How contact lists filter and sort (shared by `contacts` and `Customer.contacts`). */
export const contactList: ListSpec<Contact, ContactFilter, ContactSortField> = {
  entity: Contact,
  what: 'contact',
  filters: {
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
    name: { sql: '{a}.name', kind: 'text' },
    title: { sql: '{a}.title', kind: 'text' },
    relationship: { sql: '{a}.relationship', kind: 'enum' },
    email: { sql: '{a}.email', kind: 'text', pii: true },
    isPrimary: { sql: '{a}.is_primary', kind: 'bool' },
    birthday: { sql: '{a}.birthday', kind: 'date', pii: true },
    customField: customFieldFilter(CustomFieldEntity.CONTACT),
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
    deletedAt: { sql: '{a}.deleted_at', kind: 'timestamp' },
  },
  sorts: {
    [ContactSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
    [ContactSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [ContactSortField.CUSTOM_FIELD]: { sql: 'NULL', pgType: 'text', byCustomField: true },
  },
  defaultSort: { field: ContactSortField.NAME, direction: SortDirection.ASC },
};
