import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const UNKNOWN_CUSTOMER = toGlobalId('Customer', '00000000-0000-0000-0000-000000000000');
const UNKNOWN_CONTACT = toGlobalId('Contact', '00000000-0000-0000-0000-000000000000');

const CONTACT_FIELDS = 'id name title relationship email phone birthday isPrimary notes version deletedAt customer { id name }';
const CREATE = `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { ${CONTACT_FIELDS} } userErrors { field message code } } }`;
const UPDATE = `mutation($input: UpdateContactInput!) { updateContact(input: $input) { contact { ${CONTACT_FIELDS} } userErrors { field code } } }`;
const DELETE = `mutation($id: ID!) { deleteContact(input: { id: $id }) { contact { id deletedAt isPrimary } userErrors { field code } } }`;
const RESTORE = `mutation($id: ID!) { restoreContact(input: { id: $id }) { contact { id deletedAt isPrimary } userErrors { field code } } }`;

async function createCustomer(name: string, kind = 'PERSON'): Promise<{ id: string; name: string }> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id name } userErrors { code } } }`, {
    input: { name, kind },
  });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer;
}

async function createContact(input: Record<string, unknown>) {
  const data = await app.ok(CREATE, { input });
  expect(data.createContact.userErrors).toEqual([]);
  return data.createContact.contact;
}

async function count(sql: string, params: unknown[] = []): Promise<number> {
  const [{ n }] = await app.db.query(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return n;
}

const livePrimaries = (customerId: string) =>
  app.db.query(`SELECT name FROM contacts WHERE customer_id = $1 AND is_primary AND deleted_at IS NULL`, [fromGlobalId(customerId)!.id]);

describe('creating contacts', () => {
  it('adds a contact to a company as an EMPLOYEE and to a person as OTHER unless told otherwise', async () => {
    const acme = await createCustomer('Acme GmbH', 'COMPANY');
    const anna = await createCustomer('Anna Schmidt');
    const buyer = await createContact({
      customerId: acme.id,
      name: '  Jonas Weber ',
      title: 'Head of Purchasing',
      email: 'Jonas.Weber@Acme.example',
      phone: '+4930123456',
      birthday: '1980-04-12',
      notes: 'prefers calls before 10',
    });
    expect(buyer).toMatchObject({
      name: 'Jonas Weber',
      title: 'Head of Purchasing',
      relationship: 'EMPLOYEE',
      email: 'jonas.weber@acme.example',
      phone: '+4930123456',
      birthday: '1980-04-12',
      isPrimary: false,
      version: 1,
      deletedAt: null,
      customer: acme,
    });
    expect((await createContact({ customerId: anna.id, name: 'Paul Schmidt' })).relationship).toBe('OTHER');
    expect((await createContact({ customerId: anna.id, name: 'Lena Schmidt', relationship: 'FAMILY' })).relationship).toBe('FAMILY');

    const node = await app.ok(`query($id: ID!) { node(id: $id) { id ... on Contact { name customer { name } } } }`, { id: buyer.id });
    expect(node.node).toEqual({ id: buyer.id, name: 'Jonas Weber', customer: { name: 'Acme GmbH' } });
  });

  it('rejects a malformed customer ID, a blank name, a future birthday and an overlong title together, writing nothing', async () => {
    const before = await count('contacts');
    const res = await app.ok(CREATE, { input: { customerId: 'not-an-id', name: '  ', birthday: '2999-01-01', title: 'x'.repeat(201) } });
    expect(res.createContact.contact).toBeNull();
    expect(res.createContact.userErrors.map((e: { field: string[]; code: string }) => [e.field.join('.'), e.code])).toEqual(
      expect.arrayContaining([
        ['input.customerId', 'INVALID_ID'],
        ['input.name', 'REQUIRED'],
        ['input.birthday', 'OUT_OF_RANGE'],
        ['input.title', 'TOO_LONG'],
      ]),
    );
    expect(await count('contacts')).toBe(before);
  });

  it('answers NOT_FOUND on customerId for an unknown or soft-deleted customer, and a Contact ID is not a Customer ID', async () => {
    const gone = await createCustomer('Gone Ltd', 'COMPANY');
    await app.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { code } } }`, { id: gone.id });
    const before = await count('contacts');
    for (const customerId of [UNKNOWN_CUSTOMER, gone.id]) {
      const res = await app.ok(CREATE, { input: { customerId, name: 'Someone' } });
      expect(res.createContact).toEqual({ contact: null, userErrors: [{ field: ['input', 'customerId'], message: 'No customer with this ID.', code: 'NOT_FOUND' }] });
    }
    const wrongType = await app.ok(CREATE, { input: { customerId: UNKNOWN_CONTACT, name: 'Someone' } });
    expect(wrongType.createContact.userErrors).toEqual([expect.objectContaining({ field: ['input', 'customerId'], code: 'INVALID_ID' })]);
    expect(await count('contacts')).toBe(before);
  });
});

describe('the primary contact', () => {
  it('moves to whichever contact is made primary, leaving exactly one primary in the database', async () => {
    const c = await createCustomer('Primary Corp', 'COMPANY');
    const first = await createContact({ customerId: c.id, name: 'First', isPrimary: true });
    expect(first.isPrimary).toBe(true);
    const second = await createContact({ customerId: c.id, name: 'Second', isPrimary: true });
    expect(second.isPrimary).toBe(true);
    expect(await livePrimaries(c.id)).toEqual([{ name: 'Second' }]);

    const list = await app.ok(`query($id: ID!) { customer(id: $id) { contacts { nodes { name isPrimary version } } } }`, { id: c.id });
    // Un-marking is a change to the other contact too, so its version moves on.
    expect(list.customer.contacts.nodes).toEqual([
      { name: 'First', isPrimary: false, version: 2 },
      { name: 'Second', isPrimary: true, version: 1 },
    ]);

    const back = await app.ok(UPDATE, { input: { id: first.id, isPrimary: true } });
    expect(back.updateContact.contact.isPrimary).toBe(true);
    expect(await livePrimaries(c.id)).toEqual([{ name: 'First' }]);

    const again = await app.ok(UPDATE, { input: { id: first.id, isPrimary: true, notes: 'still primary' } });
    expect(again.updateContact.userErrors).toEqual([]);
    expect(await livePrimaries(c.id)).toEqual([{ name: 'First' }]);

    await app.ok(UPDATE, { input: { id: first.id, isPrimary: false } });
    expect(await livePrimaries(c.id)).toEqual([]);
  });

  it('does not touch the primary contact of another customer', async () => {
    const a = await createCustomer('Alpha AG', 'COMPANY');
    const b = await createCustomer('Beta AG', 'COMPANY');
    await createContact({ customerId: a.id, name: 'Alpha Boss', isPrimary: true });
    await createContact({ customerId: b.id, name: 'Beta Boss', isPrimary: true });
    expect(await livePrimaries(a.id)).toEqual([{ name: 'Alpha Boss' }]);
    expect(await livePrimaries(b.id)).toEqual([{ name: 'Beta Boss' }]);
  });

  it('survives concurrent switches: the requests queue up and one primary remains', async () => {
    const c = await createCustomer('Race Inc', 'COMPANY');
    const contacts = await Promise.all(['R1', 'R2', 'R3', 'R4'].map((name) => createContact({ customerId: c.id, name })));
    const results = await Promise.all(contacts.map((ct) => app.ok(UPDATE, { input: { id: ct.id, isPrimary: true } })));
    results.forEach((r) => expect(r.updateContact.userErrors).toEqual([]));
    expect(await livePrimaries(c.id)).toHaveLength(1);
  });
});

describe('updating contacts', () => {
  it('changes only the given fields, clears with null, and detects concurrent edits through expectedVersion', async () => {
    const c = await createCustomer('Update GmbH', 'COMPANY');
    const ct = await createContact({ customerId: c.id, name: 'Eva Klein', title: 'CFO', notes: 'met at fair' });
    const ok = await app.ok(UPDATE, { input: { id: ct.id, expectedVersion: 1, title: 'CEO', notes: null, relationship: 'ASSISTANT' } });
    expect(ok.updateContact.userErrors).toEqual([]);
    expect(ok.updateContact.contact).toMatchObject({ name: 'Eva Klein', title: 'CEO', notes: null, relationship: 'ASSISTANT', version: 2 });

    const stale = await app.ok(UPDATE, { input: { id: ct.id, expectedVersion: 1, title: 'CTO' } });
    expect(stale.updateContact).toEqual({ contact: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }] });
    const [{ title }] = await app.db.query('SELECT title FROM contacts WHERE name = $1', ['Eva Klein']);
    expect(title).toBe('CEO');
  });

  it('rejects blank names, cleared relationships, malformed and unknown IDs, writing nothing', async () => {
    const c = await createCustomer('Strict GmbH', 'COMPANY');
    const ct = await createContact({ customerId: c.id, name: 'Max Roth' });
    const bad = await app.ok(UPDATE, { input: { id: ct.id, name: ' ', relationship: null, isPrimary: null, birthday: '1800-01-01' } });
    expect(bad.updateContact.contact).toBeNull();
    expect(bad.updateContact.userErrors).toEqual(
      expect.arrayContaining([
        { field: ['input', 'name'], code: 'REQUIRED' },
        { field: ['input', 'relationship'], code: 'REQUIRED' },
        { field: ['input', 'isPrimary'], code: 'REQUIRED' },
        { field: ['input', 'birthday'], code: 'OUT_OF_RANGE' },
      ]),
    );
    expect((await app.ok(UPDATE, { input: { id: 'garbage', name: 'x' } })).updateContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
    expect((await app.ok(UPDATE, { input: { id: c.id, name: 'x' } })).updateContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
    expect((await app.ok(UPDATE, { input: { id: UNKNOWN_CONTACT, name: 'x' } })).updateContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    const [row] = await app.db.query('SELECT name, relationship, version FROM contacts WHERE name = $1', ['Max Roth']);
    expect(row).toEqual({ name: 'Max Roth', relationship: 'EMPLOYEE', version: 1 });
  });
});

describe('deleting and restoring contacts', () => {
  it('hides a deleted contact from lists, keeps it for includeDeleted, and restores it', async () => {
    const c = await createCustomer('Delete KG', 'COMPANY');
    const ct = await createContact({ customerId: c.id, name: 'Temp Contact' });
    const del = await app.ok(DELETE, { id: ct.id });
    expect(del.deleteContact.userErrors).toEqual([]);
    expect(del.deleteContact.contact.deletedAt).not.toBeNull();

    const LIST = `query($id: ID!, $deleted: Boolean!) {
      contacts(filter: { customer: { eq: $id } }, includeDeleted: $deleted) { totalCount }
      customer(id: $id) { contacts { totalCount } }
    }`;
    const hidden = await app.ok(LIST, { id: c.id, deleted: false });
    expect(hidden).toEqual({ contacts: { totalCount: 0 }, customer: { contacts: { totalCount: 0 } } });
    expect((await app.ok(LIST, { id: c.id, deleted: true })).contacts.totalCount).toBe(1);
    expect((await app.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: ct.id })).node).toBeNull();

    expect((await app.ok(DELETE, { id: ct.id })).deleteContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'ALREADY_DELETED' }]);
    expect((await app.ok(UPDATE, { input: { id: ct.id, name: 'x' } })).updateContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);

    const res = await app.ok(RESTORE, { id: ct.id });
    expect(res.restoreContact).toEqual({ contact: { id: ct.id, deletedAt: null, isPrimary: false }, userErrors: [] });
    expect((await app.ok(RESTORE, { id: ct.id })).restoreContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_DELETED' }]);
    expect((await app.ok(RESTORE, { id: UNKNOWN_CONTACT })).restoreContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    expect((await app.ok(DELETE, { id: 'x' })).deleteContact.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
  });

  it('restores a deleted primary contact as primary, unless another contact became primary meanwhile', async () => {
    const c = await createCustomer('Undo GmbH', 'COMPANY');
    const boss = await createContact({ customerId: c.id, name: 'Boss', isPrimary: true });
    await app.ok(DELETE, { id: boss.id });
    expect(await livePrimaries(c.id)).toEqual([]);
    expect((await app.ok(RESTORE, { id: boss.id })).restoreContact.contact.isPrimary).toBe(true);
    expect(await livePrimaries(c.id)).toEqual([{ name: 'Boss' }]);

    await app.ok(DELETE, { id: boss.id });
    await createContact({ customerId: c.id, name: 'Successor', isPrimary: true });
    const restored = await app.ok(RESTORE, { id: boss.id });
    expect(restored.restoreContact).toEqual({ contact: { id: boss.id, deletedAt: null, isPrimary: false }, userErrors: [] });
    expect(await livePrimaries(c.id)).toEqual([{ name: 'Successor' }]);
  });
});

describe('contact lists', () => {
  let globex: { id: string };
  let initech: { id: string };
  beforeAll(async () => {
    globex = await createCustomer('Globex', 'COMPANY');
    initech = await createCustomer('Initech', 'COMPANY');
    for (let i = 0; i < 12; i++) {
      await createContact({
        customerId: i < 8 ? globex.id : initech.id,
        name: `Lister ${String(i).padStart(2, '0')}`,
        relationship: i % 3 === 0 ? 'ASSISTANT' : 'EMPLOYEE',
        birthday: `19${70 + i}-06-01`,
        email: `lister${i}@example.com`,
        isPrimary: i === 2,
        title: i % 2 ? 'Engineer' : null,
      });
    }
  });

  const names = (conn: { nodes: Array<{ name: string }> }) => conn.nodes.map((n) => n.name);

  it('filters by customer, relationship, primary flag, title, email and birthday', async () => {
    const q = async (filter: Record<string, unknown>) => names((await app.ok(`query($f: ContactFilter) { contacts(first: 100, filter: $f) { nodes { name } } }`, { f: filter })).contacts);
    const base = { name: { contains: 'lister' } };
    expect(await q({ ...base, customer: { eq: initech.id } })).toEqual(['Lister 08', 'Lister 09', 'Lister 10', 'Lister 11']);
    expect(await q({ ...base, customer: { eq: globex.id }, relationship: { eq: 'ASSISTANT' } })).toEqual(['Lister 00', 'Lister 03', 'Lister 06']);
    expect(await q({ ...base, isPrimary: { eq: true } })).toEqual(['Lister 02']);
    expect(await q({ ...base, title: { isNull: true }, birthday: { gte: '1976-01-01' } })).toEqual(['Lister 06', 'Lister 08', 'Lister 10']);
    expect(await q({ ...base, or: [{ email: { eq: 'lister1@example.com' } }, { email: { eq: 'lister11@example.com' } }] })).toEqual(['Lister 01', 'Lister 11']);
    expect(await q({ ...base, createdAt: { gt: new Date(Date.now() + 60_000).toISOString() } })).toEqual([]);
  });

  it('pages forward and backward by name, and sorts by creation time', async () => {
    const PAGE = `query($first: Int, $after: String, $last: Int, $before: String) {
      contacts(first: $first, after: $after, last: $last, before: $before, filter: { name: { contains: "lister" } }) {
        totalCount nodes { name } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const p1 = (await app.ok(PAGE, { first: 5 })).contacts;
    expect(p1.totalCount).toBe(12);
    expect(names(p1)).toEqual(['Lister 00', 'Lister 01', 'Lister 02', 'Lister 03', 'Lister 04']);
    const p2 = (await app.ok(PAGE, { first: 5, after: p1.pageInfo.endCursor })).contacts;
    expect(names(p2)).toEqual(['Lister 05', 'Lister 06', 'Lister 07', 'Lister 08', 'Lister 09']);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const back = (await app.ok(PAGE, { last: 3, before: p2.pageInfo.startCursor })).contacts;
    expect(names(back)).toEqual(['Lister 02', 'Lister 03', 'Lister 04']);
    expect(back.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });

    const newest = await app.ok(`{ contacts(first: 2, orderBy: { field: CREATED_AT, direction: DESC }, filter: { name: { contains: "lister" } }) { nodes { name } } }`);
    expect(names(newest.contacts)).toEqual(['Lister 11', 'Lister 10']);
  });

  it('pages the contacts nested under each customer', async () => {
    const res = await app.ok(
      `query($ids: [ID!]) { customers(filter: { id: { in: $ids } }) { nodes { name
        contacts(first: 2, filter: { relationship: { neq: ASSISTANT } }) { totalCount nodes { name } pageInfo { hasNextPage } } } } }`,
      { ids: [globex.id, initech.id] },
    );
    expect(res.customers.nodes).toEqual([
      { name: 'Globex', contacts: { totalCount: 5, nodes: [{ name: 'Lister 01' }, { name: 'Lister 02' }], pageInfo: { hasNextPage: true } } },
      { name: 'Initech', contacts: { totalCount: 3, nodes: [{ name: 'Lister 08' }, { name: 'Lister 10' }], pageInfo: { hasNextPage: true } } },
    ]);
  });

  it('rejects a filter ID of the wrong type with BAD_USER_INPUT', async () => {
    const res = await app.gql(`query($id: ID!) { contacts(filter: { customer: { eq: $id } }) { totalCount } }`, { id: UNKNOWN_CONTACT });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.status).toBeLessThan(500);
  });
});
