// Rapport's CRM playbook as data (practitioner rules of thumb, no paper): which contact each customer is due next, and through which consented channel.

import type { ChurnLevel } from './churn';
import type { LifecycleStage } from './lifecycle-rules';
import { MS_PER_DAY, utcDay } from './purchase-summary';
import type { RfmSegment } from './rfm';
import type { ValueTier } from './value-tier';

/** The playbook's contacts; the GraphQL enum `NextBestActionKind` is registered from this object. */
export const ACTION_KINDS = {
  RESOLVE_COMPLAINT: 'RESOLVE_COMPLAINT',
  THANK_YOU: 'THANK_YOU',
  WIN_BACK: 'WIN_BACK',
  SATISFACTION_SURVEY: 'SATISFACTION_SURVEY',
  BIRTHDAY_GREETING: 'BIRTHDAY_GREETING',
  HOLIDAY_GREETING: 'HOLIDAY_GREETING',
  UP_SELL: 'UP_SELL',
  CROSS_SELL: 'CROSS_SELL',
} as const;
export type ActionKind = (typeof ACTION_KINDS)[keyof typeof ACTION_KINDS];

export type Channel = 'EMAIL' | 'SMS' | 'PHONE' | 'MAIL';

/** Priority by kind, 1 = most urgent; the list is sorted by priority, then due date. */
export const ACTION_PRIORITY: Readonly<Record<ActionKind, number>> = {
  RESOLVE_COMPLAINT: 1,
  THANK_YOU: 2,
  WIN_BACK: 3,
  SATISFACTION_SURVEY: 4,
  BIRTHDAY_GREETING: 5,
  HOLIDAY_GREETING: 6,
  UP_SELL: 7,
  CROSS_SELL: 8,
};

/** Channel order per kind; the action goes through the first one the customer consented to. */
export const CHANNEL_PREFERENCE: Readonly<Record<ActionKind, readonly Channel[]>> = {
  RESOLVE_COMPLAINT: ['PHONE', 'EMAIL', 'SMS', 'MAIL'],
  THANK_YOU: ['EMAIL', 'SMS', 'MAIL', 'PHONE'],
  WIN_BACK: ['PHONE', 'EMAIL', 'MAIL', 'SMS'],
  SATISFACTION_SURVEY: ['EMAIL', 'SMS', 'PHONE', 'MAIL'],
  BIRTHDAY_GREETING: ['SMS', 'EMAIL', 'MAIL', 'PHONE'],
  HOLIDAY_GREETING: ['EMAIL', 'MAIL', 'SMS', 'PHONE'],
  UP_SELL: ['EMAIL', 'PHONE', 'MAIL', 'SMS'],
  CROSS_SELL: ['EMAIL', 'SMS', 'MAIL', 'PHONE'],
};

/**
 * Kinds listed even when the customer consented to no channel (channel null). Resolving a complaint is service the
 * customer asked for, not marketing: the owner answers through the channel the complaint came in. Every other
 * kind is outreach and is left out without a consented channel.
 */
export const ACTIONS_WITHOUT_CONSENT: readonly ActionKind[] = ['RESOLVE_COMPLAINT'];

/**
 * The reply to a complaint goes through the channel it came in on, consent or not: a customer who phoned is called
 * back, not emailed. Channels outside the consent vocabulary (chat, social, a visit…) have no `Channel`: the action's
 * channel is then null and `complaintChannel` names it.
 */
export const COMPLAINT_REPLY_CHANNEL: Readonly<Record<string, Channel>> = { EMAIL: 'EMAIL', PHONE: 'PHONE', SMS: 'SMS', DIRECT_MAIL: 'MAIL' };

/** The channel to answer a complaint through, from the channel it came in on (a touchpoint channel). */
export function complaintReplyChannel(cameInOn: string | null | undefined): Channel | null {
  return cameInOn ? COMPLAINT_REPLY_CHANNEL[cameInOn] ?? null : null;
}

export const PLAYBOOK = {
  /** A complaint should be answered within this many days of being opened. */
  complaintResponseDays: 2,
  /** Thank within this many days of a purchase… */
  thankYouDueDays: 2,
  /** …and not at all once the purchase is older than this. */
  thankYouStaleDays: 14,
  /** Survey the day after a service touchpoint… */
  surveyDueDays: 1,
  /** …unless the touchpoint is older than this. */
  surveyStaleDays: 30,
  /** Birthdays and holidays this many days ahead (today included) get a greeting. */
  greetingLookaheadDays: 14,
  /** Days to act on a win-back, up-sell or cross-sell opportunity. */
  winBackDueDays: 7,
  salesDueDays: 14,
  /** Cross-sell only categories with lift above this. */
  minCrossSellLift: 1,
} as const;

export interface OpenComplaint {
  id?: string;
  openedAt: Date;
  /** The channel it came in on (a touchpoint channel: EMAIL, PHONE, CHAT…); unknown: the preference order decides. */
  channel?: string | null;
  /** Its next service-level due time (the first response, once answered the resolution); unknown: the playbook's days. */
  dueAt?: Date | null;
}

export interface Holiday {
  name: string;
  date: Date;
}

/** A category to recommend (see recommendCategories), optionally with the bought category behind it. */
export interface CrossSellCandidate {
  category: string;
  lift: number;
  because?: string;
}

export interface NextBestActionInput {
  /** Lifecycle stage; when null, the RFM segment and churn level stand in for "slipping away" (isSlipping). */
  stage: LifecycleStage | null;
  segment: RfmSegment | null;
  valueTier: ValueTier | null;
  churnRisk: { probability: number | null; level: ChurnLevel | null } | null;
  lastPurchaseAt: Date | null;
  /** Latest THANK_YOU touchpoint. */
  lastThankYouAt: Date | null;
  openComplaints: readonly OpenComplaint[];
  /** Latest SERVICE touchpoint and latest SURVEY touchpoint. */
  lastServiceAt: Date | null;
  lastSurveyAt: Date | null;
  /** Latest GREETING touchpoint with the customer (not with one of their contacts); absent: none. */
  lastGreetingAt?: Date | null;
  /** month 1–12, day 1–31. */
  birthday: { month: number; day: number } | null;
  upcomingHolidays: readonly Holiday[];
  consentedChannels: readonly Channel[];
  predictedClv: number | null;
  /** Population median of predicted CLV. */
  medianPredictedClv: number | null;
  /** Realised value to date, and its population median. */
  historicalValue: number | null;
  medianHistoricalValue: number | null;
  crossSellCandidates: readonly CrossSellCandidate[];
}

export interface NextBestAction {
  kind: ActionKind;
  /** 1 = most urgent (ACTION_PRIORITY). */
  priority: number;
  reason: string;
  /** When the action should be done; a date in the past means overdue. */
  dueAt: Date;
  channel: Channel | null;
  /** For RESOLVE_COMPLAINT: the channel the complaint came in on, as a touchpoint channel (null for other kinds). */
  complaintChannel: string | null;
  /** The complaint, holiday or category the action is about, when there is one. */
  subject: string | null;
}

const addDays = (at: Date, days: number): Date => new Date(at.getTime() + days * MS_PER_DAY);
const dayStart = (day: number): Date => new Date(day * MS_PER_DAY);
const isoDay = (at: Date): string => at.toISOString().slice(0, 10);

/**
 * Valuable = predicted or realised value above the population median. When neither comparison can be made, the
 * value tier decides (any tier but MONITOR is above a median on one axis); with no tier either, not valuable:
 * no spend without evidence.
 */
export function isValuable(
  input: Pick<NextBestActionInput, 'predictedClv' | 'medianPredictedClv' | 'historicalValue' | 'medianHistoricalValue' | 'valueTier'>,
): boolean {
  const known = (v: number | null, m: number | null): boolean => v !== null && m !== null;
  const above = (v: number | null, m: number | null): boolean => v !== null && m !== null && v > m;
  if (known(input.predictedClv, input.medianPredictedClv) || known(input.historicalValue, input.medianHistoricalValue)) {
    return above(input.predictedClv, input.medianPredictedClv) || above(input.historicalValue, input.medianHistoricalValue);
  }
  return input.valueTier !== null && input.valueTier !== 'MONITOR';
}

/**
 * Slipping away: DECLINING or CHURNED stage; an AT_RISK or CANT_LOSE segment whatever the stage says (they bought
 * often and have been silent long: the stage may lag the purchases, and the seeds ask to win these back); or, when no
 * stage is known, HIGH churn risk. The segment is trusted over the models here: BG/NBD reads a frequent buyer's long
 * silence as dropout and expects almost nothing of them (on CDNOW's 39-week holdout 2% of CANT_LOSE were expected to
 * buy and 33% did; modelDiagnostics { churn { bySegment { buyRate predictedBuyRate } } } shows it on any data).
 */
export function isSlipping(input: Pick<NextBestActionInput, 'stage' | 'segment' | 'churnRisk'>): boolean {
  if (input.segment === 'AT_RISK' || input.segment === 'CANT_LOSE') return true;
  if (input.stage !== null) return input.stage === 'DECLINING' || input.stage === 'CHURNED';
  return input.churnRisk?.level === 'HIGH';
}

/** Next occurrence of a birthday on or after the UTC day of `now`; 29 February falls on 28 February in other years. */
export function nextBirthday(birthday: { month: number; day: number }, now: Date): Date {
  const today = utcDay(now);
  for (let year = now.getUTCFullYear(); ; year++) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const day = birthday.month === 2 && birthday.day === 29 && !leap ? 28 : birthday.day;
    const at = new Date(Date.UTC(year, birthday.month - 1, day));
    if (utcDay(at) >= today) return at;
  }
}

/**
 * The actions due for one customer, most urgent first. Beyond the per-kind rules:
 * - while a complaint is open there is no selling (WIN_BACK, UP_SELL, CROSS_SELL): fix the problem first;
 * - a CHURNED customer who is not valuable gets no marketing spend (no win-back, greetings or selling); service
 *   duties (complaints, thank-you, survey) still apply.
 */
export function nextBestActions(input: NextBestActionInput, now: Date): NextBestAction[] {
  const actions: NextBestAction[] = [];
  const consented = new Set(input.consentedChannels);
  const add = (kind: ActionKind, reason: string, dueAt: Date, subject: string | null = null, cameInOn: string | null = null): void => {
    const channel = cameInOn ? complaintReplyChannel(cameInOn) : CHANNEL_PREFERENCE[kind].find((c) => consented.has(c)) ?? null;
    if (channel === null && !ACTIONS_WITHOUT_CONSENT.includes(kind)) return;
    actions.push({ kind, priority: ACTION_PRIORITY[kind], reason, dueAt, channel, complaintChannel: cameInOn, subject });
  };
  const daysAgo = (at: Date): number => Math.floor((now.getTime() - at.getTime()) / MS_PER_DAY);
  const valuable = isValuable(input);
  const noMarketing = input.stage === 'CHURNED' && !valuable;
  const noSelling = noMarketing || input.openComplaints.length > 0;

  for (const complaint of input.openComplaints) {
    add(
      'RESOLVE_COMPLAINT',
      `Complaint open since ${isoDay(complaint.openedAt)} (${daysAgo(complaint.openedAt)} days)`,
      complaint.dueAt ?? addDays(complaint.openedAt, PLAYBOOK.complaintResponseDays),
      complaint.id ?? null,
      complaint.channel ?? null,
    );
  }

  const purchase = input.lastPurchaseAt;
  if (
    purchase &&
    purchase.getTime() <= now.getTime() &&
    daysAgo(purchase) <= PLAYBOOK.thankYouStaleDays &&
    !(input.lastThankYouAt && input.lastThankYouAt.getTime() >= purchase.getTime())
  ) {
    add('THANK_YOU', `Purchase on ${isoDay(purchase)} not thanked yet`, addDays(purchase, PLAYBOOK.thankYouDueDays));
  }

  if (
    input.lastServiceAt &&
    daysAgo(input.lastServiceAt) <= PLAYBOOK.surveyStaleDays &&
    !(input.lastSurveyAt && input.lastSurveyAt.getTime() >= input.lastServiceAt.getTime())
  ) {
    add(
      'SATISFACTION_SURVEY',
      `Service contact on ${isoDay(input.lastServiceAt)} without a survey since`,
      addDays(input.lastServiceAt, PLAYBOOK.surveyDueDays),
    );
  }

  if (isSlipping(input) && valuable && !noSelling) {
    const basis =
      input.predictedClv !== null && input.medianPredictedClv !== null && input.predictedClv > input.medianPredictedClv
        ? 'predicted value above the median'
        : input.historicalValue !== null && input.medianHistoricalValue !== null && input.historicalValue > input.medianHistoricalValue
          ? 'past value above the median'
          : `value tier ${input.valueTier}`;
    const who =
      input.stage === 'CHURNED' ? 'Churned' : input.stage === 'DECLINING' ? 'Declining' : input.segment === 'CANT_LOSE' ? 'Once-frequent, long-silent (can’t lose)' : 'At-risk';
    add('WIN_BACK', `${who} customer with ${basis}`, addDays(now, PLAYBOOK.winBackDueDays));
  }

  // An occasion is greeted by a GREETING logged from the lookahead before its day up to the end of the day.
  const greetedFor = (occasion: Date): boolean =>
    !!input.lastGreetingAt && utcDay(input.lastGreetingAt) >= utcDay(occasion) - PLAYBOOK.greetingLookaheadDays && utcDay(input.lastGreetingAt) <= utcDay(occasion);
  if (!noMarketing) {
    const today = utcDay(now);
    if (input.birthday) {
      const at = nextBirthday(input.birthday, now);
      const inDays = utcDay(at) - today;
      if (inDays <= PLAYBOOK.greetingLookaheadDays && !greetedFor(at)) {
        add('BIRTHDAY_GREETING', inDays === 0 ? 'Birthday today' : `Birthday in ${inDays} days (${isoDay(at)})`, at);
      }
    }
    for (const holiday of input.upcomingHolidays) {
      const inDays = utcDay(holiday.date) - today;
      if (inDays >= 0 && inDays <= PLAYBOOK.greetingLookaheadDays && !greetedFor(holiday.date)) {
        add('HOLIDAY_GREETING', `${holiday.name} on ${isoDay(holiday.date)}`, dayStart(utcDay(holiday.date)), holiday.name);
      }
    }
  }

  if (!noSelling) {
    if (input.stage === 'LOYAL') {
      add('UP_SELL', 'Loyal customer: offer a higher tier or premium range', addDays(now, PLAYBOOK.salesDueDays));
    }
    const sellingStage = input.stage === null || input.stage === 'ONBOARDING' || input.stage === 'GROWING' || input.stage === 'LOYAL';
    const best = [...input.crossSellCandidates]
      .filter((c) => c.lift > PLAYBOOK.minCrossSellLift)
      .sort((a, b) => b.lift - a.lift || a.category.localeCompare(b.category))[0];
    if (sellingStage && best) {
      add(
        'CROSS_SELL',
        best.because
          ? `Buyers of ${best.because} are ${best.lift.toFixed(1)}× as likely as average to buy ${best.category}`
          : `${best.category} goes with past purchases (lift ${best.lift.toFixed(1)})`,
        addDays(now, PLAYBOOK.salesDueDays),
        best.category,
      );
    }
  }

  return actions.sort(
    (x, y) =>
      x.priority - y.priority || x.dueAt.getTime() - y.dueAt.getTime() || (x.subject ?? '').localeCompare(y.subject ?? ''),
  );
}
