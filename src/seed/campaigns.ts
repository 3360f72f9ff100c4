type Query = (sql: string, parameters?: unknown[]) => Promise<any[]>;

const DAY = 86_400_000;

interface DemoCampaign {
  name: string;
  goal: string;
  channel: 'EMAIL' | 'SMS' | 'PHONE' | 'MAIL';
  /** The saved audience, and the lifecycle stages it selects (the members are written from those directly). */
  stages: string[];
  content: string;
  status: 'DONE' | 'RUNNING' | 'DRAFT';
  /** Days before `now`: created, launched (and sent a day later), ended. */
  createdDaysAgo: number;
  launchedDaysAgo?: number;
  endedDaysAgo?: number;
  scheduledDaysAgo: number;
  budget: string;
  cost: string;
  controlGroupShare: number;
  attributionWindowDays: number;
  /** Per mille of the sent members who responded, converted, opted out (drawn by a hash of campaign and customer). */
  respondedPerMille: number;
  convertedPerMille: number;
  optedOutPerMille: number;
}

const CAMPAIGNS: DemoCampaign[] = [
  {
    name: 'Spring espresso offer',
    goal: 'Sell a grinder or a second machine to growing and loyal customers',
    channel: 'EMAIL',
    stages: ['GROWING', 'LOYAL'],
    content: '15% off grinders and a free descaling kit with every espresso machine, until the end of April.',
    status: 'DONE',
    createdDaysAgo: 80,
    scheduledDaysAgo: 60,
    launchedDaysAgo: 60,
    endedDaysAgo: 25,
    budget: '2500.00',
    cost: '1850.00',
    controlGroupShare: 0.1,
    attributionWindowDays: 21,
    respondedPerMille: 90,
    convertedPerMille: 35,
    optedOutPerMille: 6,
  },
  {
    name: 'Win back lapsed buyers',
    goal: 'Bring declining and churned customers back with a voucher by post',
    channel: 'MAIL',
    stages: ['DECLINING', 'CHURNED'],
    content: 'A printed letter from their account manager with a €20 voucher on the next order over €100, valid for six weeks.',
    status: 'RUNNING',
    createdDaysAgo: 20,
    scheduledDaysAgo: 6,
    launchedDaysAgo: 6,
    budget: '1200.00',
    cost: '640.00',
    controlGroupShare: 0.2,
    attributionWindowDays: 42,
    respondedPerMille: 40,
    convertedPerMille: 12,
    optedOutPerMille: 3,
  },
  {
    name: 'Autumn tasting evening',
    goal: 'Invite VIP customers to the roastery’s tasting evening',
    channel: 'SMS',
    stages: [],
    content: 'Join us for a tasting of the new harvest on the last Friday of October, 7 pm at the roastery. Reply YES to book.',
    status: 'DRAFT',
    createdDaysAgo: 2,
    scheduledDaysAgo: -30,
    budget: '400.00',
    cost: '0.00',
    controlGroupShare: 0,
    attributionWindowDays: 14,
    respondedPerMille: 0,
    convertedPerMille: 0,
    optedOutPerMille: 0,
  },
];

/**
 * Demo campaigns: one done with responses and conversions (and the orders the customers happen to place in its window
 * attributed to it), one running, one draft. Members are written as a launch would write them (excluded with the
 * reason, a control group held out by a hash of campaign and customer); responses are drawn by the same hash, so
 * the same seed gives the same shape. Only into a database without campaigns; one statement per campaign.
 */
export async function seedCampaigns(query: Query, options: { now: Date; currency: string }): Promise<number> {
  const [{ n }] = await query(`SELECT count(*)::int AS n FROM campaigns`);
  if (n > 0) return 0;
  const now = options.now.getTime();
  const at = (daysAgo: number | undefined) => (daysAgo === undefined ? null : new Date(now - daysAgo * DAY));
  for (const c of CAMPAIGNS) {
    const audience = c.stages.length ? { lifecycleStage: { in: c.stages }, [`${c.channel.toLowerCase()}Consent`]: { eq: true } } : { tags: { has: 'vip' } };
    const [{ id }] = await query(
      `INSERT INTO campaigns (name, goal, channel, audience, content, scheduled_at, status, currency, budget, cost, control_group_share,
                              attribution_window_days, frequency_cap_days, launched_at, ended_at, created_at, updated_at, version)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 14, $13::timestamptz, $14::timestamptz, $15::timestamptz, coalesce($14::timestamptz, $13::timestamptz, $15::timestamptz), $16) RETURNING id::text`,
      [
        c.name, c.goal, c.channel, JSON.stringify(audience), c.content, at(c.scheduledDaysAgo), c.status, options.currency, c.budget, c.cost,
        c.controlGroupShare, c.attributionWindowDays, at(c.launchedDaysAgo), at(c.endedDaysAgo), at(c.createdDaysAgo), c.status === 'DRAFT' ? 1 : 4,
      ],
    );
    if (c.launchedDaysAgo === undefined) continue;
    const consent = `consent_${c.channel.toLowerCase()}_granted`;
    const control = Math.round(c.controlGroupShare * 1000);
    const [r, v, o] = [control + c.optedOutPerMille, control + c.optedOutPerMille + c.convertedPerMille, control + c.optedOutPerMille + c.convertedPerMille + c.respondedPerMille];
    await query(
      `WITH picked AS (
         SELECT c.id AS customer_id, k.launched_at,
                CASE WHEN c.erased_at IS NOT NULL THEN 'ERASED' WHEN c.deleted_at IS NOT NULL THEN 'DELETED' WHEN NOT c.${consent} THEN 'NO_CONSENT' END AS reason,
                abs(hashtext(k.id::text || ':' || c.id::text)) % 1000 AS h
           FROM campaigns k CROSS JOIN customers c JOIN lifecycle_stages ls ON ls.id = c.lifecycle_stage_id
          WHERE k.id = $1 AND ls.key = ANY($2::text[]) AND c.created_at < k.launched_at)
       INSERT INTO campaign_members (campaign_id, customer_id, status, excluded_reason, targeted_at, sent_at, responded_at, converted_at, opted_out_at, created_at, updated_at)
       SELECT $1, p.customer_id, s.status, s.reason, p.launched_at,
              CASE WHEN s.status <> 'EXCLUDED' THEN p.launched_at + interval '1 day' END,
              CASE WHEN s.status IN ('RESPONDED','CONVERTED') THEN least(p.launched_at + interval '1 day' + (p.h % 9 + 1) * interval '7 hours', $7::timestamptz) END,
              CASE WHEN s.status = 'CONVERTED' THEN least(p.launched_at + interval '1 day' + (p.h % 9 + 2) * interval '7 hours', $7::timestamptz) END,
              CASE WHEN s.status = 'OPTED_OUT' THEN least(p.launched_at + interval '1 day' + (p.h % 5 + 1) * interval '5 hours', $7::timestamptz) END,
              p.launched_at, p.launched_at
         FROM picked p
        CROSS JOIN LATERAL (SELECT CASE WHEN p.reason IS NOT NULL OR p.h < $3 THEN 'EXCLUDED'
                                        WHEN p.h < $4 THEN 'OPTED_OUT' WHEN p.h < $5 THEN 'CONVERTED' WHEN p.h < $6 THEN 'RESPONDED' ELSE 'SENT' END AS status,
                                   coalesce(p.reason, CASE WHEN p.h < $3 THEN 'CONTROL_GROUP' END) AS reason) s`,
      [id, c.stages, control, r, v, o, options.now],
    );
    // An opt-out withdrew the customer's consent on the channel, as recordCampaignResponse does.
    await query(
      `UPDATE customers c SET ${consent} = false, consent_${c.channel.toLowerCase()}_at = m.opted_out_at
         FROM campaign_members m WHERE m.campaign_id = $1 AND m.status = 'OPTED_OUT' AND c.id = m.customer_id`,
      [id],
    );
  }
  return CAMPAIGNS.length;
}
