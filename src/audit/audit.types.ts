import { ArgsType, Field, InputType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { DateTimeFilter, IDFilter, StringFilter } from '../common/filter.types';
import type { ListSpec } from '../common/list-query';
import { registerEnumType } from 'type-graphql';
import { AuditEvent } from './audit-event.entity';

export const AuditEventConnection = ConnectionType(AuditEvent, 'AuditEvent', 'audit event');

export enum AuditEventSortField {
  AT = 'AT',
}
registerEnumType(AuditEventSortField, {
  name: 'AuditEventSortField',
  description: 'Fields audit events can be sorted by.',
  valuesConfig: { AT: { description: 'When the change was committed.' } },
});
export const AuditEventOrderBy = OrderByType(AuditEventSortField, 'AuditEvent', AuditEventSortField.AT, SortDirection.DESC);

export const auditEventList: ListSpec<AuditEvent, AuditEventFilter, AuditEventSortField> = {
  entity: AuditEvent,
  what: 'audit event',
  filters: {
    at: { sql: '{a}.at', kind: 'timestamp' },
    action: { sql: '{a}.action', kind: 'text' },
    objectType: { sql: '{a}.object_type', kind: 'text' },
    // Any object's global ID: the list engine checks the type when one is named, so none is named here.
    objectId: { sql: '{a}.object_id', kind: 'id' },
    actorUser: { sql: '{a}.actor_user_id', kind: 'id', idType: 'User' },
    credentialId: { sql: '{a}.credential_id', kind: 'text' },
    requestId: { sql: '{a}.request_id', kind: 'text' },
  },
  sorts: {
    [AuditEventSortField.AT]: { sql: '{a}.at', pgType: 'timestamptz' },
  },
  defaultSort: { field: AuditEventSortField.AT, direction: SortDirection.DESC },
};

@InputType({ description: 'Conditions on audit events. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class AuditEventFilter {
  @Field(() => DateTimeFilter, { nullable: true, description: 'When the change was committed.' })
  at?: object;
  @Field(() => StringFilter, { nullable: true, description: 'The action, e.g. `customer.update`.' })
  action?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'The type of object changed, e.g. `Customer`.' })
  objectType?: StringFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The object changed (its global ID): one object’s history.' })
  objectId?: IDFilter;
  @Field(() => IDFilter, { nullable: true, description: 'The staff user who acted.' })
  actorUser?: IDFilter;
  @Field(() => StringFilter, { nullable: true, description: 'The credential used (an API key’s id or a token’s subject).' })
  credentialId?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'The request’s X-Request-Id.' })
  requestId?: StringFilter;
  @Field(() => [AuditEventFilter], { nullable: true, description: 'All of these conditions.' })
  and?: AuditEventFilter[];
  @Field(() => [AuditEventFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: AuditEventFilter[];
  @Field(() => AuditEventFilter, { nullable: true, description: 'Not this condition.' })
  not?: AuditEventFilter;
}

@ArgsType()
export class AuditEventsArgs extends PageArgs {
  @Field(() => AuditEventFilter, { nullable: true, description: 'Only events matching these conditions.' })
  filter?: AuditEventFilter | null;
  @Field(() => AuditEventOrderBy, { nullable: true, description: 'Sort order (default: newest first).' })
  orderBy?: { field: AuditEventSortField; direction: SortDirection } | null;
}
