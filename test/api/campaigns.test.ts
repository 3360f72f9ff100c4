import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { LAUNCH_DUE_CAMPAIGNS_JOB } from '../../src/campaign/campaign.schedule';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { addJob } from '../../src/core/jobs';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * Campaigns through the API: every mutation's happy path and refusals (typed userErrors, nothing written), who is
 * left out at launch and why, the control group's draw, attribution, ROI and lift against figures worked out by hand
 * (orders placed at chosen past instants; the send moved into the past in the database, never waiting on a clock),
 * opt-outs withdrawing consent, a rep's view of the members, the audit log, and the members page's statement count.
 */

let app: TestApp;
let repA: GraphQLCaller;
let analyst: GraphQLCaller;
const users = { repA: '', repB: '' };
const DAY = 86_400_000;
const NOW = Date.now();
const iso = (t: number) => new Date(t).toISOString();
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;

const UE = 'userErrors { field code message }';
const CAMPAIGN = `id name status version channel audience controlGroupShare attributionWindowDays frequencyCapDays cost { amount currencyCode } budget { amount } launchedAt scheduledAt`;
const CREATE = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { ${CAMPAIGN} } ${UE} } }`;
const UPDATE = `mutation($input: UpdateCampaignInput!) { updateCampaign(input: $input) { campaign { ${CAMPAIGN} } ${UE} } }`;
const STATUS = `mutation($input: SetCampaignStatusInput!) { setCampaignStatus(input: $input) { campaign { ${CAMPAIGN} } ${UE} } }`;
const LAUNCH = `mutation($input: CampaignIdInput!) { launchCampaign(input: $input) { campaign { ${CAMPAIGN} } targeted excluded { reason count } ${UE} } }`;
const DELETE = `mutation($input: CampaignIdInput!) { deleteCampaign(input: $input) { campaign { id } ${UE} } }`;
const SENT = `mutation($input: MarkCampaignSentInput!) { markCampaignSent(input: $input) { campaign { id } sent ${UE} } }`;
const RESPOND = `mutation($input: RecordCampaignResponseInput!) { recordCampaignResponse(input: $input) { member { id status respondedAt convertedAt optedOutAt } ${UE} } }`;
const HAND = `mutation($input: HandResponderToSalesInput!) { handResponderToSales(input: $input) { tasks skippedWithoutOwner ${UE} } }`;
const MEMBERS = `query($id: ID!, $first: Int, $filter: CampaignMemberFilter) { campaign(id: $id) { members(first: $first, filter: $filter) { totalCount nodes { id status excludedReason sentAt customer { id name } } } } }`;
const STATS = `query($id: ID!) { campaignStats(id: $id) { targeted excluded { reason count } sent responses responseRate conversions conversionRate optedOut
  attributedRevenue { amount currencyCode } attributedMargin { amount } cost { amount } costPerResponse { amount } roi controlGroup controlConversions controlConversionRate lift relativeLift } }`;

type Payload = { userErrors: Array<{ field: string[]; code: string; message: string }>; [k: string]: any };
async function call(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<Payload> {
  return Object.values(await caller.ok(mutation, { input }))[0] as Payload;
}
async function ok(mutation: string, input: Record<string, unknown>): Promise<Payload> {
  const p = await call(app, mutation, input);
  expect(p.userErrors).toEqual([]);
  return p;
}
const codes = (p: Payload) => p.userErrors.map((e) => [e.field.join('.'), e.code]);

/** The campaign tables, the customers' consent, tasks and the audit log: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM campaigns) AS c,
           (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM campaign_members) AS m,
           (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM customers) AS cu,
           (SELECT count(*) FROM tasks) AS t,
           (SELECT count(*) FROM audit_events) AS a`);
  return JSON.stringify(row);
}

async function customer(name: string, tag: string, extra: Record<string, unknown> = {}): Promise<string> {
  const p = await ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, {
    name,
    tags: [tag],
    ownerId: toGlobalId('User', users.repA),
    consents: [{ channel: 'EMAIL', granted: true }],
    ...extra,
  });
  return p.customer.id;
}
async function newCampaign(input: Record<string, unknown> = {}): Promise<any> {
  return (await ok(CREATE, { name: 'Spring espresso offer', channel: 'EMAIL', audience: {}, ...input })).campaign;
}
async function launched(input: Record<string, unknown>): Promise<any> {
  const c = await newCampaign(input);
  return ok(LAUNCH, { id: c.id });
}
/** Moves the launch into the past, so that a send (and orders after it) can lie in the past too. */
async function launchedAgo(id: string, days: number): Promise<void> {
  await app.db.query(`UPDATE campaigns SET launched_at = $2 WHERE id = $1`, [uuid(id), new Date(NOW - days * DAY)]);
}
async function members(id: string): Promise<Array<{ id: string; status: string; excludedReason: string | null; customer: { id: string; name: string } }>> {
  return (await app.ok(MEMBERS, { id, first: 100 })).campaign.members.nodes;
}
async function order(customerId: string, placedAt: number, price: string, cost: string, status = 'PAID'): Promise<void> {
  await ok(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } ${UE} } }`, {
    customerId,
    placedAt: iso(placedAt),
    status,
    lines: [{ description: 'Espresso machine', quantity: 1, unitPrice: price, unitCost: cost }],
  });
}

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string, role: string) => insertStaff(app.db, name, role);
  users.repA = await user('Rita Rep', 'SALES_REP');
  users.repB = await user('Ben Rep', 'SALES_REP');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  analyst = await app.as({ role: 'ANALYST', userId: await user('Anil Analyst', 'ANALYST') });
});
afterAll(() => app.close());

describe('createCampaign and updateCampaign', () => {
  it('creates a DRAFT with its audience stored as given, the money exact in the base currency, and an audit event', async () => {
    const c = await newCampaign({ audience: { tags: { has: 'vip' }, segment: { in: ['AT_RISK'] } }, budget: '1200.50', cost: '300', controlGroupShare: 0.1, attributionWindowDays: 14, frequencyCapDays: 7 });
    expect(c).toMatchObject({
      status: 'DRAFT',
      version: 1,
      audience: { tags: { has: 'vip' }, segment: { in: ['AT_RISK'] } },
      budget: { amount: '1200.50' },
      cost: { amount: '300.00', currencyCode: app.config.baseCurrency },
      controlGroupShare: 0.1,
      attributionWindowDays: 14,
      frequencyCapDays: 7,
      launchedAt: null,
    });
    const [audit] = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1`, [uuid(c.id)]);
    expect(audit).toEqual({ action: 'campaign.create' });
  });

  it('refuses bad input with typed userErrors at each field, a bad audience at input.audience, and writes nothing', async () => {
    const before = await fingerprint();
    const p = await call(app, CREATE, {
      name: '  ',
      channel: 'SMS',
      audience: { owner: { eq: 'not-an-id' } },
      cost: '-1',
      budget: '0.001',
      controlGroupShare: 0.6,
      attributionWindowDays: 0,
      frequencyCapDays: 400,
      content: 'a\u0000b',
    });
    expect(codes(p)).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.audience', 'INVALID'],
      ['input.content', 'INVALID'],
      ['input.budget', 'INVALID'],
      ['input.cost', 'OUT_OF_RANGE'],
      ['input.controlGroupShare', 'OUT_OF_RANGE'],
      ['input.attributionWindowDays', 'OUT_OF_RANGE'],
      ['input.frequencyCapDays', 'OUT_OF_RANGE'],
    ]);
    expect(p.campaign).toBeNull();
    const dated = await call(app, CREATE, { name: 'Old', channel: 'EMAIL', audience: { createdAt: { gt: '0000-01-01T00:00:00Z' } } });
    expect(codes(dated)).toEqual([['input.audience', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
  });

  it('updates what may change, refuses a stale version and launch-fixed fields after the launch', async () => {
    const c = await newCampaign();
    const u = (await ok(UPDATE, { id: c.id, expectedVersion: 1, name: 'Renamed', channel: 'MAIL', audience: { tags: { has: 'none-such' } }, cost: '10' })).campaign;
    expect(u).toMatchObject({ name: 'Renamed', channel: 'MAIL', version: 2, cost: { amount: '10.00' }, audience: { tags: { has: 'none-such' } } });
    const before = await fingerprint();
    expect(codes(await call(app, UPDATE, { id: c.id, expectedVersion: 1, name: 'Again' }))).toEqual([['input.expectedVersion', 'CONFLICT']]);
    expect(codes(await call(app, UPDATE, { id: toGlobalId('Campaign', '00000000-0000-4000-8000-000000000000'), name: 'X' }))).toEqual([['input.id', 'NOT_FOUND']]);
    expect(codes(await call(app, UPDATE, { id: 'nope', name: 'X' }))).toEqual([['input.id', 'INVALID_ID']]);
    expect(await fingerprint()).toBe(before);
    await ok(LAUNCH, { id: c.id });
    const after = await fingerprint();
    expect(codes(await call(app, UPDATE, { id: c.id, channel: 'EMAIL', controlGroupShare: 0.2 }))).toEqual([['input.channel', 'INVALID'], ['input.controlGroupShare', 'INVALID']]);
    expect(await fingerprint()).toBe(after);
    // The cost comes in after the launch.
    expect((await ok(UPDATE, { id: c.id, cost: '99.90' })).campaign.cost).toEqual({ amount: '99.90', currencyCode: app.config.baseCurrency });
  });

  it('moves through the allowed statuses only, and deletes drafts only', async () => {
    const c = await newCampaign();
    expect(codes(await call(app, STATUS, { id: c.id, status: 'SCHEDULED' }))).toEqual([['input.status', 'INVALID']]);
    await ok(UPDATE, { id: c.id, scheduledAt: iso(NOW + 7 * DAY) });
    expect((await ok(STATUS, { id: c.id, status: 'SCHEDULED' })).campaign.status).toBe('SCHEDULED');
    expect(codes(await call(app, STATUS, { id: c.id, status: 'RUNNING' }))).toEqual([['input.status', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, STATUS, { id: c.id, status: 'DONE' }))).toEqual([['input.status', 'INVALID_TRANSITION']]);
    expect((await ok(LAUNCH, { id: c.id })).campaign.status).toBe('RUNNING');
    expect(codes(await call(app, LAUNCH, { id: c.id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, DELETE, { id: c.id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect((await ok(STATUS, { id: c.id, status: 'DONE' })).campaign.status).toBe('DONE');
    expect(codes(await call(app, STATUS, { id: c.id, status: 'CANCELLED' }))).toEqual([['input.status', 'INVALID_TRANSITION']]);

    const cancelled = (await ok(STATUS, { id: (await newCampaign()).id, status: 'CANCELLED' })).campaign;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', launchedAt: null });
    expect(codes(await call(app, UPDATE, { id: cancelled.id, name: 'Revived' }))).toEqual([['input.id', 'INVALID_TRANSITION']]);

    const draft = await newCampaign();
    await ok(DELETE, { id: draft.id });
    expect((await app.ok(`query($id: ID!) { campaign(id: $id) { id } }`, { id: draft.id })).campaign).toBeNull();
    expect(codes(await call(app, DELETE, { id: draft.id }))).toEqual([['input.id', 'NOT_FOUND']]);
  });

  it('answers hostile input with userErrors or a refusal of the request, never a fault, and writes nothing when refused', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          name: fc.string({ maxLength: 300 }),
          goal: fc.option(fc.string({ maxLength: 600 }), { nil: undefined }),
          cost: fc.option(fc.oneof(fc.constantFrom('0', '1.5', '-3', '1e3', '99999999999999', '0.12345'), fc.string({ maxLength: 20 })), { nil: undefined }),
          controlGroupShare: fc.option(fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, 0.5, 0.25, 0.12345)), { nil: undefined }),
          attributionWindowDays: fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: undefined }),
          audience: fc.constantFrom({}, { name: { contains: '%_\\' } }, { not: { tags: { isEmpty: true } } }, { id: { eq: 'garbage' } }, { churnProbability: { gt: 0.5 } }),
        }),
        async (input) => {
          const before = await fingerprint();
          const res = await app.gql<any>(CREATE, { input: { channel: 'PHONE', ...input } });
          if (res.errors) {
            expect(res.errors.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
            expect(await fingerprint()).toBe(before);
            return;
          }
          const p = res.data.createCampaign;
          if (p.userErrors.length) {
            expect(p.campaign).toBeNull();
            expect(await fingerprint()).toBe(before);
          } else expect(p.campaign.status).toBe('DRAFT');
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe('launchCampaign', () => {
  it('targets the consenting and leaves out, with the reason, the erased, the deleted, those without consent and those contacted on the channel lately', async () => {
    const tag = 'launch-reasons';
    const ids: Record<string, string> = {};
    for (const n of ['target', 'noConsent', 'deleted', 'erased', 'recentEmail', 'oldEmail', 'inbound', 'recentPhone', 'otherCampaign']) {
      ids[n] = await customer(`Launch ${n}`, tag, n === 'noConsent' ? { consents: [{ channel: 'SMS', granted: true }] } : {});
    }
    await ok(`mutation($input: CustomerIdInput!) { deleteCustomer(input: $input) { customer { id } ${UE} } }`, { id: ids.deleted });
    await app.db.query(`UPDATE customers SET erased_at = now() WHERE id = $1`, [uuid(ids.erased)]);
    const log = (customerId: string, channel: string, direction: string, days: number) =>
      ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId, channel, direction, purpose: 'PROMOTION', occurredAt: iso(NOW - days * DAY) });
    await log(ids.recentEmail, 'EMAIL', 'OUTBOUND', 3);
    await log(ids.oldEmail, 'EMAIL', 'OUTBOUND', 10);
    await log(ids.inbound, 'EMAIL', 'INBOUND', 1);
    await log(ids.recentPhone, 'PHONE', 'OUTBOUND', 1);
    // Another email campaign went out to one of them two days ago.
    const other = (await launched({ audience: { id: { eq: ids.otherCampaign } } })).campaign;
    await launchedAgo(other.id, 5);
    expect((await ok(SENT, { id: other.id, sentAt: iso(NOW - 2 * DAY) })).sent).toBe(1);

    const before = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'campaign.launch'`);
    const p = await launched({ audience: { tags: { has: tag } }, frequencyCapDays: 7 });
    expect(p.targeted).toBe(4);
    expect(p.excluded).toEqual([
      { reason: 'NO_CONSENT', count: 1 },
      { reason: 'DELETED', count: 1 },
      { reason: 'ERASED', count: 1 },
      { reason: 'FREQUENCY_CAP', count: 2 },
      { reason: 'CONTROL_GROUP', count: 0 },
    ]);
    expect(p.campaign).toMatchObject({ status: 'RUNNING', version: 2 });
    const byName = Object.fromEntries((await members(p.campaign.id)).map((m) => [m.customer.name, [m.status, m.excludedReason]]));
    expect(byName).toEqual({
      'Launch target': ['TARGETED', null],
      'Launch noConsent': ['EXCLUDED', 'NO_CONSENT'],
      'Launch deleted': ['EXCLUDED', 'DELETED'],
      'Launch erased': ['EXCLUDED', 'ERASED'],
      'Launch recentEmail': ['EXCLUDED', 'FREQUENCY_CAP'],
      'Launch oldEmail': ['TARGETED', null],
      'Launch inbound': ['TARGETED', null],
      'Launch recentPhone': ['TARGETED', null],
      'Launch otherCampaign': ['EXCLUDED', 'FREQUENCY_CAP'],
    });
    // One audit event for the launch, with the counts; none per member.
    const after = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'campaign.launch'`);
    expect(after[0].n - before[0].n).toBe(1);
    const [event] = await app.db.query(`SELECT changes FROM audit_events WHERE action = 'campaign.launch' AND object_id = $1`, [uuid(p.campaign.id)]);
    expect(event.changes.members.after).toEqual({ targeted: 4, excluded: { NO_CONSENT: 1, DELETED: 1, ERASED: 1, FREQUENCY_CAP: 2, CONTROL_GROUP: 0 } });
    expect(event.changes.status).toEqual({ before: 'DRAFT', after: 'RUNNING' });
  });

  it('holds out exactly the share of the eligible as the control group, drawn by md5(campaign id, customer id)', async () => {
    await app.db.query(`INSERT INTO customers (kind, name, tags, consent_email_granted) SELECT 'PERSON', 'Control ' || g, '{control-draw}', true FROM generate_series(1, 40) g`);
    const draw = async () => {
      const p = await launched({ audience: { tags: { has: 'control-draw' } }, controlGroupShare: 0.25 });
      expect(p.targeted).toBe(30);
      expect(p.excluded.find((e: { reason: string }) => e.reason === 'CONTROL_GROUP').count).toBe(10);
      const held = (await app.db.query(`SELECT customer_id FROM campaign_members WHERE campaign_id = $1 AND excluded_reason = 'CONTROL_GROUP' ORDER BY 1`, [uuid(p.campaign.id)])).map((r: any) => r.customer_id);
      const all: string[] = (await app.db.query(`SELECT id FROM customers WHERE tags @> '{control-draw}'`)).map((r: any) => r.id);
      const md5 = (id: string) => createHash('md5').update(`${uuid(p.campaign.id)}:${id}`).digest('hex');
      const expected = [...all].sort((a, b) => (md5(a) < md5(b) ? -1 : md5(a) > md5(b) ? 1 : 0)).slice(0, 10).sort();
      expect(held).toEqual(expected);
      return held;
    };
    const first = await draw();
    const second = await draw();
    // Another campaign, another draw.
    expect(second).not.toEqual(first);
  });
});

describe('sends, responses, attribution and the figures', () => {
  const tag = 'attribution';
  let campaign = '';
  let T0 = 0;
  const who: Record<string, string> = {};

  beforeAll(async () => {
    for (let i = 1; i <= 6; i++) who[`c${i}`] = await customer(`Attribution ${i}`, tag);
    const p = await launched({ audience: { tags: { has: tag } }, controlGroupShare: 0.5, attributionWindowDays: 10, cost: '50.00' });
    campaign = p.campaign.id;
    await launchedAgo(campaign, 31);
    T0 = NOW - 30 * DAY;
  });

  it('marks the send list SENT at one instant, not before the launch, only while running', async () => {
    const before = await fingerprint();
    expect(codes(await call(app, SENT, { id: campaign, sentAt: iso(NOW - 40 * DAY) }))).toEqual([['input.sentAt', 'OUT_OF_RANGE']]);
    expect(codes(await call(app, SENT, { id: campaign, sentAt: iso(NOW + DAY) }))).toEqual([['input.sentAt', 'OUT_OF_RANGE']]);
    expect(await fingerprint()).toBe(before);
    expect((await ok(SENT, { id: campaign, sentAt: iso(T0) })).sent).toBe(3);
    expect((await ok(SENT, { id: campaign, sentAt: iso(T0) })).sent).toBe(0);
    const draft = await newCampaign();
    expect(codes(await call(app, SENT, { id: draft.id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
  });

  it('attributes purchases in the window and computes response, conversion, revenue, margin, cost per response, ROI and lift as worked out by hand', async () => {
    const list = await members(campaign);
    const sent = list.filter((m) => m.status === 'SENT').map((m) => m.customer.id);
    const control = list.filter((m) => m.excludedReason === 'CONTROL_GROUP').map((m) => m.customer.id);
    expect([sent.length, control.length]).toEqual([3, 3]);
    const [t1, t2, t3] = sent;
    await order(t1, T0 + 2 * DAY, '100.00', '60.00'); // in the window: revenue 100, margin 40
    await order(t1, T0 + 3 * DAY, '500.00', '10.00', 'CANCELLED'); // not a purchase
    await order(t2, T0 + 15 * DAY, '80.00', '50.00'); // after the window
    await order(t3, T0 + 9 * DAY, '250.00', '100.00'); // in the window: revenue 250, margin 150
    await ok(RESPOND, { campaignId: campaign, customerId: t2, kind: 'RESPONDED', at: iso(T0 + DAY) });
    await order(control[0], T0 + 5 * DAY, '30.00', '10.00'); // a control member buys within the window from the send
    await order(control[1], T0 + 12 * DAY, '30.00', '10.00'); // after it

    const { campaignStats: s } = await app.ok(STATS, { id: campaign });
    expect(s).toMatchObject({
      targeted: 3,
      sent: 3,
      responses: 3, // t1 and t3 bought, t2 responded
      conversions: 2,
      optedOut: 0,
      attributedRevenue: { amount: '350.00', currencyCode: app.config.baseCurrency },
      attributedMargin: { amount: '190.00' },
      cost: { amount: '50.00' },
      costPerResponse: { amount: '16.67' }, // 50 / 3
      roi: 2.8, // (190 − 50) / 50
      controlGroup: 3,
      controlConversions: 1,
    });
    expect(s.responseRate).toBe(1);
    expect(s.conversionRate).toBeCloseTo(2 / 3, 12);
    expect(s.controlConversionRate).toBeCloseTo(1 / 3, 12);
    expect(s.lift).toBeCloseTo(1 / 3, 12);
    expect(s.relativeLift).toBeCloseTo(1, 12);
  });

  it('records responses along the allowed transitions, refuses the others and writes nothing then', async () => {
    const list = await members(campaign);
    const control = list.find((m) => m.excludedReason === 'CONTROL_GROUP')!;
    const responded = list.find((m) => m.status === 'RESPONDED')!;
    const before = await fingerprint();
    expect(codes(await call(app, RESPOND, { memberId: control.id, kind: 'RESPONDED' }))).toEqual([['input.kind', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, RESPOND, { memberId: responded.id, kind: 'RESPONDED' }))).toEqual([['input.kind', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, RESPOND, { memberId: responded.id, kind: 'CONVERTED', at: iso(T0 - DAY) }))).toEqual([['input.at', 'OUT_OF_RANGE']]);
    expect(codes(await call(app, RESPOND, { kind: 'CONVERTED' }))).toEqual([['input.campaignId', 'REQUIRED'], ['input.customerId', 'REQUIRED']]);
    expect(codes(await call(app, RESPOND, { memberId: 'x', kind: 'CONVERTED' }))).toEqual([['input.memberId', 'INVALID_ID']]);
    expect(codes(await call(app, RESPOND, { memberId: toGlobalId('CampaignMember', '00000000-0000-4000-8000-000000000000'), kind: 'CONVERTED' }))).toEqual([['input.memberId', 'NOT_FOUND']]);
    expect(await fingerprint()).toBe(before);
    const converted = (await ok(RESPOND, { memberId: responded.id, kind: 'CONVERTED', at: iso(T0 + 2 * DAY) })).member;
    expect(converted).toMatchObject({ status: 'CONVERTED', convertedAt: iso(T0 + 2 * DAY), respondedAt: iso(T0 + DAY) });
  });

  it('an opt-out withdraws the customer’s consent on the channel in the same transaction, audited', async () => {
    const member = (await members(campaign)).find((m) => m.status === 'SENT')!;
    const p = await ok(RESPOND, { campaignId: campaign, customerId: member.customer.id, kind: 'OPTED_OUT', at: iso(T0 + 4 * DAY) });
    expect(p.member).toMatchObject({ status: 'OPTED_OUT', optedOutAt: iso(T0 + 4 * DAY) });
    const [c] = await app.db.query(`SELECT consent_email_granted, consent_email_at FROM customers WHERE id = $1`, [uuid(member.customer.id)]);
    expect(c).toEqual({ consent_email_granted: false, consent_email_at: new Date(T0 + 4 * DAY) });
    const actions = (await app.db.query(`SELECT action, changes FROM audit_events WHERE object_id = ANY($1::uuid[]) ORDER BY created_at`, [[uuid(member.customer.id), uuid(member.id)]])).map((r: any) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['campaignMember.respond', 'customer.update']));
    expect((await app.ok(STATS, { id: campaign })).campaignStats.optedOut).toBe(1);
  });

  it('hands the responders to sales as CALL tasks for their owners, once', async () => {
    const p = await ok(HAND, { campaignId: campaign, kind: 'TASK', dueAt: iso(NOW + 2 * DAY) });
    expect(p).toMatchObject({ tasks: 1, skippedWithoutOwner: 0 });
    const tasks = await app.db.query(
      `SELECT t.kind, t.owner_id, t.status, t.subject FROM campaign_members m JOIN tasks t ON t.id = m.task_id WHERE m.campaign_id = $1`,
      [uuid(campaign)],
    );
    expect(tasks).toEqual([{ kind: 'CALL', owner_id: users.repA, status: 'OPEN', subject: 'Call back: responded to “Spring espresso offer”' }]);
    expect((await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'task.schedule'`))[0].n).toBeGreaterThanOrEqual(1);
    expect((await ok(HAND, { campaignId: campaign, kind: 'TASK' })).tasks).toBe(0);
    const draft = await newCampaign();
    expect(codes(await call(app, HAND, { campaignId: draft.id, kind: 'TASK' }))).toEqual([['input.campaignId', 'INVALID_TRANSITION']]);
    // Errors about the campaign point at the field that named it, whether it is called `id` or `campaignId`.
    expect(codes(await call(app, HAND, { campaignId: 'not-an-id', kind: 'TASK' }))).toEqual([['input.campaignId', 'INVALID_ID']]);
  });
});

describe('handing responders to sales as opportunities', () => {
  const HAND_ONE = `mutation($input: HandCampaignMemberToSalesInput!) { handCampaignMemberToSales(input: $input) {
    member { id status task { id } opportunity { id name status source owner { id } customer { id } } } created ${UE} } }`;
  const HAND_ALL = `mutation($input: HandResponderToSalesInput!) { handResponderToSales(input: $input) { tasks opportunities skippedWithoutOwner ${UE} } }`;
  const repOf = (id: string) => toGlobalId('User', id);
  let campaign = '';
  const who: Record<string, string> = {};
  const member: Record<string, string> = {};
  let repB: GraphQLCaller;

  /** A running, sent campaign over customers tagged `tag`, the named ones RESPONDED; returns its id and members by name. */
  async function respondedCampaign(name: string, tag: string, responders: string[]): Promise<{ id: string; members: Record<string, string> }> {
    const id = (await launched({ name, audience: { tags: { has: tag } } })).campaign.id;
    await ok(SENT, { id });
    const byName: Record<string, string> = {};
    for (const m of await members(id)) byName[m.customer.name] = m.id;
    for (const r of responders) await ok(RESPOND, { memberId: byName[r], kind: 'RESPONDED' });
    return { id, members: byName };
  }
  const opportunityCount = async () => (await app.db.query(`SELECT count(*)::int AS n FROM opportunities`))[0].n;

  beforeAll(async () => {
    repB = await app.as({ role: 'SALES_REP', userId: users.repB });
    who.a1 = await customer('Hand A one', 'handover');
    who.a2 = await customer('Hand A two', 'handover');
    who.b1 = await customer('Hand B one', 'handover', { ownerId: repOf(users.repB) });
    // Nobody owns these two; a rule gives customers in Campaignland to rep B, none matches Elsewhere.
    who.n1 = await customer('Hand nobody one', 'handover', { ownerId: null, region: 'Campaignland' });
    who.n2 = await customer('Hand nobody two', 'handover', { ownerId: null, region: 'Elsewhere' });
    const rule = await ok(`mutation($input: CreateAssignmentRuleInput!) { createAssignmentRule(input: $input) { rule { id } ${UE} } }`, {
      name: 'Campaignland to Ben',
      regions: ['Campaignland'],
      ownerIds: [repOf(users.repB)],
    });
    expect(rule.rule.id).toBeTruthy();
    const c = await respondedCampaign('Handover offer', 'handover', ['Hand A one', 'Hand B one', 'Hand nobody one', 'Hand nobody two']);
    campaign = c.id;
    Object.assign(member, { a1: c.members['Hand A one'], a2: c.members['Hand A two'], b1: c.members['Hand B one'], n1: c.members['Hand nobody one'], n2: c.members['Hand nobody two'] });
  });

  it('a sales rep hands their own responder over: an open opportunity in the default pipeline’s first stage, owned by them, naming the campaign, audited; again, the same one', async () => {
    const p = await call(repA, HAND_ONE, { memberId: member.a1, kind: 'OPPORTUNITY' });
    expect(p.userErrors).toEqual([]);
    expect(p.created).toBe(true);
    const opp = p.member.opportunity;
    expect(opp).toMatchObject({ name: 'Responded to “Handover offer”', status: 'OPEN', source: 'Campaign “Handover offer”', owner: { id: repOf(users.repA) }, customer: { id: who.a1 } });
    const [row] = await app.db.query(
      `SELECT p.is_default, s.position = (SELECT min(position) FROM pipeline_stages WHERE pipeline_id = p.id) AS first_stage, o.amount::text,
              (SELECT count(*)::int FROM opportunity_stage_history h WHERE h.opportunity_id = o.id AND h.stage_id = o.stage_id AND h.left_at IS NULL) AS history
         FROM opportunities o JOIN pipelines p ON p.id = o.pipeline_id JOIN pipeline_stages s ON s.id = o.stage_id WHERE o.id = $1`,
      [uuid(opp.id)],
    );
    expect(row).toEqual({ is_default: true, first_stage: true, amount: '0.0000', history: 1 });
    const actions = await app.db.query(`SELECT action FROM audit_events WHERE object_id = ANY($1::uuid[]) ORDER BY action`, [[uuid(opp.id), uuid(member.a1)]]);
    expect(actions.map((a: any) => a.action)).toEqual(['campaignMember.handToSales', 'campaignMember.respond', 'opportunity.create']);

    const before = await fingerprint();
    const n = await opportunityCount();
    const again = await call(repA, HAND_ONE, { memberId: member.a1, kind: 'OPPORTUNITY' });
    expect(again).toMatchObject({ created: false, userErrors: [], member: { opportunity: { id: opp.id } } });
    expect([await fingerprint(), await opportunityCount()]).toEqual([before, n]);
  });

  it("a sales rep cannot hand over another rep's customer (NOT_FOUND), and bad input is refused with typed userErrors, nothing written", async () => {
    const before = await fingerprint();
    const n = await opportunityCount();
    expect(codes(await call(repA, HAND_ONE, { memberId: member.b1, kind: 'OPPORTUNITY' }))).toEqual([['input.memberId', 'NOT_FOUND']]);
    expect(codes(await call(repA, HAND_ONE, { memberId: member.a2, kind: 'OPPORTUNITY' }))).toEqual([['input.memberId', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, HAND_ONE, { memberId: 'nope', kind: 'OPPORTUNITY' }))).toEqual([['input.memberId', 'INVALID_ID']]);
    expect(codes(await call(app, HAND_ONE, { memberId: toGlobalId('CampaignMember', '00000000-0000-4000-8000-000000000000') }))).toEqual([['input.memberId', 'NOT_FOUND']]);
    expect(codes(await call(app, HAND_ONE, { memberId: member.n2, kind: 'OPPORTUNITY' }))).toEqual([['input.memberId', 'INVALID']]);
    expect(codes(await call(app, HAND_ONE, { memberId: member.b1, kind: 'TASK', dueAt: iso(NOW + 10 * 365 * DAY) }))).toEqual([['input.dueAt', 'OUT_OF_RANGE']]);
    const res = await analyst.gql(HAND_ONE, { input: { memberId: member.b1 } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await repA.gql(HAND_ALL, { input: { campaignId: campaign, kind: 'OPPORTUNITY' } })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect([await fingerprint(), await opportunityCount()]).toEqual([before, n]);
  });

  it('hands every other responder over in one call: the owner’s deal, the assignment rules’ for a customer nobody owns, the rest counted; once', async () => {
    const p = await ok(HAND_ALL, { campaignId: campaign, kind: 'OPPORTUNITY' });
    expect(p).toMatchObject({ tasks: 0, opportunities: 2, skippedWithoutOwner: 1 });
    const rows = await app.db.query(
      `SELECT c.name, o.owner_id FROM campaign_members m JOIN customers c ON c.id = m.customer_id JOIN opportunities o ON o.id = m.opportunity_id WHERE m.campaign_id = $1 ORDER BY c.name`,
      [uuid(campaign)],
    );
    expect(rows).toEqual([
      { name: 'Hand A one', owner_id: users.repA },
      { name: 'Hand B one', owner_id: users.repB },
      { name: 'Hand nobody one', owner_id: users.repB },
    ]);
    // The customer nobody owned still has no owner: only the deal was given.
    expect((await app.db.query(`SELECT owner_id FROM customers WHERE id = $1`, [uuid(who.n1)]))[0].owner_id).toBeNull();
    expect(await ok(HAND_ALL, { campaignId: campaign, kind: 'OPPORTUNITY' })).toMatchObject({ opportunities: 0, skippedWithoutOwner: 1 });
    // Rep B sees the deal on their member; rep A sees neither B's member nor its deal.
    const q = `query($id: ID!) { campaign(id: $id) { members(first: 100) { nodes { customer { name } opportunity { id owner { id } } } } } }`;
    const seen = (await repB.ok(q, { id: campaign })).campaign.members.nodes.filter((m: any) => m.opportunity);
    expect(seen.map((m: any) => m.customer.name)).toEqual(['Hand B one']);
    expect((await repA.ok(q, { id: campaign })).campaign.members.nodes.map((m: any) => m.customer.name).sort()).toEqual(['Hand A one', 'Hand A two']);
  });

  it('counts the opportunities the campaign started and those won in its figures', async () => {
    const q = `query($id: ID!) { campaignStats(id: $id) { opportunities opportunitiesWon } }`;
    expect((await app.ok(q, { id: campaign })).campaignStats).toEqual({ opportunities: 3, opportunitiesWon: 0 });
    const [row] = await app.db.query(`SELECT opportunity_id FROM campaign_members WHERE id = $1`, [uuid(member.b1)]);
    await ok(`mutation($input: WinOpportunityInput!) { winOpportunity(input: $input) { opportunity { id } ${UE} } }`, { id: toGlobalId('Opportunity', row.opportunity_id) });
    expect((await app.ok(q, { id: campaign })).campaignStats).toEqual({ opportunities: 3, opportunitiesWon: 1 });
    expect((await repA.ok(q, { id: campaign })).campaignStats).toEqual({ opportunities: 1, opportunitiesWon: 0 });
  });

  it('hands a campaign’s responders over in a fixed number of statements, whatever their number', async () => {
    for (const n of ['one', 'two', 'three', 'four']) await customer(`Count ${n}`, n === 'one' ? 'count-small' : 'count-large');
    const small = await respondedCampaign('Count small', 'count-small', ['Count one']);
    const large = await respondedCampaign('Count large', 'count-large', ['Count two', 'Count three', 'Count four']);
    const count = (id: string) => app.statements(HAND_ALL, { input: { campaignId: id, kind: 'OPPORTUNITY' } });
    expect(await count(large.id)).toBe(await count(small.id));
    expect((await app.db.query(`SELECT count(opportunity_id)::int AS n FROM campaign_members WHERE campaign_id = ANY($1::uuid[])`, [[uuid(small.id), uuid(large.id)]]))[0].n).toBe(4);
  });
});

describe('who sees the members', () => {
  let campaign = '';
  beforeAll(async () => {
    await customer('Book A one', 'books');
    await customer('Book A two', 'books');
    await customer('Book B one', 'books', { ownerId: toGlobalId('User', users.repB), email: 'bea.b@example.com' });
    campaign = (await launched({ audience: { tags: { has: 'books' } } })).campaign.id;
  });

  it("a sales rep sees only their own customers among a campaign's members, in the list, the figures and the CSV", async () => {
    const all = await members(campaign);
    expect(all.map((m) => m.customer.name).sort()).toEqual(['Book A one', 'Book A two', 'Book B one']);
    const mine = (await repA.ok(MEMBERS, { id: campaign, first: 100 })).campaign.members;
    expect(mine.totalCount).toBe(2);
    expect(mine.nodes.map((m: any) => m.customer.name).sort()).toEqual(['Book A one', 'Book A two']);
    expect((await repA.ok(STATS, { id: campaign })).campaignStats.targeted).toBe(2);
    const csv = (await repA.ok(`query($id: ID!) { campaignMembersCsv(id: $id) }`, { id: campaign })).campaignMembersCsv;
    expect(csv).toContain('Book A one');
    expect(csv).not.toContain('Book B one');
    // A rep reads campaigns but does not run them.
    const res = await repA.gql(LAUNCH, { input: { id: campaign } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('the CSV masks personal data for an analyst', async () => {
    const csv: string = (await analyst.ok(`query($id: ID!) { campaignMembersCsv(id: $id) }`, { id: campaign })).campaignMembersCsv;
    expect(csv.split('\r\n')[0]).toBe('member_id,customer_id,external_ref,name,email,phone,address_line1,address_line2,postal_code,city,region,country,status,excluded_reason,sent_at');
    expect(csv).toContain('b***@example.com');
    expect(csv).not.toContain('bea.b@example.com');
    const plain: string = (await app.ok(`query($id: ID!) { campaignMembersCsv(id: $id) }`, { id: campaign })).campaignMembersCsv;
    expect(plain).toContain('bea.b@example.com');
  });

  it('reads a page of members with their customers in a fixed number of statements, whatever its size', async () => {
    const q = `query($id: ID!, $first: Int) { campaign(id: $id) { members(first: $first) { nodes { id status customer { name owner { name } } } } } }`;
    const small = await app.statements(q, { id: campaign, first: 1 });
    const large = await app.statements(q, { id: campaign, first: 100 });
    expect(large).toBe(small);
  });

  it('lists campaigns filtered by status and channel, sorted by ROI, response and conversion rate, reach and attributed revenue', async () => {
    const q = `query($f: CampaignFilter, $o: CampaignOrderBy) { campaigns(first: 100, filter: $f, orderBy: $o) { totalCount nodes { id status channel } pageInfo { endCursor } } }`;
    const running = (await app.ok(q, { f: { status: { eq: 'RUNNING' }, channel: { eq: 'EMAIL' } } })).campaigns;
    expect(running.nodes.every((n: any) => n.status === 'RUNNING' && n.channel === 'EMAIL')).toBe(true);
    for (const field of ['ROI', 'RESPONSE_RATE', 'CONVERSION_RATE', 'REACH', 'ATTRIBUTED_REVENUE', 'SCHEDULED_AT', 'NAME']) {
      const page = (await app.ok(q, { o: { field, direction: 'DESC' } })).campaigns;
      expect(page.nodes.length).toBe(page.totalCount);
      const next = await app.ok(`query($a: String, $o: CampaignOrderBy) { campaigns(first: 2, after: $a, orderBy: $o) { nodes { id } } }`, { a: page.pageInfo.endCursor, o: { field, direction: 'DESC' } });
      expect(next.campaigns.nodes).toEqual([]);
    }
    // The figures sorts agree with campaignStats.
    const figures = `query($o: CampaignOrderBy) { campaigns(first: 100, orderBy: $o) { nodes { id } } }`;
    for (const [field, stat] of [['REACH', 'sent'], ['ATTRIBUTED_REVENUE', 'attributedRevenue']] as const) {
      const nodes = (await app.ok(figures, { o: { field, direction: 'DESC' } })).campaigns.nodes;
      const values: number[] = [];
      for (const n of nodes) {
        const s = (await app.ok(`query($id: ID!) { campaignStats(id: $id) { sent attributedRevenue { amount } } }`, { id: n.id })).campaignStats;
        values.push(stat === 'sent' ? s.sent : Number(s.attributedRevenue.amount));
      }
      expect(values).toEqual([...values].sort((a, b) => b - a));
    }
  });
});

describe('scheduled campaigns', () => {
  // Scheduled in 2001, so that no other test's campaign is due at these instants; the job judges at the payload's asOf.
  const AT = Date.parse('2001-03-01T09:00:00Z');
  const MINUTE = 60_000;
  const runJob = async (asOf: number, times = 1) => {
    for (let i = 0; i < times; i++) await addJob(app.db, LAUNCH_DUE_CAMPAIGNS_JOB, { asOf: iso(asOf) });
    await app.scoresSettled();
  };
  const scheduled = async (at: number) => {
    const c = await newCampaign({ name: `Scheduled ${at}`, audience: { tags: { has: 'scheduled-launch' } }, scheduledAt: iso(at) });
    return (await ok(STATUS, { id: c.id, status: 'SCHEDULED' })).campaign;
  };
  const shape = async (id: string) => (await members(id)).map((m) => [m.customer.name, m.status, m.excludedReason]).sort();
  const campaignById = async (id: string) => (await app.ok(`query($id: ID!) { campaign(id: $id) { ${CAMPAIGN} } }`, { id })).campaign;

  it('launches a SCHEDULED campaign once its time has come, as the system, with the members a manual launch gives; one not yet due waits', async () => {
    await customer('Scheduled Ada', 'scheduled-launch');
    await customer('Scheduled Bo', 'scheduled-launch');
    await customer('Scheduled Cy', 'scheduled-launch', { consents: [{ channel: 'SMS', granted: true }] });
    const manual = (await launched({ audience: { tags: { has: 'scheduled-launch' } } })).campaign;
    const due = await scheduled(AT);
    const notYet = await scheduled(AT + 10 * MINUTE);

    await runJob(AT + 5 * MINUTE);
    const launchedNow = await campaignById(due.id);
    expect(launchedNow).toMatchObject({ status: 'RUNNING', version: 3 });
    expect(launchedNow.launchedAt).not.toBeNull();
    expect(await shape(due.id)).toEqual(await shape(manual.id));
    expect(await shape(due.id)).toEqual([
      ['Scheduled Ada', 'TARGETED', null],
      ['Scheduled Bo', 'TARGETED', null],
      ['Scheduled Cy', 'EXCLUDED', 'NO_CONSENT'],
    ]);
    expect(await campaignById(notYet.id)).toMatchObject({ status: 'SCHEDULED', version: 2, launchedAt: null });
    expect(await members(notYet.id)).toEqual([]);
    const [event] = await app.db.query(`SELECT actor_label, actor_role, changes FROM audit_events WHERE action = 'campaign.launch' AND object_id = $1`, [uuid(due.id)]);
    expect(event).toMatchObject({ actor_label: 'system', actor_role: 'SYSTEM' });
    expect(event.changes.members.after).toEqual({ targeted: 2, excluded: { NO_CONSENT: 1, DELETED: 0, ERASED: 0, FREQUENCY_CAP: 0, CONTROL_GROUP: 0 } });
  });

  it('launches each due campaign exactly once however often the job runs, and leaves DRAFT and cancelled ones alone', async () => {
    const due = await scheduled(AT + 20 * MINUTE);
    const draft = await newCampaign({ name: 'Draft with a time', audience: { tags: { has: 'scheduled-launch' } }, scheduledAt: iso(AT + 20 * MINUTE) });
    const cancelled = await scheduled(AT + 20 * MINUTE);
    await ok(STATUS, { id: cancelled.id, status: 'CANCELLED' });
    // Several jobs at once: the worker runs them side by side, and each campaign is taken by one of them.
    await runJob(AT + 30 * MINUTE, 3);
    await runJob(AT + 31 * MINUTE);
    expect(await campaignById(due.id)).toMatchObject({ status: 'RUNNING', version: 3 });
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM campaign_members WHERE campaign_id = $1`, [uuid(due.id)]);
    expect(n).toBe(3);
    const [{ launches }] = await app.db.query(`SELECT count(*)::int AS launches FROM audit_events WHERE action = 'campaign.launch' AND object_id = $1`, [uuid(due.id)]);
    expect(launches).toBe(1);
    expect((await campaignById(draft.id)).status).toBe('DRAFT');
    expect((await campaignById(cancelled.id)).status).toBe('CANCELLED');
  });
});

describe('campaigns sorted by their figures', () => {
  const FIGURES = `query($id: ID!) { campaignStats(id: $id) { costPerResponse { amount } lift attributedMargin { amount } roi responseRate conversionRate } }`;
  const PAGE = `query($first: Int, $a: String, $o: CampaignOrderBy) { campaigns(first: $first, after: $a, orderBy: $o) { nodes { id } pageInfo { endCursor hasNextPage } } }`;
  const value = (s: any, field: string): number | null => {
    const v = { COST_PER_RESPONSE: s.costPerResponse?.amount, LIFT: s.lift, ATTRIBUTED_MARGIN: s.attributedMargin.amount, ROI: s.roi, RESPONSE_RATE: s.responseRate, CONVERSION_RATE: s.conversionRate }[field];
    return v === null || v === undefined ? null : Number(v);
  };

  it('sorts by cost per response, lift and attributed margin as campaignStats computes them, without a figure last in both directions, page by page', async () => {
    const all: string[] = (await app.ok(PAGE, { first: 100 })).campaigns.nodes.map((n: any) => n.id);
    const figures = new Map<string, any>();
    for (const id of all) figures.set(id, (await app.ok(FIGURES, { id })).campaignStats);
    // The figures the earlier tests produced include campaigns with and without each one.
    for (const field of ['COST_PER_RESPONSE', 'LIFT']) {
      const values = all.map((id) => value(figures.get(id), field));
      expect(values.some((v) => v === null)).toBe(true);
      expect(values.some((v) => v !== null)).toBe(true);
    }
    for (const field of ['COST_PER_RESPONSE', 'LIFT', 'ATTRIBUTED_MARGIN', 'ROI', 'RESPONSE_RATE', 'CONVERSION_RATE']) {
      for (const direction of ['ASC', 'DESC']) {
        const o = { field, direction };
        const whole: string[] = (await app.ok(PAGE, { first: 100, o })).campaigns.nodes.map((n: any) => n.id);
        expect([...whole].sort()).toEqual([...all].sort());
        const values = whole.map((id) => value(figures.get(id), field));
        const firstNull = values.indexOf(null);
        const present = (firstNull < 0 ? values : values.slice(0, firstNull)) as number[];
        if (firstNull >= 0) expect(values.slice(firstNull).every((v) => v === null)).toBe(true);
        // Small tolerance: campaignStats rounds cost per response to the cent, the sort to six decimals.
        for (let i = 1; i < present.length; i++) {
          if (direction === 'ASC') expect(present[i]).toBeGreaterThanOrEqual(present[i - 1] - 0.01);
          else expect(present[i]).toBeLessThanOrEqual(present[i - 1] + 0.01);
        }
        // Three at a time, following the cursors, gives the same order, across the values and the nulls.
        const paged: string[] = [];
        let after: string | null = null;
        for (;;) {
          const page: any = (await app.ok(PAGE, { first: 3, a: after, o })).campaigns;
          paged.push(...page.nodes.map((n: any) => n.id));
          if (!page.pageInfo.hasNextPage) break;
          after = page.pageInfo.endCursor;
        }
        expect(paged).toEqual(whole);
      }
    }
  });

  it('reads a page sorted by any figure in a fixed number of statements, whatever its size', async () => {
    const q = `query($first: Int, $o: CampaignOrderBy) { campaigns(first: $first, orderBy: $o) { totalCount nodes { id name status } } }`;
    for (const field of ['COST_PER_RESPONSE', 'LIFT', 'ATTRIBUTED_MARGIN']) {
      const small = await app.statements(q, { first: 1, o: { field, direction: 'DESC' } });
      const large = await app.statements(q, { first: 100, o: { field, direction: 'DESC' } });
      expect(large).toBe(small);
    }
  });
});
