// The job worker: which jobs exist, their schedules, and what a worker queues when it starts. `npm start` runs one in
// the API process (WORKER=true, the default); `npm run worker` runs one alone; any number share a database.

import { scheduleTriggeredSurveyTasks, SCHEDULE_SURVEY_TASKS_JOB } from '../survey/survey-tasks';
import { launchDueCampaigns, LAUNCH_DUE_CAMPAIGNS_JOB } from '../campaign/campaign.schedule';
import type { DataSource } from 'typeorm';
import type { Config } from '../core/config';
import { escalateOverdueComplaints, ESCALATE_OVERDUE_JOB } from '../complaint/complaint.escalation';
import { addJob, startJobWorker, type JobWorker } from '../core/jobs';
import { log } from '../core/logger';
import { expireLoyaltyPoints, EXPIRE_POINTS_JOB } from '../loyalty/loyalty.expiry';
import { fitModelIfDue, fitRequested } from '../insight/model/model-fitting';
import { FIT_MODEL_JOB, FIT_REQUESTED_JOB, RESCORE_JOB, RESCORE_STALE_JOB } from '../scoring/jobs';
import { rescoreRequested, rescoreStale } from '../scoring/rescore';
import { DISPATCH_EVENTS_JOB } from '../core/events';
import { DELIVER_WEBHOOKS_JOB, dispatchEvents } from '../event/event.dispatch';
import { deliverWebhooks, onWebhookDelivery } from '../event/webhook.delivery';
import { recordWebhookDelivery } from '../core/metrics';

/**
 * UTC times: scores count whole UTC days, so a new day rescores everyone just after midnight; hourly heals the rest.
 * Overdue complaints are escalated within five minutes of their due time. Loyalty points past their expiry are written
 * off once a day. Scheduled campaigns are launched within a minute of their time.
 */
export const CRONTAB = [
  `1 0 * * * ${RESCORE_STALE_JOB} ?id=new_day&jobKey=${RESCORE_STALE_JOB}`,
  `5 * * * * ${RESCORE_STALE_JOB} ?id=hourly_rescore&jobKey=${RESCORE_STALE_JOB}`,
  `17 * * * * ${FIT_MODEL_JOB} ?id=hourly_refit&jobKey=${FIT_MODEL_JOB}`,
  `*/5 * * * * ${ESCALATE_OVERDUE_JOB} ?id=escalate_overdue&jobKey=${ESCALATE_OVERDUE_JOB}`,
  `30 1 * * * ${EXPIRE_POINTS_JOB} ?id=expire_loyalty_points&jobKey=${EXPIRE_POINTS_JOB}`,
  `* * * * * ${LAUNCH_DUE_CAMPAIGNS_JOB} ?id=launch_due_campaigns&jobKey=${LAUNCH_DUE_CAMPAIGNS_JOB}`,
  `0 6 * * * ${SCHEDULE_SURVEY_TASKS_JOB} ?id=schedule_survey_tasks&jobKey=${SCHEDULE_SURVEY_TASKS_JOB}`,
].join('\n');

export async function startWorker(db: DataSource, config: Config, connectionString: string): Promise<JobWorker> {
  const currency = config.baseCurrency;
  const worker = await startJobWorker({
    connectionString,
    concurrency: config.workerConcurrency,
    crontab: config.scheduledJobs ? CRONTAB : '',
    tasks: {
      [DISPATCH_EVENTS_JOB]: async () => {
        await dispatchEvents(db);
      },
      [DELIVER_WEBHOOKS_JOB]: async (payload) => {
        await deliverWebhooks(db, config.webhooks, (payload as { subscriptionId: string }).subscriptionId);
      },
      [RESCORE_JOB]: async () => {
        await rescoreRequested(db, currency, config.referralValueShare);
      },
      [RESCORE_STALE_JOB]: async () => {
        await rescoreStale(db, currency, config.referralValueShare);
      },
      [FIT_MODEL_JOB]: async () => {
        await fitModelIfDue(db, currency, config.modelMaxAgeHours);
      },
      [FIT_REQUESTED_JOB]: async (payload) => {
        await fitRequested(db, currency, (payload as { requestId: string }).requestId);
      },
      // The payload may name the instant to judge at (tests, a backfill); the schedule's job judges at now.
      [ESCALATE_OVERDUE_JOB]: async (payload) => {
        const asOf = (payload as { asOf?: string } | null)?.asOf;
        await escalateOverdueComplaints(db, asOf ? new Date(asOf) : new Date());
      },
      [SCHEDULE_SURVEY_TASKS_JOB]: async (payload) => {
        const asOf = (payload as { asOf?: string } | null)?.asOf;
        await scheduleTriggeredSurveyTasks(db, asOf ? new Date(asOf) : new Date());
      },
      [LAUNCH_DUE_CAMPAIGNS_JOB]: async (payload) => {
        const asOf = (payload as { asOf?: string } | null)?.asOf;
        await launchDueCampaigns(db, config, asOf ? new Date(asOf) : new Date());
      },
      [EXPIRE_POINTS_JOB]: async (payload) => {
        const asOf = (payload as { asOf?: string } | null)?.asOf;
        await expireLoyaltyPoints(db, asOf ? new Date(asOf) : new Date());
      },
    },
  });
  // A fresh install with data fits its first model now, not at the next hour; a process started on a new UTC day
  // (or after scores were lost) rescores what is stale. Job keys make this safe with many workers starting at once.
  const [{ unfitted }]: Array<{ unfitted: boolean }> = await db.query(
    `SELECT NOT EXISTS (SELECT 1 FROM customer_model_fits WHERE active) AND EXISTS (SELECT 1 FROM orders) AS unfitted`,
  );
  if (unfitted) await addJob(db, FIT_MODEL_JOB, {}, { jobKey: FIT_MODEL_JOB });
  await addJob(db, RESCORE_STALE_JOB, {}, { jobKey: RESCORE_STALE_JOB });
  // Delivery outcomes go to /metrics (rapport_webhook_deliveries_total) for as long as this worker runs.
  const stopCounting = onWebhookDelivery((r) => recordWebhookDelivery(r.outcome, r.durationMs));
  log.info(`job worker started (${config.workerConcurrency} at a time${config.scheduledJobs ? ', with schedules' : ''})`);
  return {
    stop: async () => {
      stopCounting();
      await worker.stop();
    },
  };
}
