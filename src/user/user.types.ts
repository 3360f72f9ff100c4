import { ArgsType, Field, InputType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { EnumFilter, StringFilter } from '../common/filter.types';
import type { ListSpec } from '../common/list-query';
import { User, UserRole } from './user.entity';

export const UserConnection = ConnectionType(User, 'User', 'staff user');

export enum UserSortField {
  NAME = 'NAME',
  CREATED_AT = 'CREATED_AT',
}
registerEnumType(UserSortField, {
  name: 'UserSortField',
  description: 'Fields users can be sorted by.',
  valuesConfig: { NAME: { description: 'Name.' }, CREATED_AT: { description: 'When the user was created.' } },
});
export const UserOrderBy = OrderByType(UserSortField, 'User', UserSortField.NAME, SortDirection.ASC);

export const userList: ListSpec<User, UserFilter, UserSortField> = {
  entity: User,
  what: 'user',
  filters: {
    name: { sql: '{a}.name', kind: 'text' },
    email: { sql: '{a}.email', kind: 'text' },
    role: { sql: '{a}.role', kind: 'enum' },
  },
  sorts: {
    [UserSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
    [UserSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
  },
  defaultSort: { field: UserSortField.NAME, direction: SortDirection.ASC },
};

const UserRoleFilter = EnumFilter(UserRole, 'UserRole');

@InputType({ description: 'Conditions on staff users.' })
export class UserFilter {
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => StringFilter, { nullable: true, description: 'Email.' })
  email?: StringFilter;
  @Field(() => UserRoleFilter, { nullable: true, description: 'Role.' })
  role?: object;
  @Field(() => [UserFilter], { nullable: true, description: 'All of these conditions.' })
  and?: UserFilter[];
  @Field(() => [UserFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: UserFilter[];
  @Field(() => UserFilter, { nullable: true, description: 'Not this condition.' })
  not?: UserFilter;
}

@ArgsType()
export class UsersArgs extends PageArgs {
  @Field(() => UserFilter, { nullable: true, description: 'Only users matching these conditions.' })
  filter?: UserFilter | null;
  @Field(() => UserOrderBy, { nullable: true, description: 'Sort order (default: name A–Z).' })
  orderBy?: { field: UserSortField; direction: SortDirection } | null;
}

@ArgsType()
export class BookArgs {
  @Field(() => Date, { nullable: true, description: 'Count what is overdue as of this instant (default now).' })
  asOf?: Date | null;
}
