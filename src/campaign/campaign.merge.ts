import type { EntityManager } from 'typeorm';
import { recordAudit, type AuditSubject } from '../core/audit';
import { CampaignExclusionReason, CampaignMemberStatus } from './campaign.entity';

/**
 * How much a member's status says about the customer: OPTED_OUT above all (it is the customer's own word, and the
 * consent it withdrew stays withdrawn), then the furthest step of the funnel, EXCLUDED last: a record that was left
 * out loses to one that was contacted, so a customer held out as control under one record but sent the campaign
 * under the other counts as sent, not as control (they were reached; counting them in the control would bias lift).
 */
const STATUS_RANK: Record<CampaignMemberStatus, number> = { OPTED_OUT: 6, CONVERTED: 5, RESPONDED: 4, SENT: 3, TARGETED: 2, EXCLUDED: 1 };
/** When both were left out, the reason the launch would give the merged customer first (its order of checks). */
const REASON_RANK: Record<CampaignExclusionReason, number> = { ERASED: 5, DELETED: 4, NO_CONSENT: 3, FREQUENCY_CAP: 2, CONTROL_GROUP: 1 };

interface MemberRow {
  id: string;
  campaign_id: string;
  customer_id: string;
  status: CampaignMemberStatus;
  excluded_reason: CampaignExclusionReason | null;
  targeted_at: Date;
  sent_at: Date | null;
  responded_at: Date | null;
  converted_at: Date | null;
  opted_out_at: Date | null;
  task_id: string | null;
  opportunity_id: string | null;
  created_at: Date;
}

const earliest = (dates: Array<Date | null>): Date | null =>
  dates.reduce<Date | null>((a, d) => (d && (!a || d < a) ? d : a), null);

/**
 * One member row per campaign for a merge's survivor, in the merge's transaction, before the merged records' rows
 * move to it (a campaign has a customer once). Where several of the records were members of one campaign, the
 * survivor's row stays (else the earliest), with the most telling status (STATUS_RANK), the earliest of each
 * timestamp, and the task and opportunity of the survivor's row (else the other's); the other rows go. The campaign's
 * figures are counts over its rows, so they then count the customer once. A fixed number of statements.
 */
export async function mergeCampaignMembers(m: EntityManager, who: AuditSubject, survivorId: string, mergedIds: string[]): Promise<number> {
  const all = [survivorId, ...mergedIds];
  const rows: MemberRow[] = await m.query(
    `SELECT m.* FROM campaign_members m
      WHERE m.customer_id = ANY($1::uuid[])
        AND m.campaign_id IN (SELECT campaign_id FROM campaign_members WHERE customer_id = ANY($1::uuid[]) GROUP BY campaign_id HAVING count(*) > 1)
      ORDER BY m.campaign_id, m.id FOR UPDATE`,
    [all],
  );
  if (!rows.length) return 0;
  const byCampaign = new Map<string, MemberRow[]>();
  for (const r of rows) byCampaign.set(r.campaign_id, [...(byCampaign.get(r.campaign_id) ?? []), r]);
  const order = (r: MemberRow) => (r.customer_id === survivorId ? -1 : mergedIds.indexOf(r.customer_id));
  const kept: Array<Record<string, unknown>> = [];
  const dropped: MemberRow[] = [];
  const events: Parameters<typeof recordAudit>[2] = [];
  for (const group of byCampaign.values()) {
    group.sort((a, b) => order(a) - order(b) || a.created_at.getTime() - b.created_at.getTime());
    const [keeper, ...others] = group;
    const best = [...group].sort((a, b) => STATUS_RANK[b.status] - STATUS_RANK[a.status] || (REASON_RANK[b.excluded_reason!] ?? 0) - (REASON_RANK[a.excluded_reason!] ?? 0))[0];
    const merged = {
      id: keeper.id,
      status: best.status,
      excluded_reason: best.status === CampaignMemberStatus.EXCLUDED ? best.excluded_reason : null,
      targeted_at: earliest(group.map((r) => r.targeted_at)),
      sent_at: earliest(group.map((r) => r.sent_at)),
      responded_at: earliest(group.map((r) => r.responded_at)),
      converted_at: earliest(group.map((r) => r.converted_at)),
      opted_out_at: earliest(group.map((r) => r.opted_out_at)),
      task_id: group.find((r) => r.task_id)?.task_id ?? null,
      opportunity_id: group.find((r) => r.opportunity_id)?.opportunity_id ?? null,
      created_at: earliest(group.map((r) => r.created_at)),
    };
    kept.push(merged);
    dropped.push(...others);
    events.push({ action: 'campaignMember.merge', objectType: 'CampaignMember', objectId: keeper.id, before: { ...keeper, mergedMembers: others }, after: merged });
  }
  // The dropped rows go first: the kept row may take over their opportunity, which one row alone may link.
  await m.query(`DELETE FROM campaign_members WHERE id = ANY($1::uuid[])`, [dropped.map((r) => r.id)]);
  await m.query(
    `UPDATE campaign_members m SET status = k.status, excluded_reason = k.excluded_reason, targeted_at = k.targeted_at, sent_at = k.sent_at,
            responded_at = k.responded_at, converted_at = k.converted_at, opted_out_at = k.opted_out_at, task_id = k.task_id,
            opportunity_id = k.opportunity_id, created_at = k.created_at, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS k(id uuid, status text, excluded_reason text, targeted_at timestamptz, sent_at timestamptz, responded_at timestamptz,
            converted_at timestamptz, opted_out_at timestamptz, task_id uuid, opportunity_id uuid, created_at timestamptz)
      WHERE m.id = k.id`,
    [JSON.stringify(kept)],
  );
  await recordAudit(m, who, events);
  return dropped.length;
}
