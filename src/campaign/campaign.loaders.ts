import { SortDirection } from '../common/connection.types';
import type { ListSpec } from '../common/list-query';
import { PURCHASE_STATUSES } from '../order/order.entity';
import { Campaign, CampaignMember } from './campaign.entity';
import { CampaignFilter, CampaignMemberFilter, CampaignSortField } from './campaign.types';

const PURCHASES = PURCHASE_STATUSES.map((s) => `'${s}'`).join(',');

/**
 * The orders attributed to member `m` of campaign `c` (SQL aliases): purchases placed from the moment the member was
 * sent the campaign until the attribution window closes, while the member is SENT, RESPONDED or CONVERTED. Read-time
 * attribution, so that recording or cancelling an order never has to know about campaigns.
 */
export const attributedOrders = (m: string, c: string, o = 'o') =>
  `${o}.customer_id = ${m}.customer_id AND ${o}.deleted_at IS NULL AND ${o}.status IN (${PURCHASES})
   AND ${m}.status IN ('SENT','RESPONDED','CONVERTED')
   AND ${o}.placed_at >= ${m}.sent_at AND ${o}.placed_at < ${m}.sent_at + ${c}.attribution_window_days * interval '1 day'`;

/** Purchases of customer `m` in [start, start + the window): what a control-group member's "conversion" is. */
export const purchasesInWindow = (m: string, c: string, start: string, o = 'o') =>
  `${o}.customer_id = ${m}.customer_id AND ${o}.deleted_at IS NULL AND ${o}.status IN (${PURCHASES})
   AND ${o}.placed_at >= ${start} AND ${o}.placed_at < ${start} + ${c}.attribution_window_days * interval '1 day'`;

/** Whether member `m` responded: recorded (even if they opted out since), or an attributed purchase. */
const responded = (m: string, c: string) =>
  `(${m}.responded_at IS NOT NULL OR ${m}.converted_at IS NOT NULL OR EXISTS (SELECT 1 FROM orders o WHERE ${attributedOrders(m, c)}))`;

/** A campaign's response rate over all its members (the sort; campaignStats scopes it to the caller's book). */
const RESPONSE_RATE =
  `(SELECT round(count(*) FILTER (WHERE ${responded('rm', '{a}')})::numeric / nullif(count(*) FILTER (WHERE rm.sent_at IS NOT NULL), 0), 6)` +
  ` FROM campaign_members rm WHERE rm.campaign_id = {a}.id)`;

/** A campaign's conversion rate over all its members: conversions recorded or attributed per member sent. */
const CONVERSION_RATE =
  `(SELECT round(count(*) FILTER (WHERE rm.sent_at IS NOT NULL AND (rm.converted_at IS NOT NULL OR EXISTS (SELECT 1 FROM orders o WHERE ${attributedOrders('rm', '{a}')})))::numeric` +
  ` / nullif(count(*) FILTER (WHERE rm.sent_at IS NOT NULL), 0), 6) FROM campaign_members rm WHERE rm.campaign_id = {a}.id)`;

/** A campaign's reach: members reported sent. */
const REACH = `(SELECT count(*)::int FROM campaign_members rm WHERE rm.campaign_id = {a}.id AND rm.sent_at IS NOT NULL)`;

/** A campaign's attributed revenue over all its members (base currency, exact). */
const ATTRIBUTED_REVENUE =
  `(SELECT coalesce(sum(o.total_base), 0) FROM campaign_members rm JOIN orders o ON ${attributedOrders('rm', '{a}')} WHERE rm.campaign_id = {a}.id)`;

/** A campaign's ROI over all its members: (attributed margin − cost) / cost. */
const ROI =
  `(SELECT round((coalesce(sum(o.margin_base), 0) - {a}.cost) / nullif({a}.cost, 0), 6)` +
  ` FROM campaign_members rm JOIN orders o ON ${attributedOrders('rm', '{a}')} WHERE rm.campaign_id = {a}.id)`;

/** A campaign's attributed margin over all its members (base currency, exact). */
const ATTRIBUTED_MARGIN =
  `(SELECT coalesce(sum(o.margin_base), 0) FROM campaign_members rm JOIN orders o ON ${attributedOrders('rm', '{a}')} WHERE rm.campaign_id = {a}.id)`;

/** A campaign's cost per response over all its members: cost / responses from members sent; null without responses. */
const COST_PER_RESPONSE =
  `(SELECT round({a}.cost / nullif(count(*) FILTER (WHERE rm.sent_at IS NOT NULL AND ${responded('rm', '{a}')}), 0), 6)` +
  ` FROM campaign_members rm WHERE rm.campaign_id = {a}.id)`;

/**
 * A campaign's lift over all its members: conversion rate minus the control group's purchase rate in the window from
 * the first send; null before a send or without a control group.
 */
const LIFT =
  `(SELECT round(count(*) FILTER (WHERE rm.sent_at IS NOT NULL AND (rm.converted_at IS NOT NULL OR EXISTS (SELECT 1 FROM orders o WHERE ${attributedOrders('rm', '{a}')})))::numeric` +
  ` / nullif(count(*) FILTER (WHERE rm.sent_at IS NOT NULL), 0)` +
  ` - count(*) FILTER (WHERE rm.excluded_reason = 'CONTROL_GROUP' AND EXISTS (SELECT 1 FROM orders o WHERE ${purchasesInWindow('rm', '{a}', 'fs.at')}))::numeric` +
  ` / nullif(count(*) FILTER (WHERE rm.excluded_reason = 'CONTROL_GROUP'), 0), 6)` +
  ` FROM campaign_members rm CROSS JOIN (SELECT min(x.sent_at) AS at FROM campaign_members x WHERE x.campaign_id = {a}.id) fs WHERE rm.campaign_id = {a}.id)`;

export const campaignList: ListSpec<Campaign, CampaignFilter, CampaignSortField> = {
  entity: Campaign,
  what: 'campaign',
  filters: {
    status: { sql: '{a}.status', kind: 'enum' },
    channel: { sql: '{a}.channel', kind: 'enum' },
    name: { sql: '{a}.name', kind: 'text' },
    scheduledAt: { sql: '{a}.scheduled_at', kind: 'timestamp' },
    createdAt: { sql: '{a}.created_at', kind: 'timestamp' },
  },
  sorts: {
    [CampaignSortField.CREATED_AT]: { sql: '{a}.created_at', pgType: 'timestamptz' },
    [CampaignSortField.SCHEDULED_AT]: { sql: '{a}.scheduled_at', pgType: 'timestamptz' },
    [CampaignSortField.NAME]: { sql: '{a}.name', pgType: 'text' },
    // The figures that need something to divide by sort campaigns without them last, in both directions.
    [CampaignSortField.RESPONSE_RATE]: { sql: RESPONSE_RATE, pgType: 'numeric', nullsLast: true },
    [CampaignSortField.ROI]: { sql: ROI, pgType: 'numeric', nullsLast: true },
    [CampaignSortField.CONVERSION_RATE]: { sql: CONVERSION_RATE, pgType: 'numeric', nullsLast: true },
    [CampaignSortField.REACH]: { sql: REACH, pgType: 'int' },
    [CampaignSortField.ATTRIBUTED_REVENUE]: { sql: ATTRIBUTED_REVENUE, pgType: 'numeric' },
    [CampaignSortField.ATTRIBUTED_MARGIN]: { sql: ATTRIBUTED_MARGIN, pgType: 'numeric' },
    [CampaignSortField.COST_PER_RESPONSE]: { sql: COST_PER_RESPONSE, pgType: 'numeric', nullsLast: true },
    [CampaignSortField.LIFT]: { sql: LIFT, pgType: 'numeric', nullsLast: true },
  },
  defaultSort: { field: CampaignSortField.CREATED_AT, direction: SortDirection.DESC },
  search: '{a}.name ILIKE :search',
};

/** A campaign's members, in the order the launch wrote them (`Campaign.members`). */
export const memberList: ListSpec<CampaignMember, CampaignMemberFilter, 'CREATED_AT'> = {
  entity: CampaignMember,
  what: 'campaign member',
  filters: {
    status: { sql: '{a}.status', kind: 'enum' },
    excludedReason: { sql: '{a}.excluded_reason', kind: 'enum' },
    customer: { sql: '{a}.customer_id', kind: 'id', idType: 'Customer' },
  },
  sorts: { CREATED_AT: { sql: '{a}.created_at', pgType: 'timestamptz' } },
  defaultSort: { field: 'CREATED_AT', direction: SortDirection.ASC },
};
