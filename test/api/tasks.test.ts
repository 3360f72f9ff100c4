import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
const DAY = 86_400_000;
/** One instant for the whole file: every window and due time is computed from it, never from a clock read later. */
const NOW = Date.now();
const at = (days: number) => new Date(NOW + days * DAY).toISOString();
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;

interface Person {
  uuid: string;
  id: string;
}
let repA: Person;
let repB: Person;
let manager: Person;
let asA: GraphQLCaller;
let asB: GraphQLCaller;
let asManager: GraphQLCaller;

const UE = 'userErrors { field message code }';
const TASK = `id kind subject notes dueAt priority status snoozedUntil followUpAt completedAt cancelledAt suggestionId version
  customer { id } contact { id } owner { id } completionTouchpoint { id channel purpose notes occurredAt contact { id } user { id } }`;
const SCHEDULE = `mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { ${TASK} } ${UE} } }`;
const UPDATE = `mutation($input: UpdateTaskInput!) { updateTask(input: $input) { task { ${TASK} } ${UE} } }`;
const COMPLETE = `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { ${TASK} } ${UE} } }`;
const SNOOZE = `mutation($input: SnoozeTaskInput!) { snoozeTask(input: $input) { task { ${TASK} } ${UE} } }`;
const REASSIGN = `mutation($input: ReassignTaskInput!) { reassignTask(input: $input) { task { ${TASK} } ${UE} } }`;
const CANCEL = `mutation($input: CancelTaskInput!) { cancelTask(input: $input) { task { ${TASK} } ${UE} } }`;
const ACCEPT = `mutation($input: AcceptSuggestionInput!) { acceptSuggestion(input: $input) { task { ${TASK} } ${UE} } }`;
const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } nextFollowUp { id kind dueAt subject owner { id } } ${UE} } }`;
const AGENDA = `query($from: DateTime!, $to: DateTime!, $first: Int, $after: String) { myAgenda(from: $from, to: $to, first: $first, after: $after) {
  edges { cursor node { id source dueAt kind suggestion subject priority channel customer { id name } contact { id } task { id status } } }
  pageInfo { hasNextPage endCursor } } }`;

type Item = { id: string; source: string; dueAt: string; kind: string; suggestion: string | null; subject: string; customer: { id: string; name: string }; contact: { id: string } | null };

async function user(name: string, role: string): Promise<Person> {
  const [{ id }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, $3) RETURNING id`, [name, `${name.toLowerCase().replace(/\W+/g, '.')}@rapport.example`, role]);
  return { uuid: id, id: toGlobalId('User', id) };
}

let serial = 0;
async function customer(owner: Person, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, {
    input: { name: `Task customer ${++serial}`, ownerId: owner.id, ...extra },
  });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer.id;
}
async function contact(customerId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const data = await app.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${UE} } }`, { input: { customerId, name: `Contact ${++serial}`, ...extra } });
  expect(data.createContact.userErrors).toEqual([]);
  return data.createContact.contact.id;
}
async function schedule(caller: GraphQLCaller, input: Record<string, unknown>) {
  const data = await caller.ok(SCHEDULE, { input: { kind: 'CALL', subject: 'Call back', dueAt: at(1), ...input } });
  expect(data.scheduleTask.userErrors).toEqual([]);
  return data.scheduleTask.task;
}
async function agendaPages(caller: GraphQLCaller, from: string, to: string, first: number): Promise<{ items: Item[]; pages: number }> {
  const items: Item[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: any = (await caller.ok(AGENDA, { from, to, first, after })).myAgenda;
    pages++;
    items.push(...page.edges.map((e: { node: Item }) => e.node));
    if (!page.pageInfo.hasNextPage) return { items, pages };
    after = page.pageInfo.endCursor;
  }
}
const count = async (sql: string, params: unknown[] = []) => (await app.db.query(sql, params))[0].n as number;
const taskCount = () => count(`SELECT count(*)::int AS n FROM tasks`);
const touchpointCount = () => count(`SELECT count(*)::int AS n FROM touchpoints`);
const codes = (errors: Array<{ field: string[]; code: string }>) => errors.map((e) => [e.field.join('.'), e.code]);

beforeAll(async () => {
  app = await startTestApp();
  repA = await user('Tara Task', 'SALES_REP');
  repB = await user('Otto Other', 'SALES_REP');
  manager = await user('Mia Manager', 'MANAGER');
  asA = await app.as({ role: 'SALES_REP', userId: repA.uuid });
  asB = await app.as({ role: 'SALES_REP', userId: repB.uuid });
  asManager = await app.as({ role: 'MANAGER', userId: manager.uuid });
});
afterAll(() => app.close());

describe('scheduling a task', () => {
  it('schedules a task for the rep who asks, NORMAL priority, on the customer of a contact given alone', async () => {
    const c = await customer(repA);
    const k = await contact(c);
    const task = await schedule(asA, { contactId: k, kind: 'VISIT', subject: '  Visit the new site ', notes: 'Bring samples', dueAt: at(3) });
    expect(task).toMatchObject({ kind: 'VISIT', subject: 'Visit the new site', notes: 'Bring samples', priority: 'NORMAL', status: 'OPEN', version: 1, customer: { id: c }, contact: { id: k }, owner: { id: repA.id } });
    expect(task.followUpAt).toBe(task.dueAt);
    const [audit] = await app.db.query(`SELECT action, actor_user_id FROM audit_events WHERE object_id = $1`, [uuid(task.id)]);
    expect(audit).toEqual({ action: 'task.schedule', actor_user_id: repA.uuid });
  });

  it('works towards an opportunity of the same customer, one the rep owns', async () => {
    const c = await customer(repA);
    const other = await customer(repA);
    const deal = async (customerId: string) =>
      (await asA.ok(`mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } ${UE} } }`, { input: { customerId, name: 'Deal', amount: '100.00' } }))
        .createOpportunity.opportunity.id;
    const mine = await deal(c);
    const elsewhere = await deal(other);
    const data = await asA.ok(`mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { opportunity { id } } ${UE} } }`, {
      input: { kind: 'CALL', subject: 'Push the deal', dueAt: at(1), customerId: c, opportunityId: mine },
    });
    expect(data.scheduleTask).toEqual({ task: { opportunity: { id: mine } }, userErrors: [] });
    const wrong = await asA.ok(SCHEDULE, { input: { kind: 'CALL', subject: 'x', dueAt: at(1), customerId: c, opportunityId: elsewhere } });
    expect(wrong.scheduleTask.userErrors).toEqual([expect.objectContaining({ field: ['input', 'opportunityId'], code: 'INVALID' })]);
    const bogus = await asA.ok(SCHEDULE, { input: { kind: 'CALL', subject: 'x', dueAt: at(1), customerId: c, opportunityId: c } });
    expect(bogus.scheduleTask.userErrors).toEqual([expect.objectContaining({ field: ['input', 'opportunityId'], code: 'INVALID_ID' })]);
  });

  it('refuses bad input with typed userErrors at their fields, and writes nothing', async () => {
    const c = await customer(repA);
    const other = await customer(repA);
    const theirs = await contact(other);
    const before = await taskCount();
    const bad = async (input: Record<string, unknown>, caller: GraphQLCaller = asA) =>
      codes((await caller.ok(SCHEDULE, { input: { kind: 'CALL', subject: 'x', dueAt: at(1), ...input } })).scheduleTask.userErrors);
    expect(await bad({ customerId: null })).toEqual([['input.customerId', 'REQUIRED']]);
    expect(await bad({ customerId: c, subject: '   ', dueAt: at(-400) })).toEqual([['input.subject', 'REQUIRED'], ['input.dueAt', 'OUT_OF_RANGE']]);
    expect(await bad({ customerId: c, subject: 'x'.repeat(201), notes: 'a\u0000b', dueAt: at(365 * 6) })).toEqual([['input.subject', 'TOO_LONG'], ['input.notes', 'INVALID'], ['input.dueAt', 'OUT_OF_RANGE']]);
    expect(await bad({ customerId: c, contactId: theirs })).toEqual([['input.contactId', 'INVALID']]);
    expect(await bad({ customerId: 'nope', contactId: c })).toEqual([['input.customerId', 'INVALID_ID'], ['input.contactId', 'INVALID_ID']]);
    expect(await bad({ customerId: toGlobalId('Customer', '00000000-0000-0000-0000-000000000000') })).toEqual([['input.customerId', 'NOT_FOUND']]);
    // A rep plans their own work, and another rep's customer does not exist for them.
    expect(await bad({ customerId: c, ownerId: repB.id })).toEqual([['input.ownerId', 'INVALID']]);
    expect(await bad({ customerId: c }, asB)).toEqual([['input.customerId', 'NOT_FOUND']]);
    // A task of a sales rep lies in their book; analysts do no tasks.
    expect(await bad({ customerId: c, ownerId: repB.id }, app)).toEqual([['input.ownerId', 'INVALID']]);
    expect(await taskCount()).toBe(before);
  });

  it('survives hostile input: userErrors or a client error, never INTERNAL, and nothing written with userErrors', async () => {
    const c = await customer(repA);
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('', ' ', '\u0000', 'x'.repeat(10_001), '🙂'.repeat(150), "'; DROP TABLE tasks; --"));
    const instant = fc.oneof(fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2020-13-45T00:00:00Z', 'soon', ''));
    const id = fc.oneof(fc.constant(c), fc.string({ maxLength: 40 }), fc.constant(toGlobalId('Contact', c.length ? uuid(c) : '')));
    await fc.assert(
      fc.asyncProperty(fc.record({ subject: text, notes: fc.option(text), dueAt: instant, customerId: fc.option(id), contactId: fc.option(id), ownerId: fc.option(id), kind: fc.constantFrom('CALL', 'GREETING', 'NOPE') }), async (input) => {
        const before = await taskCount();
        const res = await asA.gql(SCHEDULE, { input });
        expect(res.status).toBeLessThan(500);
        for (const e of res.errors ?? []) expect(e.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        const payload = res.data?.scheduleTask;
        if (!payload || payload.userErrors.length) expect(await taskCount()).toBe(before);
      }),
      { seed: 9, numRuns: 60 },
    );
  });
});

describe('changing a task', () => {
  it('updates an open task, guarded by its version; a new due time clears a snooze', async () => {
    const c = await customer(repA);
    const task = await schedule(asA, { customerId: c });
    const snoozed = (await asA.ok(SNOOZE, { input: { id: task.id, until: at(5) } })).snoozeTask;
    expect(snoozed).toMatchObject({ task: { snoozedUntil: at(5), followUpAt: at(5), version: 2 }, userErrors: [] });
    const stale = (await asA.ok(UPDATE, { input: { id: task.id, expectedVersion: 1, subject: 'Late' } })).updateTask;
    expect(codes(stale.userErrors)).toEqual([['input.expectedVersion', 'CONFLICT']]);
    const cleared = (await asA.ok(UPDATE, { input: { id: task.id, subject: null, kind: null } })).updateTask;
    expect(codes(cleared.userErrors)).toEqual([['input.kind', 'REQUIRED'], ['input.subject', 'REQUIRED']]);
    const updated = (await asA.ok(UPDATE, { input: { id: task.id, expectedVersion: 2, subject: 'Call about the renewal', priority: 'HIGH', dueAt: at(2) } })).updateTask;
    expect(updated).toMatchObject({ task: { subject: 'Call about the renewal', priority: 'HIGH', dueAt: at(2), snoozedUntil: null, followUpAt: at(2), version: 3 }, userErrors: [] });
  });

  it('snoozes only into the future, at most a year', async () => {
    const task = await schedule(asA, { customerId: await customer(repA) });
    for (const until of [at(-1), at(400)]) expect(codes((await asA.ok(SNOOZE, { input: { id: task.id, until } })).snoozeTask.userErrors)).toEqual([['input.until', 'OUT_OF_RANGE']]);
  });

  it('reassigns to a manager or to the rep who owns the customer, not to another rep', async () => {
    const c = await customer(repA);
    const task = await schedule(asA, { customerId: c });
    expect(codes((await app.ok(REASSIGN, { input: { id: task.id, ownerId: repB.id } })).reassignTask.userErrors)).toEqual([['input.ownerId', 'INVALID']]);
    expect(codes((await asA.ok(REASSIGN, { input: { id: task.id, ownerId: manager.id } })).reassignTask.userErrors)).toEqual([['input.ownerId', 'INVALID']]);
    const toManager = (await app.ok(REASSIGN, { input: { id: task.id, ownerId: manager.id } })).reassignTask;
    expect(toManager).toMatchObject({ task: { owner: { id: manager.id } }, userErrors: [] });
    // Now the manager's task: it no longer exists for the rep.
    expect((await asA.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: task.id })).node).toBeNull();
    const back = (await asManager.ok(REASSIGN, { input: { id: task.id, ownerId: repA.id } })).reassignTask;
    expect(back).toMatchObject({ task: { owner: { id: repA.id } }, userErrors: [] });
  });

  it('cancels an open task once; a cancelled task cannot be completed', async () => {
    const task = await schedule(asA, { customerId: await customer(repA) });
    expect((await asA.ok(CANCEL, { input: { id: task.id } })).cancelTask).toMatchObject({ task: { status: 'CANCELLED', completedAt: null }, userErrors: [] });
    expect(codes((await asA.ok(CANCEL, { input: { id: task.id } })).cancelTask.userErrors)).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(codes((await asA.ok(COMPLETE, { input: { id: task.id } })).completeTask.userErrors)).toEqual([['input.id', 'INVALID_TRANSITION']]);
    const actions = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1`, [uuid(task.id)]);
    expect(actions.map((a: { action: string }) => a.action).sort()).toEqual(['task.cancel', 'task.schedule']);
  });
});

describe('completing a task', () => {
  it('logs the touchpoint in the same transaction: a VISIT with its notes, by the owner, with the contact', async () => {
    const c = await customer(repA);
    const k = await contact(c);
    const task = await schedule(asA, { customerId: c, contactId: k, kind: 'VISIT', subject: 'Quarterly review' });
    const done = (await asA.ok(COMPLETE, { input: { id: task.id, expectedVersion: 1, touchpoint: { notes: 'Agreed on a larger spring order', satisfaction: 5 } } })).completeTask;
    expect(done.userErrors).toEqual([]);
    expect(done.task).toMatchObject({ status: 'DONE', version: 2, completionTouchpoint: { channel: 'VISIT', purpose: 'VISIT', notes: 'Agreed on a larger spring order', contact: { id: k }, user: { id: repA.id } } });
    expect(done.task.completedAt).toBe(done.task.completionTouchpoint.occurredAt);
    const audit = await app.db.query(`SELECT action FROM audit_events WHERE object_id = ANY($1::uuid[]) ORDER BY action`, [[uuid(task.id), uuid(done.task.completionTouchpoint.id)]]);
    expect(audit.map((a: { action: string }) => a.action)).toEqual(['task.complete', 'task.schedule', 'touchpoint.log']);
  });

  it('refuses a bad touchpoint at its field and leaves the task open with no touchpoint', async () => {
    const c = await customer(repA);
    const greeting = await schedule(asA, { customerId: c, kind: 'GREETING' });
    const call = await schedule(asA, { customerId: c });
    const before = [await touchpointCount(), await taskCount()];
    expect(codes((await asA.ok(COMPLETE, { input: { id: greeting.id } })).completeTask.userErrors)).toEqual([['input.touchpoint.channel', 'REQUIRED']]);
    expect(codes((await asA.ok(COMPLETE, { input: { id: call.id, completedAt: at(1) } })).completeTask.userErrors)).toEqual([['input.completedAt', 'OUT_OF_RANGE']]);
    expect(codes((await asA.ok(COMPLETE, { input: { id: call.id, touchpoint: { satisfaction: 9, notes: 'x'.repeat(10_001) } } })).completeTask.userErrors)).toEqual([
      ['input.touchpoint.notes', 'TOO_LONG'],
      ['input.touchpoint.satisfaction', 'OUT_OF_RANGE'],
    ]);
    expect([await touchpointCount(), await taskCount()]).toEqual(before);
    expect((await app.db.query(`SELECT status FROM tasks WHERE id = $1`, [uuid(call.id)]))[0].status).toBe('OPEN');
  });

  it('is atomic: when writing the touchpoint fails, the task stays open', async () => {
    const c = await customer(repA);
    const task = await schedule(asA, { customerId: c });
    await app.db.query(`CREATE FUNCTION refuse_touchpoint() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'touchpoints are read-only'; END $$`);
    await app.db.query(`CREATE TRIGGER refuse_touchpoint BEFORE INSERT ON touchpoints FOR EACH ROW EXECUTE FUNCTION refuse_touchpoint()`);
    try {
      const before = await touchpointCount();
      const res = await asA.gql(COMPLETE, { input: { id: task.id } });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['INTERNAL_SERVER_ERROR']);
      expect(await touchpointCount()).toBe(before);
      expect((await app.db.query(`SELECT status, version, completed_at FROM tasks WHERE id = $1`, [uuid(task.id)]))[0]).toEqual({ status: 'OPEN', version: 1, completed_at: null });
    } finally {
      await app.db.query(`DROP TRIGGER refuse_touchpoint ON touchpoints; DROP FUNCTION refuse_touchpoint()`);
    }
    expect((await asA.ok(COMPLETE, { input: { id: task.id } })).completeTask.task.status).toBe('DONE');
  });
});

describe("another rep's tasks", () => {
  it("do not exist for a sales rep: not by id, not in lists, and they cannot be changed or completed", async () => {
    const c = await customer(repB);
    const task = await schedule(asB, { customerId: c, subject: 'Otto’s call' });
    // The manager's task on rep A's own customer is not rep A's either.
    const own = await customer(repA);
    const managers = await schedule(asManager, { customerId: own });
    const read = await asA.ok(`query($id: ID!, $m: ID!, $c: ID!) { node(id: $id) { id } m: node(id: $m) { id } tasks(first: 100) { nodes { id } } customer(id: $c) { nextFollowUpAt tasks { totalCount } } }`, {
      id: task.id,
      m: managers.id,
      c: own,
    });
    expect(read.node).toBeNull();
    expect(read.m).toBeNull();
    expect(read.tasks.nodes.map((n: { id: string }) => n.id)).not.toEqual(expect.arrayContaining([task.id]));
    expect(read.customer).toEqual({ nextFollowUpAt: null, tasks: { totalCount: 0 } });
    const before = await count(`SELECT count(*)::int AS n FROM audit_events`);
    for (const [mutation, input] of [[COMPLETE, { id: task.id }], [SNOOZE, { id: task.id, until: at(2) }], [CANCEL, { id: task.id }], [UPDATE, { id: task.id, subject: 'Mine' }], [REASSIGN, { id: task.id, ownerId: repA.id }]] as const) {
      const res = await asA.ok(mutation, { input });
      expect(codes((Object.values(res)[0] as { userErrors: [] }).userErrors)).toEqual([['input.id', 'NOT_FOUND']]);
    }
    expect(await count(`SELECT count(*)::int AS n FROM audit_events`)).toBe(before);
    expect((await app.db.query(`SELECT status, version FROM tasks WHERE id = $1`, [uuid(task.id)]))[0]).toEqual({ status: 'OPEN', version: 1 });
    // A manager sees them all.
    expect((await asManager.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: task.id })).node).toEqual({ id: task.id });
  });
});

describe('follow-ups', () => {
  it('Customer.nextFollowUpAt is the earliest open task, its snooze counted, batched for a page of customers', async () => {
    const c = await customer(repA);
    const first = await schedule(asA, { customerId: c, dueAt: at(2) });
    await schedule(asA, { customerId: c, dueAt: at(4) });
    const done = await schedule(asA, { customerId: c, dueAt: at(1), kind: 'EMAIL' });
    await asA.ok(COMPLETE, { input: { id: done.id } });
    const next = async () => (await asA.ok(`query($id: ID!) { customer(id: $id) { nextFollowUpAt } }`, { id: c })).customer.nextFollowUpAt;
    expect(await next()).toBe(at(2));
    await asA.ok(SNOOZE, { input: { id: first.id, until: at(3) } });
    expect(await next()).toBe(at(3));
    const page = (n: number) => `{ customers(first: ${n}) { nodes { id nextFollowUpAt } } }`;
    const statements = async (n: number) => (await asA.gql(page(n), {}, { 'x-rapport-sql-count': '1' })).extensions!.sqlStatements;
    expect(await statements(2)).toBe(await statements(50));
  });

  it('logTouchpoint schedules the next follow-up in the same call, or writes nothing', async () => {
    const c = await customer(repA);
    const k = await contact(c);
    const logged = (await asA.ok(LOG, { input: { customerId: c, contactId: k, channel: 'PHONE', purpose: 'FOLLOW_UP', subject: 'Pricing', nextFollowUp: { dueAt: at(7), kind: 'MEETING', subject: 'Meet about pricing' } } })).logTouchpoint;
    expect(logged).toMatchObject({ userErrors: [], nextFollowUp: { kind: 'MEETING', dueAt: at(7), subject: 'Meet about pricing', owner: { id: repA.id } } });
    const task = (await asA.ok(`query($id: ID!) { node(id: $id) { ... on Task { contact { id } customer { id } } } }`, { id: logged.nextFollowUp.id })).node;
    expect(task).toEqual({ contact: { id: k }, customer: { id: c } });
    const before = [await touchpointCount(), await taskCount()];
    const bad = (await asA.ok(LOG, { input: { customerId: c, channel: 'PHONE', purpose: 'FOLLOW_UP', nextFollowUp: { dueAt: at(4000), subject: ' ' } } })).logTouchpoint;
    expect(codes(bad.userErrors)).toEqual([['input.nextFollowUp.subject', 'REQUIRED'], ['input.nextFollowUp.dueAt', 'OUT_OF_RANGE']]);
    expect([await touchpointCount(), await taskCount()]).toEqual(before);
  });

  it('lists tasks by owner, status, kind, customer and due range, and the overdue ones as of an instant', async () => {
    const c = await customer(repA);
    const late = await schedule(asA, { customerId: c, dueAt: at(-3), kind: 'EMAIL' });
    const soon = await schedule(asA, { customerId: c, dueAt: at(3) });
    const Q = `query($filter: TaskFilter, $overdue: Boolean, $asOf: DateTime) { tasks(filter: $filter, overdue: $overdue, asOf: $asOf, first: 100) { nodes { id } } }`;
    const ids = async (vars: Record<string, unknown>) => (await asA.ok(Q, vars)).tasks.nodes.map((n: { id: string }) => n.id);
    const mine = { customer: { eq: c } };
    expect(await ids({ filter: mine })).toEqual([late.id, soon.id]);
    expect(await ids({ filter: { ...mine, kind: { eq: 'EMAIL' } } })).toEqual([late.id]);
    expect(await ids({ filter: { ...mine, dueAt: { gte: at(0) } } })).toEqual([soon.id]);
    expect(await ids({ filter: mine, overdue: true })).toEqual([late.id]);
    expect(await ids({ filter: mine, overdue: true, asOf: at(5) })).toEqual([late.id, soon.id]);
    expect(await ids({ filter: mine, overdue: false, asOf: at(-5) })).toEqual([late.id, soon.id]);
    expect(await ids({ filter: { ...mine, owner: { eq: repA.id }, status: { eq: 'OPEN' } } })).toEqual([late.id, soon.id]);
  });
});

describe('my agenda', () => {
  it('pages through tasks and suggestions by due time, with no duplicates or gaps, in a fixed number of statements per page', async () => {
    const rep = await user('Paula Pager', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const customers = [];
    for (let i = 0; i < 6; i++) customers.push(await customer(rep, { consents: [{ channel: 'EMAIL', granted: true }] }));
    // Ties on the due time are broken by kind and id.
    for (let i = 0; i < 18; i++) await schedule(asRep, { customerId: customers[i % 6], dueAt: at(1 + (i % 4)), kind: i % 2 ? 'CALL' : 'EMAIL' });
    for (let i = 0; i < 4; i++) {
      await app.ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { userErrors { code } } }`, {
        input: { customerId: customers[i], channel: 'EMAIL', direction: 'INBOUND', purpose: 'COMPLAINT', occurredAt: at(-i - 1) },
      });
    }
    const from = at(0);
    const to = at(10);
    const all = (await asRep.ok(AGENDA, { from, to, first: 100 })).myAgenda.edges.map((e: { node: Item }) => e.node) as Item[];
    expect(all.filter((i) => i.source === 'TASK')).toHaveLength(18);
    expect(all.filter((i) => i.suggestion === 'RESOLVE_COMPLAINT')).toHaveLength(4);
    expect(all.map((i) => i.dueAt)).toEqual([...all.map((i) => i.dueAt)].sort());
    const paged = await agendaPages(asRep, from, to, 5);
    expect(paged.items.map((i) => i.id)).toEqual(all.map((i) => i.id));
    expect(new Set(paged.items.map((i) => i.id)).size).toBe(all.length);
    expect(paged.pages).toBe(Math.ceil(all.length / 5));
    const statements = async (first: number) => (await asRep.gql(AGENDA, { from, to, first }, { 'x-rapport-sql-count': '1' })).extensions!.sqlStatements;
    // One statement for the page, one per kind of record it shows (customers, contacts, tasks): not one per item.
    expect(await statements(10)).toBe(await statements(40));
    expect(await statements(40)).toBeLessThanOrEqual(4);
    expect(await statements(2)).toBeLessThanOrEqual(4);
    // A cursor belongs to its window.
    const cursor = (await asRep.ok(AGENDA, { from, to, first: 1 })).myAgenda.pageInfo.endCursor;
    expect((await asRep.gql(AGENDA, { from, to: at(11), first: 1, after: cursor })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect((await asRep.gql(AGENDA, { from, to, after: 'forged' })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('accepting a suggestion turns it into a task, and it is not suggested again', async () => {
    const rep = await user('Ada Accept', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const c = await customer(rep);
    await app.ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { userErrors { code } } }`, { input: { customerId: c, channel: 'PHONE', direction: 'INBOUND', purpose: 'COMPLAINT', occurredAt: at(-1) } });
    const items = async () => (await agendaPages(asRep, at(0), at(7), 50)).items.filter((i) => i.customer.id === c);
    const [complaint] = (await items()).filter((i) => i.suggestion === 'RESOLVE_COMPLAINT');
    // Due at the complaint's first-response service level (MEDIUM: 24 hours after it was opened).
    expect(complaint).toMatchObject({ source: 'SUGGESTION', kind: 'COMPLAINT_RESPONSE', dueAt: at(0) });
    // The id is stable from one request to the next.
    expect((await items()).map((i) => i.id)).toContain(complaint.id);
    const accepted = (await asRep.ok(ACCEPT, { input: { id: complaint.id } })).acceptSuggestion;
    expect(accepted).toMatchObject({ userErrors: [], task: { kind: 'COMPLAINT_RESPONSE', priority: 'HIGH', dueAt: at(0), owner: { id: rep.id }, customer: { id: c }, status: 'OPEN' } });
    const after = await items();
    expect(after.map((i) => i.id)).not.toContain(complaint.id);
    expect(after).toContainEqual(expect.objectContaining({ source: 'TASK', id: accepted.task.id }));
    expect(codes((await asRep.ok(ACCEPT, { input: { id: complaint.id } })).acceptSuggestion.userErrors)).toEqual([['input.id', 'NOT_FOUND']]);
    expect(codes((await asRep.ok(ACCEPT, { input: { id: 'not-a-suggestion' } })).acceptSuggestion.userErrors)).toEqual([['input.id', 'INVALID_ID']]);
    // Another rep cannot accept it for a customer outside their book.
    const c2 = await customer(rep);
    await app.ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { userErrors { code } } }`, { input: { customerId: c2, channel: 'PHONE', direction: 'INBOUND', purpose: 'COMPLAINT', occurredAt: at(-1) } });
    const [other] = (await agendaPages(asRep, at(0), at(7), 50)).items.filter((i) => i.customer.id === c2 && i.suggestion === 'RESOLVE_COMPLAINT');
    expect(codes((await asB.ok(ACCEPT, { input: { id: other.id } })).acceptSuggestion.userErrors)).toEqual([['input.id', 'NOT_FOUND']]);
  });

  it('a GREETING touchpoint clears the birthday suggestion (and the next best action)', async () => {
    const rep = await user('Greta Greet', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const birthday = new Date(NOW + 3 * DAY).toISOString().slice(5, 10);
    const c = await customer(rep, { kind: 'PERSON', birthday: `1980-${birthday}`, consents: [{ channel: 'EMAIL', granted: true }] });
    const k = await contact(c, { birthday: `1982-${birthday}` });
    const birthdays = async () =>
      (await agendaPages(asRep, at(0), at(7), 50)).items
        .filter((i) => i.customer.id === c && i.suggestion === 'BIRTHDAY_GREETING')
        .map((i) => i.contact?.id ?? null)
        .sort((x, y) => (x === null ? -1 : y === null ? 1 : x.localeCompare(y)));
    const nba = async () => (await asRep.ok(`query($id: ID!) { customer(id: $id) { nextBestActions(first: 20) { kind } } }`, { id: c })).customer.nextBestActions.map((a: { kind: string }) => a.kind);
    expect(await birthdays()).toEqual([null, k]);
    expect(await nba()).toContain('BIRTHDAY_GREETING');
    await asRep.ok(LOG, { input: { customerId: c, channel: 'EMAIL', purpose: 'GREETING', subject: 'Happy birthday!' } });
    expect(await birthdays()).toEqual([k]);
    expect(await nba()).not.toContain('BIRTHDAY_GREETING');
    await asRep.ok(LOG, { input: { customerId: c, contactId: k, channel: 'EMAIL', purpose: 'GREETING' } });
    expect(await birthdays()).toEqual([]);
  });

  it('a December window has Christmas, however many overdue items come before it', async () => {
    const rep = await user('Chris Mass', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const c = await customer(rep, { consents: [{ channel: 'MAIL', granted: true }] });
    // 120 open complaints: all overdue in December 2030, so they come first.
    await app.db.query(
      `WITH t AS (
         INSERT INTO touchpoints (customer_id, channel, direction, purpose, occurred_at)
         SELECT $1, 'PHONE', 'INBOUND', 'COMPLAINT', now() - make_interval(days => g) FROM generate_series(1, 120) g
         RETURNING id, customer_id, occurred_at)
       INSERT INTO complaints (customer_id, touchpoint_id, channel, category, severity, status, subject, opened_at, first_response_due_at, resolution_due_at)
       SELECT customer_id, id, 'PHONE', 'OTHER', 'MEDIUM', 'OPEN', 'Late', occurred_at, occurred_at + interval '1 day', occurred_at + interval '5 days' FROM t`,
      [uuid(c)],
    );
    const from = '2030-12-01T00:00:00.000Z';
    const to = '2031-01-01T00:00:00.000Z';
    const { items } = await agendaPages(asRep, from, to, 100);
    expect(items.filter((i) => i.suggestion === 'RESOLVE_COMPLAINT')).toHaveLength(120);
    expect(items.filter((i) => i.suggestion === 'HOLIDAY_GREETING').map((i) => [i.subject, i.dueAt])).toEqual([['Christmas on 2030-12-25', '2030-12-25T00:00:00.000Z']]);
    // Why careAgenda lost it: a list capped at 100, earliest due first, and the overdue complaints fill it.
    const CARE = `query($from: DateTime!, $to: DateTime!) { careAgenda(from: $from, to: $to, first: 100) { kind subject } }`;
    const christmas = (list: Array<{ kind: string; subject: string }>) => list.filter((i) => i.kind === 'HOLIDAY_GREETING');
    expect(christmas((await asRep.ok(CARE, { from, to })).careAgenda)).toEqual([]);
    // And a window that starts on Christmas morning had no Christmas (holidays were in it only from midnight on);
    // now a holiday is in the window its UTC day meets, as a birthday is.
    const other = await user('Eve Morning', 'SALES_REP');
    await customer(other, { consents: [{ channel: 'MAIL', granted: true }] });
    const asOther = await app.as({ role: 'SALES_REP', userId: other.uuid });
    expect(christmas((await asOther.ok(CARE, { from: '2030-12-25T09:00:00Z', to: '2030-12-26T00:00:00Z' })).careAgenda)).toEqual([{ kind: 'HOLIDAY_GREETING', subject: 'Christmas' }]);
  });

  it('suggests winning back a valuable customer slipping away, a week after the last contact, until the rep acts', async () => {
    const rep = await user('Wendy Winback', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const c = await customer(rep, { consents: [{ channel: 'EMAIL', granted: true }] });
    const lastOrder = NOW - 100 * DAY;
    await app.db.query(
      `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, discount_amount, total_amount, cost_amount, total_base, cost_base)
       VALUES ($1, $2, 'FULFILLED', 'ONLINE', $3, $3, 1, 500, 0, 500, 200, 500, 200)`,
      [uuid(c), new Date(lastOrder), app.config.baseCurrency],
    );
    await app.scoresSettled();
    // What the scores say of a once-frequent buyer gone silent (set here: the population is too small to score so).
    const slipping = () => app.db.query(`UPDATE customer_scores SET segment = 'CANT_LOSE', value_tier = 'MAINTAIN' WHERE customer_id = $1`, [uuid(c)]);
    await slipping();
    const winBacks = async (to: string) => (await agendaPages(asRep, at(0), to, 50)).items.filter((i) => i.customer.id === c && i.suggestion === 'WIN_BACK');
    const [winBack] = await winBacks(at(7));
    expect(winBack).toMatchObject({ source: 'SUGGESTION', kind: 'CALL', dueAt: new Date(lastOrder + 7 * DAY).toISOString() });
    expect(winBack.subject).toMatch(/^Valuable and slipping away, last contact/);
    // Contacting them moves it a week on (out of a three-day window); a MONITOR-tier customer is not worth the spend.
    await asRep.ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { userErrors { code } } }`, { input: { customerId: c, channel: 'EMAIL', purpose: 'FOLLOW_UP' } });
    await app.scoresSettled();
    await slipping();
    expect(await winBacks(at(3))).toEqual([]);
    const [moved] = await winBacks(at(8));
    // A week after the touchpoint, logged (by the server's clock) after this test's NOW.
    expect(Date.parse(moved.dueAt)).toBeGreaterThanOrEqual(Date.parse(at(7)));
    expect(Date.parse(moved.dueAt)).toBeLessThan(Date.parse(at(8)));
    await app.db.query(`UPDATE customer_scores SET value_tier = 'MONITOR' WHERE customer_id = $1`, [uuid(c)]);
    expect(await winBacks(at(8))).toEqual([]);
  });

  it('suggests a follow-up when a customer has gone longer than their stage’s cadence without a touchpoint', async () => {
    const rep = await user('Cade Cadence', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    const quiet = await customer(rep);
    const planned = await customer(rep);
    for (const c of [quiet, planned]) {
      await app.ok(`mutation($input: MoveCustomerToStageInput!) { moveCustomerToStage(input: $input) { userErrors { code } } }`, { input: { customerId: c, stage: 'ONBOARDING' } });
      await asRep.ok(LOG, { input: { customerId: c, channel: 'PHONE', purpose: 'CARE', occurredAt: at(-30) } });
    }
    await schedule(asRep, { customerId: planned, dueAt: at(20) });
    const followUps = async (from: string, to: string) => (await agendaPages(asRep, from, to, 50)).items.filter((i) => i.suggestion === 'FOLLOW_UP').map((i) => [i.customer.id, i.dueAt, i.kind]);
    // ONBOARDING: every 7 days; the last touchpoint was 30 days ago, so it was due 23 days ago. A customer with an
    // open task has a follow-up planned already.
    expect(await followUps(at(0), at(7))).toEqual([[quiet, at(-23), 'CALL']]);
    expect(await followUps(at(-40), at(-24))).toEqual([]);
    // The cadence is the manager's to set, not the rep's.
    const SET = `mutation($input: SetContactCadenceInput!) { setContactCadence(input: $input) { stage { key contactEveryDays } ${UE} } }`;
    expect((await asRep.gql(SET, { input: { stage: 'ONBOARDING', everyDays: 45 } })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(codes((await asManager.ok(SET, { input: { stage: 'ONBOARDING', everyDays: 0 } })).setContactCadence.userErrors)).toEqual([['input.everyDays', 'OUT_OF_RANGE']]);
    expect((await asManager.ok(SET, { input: { stage: 'onboarding', everyDays: 45 } })).setContactCadence).toEqual({ stage: { key: 'ONBOARDING', contactEveryDays: 45 }, userErrors: [] });
    expect(await followUps(at(0), at(7))).toEqual([]);
    expect(await followUps(at(0), at(16))).toEqual([[quiet, at(15), 'CALL']]);
    // Any touchpoint clears it.
    await asRep.ok(LOG, { input: { customerId: quiet, channel: 'PHONE', purpose: 'CARE' } });
    expect(await followUps(at(0), at(16))).toEqual([]);
    await asManager.ok(SET, { input: { stage: 'ONBOARDING', everyDays: 7 } });
  });
});
