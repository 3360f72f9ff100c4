import { CurrencyResolver, GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { ArchivableRecord, Node } from '../common/base.entity';
import { toGlobalId } from '../common/ids';
import { Money } from '../common/money.types';
import { ConsentChannel } from '../customer/customer.entity';

export enum CampaignStatus {
  DRAFT = 'DRAFT',
  SCHEDULED = 'SCHEDULED',
  RUNNING = 'RUNNING',
  DONE = 'DONE',
  CANCELLED = 'CANCELLED',
}
registerEnumType(CampaignStatus, {
  name: 'CampaignStatus',
  description: 'Where a campaign stands. DRAFT → SCHEDULED → RUNNING (launchCampaign) → DONE; CANCELLED from any but DONE.',
  valuesConfig: {
    DRAFT: { description: 'Being prepared: everything can change; the only status a campaign can be deleted in.' },
    SCHEDULED: { description: 'Planned for `scheduledAt`, when the job worker launches it as launchCampaign would; still editable until then, back to DRAFT with setCampaignStatus.' },
    RUNNING: { description: 'Launched: its members are fixed; sends and responses are being reported back.' },
    DONE: { description: 'Over; responses and attributed orders still count.' },
    CANCELLED: { description: 'Called off; nothing changes any more.' },
  },
});

/** The status changes setCampaignStatus allows (RUNNING is reached through launchCampaign only). */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, CampaignStatus[]> = {
  DRAFT: [CampaignStatus.SCHEDULED, CampaignStatus.CANCELLED],
  SCHEDULED: [CampaignStatus.DRAFT, CampaignStatus.CANCELLED],
  RUNNING: [CampaignStatus.DONE, CampaignStatus.CANCELLED],
  DONE: [],
  CANCELLED: [],
};

export enum CampaignMemberStatus {
  TARGETED = 'TARGETED',
  SENT = 'SENT',
  RESPONDED = 'RESPONDED',
  CONVERTED = 'CONVERTED',
  OPTED_OUT = 'OPTED_OUT',
  EXCLUDED = 'EXCLUDED',
}
registerEnumType(CampaignMemberStatus, {
  name: 'CampaignMemberStatus',
  description: 'Where a campaign member stands.',
  valuesConfig: {
    TARGETED: { description: 'On the send list; not reported sent yet.' },
    SENT: { description: 'The sending system reported it sent (`markCampaignSent`).' },
    RESPONDED: { description: 'Responded (`recordCampaignResponse`).' },
    CONVERTED: { description: 'Bought because of it, as recorded; purchases in the attribution window also count as conversions in the figures without changing the status.' },
    OPTED_OUT: { description: 'Asked not to be contacted on the channel again: their consent on it was withdrawn.' },
    EXCLUDED: { description: 'Matched the audience but left out, for `excludedReason`.' },
  },
});

export enum CampaignExclusionReason {
  NO_CONSENT = 'NO_CONSENT',
  DELETED = 'DELETED',
  ERASED = 'ERASED',
  FREQUENCY_CAP = 'FREQUENCY_CAP',
  CONTROL_GROUP = 'CONTROL_GROUP',
}
registerEnumType(CampaignExclusionReason, {
  name: 'CampaignExclusionReason',
  description: 'Why a customer the audience matched was left out at launch (the first that applies, in this order: ERASED, DELETED, NO_CONSENT, FREQUENCY_CAP, CONTROL_GROUP).',
  valuesConfig: {
    NO_CONSENT: { description: 'No marketing consent on the campaign’s channel.' },
    DELETED: { description: 'The customer is deleted.' },
    ERASED: { description: 'The customer’s personal data was erased.' },
    FREQUENCY_CAP: { description: 'Contacted on the channel within `frequencyCapDays` before the launch (an OUTBOUND touchpoint, or another campaign’s send).' },
    CONTROL_GROUP: { description: 'Held out at random (`controlGroupShare`) so that the campaign’s lift can be measured.' },
  },
});

@ObjectType({ implements: Node, description: 'A marketing campaign on one consented channel: an audience, an offer, a schedule, and the members its launch produced. Rapport sends nothing itself: the member list is for your sending system.' })
@Entity('campaigns')
export class Campaign extends ArchivableRecord {
  protected get nodeType() {
    return 'Campaign';
  }

  @Field({ description: 'Name, e.g. "Spring espresso offer".' })
  @Column({ type: 'text' })
  name: string;

  @Field(() => String, { nullable: true, description: 'What it is for, e.g. "Win back lapsed espresso buyers".' })
  @Column({ type: 'text', nullable: true })
  goal: string | null;

  @Field(() => ConsentChannel, { description: 'The channel it goes out on; only customers who consented to it are targeted.' })
  @Column({ type: 'text' })
  channel: ConsentChannel;

  @Field(() => GraphQLJSONObject, { description: 'The audience: the CustomerFilter it was saved with, as given (the `customers(filter:)` input, derived fields included).' })
  @Column({ type: 'jsonb' })
  audience: object;

  @Field(() => String, { nullable: true, description: 'The content or offer, e.g. the message text or the voucher terms.' })
  @Column({ type: 'text', nullable: true })
  content: string | null;

  @Field(() => Date, { nullable: true, description: 'When it is planned to go out: a SCHEDULED campaign is launched by the job worker within a minute of it.' })
  @Column({ type: 'timestamptz', nullable: true })
  scheduledAt: Date | null;

  @Field(() => CampaignStatus, { description: 'DRAFT, SCHEDULED, RUNNING, DONE or CANCELLED.' })
  @Column({ type: 'text' })
  status: CampaignStatus;

  @Field(() => CurrencyResolver, { description: 'Currency of the budget, cost and attributed figures: the base currency.' })
  @Column({ type: 'char', length: 3 })
  currency: string;

  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'budget', nullable: true })
  budgetValue: string | null;

  @Column({ type: 'numeric', precision: 19, scale: 4, name: 'cost' })
  costValue: string;

  @Field(() => Money, { nullable: true, description: 'What may be spent on it.' })
  get budget(): Money | null {
    return this.budgetValue === null ? null : Money.of(this.budgetValue, this.currency);
  }

  @Field(() => Money, { description: 'What it cost (production, postage, sending fees): ROI and cost per response are computed from it.' })
  get cost(): Money {
    return Money.of(this.costValue, this.currency);
  }

  @Column({ type: 'numeric', precision: 5, scale: 4, name: 'control_group_share' })
  controlGroupShareValue: string;

  @Field(() => Float, { description: 'Share of the eligible audience held out at random as a control group (0 to 0.5).' })
  get controlGroupShare(): number {
    return Number(this.controlGroupShareValue);
  }

  @Field(() => Int, { description: 'Days after a member was sent the campaign in which their purchases count as conversions attributed to it.' })
  @Column({ type: 'int' })
  attributionWindowDays: number;

  @Field(() => Int, { description: 'Customers contacted on the channel within this many days before the launch are excluded (FREQUENCY_CAP); 0: no cap.' })
  @Column({ type: 'int' })
  frequencyCapDays: number;

  @Field(() => Date, { nullable: true, description: 'When it was launched (its members materialised).' })
  @Column({ type: 'timestamptz', nullable: true })
  launchedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it was marked DONE or CANCELLED.' })
  @Column({ type: 'timestamptz', nullable: true })
  endedAt: Date | null;
}

@ObjectType({ implements: Node, description: 'A customer on a campaign’s list: targeted, or excluded with the reason, and what happened since.' })
@Entity('campaign_members')
export class CampaignMember {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  get globalId(): string {
    return toGlobalId('CampaignMember', this.id);
  }

  @Column({ type: 'uuid' })
  campaignId: string;

  @Column({ type: 'uuid' })
  customerId: string;

  @Field(() => CampaignMemberStatus, { description: 'Where the member stands.' })
  @Column({ type: 'text' })
  status: CampaignMemberStatus;

  @Field(() => CampaignExclusionReason, { nullable: true, description: 'Why they were left out; set exactly when the status is EXCLUDED.' })
  @Column({ type: 'text', nullable: true })
  excludedReason: CampaignExclusionReason | null;

  @Field({ description: 'When the launch put them on the list.' })
  @Column({ type: 'timestamptz' })
  targetedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When the sending system reported it sent to them.' })
  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When they responded, as recorded.' })
  @Column({ type: 'timestamptz', nullable: true })
  respondedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When they converted, as recorded.' })
  @Column({ type: 'timestamptz', nullable: true })
  convertedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When they opted out.' })
  @Column({ type: 'timestamptz', nullable: true })
  optedOutAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  taskId: string | null;

  @Column({ type: 'uuid', nullable: true })
  opportunityId: string | null;

  @Field({ description: 'When the record was created.' })
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Field({ description: 'When the record was last changed.' })
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
