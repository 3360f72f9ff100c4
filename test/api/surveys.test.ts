import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { scheduleTriggeredSurveyTasks } from '../../src/survey/survey-tasks';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * Surveys through the API: configuration (create, update, activate, close) with typed userErrors, responses checked
 * against their questions and logged as SURVEY touchpoints that the existing CSAT/NPS readers count, invitations by
 * trigger at a controlled `asOf`, SURVEY tasks (a dry run counts what a real run writes), the satisfaction summary
 * against hand-computed figures, a sales rep's book, the audit log, erasure of free text, and hostile answers.
 */

let app: TestApp;
let repA: GraphQLCaller;
let manager: GraphQLCaller;
const users = { repA: '', repB: '', manager: '' };

const DAY = 86_400_000;
const NOW = Date.now();
const iso = (t: number) => new Date(t).toISOString();
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const UE = 'userErrors { field code message }';

const SURVEY = 'id name status version trigger delayDays periodDays channel activatedAt closedAt questions { key type text required min max options }';
const CREATE = `mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { survey { ${SURVEY} } ${UE} } }`;
const UPDATE = `mutation($input: UpdateSurveyInput!) { updateSurvey(input: $input) { survey { ${SURVEY} } ${UE} } }`;
const ACTIVATE = `mutation($input: SurveyStatusInput!) { activateSurvey(input: $input) { survey { ${SURVEY} } ${UE} } }`;
const CLOSE = `mutation($input: SurveyStatusInput!) { closeSurvey(input: $input) { survey { ${SURVEY} } ${UE} } }`;
const RECORD = `mutation($input: RecordSurveyResponseInput!) { recordSurveyResponse(input: $input) {
  response { id csat nps channel respondedAt survey { id } customer { id } touchpoint { id purpose channel direction satisfaction nps occurredAt subject }
             triggeredBy { id } answers { questionKey questionType value choices text } } ${UE} } }`;
const SCHEDULE = `mutation($input: ScheduleSurveyTasksInput!) { scheduleSurveyTasks(input: $input) { invited scheduled alreadyOpen withoutOwner dryRun ${UE} } }`;
const INVITATIONS = `query($id: ID!, $asOf: DateTime, $first: Int, $after: String) { surveyInvitations(surveyId: $id, asOf: $asOf, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } nodes { customer { id } owner { id } eventAt dueAt hasOpenSurveyTask triggeredBy { id } } } }`;

type Errors = Array<{ field: string[]; code: string; message: string }>;
async function call(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<any> {
  const data = await caller.ok(mutation, { input });
  return Object.values(data)[0];
}
async function ok(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<any> {
  const p = await call(caller, mutation, input);
  expect(p.userErrors).toEqual([]);
  return p;
}
const codes = (p: { userErrors: Errors }) => p.userErrors.map((e) => [e.field.join('.'), e.code]);

/** What the survey tables, touchpoints and tasks hold: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM surveys) AS s,
           (SELECT count(*) FROM survey_responses) AS r, (SELECT count(*) FROM survey_answers) AS a,
           (SELECT count(*) FROM touchpoints) AS t, (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM tasks) AS k,
           (SELECT count(*) FROM audit_events) AS e`);
  return JSON.stringify(row);
}

const QUESTIONS = [
  { key: 'csat', type: 'CSAT', text: 'How satisfied are you with your purchase?' },
  { key: 'nps', type: 'NPS', text: 'How likely are you to recommend us to a friend?' },
  { key: 'speed', type: 'SCALE', text: 'How fast was the delivery?', min: 1, max: 7, required: false },
  { key: 'best', type: 'SINGLE_CHOICE', text: 'What mattered most?', options: ['Price', 'Quality', 'Service'] },
  { key: 'also', type: 'MULTIPLE_CHOICE', text: 'What else did you like?', options: ['Packaging', 'Speed', 'Staff'], required: false },
  { key: 'comment', type: 'FREE_TEXT', text: 'Anything we could do better?', required: false },
];
const GOOD_ANSWERS = [
  { questionKey: 'csat', value: 4 },
  { questionKey: 'nps', value: 9 },
  { questionKey: 'best', choices: ['Quality'] },
  { questionKey: 'comment', text: 'Faster delivery, please' },
];

let serial = 0;
async function survey(overrides: Record<string, unknown> = {}, activate = true): Promise<string> {
  const p = await ok(manager, CREATE, { name: `Survey ${++serial}`, questions: QUESTIONS, trigger: 'MANUAL', channel: 'EMAIL', ...overrides });
  if (activate) await ok(manager, ACTIVATE, { id: p.survey.id });
  return p.survey.id;
}
async function customer(owner: string | null, extra: Record<string, unknown> = {}): Promise<string> {
  const p = await ok(app, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, {
    name: `Customer ${++serial}`,
    ownerId: owner,
    consents: [{ channel: 'EMAIL', granted: true }],
    ...extra,
  });
  return p.customer.id;
}
const record = (caller: GraphQLCaller, surveyId: string, customerId: string, answers: unknown[] = GOOD_ANSWERS, extra: Record<string, unknown> = {}) =>
  call(caller, RECORD, { surveyId, customerId, answers, ...extra });

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string, role: string) => insertStaff(app.db, name, role);
  users.repA = await user('Rita Rep', 'SALES_REP');
  users.repB = await user('Ben Rep', 'SALES_REP');
  users.manager = await user('Mona Manager', 'MANAGER');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  manager = await app.as({ role: 'MANAGER', userId: users.manager });
});
afterAll(() => app.close());

const userId = (id: string) => toGlobalId('User', id);

describe('survey configuration', () => {
  it('creates a DRAFT survey with typed questions, normalised (fixed CSAT/NPS ranges, required by default), and audits it', async () => {
    const p = await ok(manager, CREATE, { name: 'After your purchase', questions: QUESTIONS, trigger: 'AFTER_ORDER', delayDays: 3, channel: 'EMAIL' });
    expect(p.survey).toMatchObject({ name: 'After your purchase', status: 'DRAFT', version: 1, trigger: 'AFTER_ORDER', delayDays: 3, periodDays: null, channel: 'EMAIL', activatedAt: null });
    expect(p.survey.questions[0]).toEqual({ key: 'csat', type: 'CSAT', text: QUESTIONS[0].text, required: true, min: 1, max: 5, options: [] });
    expect(p.survey.questions[1]).toMatchObject({ type: 'NPS', min: 0, max: 10 });
    expect(p.survey.questions[2]).toMatchObject({ type: 'SCALE', min: 1, max: 7, required: false });
    expect(p.survey.questions[3]).toMatchObject({ options: ['Price', 'Quality', 'Service'], min: null, max: null });
    const [audit] = await app.db.query(`SELECT action, actor_user_id FROM audit_events WHERE object_id = $1`, [uuid(p.survey.id)]);
    expect(audit).toEqual({ action: 'survey.create', actor_user_id: users.manager });
  });

  it('refuses bad questions and timings with the path to each, and writes nothing', async () => {
    const before = await fingerprint();
    const p = await call(manager, CREATE, {
      name: ' ',
      trigger: 'PERIODIC',
      channel: 'EMAIL',
      delayDays: 400,
      questions: [
        { key: 'csat', type: 'CSAT', text: 'One' },
        { key: 'csat', type: 'CSAT', text: 'Two', min: 0 },
        { key: 'Bad Key', type: 'SCALE', text: 'Three', min: 5, max: 5 },
        { key: 'pick', type: 'SINGLE_CHOICE', text: 'Four', options: ['Only'] },
        { key: 'dup', type: 'MULTIPLE_CHOICE', text: 'Five', options: ['A', 'A'] },
        { key: 'text', type: 'FREE_TEXT', text: 'Six', options: ['No'] },
      ],
    });
    expect(codes(p)).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.questions.1.key', 'TAKEN'],
      ['input.questions.1.type', 'INVALID'],
      ['input.questions.1.min', 'INVALID'],
      ['input.questions.2.key', 'INVALID'],
      ['input.questions.2.max', 'OUT_OF_RANGE'],
      ['input.questions.3.options', 'REQUIRED'],
      ['input.questions.4.options.1', 'TAKEN'],
      ['input.questions.5.options', 'INVALID'],
      ['input.delayDays', 'OUT_OF_RANGE'],
      ['input.periodDays', 'REQUIRED'],
    ]);
    const taken = await call(manager, CREATE, { name: 'AFTER YOUR PURCHASE', questions: QUESTIONS, trigger: 'MANUAL', channel: 'EMAIL' });
    expect(codes(taken)).toEqual([['input.name', 'TAKEN']]);
    const period = await call(manager, CREATE, { name: 'Odd', questions: QUESTIONS, trigger: 'MANUAL', channel: 'EMAIL', periodDays: 30 });
    expect(codes(period)).toEqual([['input.periodDays', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
  });

  it('changes questions while DRAFT, fixes them once ACTIVE, refuses a stale version, and freezes a CLOSED survey', async () => {
    const id = await survey({}, false);
    const changed = await ok(manager, UPDATE, { id, expectedVersion: 1, questions: QUESTIONS.slice(0, 2), delayDays: 5 });
    expect(changed.survey).toMatchObject({ version: 2, delayDays: 5 });
    expect(changed.survey.questions.map((q: { key: string }) => q.key)).toEqual(['csat', 'nps']);
    expect(codes(await call(manager, UPDATE, { id, expectedVersion: 1, name: 'Stale' }))).toEqual([['input.expectedVersion', 'CONFLICT']]);

    const active = await ok(manager, ACTIVATE, { id, expectedVersion: 2 });
    expect(active.survey).toMatchObject({ status: 'ACTIVE', version: 3 });
    expect(active.survey.activatedAt).not.toBeNull();
    expect(codes(await call(manager, ACTIVATE, { id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(codes(await call(manager, UPDATE, { id, questions: QUESTIONS, trigger: 'AFTER_ORDER' }))).toEqual([
      ['input.questions', 'INVALID'],
      ['input.trigger', 'INVALID'],
    ]);
    expect((await ok(manager, UPDATE, { id, name: 'Renamed while live', channel: 'SMS' })).survey).toMatchObject({ name: 'Renamed while live', channel: 'SMS' });

    const closed = await ok(manager, CLOSE, { id });
    expect(closed.survey.status).toBe('CLOSED');
    expect(codes(await call(manager, CLOSE, { id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(codes(await call(manager, UPDATE, { id, name: 'Too late' }))).toEqual([['input.id', 'INVALID']]);
    const actions = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1 ORDER BY created_at, id`, [uuid(id)]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['survey.create', 'survey.update', 'survey.activate', 'survey.update', 'survey.close']);
  });

  it('lets only admins and managers configure surveys; everyone with touchpoints:read reads them', async () => {
    const res = await repA.gql(CREATE, { input: { name: 'By a rep', questions: QUESTIONS, trigger: 'MANUAL', channel: 'EMAIL' } });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    await survey();
    const listed = await repA.ok(`{ surveys(status: ACTIVE) { name status } }`);
    expect(listed.surveys.length).toBeGreaterThan(0);
    expect(listed.surveys.every((s: { status: string }) => s.status === 'ACTIVE')).toBe(true);
  });
});

describe('recording a response', () => {
  it('stores the answers, logs a SURVEY touchpoint carrying CSAT and NPS, and the existing readers count it', async () => {
    const s = await survey();
    const c = await customer(userId(users.repA));
    const service = (await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, {
      customerId: c,
      channel: 'PHONE',
      purpose: 'SERVICE',
      occurredAt: iso(NOW - 3 * DAY),
    })).touchpoint.id;
    const before = await app.ok(`query($id: ID!) { customer(id: $id) { satisfaction { averageCsat csatResponses npsScore npsResponses } } }`, { id: c });
    expect(before.customer.satisfaction).toMatchObject({ averageCsat: null, csatResponses: 0, npsResponses: 0 });

    const p = await ok(repA, RECORD, { surveyId: s, customerId: c, answers: [...GOOD_ANSWERS, { questionKey: 'also', choices: ['Staff', 'Speed'] }], touchpointId: service, respondedAt: iso(NOW - DAY) });
    const r = p.response;
    expect(r).toMatchObject({ csat: 4, nps: 9, channel: 'EMAIL', respondedAt: iso(NOW - DAY), survey: { id: s }, customer: { id: c }, triggeredBy: { id: service } });
    expect(r.touchpoint).toMatchObject({ purpose: 'SURVEY', channel: 'EMAIL', direction: 'INBOUND', satisfaction: 4, nps: 9, occurredAt: iso(NOW - DAY), subject: expect.stringMatching(/^Survey /) });
    expect(r.answers).toEqual([
      { questionKey: 'csat', questionType: 'CSAT', value: 4, choices: null, text: null },
      { questionKey: 'nps', questionType: 'NPS', value: 9, choices: null, text: null },
      { questionKey: 'best', questionType: 'SINGLE_CHOICE', value: null, choices: ['Quality'], text: null },
      { questionKey: 'also', questionType: 'MULTIPLE_CHOICE', value: null, choices: ['Staff', 'Speed'], text: null },
      { questionKey: 'comment', questionType: 'FREE_TEXT', value: null, choices: null, text: 'Faster delivery, please' },
    ]);

    // Customer.satisfaction reads touchpoints' satisfaction and nps: it sees the response without a change of its own.
    await ok(repA, RECORD, { surveyId: s, customerId: c, answers: [{ questionKey: 'csat', value: 2 }, { questionKey: 'nps', value: 3 }, { questionKey: 'best', choices: ['Price'] }] });
    const after = await repA.ok(`query($id: ID!) { customer(id: $id) { satisfaction { averageCsat csatResponses npsScore npsResponses }
      surveyResponses(first: 10) { totalCount nodes { csat } } } }`, { id: c });
    expect(after.customer.satisfaction).toEqual({ averageCsat: 3, csatResponses: 2, npsScore: 0, npsResponses: 2 });
    expect(after.customer.surveyResponses).toEqual({ totalCount: 2, nodes: [{ csat: 2 }, { csat: 4 }] });
    // The care agenda's SATISFACTION_SURVEY routine counts SURVEY touchpoints: the service contact is surveyed now.
    const [{ surveyed }] = await app.db.query(`SELECT EXISTS (SELECT 1 FROM touchpoints WHERE customer_id = $1 AND purpose = 'SURVEY' AND occurred_at >= $2) AS surveyed`, [uuid(c), new Date(NOW - 3 * DAY)]);
    expect(surveyed).toBe(true);

    const audit = await app.db.query(`SELECT action, actor_user_id FROM audit_events WHERE object_id = $1`, [uuid(r.id)]);
    expect(audit).toEqual([{ action: 'surveyResponse.record', actor_user_id: users.repA }]);
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE object_id = $1 AND action = 'touchpoint.log'`, [uuid(r.touchpoint.id)]);
    expect(n).toBe(1);
  });

  it('refuses answers out of range, wrong choices, missing required answers and misplaced fields, with the path to each, writing nothing', async () => {
    const s = await survey();
    const c = await customer(null);
    const before = await fingerprint();
    const p = await record(app, s, c, [
      { questionKey: 'csat', value: 6 },
      { questionKey: 'nps', value: -1, text: 'x' },
      { questionKey: 'best', choices: ['Price', 'Quality'] },
      { questionKey: 'also', choices: ['Packaging', 'Cheese'] },
      { questionKey: 'speed', choices: ['7'] },
      { questionKey: 'nope', value: 1 },
    ]);
    expect(codes(p)).toEqual([
      ['input.answers.0.value', 'OUT_OF_RANGE'],
      ['input.answers.1.text', 'INVALID'],
      ['input.answers.1.value', 'OUT_OF_RANGE'],
      ['input.answers.2.choices', 'TOO_MANY'],
      ['input.answers.3.choices.1', 'INVALID'],
      ['input.answers.4.choices', 'INVALID'],
      ['input.answers.4.value', 'REQUIRED'],
      ['input.answers.5.questionKey', 'NOT_FOUND'],
    ]);
    expect(codes(await record(app, s, c, [{ questionKey: 'csat', value: 5 }, { questionKey: 'csat', value: 4 }]))).toEqual([
      ['input.answers.1.questionKey', 'INVALID'],
      ['input.answers', 'REQUIRED'],
      ['input.answers', 'REQUIRED'],
    ]);
    const missing = await record(app, s, c, [{ questionKey: 'csat', value: 5 }]);
    expect(missing.userErrors.map((e: { field: string[]; code: string; message: string }) => [e.field.join('.'), e.code, e.message])).toEqual([
      ['input.answers', 'REQUIRED', 'Question "nps" must be answered.'],
      ['input.answers', 'REQUIRED', 'Question "best" must be answered.'],
    ]);
    const future = await record(app, s, c, GOOD_ANSWERS, { respondedAt: iso(NOW + 2 * DAY) });
    expect(codes(future)).toEqual([['input.respondedAt', 'OUT_OF_RANGE']]);
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a DRAFT or CLOSED survey, an unknown customer, and a touchpoint of another customer', async () => {
    const draft = await survey({}, false);
    const closed = await survey();
    await ok(manager, CLOSE, { id: closed });
    const c = await customer(null);
    const other = await customer(null);
    const tp = (await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId: other, channel: 'PHONE', purpose: 'SERVICE' })).touchpoint.id;
    const live = await survey();
    const before = await fingerprint();
    expect(codes(await record(app, draft, c))).toEqual([['input.surveyId', 'INVALID']]);
    expect(codes(await record(app, closed, c))).toEqual([['input.surveyId', 'INVALID']]);
    expect(codes(await record(app, toGlobalId('Survey', '00000000-0000-0000-0000-000000000000'), c))).toEqual([['input.surveyId', 'NOT_FOUND']]);
    expect(codes(await record(app, 'junk', toGlobalId('Customer', '00000000-0000-0000-0000-000000000000')))).toEqual([['input.surveyId', 'INVALID_ID'], ['input.customerId', 'NOT_FOUND']]);
    expect(codes(await record(app, live, c, GOOD_ANSWERS, { touchpointId: tp }))).toEqual([['input.touchpointId', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
  });

  it("a sales rep cannot record or see responses for another rep's customer", async () => {
    const s = await survey();
    const theirs = await customer(userId(users.repB));
    const mine = await customer(userId(users.repA));
    const before = await fingerprint();
    expect(codes(await record(repA, s, theirs))).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(await fingerprint()).toBe(before);
    const theirResponse = (await ok(app, RECORD, { surveyId: s, customerId: theirs, answers: GOOD_ANSWERS })).response.id;
    const myResponse = (await ok(repA, RECORD, { surveyId: s, customerId: mine, answers: GOOD_ANSWERS })).response.id;
    const seen = await repA.ok(`query($s: ID!, $ids: [ID!]!) { survey(id: $s) { responses(first: 50) { totalCount nodes { id } } } nodes(ids: $ids) { id } }`, { s, ids: [theirResponse, myResponse] });
    expect(seen).toEqual({ survey: { responses: { totalCount: 1, nodes: [{ id: myResponse }] } }, nodes: [null, { id: myResponse }] });
    // An analyst reads answers, with free text withheld like every note.
    const analyst = await app.as({ role: 'ANALYST' });
    const masked = await analyst.ok(`query($id: ID!) { node(id: $id) { ... on SurveyResponse { answers { questionKey text } } } }`, { id: myResponse });
    expect(masked.node.answers.find((a: { questionKey: string }) => a.questionKey === 'comment')).toEqual({ questionKey: 'comment', text: null });
  });
});

describe('invitations and survey tasks', () => {
  it('links a response given without a touchpoint to the service contact or resolved complaint that invited it, once', async () => {
    const serviceSurvey = await survey({ trigger: 'AFTER_SERVICE_TOUCHPOINT', delayDays: 1 });
    const complaintSurvey = await survey({ trigger: 'AFTER_RESOLVED_COMPLAINT' });
    const c = await customer(userId(users.repA));
    const logService = async (customerId: string, at?: string) =>
      (await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId, channel: 'PHONE', purpose: 'SERVICE', occurredAt: at })).touchpoint.id;
    // A service contact before the survey went live invites nobody: no link.
    const earlier = await customer(userId(users.repA));
    await logService(earlier, iso(NOW - 2 * DAY));
    expect((await ok(repA, RECORD, { surveyId: serviceSurvey, customerId: earlier, answers: GOOD_ANSWERS })).response.triggeredBy).toBeNull();
    // One after it (logged now, answered now, even before the delay is up) is linked; a second answer is not.
    const service = await logService(c);
    const first = (await ok(repA, RECORD, { surveyId: serviceSurvey, customerId: c, answers: GOOD_ANSWERS })).response;
    expect(first.triggeredBy).toEqual({ id: service });
    const second = (await ok(repA, RECORD, { surveyId: serviceSurvey, customerId: c, answers: GOOD_ANSWERS })).response;
    expect(second.triggeredBy).toBeNull();
    // A MANUAL survey links nothing it is not told.
    const manual = (await ok(repA, RECORD, { surveyId: await survey(), customerId: c, answers: GOOD_ANSWERS })).response;
    expect(manual.triggeredBy).toBeNull();

    const opened = await ok(app, `mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id touchpoint { id } } ${UE} } }`, { customerId: c, channel: 'PHONE', subject: 'Loose handle' });
    await ok(app, `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { id } ${UE} } }`, { id: opened.complaint.id, resolution: 'Handle replaced' });
    const afterComplaint = (await ok(repA, RECORD, { surveyId: complaintSurvey, customerId: c, answers: GOOD_ANSWERS })).response;
    expect(afterComplaint.triggeredBy).toEqual({ id: opened.complaint.touchpoint.id });
  });

  it('invites customers whose purchase is older than the delay, who consented and have not answered since, oldest first, page by page', async () => {
    const s = await survey({ trigger: 'AFTER_ORDER', delayDays: 7 });
    const buyer = async (owner: string | null, consent = true) => {
      const c = await customer(owner, consent ? {} : { consents: [{ channel: 'EMAIL', granted: false }] });
      await ok(app, `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } ${UE} } }`, { customerId: c, status: 'PAID', lines: [{ description: 'Beans', quantity: 1, unitPrice: '9.90' }] });
      return c;
    };
    const first = await buyer(userId(users.repA));
    const second = await buyer(null);
    await buyer(userId(users.repA), false);
    const early = await app.ok(INVITATIONS, { id: s, asOf: iso(NOW + 6 * DAY) });
    expect(early.surveyInvitations.totalCount).toBe(0);
    const asOf = iso(NOW + 8 * DAY);
    const page1 = await app.ok(INVITATIONS, { id: s, asOf, first: 1 });
    expect(page1.surveyInvitations).toMatchObject({ totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ customer: { id: first }, owner: { id: userId(users.repA) }, hasOpenSurveyTask: false }] });
    const page2 = await app.ok(INVITATIONS, { id: s, asOf, first: 1, after: page1.surveyInvitations.pageInfo.endCursor });
    expect(page2.surveyInvitations).toMatchObject({ pageInfo: { hasNextPage: false }, nodes: [{ customer: { id: second }, owner: null }] });
    const { dueAt, eventAt } = page1.surveyInvitations.nodes[0];
    expect(new Date(dueAt).getTime() - new Date(eventAt).getTime()).toBe(7 * DAY);
    // A rep sees their own book's invitations only; a forged cursor is refused.
    expect((await repA.ok(INVITATIONS, { id: s, asOf })).surveyInvitations.nodes.map((n: any) => n.customer.id)).toEqual([first]);
    const forged = await app.gql(INVITATIONS, { id: s, asOf, after: 'bm9wZQ' });
    expect(forged.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });

    // Answering removes the customer until their next purchase.
    await ok(app, RECORD, { surveyId: s, customerId: first, answers: GOOD_ANSWERS });
    expect((await app.ok(INVITATIONS, { id: s, asOf })).surveyInvitations.nodes.map((n: any) => n.customer.id)).toEqual([second]);
  });

  it('invites after a resolved complaint and after a service touchpoint, naming the touchpoint behind the event', async () => {
    const complaintSurvey = await survey({ trigger: 'AFTER_RESOLVED_COMPLAINT', delayDays: 2 });
    const serviceSurvey = await survey({ trigger: 'AFTER_SERVICE_TOUCHPOINT', delayDays: 1 });
    const c = await customer(userId(users.repA));
    const opened = await ok(app, `mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id touchpoint { id } } ${UE} } }`, { customerId: c, channel: 'PHONE', subject: 'Broken lid' });
    const asOf = iso(NOW + 3 * DAY);
    expect((await app.ok(INVITATIONS, { id: complaintSurvey, asOf })).surveyInvitations.totalCount).toBe(0);
    await ok(app, `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { id } ${UE} } }`, { id: opened.complaint.id, resolution: 'New lid sent' });
    expect((await app.ok(INVITATIONS, { id: complaintSurvey, asOf })).surveyInvitations.nodes).toMatchObject([{ customer: { id: c }, triggeredBy: { id: opened.complaint.touchpoint.id } }]);

    const d = await customer(null);
    const service = (await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId: d, channel: 'PHONE', purpose: 'SERVICE' })).touchpoint.id;
    expect((await app.ok(INVITATIONS, { id: serviceSurvey, asOf: iso(NOW + 0.5 * DAY) })).surveyInvitations.totalCount).toBe(0);
    expect((await app.ok(INVITATIONS, { id: serviceSurvey, asOf })).surveyInvitations.nodes).toMatchObject([{ customer: { id: d }, triggeredBy: { id: service } }]);
  });

  it('schedules SURVEY tasks for the owners, a dry run counting exactly what the real run writes, once per customer, and a response completes the task', async () => {
    const s = await survey({ trigger: 'AFTER_SERVICE_TOUCHPOINT', delayDays: 0 });
    const owned = [await customer(userId(users.repA)), await customer(userId(users.repB))];
    const orphan = await customer(null);
    for (const c of [...owned, orphan]) {
      await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId: c, channel: 'PHONE', purpose: 'SERVICE' });
    }
    const asOf = iso(NOW + DAY);
    const before = await fingerprint();
    const dry = await ok(manager, SCHEDULE, { surveyId: s, asOf, dryRun: true });
    expect(await fingerprint()).toBe(before);
    const real = await ok(manager, SCHEDULE, { surveyId: s, asOf, dryRun: false });
    expect({ ...dry, dryRun: false }).toEqual(real);
    expect(real).toMatchObject({ invited: 3, scheduled: 2, alreadyOpen: 0, withoutOwner: 1 });
    const tasks = await app.db.query(`SELECT customer_id, owner_id, kind, status, due_at FROM tasks WHERE survey_id = $1 ORDER BY owner_id`, [uuid(s)]);
    expect(tasks.map((t: any) => [t.customer_id, t.owner_id, t.kind, t.status, t.due_at.toISOString()]).sort()).toEqual(
      [[uuid(owned[0]), users.repA, 'SURVEY', 'OPEN', asOf], [uuid(owned[1]), users.repB, 'SURVEY', 'OPEN', asOf]].sort(),
    );
    const audited = await app.db.query(`SELECT action, count(*)::int AS n FROM audit_events WHERE object_id = $1 OR object_id = ANY($2::uuid[]) GROUP BY action ORDER BY action`, [
      uuid(s),
      (await app.db.query(`SELECT id FROM tasks WHERE survey_id = $1`, [uuid(s)])).map((t: { id: string }) => t.id),
    ]);
    expect(audited).toEqual([{ action: 'survey.activate', n: 1 }, { action: 'survey.create', n: 1 }, { action: 'survey.scheduleTasks', n: 1 }, { action: 'task.schedule', n: 2 }]);

    // Run again: everyone with an owner has an open SURVEY task now.
    expect(await ok(manager, SCHEDULE, { surveyId: s, asOf, dryRun: false })).toMatchObject({ invited: 3, scheduled: 0, alreadyOpen: 2, withoutOwner: 1 });
    // The rep's answer completes the task with the SURVEY touchpoint, and the customer is no longer invited.
    const r = await ok(repA, RECORD, { surveyId: s, customerId: owned[0], answers: GOOD_ANSWERS });
    const [task] = await app.db.query(`SELECT status, completion_touchpoint_id FROM tasks WHERE survey_id = $1 AND customer_id = $2`, [uuid(s), uuid(owned[0])]);
    expect(task).toEqual({ status: 'DONE', completion_touchpoint_id: uuid(r.response.touchpoint.id) });
    expect((await app.ok(INVITATIONS, { id: s, asOf })).surveyInvitations.totalCount).toBe(2);

    // Only an ACTIVE survey schedules; reps may not.
    const draft = await survey({}, false);
    expect(codes(await call(manager, SCHEDULE, { surveyId: draft, dryRun: true }))).toEqual([['input.surveyId', 'INVALID']]);
    expect((await repA.gql(SCHEDULE, { input: { surveyId: s, dryRun: true } })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('the daily survey job', () => {
  it('schedules the tasks of every ACTIVE triggered survey as the system, and nothing more on a second run', async () => {
    const s = await survey({ trigger: 'AFTER_SERVICE_TOUCHPOINT', delayDays: 0 });
    const c = await customer(userId(users.repA));
    await ok(app, `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, { customerId: c, channel: 'PHONE', purpose: 'SERVICE' });
    const asOf = new Date(NOW + DAY);
    // Every ACTIVE triggered survey of this file runs; the customer gets one SURVEY task (from whichever survey invites
    // them first), for their owner, scheduled by the system.
    const first = await scheduleTriggeredSurveyTasks(app.db, asOf);
    expect(first.map((r) => r.surveyId)).toContain(uuid(s));
    const tasks = await app.db.query(`SELECT owner_id, kind, status, survey_id FROM tasks WHERE kind = 'SURVEY' AND customer_id = $1`, [uuid(c)]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ owner_id: users.repA, kind: 'SURVEY', status: 'OPEN' });
    const [audit] = await app.db.query(`SELECT actor_role FROM audit_events WHERE action = 'task.schedule' AND object_id = (SELECT id FROM tasks WHERE kind = 'SURVEY' AND customer_id = $1)`, [uuid(c)]);
    expect(audit).toEqual({ actor_role: 'SYSTEM' });
    // A second run schedules nothing more for anyone.
    expect((await scheduleTriggeredSurveyTasks(app.db, asOf)).reduce((n, r) => n + r.scheduled, 0)).toBe(0);
  });
});

describe('the satisfaction summary', () => {
  const SUMMARY = `query($from: DateTime!, $to: DateTime!, $groupBy: SatisfactionGrouping!, $surveyId: ID) {
    satisfactionSummary(from: $from, to: $to, groupBy: $groupBy, surveyId: $surveyId) { previousFrom
      total { key current { responses csatMean csatResponses npsScore npsResponses promoters detractors invitations answeredInvitations responseRate }
              previous { responses csatMean npsScore responseRate } csatChange npsChange responseRateChange direction }
      groups { key owner { id } current { responses csatMean csatResponses npsScore npsResponses promoters detractors invitations answeredInvitations responseRate }
               previous { responses csatMean npsScore responseRate } csatChange npsChange responseRateChange direction } } }`;

  it('gives CSAT, NPS, response rate and their change against the previous period, per group, as computed by hand', async () => {
    const s = await survey({ questions: QUESTIONS.slice(0, 2) });
    const north1 = await customer(userId(users.repA), { region: 'North' });
    const north2 = await customer(userId(users.repA), { region: 'North' });
    const south = await customer(userId(users.repB), { region: 'South' });
    const answer = (c: string, csat: number, nps: number, daysAgo: number) =>
      ok(app, RECORD, { surveyId: s, customerId: c, respondedAt: iso(NOW - daysAgo * DAY), answers: [{ questionKey: 'csat', value: csat }, { questionKey: 'nps', value: nps }] });
    // This period (the last 30 days): North 5/10, 4/9, 3/5; South 2/6. The previous 30 days: North 5/10.
    const r1 = await answer(north1, 5, 10, 5);
    await answer(north2, 4, 9, 10);
    await answer(north1, 3, 5, 20);
    await answer(south, 2, 6, 15);
    await answer(north2, 5, 10, 45);
    // Out of both periods.
    await answer(south, 1, 0, 70);
    // Two invitations of North in this period, one answered (completed by a response's touchpoint).
    await app.db.query(
      `INSERT INTO tasks (customer_id, owner_id, kind, subject, due_at, status, completed_at, completion_touchpoint_id, survey_id) VALUES
         ($1, $2, 'SURVEY', 'Ask', $3, 'DONE', now(), $4, $5), ($1, $2, 'SURVEY', 'Ask', $3, 'OPEN', NULL, NULL, $5)`,
      [uuid(north1), users.repA, new Date(NOW - 6 * DAY), uuid(r1.response.touchpoint.id), uuid(s)],
    );
    const from = iso(NOW - 30 * DAY);
    const to = iso(NOW);
    const { satisfactionSummary: sum } = await manager.ok(SUMMARY, { from, to, groupBy: 'REGION', surveyId: s });
    expect(sum.previousFrom).toBe(iso(NOW - 60 * DAY));
    expect(sum.total).toEqual({
      key: null,
      current: { responses: 4, csatMean: 3.5, csatResponses: 4, npsScore: 0, npsResponses: 4, promoters: 2, detractors: 2, invitations: 2, answeredInvitations: 1, responseRate: 0.5 },
      previous: { responses: 1, csatMean: 5, npsScore: 100, responseRate: null },
      csatChange: -1.5,
      npsChange: -100,
      responseRateChange: null,
      direction: 'FALLING',
    });
    expect(sum.groups).toEqual([
      {
        key: 'North',
        owner: null,
        current: { responses: 3, csatMean: 4, csatResponses: 3, npsScore: 33.33, npsResponses: 3, promoters: 2, detractors: 1, invitations: 2, answeredInvitations: 1, responseRate: 0.5 },
        previous: { responses: 1, csatMean: 5, npsScore: 100, responseRate: null },
        csatChange: -1,
        npsChange: -66.67,
        responseRateChange: null,
        direction: 'FALLING',
      },
      {
        key: 'South',
        owner: null,
        current: { responses: 1, csatMean: 2, csatResponses: 1, npsScore: -100, npsResponses: 1, promoters: 0, detractors: 1, invitations: 0, answeredInvitations: 0, responseRate: null },
        previous: { responses: 0, csatMean: null, npsScore: null, responseRate: null },
        csatChange: null,
        npsChange: null,
        responseRateChange: null,
        direction: 'UNKNOWN',
      },
    ]);

    // By owner: a rep's figures cover their own book.
    const byOwner = (await manager.ok(SUMMARY, { from, to, groupBy: 'OWNER', surveyId: s })).satisfactionSummary;
    expect(byOwner.groups.map((g: any) => [g.key, g.owner?.id, g.current.responses])).toEqual([
      [users.repA, userId(users.repA), 3],
      [users.repB, userId(users.repB), 1],
    ]);
    const rep = (await repA.ok(SUMMARY, { from, to, groupBy: 'CHANNEL', surveyId: s })).satisfactionSummary;
    expect(rep.total.current).toMatchObject({ responses: 3, csatMean: 4 });
    expect(rep.groups.map((g: any) => g.key)).toEqual(['EMAIL']);

    // By segment: the customers' current segments, as the scores hold them.
    await app.scoresSettled();
    const bySegment = (await manager.ok(SUMMARY, { from, to, groupBy: 'SEGMENT', surveyId: s })).satisfactionSummary;
    const segments = await app.db.query(`SELECT segment, count(*)::int AS n FROM customer_scores WHERE customer_id = ANY($1::uuid[]) GROUP BY segment`, [[north1, north2, south].map(uuid)]);
    expect(bySegment.groups.map((g: any) => g.key).sort()).toEqual(segments.map((x: { segment: string }) => x.segment).sort());
    expect(bySegment.groups.reduce((t: number, g: any) => t + g.current.responses, 0)).toBe(4);
    const byTier = (await manager.ok(SUMMARY, { from, to, groupBy: 'VALUE_TIER', surveyId: s })).satisfactionSummary;
    const tiers = await app.db.query(`SELECT DISTINCT value_tier FROM customer_scores WHERE customer_id = ANY($1::uuid[])`, [[north1, north2, south].map(uuid)]);
    expect(byTier.groups.map((g: any) => g.key).sort()).toEqual(tiers.map((x: { value_tier: string }) => x.value_tier).sort());
    expect(byTier.total.current).toMatchObject({ responses: 4, csatMean: 3.5, npsScore: 0 });

    const bad = await manager.gql(SUMMARY, { from: to, to: from, groupBy: 'REGION' });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe('privacy', () => {
  it("erasing a customer scrubs the free text of their answers and keeps the scores", async () => {
    const s = await survey();
    const c = await customer(null);
    await ok(app, RECORD, { surveyId: s, customerId: c, answers: GOOD_ANSWERS });
    const erased = await call(app, `mutation($input: EraseCustomerInput!) { eraseCustomer(input: $input) { erased ${UE} } }`, { id: c });
    expect(erased.userErrors).toEqual([]);
    expect(erased.erased).toContain('survey free-text answers (1)');
    const rows = await app.db.query(`SELECT question_key, number_value, text_value FROM survey_answers WHERE customer_id = $1 ORDER BY question_key`, [uuid(c)]);
    expect(rows).toEqual([
      { question_key: 'best', number_value: null, text_value: null },
      { question_key: 'comment', number_value: null, text_value: null },
      { question_key: 'csat', number_value: 4, text_value: null },
      { question_key: 'nps', number_value: 9, text_value: null },
    ]);
  });
});

describe('hostile answers', () => {
  it('any answers either are stored exactly as checked or are refused with userErrors and nothing written; never a fault', async () => {
    const s = await survey();
    const c = await customer(null);
    const keys = [...QUESTIONS.map((q) => q.key), 'x', '', 'csat\u0000'];
    const answer = fc.record(
      {
        questionKey: fc.constantFrom(...keys),
        value: fc.option(fc.oneof(fc.integer({ min: -20, max: 20 }), fc.constantFrom(2147483647, -2147483648)), { nil: undefined }),
        choices: fc.option(fc.array(fc.oneof(fc.constantFrom('Price', 'Quality', 'Service', 'Packaging', 'Speed', 'Staff'), fc.string({ maxLength: 5 })), { maxLength: 4 }), { nil: undefined }),
        text: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constant('\u0000'), fc.constant('x'.repeat(2001))), { nil: undefined }),
      },
      { requiredKeys: ['questionKey'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(answer, { maxLength: 8 }), async (answers) => {
        const before = await fingerprint();
        const res = await app.gql(RECORD, { input: { surveyId: s, customerId: c, answers } });
        expect(res.errors).toBeUndefined();
        const p = res.data.recordSurveyResponse;
        if (p.userErrors.length) {
          expect(p.response).toBeNull();
          expect(await fingerprint()).toBe(before);
          for (const e of p.userErrors) expect(e.field[0]).toBe('input');
        } else {
          const stored = await app.db.query(`SELECT question_key, number_value, choices, text_value FROM survey_answers WHERE response_id = $1`, [uuid(p.response.id)]);
          expect(stored.length).toBe(p.response.answers.length);
          const csat = answers.find((a) => a.questionKey === 'csat')!.value;
          expect(p.response.touchpoint.satisfaction).toBe(csat);
        }
      }),
      { numRuns: 40 },
    );
  });
});
