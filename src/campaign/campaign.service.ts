import { GraphQLError } from 'graphql';
import type { EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Connection } from '../common/connection.types';
import { badInput, UserErrorCode, UserErrors } from '../common/errors';
import { decodeIdOf, toGlobalId } from '../common/ids';
import { compileFilter, matchingSelect, Params, usesDerived, type ListArgs } from '../common/list-query';
import { divideToMinor, formatAmount, parseAmount } from '../common/money';
import { Money, moneyOfUnits } from '../common/money.types';
import { findInScope } from '../common/scoped';
import { defined, EARLIEST_INSTANT, nonNegativeAmount, optionalText, pastInstant, requiredText } from '../common/validate';
import { recordAudit } from '../core/audit';
import { maskValue } from '../core/masking';
import type { ServiceDeps } from '../core/request-scope';
import { ConsentChannel, Customer } from '../customer/customer.entity';
import { customerList } from '../customer/customer.loaders';
import { CustomFieldEntity } from '../customfield/custom-field.entity';
import { customFieldListArgs } from '../customfield/custom-field.lists';
import { AssignmentRule } from '../assignment/assignment-rule.entity';
import { firstMatchingRule, ownerForTurn, type CustomerFacts } from '../assignment/matching';
import { OWNER_ROLES } from '../core/access';
import { actorUserId } from '../core/actor';
import { Opportunity } from '../opportunity/opportunity.entity';
import { Pipeline } from '../opportunity/pipeline.entity';
import { pipelineCurrency } from '../opportunity/pipeline.service';
import { Task } from '../task/task.entity';
import { attributedOrders, campaignList, memberList, purchasesInWindow } from './campaign.loaders';
import { Campaign, CAMPAIGN_TRANSITIONS, CampaignExclusionReason, CampaignMember, CampaignMemberStatus, CampaignStatus } from './campaign.entity';
import {
  CampaignFields,
  CampaignPayload,
  CampaignResponseKind,
  CampaignResponsePayload,
  CampaignStats,
  CreateCampaignInput,
  CampaignHandoverKind,
  HandCampaignMemberToSalesInput,
  HandCampaignMemberToSalesPayload,
  HandResponderToSalesInput,
  HandResponderToSalesPayload,
  LaunchCampaignPayload,
  MarkCampaignSentInput,
  MarkCampaignSentPayload,
  MAX_ATTRIBUTION_WINDOW_DAYS,
  MAX_CONTROL_GROUP_SHARE,
  MAX_FREQUENCY_CAP_DAYS,
  RecordCampaignResponseInput,
  SetCampaignStatusInput,
  UpdateCampaignInput,
} from './campaign.types';

type Path = Array<string | number>;
const at = (f: string): Path => ['input', f];
const DAY = 86_400_000;
/** Clients' clocks drift a little from the server's. */
const CLOCK_SKEW_MS = 5 * 60_000;
const LATEST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');
/** A saved audience is a filter a person wrote: this much JSON is far more than one needs. */
const MAX_AUDIENCE_JSON = 20_000;

/** The customers' consent column and the touchpoint channel ("contacted on that channel") of each campaign channel. */
const CONSENT_COLUMN: Record<ConsentChannel, { granted: string; at: string; property: string }> = {
  EMAIL: { granted: 'consent_email_granted', at: 'consent_email_at', property: 'consentEmail' },
  SMS: { granted: 'consent_sms_granted', at: 'consent_sms_at', property: 'consentSms' },
  PHONE: { granted: 'consent_phone_granted', at: 'consent_phone_at', property: 'consentPhone' },
  MAIL: { granted: 'consent_mail_granted', at: 'consent_mail_at', property: 'consentMail' },
};
const TOUCHPOINT_CHANNEL: Record<ConsentChannel, string> = { EMAIL: 'EMAIL', SMS: 'SMS', PHONE: 'PHONE', MAIL: 'DIRECT_MAIL' };

const REASONS = Object.values(CampaignExclusionReason);
const exclusionCounts = (counts: Map<string, number>) => REASONS.map((reason) => ({ reason, count: counts.get(reason) ?? 0 }));

const payload = (campaign: Campaign | null, errors: UserErrors): CampaignPayload => ({ campaign: errors.any ? null : campaign, userErrors: errors.list });

/** Personal data in a saved audience (an email to match, a birthday) is masked like the fields it filters on. */
const PII_FILTERS: Record<string, 'email' | 'phone' | 'birthday'> = { email: 'email', phone: 'phone', birthday: 'birthday' };
export function maskAudience(filter: unknown): unknown {
  if (Array.isArray(filter)) return filter.map(maskAudience);
  if (!filter || typeof filter !== 'object') return filter;
  return Object.fromEntries(
    Object.entries(filter as Record<string, unknown>).map(([key, value]) => {
      const kind = PII_FILTERS[key];
      if (!kind || !value || typeof value !== 'object') return [key, maskAudience(value)];
      const ops = Object.entries(value as Record<string, unknown>).map(([op, v]) => [op, Array.isArray(v) ? v.map((x) => maskValue(kind, x)) : typeof v === 'boolean' ? v : maskValue(kind, v)]);
      return [key, Object.fromEntries(ops)];
    }),
  );
}

/** A CSV field: quoted when it must be, and text a spreadsheet would run as a formula defused (OWASP, "CSV Injection"). */
function csvField(value: unknown, { formula = true } = {}): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (formula && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Campaigns: an audience over a consented channel, materialised into members at launch in one set-based statement,
 * sends and responses reported back, and figures attributed at read time. Rapport sends nothing itself.
 */
/** The campaign an input names: by `id`, or by `campaignId` in inputs about something of the campaign's. */
type CampaignRef = { id: string } | { campaignId: string };

export class CampaignService {
  constructor(private readonly deps: ServiceDeps) {}

  async findOne(globalId: string): Promise<Campaign | null> {
    const id = decodeIdOf('Campaign', globalId);
    if (!id) throw badInput('`id` is not a valid Campaign ID.', { field: 'id' });
    const found = await this.deps.loaders.byId(Campaign).load(id);
    return found && !found.deletedAt ? found : null;
  }

  list(args: ListArgs): Promise<Connection<Campaign>> {
    return this.deps.loaders.list(campaignList, args);
  }

  members(campaignId: string, args: ListArgs): Promise<Connection<CampaignMember>> {
    return this.deps.loaders.pageByParent(memberList, 'campaign_id', args).load(campaignId);
  }

  audienceOf(campaign: Campaign): object {
    return this.deps.access.masksPii ? (maskAudience(campaign.audience) as object) : campaign.audience;
  }

  // -- writes -----------------------------------------------------------------------------------------------------------

  async create(input: CreateCampaignInput): Promise<CampaignPayload> {
    this.deps.access.require('campaigns:write');
    const errors = new UserErrors();
    const name = requiredText(errors, at('name'), input.name);
    const audience = await this.readableAudience(errors, this.validAudience(errors, input.audience ?? {}));
    const fields = this.validFields(errors, input, this.deps.config.baseCurrency);
    if (errors.any || !name || !audience) return payload(null, errors);
    return this.deps.db.transaction(async (m) => {
      const repo = m.getRepository(Campaign);
      const campaign = repo.create({
        controlGroupShareValue: '0',
        attributionWindowDays: 30,
        frequencyCapDays: 0,
        costValue: '0',
        ...fields,
        name,
        channel: input.channel,
        audience,
        status: CampaignStatus.DRAFT,
        currency: this.deps.config.baseCurrency,
      });
      await repo.insert(campaign);
      const created = await repo.findOneByOrFail({ id: campaign.id });
      await recordAudit(m, this.deps, { action: 'campaign.create', objectType: 'Campaign', objectId: created.id, after: created });
      return payload(created, errors);
    });
  }

  async update(input: UpdateCampaignInput): Promise<CampaignPayload> {
    const errors = new UserErrors();
    if (input.name === null) errors.add(at('name'), UserErrorCode.REQUIRED, 'Name cannot be cleared.');
    if (input.channel === null) errors.add(at('channel'), UserErrorCode.REQUIRED, 'Channel cannot be cleared.');
    if (input.audience === null) errors.add(at('audience'), UserErrorCode.REQUIRED, 'Audience cannot be cleared: pass {} for every customer.');
    const name = input.name == null ? undefined : requiredText(errors, at('name'), input.name);
    const audience = input.audience == null ? undefined : await this.readableAudience(errors, this.validAudience(errors, input.audience));
    return this.change(input, input.expectedVersion, errors, 'campaign.update', async (m, current) => {
      const fields = this.validFields(errors, input, current.currency);
      if (current.status === CampaignStatus.CANCELLED) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, 'The campaign is CANCELLED: it no longer changes.');
      const launched = current.status !== CampaignStatus.DRAFT && current.status !== CampaignStatus.SCHEDULED;
      if (launched) {
        for (const key of ['channel', 'audience', 'controlGroupShare', 'frequencyCapDays', 'scheduledAt'] as const) {
          if (input[key] !== undefined) errors.add(at(key), UserErrorCode.INVALID, `The campaign is ${current.status}: its ${key} was fixed at launch.`);
        }
      }
      if (current.status === CampaignStatus.SCHEDULED && input.scheduledAt === null) errors.add(at('scheduledAt'), UserErrorCode.REQUIRED, 'A scheduled campaign needs its time; set it back to DRAFT first.');
      if (errors.any) return null;
      return { ...fields, ...defined({ name, channel: input.channel ?? undefined, audience }) };
    });
  }

  async setStatus(input: SetCampaignStatusInput): Promise<CampaignPayload> {
    const errors = new UserErrors();
    return this.change(input, input.expectedVersion, errors, 'campaign.status', async (m, current) => {
      if (!CAMPAIGN_TRANSITIONS[current.status].includes(input.status)) {
        const how = input.status === CampaignStatus.RUNNING ? ' Launch it with launchCampaign.' : '';
        errors.add(at('status'), UserErrorCode.INVALID_TRANSITION, `A ${current.status} campaign cannot become ${input.status}.${how}`);
      } else if (input.status === CampaignStatus.SCHEDULED && !current.scheduledAt) {
        errors.add(at('status'), UserErrorCode.INVALID, 'Set `scheduledAt` before scheduling the campaign.');
      }
      if (errors.any) return null;
      const ends = input.status === CampaignStatus.DONE || input.status === CampaignStatus.CANCELLED;
      return { status: input.status, ...(ends ? { endedAt: new Date() } : {}) };
    });
  }

  async delete(globalId: string, expectedVersion?: number | null): Promise<CampaignPayload> {
    const errors = new UserErrors();
    return this.change({ id: globalId }, expectedVersion, errors, 'campaign.delete', async (m, current) => {
      if (current.status !== CampaignStatus.DRAFT) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `Only a DRAFT can be deleted; this campaign is ${current.status} (cancel it instead).`);
      return errors.any ? null : { deletedAt: new Date() };
    });
  }

  async launch(globalId: string, expectedVersion?: number | null): Promise<LaunchCampaignPayload> {
    const errors = new UserErrors();
    const launch = this.launcher(errors);
    const result = await this.change({ id: globalId }, expectedVersion, errors, 'campaign.launch', launch.decide, launch.audited);
    return { ...result, targeted: result.campaign ? launch.targeted() : 0, excluded: result.campaign ? exclusionCounts(launch.counts()) : [] };
  }

  /**
   * The scheduled launch (the job's): launches campaign `id` if it is still SCHEDULED and due by `asOf`, with the same
   * code as launchCampaign, in a transaction of its own. The row is taken with SKIP LOCKED, so a second worker passes
   * over a campaign being launched, and once launched it is no longer SCHEDULED: it is launched exactly once.
   * Null when there was nothing to do.
   */
  async launchIfDue(id: string, asOf: Date): Promise<LaunchCampaignPayload | null> {
    this.deps.access.require('campaigns:write');
    return this.deps.db.transaction(async (m) => {
      const due: Array<{ id: string }> = await m.query(
        `SELECT id FROM campaigns WHERE id = $1 AND status = 'SCHEDULED' AND deleted_at IS NULL AND scheduled_at <= $2 FOR UPDATE SKIP LOCKED`,
        [id, asOf],
      );
      if (!due.length) return null;
      const errors = new UserErrors();
      const launch = this.launcher(errors);
      const result = await this.changeIn(m, id, at('id'), null, errors, 'campaign.launch', launch.decide, launch.audited);
      return { ...result, targeted: result.campaign ? launch.targeted() : 0, excluded: result.campaign ? exclusionCounts(launch.counts()) : [] };
    });
  }

  /**
   * Materialises the members in one statement: every customer the audience selects (within the caller's scope, deleted
   * ones included so that they are recorded as left out), excluded with the first reason that applies, and of the
   * eligible ones a control group drawn by md5(campaign id, customer id): the same draw every time for the campaign,
   * a different one for another campaign, and exactly round(eligible × share) of them.
   */
  private launcher(errors: UserErrors) {
    let targeted = 0;
    let counts = new Map<string, number>();
    const decide = async (m: EntityManager, current: Campaign): Promise<Partial<Campaign> | null> => {
      if (current.status !== CampaignStatus.DRAFT && current.status !== CampaignStatus.SCHEDULED) {
        errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The campaign is already ${current.status}: only a DRAFT or SCHEDULED campaign can be launched.`);
        return null;
      }
      const launchedAt = new Date();
      const filter = current.audience as Record<string, unknown>;
      if (usesDerived(customerList, { filter })) this.deps.access.require('analytics:read');
      const params = new Params();
      let audience: string;
      try {
        audience = matchingSelect(m.connection, customerList, filter, this.deps.loaders.scopeOf(Customer), params, true);
      } catch (e) {
        if (!(e instanceof GraphQLError)) throw e;
        errors.add(at('id'), UserErrorCode.INVALID, `The campaign's audience no longer applies: ${e.message}`);
        return null;
      }
      const consent = CONSENT_COLUMN[current.channel];
      const cid = params.add(current.id);
      const now = params.add(launchedAt.toISOString());
      const cap = params.add(current.frequencyCapDays);
      const share = params.add(current.controlGroupShareValue);
      const channel = params.add(current.channel);
      const touchpointChannel = params.add(TOUCHPOINT_CHANNEL[current.channel]);
      const recently = (column: string) => `${column} > ${now}::timestamptz - ${cap}::int * interval '1 day' AND ${column} <= ${now}::timestamptz`;
      const sql = `
        WITH audience AS (${audience}),
        facts AS (
          SELECT c.id AS customer_id,
                 CASE WHEN c.erased_at IS NOT NULL THEN 'ERASED'
                      WHEN c.deleted_at IS NOT NULL THEN 'DELETED'
                      WHEN NOT c.${consent.granted} THEN 'NO_CONSENT'
                      WHEN ${cap}::int > 0 AND (
                        EXISTS (SELECT 1 FROM touchpoints t WHERE t.customer_id = c.id AND t.deleted_at IS NULL AND t.direction = 'OUTBOUND'
                                   AND t.channel = ${touchpointChannel} AND ${recently('t.occurred_at')})
                        OR EXISTS (SELECT 1 FROM campaign_members x JOIN campaigns xc ON xc.id = x.campaign_id
                                    WHERE x.customer_id = c.id AND x.campaign_id <> ${cid}::uuid AND xc.channel = ${channel} AND ${recently('x.sent_at')}))
                      THEN 'FREQUENCY_CAP'
                 END AS reason
            FROM customers c WHERE c.id IN (SELECT id FROM audience)),
        drawn AS (
          SELECT f.customer_id, f.reason,
                 row_number() OVER (PARTITION BY f.reason IS NULL ORDER BY md5(${cid}::text || ':' || f.customer_id::text), f.customer_id) AS draw,
                 round(count(*) FILTER (WHERE f.reason IS NULL) OVER () * ${share}::numeric) AS held_out
            FROM facts f),
        inserted AS (
          INSERT INTO campaign_members (campaign_id, customer_id, status, excluded_reason, targeted_at)
          SELECT ${cid}::uuid, d.customer_id,
                 CASE WHEN d.reason IS NULL AND d.draw > d.held_out THEN 'TARGETED' ELSE 'EXCLUDED' END,
                 CASE WHEN d.reason IS NOT NULL THEN d.reason WHEN d.draw <= d.held_out THEN 'CONTROL_GROUP' END,
                 ${now}::timestamptz
            FROM drawn d
          RETURNING status, excluded_reason)
        SELECT coalesce(excluded_reason, status) AS k, count(*)::int AS n FROM inserted GROUP BY 1`;
      const [text, values] = m.connection.driver.escapeQueryWithParameters(sql, params.values, {});
      const rows: Array<{ k: string; n: number }> = await m.query(text, values);
      counts = new Map(rows.map((r) => [r.k, r.n]));
      targeted = counts.get(CampaignMemberStatus.TARGETED) ?? 0;
      return { status: CampaignStatus.RUNNING, launchedAt };
    };
    const audited = (updated: Campaign) => ({ ...updated, members: { targeted, excluded: Object.fromEntries(exclusionCounts(counts).map((c) => [c.reason, c.count])) } });
    return { decide, audited, targeted: () => targeted, counts: () => counts };
  }

  /** The sending system reports the send list sent: every TARGETED member becomes SENT at one instant. */
  async markSent(input: MarkCampaignSentInput): Promise<MarkCampaignSentPayload> {
    const errors = new UserErrors();
    const now = new Date();
    const sentAt = input.sentAt ?? now;
    pastInstant(errors, at('sentAt'), sentAt, now, CLOCK_SKEW_MS);
    let sent = 0;
    const result = await this.change(input, null, errors, 'campaign.markSent', async (m, current) => {
      if (current.status !== CampaignStatus.RUNNING) errors.add(at('id'), UserErrorCode.INVALID_TRANSITION, `The campaign is ${current.status}: only a RUNNING campaign is sent.`);
      else if (current.launchedAt && sentAt < current.launchedAt) errors.add(at('sentAt'), UserErrorCode.OUT_OF_RANGE, 'Must not be before the launch.');
      if (errors.any) return null;
      const [, count] = await m.query(`UPDATE campaign_members SET status = 'SENT', sent_at = $2, updated_at = now() WHERE campaign_id = $1 AND status = 'TARGETED'`, [current.id, sentAt]);
      sent = count;
      return {};
    }, (updated) => ({ ...updated, sent: { count: sent, at: sentAt } }));
    return { ...result, sent: result.campaign ? sent : 0 };
  }

  async recordResponse(input: RecordCampaignResponseInput): Promise<CampaignResponsePayload> {
    this.deps.access.require('campaigns:write');
    const errors = new UserErrors();
    const now = new Date();
    const when = input.at ?? now;
    pastInstant(errors, at('at'), when, now, CLOCK_SKEW_MS);
    const byMember = input.memberId != null;
    if (byMember && (input.campaignId != null || input.customerId != null)) errors.add(at('memberId'), UserErrorCode.INVALID, 'Name the member either by `memberId` or by `campaignId` and `customerId`, not both.');
    const memberId = byMember ? decodeIdOf('CampaignMember', input.memberId!) : null;
    const campaignId = !byMember && input.campaignId != null ? decodeIdOf('Campaign', input.campaignId) : null;
    const customerId = !byMember && input.customerId != null ? decodeIdOf('Customer', input.customerId) : null;
    if (byMember && !memberId) errors.add(at('memberId'), UserErrorCode.INVALID_ID, 'Not a valid CampaignMember ID.');
    if (!byMember) {
      if (input.campaignId == null) errors.add(at('campaignId'), UserErrorCode.REQUIRED, 'Give `memberId`, or `campaignId` and `customerId`.');
      else if (!campaignId) errors.add(at('campaignId'), UserErrorCode.INVALID_ID, 'Not a valid Campaign ID.');
      if (input.customerId == null) errors.add(at('customerId'), UserErrorCode.REQUIRED, 'Give `memberId`, or `campaignId` and `customerId`.');
      else if (!customerId) errors.add(at('customerId'), UserErrorCode.INVALID_ID, 'Not a valid Customer ID.');
    }
    const fail = (): CampaignResponsePayload => ({ member: null, userErrors: errors.list });
    if (errors.any) return fail();
    return this.deps.db.transaction(async (m) => {
      const qb = m.getRepository(CampaignMember).createQueryBuilder('a').setLock('pessimistic_write', undefined, ['a']);
      if (memberId) qb.where('a.id = :memberId', { memberId });
      else qb.where('a.campaign_id = :campaignId AND a.customer_id = :customerId', { campaignId, customerId });
      const scope = this.deps.access.rowCondition('campaign_members');
      if (scope) qb.andWhere(scope);
      const member = await qb.getOne();
      const campaign = member ? await m.getRepository(Campaign).findOneBy({ id: member.campaignId }) : null;
      if (!member || !campaign) {
        errors.add(byMember ? at('memberId') : at('customerId'), UserErrorCode.NOT_FOUND, 'No member of the campaign with this ID.');
        return fail();
      }
      const from: Record<CampaignResponseKind, CampaignMemberStatus[]> = {
        RESPONDED: [CampaignMemberStatus.SENT],
        CONVERTED: [CampaignMemberStatus.SENT, CampaignMemberStatus.RESPONDED],
        OPTED_OUT: [CampaignMemberStatus.SENT, CampaignMemberStatus.RESPONDED, CampaignMemberStatus.CONVERTED],
      };
      if (campaign.status !== CampaignStatus.RUNNING && campaign.status !== CampaignStatus.DONE) {
        errors.add(at('kind'), UserErrorCode.INVALID_TRANSITION, `The campaign is ${campaign.status}: responses are recorded while it runs and after it is done.`);
      } else if (!from[input.kind].includes(member.status)) {
        errors.add(at('kind'), UserErrorCode.INVALID_TRANSITION, `The member is ${member.status}: ${input.kind} follows ${from[input.kind].join(' or ')}.`);
      } else if (member.sentAt && when < member.sentAt) {
        errors.add(at('at'), UserErrorCode.OUT_OF_RANGE, 'Must not be before the member was sent the campaign.');
      }
      if (errors.any) return fail();
      const changes: Partial<CampaignMember> =
        input.kind === CampaignResponseKind.RESPONDED
          ? { status: CampaignMemberStatus.RESPONDED, respondedAt: when }
          : input.kind === CampaignResponseKind.CONVERTED
            ? { status: CampaignMemberStatus.CONVERTED, convertedAt: when, respondedAt: member.respondedAt ?? when }
            : { status: CampaignMemberStatus.OPTED_OUT, optedOutAt: when };
      const repo = m.getRepository(CampaignMember);
      await repo.update({ id: member.id }, changes);
      const updated = await repo.findOneByOrFail({ id: member.id });
      await recordAudit(m, this.deps, { action: 'campaignMember.respond', objectType: 'CampaignMember', objectId: member.id, before: member, after: updated });
      if (input.kind === CampaignResponseKind.OPTED_OUT) await this.withdrawConsent(m, member.customerId, campaign.channel, when);
      return { member: updated, userErrors: [] };
    });
  }

  /** An opt-out withdraws the customer's consent on the channel, in the response's transaction, audited as a customer change. */
  private async withdrawConsent(m: EntityManager, customerId: string, channel: ConsentChannel, when: Date): Promise<void> {
    const column = CONSENT_COLUMN[channel];
    const [before]: Array<{ granted: boolean; at: Date | null }> = await m.query(`SELECT ${column.granted} AS granted, ${column.at} AS at FROM customers WHERE id = $1 FOR UPDATE`, [customerId]);
    if (!before?.granted) return;
    await m.query(`UPDATE customers SET ${column.granted} = false, ${column.at} = $2, version = version + 1, updated_at = now() WHERE id = $1`, [customerId, when]);
    await recordAudit(m, this.deps, {
      action: 'customer.update',
      objectType: 'Customer',
      objectId: customerId,
      before: { [column.property]: { granted: true, at: before.at } },
      after: { [column.property]: { granted: false, at: when } },
    });
  }

  /**
   * Hands every responder (RESPONDED or CONVERTED) of the campaign who has none from it yet to sales, as a CALL task
   * for their owner or as an opportunity (see handOver), in a fixed number of statements whatever their number, each
   * created record audited. Responders nobody can be given to are counted, not handed over. Run it again after more
   * responses: only the new responders are handed over.
   */
  async handToSales(input: HandResponderToSalesInput): Promise<HandResponderToSalesPayload> {
    const errors = new UserErrors();
    const dueAt = this.validDueAt(errors, input.dueAt);
    let made = { ids: [] as string[], skipped: 0 };
    const result = await this.change(input, null, errors, 'campaign.handToSales', async (m, current) => {
      if (current.status !== CampaignStatus.RUNNING && current.status !== CampaignStatus.DONE) {
        errors.add(at('campaignId'), UserErrorCode.INVALID_TRANSITION, `The campaign is ${current.status}: it has no responders yet.`);
      }
      if (errors.any) return null;
      made = await this.handOver(m, errors, current, input.kind, null, dueAt);
      return errors.any ? null : {};
    }, (updated) => ({ ...updated, handedToSales: { kind: input.kind, created: made.ids.length, skippedWithoutOwner: made.skipped } }));
    const done = result.campaign !== null;
    const n = done ? made.ids.length : 0;
    return {
      ...result,
      tasks: input.kind === CampaignHandoverKind.TASK ? n : 0,
      opportunities: input.kind === CampaignHandoverKind.OPPORTUNITY ? n : 0,
      skippedWithoutOwner: done ? made.skipped : 0,
    };
  }

  /**
   * Hands one responder to sales. Who may: whoever may create what is made (a task: `touchpoints:write`; an
   * opportunity: `opportunities:write`) and sees the member, so a sales rep hands over the members of their own book
   * only (another rep's is NOT_FOUND). Idempotent: a member handed over before answers with what was made then.
   */
  async handMemberToSales(input: HandCampaignMemberToSalesInput): Promise<HandCampaignMemberToSalesPayload> {
    this.deps.access.require(input.kind === CampaignHandoverKind.OPPORTUNITY ? 'opportunities:write' : 'touchpoints:write');
    this.deps.access.require('campaigns:read');
    const errors = new UserErrors();
    const dueAt = this.validDueAt(errors, input.dueAt);
    const memberId = decodeIdOf('CampaignMember', input.memberId);
    if (!memberId) errors.add(at('memberId'), UserErrorCode.INVALID_ID, 'Not a valid CampaignMember ID.');
    const fail = (): HandCampaignMemberToSalesPayload => ({ member: null, created: false, userErrors: errors.list });
    if (errors.any || !memberId) return fail();
    return this.deps.db.transaction(async (m) => {
      const qb = m.getRepository(CampaignMember).createQueryBuilder('a').setLock('pessimistic_write', undefined, ['a']).where('a.id = :memberId', { memberId });
      const scope = this.deps.access.rowCondition('campaign_members');
      if (scope) qb.andWhere(scope);
      const member = await qb.getOne();
      const campaign = member ? await m.getRepository(Campaign).findOneBy({ id: member.campaignId }) : null;
      if (!member || !campaign) {
        errors.add(at('memberId'), UserErrorCode.NOT_FOUND, 'No campaign member with this ID.');
        return fail();
      }
      const linked = input.kind === CampaignHandoverKind.OPPORTUNITY ? member.opportunityId : member.taskId;
      if (linked) return { member, created: false, userErrors: [] };
      if (campaign.status !== CampaignStatus.RUNNING && campaign.status !== CampaignStatus.DONE) {
        errors.add(at('memberId'), UserErrorCode.INVALID_TRANSITION, `The campaign is ${campaign.status}: responders are handed over while it runs and after it is done.`);
      } else if (member.status !== CampaignMemberStatus.RESPONDED && member.status !== CampaignMemberStatus.CONVERTED) {
        errors.add(at('memberId'), UserErrorCode.INVALID_TRANSITION, `The member is ${member.status}: only a responder (RESPONDED or CONVERTED) is handed to sales.`);
      }
      if (errors.any) return fail();
      const made = await this.handOver(m, errors, campaign, input.kind, member.id, dueAt);
      if (!errors.any && !made.ids.length) {
        errors.add(at('memberId'), UserErrorCode.INVALID, 'The customer is deleted, or has no owner and no assignment rule matches them: give them an owner first.');
      }
      if (errors.any) return fail();
      const updated = await m.getRepository(CampaignMember).findOneByOrFail({ id: member.id });
      await recordAudit(m, this.deps, { action: 'campaignMember.handToSales', objectType: 'CampaignMember', objectId: member.id, before: member, after: updated });
      return { member: updated, created: true, userErrors: [] };
    });
  }

  /** A due time for hand-over tasks: at most a year back, 5 years ahead; a day from now by default. */
  private validDueAt(errors: UserErrors, given: Date | null | undefined): Date {
    const now = Date.now();
    const dueAt = given ?? new Date(now + DAY);
    const due = dueAt.getTime();
    if (Number.isNaN(due) || due < now - 365 * DAY || due > now + 5 * 365 * DAY) {
      errors.add(at('dueAt'), UserErrorCode.OUT_OF_RANGE, 'Must be at most a year in the past and at most 5 years ahead.');
    }
    return dueAt;
  }

  /**
   * Makes the task or opportunity of each responder of the campaign (or of the one member) not yet handed over that
   * way, in the caller's transaction and within their scope, and links it to the member: set-based, so the number of
   * statements does not grow with the responders. Returns the ids made and the responders skipped for want of an owner.
   */
  private async handOver(m: EntityManager, errors: UserErrors, campaign: Campaign, kind: CampaignHandoverKind, memberId: string | null, dueAt: Date): Promise<{ ids: string[]; skipped: number }> {
    const scope = this.deps.access.rowCondition('campaign_members', 'm') ?? 'TRUE';
    if (kind === CampaignHandoverKind.TASK) {
      const subject = `Call back: responded to “${campaign.name}”`.slice(0, 200);
      const [row]: Array<{ task_ids: string[] | null; skipped: number }> = await m.query(
        `WITH picked AS (
           SELECT m.id AS member_id, m.customer_id, c.owner_id
             FROM campaign_members m JOIN customers c ON c.id = m.customer_id
            WHERE m.campaign_id = $1 AND m.status IN ('RESPONDED','CONVERTED') AND m.task_id IS NULL AND c.deleted_at IS NULL
              AND ($4::uuid IS NULL OR m.id = $4) AND ${scope}
              FOR UPDATE OF m),
         created AS (
           INSERT INTO tasks (customer_id, owner_id, kind, subject, due_at, priority, status)
           SELECT p.customer_id, p.owner_id, 'CALL', $2, $3, 'NORMAL', 'OPEN' FROM picked p WHERE p.owner_id IS NOT NULL
           RETURNING id, customer_id),
         linked AS (
           UPDATE campaign_members m SET task_id = t.id, updated_at = now() FROM created t WHERE m.campaign_id = $1 AND m.customer_id = t.customer_id RETURNING m.id)
         SELECT (SELECT array_agg(id::text) FROM created) AS task_ids, (SELECT count(*)::int FROM picked WHERE owner_id IS NULL) AS skipped,
                (SELECT count(*) FROM linked) AS linked`,
        [campaign.id, subject, dueAt, memberId],
      );
      const ids = row.task_ids ?? [];
      if (ids.length) {
        const created = await m.getRepository(Task).findBy({ id: In(ids) });
        await recordAudit(m, this.deps, created.map((t) => ({ action: 'task.schedule', objectType: 'Task', objectId: t.id, after: t })));
      }
      return { ids, skipped: row.skipped };
    }

    const [pipeline]: Array<{ id: string; currency: string | null; stage_id: string | null }> = await m.query(
      `SELECT p.id, p.currency, (SELECT s.id FROM pipeline_stages s WHERE s.pipeline_id = p.id ORDER BY s.position, s.id LIMIT 1) AS stage_id
         FROM pipelines p WHERE p.is_default`,
    );
    if (!pipeline?.stage_id) {
      errors.add(at('kind'), UserErrorCode.INVALID, pipeline ? 'The default pipeline has no stages.' : 'There is no default pipeline to open the opportunities in.');
      return { ids: [], skipped: 0 };
    }
    // The customer's owner works the deal when they may own opportunities; for the others, the assignment rules decide.
    const picked: Array<CustomerFacts & { memberId: string; customerId: string; ownerId: string | null }> = await m.query(
      `SELECT m.id AS "memberId", m.customer_id AS "customerId", u.id AS "ownerId",
              c.region, c.kind, c.personality, ls.key AS "lifecycleStage", s.segment, s.value_tier AS "valueTier"
         FROM campaign_members m JOIN customers c ON c.id = m.customer_id
         LEFT JOIN users u ON u.id = c.owner_id AND u.role = ANY($3::text[])
         LEFT JOIN lifecycle_stages ls ON ls.id = c.lifecycle_stage_id
         LEFT JOIN customer_scores s ON s.customer_id = c.id
        WHERE m.campaign_id = $1 AND m.status IN ('RESPONDED','CONVERTED') AND m.opportunity_id IS NULL AND c.deleted_at IS NULL
          AND ($2::uuid IS NULL OR m.id = $2) AND ${scope}
        ORDER BY m.created_at, m.id
          FOR UPDATE OF m`,
      [campaign.id, memberId, OWNER_ROLES],
    );
    if (!picked.length) return { ids: [], skipped: 0 };
    if (picked.some((p) => !p.ownerId)) await this.ownersByRules(m, picked);
    const handed = picked.filter((p) => p.ownerId);
    if (!handed.length) return { ids: [], skipped: picked.length };
    const now = new Date();
    const [row]: Array<{ ids: string[] | null }> = await m.query(
      `WITH picked AS (SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[]) AS p(member_id, customer_id, owner_id)),
       created AS (
         INSERT INTO opportunities (customer_id, owner_id, pipeline_id, stage_id, name, amount, currency, source, status, opened_at, stage_entered_at, last_activity_at)
         SELECT p.customer_id, p.owner_id, $4, $5, $6, 0, $7, $8, 'OPEN', $9, $9, $9 FROM picked p
         RETURNING id, customer_id),
       history AS (
         INSERT INTO opportunity_stage_history (opportunity_id, stage_id, entered_at, user_id) SELECT c.id, $5, $9, $10 FROM created c),
       linked AS (
         UPDATE campaign_members m SET opportunity_id = c.id, updated_at = now() FROM created c JOIN picked p ON p.customer_id = c.customer_id WHERE m.id = p.member_id)
       SELECT array_agg(id::text) AS ids FROM created`,
      [
        handed.map((p) => p.memberId),
        handed.map((p) => p.customerId),
        handed.map((p) => p.ownerId),
        pipeline.id,
        pipeline.stage_id,
        `Responded to “${campaign.name}”`.slice(0, 200),
        pipelineCurrency({ currency: pipeline.currency } as Pipeline, this.deps.config),
        `Campaign “${campaign.name}”`.slice(0, 100),
        now,
        actorUserId(this.deps.actor),
      ],
    );
    const ids = row.ids ?? [];
    const created = await m.getRepository(Opportunity).findBy({ id: In(ids) });
    await recordAudit(m, this.deps, created.map((o) => ({ action: 'opportunity.create', objectType: 'Opportunity', objectId: o.id, after: { ...o, campaignId: campaign.id } })));
    return { ids, skipped: picked.length - handed.length };
  }

  /**
   * Owners from the assignment rules for the customers without one, as applyAssignmentRules takes turns: rules read
   * and locked once, turns advanced in one statement. The customers keep having no owner; only the deal is given.
   */
  private async ownersByRules(m: EntityManager, picked: Array<CustomerFacts & { ownerId: string | null }>): Promise<void> {
    const rules = await m.getRepository(AssignmentRule).find({ where: { active: true }, order: { position: 'ASC' }, lock: { mode: 'pessimistic_write' } });
    const turns = new Map(rules.map((r) => [r.id, r.nextTurn]));
    for (const p of picked) {
      if (p.ownerId) continue;
      const rule = firstMatchingRule(rules, p);
      if (!rule) continue;
      const { ownerId, nextTurn } = ownerForTurn(rule.ownerIds, turns.get(rule.id)!);
      turns.set(rule.id, nextTurn);
      p.ownerId = ownerId;
    }
    const advanced = rules.filter((r) => turns.get(r.id) !== r.nextTurn);
    if (advanced.length) {
      await m.query(`UPDATE assignment_rules r SET next_turn = u.turn FROM unnest($1::uuid[], $2::int[]) AS u(id, turn) WHERE r.id = u.id`, [advanced.map((r) => r.id), advanced.map((r) => turns.get(r.id))]);
    }
  }

  // -- reads ------------------------------------------------------------------------------------------------------------

  /** The campaign's figures in one statement, over the members the caller may see (a sales rep: their book's). */
  async stats(globalId: string): Promise<CampaignStats | null> {
    const campaign = await this.findOne(globalId);
    if (!campaign) return null;
    const scope = this.deps.access.readScope('campaign_members', 'm') ?? 'TRUE';
    const [row]: Array<Record<string, string | number | null>> = await this.deps.db.query(
      `WITH c AS (SELECT * FROM campaigns WHERE id = $1),
       first_send AS (SELECT min(sent_at) AS at FROM campaign_members WHERE campaign_id = $1),
       mem AS (
         SELECT m.status, m.excluded_reason, m.sent_at, m.responded_at, m.converted_at,
                (SELECT o.status FROM opportunities o WHERE o.id = m.opportunity_id AND o.deleted_at IS NULL) AS opportunity,
                EXISTS (SELECT 1 FROM orders o WHERE ${attributedOrders('m', 'c')}) AS bought,
                m.excluded_reason = 'CONTROL_GROUP' AND EXISTS (SELECT 1 FROM orders o WHERE ${purchasesInWindow('m', 'c', 'f.at')}) AS control_bought
           FROM campaign_members m CROSS JOIN c CROSS JOIN first_send f
          WHERE m.campaign_id = $1 AND ${scope}),
       money AS (
         SELECT coalesce(sum(o.total_base), 0)::text AS revenue, coalesce(sum(o.margin_base), 0)::text AS margin
           FROM campaign_members m CROSS JOIN c JOIN orders o ON ${attributedOrders('m', 'c')}
          WHERE m.campaign_id = $1 AND ${scope})
       SELECT count(*) FILTER (WHERE status <> 'EXCLUDED')::int AS targeted,
              ${REASONS.map((r) => `count(*) FILTER (WHERE excluded_reason = '${r}')::int AS "${r}"`).join(', ')},
              count(*) FILTER (WHERE sent_at IS NOT NULL)::int AS sent,
              -- By the recorded times rather than the status: a member who converted and then opted out still converted.
              count(*) FILTER (WHERE sent_at IS NOT NULL AND (responded_at IS NOT NULL OR converted_at IS NOT NULL OR bought))::int AS responses,
              count(*) FILTER (WHERE sent_at IS NOT NULL AND (converted_at IS NOT NULL OR bought))::int AS conversions,
              count(*) FILTER (WHERE status = 'OPTED_OUT')::int AS opted_out,
              count(*) FILTER (WHERE control_bought)::int AS control_conversions,
              count(opportunity)::int AS opportunities, count(*) FILTER (WHERE opportunity = 'WON')::int AS opportunities_won,
              (SELECT at FROM first_send) AS first_send,
              (SELECT revenue FROM money) AS revenue, (SELECT margin FROM money) AS margin
         FROM mem`,
      [campaign.id],
    );
    const n = (k: string) => Number(row[k] ?? 0);
    const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
    const currency = campaign.currency;
    const cost = parseAmount(campaign.costValue);
    const margin = parseAmount(String(row.margin));
    const sent = n('sent');
    const responses = n('responses');
    const conversionRate = ratio(n('conversions'), sent);
    const controlGroup = n(CampaignExclusionReason.CONTROL_GROUP);
    const controlConversionRate = row.first_send ? ratio(n('control_conversions'), controlGroup) : null;
    const lift = conversionRate !== null && controlConversionRate !== null ? conversionRate - controlConversionRate : null;
    const stats = new CampaignStats();
    Object.assign(stats, {
      campaign,
      targeted: n('targeted'),
      excluded: REASONS.map((reason) => ({ reason, count: n(reason) })),
      sent,
      responses,
      responseRate: ratio(responses, sent),
      conversions: n('conversions'),
      conversionRate,
      optedOut: n('opted_out'),
      attributedRevenue: Money.of(String(row.revenue), currency),
      attributedMargin: Money.of(String(row.margin), currency),
      cost: Money.of(campaign.costValue, currency),
      costPerResponse: responses > 0 ? moneyOfUnits(divideToMinor(cost, BigInt(responses), currency), currency) : null,
      // Exact to six decimals: a ratio of two exact amounts, not money, so a Float once computed.
      roi: cost > 0n ? Number(((margin - cost) * 1_000_000n) / cost) / 1_000_000 : null,
      controlGroup,
      controlConversions: n('control_conversions'),
      controlConversionRate,
      lift,
      relativeLift: lift !== null && controlConversionRate ? lift / controlConversionRate : null,
      opportunities: n('opportunities'),
      opportunitiesWon: n('opportunities_won'),
    });
    return stats;
  }

  /**
   * The member list as CSV for the sending system (by default the send list, TARGETED), with the contact details the
   * channel needs. Personal data is masked for callers who see it masked; a sales rep gets the members of their book.
   */
  async membersCsv(globalId: string, statuses: CampaignMemberStatus[] | null | undefined): Promise<string | null> {
    const campaign = await this.findOne(globalId);
    if (!campaign) return null;
    const scope = this.deps.access.readScope('campaign_members', 'm') ?? 'TRUE';
    const wanted = statuses?.length ? [...new Set(statuses)] : [CampaignMemberStatus.TARGETED];
    const rows: Array<Record<string, unknown>> = await this.deps.db.query(
      `SELECT m.id, m.status, m.excluded_reason, m.sent_at, c.id AS customer_id, c.external_ref, c.name, c.email, c.phone,
              c.address_line1, c.address_line2, c.address_postal_code, c.address_city, c.address_region, c.address_country
         FROM campaign_members m JOIN customers c ON c.id = m.customer_id
        WHERE m.campaign_id = $1 AND m.status = ANY($2::text[]) AND ${scope}
        ORDER BY m.created_at, m.id`,
      [campaign.id, wanted],
    );
    const masked = this.deps.access.masksPii;
    const pii = (kind: 'email' | 'phone' | 'street', v: unknown) => (masked ? maskValue(kind, v) : v);
    const header = ['member_id', 'customer_id', 'external_ref', 'name', 'email', 'phone', 'address_line1', 'address_line2', 'postal_code', 'city', 'region', 'country', 'status', 'excluded_reason', 'sent_at'];
    const lines = rows.map((r) =>
      [
        csvField(toGlobalId('CampaignMember', r.id as string)),
        csvField(toGlobalId('Customer', r.customer_id as string)),
        csvField(r.external_ref),
        csvField(r.name),
        csvField(pii('email', r.email), { formula: false }),
        csvField(pii('phone', r.phone), { formula: false }),
        csvField(pii('street', r.address_line1)),
        csvField(pii('street', r.address_line2)),
        csvField(pii('street', r.address_postal_code)),
        csvField(r.address_city),
        csvField(r.address_region),
        csvField(r.address_country),
        csvField(r.status),
        csvField(r.excluded_reason),
        csvField(r.sent_at),
      ].join(','),
    );
    return [header.join(','), ...lines].join('\r\n') + '\r\n';
  }

  // -- helpers ----------------------------------------------------------------------------------------------------------

  /**
   * The shape of every change to one campaign: lock it (NOT_FOUND when missing or deleted), check the version, let
   * `decide` validate and write what else it writes and return the columns to change (null after recording
   * userErrors), then write them with a new version and audit the change: all in one transaction.
   */
  private async change<P extends CampaignPayload>(
    ref: CampaignRef,
    expectedVersion: number | null | undefined,
    errors: UserErrors,
    action: string,
    decide: (m: EntityManager, current: Campaign) => Promise<Partial<Campaign> | null>,
    audited: (updated: Campaign) => object = (updated) => updated,
  ): Promise<P> {
    this.deps.access.require('campaigns:write');
    // Errors about the campaign itself point at the input field that named it.
    const [name, globalId] = 'campaignId' in ref ? ['campaignId', ref.campaignId] : ['id', ref.id];
    const id = decodeIdOf('Campaign', globalId);
    const field = at(name);
    if (!id) errors.add(field, UserErrorCode.INVALID_ID, 'Not a valid Campaign ID.');
    if (errors.any || !id) return payload(null, errors) as P;
    return this.deps.db.transaction((m) => this.changeIn<P>(m, id, field, expectedVersion, errors, action, decide, audited));
  }

  /** `change` in the caller's transaction, for a campaign id already decoded. */
  private async changeIn<P extends CampaignPayload>(
    m: EntityManager,
    id: string,
    field: Path,
    expectedVersion: number | null | undefined,
    errors: UserErrors,
    action: string,
    decide: (m: EntityManager, current: Campaign) => Promise<Partial<Campaign> | null>,
    audited: (updated: Campaign) => object = (updated) => updated,
  ): Promise<P> {
    const current = await findInScope(m, Campaign, id, null, { lock: true });
    if (!current) {
      errors.add(field, UserErrorCode.NOT_FOUND, 'No campaign with this ID.');
      return payload(null, errors) as P;
    }
    if (expectedVersion != null && expectedVersion !== current.version) {
      errors.add(at('expectedVersion'), UserErrorCode.CONFLICT, `The campaign changed since you read it (version ${current.version}, you sent ${expectedVersion}).`);
      return payload(null, errors) as P;
    }
    const changes = await decide(m, current);
    if (!changes || errors.any) return payload(null, errors) as P;
    const repo = m.getRepository(Campaign);
    await repo.update({ id }, { ...changes, version: current.version + 1 });
    const updated = await repo.findOneOrFail({ where: { id }, withDeleted: true });
    await recordAudit(m, this.deps, { action, objectType: 'Campaign', objectId: id, before: current, after: audited(updated) });
    return payload(updated, errors) as P;
  }

  /** Validates an audience by compiling it as the launch will; returns it as plain JSON to store. */
  /** An audience on a personal custom field would list who has a value the caller sees withheld: refused for them. */
  private async readableAudience(errors: UserErrors, audience: Record<string, unknown> | undefined): Promise<Record<string, unknown> | undefined> {
    if (!audience) return audience;
    try {
      await customFieldListArgs(this.deps, CustomFieldEntity.CUSTOMER, { filter: audience });
      return audience;
    } catch (e) {
      if (!(e instanceof GraphQLError)) throw e;
      errors.add(at('audience'), UserErrorCode.INVALID, e.message.replace(/^filter/, 'audience'));
      return undefined;
    }
  }

  private validAudience(errors: UserErrors, filter: object): Record<string, unknown> | undefined {
    const limits = this.deps.config;
    let nodes = 0;
    const walk = (value: unknown, depth: number): string | null => {
      if (!value || typeof value !== 'object') return null;
      if (depth > limits.maxFilterDepth) return `The audience nests and/or/not more than ${limits.maxFilterDepth} levels deep.`;
      for (const [key, raw] of Object.entries(value)) {
        if (++nodes > limits.maxFilterNodes) return `The audience has more than ${limits.maxFilterNodes} conditions and groups.`;
        // Null means "no condition", as in the customers list's filter.
        if (raw == null) continue;
        if (key === 'and' || key === 'or') {
          if (!Array.isArray(raw)) return `\`${key}\` takes a list of filters.`;
          for (const f of raw as unknown[]) {
            const problem = walk(f, depth + 1);
            if (problem) return problem;
          }
        } else if (key === 'not') {
          const problem = walk(raw, depth + 1);
          if (problem) return problem;
        } else if (raw && typeof raw === 'object') {
          for (const operand of Object.values(raw)) {
            const texts = Array.isArray(operand) ? operand : [operand];
            if (texts.some((t) => typeof t === 'string' && t.length > limits.maxSearchLength)) return `A value in the audience is longer than ${limits.maxSearchLength} characters.`;
          }
        }
      }
      return null;
    };
    const problem = walk(filter, 1);
    if (problem) {
      errors.add(at('audience'), UserErrorCode.INVALID, problem);
      return undefined;
    }
    const plain = JSON.parse(JSON.stringify(filter)) as Record<string, unknown>;
    if (JSON.stringify(plain).length > MAX_AUDIENCE_JSON) {
      errors.add(at('audience'), UserErrorCode.TOO_LONG, `The audience must be at most ${MAX_AUDIENCE_JSON} characters as JSON.`);
      return undefined;
    }
    if (usesDerived(customerList, { filter: plain })) this.deps.access.require('analytics:read');
    try {
      // The input as given (dates as dates, so that out-of-range ones are refused) and as stored must both compile.
      compileFilter(customerList, filter as Record<string, unknown>, new Params(), 'audience', this.deps.access.masksPii);
      compileFilter(customerList, plain, new Params(), 'audience', this.deps.access.masksPii);
    } catch (e) {
      if (!(e instanceof GraphQLError)) throw e;
      errors.add(at('audience'), UserErrorCode.INVALID, e.message);
      return undefined;
    }
    return plain;
  }

  /** The optional fields shared by create and update, as columns; undefined entries are left out. */
  private validFields(errors: UserErrors, input: CampaignFields, currency: string): Partial<Campaign> {
    const out: Partial<Campaign> = {};
    const goal = optionalText(errors, at('goal'), input.goal, 500);
    const content = optionalText(errors, at('content'), input.content, 10_000);
    if (goal !== undefined) out.goal = goal;
    if (content !== undefined) out.content = content;
    if (input.scheduledAt !== undefined) {
      const t = input.scheduledAt?.getTime();
      if (t !== undefined && !(t >= EARLIEST_INSTANT.getTime() && t <= LATEST_INSTANT)) errors.add(at('scheduledAt'), UserErrorCode.OUT_OF_RANGE, 'Must be from 1900-01-01 to the end of 9999.');
      else out.scheduledAt = input.scheduledAt;
    }
    if (input.budget !== undefined) {
      const units = input.budget === null ? null : nonNegativeAmount(errors, at('budget'), input.budget, currency);
      if (units !== undefined) out.budgetValue = units === null ? null : formatAmount(units);
    }
    if (input.cost === null) errors.add(at('cost'), UserErrorCode.REQUIRED, 'Cost cannot be cleared: pass "0".');
    else if (input.cost !== undefined) {
      const units = nonNegativeAmount(errors, at('cost'), input.cost, currency);
      if (units !== undefined) out.costValue = formatAmount(units);
    }
    if (input.controlGroupShare !== undefined) {
      const x = input.controlGroupShare ?? 0;
      if (!(Number.isFinite(x) && x >= 0 && x <= MAX_CONTROL_GROUP_SHARE)) errors.add(at('controlGroupShare'), UserErrorCode.OUT_OF_RANGE, `Must be from 0 to ${MAX_CONTROL_GROUP_SHARE}.`);
      else if (Math.abs(x * 1e4 - Math.round(x * 1e4)) > 1e-6) errors.add(at('controlGroupShare'), UserErrorCode.INVALID, 'At most 4 decimals.');
      else out.controlGroupShareValue = x.toFixed(4);
    }
    const days = (key: 'attributionWindowDays' | 'frequencyCapDays', min: number, max: number, fallback: number) => {
      const value = input[key];
      if (value === undefined) return;
      const v = value ?? fallback;
      if (!(Number.isInteger(v) && v >= min && v <= max)) errors.add(at(key), UserErrorCode.OUT_OF_RANGE, `Must be a whole number of days from ${min} to ${max}.`);
      else out[key] = v;
    };
    days('attributionWindowDays', 1, MAX_ATTRIBUTION_WINDOW_DAYS, 30);
    days('frequencyCapDays', 0, MAX_FREQUENCY_CAP_DAYS, 0);
    return out;
  }
}
