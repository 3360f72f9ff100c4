import { toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * A rep's book (User.book) against figures worked out by hand from what the test creates through the API: customers,
 * open deals and their exact (weighted) value, open and overdue tasks, open and overdue complaints; a sales rep sees
 * only their own; a page of users costs the same statements as one.
 */

let app: TestApp;
let rita: GraphQLCaller;
const ids = { rita: '', ben: '' };
const HOUR = 3_600_000;
const NOW = Date.now();
const iso = (t: number) => new Date(t).toISOString();
const UE = 'userErrors { field code }';
const BOOK = 'customers openOpportunities pipelineValue { amount currencyCode } weightedPipelineValue { amount currencyCode } openTasks overdueTasks openComplaints overdueComplaints';
const BOOK_OF = `query($id: ID!, $asOf: DateTime) { node(id: $id) { ... on User { book(asOf: $asOf) { ${BOOK} } } } }`;

async function ok(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<any> {
  const data = await caller.ok(mutation, { input });
  const payload = Object.values(data)[0] as { userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload;
}

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string) => insertStaff(app.db, name);
  ids.rita = await user('Rita');
  ids.ben = await user('Ben');
  rita = await app.as({ role: 'SALES_REP', userId: ids.rita });
  const ben = await app.as({ role: 'SALES_REP', userId: ids.ben });
  const CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`;
  const [a, b] = [(await ok(rita, CUSTOMER, { name: 'Alpha' })).customer.id, (await ok(rita, CUSTOMER, { name: 'Beta' })).customer.id];
  const c = (await ok(ben, CUSTOMER, { name: 'Gamma' })).customer.id;

  const { pipelines } = await app.ok(`{ pipelines { stages { id probability } } }`);
  const [qualification, , proposal] = pipelines[0].stages;
  const OPPORTUNITY = `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } ${UE} } }`;
  // Open: 1,000.05 in Qualification (10%) and 333.33 in Proposal (50%); won and lost ones and Ben's do not count.
  await ok(rita, OPPORTUNITY, { customerId: a, name: 'Machines', amount: '1000.05', stageId: qualification.id });
  await ok(rita, OPPORTUNITY, { customerId: b, name: 'Grinders', amount: '333.33', stageId: proposal.id });
  const won = (await ok(rita, OPPORTUNITY, { customerId: a, name: 'Beans', amount: '50.00' })).opportunity.id;
  await ok(rita, `mutation($input: WinOpportunityInput!) { winOpportunity(input: $input) { opportunity { id } ${UE} } }`, { id: won });
  await ok(ben, OPPORTUNITY, { customerId: c, name: 'Not Rita’s', amount: '9999.00' });

  const TASK = `mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { id } ${UE} } }`;
  await ok(rita, TASK, { kind: 'CALL', subject: 'Late call', customerId: a, dueAt: iso(NOW - 2 * HOUR) });
  await ok(rita, TASK, { kind: 'VISIT', subject: 'Visit', customerId: b, dueAt: iso(NOW + 48 * HOUR) });
  const done = (await ok(rita, TASK, { kind: 'EMAIL', subject: 'Done', customerId: b, dueAt: iso(NOW + HOUR) })).task.id;
  await ok(rita, `mutation($input: CompleteTaskInput!) { completeTask(input: $input) { task { id } ${UE} } }`, { id: done, touchpoint: { channel: 'EMAIL' } });

  // Complaints of Rita's customers: one past its first-response due time (HIGH: 8 hours), one fresh, one resolved.
  const COMPLAINT = `mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id } ${UE} } }`;
  await ok(app, COMPLAINT, { customerId: a, channel: 'PHONE', subject: 'Leaks', severity: 'HIGH', openedAt: iso(NOW - 10 * HOUR) });
  await ok(app, COMPLAINT, { customerId: b, channel: 'EMAIL', subject: 'Noisy' });
  const resolved = (await ok(app, COMPLAINT, { customerId: b, channel: 'EMAIL', subject: 'Late' })).complaint.id;
  await ok(app, `mutation($input: ResolveComplaintInput!) { resolveComplaint(input: $input) { complaint { id } ${UE} } }`, { id: resolved, resolution: 'Apologised' });
  await ok(app, COMPLAINT, { customerId: c, channel: 'EMAIL', subject: 'Ben’s customer' });
});
afterAll(() => app.close());

describe('User.book', () => {
  it('counts the rep’s customers, open deals, tasks and complaints, and sums the pipeline exactly', async () => {
    const { node } = await app.ok(BOOK_OF, { id: toGlobalId('User', ids.rita) });
    const currency = app.config.baseCurrency;
    expect(node.book).toEqual({
      customers: 2,
      openOpportunities: 2,
      pipelineValue: [{ amount: '1333.38', currencyCode: currency }],
      // 1000.05 × 0.1 = 100.005 → 100.01 (half away from zero), 333.33 × 0.5 = 166.665 → 166.67; each rounded once.
      weightedPipelineValue: [{ amount: '266.68', currencyCode: currency }],
      openTasks: 2,
      overdueTasks: 1,
      openComplaints: 2,
      overdueComplaints: 1,
    });
    // As of a later instant, the visit is overdue too, and so is the fresh complaint's first response (MEDIUM: 24 h).
    const later = await app.ok(BOOK_OF, { id: toGlobalId('User', ids.rita), asOf: iso(NOW + 72 * HOUR) });
    expect(later.node.book).toMatchObject({ overdueTasks: 2, overdueComplaints: 2 });
  });

  it('is a sales rep’s own only: another rep’s book does not exist for them', async () => {
    expect((await rita.ok(BOOK_OF, { id: toGlobalId('User', ids.rita) })).node.book.customers).toBe(2);
    expect((await rita.ok(BOOK_OF, { id: toGlobalId('User', ids.ben) })).node.book).toBeNull();
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const res = await partner.gql(BOOK_OF, { id: toGlobalId('User', ids.rita) });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('costs the same statements for a page of users as for one', async () => {
    const page = (first: number) => app.statements(`query($first: Int) { users(first: $first) { nodes { id book { ${BOOK} } } } }`, { first });
    expect(await page(10)).toBe(await page(1));
  });
});
