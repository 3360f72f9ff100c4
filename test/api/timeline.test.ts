import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';

/*
 * Customer.timeline: one customer's history built through the API (an order, touchpoints, a lifecycle move, an
 * opportunity opened, moved and won, a task done, a complaint opened and resolved, a reassignment), read back newest
 * first in one keyset-paged list: order, paging, the kinds filter, statements per page, access and hostile cursors.
 */

let app: TestApp;
const DAY = 86_400_000;
const NOW = Date.now();
const at = (days: number) => new Date(NOW + days * DAY).toISOString();
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const UE = 'userErrors { field code message }';

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

/** The customer whose history the tests read, and the ids of what was done to it. */
const story = { customer: '', order: '', call: '', email: '', opportunity: '', task: '', complaint: '' };

const TIMELINE = `query($id: ID!, $first: Int, $after: String, $kinds: [TimelineEventKind!]) {
  customer(id: $id) { timeline(first: $first, after: $after, filter: { kinds: $kinds }) {
    edges { cursor node { at kind title actor { id } } }
    pageInfo { hasNextPage hasPreviousPage endCursor } } } }`;
const LINKS = `query($id: ID!, $first: Int) { customer(id: $id) { timeline(first: $first) { totalCount nodes {
  kind title actor { name } order { id number } touchpoint { id } opportunity { id name } task { id status } complaint { id status } } } } }`;

type Event = { at: string; kind: string; title: string; actor: { id: string } | null };

async function user(name: string, role: string): Promise<Person> {
  const [{ id }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, $3) RETURNING id`, [name, `${name.toLowerCase().replace(/\W+/g, '.')}@rapport.example`, role]);
  return { uuid: id, id: toGlobalId('User', id) };
}

/** Runs a mutation and returns its payload, failing on userErrors. */
async function run(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<any> {
  const data = await caller.ok(mutation, { input });
  const payload = Object.values(data)[0] as { userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload;
}

let serial = 0;
async function customer(owner: Person): Promise<string> {
  const p = await run(app, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, { name: `Timeline customer ${++serial}`, ownerId: owner.id });
  return p.customer.id;
}

async function timeline(caller: GraphQLCaller, id: string, vars: Record<string, unknown> = {}): Promise<{ events: Event[]; cursors: string[]; pageInfo: any } | null> {
  const c = (await caller.ok(TIMELINE, { id, ...vars })).customer;
  if (!c) return null;
  return { events: c.timeline.edges.map((e: { node: Event }) => e.node), cursors: c.timeline.edges.map((e: { cursor: string }) => e.cursor), pageInfo: c.timeline.pageInfo };
}

async function allPages(caller: GraphQLCaller, id: string, first: number, kinds?: string[]): Promise<{ events: Event[]; pages: number }> {
  const events: Event[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const page: { events: Event[]; pageInfo: { hasNextPage: boolean; endCursor: string } } = (await timeline(caller, id, { first, after, kinds }))!;
    pages++;
    events.push(...page.events);
    if (!page.pageInfo.hasNextPage) return { events, pages };
    after = page.pageInfo.endCursor;
  }
}

beforeAll(async () => {
  app = await startTestApp();
  repA = await user('Tina Timeline', 'SALES_REP');
  repB = await user('Bert Book', 'SALES_REP');
  manager = await user('Mara Manager', 'MANAGER');
  asA = await app.as({ role: 'SALES_REP', userId: repA.uuid });
  asB = await app.as({ role: 'SALES_REP', userId: repB.uuid });
  asManager = await app.as({ role: 'MANAGER', userId: manager.uuid });

  const c = (story.customer = await customer(repA));
  story.order = (
    await run(asA, `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id number } ${UE} } }`, {
      customerId: c,
      placedAt: at(-30),
      lines: [{ description: 'Espresso machine', quantity: 1, unitPrice: '129.00' }],
    })
  ).order.id;
  const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`;
  story.call = (await run(asA, LOG, { customerId: c, channel: 'PHONE', direction: 'INBOUND', purpose: 'INQUIRY', subject: 'Asked about descaling', occurredAt: at(-28) })).touchpoint.id;
  const [first, second] = (await app.ok(`{ pipelines { isDefault stages { id name } } }`)).pipelines.find((p: { isDefault: boolean }) => p.isDefault).stages;
  const OPP = `opportunity { id version } ${UE}`;
  const opp = (await run(asA, `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { ${OPP} } }`, { customerId: c, name: 'Office coffee', amount: '2400.00', openedAt: at(-25), stageId: first.id })).opportunity;
  story.opportunity = opp.id;
  await run(asA, `mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) { ${OPP} } }`, { id: opp.id, stageId: second.id, movedAt: at(-20) });
  story.email = (await run(asA, LOG, { customerId: c, channel: 'EMAIL', purpose: 'THANK_YOU', subject: 'Thanks for the visit', occurredAt: at(-18) })).touchpoint.id;
  await run(asA, `mutation($input: WinOpportunityInput!) { winOpportunity(input: $input) { ${OPP} } }`, { id: opp.id, closedAt: at(-15) });
  const task = (await run(asA, `mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { id } ${UE} } }`, { customerId: c, kind: 'VISIT', subject: 'Install the machine', dueAt: at(-13) })).task;
  story.task = task.id;
  await run(asA, `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { id } ${UE} } }`, { id: task.id, completedAt: at(-12), touchpoint: { notes: 'Installed and explained' } });
  const complaint = (
    await run(asA, `mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id version } ${UE} } }`, {
      customerId: c,
      channel: 'PHONE',
      category: 'PRODUCT_QUALITY',
      severity: 'HIGH',
      subject: 'Machine leaks water',
      openedAt: at(-10),
    })
  ).complaint;
  story.complaint = complaint.id;
  await run(asA, `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { id } ${UE} } }`, { id: complaint.id, resolution: 'Replaced the seal', at: at(-8) });
  await run(asA, `mutation($input: MoveCustomerToStageInput!) { moveCustomerToStage(input: $input) { ${UE} } }`, { customerId: c, stage: 'ONBOARDING', reason: 'First purchase' });
  await run(asManager, `mutation($input: ReassignCustomersInput!) { reassignCustomers(input: $input) { ${UE} } }`, { filter: { id: { eq: c } }, toOwnerId: repB.id });
});
afterAll(() => app.close());

const SEQUENCE = [
  'OWNER_CHANGED',
  'LIFECYCLE_CHANGED',
  'LIFECYCLE_CHANGED',
  'COMPLAINT_STATUS_CHANGED',
  'COMPLAINT_OPENED',
  'TASK_COMPLETED',
  'OPPORTUNITY_WON',
  'TOUCHPOINT_LOGGED',
  'OPPORTUNITY_MOVED',
  'OPPORTUNITY_OPENED',
  'TOUCHPOINT_LOGGED',
  'ORDER_PLACED',
];

/** A customer of `owner` with `n` touchpoints by `by` (written directly: the point is the length of the history). */
async function customerWithTouchpoints(owner: Person, n: number, by: Person): Promise<string> {
  const c = await customer(owner);
  await app.db.query(
    `INSERT INTO touchpoints (customer_id, user_id, channel, direction, purpose, occurred_at, subject)
     SELECT $1, $2, 'EMAIL', 'OUTBOUND', 'CARE', now() - make_interval(days => g), 'Note ' || g FROM generate_series(1, $3::int) g`,
    [uuid(c), by.uuid, n],
  );
  return c;
}

describe('a customer’s timeline', () => {
  it('merges every kind of event into one list, newest first, each with a title and who did it', async () => {
    const { events, pageInfo } = (await timeline(asB, story.customer, { first: 100 }))!;
    const all = (await timeline(asManager, story.customer, { first: 100 }))!;
    expect(all.events.map((e) => e.kind)).toEqual(SEQUENCE);
    // The rep who owns the customer now does not see the opportunity and the task of the rep before them (the
    // manager does); the visit that task logged is a touchpoint with their customer, and shows as one.
    expect(events.map((e) => e.kind)).toEqual(SEQUENCE.filter((k) => !k.startsWith('OPPORTUNITY_')).map((k) => (k === 'TASK_COMPLETED' ? 'TOUCHPOINT_LOGGED' : k)));
    expect(pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    expect(all.events.map((e) => e.title)).toEqual([
      'Owner changed from Tina Timeline to Bert Book',
      'Lifecycle stage changed from Prospect to Onboarding: “First purchase”',
      'Lifecycle stage set to Prospect: “Customer created”',
      'Complaint resolved: “Machine leaks water”',
      'Complaint opened (high, product quality): “Machine leaks water”',
      'Visit task done: “Install the machine”',
      'Opportunity “Office coffee” won, 2400.00 USD',
      'Outbound email, thank you: “Thanks for the visit”',
      'Opportunity “Office coffee” moved from Qualification to Needs analysis',
      'Opportunity “Office coffee” opened in Qualification',
      'Inbound phone, inquiry: “Asked about descaling”',
      expect.stringMatching(/^Order R-\d+ placed, 129\.00 USD$/),
    ]);
    const times = all.events.map((e) => e.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(all.events.slice(3).map((e) => e.at)).toEqual([at(-8), at(-10), at(-12), at(-15), at(-18), at(-20), at(-25), at(-28), at(-30)]);
    // The owner change was the manager's; everything the rep did carries the rep.
    expect(all.events[0].actor).toEqual({ id: manager.id });
    expect(all.events.slice(3, 11).map((e) => e.actor)).toEqual(Array(8).fill({ id: repA.id }));
    expect(all.events.at(-1)!.actor).toBeNull();
  });

  it('links each event to its record, loaded a batch per type, and counts the events', async () => {
    const data = (await asManager.ok(LINKS, { id: story.customer, first: 20 })).customer.timeline;
    expect(data.totalCount).toBe(SEQUENCE.length);
    const byKind = (kind: string) => data.nodes.filter((n: { kind: string }) => n.kind === kind);
    expect(byKind('ORDER_PLACED')[0].order).toMatchObject({ id: story.order });
    expect(byKind('TOUCHPOINT_LOGGED').map((n: any) => n.touchpoint.id)).toEqual([story.email, story.call]);
    expect(byKind('OPPORTUNITY_WON')[0].opportunity).toEqual({ id: story.opportunity, name: 'Office coffee' });
    expect(byKind('TASK_COMPLETED')[0]).toMatchObject({ task: { id: story.task, status: 'DONE' }, touchpoint: { id: expect.any(String) } });
    expect(byKind('COMPLAINT_OPENED')[0]).toMatchObject({ complaint: { id: story.complaint }, touchpoint: { id: expect.any(String) } });
    expect(byKind('COMPLAINT_STATUS_CHANGED')[0]).toMatchObject({ complaint: { id: story.complaint, status: 'RESOLVED' }, touchpoint: null });
    expect(byKind('OWNER_CHANGED')[0]).toMatchObject({ actor: { name: 'Mara Manager' }, order: null, touchpoint: null, opportunity: null, task: null, complaint: null });
    // The customer, the page, its count, then one statement per type of record on it (users, orders, touchpoints,
    // opportunities, tasks, complaints): not one per event.
    expect(await app.statements(LINKS, { id: story.customer, first: 20 })).toBe(9);
  });

  it('pages with first=2 through the same sequence as one page, without duplicates or gaps', async () => {
    const whole = (await timeline(asManager, story.customer, { first: 100 }))!;
    const paged = await allPages(asManager, story.customer, 2);
    expect(paged.events).toEqual(whole.events);
    expect(paged.pages).toBe(Math.ceil(SEQUENCE.length / 2));
    const odd = await allPages(asManager, story.customer, 5);
    expect(odd.events).toEqual(whole.events);
  });

  it('breaks ties at the same instant by kind, then id, both descending, the same on every page', async () => {
    const c = await customer(repA);
    const instant = at(-3);
    const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await run(asA, LOG, { customerId: c, channel: 'EMAIL', purpose: 'CARE', occurredAt: instant })).touchpoint.id);
    await run(asA, `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } ${UE} } }`, { customerId: c, placedAt: instant, lines: [{ description: 'Beans', quantity: 2, unitPrice: '9.50' }] });
    const Q = `query($id: ID!, $first: Int, $after: String) { customer(id: $id) { timeline(first: $first, after: $after, filter: { kinds: [TOUCHPOINT_LOGGED, ORDER_PLACED] }) {
      nodes { kind touchpoint { id } } pageInfo { hasNextPage endCursor } } } }`;
    const whole = (await asA.ok(Q, { id: c, first: 10 })).customer.timeline.nodes;
    const expected = [...ids].sort((x, y) => (uuid(x) < uuid(y) ? 1 : -1));
    expect(whole.map((n: any) => n.kind)).toEqual(['TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED', 'ORDER_PLACED']);
    expect(whole.slice(0, 4).map((n: any) => n.touchpoint.id)).toEqual(expected);
    const paged: unknown[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await asA.ok(Q, { id: c, first: 1, after })).customer.timeline;
      paged.push(...page.nodes);
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(paged).toEqual(whole);
  });

  it('shows only the kinds asked for', async () => {
    const kinds = async (asked: string[]) => (await allPages(asManager, story.customer, 3, asked)).events.map((e) => e.kind);
    expect(await kinds(['ORDER_PLACED'])).toEqual(['ORDER_PLACED']);
    expect(await kinds(['OPPORTUNITY_OPENED', 'OPPORTUNITY_MOVED', 'OPPORTUNITY_WON', 'OPPORTUNITY_LOST'])).toEqual(['OPPORTUNITY_WON', 'OPPORTUNITY_MOVED', 'OPPORTUNITY_OPENED']);
    expect(await kinds(['COMPLAINT_OPENED', 'COMPLAINT_STATUS_CHANGED', 'COMPLAINT_ESCALATED'])).toEqual(['COMPLAINT_STATUS_CHANGED', 'COMPLAINT_OPENED']);
    expect(await kinds(['OWNER_CHANGED', 'OPPORTUNITY_WON'])).toEqual(['OWNER_CHANGED', 'OPPORTUNITY_WON']);
    // Asked without COMPLAINT_OPENED and TASK_COMPLETED, the touchpoints those events logged show as touchpoints.
    expect(await kinds(['TOUCHPOINT_LOGGED'])).toEqual(['TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED', 'TOUCHPOINT_LOGGED']);
    expect(await kinds([])).toEqual([]);
    const counted = (await asManager.ok(`query($id: ID!) { customer(id: $id) { timeline(filter: { kinds: [TOUCHPOINT_LOGGED, ORDER_PLACED] }) { totalCount } } }`, { id: story.customer })).customer;
    expect(counted.timeline.totalCount).toBe(5);
  });
});

describe('statements per page', () => {
  const PAGE = `query($id: ID!, $first: Int) { customer(id: $id) { timeline(first: $first) { nodes { at kind title actor { name } touchpoint { id } } pageInfo { hasNextPage endCursor } } } }`;

  it('are the same for first=2 and first=20, and for a customer with 3 events and one with 50', async () => {
    const few = await customerWithTouchpoints(repA, 2, repA); // + the lifecycle transition of its creation
    const many = await customerWithTouchpoints(repA, 49, repA);
    expect((await asA.ok(`query($id: ID!) { customer(id: $id) { timeline(first: 100) { totalCount } } }`, { id: few })).customer.timeline.totalCount).toBe(3);
    expect((await asA.ok(`query($id: ID!) { customer(id: $id) { timeline(first: 100) { totalCount } } }`, { id: many })).customer.timeline.totalCount).toBe(50);
    const counts = [
      await app.statements(PAGE, { id: many, first: 2 }),
      await app.statements(PAGE, { id: many, first: 20 }),
      await app.statements(PAGE, { id: many, first: 100 }),
      await app.statements(PAGE, { id: few, first: 20 }),
    ];
    expect(new Set(counts).size).toBe(1);
    // The customer, the page, the users and the touchpoints on it.
    expect(counts[0]).toBe(4);
  });

  it('are the same for a page of 2 customers’ timelines as for a page of 10 (one statement for all)', async () => {
    const rep = await user('Nina Nested', 'SALES_REP');
    const asRep = await app.as({ role: 'SALES_REP', userId: rep.uuid });
    for (let i = 0; i < 10; i++) await customerWithTouchpoints(rep, 3 + i, rep);
    const Q = `query($first: Int) { customers(first: $first) { nodes { timeline(first: 5) { nodes { kind title } } } } }`;
    const two = await asRep.gql(Q, { first: 2 }, { 'x-rapport-sql-count': '1' });
    const ten = await asRep.gql(Q, { first: 10 }, { 'x-rapport-sql-count': '1' });
    expect(ten.data.customers.nodes.map((n: any) => n.timeline.nodes.length).sort()).toEqual([4, ...Array(9).fill(5)]);
    expect(ten.extensions!.sqlStatements).toBe(two.extensions!.sqlStatements);
  });
});

describe('access', () => {
  it('a sales rep cannot see another rep’s customer, nor its timeline', async () => {
    expect(await timeline(asA, story.customer)).toBeNull();
    expect((await timeline(asB, story.customer))!.events.length).toBeGreaterThan(0);
  });

  it('a partner without orders:read gets no order events, and no free text in titles without pii:read', async () => {
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read', 'touchpoints:read', 'opportunities:read'] });
    const { events } = await allPages(partner, story.customer, 5);
    expect(events.map((e) => e.kind)).toEqual(SEQUENCE.filter((k) => k !== 'ORDER_PLACED'));
    const titles = events.map((e) => e.title).join('\n');
    for (const text of ['descaling', 'Thanks for the visit', 'Install the machine', 'Machine leaks', 'First purchase']) expect(titles).not.toContain(text);
    // Without users access the owners' names stay out too.
    expect(events[0].title).toBe('Owner changed');
    expect(events.map((e) => e.title)).toContain('Inbound phone, inquiry');
    // Asking for orders only is an empty timeline, not an error.
    expect((await timeline(partner, story.customer, { kinds: ['ORDER_PLACED'] }))!.events).toEqual([]);

    const withOrders = await app.as({ role: 'PARTNER', scopes: ['customers:read', 'orders:read', 'pii:read'] });
    const seen = (await allPages(withOrders, story.customer, 10)).events;
    expect(seen.map((e) => e.kind)).toEqual(['OWNER_CHANGED', 'LIFECYCLE_CHANGED', 'LIFECYCLE_CHANGED', 'ORDER_PLACED']);
    expect(seen[1].title).toContain('First purchase');
  });

  it('an analyst sees every kind with personal free text left out of titles', async () => {
    const analyst = await app.as({ role: 'ANALYST' });
    const { events } = await allPages(analyst, story.customer, 20);
    expect(events.map((e) => e.kind)).toEqual(SEQUENCE);
    expect(events.find((e) => e.kind === 'COMPLAINT_OPENED')!.title).toBe('Complaint opened (high, product quality)');
    expect(events[0].title).toBe('Owner changed from Tina Timeline to Bert Book');
  });
});

describe('cursors', () => {
  it('a hostile cursor is BAD_USER_INPUT on `after`, never an internal error', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
    const [{ id }] = await app.db.query(`SELECT id FROM touchpoints LIMIT 1`);
    const forged = fc.oneof(
      fc.string({ maxLength: 600 }),
      fc.json().map((j) => Buffer.from(j, 'utf8').toString('base64url')),
      fc
        .tuple(
          fc.constantFrom('timeline', 'agenda', 'customer'),
          fc.oneof(fc.string(), fc.constantFrom('0000-01-01T00:00:00.000000Z', '2024-02-30T00:00:00.000000Z', '2024-01-01T24:00:00.000000Z', '99999-01-01T00:00:00.000000Z', '2024-01-01T00:00:00Z')),
          fc.oneof(fc.string(), fc.constantFrom('ORDER_PLACED', 'NOPE', "'; DROP TABLE orders; --")),
          fc.oneof(fc.uuid().map((u) => `${u}x`), fc.string(), fc.constant('\u0000')),
        )
        .map(b64),
    );
    await fc.assert(
      fc.asyncProperty(forged, async (after) => {
        const res = await asManager.gql(TIMELINE, { id: story.customer, first: 2, after });
        expect(res.errors?.map((e) => [e.extensions?.code, e.extensions?.field])).toEqual([['BAD_USER_INPUT', 'after']]);
      }),
      { seed: 9, numRuns: 150 },
    );
    // A well-formed cursor of another instant is a position, not an error; so is one from year 1 or 9999.
    for (const instant of ['0001-01-01T00:00:00.000000Z', '9999-12-31T23:59:59.999999Z', '2024-02-29T12:00:00.000000Z']) {
      const res = await asManager.gql(TIMELINE, { id: story.customer, first: 2, after: b64(['timeline', instant, 'ORDER_PLACED', id]) });
      expect(res.errors).toBeUndefined();
    }
    expect((await asManager.gql(TIMELINE, { id: story.customer, first: 101 })).errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
