// Scheduled campaigns launch on their own: a graphile-worker job (LAUNCH_DUE_CAMPAIGNS_JOB, every minute by the crontab
// in src/server/worker.ts) launches each SCHEDULED campaign whose `scheduledAt` has come, never a timer in the API.

import type { DataSource } from 'typeorm';
import { AccessPolicy } from '../core/access';
import { SYSTEM } from '../core/actor';
import type { Config } from '../core/config';
import { Loaders } from '../core/loaders';
import { log } from '../core/logger';
import { CampaignService } from './campaign.service';

/** The job's name is stored in graphile_worker's tables: it never changes. */
export const LAUNCH_DUE_CAMPAIGNS_JOB = 'launch_due_campaigns';

export interface ScheduledLaunch {
  campaignId: string;
  targeted: number;
}

/**
 * Launches every campaign SCHEDULED for `asOf` or earlier, oldest schedule first, each in a transaction of its own and
 * through the same code as launchCampaign (members, exclusions, control group, audit), as the system actor: the whole
 * base, as an ADMIN or MANAGER launching it by hand would see it. Idempotent and safe with several workers (see
 * CampaignService.launchIfDue). A campaign whose saved audience no longer compiles stays SCHEDULED and is logged.
 */
export async function launchDueCampaigns(db: DataSource, config: Config, asOf: Date = new Date()): Promise<ScheduledLaunch[]> {
  const access = new AccessPolicy(SYSTEM);
  const campaigns = new CampaignService({ db, actor: SYSTEM, access, loaders: new Loaders(db, access), config, requestId: null });
  const due: Array<{ id: string }> = await db.query(
    `SELECT id FROM campaigns WHERE status = 'SCHEDULED' AND deleted_at IS NULL AND scheduled_at <= $1 ORDER BY scheduled_at, id`,
    [asOf],
  );
  const launched: ScheduledLaunch[] = [];
  for (const { id } of due) {
    const result = await campaigns.launchIfDue(id, asOf);
    if (!result) continue;
    if (result.campaign) launched.push({ campaignId: id, targeted: result.targeted });
    else log.warn('scheduled campaign not launched', { campaignId: id, userErrors: result.userErrors });
  }
  return launched;
}
