import { EmailAddressResolver } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';

export enum UserRole {
  ADMIN = 'ADMIN',
  MANAGER = 'MANAGER',
  SALES_REP = 'SALES_REP',
  ANALYST = 'ANALYST',
}
registerEnumType(UserRole, {
  name: 'UserRole',
  description: 'What a staff member does in the CRM; access rules key off it.',
  valuesConfig: {
    ADMIN: { description: 'Configures Rapport and manages staff and API keys.' },
    MANAGER: { description: 'Leads a sales team; sees every customer.' },
    SALES_REP: { description: 'Owns a book of customers and works their relationships.' },
    ANALYST: { description: 'Reads data and analytics; does not change customer records.' },
  },
});

@ObjectType({ implements: Node, description: 'A staff member: owns customers, logs touchpoints, moves lifecycle stages.' })
@Entity('users')
export class User extends BaseRecord {
  protected get nodeType() {
    return 'User';
  }

  @Field({ description: 'Full name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => EmailAddressResolver, { description: 'Work email address; unique.' })
  @Column({ type: 'text' })
  email: string;

  @Field(() => UserRole, { description: 'Role, which decides what the user may see and change.' })
  @Column({ type: 'text' })
  role: UserRole;
}
