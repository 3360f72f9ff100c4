import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';

export enum TransitionSource {
  MANUAL = 'MANUAL',
  RULE = 'RULE',
  IMPORT = 'IMPORT',
}
registerEnumType(TransitionSource, {
  name: 'TransitionSource',
  description: 'What moved the customer to a new stage.',
  valuesConfig: {
    MANUAL: { description: 'A person (or API client) moved the customer explicitly.' },
    RULE: { description: "Rapport's lifecycle rules moved the customer." },
    IMPORT: { description: 'Loaded from another system.' },
  },
});

@ObjectType({ implements: Node, description: "One move of a customer from one lifecycle stage to another: the relationship's history." })
@Entity('lifecycle_transitions')
export class LifecycleTransition extends BaseRecord {
  protected get nodeType() {
    return 'LifecycleTransition';
  }

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  fromStageId: string | null;

  @Column({ type: 'uuid' })
  toStageId: string;

  @Field({ description: 'When the move happened.' })
  @Column({ type: 'timestamptz' })
  at: Date;

  @Field(() => String, { nullable: true, description: 'Why the customer was moved.' })
  @Column({ type: 'text', nullable: true })
  reason: string | null;

  @Field(() => TransitionSource, { description: 'Who or what made the move.' })
  @Column({ type: 'text' })
  source: TransitionSource;

  @Column({ type: 'uuid', nullable: true })
  actorUserId: string | null;

  @Field(() => String, { nullable: true, description: 'Who made the move: a user, an API key or the rule engine, as a label.' })
  @Column({ type: 'text', nullable: true })
  actor: string | null;

}
