import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { BaseRecord, Node } from '../common/base.entity';

/** Keys of the stages Rapport ships with; the catalog itself is data and can grow. */
export const STAGE_KEYS = ['PROSPECT', 'ONBOARDING', 'GROWING', 'LOYAL', 'DECLINING', 'CHURNED'] as const;
export type StageKey = (typeof STAGE_KEYS)[number];

@ObjectType({
  implements: Node,
  description: 'A stage of the customer relationship lifecycle (exploration, formation, stable, decline…), with the strategy that fits it.',
})
@Entity('lifecycle_stages')
export class LifecycleStage extends BaseRecord {
  protected get nodeType() {
    return 'LifecycleStage';
  }

  @Field({ description: 'Stable key, e.g. ONBOARDING. Use it in `moveCustomerToStage` and filters.' })
  @Column({ type: 'text' })
  key: string;

  @Field({ description: 'Display name.' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => Int, { description: 'Order of the stage along the lifecycle (funnel order).' })
  @Column({ type: 'int' })
  position: number;

  @Field({ description: 'What characterises a relationship in this stage.' })
  @Column({ type: 'text' })
  description: string;

  @Field({ description: 'What to do with customers in this stage.' })
  @Column({ type: 'text' })
  strategy: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Contact cadence: how many days a customer in this stage may go without a touchpoint before myAgenda suggests a FOLLOW_UP; null for none. Set with setContactCadence.',
  })
  @Column({ type: 'int', nullable: true })
  contactEveryDays: number | null;
}
