import { nextBestActions, nextBirthday, type NextBestActionInput } from '../../src/intelligence/next-best-actions';

const now = new Date('2024-06-10T12:00:00Z');
const daysAgo = (d: number): Date => new Date(now.getTime() - d * 86_400_000);
const day = (iso: string): Date => new Date(`${iso}T00:00:00Z`);

// A growing customer with nothing pending.
const calm: NextBestActionInput = {
  stage: 'GROWING',
  segment: 'POTENTIAL_LOYALIST',
  valueTier: 'DEVELOP',
  churnRisk: { probability: 0.1, level: 'LOW' },
  lastPurchaseAt: daysAgo(40),
  lastThankYouAt: daysAgo(39),
  openComplaints: [],
  lastServiceAt: null,
  lastSurveyAt: null,
  birthday: null,
  upcomingHolidays: [],
  consentedChannels: ['EMAIL', 'SMS', 'PHONE', 'MAIL'],
  predictedClv: 120,
  medianPredictedClv: 100,
  historicalValue: 50,
  medianHistoricalValue: 80,
  crossSellCandidates: [],
};
const kinds = (input: NextBestActionInput): string[] => nextBestActions(input, now).map((a) => a.kind);

describe('next best actions', () => {
  it('suggest nothing when nothing is due', () => {
    expect(nextBestActions(calm, now)).toEqual([]);
  });

  it('put resolving open complaints first, one per complaint, due two days after opening, by phone', () => {
    const actions = nextBestActions(
      { ...calm, lastPurchaseAt: daysAgo(1), lastThankYouAt: null, openComplaints: [{ id: 'c1', openedAt: daysAgo(5) }] },
      now,
    );
    expect(actions.map((a) => a.kind)).toEqual(['RESOLVE_COMPLAINT', 'THANK_YOU']);
    expect(actions[0]).toEqual({
      kind: 'RESOLVE_COMPLAINT',
      priority: 1,
      reason: 'Complaint open since 2024-06-05 (5 days)',
      dueAt: daysAgo(3),
      channel: 'PHONE',
      complaintChannel: null,
      subject: 'c1',
    });
  });

  it('put a complaint with a service level due at that level instead of the playbook’s two days', () => {
    const dueAt = new Date(daysAgo(5).getTime() + 8 * 3_600_000);
    const [action] = nextBestActions({ ...calm, openComplaints: [{ id: 'c2', openedAt: daysAgo(5), dueAt }] }, now);
    expect(action).toMatchObject({ kind: 'RESOLVE_COMPLAINT', dueAt });
  });

  it('answer a complaint through the channel it came in on, whatever the consents', () => {
    const base = { ...calm, consentedChannels: ['EMAIL'] as const };
    const reply = (channel: string) => nextBestActions({ ...base, openComplaints: [{ id: 'c', openedAt: daysAgo(1), channel }] }, now)[0];
    expect(reply('PHONE')).toMatchObject({ kind: 'RESOLVE_COMPLAINT', channel: 'PHONE', complaintChannel: 'PHONE' });
    expect(reply('DIRECT_MAIL')).toMatchObject({ channel: 'MAIL', complaintChannel: 'DIRECT_MAIL' });
    // A chat complaint has no consent channel to name: the action says where it came in.
    expect(reply('CHAT')).toMatchObject({ channel: null, complaintChannel: 'CHAT' });
  });

  it('thank a purchase not yet thanked, due two days after it, and not once it is two weeks old', () => {
    const actions = nextBestActions({ ...calm, lastPurchaseAt: daysAgo(1), lastThankYouAt: daysAgo(30) }, now);
    expect(actions).toEqual([
      expect.objectContaining({ kind: 'THANK_YOU', priority: 2, dueAt: new Date(daysAgo(1).getTime() + 2 * 86_400_000), channel: 'EMAIL' }),
    ]);
    expect(kinds({ ...calm, lastPurchaseAt: daysAgo(1), lastThankYouAt: daysAgo(0) })).toEqual([]);
    expect(kinds({ ...calm, lastPurchaseAt: daysAgo(15), lastThankYouAt: null })).toEqual([]);
  });

  it('greet a birthday within the next 14 days on the day itself', () => {
    const actions = nextBestActions({ ...calm, birthday: { month: 6, day: 20 } }, now);
    expect(actions).toEqual([expect.objectContaining({ kind: 'BIRTHDAY_GREETING', dueAt: day('2024-06-20'), channel: 'SMS', reason: 'Birthday in 10 days (2024-06-20)' })]);
    expect(kinds({ ...calm, birthday: { month: 6, day: 10 } })).toEqual(['BIRTHDAY_GREETING']);
    expect(kinds({ ...calm, birthday: { month: 6, day: 25 } })).toEqual([]);
    expect(kinds({ ...calm, birthday: { month: 6, day: 9 } })).toEqual([]);
  });

  it('place a 29 February birthday on 28 February in other years', () => {
    expect(nextBirthday({ month: 2, day: 29 }, day('2025-02-20'))).toEqual(day('2025-02-28'));
    expect(nextBirthday({ month: 2, day: 29 }, day('2024-02-20'))).toEqual(day('2024-02-29'));
    expect(nextBirthday({ month: 1, day: 5 }, day('2024-12-30'))).toEqual(day('2025-01-05'));
  });

  it('greet holidays in the next 14 days, one action each', () => {
    const upcomingHolidays = [
      { name: 'Midsummer', date: day('2024-06-21') },
      { name: 'Christmas', date: day('2024-12-25') },
      { name: 'Whit Monday', date: day('2024-05-20') },
    ];
    expect(nextBestActions({ ...calm, upcomingHolidays }, now)).toEqual([
      expect.objectContaining({ kind: 'HOLIDAY_GREETING', subject: 'Midsummer', dueAt: day('2024-06-21'), channel: 'EMAIL' }),
    ]);
  });

  it('survey satisfaction after a service contact with no survey since', () => {
    expect(kinds({ ...calm, lastServiceAt: daysAgo(3), lastSurveyAt: daysAgo(60) })).toEqual(['SATISFACTION_SURVEY']);
    expect(kinds({ ...calm, lastServiceAt: daysAgo(3), lastSurveyAt: daysAgo(1) })).toEqual([]);
    expect(kinds({ ...calm, lastServiceAt: daysAgo(45), lastSurveyAt: null })).toEqual([]);
  });

  it('cross-sell the category with the highest lift above 1', () => {
    const actions = nextBestActions(
      {
        ...calm,
        crossSellCandidates: [
          { category: 'Jazz', lift: 1.4 },
          { category: 'Classical', lift: 2.3, because: 'Opera' },
          { category: 'Pop', lift: 0.9 },
        ],
      },
      now,
    );
    expect(actions).toEqual([
      expect.objectContaining({
        kind: 'CROSS_SELL',
        subject: 'Classical',
        reason: 'Buyers of Opera are 2.3× as likely as average to buy Classical',
      }),
    ]);
    expect(kinds({ ...calm, crossSellCandidates: [{ category: 'Pop', lift: 0.9 }] })).toEqual([]);
  });

  it('up-sell loyal customers', () => {
    expect(kinds({ ...calm, stage: 'LOYAL' })).toEqual(['UP_SELL']);
  });

  it('win back valuable declining or churned customers, by phone first', () => {
    const actions = nextBestActions({ ...calm, stage: 'CHURNED' }, now);
    expect(actions).toEqual([
      expect.objectContaining({ kind: 'WIN_BACK', priority: 3, channel: 'PHONE', reason: 'Churned customer with predicted value above the median' }),
    ]);
    expect(kinds({ ...calm, stage: 'DECLINING', predictedClv: 10, historicalValue: 500 })).toEqual(['WIN_BACK']);
  });

  it('spend nothing on low-value churned customers: no win-back, greetings or selling — but complaints still get resolved', () => {
    const lowValueChurned: NextBestActionInput = {
      ...calm,
      stage: 'CHURNED',
      predictedClv: 5,
      historicalValue: 10,
      birthday: { month: 6, day: 12 },
      upcomingHolidays: [{ name: 'Midsummer', date: day('2024-06-21') }],
      crossSellCandidates: [{ category: 'Jazz', lift: 3 }],
    };
    expect(kinds(lowValueChurned)).toEqual([]);
    expect(kinds({ ...lowValueChurned, openComplaints: [{ openedAt: daysAgo(1) }] })).toEqual(['RESOLVE_COMPLAINT']);
  });

  it('hold back selling while a complaint is open', () => {
    const actions = kinds({ ...calm, stage: 'LOYAL', crossSellCandidates: [{ category: 'Jazz', lift: 3 }], openComplaints: [{ openedAt: daysAgo(1) }] });
    expect(actions).toEqual(['RESOLVE_COMPLAINT']);
  });

  it('use the first consented channel in each kind’s order, and drop outreach without consent', () => {
    const busy: NextBestActionInput = {
      ...calm,
      stage: 'LOYAL',
      lastPurchaseAt: daysAgo(1),
      lastThankYouAt: null,
      openComplaints: [],
      birthday: { month: 6, day: 12 },
    };
    const channels = (consentedChannels: NextBestActionInput['consentedChannels']): string[] =>
      nextBestActions({ ...busy, consentedChannels }, now).map((a) => `${a.kind}:${a.channel}`);
    expect(channels(['MAIL', 'PHONE'])).toEqual(['THANK_YOU:MAIL', 'BIRTHDAY_GREETING:MAIL', 'UP_SELL:PHONE']);
    expect(channels(['SMS'])).toEqual(['THANK_YOU:SMS', 'BIRTHDAY_GREETING:SMS', 'UP_SELL:SMS']);
    expect(channels([])).toEqual([]);
    // Answering a complaint is service, not marketing: listed without consent, channel left to the owner.
    expect(nextBestActions({ ...busy, consentedChannels: [], openComplaints: [{ openedAt: daysAgo(1) }] }, now)).toEqual([
      expect.objectContaining({ kind: 'RESOLVE_COMPLAINT', channel: null }),
    ]);
  });

  it('sort by priority, then due date', () => {
    const actions = nextBestActions(
      {
        ...calm,
        stage: 'LOYAL',
        lastPurchaseAt: daysAgo(1),
        lastThankYouAt: null,
        lastServiceAt: daysAgo(2),
        birthday: { month: 6, day: 12 },
        upcomingHolidays: [
          { name: 'B', date: day('2024-06-20') },
          { name: 'A', date: day('2024-06-15') },
        ],
        crossSellCandidates: [{ category: 'Jazz', lift: 2 }],
        openComplaints: [{ id: 'late', openedAt: daysAgo(1) }, { id: 'early', openedAt: daysAgo(4) }],
      },
      now,
    );
    expect(actions.map((a) => `${a.kind}${a.subject ? `:${a.subject}` : ''}`)).toEqual([
      'RESOLVE_COMPLAINT:early',
      'RESOLVE_COMPLAINT:late',
      'THANK_YOU',
      'SATISFACTION_SURVEY',
      'BIRTHDAY_GREETING',
      'HOLIDAY_GREETING:A',
      'HOLIDAY_GREETING:B',
    ]);
    expect(actions.map((a) => a.priority)).toEqual([1, 1, 2, 4, 5, 6, 6]);
  });

  it('fall back on the segment and value tier when stage and medians are unknown', () => {
    const unknown = { ...calm, stage: null, predictedClv: null, medianPredictedClv: null, historicalValue: null, medianHistoricalValue: null };
    expect(kinds({ ...unknown, segment: 'CANT_LOSE', valueTier: 'KEY' })).toEqual(['WIN_BACK']);
    expect(kinds({ ...unknown, segment: 'CANT_LOSE', valueTier: 'MONITOR' })).toEqual([]);
    expect(kinds({ ...unknown, segment: 'CANT_LOSE', valueTier: null })).toEqual([]);
  });

  it('win back a once-frequent, long-silent customer whose stage has not caught up, when their past value is above the median', () => {
    // CANT_LOSE: the model expects little (predicted CLV below the median), the stage still says GROWING.
    const silent = { ...calm, segment: 'CANT_LOSE' as const, stage: 'GROWING' as const, predictedClv: 3, historicalValue: 400 };
    const [action] = nextBestActions(silent, now).filter((a) => a.kind === 'WIN_BACK');
    expect(action.reason).toBe('Once-frequent, long-silent (can’t lose) customer with past value above the median');
    expect(action.channel).toBe('PHONE');
    expect(kinds({ ...silent, segment: 'AT_RISK' })).toContain('WIN_BACK');
    // Below the median on both axes: no spend without evidence, whatever the segment.
    expect(kinds({ ...silent, historicalValue: 10 })).not.toContain('WIN_BACK');
    expect(kinds({ ...silent, segment: 'POTENTIAL_LOYALIST' })).not.toContain('WIN_BACK');
  });
});
