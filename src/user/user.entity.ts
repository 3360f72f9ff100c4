import { EmailAddressResolver } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';
import { UserRole } from '../core/roles';

export { UserRole };

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

  /** Who the user reports to: overdue complaints are escalated to them. */
  @Column({ type: 'uuid', nullable: true })
  managerId: string | null;
}
