import { Field, Int, ObjectType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { CustomerKind, Personality } from '../customer/customer.entity';
import { RFM_SEGMENTS, VALUE_TIER_KINDS, type RfmSegment, type ValueTier } from '../intelligence';

@ObjectType({
  implements: Node,
  description:
    'An assignment rule: customers matching its conditions go to its owner, or to its team in turn (round robin). Rules are tried in `position` order and the first match wins; an empty condition matches anything.',
})
@Entity('assignment_rules')
export class AssignmentRule extends ArchivableRecord {
  protected get nodeType() {
    return 'AssignmentRule';
  }

  @Field(() => Int, { description: 'Order in which rules are tried, from 1.' })
  @Column({ type: 'int' })
  position: number;

  @Field({ description: 'Name, e.g. "Key accounts in EMEA to the senior team".' })
  @Column({ type: 'text' })
  name: string;

  @Field({ description: 'Inactive rules are kept but never match.' })
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @Field(() => [String], { description: 'Sales regions (Customer.region, compared ignoring case); empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  regions: string[];

  @Field(() => [CustomerKind], { description: 'Customer kinds; empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  kinds: CustomerKind[];

  @Field(() => [Personality], { description: 'Personalities; empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  personalities: Personality[];

  @Field(() => [String], { description: 'Lifecycle stage keys, e.g. ONBOARDING; empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  lifecycleStages: string[];

  @Field(() => [RFM_SEGMENTS], { description: 'RFM segments of the stored scores (a new customer is a PROSPECT); empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  segments: RfmSegment[];

  @Field(() => [VALUE_TIER_KINDS], { description: 'Value tiers of the stored scores (a new customer is MONITOR); empty: any.' })
  @Column({ type: 'text', array: true, default: () => `'{}'` })
  valueTiers: ValueTier[];

  /** One owner, or a team served in turn; each a SALES_REP or MANAGER user. */
  @Column({ type: 'uuid', array: true })
  ownerIds: string[];

  /** The round-robin cursor: index into ownerIds of the next assignment. */
  @Column({ type: 'int', default: 0 })
  nextTurn: number;
}
