import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * The sales pipeline through the API: every opportunity and pipeline mutation (happy path, typed userErrors, nothing
 * written on refusal), the derived figures with a controlled clock (`asOf`, and the past instants the mutations take),
 * the pipeline summary against hand-computed figures, a sales rep's row scope, the audit log, and batching.
 */

let app: TestApp;
let repA: GraphQLCaller;
let repB: GraphQLCaller;
let analyst: GraphQLCaller;
const users = { repA: '', repB: '', manager: '', analyst: '' };
let defaultPipeline: { id: string; stages: Array<{ id: string; name: string; probability: number; rottingDays: number | null }> };
let customerA = '';
let customerB = '';
let contactA = '';
let contactB = '';
let product = '';

const DAY = 86_400_000;
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const iso = (t: number) => new Date(t).toISOString();

const UE = 'userErrors { field code message }';
const OPP = `id name status version amount { amount currencyCode } weightedAmount { amount } stage { id name } owner { id } customer { id }
  contact { id } products { id } expectedCloseDate source nextStep lostReason openedAt stageEnteredAt closedAt order { id }`;
const CREATE = `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const UPDATE = `mutation($input: UpdateOpportunityInput!) { updateOpportunity(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const MOVE = `mutation($input: MoveOpportunityStageInput!) { moveOpportunityStage(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const ASSIGN = `mutation($input: AssignOpportunityInput!) { assignOpportunity(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const WIN = `mutation($input: WinOpportunityInput!) { winOpportunity(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const LOSE = `mutation($input: LoseOpportunityInput!) { loseOpportunity(input: $input) { opportunity { ${OPP} } ${UE} } }`;
const DELETE = `mutation($id: ID!) { deleteOpportunity(input: { id: $id }) { opportunity { id deletedAt } ${UE} } }`;
const RESTORE = `mutation($id: ID!) { restoreOpportunity(input: { id: $id }) { opportunity { id deletedAt } ${UE} } }`;

type Payload = { opportunity: any; userErrors: Array<{ field: string[]; code: string; message: string }> };

async function call(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<Payload> {
  const data = await caller.ok(mutation, { input });
  return Object.values(data)[0] as Payload;
}
async function ok(caller: GraphQLCaller, mutation: string, input: Record<string, unknown>): Promise<any> {
  const p = await call(caller, mutation, input);
  expect(p.userErrors).toEqual([]);
  return p.opportunity;
}
const codes = (p: Payload) => p.userErrors.map((e) => [e.field.join('.'), e.code]);

/** Every table's row count and latest write: equal before and after means nothing was written. */
async function fingerprint(): Promise<string> {
  const [row] = await app.db.query(`
    SELECT (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM opportunities) AS o,
           (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM opportunity_stage_history) AS h,
           (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM pipelines) AS p,
           (SELECT count(*) || ':' || coalesce(max(xmin::text::bigint), 0) FROM pipeline_stages) AS s,
           (SELECT count(*) FROM audit_events) AS a`);
  return JSON.stringify(row);
}

async function newOpportunity(caller: GraphQLCaller, extra: Record<string, unknown> = {}): Promise<any> {
  return ok(caller, CREATE, { customerId: customerA, name: 'Espresso machines', amount: '1000.00', ...extra });
}

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string, role: string) => insertStaff(app.db, name, role);
  users.repA = await user('Rita Rep', 'SALES_REP');
  users.repB = await user('Ben Rep', 'SALES_REP');
  users.manager = await user('Mona Manager', 'MANAGER');
  users.analyst = await user('Anil Analyst', 'ANALYST');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  repB = await app.as({ role: 'SALES_REP', userId: users.repB });
  analyst = await app.as({ role: 'ANALYST', userId: users.analyst });

  const customer = async (name: string, owner: string) =>
    (await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } } }`, { input: { name, ownerId: toGlobalId('User', owner) } })).createCustomer.customer.id;
  customerA = await customer('Alice Archer', users.repA);
  customerB = await customer('Bruno Baker', users.repB);
  const contact = async (customerId: string, name: string) =>
    (await app.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } } }`, { input: { customerId, name } })).createContact.contact.id;
  contactA = await contact(customerA, 'Anna Archer');
  contactB = await contact(customerB, 'Boris Baker');
  product = (await app.ok(`mutation { createProduct(input: { sku: "M-1", name: "Machine", unitPrice: "499.00" }) { product { id } } }`)).createProduct.product.id;
  defaultPipeline = (await app.ok(`{ pipelines { id isDefault currency stages { id name probability rottingDays } } }`)).pipelines[0];
});
afterAll(() => app.close());

describe('the default pipeline', () => {
  it('comes from the migration with four stages, won and lost being statuses rather than stages', async () => {
    const { pipelines } = await app.ok(`{ pipelines { name isDefault currency version stages { name position probability rottingDays } } }`);
    expect(pipelines).toEqual([
      {
        name: 'Sales',
        isDefault: true,
        currency: app.config.baseCurrency,
        version: 1,
        stages: [
          { name: 'Qualification', position: 1, probability: 0.1, rottingDays: 14 },
          { name: 'Needs analysis', position: 2, probability: 0.25, rottingDays: 21 },
          { name: 'Proposal', position: 3, probability: 0.5, rottingDays: 14 },
          { name: 'Negotiation', position: 4, probability: 0.75, rottingDays: 10 },
        ],
      },
    ]);
  });
});

describe('createOpportunity', () => {
  it('records an open opportunity in the first stage, owned by the customer’s rep, with its first stage stint and an audit event', async () => {
    const o = await ok(app, CREATE, {
      customerId: customerA,
      name: '  Espresso machines for the office ',
      amount: '12500.50',
      contactId: contactA,
      productIds: [product, product],
      expectedCloseDate: '2031-03-15',
      source: 'Trade fair',
      nextStep: 'Send the quote',
    });
    expect(o).toMatchObject({
      name: 'Espresso machines for the office',
      status: 'OPEN',
      version: 1,
      amount: { amount: '12500.50', currencyCode: app.config.baseCurrency },
      weightedAmount: { amount: '1250.05' },
      stage: { id: defaultPipeline.stages[0].id, name: 'Qualification' },
      owner: { id: toGlobalId('User', users.repA) },
      customer: { id: customerA },
      contact: { id: contactA },
      products: [{ id: product }],
      expectedCloseDate: '2031-03-15',
      source: 'Trade fair',
      nextStep: 'Send the quote',
      closedAt: null,
    });
    const history = await app.db.query(`SELECT stage_id::text, left_at FROM opportunity_stage_history WHERE opportunity_id = $1`, [uuid(o.id)]);
    expect(history).toEqual([{ stage_id: uuid(defaultPipeline.stages[0].id), left_at: null }]);
    const [audit] = await app.db.query(`SELECT action, changes FROM audit_events WHERE object_id = $1`, [uuid(o.id)]);
    expect(audit.action).toBe('opportunity.create');
    expect(audit.changes.amountValue).toEqual({ before: null, after: '12500.5000' });
  });

  it('refuses bad input with typed userErrors at each field together, and writes nothing', async () => {
    const before = await fingerprint();
    const p = await call(app, CREATE, {
      customerId: toGlobalId('Contact', '00000000-0000-0000-0000-000000000000'),
      name: ' ',
      amount: '-1',
      expectedCloseDate: '1800-01-01',
      openedAt: iso(Date.now() + 10 * DAY),
      productIds: [toGlobalId('Product', '00000000-0000-0000-0000-000000000000')],
      nextStep: 'a\u0000b',
    });
    expect(p.opportunity).toBeNull();
    expect(codes(p)).toEqual(
      expect.arrayContaining([
        ['input.customerId', 'INVALID_ID'],
        ['input.name', 'REQUIRED'],
        ['input.amount', 'OUT_OF_RANGE'],
        ['input.expectedCloseDate', 'OUT_OF_RANGE'],
        ['input.openedAt', 'OUT_OF_RANGE'],
        ['input.productIds.0', 'NOT_FOUND'],
        ['input.nextStep', 'INVALID'],
      ]),
    );
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a contact of another customer, a stage of another pipeline, a foreign currency, cents of a yen and an analyst as owner', async () => {
    const other = await app.ok(
      `mutation { createPipeline(input: { name: "Key accounts", currency: "JPY", stages: [{ name: "Pitch", probability: 0.3 }] }) { pipeline { id stages { id } } ${UE} } }`,
    );
    const jpy = other.createPipeline.pipeline;
    const before = await fingerprint();
    const p = await call(app, CREATE, {
      customerId: customerA,
      name: 'Mixed up',
      amount: '10.00',
      contactId: contactB,
      stageId: jpy.stages[0].id,
      currency: 'EUR',
      ownerId: toGlobalId('User', users.analyst),
    });
    expect(codes(p)).toEqual(
      expect.arrayContaining([
        ['input.contactId', 'INVALID'],
        ['input.stageId', 'INVALID'],
        ['input.ownerId', 'INVALID'],
      ]),
    );
    const yen = await call(app, CREATE, { customerId: customerA, name: 'Yen', amount: '10.50', pipelineId: jpy.id, currency: 'EUR' });
    expect(codes(yen)).toEqual([
      ['input.currency', 'CURRENCY_MISMATCH'],
      ['input.amount', 'INVALID'],
    ]);
    expect(await fingerprint()).toBe(before);
  });

  it('lets a sales rep create opportunities on their own customers only, owned by themselves', async () => {
    const mine = await newOpportunity(repA);
    expect(mine.owner).toEqual({ id: toGlobalId('User', users.repA) });
    const before = await fingerprint();
    expect(codes(await call(repA, CREATE, { customerId: customerB, name: 'Not mine', amount: '1.00' }))).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(codes(await call(repA, CREATE, { customerId: customerA, name: 'For Ben', amount: '1.00', ownerId: toGlobalId('User', users.repB) }))).toEqual([
      ['input.ownerId', 'INVALID'],
    ]);
    expect(await fingerprint()).toBe(before);
  });

  it('never answers INTERNAL_SERVER_ERROR and never half-writes, whatever the input (fast-check)', async () => {
    const text = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', ' ', 'a\u0000b', "'; DROP TABLE opportunities; --", 'x'.repeat(300), '\ud800'));
    const id = fc.oneof(
      fc.constantFrom(customerA, customerB, contactA, contactB, product, 'nope', ''),
      fc.uuid().map((u) => toGlobalId('Customer', u)),
    );
    const decimal = fc.constantFrom('0', '0.01', '1000000000', '1000000000.01', '-5', '12.345', '999999999999999.9999', '1.5');
    const date = fc.constantFrom('0001-01-01', '1899-12-31', '2030-01-01', '9999-12-31');
    const instant = fc.constantFrom('0001-01-01T00:00:00Z', '1900-01-01T00:00:00Z', iso(Date.now() - DAY), iso(Date.now() + 30 * DAY), '9999-12-31T23:59:59Z');
    const input = fc.record(
      {
        customerId: id,
        name: text,
        amount: decimal,
        currency: fc.constantFrom('USD', 'EUR', 'XXX', 'JPY', 'usd'),
        contactId: fc.option(id),
        ownerId: fc.option(fc.constantFrom(toGlobalId('User', users.repA), toGlobalId('User', users.analyst), 'x')),
        stageId: fc.option(fc.constantFrom(defaultPipeline.stages[1].id, customerA, 'x')),
        productIds: fc.option(fc.array(id, { maxLength: 60 })),
        expectedCloseDate: fc.option(date),
        openedAt: fc.option(instant),
        source: fc.option(text),
        nextStep: fc.option(text),
      },
      { requiredKeys: ['customerId', 'name', 'amount'] },
    );
    await fc.assert(
      fc.asyncProperty(input, async (i) => {
        const before = await app.db.query(`SELECT count(*)::int AS n FROM opportunities`);
        const res = await app.gql<{ createOpportunity: Payload }>(CREATE, { input: i });
        expect(res.status).toBeLessThan(500);
        expect(res.errors?.filter((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR') ?? []).toEqual([]);
        const after = await app.db.query(`SELECT count(*)::int AS n FROM opportunities`);
        const p = res.data?.createOpportunity;
        if (!p || p.userErrors.length) {
          if (p) expect(p.opportunity).toBeNull();
          expect(after).toEqual(before);
        } else expect(after[0].n).toBe(before[0].n + 1);
      }),
      { numRuns: 60, seed: 20261201 },
    );
  });
});

describe('changing an opportunity', () => {
  it('updates details with expectedVersion, and answers CONFLICT on a stale version', async () => {
    const o = await newOpportunity(app);
    const updated = await ok(app, UPDATE, { id: o.id, expectedVersion: 1, amount: '2000', nextStep: 'Demo', source: null, productIds: [product] });
    expect(updated).toMatchObject({ version: 2, amount: { amount: '2000.00' }, nextStep: 'Demo', source: null, products: [{ id: product }] });
    const before = await fingerprint();
    expect(codes(await call(app, UPDATE, { id: o.id, expectedVersion: 1, name: 'Late' }))).toEqual([['input.expectedVersion', 'CONFLICT']]);
    expect(codes(await call(app, UPDATE, { id: o.id, name: null, amount: null }))).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.amount', 'REQUIRED'],
    ]);
    expect(await fingerprint()).toBe(before);
  });

  it('moves through the stages, recording each stint; refuses the same stage, a foreign stage and a time before the current stage', async () => {
    const t0 = Date.now() - 30 * DAY;
    const o = await newOpportunity(app, { openedAt: iso(t0) });
    const moved = await ok(app, MOVE, { id: o.id, stageId: defaultPipeline.stages[2].id, movedAt: iso(t0 + 10 * DAY) });
    expect(moved).toMatchObject({ stage: { name: 'Proposal' }, stageEnteredAt: iso(t0 + 10 * DAY), weightedAmount: { amount: '500.00' }, version: 2 });
    const before = await fingerprint();
    expect(codes(await call(app, MOVE, { id: o.id, stageId: defaultPipeline.stages[2].id }))).toEqual([['input.stageId', 'INVALID']]);
    expect(codes(await call(app, MOVE, { id: o.id, stageId: defaultPipeline.stages[1].id, movedAt: iso(t0 + 5 * DAY) }))).toEqual([['input.movedAt', 'OUT_OF_RANGE']]);
    expect(codes(await call(app, MOVE, { id: o.id, stageId: 'garbage' }))).toEqual([['input.stageId', 'INVALID_ID']]);
    expect(await fingerprint()).toBe(before);

    const { opportunity } = await app.ok(`query($id: ID!, $asOf: DateTime) { opportunity(id: $id) { stageHistory { stage { name } enteredAt leftAt days(asOf: $asOf) } } }`, {
      id: o.id,
      asOf: iso(t0 + 14 * DAY),
    });
    expect(opportunity.stageHistory).toEqual([
      { stage: { name: 'Qualification' }, enteredAt: iso(t0), leftAt: iso(t0 + 10 * DAY), days: 10 },
      { stage: { name: 'Proposal' }, enteredAt: iso(t0 + 10 * DAY), leftAt: null, days: 4 },
    ]);
  });

  it('assigns to a rep or manager only, and a rep cannot hand theirs away', async () => {
    const o = await newOpportunity(app);
    expect((await ok(app, ASSIGN, { id: o.id, ownerId: toGlobalId('User', users.manager) })).owner).toEqual({ id: toGlobalId('User', users.manager) });
    const own = await newOpportunity(repA);
    const before = await fingerprint();
    expect(codes(await call(app, ASSIGN, { id: o.id, ownerId: toGlobalId('User', users.analyst) }))).toEqual([['input.ownerId', 'INVALID']]);
    expect(codes(await call(repA, ASSIGN, { id: own.id, ownerId: toGlobalId('User', users.repB) }))).toEqual([['input.ownerId', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
  });

  it('wins with a linked order of the same customer, and refuses an order of another customer, a second win and an order already used', async () => {
    const record = async (customerId: string) =>
      (await app.ok(`mutation($id: ID!) { recordOrder(input: { customerId: $id, lines: [{ description: "Machine", quantity: 1, unitPrice: "1000" }] }) { order { id } } }`, { id: customerId }))
        .recordOrder.order.id;
    const orderA = await record(customerA);
    const orderB = await record(customerB);
    const o = await newOpportunity(app);
    const before = await fingerprint();
    expect(codes(await call(app, WIN, { id: o.id, orderId: orderB }))).toEqual([['input.orderId', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
    const won = await ok(app, WIN, { id: o.id, orderId: orderA });
    expect(won).toMatchObject({ status: 'WON', order: { id: orderA }, weightedAmount: { amount: '1000.00' }, closedAt: expect.any(String) });
    const [stint] = await app.db.query(`SELECT left_at FROM opportunity_stage_history WHERE opportunity_id = $1`, [uuid(o.id)]);
    expect(stint.left_at.toISOString()).toBe(won.closedAt);
    const other = await newOpportunity(app);
    const after = await fingerprint();
    expect(codes(await call(app, WIN, { id: o.id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
    expect(codes(await call(app, WIN, { id: other.id, orderId: orderA }))).toEqual([['input.orderId', 'TAKEN']]);
    expect(codes(await call(app, UPDATE, { id: o.id, amount: '5' }))).toEqual([['input.amount', 'INVALID']]);
    expect(await fingerprint()).toBe(after);
  });

  it('loses only with a reason, and not before the opportunity entered its stage', async () => {
    const o = await newOpportunity(app, { openedAt: iso(Date.now() - 5 * DAY) });
    const before = await fingerprint();
    expect(codes(await call(app, LOSE, { id: o.id, reason: '  ' }))).toEqual([['input.reason', 'REQUIRED']]);
    expect(codes(await call(app, LOSE, { id: o.id, reason: 'Price', closedAt: iso(Date.now() - 6 * DAY) }))).toEqual([['input.closedAt', 'OUT_OF_RANGE']]);
    expect(await fingerprint()).toBe(before);
    const lost = await ok(app, LOSE, { id: o.id, reason: 'Went with a competitor' });
    expect(lost).toMatchObject({ status: 'LOST', lostReason: 'Went with a competitor', weightedAmount: { amount: '0.00' } });
    expect(codes(await call(app, MOVE, { id: o.id, stageId: defaultPipeline.stages[1].id }))).toEqual([['input.id', 'INVALID_TRANSITION']]);
  });

  it('soft-deletes and restores, hiding the opportunity from lists and lookups meanwhile', async () => {
    const o = await newOpportunity(app, { name: 'Deleted deal' });
    expect((await app.ok(DELETE, { id: o.id })).deleteOpportunity.opportunity.deletedAt).not.toBeNull();
    expect((await app.ok(`query($id: ID!) { opportunity(id: $id) { id } }`, { id: o.id })).opportunity).toBeNull();
    expect((await app.ok(`{ opportunities(filter: { name: { eq: "Deleted deal" } }) { totalCount } }`)).opportunities.totalCount).toBe(0);
    expect((await app.ok(DELETE, { id: o.id })).deleteOpportunity.userErrors).toEqual([expect.objectContaining({ field: ['input', 'id'], code: 'ALREADY_DELETED' })]);
    expect((await app.ok(RESTORE, { id: o.id })).restoreOpportunity.opportunity.deletedAt).toBeNull();
    const actions = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1 ORDER BY at, id`, [uuid(o.id)]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['opportunity.create', 'opportunity.delete', 'opportunity.restore']);
  });
});

describe('derived figures, with the clock set by argument', () => {
  it('weights the amount exactly, rounding once to the minor unit', async () => {
    await app.ok(`mutation($id: ID!) { updatePipelineStage(input: { id: $id, probability: 0.3333 }) { ${UE} } }`, { id: defaultPipeline.stages[1].id });
    const o = await newOpportunity(app, { amount: '0.05', stageId: defaultPipeline.stages[1].id });
    // 0.05 × 0.3333 = 0.016665 → 0.02 (half away from zero); 999999999.99 × 0.3333 = 333299999.996667 → 333300000.00.
    expect(o.weightedAmount).toEqual({ amount: '0.02' });
    const big = await newOpportunity(app, { amount: '999999999.99', stageId: defaultPipeline.stages[1].id });
    expect(big.weightedAmount).toEqual({ amount: '333300000.00' });
    await app.ok(`mutation($id: ID!) { updatePipelineStage(input: { id: $id, probability: 0.25 }) { ${UE} } }`, { id: defaultPipeline.stages[1].id });
    await app.ok(DELETE, { id: big.id });
  });

  it('ages, counts days in stage and rots as of the instant asked about; a closed one stops ageing and has a sales cycle', async () => {
    const opened = Date.parse('2025-01-01T00:00:00Z');
    const o = await newOpportunity(app, { openedAt: iso(opened) });
    await ok(app, MOVE, { id: o.id, stageId: defaultPipeline.stages[3].id, movedAt: iso(opened + 3 * DAY) });
    const [{ last }] = await app.db.query(`SELECT last_activity_at AS last FROM opportunities WHERE id = $1`, [uuid(o.id)]);
    const Q = `query($id: ID!, $asOf: DateTime) { opportunity(id: $id) { ageDays(asOf: $asOf) daysInStage(asOf: $asOf) isRotting(asOf: $asOf) salesCycleDays } }`;
    // Negotiation rots after 10 untouched days: 10 days on the dot is not yet rotting.
    const at = async (asOf: number) => (await app.ok(Q, { id: o.id, asOf: iso(asOf) })).opportunity;
    expect(await at(last.getTime() + 10 * DAY)).toMatchObject({ isRotting: false, salesCycleDays: null });
    expect(await at(last.getTime() + 10 * DAY + 1000)).toMatchObject({ isRotting: true });
    expect(await at(opened + 7.5 * DAY)).toMatchObject({ ageDays: 7, daysInStage: 4 });
    const won = await ok(app, WIN, { id: o.id, closedAt: iso(opened + 20 * DAY + 12 * 3_600_000) });
    expect(won.status).toBe('WON');
    expect(await at(opened + 300 * DAY)).toEqual({ ageDays: 20, daysInStage: 17, isRotting: false, salesCycleDays: 20.5 });
  });

  it('lists rotting opportunities with the rotting filter', async () => {
    const o = await newOpportunity(app, { name: 'Forgotten deal' });
    const rotting = `{ opportunities(filter: { name: { eq: "Forgotten deal" }, rotting: { eq: true } }) { nodes { id isRotting } } }`;
    expect((await app.ok(rotting)).opportunities.nodes).toEqual([]);
    // Qualification rots after 14 days: the deal was last touched 15 days ago.
    await app.db.query(`UPDATE opportunities SET last_activity_at = now() - interval '15 days' WHERE id = $1`, [uuid(o.id)]);
    expect((await app.ok(rotting)).opportunities.nodes).toEqual([{ id: o.id, isRotting: true }]);
  });
});

describe('pipelines', () => {
  const PIPE = `pipeline { id name version isDefault stages { id name position probability rottingDays } }`;

  it('are created, renamed, extended, edited and reordered by managers, with audit events; sales reps and analysts may not', async () => {
    const manager = await app.as({ role: 'MANAGER', userId: users.manager });
    const created = (
      await manager.ok(`mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { ${PIPE} ${UE} } }`, {
        input: { name: 'Service contracts', stages: [{ name: 'Offer', probability: 0.2, rottingDays: 7 }, { name: 'Signature', probability: 0.9 }] },
      })
    ).createPipeline;
    expect(created.userErrors).toEqual([]);
    const p = created.pipeline;
    expect(p.stages.map((s: { name: string; position: number }) => [s.name, s.position])).toEqual([['Offer', 1], ['Signature', 2]]);
    const added = (await manager.ok(`mutation($input: AddPipelineStageInput!) { addPipelineStage(input: $input) { ${PIPE} ${UE} } }`, {
      input: { pipelineId: p.id, name: 'Visit', probability: 0.5, position: 2, expectedVersion: 1 },
    })).addPipelineStage;
    expect(added.pipeline.stages.map((s: { name: string }) => s.name)).toEqual(['Offer', 'Visit', 'Signature']);
    expect(added.pipeline.version).toBe(2);
    const [offer, visit, signature] = added.pipeline.stages;
    const edited = (await manager.ok(`mutation($input: UpdatePipelineStageInput!) { updatePipelineStage(input: $input) { ${PIPE} ${UE} } }`, {
      input: { id: visit.id, name: 'Site visit', probability: 0.55, rottingDays: null },
    })).updatePipelineStage;
    expect(edited.pipeline.stages[1]).toMatchObject({ name: 'Site visit', probability: 0.55, rottingDays: null });
    const reordered = (await manager.ok(`mutation($input: ReorderPipelineStagesInput!) { reorderPipelineStages(input: $input) { ${PIPE} ${UE} } }`, {
      input: { pipelineId: p.id, stageIds: [visit.id, offer.id, signature.id] },
    })).reorderPipelineStages;
    expect(reordered.pipeline.stages.map((s: { name: string }) => s.name)).toEqual(['Site visit', 'Offer', 'Signature']);
    const renamed = (await manager.ok(`mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { ${PIPE} ${UE} } }`, {
      input: { id: p.id, name: 'Service', expectedVersion: 4 },
    })).updatePipeline;
    expect(renamed.pipeline).toMatchObject({ name: 'Service', version: 5 });
    const actions = await app.db.query(`SELECT action FROM audit_events WHERE object_id = $1 ORDER BY at, id`, [uuid(p.id)]);
    expect(actions.map((a: { action: string }) => a.action)).toEqual(['pipeline.create', 'pipeline.addStage', 'pipeline.updateStage', 'pipeline.reorderStages', 'pipeline.update']);

    for (const caller of [repA, analyst]) {
      const res = await caller.gql(`mutation($id: ID!) { updatePipeline(input: { id: $id, name: "Mine" }) { ${UE} } }`, { id: p.id });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('refuses bad stages, taken names, incomplete reorders and stale versions with typed userErrors, writing nothing', async () => {
    const before = await fingerprint();
    const create = await app.ok(`mutation($input: CreatePipelineInput!) { createPipeline(input: $input) { pipeline { id } ${UE} } }`, {
      input: { name: 'sales', currency: 'XXX', stages: [{ name: 'A', probability: 1.5 }, { name: 'a', probability: 0.12345, rottingDays: 0 }] },
    });
    expect(codes(create.createPipeline)).toEqual([
      ['input.currency', 'INVALID'],
      ['input.stages.0.probability', 'OUT_OF_RANGE'],
      ['input.stages.1.probability', 'INVALID'],
      ['input.stages.1.rottingDays', 'OUT_OF_RANGE'],
    ]);
    const taken = await app.ok(`mutation { createPipeline(input: { name: "SALES", stages: [{ name: "A", probability: 0.5 }] }) { ${UE} } }`);
    expect(codes(taken.createPipeline)).toEqual([['input.name', 'TAKEN']]);
    const reorder = await app.ok(`mutation($input: ReorderPipelineStagesInput!) { reorderPipelineStages(input: $input) { ${UE} } }`, {
      input: { pipelineId: defaultPipeline.id, stageIds: [defaultPipeline.stages[0].id, defaultPipeline.stages[0].id] },
    });
    expect(codes(reorder.reorderPipelineStages)).toEqual([['input.stageIds', 'INVALID']]);
    const stale = await app.ok(`mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { ${UE} } }`, { input: { id: defaultPipeline.id, expectedVersion: 999, name: 'x' } });
    expect(codes(stale.updatePipeline)).toEqual([['input.expectedVersion', 'CONFLICT']]);
    const undefault = await app.ok(`mutation($input: UpdatePipelineInput!) { updatePipeline(input: $input) { ${UE} } }`, { input: { id: defaultPipeline.id, isDefault: false } });
    expect(codes(undefault.updatePipeline)).toEqual([['input.isDefault', 'INVALID']]);
    expect(await fingerprint()).toBe(before);
  });
});

describe('pipelineSummary', () => {
  it('adds up each stage, its conversion and days in stage, the win rate, the sales cycle and the forecast to hand-computed figures', async () => {
    const p = (await app.ok(`mutation { createPipeline(input: { name: "Summary", stages: [{ name: "One", probability: 0.2 }, { name: "Two", probability: 0.6 }] }) { pipeline { id stages { id } } ${UE} } }`))
      .createPipeline.pipeline;
    const [one, two] = p.stages.map((s: { id: string }) => s.id);
    const T = Date.parse('2025-03-01T00:00:00Z'); // a fixed instant in the past
    const open = (amount: string, stageId: string, expectedCloseDate: string, owner = users.repA) =>
      newOpportunity(app, { pipelineId: p.id, stageId, amount, expectedCloseDate, openedAt: iso(T), ownerId: toGlobalId('User', owner) });
    // a: One → Two after 4 days, then won at day 10.   b: One → Two after 6 days, lost at day 8.   c: stays in One.
    const a = await open('1000.00', one, '2030-03-10');
    await ok(app, MOVE, { id: a.id, stageId: two, movedAt: iso(T + 4 * DAY) });
    await ok(app, WIN, { id: a.id, closedAt: iso(T + 10 * DAY) });
    const b = await open('333.33', one, '2030-03-20');
    await ok(app, MOVE, { id: b.id, stageId: two, movedAt: iso(T + 6 * DAY) });
    await ok(app, LOSE, { id: b.id, reason: 'Price', closedAt: iso(T + 8 * DAY) });
    await open('100.05', one, '2030-04-02');
    // Open in Two: weighted 0.6 × 250.01 = 150.006 → 150.01 and 0.6 × 0.05 = 0.03.
    const d = await open('250.01', one, '2030-04-15', users.repB);
    await ok(app, MOVE, { id: d.id, stageId: two, movedAt: iso(T + 2 * DAY) });
    await open('0.05', two, '2030-03-01', users.repB);

    const Q = `query($id: ID!, $owner: ID, $from: DateTime!, $to: DateTime!) { pipelineSummary(pipelineId: $id, ownerId: $owner, from: $from, to: $to) {
      stages { stage { name } count amount { amount } weightedAmount { amount } entered advanced conversionRate averageDaysInStage }
      won lost winRate wonAmount { amount } averageSalesCycleDays forecast { month count amount { amount } weightedAmount { amount } } } }`;
    const all = (await app.ok(Q, { id: p.id, from: iso(T - DAY), to: '2030-05-01T00:00:00Z' })).pipelineSummary;
    expect(all.stages).toEqual([
      // In One now: the 100.05 deal (weighted 20.01). Entered: a, b, c, d (the 0.05 one started in Two); all but c moved on.
      // Stints that ended: a 4 days, b 6 days, d 2 days → 4.
      { stage: { name: 'One' }, count: 1, amount: { amount: '100.05' }, weightedAmount: { amount: '20.01' }, entered: 4, advanced: 3, conversionRate: 0.75, averageDaysInStage: 4 },
      // In Two now: d and the 0.05 deal. Entered: a, b, d, e; advanced: a (won). Ended: a after 6 days, b after 2 → 4.
      { stage: { name: 'Two' }, count: 2, amount: { amount: '250.06' }, weightedAmount: { amount: '150.04' }, entered: 4, advanced: 1, conversionRate: 0.25, averageDaysInStage: 4 },
    ]);
    expect(all).toMatchObject({ won: 1, lost: 1, winRate: 0.5, wonAmount: { amount: '1000.00' }, averageSalesCycleDays: 10 });
    expect(all.forecast).toEqual([
      { month: '2030-03', count: 1, amount: { amount: '0.05' }, weightedAmount: { amount: '0.03' } },
      { month: '2030-04', count: 2, amount: { amount: '350.06' }, weightedAmount: { amount: '170.02' } },
    ]);

    const ritas = (await app.ok(Q, { id: p.id, owner: toGlobalId('User', users.repA), from: iso(T - DAY), to: '2030-05-01T00:00:00Z' })).pipelineSummary;
    expect(ritas.stages.map((s: { count: number; entered: number }) => [s.count, s.entered])).toEqual([[1, 3], [0, 2]]);
    // A rep's summary is their own, whatever owner they ask for.
    const asRita = (await repA.ok(Q, { id: p.id, from: iso(T - DAY), to: '2030-05-01T00:00:00Z' })).pipelineSummary;
    expect(asRita).toEqual(ritas);
    const asRitaForBen = (await repA.ok(Q, { id: p.id, owner: toGlobalId('User', users.repB), from: iso(T - DAY), to: '2030-05-01T00:00:00Z' })).pipelineSummary;
    expect(asRitaForBen.stages.map((s: { count: number }) => s.count)).toEqual([0, 0]);

    // A period that holds nothing of it: no flows, no closes, no forecast.
    const later = (await app.ok(Q, { id: p.id, from: '2030-06-01T00:00:00Z', to: '2030-07-01T00:00:00Z' })).pipelineSummary;
    expect(later).toMatchObject({ won: 0, lost: 0, winRate: null, averageSalesCycleDays: null, forecast: [] });
    expect(later.stages[0]).toMatchObject({ count: 1, entered: 0, conversionRate: null, averageDaysInStage: null });
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await app.gql(`query($id: ID!) { pipelineSummary(pipelineId: $id, from: "2030-02-01T00:00:00Z", to: "2030-01-01T00:00:00Z") { won } }`, { id: defaultPipeline.id });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'to' });
  });
});

describe('a sales rep and another rep’s opportunities', () => {
  it('cannot see, move, assign, win, lose, change or delete them: null, absent, NOT_FOUND, and nothing written', async () => {
    const bens = await newOpportunity(repB, { customerId: customerB, name: 'Ben’s deal' });
    const ritas = await newOpportunity(repA, { name: 'Rita’s deal' });
    const read = await repA.ok(
      `query($b: ID!, $customer: ID!) { opportunity(id: $b) { id } node(id: $b) { id } all: opportunities(first: 100) { nodes { id } } customer(id: $customer) { id } }`,
      { b: bens.id, customer: customerB },
    );
    expect(read.opportunity).toBeNull();
    expect(read.node).toBeNull();
    expect(read.customer).toBeNull();
    expect(read.all.nodes.map((n: { id: string }) => n.id)).toContain(ritas.id);
    expect(read.all.nodes.map((n: { id: string }) => n.id)).not.toContain(bens.id);

    const before = await fingerprint();
    const attempts: Array<[string, Record<string, unknown>]> = [
      [MOVE, { id: bens.id, stageId: defaultPipeline.stages[1].id }],
      [ASSIGN, { id: bens.id, ownerId: toGlobalId('User', users.repA) }],
      [WIN, { id: bens.id }],
      [LOSE, { id: bens.id, reason: 'Sabotage' }],
      [UPDATE, { id: bens.id, name: 'Mine now' }],
    ];
    for (const [mutation, input] of attempts) expect(codes(await call(repA, mutation, input))).toEqual([['input.id', 'NOT_FOUND']]);
    expect((await repA.ok(DELETE, { id: bens.id })).deleteOpportunity.userErrors).toEqual([expect.objectContaining({ field: ['input', 'id'], code: 'NOT_FOUND' })]);
    expect(await fingerprint()).toBe(before);
  });

  it('shows an analyst every opportunity with the next step withheld, and lets them change nothing', async () => {
    const o = await newOpportunity(app, { nextStep: 'Call Anna on Tuesday' });
    const { opportunity } = await analyst.ok(`query($id: ID!) { opportunity(id: $id) { id nextStep amount { amount } } }`, { id: o.id });
    expect(opportunity).toEqual({ id: o.id, nextStep: null, amount: { amount: '1000.00' } });
    const res = await analyst.gql(MOVE, { input: { id: o.id, stageId: defaultPipeline.stages[1].id } });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('customers and their opportunities', () => {
  it('filters customers by having an open opportunity and pages their opportunities', async () => {
    const lonely = (await app.ok(`mutation { createCustomer(input: { name: "Nobody Sells Here" }) { customer { id } } }`)).createCustomer.customer.id;
    const res = await app.ok(
      `query($ids: [ID!]) { with: customers(filter: { id: { in: $ids }, hasOpenOpportunity: { eq: true } }) { nodes { id } }
        without: customers(filter: { id: { in: $ids }, hasOpenOpportunity: { eq: false } }) { nodes { id } } }`,
      { ids: [customerA, lonely] },
    );
    expect(res).toEqual({ with: { nodes: [{ id: customerA }] }, without: { nodes: [{ id: lonely }] } });
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const refused = await partner.gql(`{ customers(filter: { hasOpenOpportunity: { eq: true } }) { totalCount } }`);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', requiredScope: 'opportunities:read' });
  });

  it('runs as many SQL statements for a page of 20 opportunities with their customer, owner, stage, products and history as for a page of 2', async () => {
    for (let i = 0; i < 20; i++) await newOpportunity(app, { name: `Batch ${i}`, productIds: [product], contactId: contactA });
    const Q = `query($first: Int) { opportunities(first: $first, filter: { name: { contains: "Batch" } }) { nodes { id customer { name } contact { name } owner { name }
      pipeline { name } stage { name } products { name } weightedAmount { amount } isRotting ageDays stageHistory { stage { name } days } } } }`;
    const small = await app.statements(Q, { first: 2 });
    const large = await app.statements(Q, { first: 20 });
    expect(large).toBe(small);
    const nested = `query($first: Int) { customers(first: $first) { nodes { opportunities(first: 5) { nodes { id stage { name } owner { name } } } } } }`;
    expect(await app.statements(nested, { first: 20 })).toBe(await app.statements(nested, { first: 2 }));
  });
});
