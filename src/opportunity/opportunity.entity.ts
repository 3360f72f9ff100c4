import { CurrencyResolver, DateResolver } from 'graphql-scalars';
import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { Column, Entity } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { Money } from '../common/money.types';
import { Pii } from '../core/masking';

export enum OpportunityStatus {
  OPEN = 'OPEN',
  WON = 'WON',
  LOST = 'LOST',
}
registerEnumType(OpportunityStatus, {
  name: 'OpportunityStatus',
  description: 'Whether an opportunity is still being worked. Won and lost are how it ends, not stages it sits in.',
  valuesConfig: {
    OPEN: { description: 'Being worked: it sits in a stage of its pipeline.' },
    WON: { description: 'The customer said yes (`winOpportunity`); may link the order it became.' },
    LOST: { description: 'The customer said no, or it went nowhere (`loseOpportunity`, with a reason).' },
  },
});

@ObjectType({ implements: Node, description: 'A possible sale to a customer, worked through the stages of a pipeline until it is won or lost.' })
@Entity('opportunities')
export class Opportunity extends ArchivableRecord {
  protected get nodeType() {
    return 'Opportunity';
  }

  /** Values of the ADMIN-defined custom fields, key → value (read through `customFields`; src/customfield). */
  @Column({ type: 'jsonb', default: () => `'{}'` })
  customFields: Record<string, string | number>;

  @Column({ type: 'uuid' })
  customerId: string;

  @Column({ type: 'uuid', nullable: true })
  contactId: string | null;

  @Column({ type: 'uuid' })
  ownerId: string;

  @Column({ type: 'uuid' })
  pipelineId: string;

  @Column({ type: 'uuid' })
  stageId: string;

  @Column({ type: 'uuid', nullable: true })
  orderId: string | null;

  @Field({ description: 'What is being sold, in a few words, e.g. "Espresso machines for the new office".' })
  @Column({ type: 'text' })
  name: string;

  /** numeric(19,4) in `currency`, as Postgres returns it (a string). */
  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'amount' })
  amountValue: string;

  @Field(() => CurrencyResolver, { description: 'ISO 4217 currency of the amount: always the pipeline’s currency.' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @Field(() => Money, { description: 'What the deal is worth if won.' })
  get amount(): Money {
    return Money.of(this.amountValue, this.currency);
  }

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  productIds: string[];

  @Field(() => DateResolver, { nullable: true, description: 'When the deal is expected to close; groups the forecast in `pipelineSummary`.' })
  @Column({ type: 'date', nullable: true })
  expectedCloseDate: string | null;

  @Field(() => String, { nullable: true, description: 'Where the opportunity came from, e.g. "Trade fair", "Referral", "Inbound call".' })
  @Column({ type: 'text', nullable: true })
  source: string | null;

  @Field(() => OpportunityStatus, { description: 'OPEN while it is worked; WON or LOST once closed.' })
  @Column({ type: 'text' })
  status: OpportunityStatus;

  @Field(() => String, { nullable: true, description: 'Why it was lost; set exactly when the status is LOST.' })
  @Column({ type: 'text', nullable: true })
  lostReason: string | null;

  @Field(() => String, { nullable: true, description: 'The next thing to do to move it on. Withheld (null) from callers who see personal data masked: it often names people.' })
  @Pii('freeText')
  @Column({ type: 'text', nullable: true })
  nextStep: string | null;

  @Field({ description: 'When the opportunity was opened (the start of its sales cycle).' })
  @Column({ type: 'timestamptz' })
  openedAt: Date;

  @Field({ description: 'When it entered its current stage (or its last stage, once closed).' })
  @Column({ type: 'timestamptz' })
  stageEnteredAt: Date;

  @Field({ description: 'When it was last changed by anyone: what rotting is measured from.' })
  @Column({ type: 'timestamptz' })
  lastActivityAt: Date;

  @Field(() => Date, { nullable: true, description: 'When it was won or lost; null while open.' })
  @Column({ type: 'timestamptz', nullable: true })
  closedAt: Date | null;
}
