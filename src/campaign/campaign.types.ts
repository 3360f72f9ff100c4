import { ArgsType, Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ConnectionType, OrderByType, PageArgs, SortDirection } from '../common/connection.types';
import { UserError } from '../common/errors';
import { DateTimeFilter, EnumFilter, IDFilter, StringFilter } from '../common/filter.types';
import { MAX_AMOUNT_LABEL } from '../common/money';
import { Money } from '../common/money.types';
import { DecimalScalar } from '../common/scalars';
import { ConsentChannel } from '../customer/customer.entity';
import { CustomerFilter } from '../customer/customer.types';
import { Campaign, CampaignExclusionReason, CampaignMember, CampaignMemberStatus, CampaignStatus } from './campaign.entity';

export const CampaignConnection = ConnectionType(Campaign, 'Campaign', 'campaign');
export const CampaignMemberConnection = ConnectionType(CampaignMember, 'CampaignMember', 'campaign member');

/** The largest control group: half the eligible audience, beyond which the campaign itself is the exception. */
export const MAX_CONTROL_GROUP_SHARE = 0.5;
export const MAX_ATTRIBUTION_WINDOW_DAYS = 365;
export const MAX_FREQUENCY_CAP_DAYS = 365;

export enum CampaignSortField {
  CREATED_AT = 'CREATED_AT',
  SCHEDULED_AT = 'SCHEDULED_AT',
  NAME = 'NAME',
  RESPONSE_RATE = 'RESPONSE_RATE',
  ROI = 'ROI',
  CONVERSION_RATE = 'CONVERSION_RATE',
  REACH = 'REACH',
  ATTRIBUTED_REVENUE = 'ATTRIBUTED_REVENUE',
  ATTRIBUTED_MARGIN = 'ATTRIBUTED_MARGIN',
  COST_PER_RESPONSE = 'COST_PER_RESPONSE',
  LIFT = 'LIFT',
}
registerEnumType(CampaignSortField, {
  name: 'CampaignSortField',
  description: 'Fields campaigns can be sorted by.',
  valuesConfig: {
    CREATED_AT: { description: 'When the campaign was created.' },
    SCHEDULED_AT: { description: 'When it is planned to go out; unscheduled ones count as the latest.' },
    NAME: { description: 'Name.' },
    RESPONSE_RATE: { description: 'Response rate (as `campaignStats`, over all members); campaigns nothing was sent for come last in either direction.' },
    ROI: { description: 'Return on investment (as `campaignStats`, over all members); campaigns without a cost come last in either direction.' },
    CONVERSION_RATE: { description: 'Conversion rate (as `campaignStats`, over all members); campaigns nothing was sent for come last in either direction.' },
    REACH: { description: 'Members reported sent (as `campaignStats.sent`, over all members).' },
    ATTRIBUTED_REVENUE: { description: 'Attributed revenue in the base currency (as `campaignStats`, over all members).' },
    ATTRIBUTED_MARGIN: { description: 'Attributed margin in the base currency (as `campaignStats`, over all members).' },
    COST_PER_RESPONSE: { description: 'Cost per response (as `campaignStats`, over all members); campaigns without responses come last in either direction.' },
    LIFT: { description: 'Lift of the conversion rate over the control group (as `campaignStats`, over all members); campaigns without a send or a control group come last in either direction.' },
  },
});
export const CampaignOrderBy = OrderByType(CampaignSortField, 'Campaign', CampaignSortField.CREATED_AT, SortDirection.DESC);

const CampaignStatusFilter = EnumFilter(CampaignStatus, 'CampaignStatus');
const CampaignChannelFilter = EnumFilter(ConsentChannel, 'ConsentChannel');
const CampaignMemberStatusFilter = EnumFilter(CampaignMemberStatus, 'CampaignMemberStatus');
const CampaignExclusionReasonFilter = EnumFilter(CampaignExclusionReason, 'CampaignExclusionReason');

@InputType({ description: 'Conditions on campaigns. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class CampaignFilter {
  @Field(() => CampaignStatusFilter, { nullable: true, description: 'Status.' })
  status?: object;
  @Field(() => CampaignChannelFilter, { nullable: true, description: 'Channel.' })
  channel?: object;
  @Field(() => StringFilter, { nullable: true, description: 'Name.' })
  name?: StringFilter;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it is planned to go out.' })
  scheduledAt?: object;
  @Field(() => DateTimeFilter, { nullable: true, description: 'When it was created.' })
  createdAt?: object;
  @Field(() => [CampaignFilter], { nullable: true, description: 'All of these conditions.' })
  and?: CampaignFilter[];
  @Field(() => [CampaignFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: CampaignFilter[];
  @Field(() => CampaignFilter, { nullable: true, description: 'Not this condition.' })
  not?: CampaignFilter;
}

@ArgsType()
export class CampaignsArgs extends PageArgs {
  @Field(() => CampaignFilter, { nullable: true, description: 'Only campaigns matching these conditions.' })
  filter?: CampaignFilter | null;
  @Field(() => CampaignOrderBy, { nullable: true, description: 'Sort order (default: newest first).' })
  orderBy?: { field: CampaignSortField; direction: SortDirection } | null;
  @Field({ defaultValue: false, description: 'Include deleted drafts.' })
  includeDeleted: boolean;
}

@InputType({ description: 'Conditions on a campaign’s members. Fields are ANDed; use `and`, `or`, `not` to combine.' })
export class CampaignMemberFilter {
  @Field(() => CampaignMemberStatusFilter, { nullable: true, description: 'Status, e.g. { eq: TARGETED } for the send list.' })
  status?: object;
  @Field(() => CampaignExclusionReasonFilter, { nullable: true, description: 'Why they were excluded.' })
  excludedReason?: object;
  @Field(() => IDFilter, { nullable: true, description: 'The customer (Customer ID).' })
  customer?: IDFilter;
  @Field(() => [CampaignMemberFilter], { nullable: true, description: 'All of these conditions.' })
  and?: CampaignMemberFilter[];
  @Field(() => [CampaignMemberFilter], { nullable: true, description: 'Any of these conditions.' })
  or?: CampaignMemberFilter[];
  @Field(() => CampaignMemberFilter, { nullable: true, description: 'Not this condition.' })
  not?: CampaignMemberFilter;
}

@ArgsType()
export class CampaignMembersArgs extends PageArgs {
  @Field(() => CampaignMemberFilter, { nullable: true, description: 'Only members matching these conditions.' })
  filter?: CampaignMemberFilter | null;
}

@ArgsType()
export class CampaignMembersCsvArgs {
  @Field(() => ID, { description: 'The campaign.' })
  id: string;
  @Field(() => [CampaignMemberStatus], { nullable: true, description: 'Only members in these statuses (default: TARGETED, the send list).' })
  statuses?: CampaignMemberStatus[] | null;
}

// -- inputs ------------------------------------------------------------------------------------------------------------

@InputType({ description: 'Fields shared by createCampaign and updateCampaign.' })
export class CampaignFields {
  @Field(() => String, { nullable: true, description: 'What it is for.' })
  goal?: string | null;
  @Field(() => String, { nullable: true, description: 'The content or offer (at most 10,000 characters).' })
  content?: string | null;
  @Field(() => Date, { nullable: true, description: 'When it is planned to go out (from 1900-01-01).' })
  scheduledAt?: Date | null;
  @Field(() => DecimalScalar, { nullable: true, description: `Budget in the base currency: not negative, at most ${MAX_AMOUNT_LABEL}.` })
  budget?: string | null;
  @Field(() => DecimalScalar, { nullable: true, description: `Cost so far in the base currency: not negative, at most ${MAX_AMOUNT_LABEL}. Can be updated after the launch, as invoices come in.` })
  cost?: string | null;
  @Field(() => Float, { nullable: true, description: `Share of the eligible audience held out as a control group, from 0 to ${MAX_CONTROL_GROUP_SHARE}, at most 4 decimals (default 0).` })
  controlGroupShare?: number | null;
  @Field(() => Int, { nullable: true, description: `Days after sending in which a member’s purchases are attributed to the campaign, 1 to ${MAX_ATTRIBUTION_WINDOW_DAYS} (default 30).` })
  attributionWindowDays?: number | null;
  @Field(() => Int, { nullable: true, description: `Leave out customers contacted on the channel within this many days before the launch, 0 (no cap) to ${MAX_FREQUENCY_CAP_DAYS} (default 0).` })
  frequencyCapDays?: number | null;
}

@InputType({ description: 'A new campaign. It starts as a DRAFT.' })
export class CreateCampaignInput extends CampaignFields {
  @Field({ description: 'Name.' })
  name: string;
  @Field(() => ConsentChannel, { description: 'The channel it goes out on.' })
  channel: ConsentChannel;
  @Field(() => CustomerFilter, { description: 'The audience, as `customers(filter:)` takes it; `{}` is every customer. Checked now and applied at launch.' })
  audience: CustomerFilter;
}

@InputType({ description: 'Changes to a campaign. Omitted fields stay; null clears an optional one. Channel, audience, control group and frequency cap change only before the launch.' })
export class UpdateCampaignInput extends CampaignFields {
  @Field(() => ID, { description: 'The campaign.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
  @Field(() => String, { nullable: true, description: 'Name; cannot be cleared.' })
  name?: string | null;
  @Field(() => ConsentChannel, { nullable: true, description: 'Channel (before the launch).' })
  channel?: ConsentChannel | null;
  @Field(() => CustomerFilter, { nullable: true, description: 'Audience (before the launch).' })
  audience?: CustomerFilter | null;
}

@InputType({ description: 'Moves a campaign to another status: DRAFT ⇄ SCHEDULED, RUNNING → DONE, and anything but DONE → CANCELLED. Launching is launchCampaign.' })
export class SetCampaignStatusInput {
  @Field(() => ID, { description: 'The campaign.' })
  id: string;
  @Field(() => CampaignStatus, { description: 'The new status.' })
  status: CampaignStatus;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'Identifies a campaign to launch or delete.' })
export class CampaignIdInput {
  @Field(() => ID, { description: 'The campaign.' })
  id: string;
  @Field(() => Int, { nullable: true, description: 'The version you read; CONFLICT when it changed since.' })
  expectedVersion?: number | null;
}

@InputType({ description: 'The sending system reports the send list sent.' })
export class MarkCampaignSentInput {
  @Field(() => ID, { description: 'The campaign; it must be RUNNING.' })
  id: string;
  @Field(() => Date, { nullable: true, description: 'When it was sent (default now); not before the launch, not in the future.' })
  sentAt?: Date | null;
}

export enum CampaignResponseKind {
  RESPONDED = 'RESPONDED',
  CONVERTED = 'CONVERTED',
  OPTED_OUT = 'OPTED_OUT',
}
registerEnumType(CampaignResponseKind, {
  name: 'CampaignResponseKind',
  description: 'What came back from a member.',
  valuesConfig: {
    RESPONDED: { description: 'They answered: clicked, called back, replied, returned a coupon.' },
    CONVERTED: { description: 'They bought because of it.' },
    OPTED_OUT: { description: 'They asked not to be contacted on the channel again: their consent on it is withdrawn.' },
  },
});

@InputType({ description: 'A response of one member, named by `memberId` or by `campaignId` and `customerId`.' })
export class RecordCampaignResponseInput {
  @Field(() => ID, { nullable: true, description: 'The member (CampaignMember ID).' })
  memberId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The campaign, with `customerId`, instead of `memberId`.' })
  campaignId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The customer, with `campaignId`, instead of `memberId`.' })
  customerId?: string | null;
  @Field(() => CampaignResponseKind, { description: 'RESPONDED, CONVERTED or OPTED_OUT.' })
  kind: CampaignResponseKind;
  @Field(() => Date, { nullable: true, description: 'When (default now); not before the member was sent the campaign, not in the future.' })
  at?: Date | null;
}

export enum CampaignHandoverKind {
  TASK = 'TASK',
  OPPORTUNITY = 'OPPORTUNITY',
}
registerEnumType(CampaignHandoverKind, {
  name: 'CampaignHandoverKind',
  description: 'How responders are handed to sales.',
  valuesConfig: {
    TASK: { description: 'A CALL task for the customer’s owner.' },
    OPPORTUNITY: { description: 'An open opportunity in the default pipeline’s first stage, owned by the customer’s owner (or, for a customer nobody owns, the one the assignment rules choose), its source naming the campaign.' },
  },
});

@InputType({ description: 'Hands a campaign’s responders to sales.' })
export class HandResponderToSalesInput {
  @Field(() => ID, { description: 'The campaign.' })
  campaignId: string;
  @Field(() => CampaignHandoverKind, { defaultValue: CampaignHandoverKind.TASK, description: 'What to create for each responder: a TASK or an OPPORTUNITY.' })
  kind: CampaignHandoverKind;
  @Field(() => Date, { nullable: true, description: 'When the tasks are due (default: a day from now); at most a year in the past, 5 years ahead. Tasks only.' })
  dueAt?: Date | null;
}

@InputType({ description: 'Hands one campaign responder to sales.' })
export class HandCampaignMemberToSalesInput {
  @Field(() => ID, { description: 'The member (a RESPONDED or CONVERTED one).' })
  memberId: string;
  @Field(() => CampaignHandoverKind, { defaultValue: CampaignHandoverKind.OPPORTUNITY, description: 'What to create: an OPPORTUNITY or a TASK.' })
  kind: CampaignHandoverKind;
  @Field(() => Date, { nullable: true, description: 'When the task is due (default: a day from now); at most a year in the past, 5 years ahead. Tasks only.' })
  dueAt?: Date | null;
}

// -- payloads ---------------------------------------------------------------------------------------------------------

@ObjectType({ description: 'Result of a campaign mutation.' })
export class CampaignPayload {
  @Field(() => Campaign, { nullable: true, description: 'The campaign as stored after the change; null when nothing was written.' })
  campaign: Campaign | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'How many members were excluded for one reason.' })
export class CampaignExclusionCount {
  @Field(() => CampaignExclusionReason, { description: 'The reason.' })
  reason: CampaignExclusionReason;
  @Field(() => Int, { description: 'Members excluded for it.' })
  count: number;
}

@ObjectType({ description: 'Result of launchCampaign.' })
export class LaunchCampaignPayload extends CampaignPayload {
  @Field(() => Int, { description: 'Members targeted (on the send list).' })
  targeted: number;
  @Field(() => [CampaignExclusionCount], { description: 'Members excluded, by reason (every reason, zeros included).' })
  excluded: CampaignExclusionCount[];
}

@ObjectType({ description: 'Result of markCampaignSent.' })
export class MarkCampaignSentPayload extends CampaignPayload {
  @Field(() => Int, { description: 'Members marked SENT by this call.' })
  sent: number;
}

@ObjectType({ description: 'Result of recordCampaignResponse.' })
export class CampaignResponsePayload {
  @Field(() => CampaignMember, { nullable: true, description: 'The member after the change; null when nothing was written.' })
  member: CampaignMember | null;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

@ObjectType({ description: 'Result of handResponderToSales.' })
export class HandResponderToSalesPayload extends CampaignPayload {
  @Field(() => Int, { description: 'Tasks scheduled, one per responder who had none yet (kind TASK).' })
  tasks: number;
  @Field(() => Int, { description: 'Opportunities opened, one per responder who had none yet (kind OPPORTUNITY).' })
  opportunities: number;
  @Field(() => Int, { description: 'Responders left out because their customer has no owner (for opportunities: neither an owner nor a matching assignment rule).' })
  skippedWithoutOwner: number;
}

@ObjectType({ description: 'Result of handCampaignMemberToSales: the member with the task or opportunity made for them (the one made earlier, when there is one).' })
export class HandCampaignMemberToSalesPayload {
  @Field(() => CampaignMember, { nullable: true, description: 'The member, linked to what was made; null when nothing was done.' })
  member: CampaignMember | null;
  @Field(() => Boolean, { description: 'Whether this call made it; false when the member had been handed over before.' })
  created: boolean;
  @Field(() => [UserError], { description: 'Problems with the input; empty on success.' })
  userErrors: UserError[];
}

// -- figures ----------------------------------------------------------------------------------------------------------

@ObjectType({
  description:
    'A campaign’s results. Conversions and attributed revenue and margin are computed when read: a sent member (SENT, RESPONDED or CONVERTED) who placed an order that counts as a purchase within `attributionWindowDays` after being sent counts as converted, with those orders’ totals and margins (in the base currency). A sales rep’s figures cover the members of their book.',
})
export class CampaignStats {
  @Field(() => Campaign, { description: 'The campaign.' })
  campaign: Campaign;
  @Field(() => Int, { description: 'Members targeted (every member not excluded).' })
  targeted: number;
  @Field(() => [CampaignExclusionCount], { description: 'Members excluded, by reason (every reason, zeros included); empty when the launch was refused.' })
  excluded: CampaignExclusionCount[];
  @Field(() => Int, { description: 'Members reported sent: the reach.' })
  sent: number;
  @Field(() => Int, { description: 'Sent members who responded: a response or conversion recorded (even if they opted out later), or an attributed purchase.' })
  responses: number;
  @Field(() => Float, { nullable: true, description: 'responses / sent; null when nothing was sent.' })
  responseRate: number | null;
  @Field(() => Int, { description: 'Sent members who converted: a conversion recorded (even if they opted out later), or an attributed purchase.' })
  conversions: number;
  @Field(() => Float, { nullable: true, description: 'conversions / sent; null when nothing was sent.' })
  conversionRate: number | null;
  @Field(() => Int, { description: 'Members who opted out.' })
  optedOut: number;
  @Field(() => Money, { description: 'Totals of the attributed orders, exactly.' })
  attributedRevenue: Money;
  @Field(() => Money, { description: 'Margins of the attributed orders, exactly.' })
  attributedMargin: Money;
  @Field(() => Money, { description: 'The campaign’s cost.' })
  cost: Money;
  @Field(() => Money, { nullable: true, description: 'cost / responses, rounded to the minor unit; null without responses.' })
  costPerResponse: Money | null;
  @Field(() => Float, { nullable: true, description: '(attributed margin − cost) / cost, to 6 decimals; null while the cost is 0.' })
  roi: number | null;
  @Field(() => Int, { description: 'Members held out as the control group.' })
  controlGroup: number;
  @Field(() => Int, { description: 'Control-group members who bought within the attribution window from the campaign’s first send.' })
  controlConversions: number;
  @Field(() => Float, { nullable: true, description: 'controlConversions / controlGroup; null without a control group or before the first send.' })
  controlConversionRate: number | null;
  @Field(() => Float, { nullable: true, description: 'Lift: conversionRate − controlConversionRate (in shares, 0.05 = five points); null when either is null.' })
  lift: number | null;
  @Field(() => Float, { nullable: true, description: 'Relative lift: lift / controlConversionRate; null when that is 0 or null.' })
  relativeLift: number | null;
  @Field(() => Int, { description: 'Opportunities its responders were handed to sales as (not deleted).' })
  opportunities: number;
  @Field(() => Int, { description: 'Of those, the ones won.' })
  opportunitiesWon: number;
}
