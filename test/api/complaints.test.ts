import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { escalateOverdueComplaints, ESCALATE_OVERDUE_JOB } from '../../src/complaint/complaint.escalation';
import { addJob } from '../../src/core/jobs';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
const HOUR = 3_600_000;
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const iso = (ms: number) => new Date(ms).toISOString();

const FIELDS = `id status severity category channel subject description escalationLevel openedAt firstResponseDueAt resolutionDueAt
  firstResponseAt resolvedAt closedAt resolution rootCause version withinSla firstResponseHours resolutionHours
  compensation { kind amount { amount currencyCode } } feedback { satisfied comment }
  assignee { id } escalatedTo { id } customer { id } touchpoint { id purpose direction channel complaintStatus }
  transitions { fromStatus toStatus at note actor }`;
const payloadOf = (name: string, input: string) =>
  `mutation($input: ${input}!) { ${name}(input: $input) { complaint { ${FIELDS} } userErrors { field message code } } }`;
const OPEN = payloadOf('openComplaint', 'OpenComplaintInput');
const STEP = (name: string, input = 'ComplaintStepInput') => payloadOf(name, input);

interface Person {
  uuid: string;
  id: string;
}
const staff = {} as Record<'repA' | 'repB' | 'manager' | 'director' | 'analyst', Person>;
let rep: GraphQLCaller;
let manager: GraphQLCaller;
let customerA: string;
let customerB: string;

async function user(name: string, role: string, managerId: string | null = null): Promise<Person> {
  const [{ id }] = await app.db.query(`INSERT INTO users (name, email, role, manager_id) VALUES ($1, $2, $3, $4) RETURNING id`, [
    name,
    `${name.toLowerCase().replace(/\W+/g, '.')}@rapport.example`,
    role,
    managerId,
  ]);
  return { uuid: id, id: toGlobalId('User', id) };
}

async function customer(name: string, owner: Person, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, {
    input: { name, ownerId: owner.id, ...extra },
  });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer.id;
}

/** Runs a complaint mutation as `who` (the admin by default), insists it worked, and returns the complaint. */
async function run(mutation: string, input: Record<string, unknown>, who: GraphQLCaller = app): Promise<any> {
  const data = await who.ok(mutation, { input });
  const payload = Object.values(data)[0] as { complaint: unknown; userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload.complaint;
}

/** The userErrors of a mutation that must fail, as [path, code]. */
async function refused(mutation: string, input: Record<string, unknown>, who: GraphQLCaller = app): Promise<Array<[string, string]>> {
  const res = await who.gql(mutation, { input });
  expect(res.errors).toBeUndefined();
  const payload = Object.values(res.data)[0] as { complaint: unknown; userErrors: Array<{ field: string[]; code: string }> };
  expect(payload.complaint).toBeNull();
  return payload.userErrors.map((e) => [e.field.join('.'), e.code]);
}

const counts = async () =>
  (
    await app.db.query(`SELECT (SELECT count(*)::int FROM complaints) AS complaints, (SELECT count(*)::int FROM touchpoints) AS touchpoints,
      (SELECT count(*)::int FROM complaint_transitions) AS transitions, (SELECT coalesce(sum(version), 0)::int FROM complaints) AS versions`)
  )[0];

beforeAll(async () => {
  app = await startTestApp();
  staff.director = await user('Dora Director', 'MANAGER');
  staff.manager = await user('Mona Manager', 'MANAGER', staff.director.uuid);
  staff.repA = await user('Rita Rep', 'SALES_REP', staff.manager.uuid);
  staff.repB = await user('Ben Rep', 'SALES_REP', staff.manager.uuid);
  staff.analyst = await user('Anil Analyst', 'ANALYST');
  rep = await app.as({ role: 'SALES_REP', userId: staff.repA.uuid });
  manager = await app.as({ role: 'MANAGER', userId: staff.manager.uuid });
  customerA = await customer('Alice Archer', staff.repA, { consents: [{ channel: 'EMAIL', granted: true }] });
  customerB = await customer('Bruno Baker', staff.repB);
});
afterAll(() => app.close());

describe('opening a complaint', () => {
  it('records the complaint and its inbound touchpoint in one go, due times from the severity, handled by the customer’s owner', async () => {
    const openedAt = Date.now() - 2 * HOUR;
    const c = await run(OPEN, {
      customerId: customerA,
      channel: 'PHONE',
      subject: '  Machine leaks ',
      description: 'Water under the machine every morning',
      category: 'PRODUCT_QUALITY',
      severity: 'HIGH',
      openedAt: iso(openedAt),
    });
    expect(c).toMatchObject({
      status: 'OPEN',
      severity: 'HIGH',
      category: 'PRODUCT_QUALITY',
      channel: 'PHONE',
      subject: 'Machine leaks',
      escalationLevel: 0,
      openedAt: iso(openedAt),
      firstResponseDueAt: iso(openedAt + 8 * HOUR),
      resolutionDueAt: iso(openedAt + 48 * HOUR),
      firstResponseAt: null,
      withinSla: null,
      version: 1,
      assignee: { id: staff.repA.id },
      customer: { id: customerA },
      touchpoint: { purpose: 'COMPLAINT', direction: 'INBOUND', channel: 'PHONE', complaintStatus: 'OPEN' },
      transitions: [{ fromStatus: null, toStatus: 'OPEN', at: iso(openedAt), note: null, actor: expect.any(String) }],
    });
    const audit = await app.db.query(`SELECT action FROM audit_events WHERE object_id IN ($1, $2) ORDER BY action`, [uuid(c.id), uuid(c.touchpoint.id)]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['complaint.open', 'touchpoint.log']);
    const { customer } = await app.ok(`query($id: ID!) { customer(id: $id) { openComplaints complaints { totalCount nodes { id } } } }`, { id: customerA });
    expect(customer.openComplaints).toBeGreaterThanOrEqual(1);
    expect(customer.complaints.nodes.map((n: { id: string }) => n.id)).toContain(c.id);
  });

  it('refuses bad input with typed userErrors at their paths, and writes nothing', async () => {
    const [contact] = await app.db.query(`INSERT INTO contacts (customer_id, name, relationship) VALUES ($1, 'Boris', 'OTHER') RETURNING id`, [uuid(customerB)]);
    const before = await counts();
    expect(
      await refused(OPEN, {
        customerId: customerA,
        channel: 'EMAIL',
        subject: '   ',
        description: 'a\u0000b',
        openedAt: iso(Date.now() + 2 * HOUR),
        contactId: toGlobalId('Contact', contact.id),
        assigneeId: staff.analyst.id,
      }),
    ).toEqual([
      ['input.openedAt', 'OUT_OF_RANGE'],
      ['input.subject', 'REQUIRED'],
      ['input.description', 'INVALID'],
      ['input.contactId', 'INVALID'],
      ['input.assigneeId', 'INVALID'],
    ]);
    expect(await refused(OPEN, { customerId: 'nope', channel: 'EMAIL', subject: 'x' })).toEqual([['input.customerId', 'INVALID_ID']]);
    expect(await refused(OPEN, { customerId: toGlobalId('Customer', '00000000-0000-0000-0000-000000000000'), channel: 'EMAIL', subject: 'x' })).toEqual([
      ['input.customerId', 'NOT_FOUND'],
    ]);
    expect(await counts()).toEqual(before);
  });

  it('never answers hostile input with an internal error, and writes nothing when it reports userErrors', async () => {
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', 'a\u0000b', '\u{1F600}'.repeat(80), "'; DROP TABLE complaints; --", 'x'.repeat(10_001)));
    const input = fc.record(
      {
        customerId: fc.oneof(fc.constant(customerA), fc.string({ maxLength: 60 }), fc.constant(toGlobalId('Order', '00000000-0000-0000-0000-000000000000'))),
        channel: fc.constantFrom('EMAIL', 'PHONE', 'CHAT', 'SOCIAL'),
        subject: text,
        description: fc.option(text),
        category: fc.constantFrom('DELIVERY', 'BILLING', 'OTHER'),
        severity: fc.constantFrom('LOW', 'MEDIUM', 'HIGH', 'CRITICAL'),
        openedAt: fc.option(fc.date({ min: new Date('1800-01-01'), max: new Date('2200-01-01'), noInvalidDate: true }).map((d) => d.toISOString())),
        assigneeId: fc.option(fc.oneof(fc.constant(staff.repA.id), fc.constant(staff.analyst.id), fc.string({ maxLength: 40 }))),
      },
      { requiredKeys: ['customerId', 'channel', 'subject'] },
    );
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const before = await counts();
        const res = await app.gql(`mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id } userErrors { field code } } }`, { input: i });
        expect(res.status).toBeLessThan(500);
        expect(res.errors).toBeUndefined();
        if (res.data.openComplaint.userErrors.length) expect(await counts()).toEqual(before);
        else expect(res.data.openComplaint.complaint.id).toEqual(expect.any(String));
      }),
      { numRuns: 60, seed: 42 },
    );
  });
});

describe('handling a complaint', () => {
  it('goes OPEN → ACKNOWLEDGED → IN_PROGRESS → RESOLVED → CLOSED, recording each step, the response, the fix, the compensation and the feedback', async () => {
    const opened = Date.now() - 30 * HOUR;
    const c = await run(OPEN, { customerId: customerA, channel: 'EMAIL', subject: 'Late parcel', category: 'DELIVERY', openedAt: iso(opened) });
    const ack = await run(STEP('acknowledgeComplaint'), { id: c.id, expectedVersion: 1, note: 'Called back, apologised', at: iso(opened + 2 * HOUR) });
    expect(ack).toMatchObject({ status: 'ACKNOWLEDGED', firstResponseAt: iso(opened + 2 * HOUR), firstResponseHours: 2, version: 2 });
    expect(await refused(STEP('startComplaintWork'), { id: c.id, expectedVersion: 1 })).toEqual([['input.expectedVersion', 'CONFLICT']]);
    await run(STEP('startComplaintWork'), { id: c.id, expectedVersion: 2, at: iso(opened + 3 * HOUR) });
    const resolved = await run(STEP('resolveComplaint', 'ResolveComplaintInput'), {
      id: c.id,
      resolution: 'Sent a new parcel by courier',
      rootCause: 'Carrier lost the parcel',
      compensation: { kind: 'VOUCHER', amount: '12.5', currencyCode: 'eur' },
      at: iso(opened + 20 * HOUR),
    });
    expect(resolved).toMatchObject({
      status: 'RESOLVED',
      resolvedAt: iso(opened + 20 * HOUR),
      resolutionHours: 20,
      resolution: 'Sent a new parcel by courier',
      rootCause: 'Carrier lost the parcel',
      compensation: { kind: 'VOUCHER', amount: { amount: '12.50', currencyCode: 'EUR' } },
      withinSla: true,
      touchpoint: { complaintStatus: 'RESOLVED' },
    });
    const feedback = await run(payloadOf('recordComplaintFeedback', 'RecordComplaintFeedbackInput'), { id: c.id, satisfied: true, comment: 'Quick, thanks' });
    expect(feedback.feedback).toEqual({ satisfied: true, comment: 'Quick, thanks' });
    const closed = await run(STEP('closeComplaint'), { id: c.id });
    expect(closed.status).toBe('CLOSED');
    expect(closed.transitions.map((t: { fromStatus: string | null; toStatus: string }) => `${t.fromStatus ?? '∅'}→${t.toStatus}`)).toEqual([
      '∅→OPEN',
      'OPEN→ACKNOWLEDGED',
      'ACKNOWLEDGED→IN_PROGRESS',
      'IN_PROGRESS→RESOLVED',
      'RESOLVED→CLOSED',
    ]);
    expect(closed.transitions[1].note).toBe('Called back, apologised');
    const audit = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1 ORDER BY at, action`, [uuid(c.id)]);
    expect(audit.map((a: { action: string }) => a.action).sort()).toEqual(
      ['complaint.feedback', 'complaint.open', 'complaint.transition', 'complaint.transition', 'complaint.transition', 'complaint.transition'].sort(),
    );
  });

  it('refuses transitions the workflow does not allow, with INVALID_TRANSITION, and writes nothing', async () => {
    const c = await run(OPEN, { customerId: customerA, channel: 'CHAT', subject: 'Rude driver', category: 'STAFF' });
    const before = await counts();
    expect(await refused(STEP('closeComplaint'), { id: c.id })).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(await refused(STEP('reopenComplaint'), { id: c.id })).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(await refused(payloadOf('recordComplaintFeedback', 'RecordComplaintFeedbackInput'), { id: c.id, satisfied: false })).toEqual([
      ['input.id', 'INVALID_TRANSITION'],
    ]);
    expect(await counts()).toEqual(before);
    await run(STEP('acknowledgeComplaint'), { id: c.id });
    expect(await refused(STEP('acknowledgeComplaint'), { id: c.id })).toEqual([['input.id', 'INVALID_TRANSITION']]);
    await run(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c.id, resolution: 'Spoke to the driver' });
    await run(STEP('closeComplaint'), { id: c.id });
    for (const step of ['acknowledgeComplaint', 'startComplaintWork', 'reopenComplaint', 'closeComplaint']) {
      expect(await refused(STEP(step), { id: c.id })).toEqual([['input.id', 'INVALID_TRANSITION']]);
    }
    expect(await refused(payloadOf('assignComplaint', 'AssignComplaintInput'), { id: c.id, assigneeId: staff.repA.id })).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(await refused(payloadOf('escalateComplaint', 'EscalateComplaintInput'), { id: c.id, note: 'Too late' })).toEqual([['input.id', 'INVALID_TRANSITION']]);
  });

  it('resolves on the first call (the resolution is the first response), reopens with a fresh resolution due time, and checks resolution input', async () => {
    const opened = Date.now() - 10 * HOUR;
    const c = await run(OPEN, { customerId: customerA, channel: 'PHONE', subject: 'Charged twice', category: 'BILLING', severity: 'LOW', openedAt: iso(opened) });
    expect(
      await refused(STEP('resolveComplaint', 'ResolveComplaintInput'), {
        id: c.id,
        resolution: ' ',
        compensation: { kind: 'REFUND', amount: '1.234', currencyCode: 'EUR' },
        at: iso(opened - HOUR),
      }),
    ).toEqual([
      ['input.resolution', 'REQUIRED'],
      ['input.compensation.amount', 'INVALID'],
      ['input.at', 'OUT_OF_RANGE'],
    ]);
    expect(await refused(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c.id, resolution: 'Refunded', compensation: { kind: 'REFUND', amount: '5', currencyCode: 'XXX' } })).toEqual([
      ['input.compensation.currencyCode', 'INVALID'],
    ]);
    const resolved = await run(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c.id, resolution: 'Refunded the second charge', at: iso(opened + HOUR) });
    expect(resolved).toMatchObject({ status: 'RESOLVED', firstResponseAt: iso(opened + HOUR), resolvedAt: iso(opened + HOUR) });
    const before = Date.now();
    const reopened = await run(STEP('reopenComplaint'), { id: c.id, note: 'Charged a third time' });
    expect(reopened).toMatchObject({ status: 'IN_PROGRESS', resolvedAt: null, firstResponseAt: iso(opened + HOUR) });
    // LOW: 240 hours to resolve, from the reopening.
    expect(new Date(reopened.resolutionDueAt).getTime()).toBeGreaterThanOrEqual(before + 240 * HOUR - 1000);
  });

  it('corrects category and severity, the due times following the new severity’s service levels while unresolved', async () => {
    const opened = Date.now() - 2 * HOUR;
    const c = await run(OPEN, { customerId: customerA, channel: 'PHONE', subject: 'Wrong part', openedAt: iso(opened) });
    expect(c).toMatchObject({ severity: 'MEDIUM', firstResponseDueAt: iso(opened + 24 * HOUR), resolutionDueAt: iso(opened + 120 * HOUR) });
    const UPDATE = payloadOf('updateComplaint', 'UpdateComplaintInput');
    const critical = await run(UPDATE, { id: c.id, severity: 'CRITICAL', category: 'DELIVERY', subject: ' Wrong part shipped ', expectedVersion: c.version });
    expect(critical).toMatchObject({ severity: 'CRITICAL', category: 'DELIVERY', subject: 'Wrong part shipped', firstResponseDueAt: iso(opened + 2 * HOUR), resolutionDueAt: iso(opened + 24 * HOUR) });
    expect(await refused(UPDATE, { id: c.id, subject: 'x', expectedVersion: c.version })).toEqual([['input.expectedVersion', 'CONFLICT']]);
    expect(await refused(UPDATE, { id: c.id, severity: null, subject: '' })).toEqual([['input.severity', 'REQUIRED'], ['input.subject', 'REQUIRED']]);
    const [audit] = await app.db.query(`SELECT changes FROM audit_events WHERE object_id = $1 AND action = 'complaint.update'`, [uuid(c.id)]);
    expect(audit.changes.severity).toEqual({ before: 'MEDIUM', after: 'CRITICAL' });
  });

  it('assigns to a handler (not an analyst) and escalates by hand to the handler’s manager', async () => {
    const c = await run(OPEN, { customerId: customerA, channel: 'EMAIL', subject: 'Wrong colour' });
    expect(await refused(payloadOf('assignComplaint', 'AssignComplaintInput'), { id: c.id, assigneeId: staff.analyst.id })).toEqual([['input.assigneeId', 'INVALID']]);
    const assigned = await run(payloadOf('assignComplaint', 'AssignComplaintInput'), { id: c.id, assigneeId: staff.repB.id, expectedVersion: 1 });
    expect(assigned).toMatchObject({ assignee: { id: staff.repB.id }, version: 2 });
    expect(await refused(payloadOf('escalateComplaint', 'EscalateComplaintInput'), { id: c.id, note: ' ' })).toEqual([['input.note', 'REQUIRED']]);
    expect(await refused(payloadOf('escalateComplaint', 'EscalateComplaintInput'), { id: c.id, note: 'Angry', toUserId: staff.repA.id })).toEqual([['input.toUserId', 'INVALID']]);
    const escalated = await run(payloadOf('escalateComplaint', 'EscalateComplaintInput'), { id: c.id, note: 'Customer threatens to leave' });
    expect(escalated).toMatchObject({ escalationLevel: 1, escalatedTo: { id: staff.manager.id } });
    const { node } = await app.ok(`query($id: ID!) { node(id: $id) { ... on Complaint { escalations { level reason note fromUser { id } toUser { id } missedDueAt } } } }`, { id: c.id });
    expect(node.escalations).toEqual([{ level: 1, reason: 'MANUAL', note: 'Customer threatens to leave', fromUser: { id: staff.repB.id }, toUser: { id: staff.manager.id }, missedDueAt: null }]);
    // The next one goes further up: the manager's manager.
    const again = await run(payloadOf('escalateComplaint', 'EscalateComplaintInput'), { id: c.id, note: 'Still angry' });
    expect(again).toMatchObject({ escalationLevel: 2, escalatedTo: { id: staff.director.id } });
  });
});

describe('service levels', () => {
  it('are per severity, read by everyone who reads complaints and changed only by ADMIN and MANAGER, for complaints opened afterwards', async () => {
    const { complaintSlas } = await rep.ok(`{ complaintSlas { severity firstResponseHours resolutionHours } }`);
    expect(complaintSlas).toEqual([
      { severity: 'LOW', firstResponseHours: 48, resolutionHours: 240 },
      { severity: 'MEDIUM', firstResponseHours: 24, resolutionHours: 120 },
      { severity: 'HIGH', firstResponseHours: 8, resolutionHours: 48 },
      { severity: 'CRITICAL', firstResponseHours: 2, resolutionHours: 24 },
    ]);
    const SET = `mutation($input: SetComplaintSlaInput!) { setComplaintSla(input: $input) { sla { severity firstResponseHours resolutionHours version } userErrors { field code } } }`;
    const forbidden = await rep.gql(SET, { input: { severity: 'CRITICAL', firstResponseHours: 1, resolutionHours: 12 } });
    expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const bad = await manager.ok(SET, { input: { severity: 'CRITICAL', firstResponseHours: 10, resolutionHours: 5 } });
    expect(bad.setComplaintSla.userErrors).toEqual([{ field: ['input', 'resolutionHours'], code: 'OUT_OF_RANGE' }]);
    const old = await run(OPEN, { customerId: customerA, channel: 'EMAIL', subject: 'Before the change', severity: 'CRITICAL' });
    const set = await manager.ok(SET, { input: { severity: 'CRITICAL', firstResponseHours: 1, resolutionHours: 12, expectedVersion: 1 } });
    expect(set.setComplaintSla).toEqual({ sla: { severity: 'CRITICAL', firstResponseHours: 1, resolutionHours: 12, version: 2 }, userErrors: [] });
    const openedAt = Date.now() - HOUR;
    const fresh = await run(OPEN, { customerId: customerA, channel: 'EMAIL', subject: 'After the change', severity: 'CRITICAL', openedAt: iso(openedAt) });
    expect(fresh).toMatchObject({ firstResponseDueAt: iso(openedAt + HOUR), resolutionDueAt: iso(openedAt + 12 * HOUR) });
    const { node } = await app.ok(`query($id: ID!) { node(id: $id) { ... on Complaint { resolutionDueAt openedAt } } }`, { id: old.id });
    expect(new Date(node.resolutionDueAt).getTime() - new Date(node.openedAt).getTime()).toBe(24 * HOUR);
    await manager.ok(SET, { input: { severity: 'CRITICAL', firstResponseHours: 2, resolutionHours: 24 } });
  });

  it('make a complaint overdue once a due time passes without what was due, judged at any instant', async () => {
    const opened = Date.now() - 3 * HOUR;
    const c = await run(OPEN, { customerId: customerA, channel: 'EMAIL', subject: 'Slow reply', severity: 'MEDIUM', openedAt: iso(opened) });
    const Q = `query($id: ID!, $a: DateTime!, $b: DateTime!, $c: DateTime!) { node(id: $id) { ... on Complaint {
      before: isOverdue(asOf: $a) responseLate: isOverdue(asOf: $b) resolutionLate: isOverdue(asOf: $c) now: isOverdue withinSla } } }`;
    const vars = { id: c.id, a: iso(opened + 23 * HOUR), b: iso(opened + 25 * HOUR), c: iso(opened + 121 * HOUR) };
    expect((await app.ok(Q, vars)).node).toEqual({ before: false, responseLate: true, resolutionLate: true, now: false, withinSla: null });
    await run(STEP('acknowledgeComplaint'), { id: c.id });
    expect((await app.ok(Q, vars)).node).toEqual({ before: false, responseLate: false, resolutionLate: true, now: false, withinSla: null });
    const { complaints } = await app.ok(`query($id: ID!) { complaints(filter: { customer: { eq: $id }, overdue: { eq: true } }) { nodes { id } } }`, { id: customerA });
    expect(complaints.nodes.map((n: { id: string }) => n.id)).not.toContain(c.id);
  });
});

describe('escalation by the worker', () => {
  let complaintId: string;
  let opened: number;
  beforeAll(async () => {
    await app.db.query(`UPDATE complaints SET resolved_at = coalesce(resolved_at, opened_at), status = CASE WHEN status IN ('RESOLVED','CLOSED') THEN status ELSE 'RESOLVED' END,
                        first_response_at = coalesce(first_response_at, opened_at)`);
    opened = Date.now() - HOUR;
    complaintId = (await run(OPEN, { customerId: customerA, channel: 'PHONE', subject: 'Machine on fire', severity: 'HIGH', openedAt: iso(opened) })).id;
  });

  it('escalates nothing before a due time passes', async () => {
    expect(await escalateOverdueComplaints(app.db, new Date(opened + 7 * HOUR))).toEqual([]);
  });

  it('hands a complaint without a first response by its due time to the handler’s manager, once however often it runs', async () => {
    const asOf = new Date(opened + 9 * HOUR);
    const [first, second] = await Promise.all([escalateOverdueComplaints(app.db, asOf), escalateOverdueComplaints(app.db, asOf)]);
    expect([...first, ...second]).toEqual([
      { complaintId: uuid(complaintId), level: 1, reason: 'FIRST_RESPONSE_OVERDUE', fromUserId: staff.repA.uuid, toUserId: staff.manager.uuid },
    ]);
    expect(await escalateOverdueComplaints(app.db, asOf)).toEqual([]);
    const { node } = await app.ok(`query($id: ID!) { node(id: $id) { ... on Complaint { escalationLevel escalatedTo { id } version escalations { level reason missedDueAt toUser { id } } } } }`, {
      id: complaintId,
    });
    expect(node).toEqual({
      escalationLevel: 1,
      escalatedTo: { id: staff.manager.id },
      version: 2,
      escalations: [{ level: 1, reason: 'FIRST_RESPONSE_OVERDUE', missedDueAt: iso(opened + 8 * HOUR), toUser: { id: staff.manager.id } }],
    });
    const audit = await app.db.query(`SELECT actor_role, changes FROM audit_events WHERE object_id = $1 AND action = 'complaint.escalate'`, [uuid(complaintId)]);
    expect(audit).toEqual([{ actor_role: 'SYSTEM', changes: expect.objectContaining({ escalationLevel: { before: 0, after: 1 } }) }]);
    // The manager finds it among their escalations.
    const mine = await manager.ok(`query($me: ID!) { complaintEscalations(filter: { toUser: { eq: $me } }) { nodes { complaint { id } reason } } }`, { me: staff.manager.id });
    expect(mine.complaintEscalations.nodes).toContainEqual({ complaint: { id: complaintId }, reason: 'FIRST_RESPONSE_OVERDUE' });
    // And on their agenda: a COMPLAINT_RESPONSE task, due at the escalation, linked to the complaint; just one.
    const TASKS = `query($me: ID!) { tasks(filter: { owner: { eq: $me }, kind: { eq: COMPLAINT_RESPONSE } }) { nodes { status priority dueAt subject complaint { id } customer { id } } } }`;
    const { tasks } = await manager.ok(TASKS, { me: staff.manager.id });
    expect(tasks.nodes).toEqual([
      { status: 'OPEN', priority: 'HIGH', dueAt: asOf.toISOString(), subject: 'Escalated complaint (level 1): Machine on fire', complaint: { id: complaintId }, customer: { id: customerA } },
    ]);
  });

  it('escalates a missed resolution once more, to the next manager up, when the job runs on the worker', async () => {
    await run(STEP('acknowledgeComplaint'), { id: complaintId });
    await addJob(app.db, ESCALATE_OVERDUE_JOB, { asOf: iso(opened + 49 * HOUR) });
    await app.scoresSettled();
    const { node } = await app.ok(`query($id: ID!) { node(id: $id) { ... on Complaint { escalationLevel escalatedTo { id } escalations { level reason toUser { id } } } } }`, { id: complaintId });
    expect(node).toEqual({
      escalationLevel: 2,
      escalatedTo: { id: staff.director.id },
      escalations: [
        { level: 1, reason: 'FIRST_RESPONSE_OVERDUE', toUser: { id: staff.manager.id } },
        { level: 2, reason: 'RESOLUTION_OVERDUE', toUser: { id: staff.director.id } },
      ],
    });
    expect(await escalateOverdueComplaints(app.db, new Date(opened + 100 * HOUR))).toEqual([]);
    // The next manager up has it too, urgent now.
    const { tasks } = await app.ok(`query($me: ID!) { tasks(filter: { owner: { eq: $me }, kind: { eq: COMPLAINT_RESPONSE } }) { nodes { priority complaint { id } } } }`, { me: staff.director.id });
    expect(tasks.nodes).toEqual([{ priority: 'URGENT', complaint: { id: complaintId } }]);
  });
});

describe('complaintStats', () => {
  const T0 = Date.parse('2020-03-02T00:00:00Z');
  const DAY = 24 * HOUR;
  beforeAll(async () => {
    const open = (subject: string, category: string, severity: string, at: number) =>
      run(OPEN, { customerId: customerA, channel: 'EMAIL', subject, category, severity, openedAt: iso(at) });
    const c1 = await open('One', 'DELIVERY', 'MEDIUM', T0);
    await run(STEP('acknowledgeComplaint'), { id: c1.id, at: iso(T0 + 2 * HOUR) });
    await run(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c1.id, resolution: 'ok', at: iso(T0 + 10 * HOUR), compensation: { kind: 'REFUND', amount: '10.00', currencyCode: 'EUR' } });
    await run(payloadOf('recordComplaintFeedback', 'RecordComplaintFeedbackInput'), { id: c1.id, satisfied: true, at: iso(T0 + DAY) });
    const c2 = await open('Two', 'DELIVERY', 'MEDIUM', T0 + DAY);
    await run(STEP('acknowledgeComplaint'), { id: c2.id, at: iso(T0 + DAY + 30 * HOUR) });
    await run(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c2.id, resolution: 'ok', at: iso(T0 + DAY + 40 * HOUR), compensation: { kind: 'VOUCHER', amount: '5.5', currencyCode: 'EUR' } });
    await run(payloadOf('recordComplaintFeedback', 'RecordComplaintFeedbackInput'), { id: c2.id, satisfied: false, at: iso(T0 + 3 * DAY) });
    const c3 = await open('Three', 'BILLING', 'HIGH', T0 + 2 * DAY);
    await run(STEP('acknowledgeComplaint'), { id: c3.id, at: iso(T0 + 2 * DAY + HOUR) });
    await run(STEP('resolveComplaint', 'ResolveComplaintInput'), { id: c3.id, resolution: 'ok', at: iso(T0 + 2 * DAY + 100 * HOUR), compensation: { kind: 'REFUND', amount: '20', currencyCode: 'USD' } });
    await open('Four', 'BILLING', 'LOW', T0 + 3 * DAY);
    // Rep B's customer, in the same period: not in rep A's figures.
    await run(OPEN, { customerId: customerB, channel: 'PHONE', subject: 'Five', category: 'BILLING', openedAt: iso(T0) });
  });
  const STATS = `query($groupBy: ComplaintStatsGrouping) { complaintStats(from: "2020-03-01T00:00:00Z", to: "2020-04-01T00:00:00Z", asOf: "2020-05-01T00:00:00Z", groupBy: $groupBy) {
    total { ...G } groups { ...G } } }
    fragment G on ComplaintStatsGroup { key count unresolved overdue medianFirstResponseHours medianResolutionHours slaDecided withinSlaShare
      compensation { amount currencyCode } feedbackCount satisfiedShare }`;

  it('matches the figures worked out by hand, in total and by category, for the complaints a sales rep may see', async () => {
    const { complaintStats } = await rep.ok(STATS, { groupBy: 'CATEGORY' });
    // Four complaints: first responses after 2, 30 and 1 hours (median 2); resolutions after 10, 40 and 100 hours
    // (median 40); only the first met both service levels (the second answered late, the third resolved late, the
    // fourth never answered); 10.00 + 5.50 EUR and 20.00 USD given; one of two customers satisfied.
    expect(complaintStats.total).toEqual({
      key: null,
      count: 4,
      unresolved: 1,
      overdue: 1,
      medianFirstResponseHours: 2,
      medianResolutionHours: 40,
      slaDecided: 4,
      withinSlaShare: 0.25,
      compensation: [
        { amount: '15.50', currencyCode: 'EUR' },
        { amount: '20.00', currencyCode: 'USD' },
      ],
      feedbackCount: 2,
      satisfiedShare: 0.5,
    });
    expect(complaintStats.groups).toEqual([
      {
        key: 'BILLING',
        count: 2,
        unresolved: 1,
        overdue: 1,
        medianFirstResponseHours: 1,
        medianResolutionHours: 100,
        slaDecided: 2,
        withinSlaShare: 0,
        compensation: [{ amount: '20.00', currencyCode: 'USD' }],
        feedbackCount: 0,
        satisfiedShare: null,
      },
      {
        key: 'DELIVERY',
        count: 2,
        unresolved: 0,
        overdue: 0,
        medianFirstResponseHours: 16,
        medianResolutionHours: 25,
        slaDecided: 2,
        withinSlaShare: 0.5,
        compensation: [{ amount: '15.50', currencyCode: 'EUR' }],
        feedbackCount: 2,
        satisfiedShare: 0.5,
      },
    ]);
    const everyone = await app.ok(STATS, { groupBy: 'SEVERITY' });
    expect(everyone.complaintStats.total.count).toBe(5);
    expect(everyone.complaintStats.groups.map((g: { key: string; count: number }) => [g.key, g.count])).toEqual([
      ['MEDIUM', 3],
      ['HIGH', 1],
      ['LOW', 1],
    ]);
    const byAssignee = await app.ok(`{ complaintStats(from: "2020-03-01T00:00:00Z", to: "2020-04-01T00:00:00Z", groupBy: ASSIGNEE) { groups { assignee { id } count } } }`);
    expect(byAssignee.complaintStats.groups).toEqual([
      { assignee: { id: staff.repA.id }, count: 4 },
      { assignee: { id: staff.repB.id }, count: 1 },
    ]);
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await app.gql(`{ complaintStats(from: "2020-04-01T00:00:00Z", to: "2020-03-01T00:00:00Z") { total { count } } }`);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe('access', () => {
  it("a sales rep cannot see or touch another rep's customer's complaint: it does not exist for them", async () => {
    const theirs = await run(OPEN, { customerId: customerB, channel: 'EMAIL', subject: 'Not yours' });
    const read = await rep.ok(`query($id: ID!) { node(id: $id) { id } complaints(first: 100) { nodes { id } } complaintEscalations(first: 100) { nodes { complaint { id } } } }`, {
      id: theirs.id,
    });
    expect(read.node).toBeNull();
    expect(JSON.stringify(read)).not.toContain(theirs.id);
    const before = await counts();
    for (const [mutation, input, extra] of [
      ['acknowledgeComplaint', 'ComplaintStepInput', {}],
      ['resolveComplaint', 'ResolveComplaintInput', { resolution: 'mine now' }],
      ['assignComplaint', 'AssignComplaintInput', { assigneeId: staff.repA.id }],
      ['escalateComplaint', 'EscalateComplaintInput', { note: 'x' }],
    ] as const) {
      expect(await refused(payloadOf(mutation, input), { id: theirs.id, ...extra }, rep)).toEqual([['input.id', 'NOT_FOUND']]);
    }
    expect(await refused(OPEN, { customerId: customerB, channel: 'EMAIL', subject: 'x' }, rep)).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(await counts()).toEqual(before);
    const own = await run(OPEN, { customerId: customerA, channel: 'SMS', subject: 'Mine' }, rep);
    expect(own.assignee).toEqual({ id: staff.repA.id });
  });

  it('reads customers’ complaints in a fixed number of statements, however many customers are on the page', async () => {
    const Q = `query($n: Int!) { customers(first: $n) { nodes { complaints(first: 3) { totalCount nodes { id assignee { id } transitions { toStatus } } } } } }`;
    expect(await app.statements(Q, { n: 1 })).toBe(await app.statements(Q, { n: 2 }));
  });
});

describe('the COMPLAINT touchpoint and the suggested reply', () => {
  it('logging a COMPLAINT touchpoint opens a complaint, and updateTouchpoint moves it along the same transitions', async () => {
    const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id complaintStatus complaint { id status severity } } userErrors { field code } } }`;
    const { logTouchpoint } = await app.ok(LOG, { input: { customerId: customerA, channel: 'PHONE', purpose: 'COMPLAINT', direction: 'INBOUND', subject: 'Noisy grinder' } });
    expect(logTouchpoint.touchpoint).toMatchObject({ complaintStatus: 'OPEN', complaint: { status: 'OPEN', severity: 'MEDIUM' } });
    const UPDATE = `mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { complaintStatus complaint { status transitions { toStatus } } } userErrors { field code } } }`;
    const resolved = await app.ok(UPDATE, { input: { id: logTouchpoint.touchpoint.id, complaintStatus: 'RESOLVED' } });
    expect(resolved.updateTouchpoint.touchpoint).toEqual({ complaintStatus: 'RESOLVED', complaint: { status: 'RESOLVED', transitions: [{ toStatus: 'OPEN' }, { toStatus: 'RESOLVED' }] } });
    const closed = await app.ok(UPDATE, { input: { id: logTouchpoint.touchpoint.id, complaintStatus: 'CLOSED' } });
    expect(closed.updateTouchpoint.touchpoint.complaintStatus).toBe('CLOSED');
    const reopen = await app.ok(UPDATE, { input: { id: logTouchpoint.touchpoint.id, complaintStatus: 'OPEN' } });
    expect(reopen.updateTouchpoint.userErrors).toEqual([{ field: ['input', 'complaintStatus'], code: 'INVALID_TRANSITION' }]);
    const purpose = await app.ok(UPDATE, { input: { id: logTouchpoint.touchpoint.id, purpose: 'SERVICE' } });
    expect(purpose.updateTouchpoint.userErrors).toEqual([{ field: ['input', 'purpose'], code: 'INVALID' }]);
  });

  it('suggests answering a phone complaint by phone, though the customer consented to email only', async () => {
    const c = await customer('Carla Caller', staff.repA, { consents: [{ channel: 'EMAIL', granted: true }] });
    const phone = await run(OPEN, { customerId: c, channel: 'PHONE', subject: 'Broken lid' });
    const chat = await run(OPEN, { customerId: c, channel: 'CHAT', subject: 'Missing manual' });
    const { customer: found } = await app.ok(`query($id: ID!) { customer(id: $id) { nextBestActions(first: 5) { kind channel complaintChannel subject } } }`, { id: c });
    const replies = found.nextBestActions.filter((a: { kind: string }) => a.kind === 'RESOLVE_COMPLAINT');
    expect(replies).toEqual([
      { kind: 'RESOLVE_COMPLAINT', channel: 'PHONE', complaintChannel: 'PHONE', subject: uuid(phone.touchpoint.id) },
      { kind: 'RESOLVE_COMPLAINT', channel: null, complaintChannel: 'CHAT', subject: uuid(chat.touchpoint.id) },
    ]);
  });
});
