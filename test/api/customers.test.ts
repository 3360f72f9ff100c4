import { toGlobalId } from '../../src/common/ids';
import { insertStaff } from '../support/staff';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const CREATE = `mutation Create($input: CreateCustomerInput!) {
  createCustomer(input: $input) {
    customer { id name kind email phone externalRef version tags address { city country } lifecycleStage { key }
      marketingConsents { channel granted updatedAt } personality personalityApproach }
    userErrors { field message code }
  }
}`;

async function createCustomer(input: Record<string, unknown>) {
  const data = await app.ok(CREATE, { input });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer;
}

describe('customers', () => {
  it('creates a customer in stage PROSPECT with consent timestamps and a recorded transition', async () => {
    const c = await createCustomer({
      name: '  Ada Lovelace ',
      email: 'Ada@Example.com',
      phone: '+442071234567',
      externalRef: 'shop-1',
      tags: ['vip', 'vip', 'newsletter'],
      address: { city: 'London', country: 'GB' },
      personality: 'ANALYTICAL',
      consents: [{ channel: 'EMAIL', granted: true }],
    });
    expect(c).toMatchObject({ name: 'Ada Lovelace', kind: 'PERSON', email: 'ada@example.com', externalRef: 'shop-1', version: 1, tags: ['vip', 'newsletter'] });
    expect(c.lifecycleStage.key).toBe('PROSPECT');
    expect(c.personalityApproach).toMatch(/facts/);
    const email = c.marketingConsents.find((m: { channel: string }) => m.channel === 'EMAIL');
    expect(email.granted).toBe(true);
    expect(new Date(email.updatedAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM lifecycle_transitions WHERE reason = 'Customer created'`);
    expect(n).toBe(1);

    const byRef = await app.ok(`{ customer(externalRef: "shop-1") { id name } }`);
    expect(byRef.customer).toEqual({ id: c.id, name: 'Ada Lovelace' });
    const byId = await app.ok(`query($id: ID!) { customer(id: $id) { name } node(id: $id) { id ... on Customer { email } } }`, { id: c.id });
    expect(byId.node).toEqual({ id: c.id, email: 'ada@example.com' });
  });

  it('rejects blank names, unknown references and taken external refs with userErrors and writes nothing', async () => {
    const before = await app.db.query('SELECT count(*)::int AS n FROM customers');
    const res = await app.ok(CREATE, { input: { name: '   ', ownerId: 'VXNlcjowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA', lifecycleStage: 'NOPE' } });
    expect(res.createCustomer.customer).toBeNull();
    expect(res.createCustomer.userErrors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: ['input', 'name'], code: 'REQUIRED' }),
        expect.objectContaining({ field: ['input', 'ownerId'], code: 'NOT_FOUND' }),
        expect.objectContaining({ field: ['input', 'lifecycleStage'], code: 'NOT_FOUND' }),
      ]),
    );
    await createCustomer({ name: 'First', externalRef: 'dup-1' });
    const dup = await app.ok(CREATE, { input: { name: 'Second', externalRef: 'dup-1' } });
    expect(dup.createCustomer.userErrors).toEqual([expect.objectContaining({ field: ['input', 'externalRef'], code: 'TAKEN' })]);
    const after = await app.db.query('SELECT count(*)::int AS n FROM customers');
    expect(after[0].n).toBe(before[0].n + 1);
    const orphanTransitions = await app.db.query(`SELECT count(*)::int AS n FROM lifecycle_transitions t WHERE NOT EXISTS (SELECT 1 FROM customers c WHERE c.id = t.customer_id)`);
    expect(orphanTransitions[0].n).toBe(0);
  });

  it('rejects a malformed email or phone with a userError at its path, like a blank name', async () => {
    const res = await app.gql(CREATE, { input: { name: 'X', email: 'not-an-email', phone: '030 123' } });
    expect(res.status).toBe(200);
    expect(res.data.createCustomer).toEqual({
      customer: null,
      userErrors: [
        expect.objectContaining({ field: ['input', 'email'], code: 'INVALID' }),
        expect.objectContaining({ field: ['input', 'phone'], code: 'INVALID' }),
      ],
    });
    const ok = await createCustomer({ name: 'Y', email: ' Y@Example.COM ', phone: '+49 30 123-456' });
    expect(ok).toMatchObject({ email: 'y@example.com', phone: '+4930123456' });
  });

  it('updates only the given fields and detects concurrent edits through expectedVersion', async () => {
    const c = await createCustomer({ name: 'Grace Hopper', region: 'US-East', notes: 'met at fair' });
    const UPDATE = `mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { customer { name region notes version } userErrors { field code } } }`;
    const ok = await app.ok(UPDATE, { input: { id: c.id, expectedVersion: 1, region: 'US-West', notes: null } });
    expect(ok.updateCustomer).toEqual({ customer: { name: 'Grace Hopper', region: 'US-West', notes: null, version: 2 }, userErrors: [] });
    const stale = await app.ok(UPDATE, { input: { id: c.id, expectedVersion: 1, region: 'EU' } });
    expect(stale.updateCustomer).toEqual({ customer: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }] });
    const [{ region }] = await app.db.query('SELECT region FROM customers WHERE name = $1', ['Grace Hopper']);
    expect(region).toBe('US-West');
    const bad = await app.ok(UPDATE, { input: { id: 'nope', name: 'x' } });
    expect(bad.updateCustomer.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
  });

  it('soft-deletes and restores a customer', async () => {
    const c = await createCustomer({ name: 'Temporary Person' });
    const DEL = `mutation($id: ID!) { deleteCustomer(input: { id: $id }) { customer { deletedAt } userErrors { code } } }`;
    const RES = `mutation($id: ID!) { restoreCustomer(input: { id: $id }) { customer { deletedAt } userErrors { code } } }`;
    const del = await app.ok(DEL, { id: c.id });
    expect(del.deleteCustomer.customer.deletedAt).not.toBeNull();
    expect((await app.ok(`query($id: ID!) { customer(id: $id) { id } }`, { id: c.id })).customer).toBeNull();
    const hidden = await app.ok(`{ customers(search: "Temporary") { totalCount } }`);
    expect(hidden.customers.totalCount).toBe(0);
    const shown = await app.ok(`{ customers(search: "Temporary", includeDeleted: true) { totalCount } }`);
    expect(shown.customers.totalCount).toBe(1);
    expect((await app.ok(DEL, { id: c.id })).deleteCustomer.userErrors).toEqual([{ code: 'ALREADY_DELETED' }]);
    expect((await app.ok(RES, { id: c.id })).restoreCustomer).toEqual({ customer: { deletedAt: null }, userErrors: [] });
    expect((await app.ok(RES, { id: c.id })).restoreCustomer.userErrors).toEqual([{ code: 'NOT_DELETED' }]);
  });
});

describe('a customer by id with its owner', () => {
  const WITH_OWNER = `query($id: ID!) { customer(id: $id) { name owner { name } } }`;

  it('reads the owner in the customer\'s statement; a sales rep and a key without staff access see what they saw before', async () => {
    const repId = await insertStaff(app.db, 'Owner Read Rep');
    const otherId = await insertStaff(app.db, 'Owner Read Other');
    const mine = (await createCustomer({ name: 'Owned by the rep', ownerId: toGlobalId('User', repId) })).id;
    const theirs = (await createCustomer({ name: 'Owned by another rep', ownerId: toGlobalId('User', otherId) })).id;
    const nobodys = (await createCustomer({ name: 'Owned by nobody' })).id;

    expect(await app.statements(WITH_OWNER, { id: mine })).toBe(await app.statements(`query($id: ID!) { customer(id: $id) { name } }`, { id: mine }));
    expect((await app.ok(WITH_OWNER, { id: mine })).customer).toEqual({ name: 'Owned by the rep', owner: { name: 'Owner Read Rep' } });
    expect((await app.ok(WITH_OWNER, { id: nobodys })).customer).toEqual({ name: 'Owned by nobody', owner: null });

    const rep = await app.as({ role: 'SALES_REP', userId: repId });
    expect((await rep.ok(WITH_OWNER, { id: mine })).customer).toEqual({ name: 'Owned by the rep', owner: { name: 'Owner Read Rep' } });
    expect((await rep.ok(WITH_OWNER, { id: theirs })).customer).toBeNull();

    // Customers but not staff: the customer, and the owner refused as the owner field alone refuses it.
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const res = await partner.gql(WITH_OWNER, { id: mine });
    expect(res.data?.customer).toEqual({ name: 'Owned by the rep', owner: null });
    expect(res.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['customer', 'owner'], 'FORBIDDEN']]);
  });
});

describe('a page of customers with their owners', () => {
  const PAGE = (fields: string) => `{ customers(first: 100, filter: { name: { contains: "Page owner " } }) { nodes { ${fields} } } }`;

  it('reads the owners in the page\'s statement; a sales rep and a key without staff access see what they saw before', async () => {
    const repId = await insertStaff(app.db, 'Page Owner Rep');
    const otherId = await insertStaff(app.db, 'Page Owner Other');
    await createCustomer({ name: 'Page owner 1 (rep)', ownerId: toGlobalId('User', repId) });
    await createCustomer({ name: 'Page owner 2 (other)', ownerId: toGlobalId('User', otherId) });
    await createCustomer({ name: 'Page owner 3 (nobody)' });

    expect(await app.statements(PAGE('name owner { name }'))).toBe(await app.statements(PAGE('name')));
    expect((await app.ok(PAGE('name owner { name }'))).customers.nodes).toEqual([
      { name: 'Page owner 1 (rep)', owner: { name: 'Page Owner Rep' } },
      { name: 'Page owner 2 (other)', owner: { name: 'Page Owner Other' } },
      { name: 'Page owner 3 (nobody)', owner: null },
    ]);

    const rep = await app.as({ role: 'SALES_REP', userId: repId });
    expect((await rep.ok(PAGE('name owner { name }'))).customers.nodes).toEqual([{ name: 'Page owner 1 (rep)', owner: { name: 'Page Owner Rep' } }]);

    // Customers but not staff: the customers, and each owner refused as the owner field alone refuses it.
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const res = await partner.gql(PAGE('name owner { name }'));
    expect(res.data?.customers.nodes.map((n: { name: string; owner: unknown }) => [n.name, n.owner])).toEqual([
      ['Page owner 1 (rep)', null],
      ['Page owner 2 (other)', null],
      ['Page owner 3 (nobody)', null],
    ]);
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN', 'FORBIDDEN']);
  });
});

describe('customer lists', () => {
  beforeAll(async () => {
    for (let i = 0; i < 25; i++) {
      await createCustomer({ name: `Pager ${String(i).padStart(2, '0')}`, tags: i % 2 ? ['odd'] : ['even'], kind: i % 5 === 0 ? 'COMPANY' : 'PERSON', region: i < 10 ? 'North' : 'South' });
    }
  });

  const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
    customers(first: $first, after: $after, last: $last, before: $before, filter: { name: { contains: "pager" } }) {
      totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
  }`;

  it('walks forward and backward with keyset cursors without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { customers }: { customers: any } = await app.ok(PAGE, { first: 10, after });
      seen.push(...customers.nodes.map((n: { name: string }) => n.name));
      expect(customers.totalCount).toBe(25);
      if (!customers.pageInfo.hasNextPage) break;
      after = customers.pageInfo.endCursor;
    }
    expect(seen).toEqual([...Array(25)].map((_, i) => `Pager ${String(i).padStart(2, '0')}`));

    const last = await app.ok(PAGE, { last: 10 });
    expect(last.customers.nodes.map((n: { name: string }) => n.name)).toEqual(seen.slice(15));
    expect(last.customers.pageInfo.hasPreviousPage).toBe(true);
    const before = await app.ok(PAGE, { last: 10, before: last.customers.pageInfo.startCursor });
    expect(before.customers.nodes.map((n: { name: string }) => n.name)).toEqual(seen.slice(5, 15));
    expect(before.customers.pageInfo.hasNextPage).toBe(true);
  });

  it('filters with operators combined by and/or/not and sorts descending', async () => {
    const { customers } = await app.ok(`{
      customers(first: 100, orderBy: { field: NAME, direction: DESC }, filter: {
        name: { contains: "PAGER" },
        or: [{ kind: { eq: COMPANY } }, { tags: { has: "odd" }, region: { eq: "North" } }],
        not: { name: { in: ["Pager 05"] } }
      }) { nodes { name } }
    }`);
    // companies: 0,5,10,15,20 (minus 05); odd in North: 1,3,5,7,9 (minus 05)
    expect(customers.nodes.map((n: { name: string }) => n.name)).toEqual(['Pager 20', 'Pager 15', 'Pager 10', 'Pager 09', 'Pager 07', 'Pager 03', 'Pager 01', 'Pager 00']);
  });

  it('rejects page sizes over 100 and foreign cursors with BAD_USER_INPUT', async () => {
    const big = await app.gql(`{ customers(first: 101) { totalCount } }`);
    expect(big.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const cursor = await app.gql(`{ customers(after: "garbage") { totalCount } }`);
    expect(cursor.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(cursor.status).toBeLessThan(500);
  });
});
