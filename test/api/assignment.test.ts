import fc from 'fast-check';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * The right rep for each customer, through the API: assignment rules (ordered, first match wins, teams in turn)
 * applied to new customers and opportunities and on demand with a dry run that matches the real run, bulk
 * reassignment in one transaction with its audit trail, and who may do any of it.
 */

let app: TestApp;
let repA: GraphQLCaller;
let manager: GraphQLCaller;
const users = { repA: '', repB: '', repC: '', manager: '', analyst: '' };
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const gid = (userId: string) => toGlobalId('User', userId);

const UE = 'userErrors { field code message }';
const RULE = 'id name position active regions kinds personalities lifecycleStages segments valueTiers owners { id } version';
const CREATE_RULE = `mutation($input: CreateAssignmentRuleInput!) { createAssignmentRule(input: $input) { rule { ${RULE} } ${UE} } }`;
const UPDATE_RULE = `mutation($input: UpdateAssignmentRuleInput!) { updateAssignmentRule(input: $input) { rule { ${RULE} } ${UE} } }`;
const DELETE_RULE = `mutation($id: ID!) { deleteAssignmentRule(input: { id: $id }) { rule { id deletedAt } ${UE} } }`;
const RUN = `dryRun evaluated changed unmatched byRule { rule { id } customers } byOwner { owner { id } customers }
  changes { customer { id } fromOwner { id } toOwner { id } rule { id } } ${UE}`;
const APPLY = `mutation($input: ApplyAssignmentRulesInput!) { applyAssignmentRules(input: $input) { ${RUN} } }`;
const REASSIGN = `mutation($input: ReassignCustomersInput!) { reassignCustomers(input: $input) { ${RUN} } }`;
const CREATE_CUSTOMER = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id owner { id } } ${UE} } }`;

async function createRule(input: Record<string, unknown>): Promise<any> {
  const { createAssignmentRule } = await app.ok(CREATE_RULE, { input });
  expect(createAssignmentRule.userErrors).toEqual([]);
  return createAssignmentRule.rule;
}
async function customer(input: Record<string, unknown>): Promise<{ id: string; owner: { id: string } | null }> {
  const { createCustomer } = await app.ok(CREATE_CUSTOMER, { input });
  expect(createCustomer.userErrors).toEqual([]);
  return createCustomer.customer;
}
const owners = async (ids: string[]) =>
  new Map((await app.db.query(`SELECT id, owner_id FROM customers WHERE id = ANY($1::uuid[])`, [ids.map(uuid)])).map((r: { id: string; owner_id: string | null }) => [r.id, r.owner_id]));

beforeAll(async () => {
  app = await startTestApp();
  const user = (name: string, role: string) => insertStaff(app.db, name, role);
  users.repA = await user('Rita Rep', 'SALES_REP');
  users.repB = await user('Ben Rep', 'SALES_REP');
  users.repC = await user('Cleo Rep', 'SALES_REP');
  users.manager = await user('Mona Manager', 'MANAGER');
  users.analyst = await user('Anil Analyst', 'ANALYST');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  manager = await app.as({ role: 'MANAGER', userId: users.manager });
});
afterAll(() => app.close());

describe('assignment rules', () => {
  let emea: any;
  let companies: any;

  it('are created in order, first match wins, with typed errors for owners who cannot own and conditions that do not exist', async () => {
    emea = await createRule({ name: 'EMEA persons to Rita', regions: ['EMEA-North'], kinds: ['PERSON'], ownerIds: [gid(users.repA)] });
    companies = await createRule({ name: 'Companies to the team', kinds: ['COMPANY'], ownerIds: [gid(users.repB), gid(users.repC)] });
    expect(emea).toMatchObject({ position: 1, active: true, regions: ['EMEA-North'], kinds: ['PERSON'], owners: [{ id: gid(users.repA) }], version: 1 });
    expect(companies).toMatchObject({ position: 2, owners: [{ id: gid(users.repB) }, { id: gid(users.repC) }] });
    const { assignmentRules } = await repA.ok(`{ assignmentRules { id position } }`);
    expect(assignmentRules).toEqual([{ id: emea.id, position: 1 }, { id: companies.id, position: 2 }]);

    const before = await app.db.query(`SELECT count(*)::int AS n FROM assignment_rules`);
    const bad = await app.ok(CREATE_RULE, {
      input: { name: 'Bad', lifecycleStages: ['NOPE'], ownerIds: [gid(users.analyst), gid(users.repA), gid(users.repA), 'not-an-id'], position: 9 },
    });
    expect(bad.createAssignmentRule.rule).toBeNull();
    expect(bad.createAssignmentRule.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual(
      expect.arrayContaining([
        ['input.lifecycleStages', 'NOT_FOUND'],
        ['input.ownerIds.0', 'INVALID'],
        ['input.ownerIds.2', 'INVALID'],
        ['input.ownerIds.3', 'INVALID_ID'],
        ['input.position', 'OUT_OF_RANGE'],
      ]),
    );
    const none = await app.ok(CREATE_RULE, { input: { name: ' ', ownerIds: [] } });
    expect(none.createAssignmentRule.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual([
      ['input.name', 'REQUIRED'],
      ['input.ownerIds', 'REQUIRED'],
    ]);
    expect(await app.db.query(`SELECT count(*)::int AS n FROM assignment_rules`)).toEqual(before);
    const audit = await app.db.query(`SELECT action FROM audit_events WHERE object_id = ANY($1::uuid[]) ORDER BY at`, [[uuid(emea.id), uuid(companies.id)]]);
    expect(audit).toEqual([{ action: 'assignmentRule.create' }, { action: 'assignmentRule.create' }]);
  });

  it('give new customers without an owner one as they are created: the matching rule’s owner, or its team in turn', async () => {
    const person = await customer({ name: 'Erika', kind: 'PERSON', region: 'emea-north' });
    expect(person.owner).toEqual({ id: gid(users.repA) });
    const firms = [];
    for (const name of ['Acme', 'Bolt', 'Crux', 'Dyna']) firms.push(await customer({ name, kind: 'COMPANY' }));
    expect(firms.map((f) => f.owner?.id)).toEqual([gid(users.repB), gid(users.repC), gid(users.repB), gid(users.repC)]);
    // No rule matches: nobody; an owner named wins over the rules.
    expect((await customer({ name: 'Pat', kind: 'PERSON', region: 'APAC' })).owner).toBeNull();
    expect((await customer({ name: 'Quinn', kind: 'COMPANY', ownerId: gid(users.repA) })).owner).toEqual({ id: gid(users.repA) });
  });

  it('are reordered, changed and deleted by managers, with positions kept 1…n and a version check', async () => {
    const moved = await manager.ok(UPDATE_RULE, { input: { id: companies.id, position: 1, expectedVersion: 1 } });
    expect(moved.updateAssignmentRule.rule).toMatchObject({ position: 1, version: 2 });
    const stale = await manager.ok(UPDATE_RULE, { input: { id: companies.id, name: 'Stale', expectedVersion: 1 } });
    expect(stale.updateAssignmentRule.userErrors).toEqual([expect.objectContaining({ field: ['input', 'expectedVersion'], code: 'CONFLICT' })]);
    const { assignmentRules } = await app.ok(`{ assignmentRules { id position } }`);
    expect(assignmentRules).toEqual([{ id: companies.id, position: 1 }, { id: emea.id, position: 2 }]);
    const back = await manager.ok(UPDATE_RULE, { input: { id: companies.id, position: 2 } });
    expect(back.updateAssignmentRule.rule.position).toBe(2);
    const temp = await createRule({ name: 'Temporary', ownerIds: [gid(users.repA)], position: 1 });
    const deleted = await manager.ok(DELETE_RULE, { id: temp.id });
    expect(deleted.deleteAssignmentRule.rule.deletedAt).not.toBeNull();
    expect((await app.ok(`{ assignmentRules { id position } }`)).assignmentRules).toEqual([{ id: emea.id, position: 1 }, { id: companies.id, position: 2 }]);
    expect((await manager.ok(DELETE_RULE, { id: temp.id })).deleteAssignmentRule.userErrors).toEqual([expect.objectContaining({ code: 'ALREADY_DELETED' })]);
  });

  it('are not a sales rep’s to change or run, nor a partner’s to read', async () => {
    for (const [query, input] of [
      [CREATE_RULE, { name: 'Mine', ownerIds: [gid(users.repA)] }],
      [UPDATE_RULE, { id: emea.id, name: 'Mine' }],
      [APPLY, { dryRun: true }],
      [REASSIGN, { filter: {}, toOwnerId: gid(users.repA) }],
    ] as const) {
      const res = await repA.gql(query, { input });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    expect((await partner.gql(`{ assignmentRules { id } }`)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('applyAssignmentRules', () => {
  it('reports in a dry run exactly what the real run then does, and the real run writes it with the audit trail', async () => {
    await app.db.query(`UPDATE customers SET owner_id = NULL`);
    const filter = { kind: { eq: 'COMPANY' } };
    const turns = await app.db.query(`SELECT id, next_turn FROM assignment_rules ORDER BY id`);
    const dry = (await manager.ok(APPLY, { input: { filter, dryRun: true } })).applyAssignmentRules;
    expect(dry).toMatchObject({ dryRun: true, userErrors: [], unmatched: 0 });
    expect(dry.evaluated).toBe(5);
    expect(dry.changed).toBe(5);
    // Nothing written: owners and turns as they were.
    expect([...(await owners(dry.changes.map((c: any) => c.customer.id))).values()].every((o) => o === null)).toBe(true);
    expect(await app.db.query(`SELECT id, next_turn FROM assignment_rules ORDER BY id`)).toEqual(turns);

    const real = (await manager.ok(APPLY, { input: { filter, dryRun: false } })).applyAssignmentRules;
    expect({ ...real, dryRun: true }).toEqual(dry);
    const now = await owners(real.changes.map((c: any) => c.customer.id));
    for (const c of real.changes) expect(now.get(uuid(c.customer.id))).toBe(uuid(c.toOwner.id));
    expect(real.byOwner.reduce((n: number, o: { customers: number }) => n + o.customers, 0)).toBe(5);
    const counts = Object.fromEntries(real.byOwner.map((o: any) => [o.owner.id, o.customers]));
    expect(Math.abs(counts[gid(users.repB)] - counts[gid(users.repC)])).toBeLessThanOrEqual(1);
    const audit = await app.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'customer.assign' AND object_id = ANY($1::uuid[])`, [
      real.changes.map((c: any) => uuid(c.customer.id)),
    ]);
    expect(audit).toEqual([{ n: 5 }]);
    // Run again: everyone has an owner now, nothing to do.
    expect((await manager.ok(APPLY, { input: { filter, dryRun: false } })).applyAssignmentRules).toMatchObject({ evaluated: 5, changed: 0 });
  });

  it('counts the customers no rule matches, and refuses a filter it cannot read', async () => {
    const run = (await manager.ok(APPLY, { input: { filter: { region: { eq: 'APAC' } }, dryRun: true } })).applyAssignmentRules;
    expect(run).toMatchObject({ evaluated: 1, changed: 0, unmatched: 1, byRule: [] });
    const bad = await manager.gql(APPLY, { input: { filter: { name: { eq: 1 } } } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('reassignCustomers', () => {
  it('hands a rep’s whole book to another in one transaction, each change audited; the dry run changes nothing', async () => {
    const [{ n: held }] = await app.db.query(`SELECT count(*)::int AS n FROM customers WHERE owner_id = $1 AND deleted_at IS NULL`, [users.repB]);
    expect(held).toBeGreaterThan(0);
    const input = { filter: { owner: { eq: gid(users.repB) } }, toOwnerId: gid(users.repA) };
    const dry = (await manager.ok(REASSIGN, { input: { ...input, dryRun: true } })).reassignCustomers;
    expect(dry).toMatchObject({ dryRun: true, evaluated: held, changed: held, byOwner: [{ owner: { id: gid(users.repA) }, customers: held }], userErrors: [] });
    expect(await app.db.query(`SELECT count(*)::int AS n FROM customers WHERE owner_id = $1 AND deleted_at IS NULL`, [users.repB])).toEqual([{ n: held }]);

    const real = (await manager.ok(REASSIGN, { input })).reassignCustomers;
    expect({ ...real, dryRun: true }).toEqual(dry);
    expect(await app.db.query(`SELECT count(*)::int AS n FROM customers WHERE owner_id = $1 AND deleted_at IS NULL`, [users.repB])).toEqual([{ n: 0 }]);
    const audit = await app.db.query(`SELECT changes FROM audit_events WHERE action = 'customer.reassign' ORDER BY at`);
    expect(audit).toHaveLength(held);
    expect(audit[0].changes).toEqual({ ownerId: { before: users.repB, after: users.repA } });
    // The new owner sees them now; the old one does not.
    const repB = await app.as({ role: 'SALES_REP', userId: users.repB });
    expect((await repB.ok(`{ customers { totalCount } }`)).customers.totalCount).toBe(0);
  });

  it('refuses an owner who cannot own customers, writing nothing', async () => {
    const before = await app.db.query(`SELECT id, owner_id FROM customers ORDER BY id`);
    const res = (await manager.ok(REASSIGN, { input: { filter: {}, toOwnerId: gid(users.analyst) } })).reassignCustomers;
    expect(res).toMatchObject({ changed: 0, userErrors: [expect.objectContaining({ field: ['input', 'toOwnerId'], code: 'INVALID' })] });
    expect(await app.db.query(`SELECT id, owner_id FROM customers ORDER BY id`)).toEqual(before);
  });

  it('answers hostile input with typed errors, never INTERNAL, and never a half-written change', async () => {
    const before = JSON.stringify(await app.db.query(`SELECT id, owner_id, version FROM customers ORDER BY id`));
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.constant(gid(users.analyst)), fc.constant(toGlobalId('User', '00000000-0000-0000-0000-000000000000'))), async (to) => {
        const res = await manager.gql(REASSIGN, { input: { filter: { name: { contains: 'zzz-none' } }, toOwnerId: to } });
        const codes = (res.errors ?? []).map((e: any) => e.extensions?.code);
        expect(codes).not.toContain('INTERNAL_SERVER_ERROR');
        if (!res.errors) expect(res.data.reassignCustomers.changed).toBe(0);
      }),
      { numRuns: 40 },
    );
    expect(JSON.stringify(await app.db.query(`SELECT id, owner_id, version FROM customers ORDER BY id`))).toBe(before);
  });
});

describe('opportunities on customers nobody owns', () => {
  it('go to the owner the rules give the customer', async () => {
    const firm = await customer({ name: 'Ownerless GmbH', kind: 'COMPANY', ownerId: null });
    await app.db.query(`UPDATE customers SET owner_id = NULL WHERE id = $1`, [uuid(firm.id)]);
    const res = await manager.ok(`mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { owner { id } } ${UE} } }`, {
      input: { customerId: firm.id, name: 'First deal', amount: '100.00' },
    });
    expect(res.createOpportunity.userErrors).toEqual([]);
    expect([gid(users.repB), gid(users.repC)]).toContain(res.createOpportunity.opportunity.owner.id);
  });
});
