import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { GraphQLCaller, startTestApp, TestApp } from '../support/test-app';
import { insertStaff } from '../support/staff';

/*
 * Custom fields through the API: an admin defines typed fields, values are set on customers, contacts and
 * opportunities and read back as a typed list, bad values are refused field by field with nothing written, the
 * customers list filters on them, and the access rules of the records they sit on hold.
 */

let app: TestApp;
let repA: GraphQLCaller;
let manager: GraphQLCaller;
const users = { repA: '', repB: '', manager: '' };
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;

const UE = 'userErrors { field code message }';
const FIELD = 'id entity key label type options position version deletedAt';
const VALUE = 'key label type text number date choice';
const DEFINE = `mutation($input: DefineCustomFieldInput!) { defineCustomField(input: $input) { field { ${FIELD} } ${UE} } }`;
const UPDATE = `mutation($input: UpdateCustomFieldInput!) { updateCustomField(input: $input) { field { ${FIELD} } ${UE} } }`;
const DELETE = `mutation($id: ID!) { deleteCustomField(input: { id: $id }) { field { ${FIELD} } ${UE} } }`;
const SET = `mutation($input: SetCustomFieldValuesInput!) { setCustomFieldValues(input: $input) {
  record { id ... on Customer { version customFields { ${VALUE} } } ... on Contact { version customFields { ${VALUE} } } ... on Opportunity { version customFields { ${VALUE} } } }
  ${UE} } }`;
const CUSTOMERS = `query($filter: CustomerFilter) { customers(first: 100, filter: $filter) { nodes { id } } }`;

const errorsOf = (p: { userErrors: Array<{ field: string[]; code: string }> }) => p.userErrors.map((e) => [e.field.join('.'), e.code]);

async function define(input: Record<string, unknown>): Promise<any> {
  const { defineCustomField } = await app.ok(DEFINE, { input });
  expect(defineCustomField.userErrors).toEqual([]);
  return defineCustomField.field;
}
async function newCustomer(name: string, owner: string): Promise<string> {
  const { createCustomer } = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, {
    input: { name, ownerId: `${owner}` },
  });
  expect(createCustomer.userErrors).toEqual([]);
  return createCustomer.customer.id;
}
const storedValues = async (id: string, table = 'customers') =>
  (await app.db.query(`SELECT custom_fields, version FROM ${table} WHERE id = $1`, [uuid(id)]))[0] as { custom_fields: Record<string, unknown>; version: number };

const userGid = (id: string) => toGlobalId('User', id);

beforeAll(async () => {
  app = await startTestApp();
  users.repA = await insertStaff(app.db, 'Rita Rep', 'SALES_REP');
  users.repB = await insertStaff(app.db, 'Ben Rep', 'SALES_REP');
  users.manager = await insertStaff(app.db, 'Mona Manager', 'MANAGER');
  repA = await app.as({ role: 'SALES_REP', userId: users.repA });
  manager = await app.as({ role: 'MANAGER', userId: users.manager });
});
afterAll(() => app.close());

describe('custom fields', () => {
  const f: Record<string, any> = {};
  let alice: string;
  let bob: string;
  let bens: string;

  it('are defined by an admin, one of each type, with typed errors for bad definitions', async () => {
    f.sport = await define({ entity: 'CUSTOMER', key: 'favourite_sport', label: 'Favourite sport', type: 'CHOICE', options: ['Sailing', 'Golf'] });
    f.shoe = await define({ entity: 'CUSTOMER', key: 'shoe_size', label: 'Shoe size', type: 'NUMBER' });
    f.met = await define({ entity: 'CUSTOMER', key: 'first_met', label: 'First met', type: 'DATE' });
    f.hobbies = await define({ entity: 'CUSTOMER', key: 'hobbies', label: 'Hobbies', type: 'TEXT' });
    f.contactNote = await define({ entity: 'CONTACT', key: 'hobbies', label: 'Hobbies', type: 'TEXT' });
    f.dealSource = await define({ entity: 'OPPORTUNITY', key: 'source', label: 'Lead source', type: 'CHOICE', options: ['Fair', 'Web'] });
    expect(f.sport).toMatchObject({ entity: 'CUSTOMER', key: 'favourite_sport', type: 'CHOICE', options: ['Sailing', 'Golf'], position: 1, version: 1 });
    expect([f.shoe.position, f.met.position, f.hobbies.position]).toEqual([2, 3, 4]);

    const before = await app.db.query(`SELECT count(*)::int AS n FROM custom_field_definitions`);
    const bad = await app.ok(DEFINE, { input: { entity: 'CUSTOMER', key: 'Bad Key', label: ' ', type: 'CHOICE', options: [] } });
    expect(bad.defineCustomField.field).toBeNull();
    expect(errorsOf(bad.defineCustomField)).toEqual(expect.arrayContaining([['input.key', 'INVALID'], ['input.label', 'REQUIRED'], ['input.options', 'REQUIRED']]));
    const taken = await app.ok(DEFINE, { input: { entity: 'CUSTOMER', key: 'shoe_size', label: 'Again', type: 'TEXT' } });
    expect(errorsOf(taken.defineCustomField)).toEqual([['input.key', 'TAKEN']]);
    // A NUL in the key is refused as any bad key, not sent to Postgres (which refuses such text outright).
    const nulKey = await app.ok(DEFINE, { input: { entity: 'OPPORTUNITY', key: 'vip\u0000espresso', label: 'VIP', type: 'TEXT' } });
    expect(errorsOf(nulKey.defineCustomField)).toEqual([['input.key', 'INVALID']]);
    const optionsOnText = await app.ok(DEFINE, { input: { entity: 'CUSTOMER', key: 'note', label: 'Note', type: 'TEXT', options: ['x'] } });
    expect(errorsOf(optionsOnText.defineCustomField)).toEqual([['input.options', 'INVALID']]);
    expect(await app.db.query(`SELECT count(*)::int AS n FROM custom_field_definitions`)).toEqual(before);
  });

  it('cannot be defined, changed or deleted by anyone but an admin (FORBIDDEN), and are read by everyone who reads customers', async () => {
    for (const caller of [manager, repA]) {
      const r = await caller.gql(DEFINE, { input: { entity: 'CUSTOMER', key: 'nope', label: 'Nope', type: 'TEXT' } });
      expect(r.errors?.[0].extensions?.code).toBe('FORBIDDEN');
      expect((await caller.gql(DELETE, { id: f.shoe.id })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
    const { customFieldDefinitions } = await repA.ok(`{ customFieldDefinitions(entity: CUSTOMER) { key } }`);
    expect(customFieldDefinitions.map((d: { key: string }) => d.key)).toEqual(['favourite_sport', 'shoe_size', 'first_met', 'hobbies']);
  });

  it('take values of their type on a customer, read back as a typed list, with the version bumped and the change audited', async () => {
    alice = await newCustomer('Alice Sailor', userGid(users.repA));
    bob = await newCustomer('Bob Golfer', userGid(users.repA));
    bens = await newCustomer('Carla of Ben', userGid(users.repB));
    const v0 = (await storedValues(alice)).version;
    const { setCustomFieldValues: p } = await repA.ok(SET, {
      input: { id: alice, values: [{ key: 'favourite_sport', choice: 'Sailing' }, { key: 'shoe_size', number: 38.5 }, { key: 'first_met', date: '2024-03-01' }, { key: 'hobbies', text: '  Knots, charts ' }] },
    });
    expect(p.userErrors).toEqual([]);
    expect(p.record.version).toBe(v0 + 1);
    expect(p.record.customFields).toEqual([
      { key: 'favourite_sport', label: 'Favourite sport', type: 'CHOICE', text: null, number: null, date: null, choice: 'Sailing' },
      { key: 'shoe_size', label: 'Shoe size', type: 'NUMBER', text: null, number: 38.5, date: null, choice: null },
      { key: 'first_met', label: 'First met', type: 'DATE', text: null, number: null, date: '2024-03-01', choice: null },
      { key: 'hobbies', label: 'Hobbies', type: 'TEXT', text: 'Knots, charts', number: null, date: null, choice: null },
    ]);
    expect((await storedValues(alice)).custom_fields).toEqual({ favourite_sport: 'Sailing', shoe_size: 38.5, first_met: '2024-03-01', hobbies: 'Knots, charts' });

    const [audit] = await app.db.query(`SELECT action, object_type, changes FROM audit_events WHERE object_id = $1 AND action = 'customer.setCustomFields'`, [uuid(alice)]);
    expect(audit).toMatchObject({ object_type: 'Customer', changes: { customFields: { before: {}, after: { favourite_sport: 'Sailing', shoe_size: 38.5 } } } });

    // null clears one value; the others stay.
    await repA.ok(SET, { input: { id: alice, values: [{ key: 'hobbies' }] } });
    expect((await storedValues(alice)).custom_fields).not.toHaveProperty('hobbies');
    await repA.ok(SET, { input: { id: alice, values: [{ key: 'hobbies', text: 'Knots' }] } });
    await repA.ok(SET, { input: { id: bob, values: [{ key: 'favourite_sport', choice: 'Golf' }, { key: 'shoe_size', number: 44 }, { key: 'first_met', date: '2023-06-15' }] } });

    // Definitions are read once per request, however many customers ask.
    const one = await repA.ok(`{ customers(first: 1) { nodes { customFields { key } } } }`);
    expect(one.customers.nodes).toHaveLength(1);
    const few = await app.statements(`{ customers(first: 1) { nodes { customFields { key } } } }`);
    const many = await app.statements(`{ customers(first: 100) { nodes { customFields { key } } } }`);
    expect(many).toBe(few);
  });

  it('refuse bad values with typed errors at the right path and write nothing', async () => {
    const before = await storedValues(alice);
    const { setCustomFieldValues: p } = await repA.ok(SET, {
      input: {
        id: alice,
        values: [
          { key: 'favourite_sport', choice: 'Chess' },
          { key: 'shoe_size', text: 'big' },
          { key: 'hobbies', text: 'x'.repeat(1001) },
          { key: 'nope', text: 'x' },
          { key: 'first_met', date: '2024-05-05' },
          { key: 'first_met', date: '2024-05-06' },
        ],
      },
    });
    expect(p.record).toBeNull();
    expect(errorsOf(p)).toEqual([
      ['input.values.0.choice', 'INVALID'],
      ['input.values.1.text', 'INVALID'],
      ['input.values.2.text', 'TOO_LONG'],
      ['input.values.3.key', 'NOT_FOUND'],
      ['input.values.5.key', 'INVALID'],
    ]);
    const nul = await repA.ok(SET, { input: { id: alice, values: [{ key: 'hobbies', text: 'a\u0000b' }] } });
    expect(errorsOf(nul.setCustomFieldValues)).toEqual([['input.values.0.text', 'INVALID']]);
    const surrogate = await repA.ok(SET, { input: { id: alice, values: [{ key: 'hobbies', text: 'a\ud800b' }] } });
    expect(errorsOf(surrogate.setCustomFieldValues)).toEqual([['input.values.0.text', 'INVALID']]);
    const badDate = await repA.gql(SET, { input: { id: alice, values: [{ key: 'first_met', date: '2024-02-30' }] } });
    expect(badDate.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const wrongId = await repA.ok(SET, { input: { id: f.shoe.id, values: [] } });
    expect(errorsOf(wrongId.setCustomFieldValues)).toEqual([['input.id', 'INVALID_ID']]);
    const conflict = await repA.ok(SET, { input: { id: alice, expectedVersion: before.version - 1, values: [{ key: 'hobbies', text: 'y' }] } });
    expect(errorsOf(conflict.setCustomFieldValues)).toEqual([['input.expectedVersion', 'CONFLICT']]);
    expect(await storedValues(alice)).toEqual(before);
  });

  it('filter the customers list by text, choice, number and date, with parameters', async () => {
    const ids = async (filter: Record<string, unknown>) => (await app.ok(CUSTOMERS, { filter })).customers.nodes.map((n: { id: string }) => n.id).sort();
    const both = [alice, bob].sort();
    expect(await ids({ customField: { key: 'favourite_sport', text: { eq: 'Sailing' } } })).toEqual([alice]);
    expect(await ids({ customField: { key: 'favourite_sport', text: { in: ['Sailing', 'Golf'] } } })).toEqual(both);
    expect(await ids({ customField: { key: 'hobbies', text: { eq: "Knots' OR 1=1 --" } } })).toEqual([]);
    expect(await ids({ customField: { key: 'shoe_size', number: { gt: 40 } } })).toEqual([bob]);
    expect(await ids({ customField: { key: 'shoe_size', number: { gte: 38.5, lte: 44 } } })).toEqual(both);
    expect(await ids({ customField: { key: 'first_met', date: { lt: '2024-01-01' } } })).toEqual([bob]);
    expect(await ids({ and: [{ customField: { key: 'shoe_size', number: { lt: 40 } } }, { customField: { key: 'first_met', date: { gte: '2024-01-01' } } }] })).toEqual([alice]);
    // A condition of another type than the field's matches nothing, and so does a key no live field has.
    expect(await ids({ customField: { key: 'shoe_size', text: { eq: '44' } } })).toEqual([]);
    expect(await ids({ customField: { key: 'no_such_field', text: { eq: 'x' } } })).toEqual([]);
    const bad = await app.gql(CUSTOMERS, { filter: { customField: { key: "x'; DROP TABLE customers; --", text: { eq: 'x' } } } });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const huge = await app.gql(CUSTOMERS, { filter: { customField: { key: 'hobbies', text: { in: Array.from({ length: 1001 }, (_, i) => `h${i}`) } } } });
    expect(huge.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // A sales rep filters within their own book only.
    const mine = await repA.ok(CUSTOMERS, { filter: { customField: { key: 'favourite_sport' } } });
    expect(mine.customers.nodes.map((n: { id: string }) => n.id).sort()).toEqual(both);
  });

  it("cannot be set by a rep on another rep's customer (NOT_FOUND, nothing written)", async () => {
    const before = await storedValues(bens);
    const { setCustomFieldValues: p } = await repA.ok(SET, { input: { id: bens, values: [{ key: 'shoe_size', number: 40 }] } });
    expect(p.record).toBeNull();
    expect(errorsOf(p)).toEqual([['input.id', 'NOT_FOUND']]);
    expect(await storedValues(bens)).toEqual(before);
    const analyst = await app.as({ role: 'ANALYST' });
    expect((await analyst.gql(SET, { input: { id: alice, values: [{ key: 'shoe_size', number: 40 }] } })).errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('are set on contacts and opportunities too, each with its own fields', async () => {
    const { createContact } = await app.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${UE} } }`, { input: { customerId: alice, name: 'Ada Crew' } });
    const contact = createContact.contact.id;
    const c = await repA.ok(SET, { input: { id: contact, values: [{ key: 'hobbies', text: 'Rowing' }] } });
    expect(c.setCustomFieldValues.record.customFields).toEqual([{ key: 'hobbies', label: 'Hobbies', type: 'TEXT', text: 'Rowing', number: null, date: null, choice: null }]);
    const wrongEntity = await repA.ok(SET, { input: { id: contact, values: [{ key: 'shoe_size', number: 3 }] } });
    expect(errorsOf(wrongEntity.setCustomFieldValues)).toEqual([['input.values.0.key', 'NOT_FOUND']]);

    const { createOpportunity } = await repA.ok(`mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } ${UE} } }`, {
      input: { customerId: alice, name: 'New sails', amount: '1200.00' },
    });
    const deal = createOpportunity.opportunity.id;
    const o = await repA.ok(SET, { input: { id: deal, values: [{ key: 'source', choice: 'Fair' }] } });
    expect(o.setCustomFieldValues.userErrors).toEqual([]);
    expect((await storedValues(deal, 'opportunities')).custom_fields).toEqual({ source: 'Fair' });
    const read = await repA.ok(`query($id: ID!) { node(id: $id) { ... on Opportunity { customFields { key choice } } } }`, { id: deal });
    expect(read.node.customFields).toEqual([{ key: 'source', choice: 'Fair' }]);
  });

  it('are changed (label, position, options added only) and soft-deleted by an admin, audited, and a deleted field disappears', async () => {
    const { updateCustomField: u } = await app.ok(UPDATE, { input: { id: f.sport.id, label: 'Sport', addOptions: ['Tennis'], position: 9, expectedVersion: 1 } });
    expect(u.userErrors).toEqual([]);
    expect(u.field).toMatchObject({ label: 'Sport', options: ['Sailing', 'Golf', 'Tennis'], position: 9, version: 2 });
    const again = await app.ok(UPDATE, { input: { id: f.sport.id, addOptions: ['Golf'], expectedVersion: 1 } });
    expect(errorsOf(again.updateCustomField)).toEqual(expect.arrayContaining([['input.expectedVersion', 'CONFLICT'], ['input.addOptions.0', 'TAKEN']]));
    const onNumber = await app.ok(UPDATE, { input: { id: f.shoe.id, addOptions: ['x'] } });
    expect(errorsOf(onNumber.updateCustomField)).toEqual([['input.addOptions', 'INVALID']]);

    const { deleteCustomField: d } = await app.ok(DELETE, { id: f.shoe.id });
    expect(d.userErrors).toEqual([]);
    expect(d.field.deletedAt).not.toBeNull();
    expect(errorsOf((await app.ok(DELETE, { id: f.shoe.id })).deleteCustomField)).toEqual([['input.id', 'ALREADY_DELETED']]);
    const read = await repA.ok(`query($id: ID!) { customer(id: $id) { customFields { key } } }`, { id: alice });
    expect(read.customer.customFields.map((v: { key: string }) => v.key)).toEqual(['first_met', 'hobbies', 'favourite_sport']);
    expect((await app.ok(CUSTOMERS, { filter: { customField: { key: 'shoe_size', number: { gt: 0 } } } })).customers.nodes).toEqual([]);

    // The key is free again; the old values are not the new field's.
    const shoe2 = await define({ entity: 'CUSTOMER', key: 'shoe_size', label: 'Shoe size (EU)', type: 'TEXT' });
    expect((await storedValues(alice)).custom_fields).not.toHaveProperty('shoe_size');
    expect(shoe2.type).toBe('TEXT');

    const actions = (await app.db.query(`SELECT action FROM audit_events WHERE object_type = 'CustomFieldDefinition' AND object_id = ANY($1::uuid[]) `, [[uuid(f.sport.id), uuid(f.shoe.id)]])).map(
      (r: { action: string }) => r.action,
    );
    expect(actions).toEqual(expect.arrayContaining(['customField.define', 'customField.update', 'customField.delete']));
  });
});

describe('custom fields in lists: sorting, contacts and opportunities, personal fields', () => {
  const SORTED = `query($orderBy: CustomerOrderBy, $filter: CustomerFilter, $first: Int, $after: String, $last: Int, $before: String) {
    customers(orderBy: $orderBy, filter: $filter, first: $first, after: $after, last: $last, before: $before) {
      edges { cursor node { id name } } pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } }`;
  const mine = { name: { contains: 'Sorter' } };
  const made: Record<string, string> = {};
  const names = (r: any) => r.customers.edges.map((e: { node: { name: string } }) => e.node.name);
  const order = (customField: string, direction = 'ASC') => ({ field: 'CUSTOM_FIELD', customField, direction });

  beforeAll(async () => {
    await define({ entity: 'CUSTOMER', key: 'company_size', label: 'Company size', type: 'NUMBER' });
    await define({ entity: 'CUSTOMER', key: 'first_contact', label: 'First contact', type: 'DATE' });
    await define({ entity: 'CUSTOMER', key: 'contact_time', label: 'Preferred contact time', type: 'CHOICE', options: ['Morning', 'Afternoon', 'Evening'] });
    await define({ entity: 'CUSTOMER', key: 'background', label: 'Background', type: 'TEXT', personal: true });
    // Sizes that sort differently as text (10 < 100 < 2.5 < 9) than as numbers; dates whose text and time orders agree.
    const rows: Array<[string, Record<string, unknown>[]]> = [
      ['Sorter A', [{ key: 'company_size', number: 9 }, { key: 'first_contact', date: '2021-05-01' }, { key: 'contact_time', choice: 'Morning' }, { key: 'background', text: 'Sailor' }]],
      ['Sorter B', [{ key: 'company_size', number: 100 }, { key: 'first_contact', date: '2019-12-31' }, { key: 'contact_time', choice: 'Evening' }]],
      ['Sorter C', [{ key: 'company_size', number: 2.5 }, { key: 'first_contact', date: '2024-01-15' }]],
      ['Sorter D', [{ key: 'company_size', number: 10 }, { key: 'contact_time', choice: 'Afternoon' }, { key: 'background', text: 'Chemist' }]],
      ['Sorter E', [{ key: 'company_size', number: -1 }]],
      ['Sorter F', []],
      ['Sorter G', []],
    ];
    for (const [name, values] of rows) {
      made[name] = await newCustomer(name, userGid(users.repA));
      if (values.length) expect((await repA.ok(SET, { input: { id: made[name], values } })).setCustomFieldValues.userErrors).toEqual([]);
    }
  });

  const nullsInIdOrder = () => ['Sorter F', 'Sorter G'].sort((a, b) => (uuid(made[a]) < uuid(made[b]) ? -1 : 1));

  it('sort customers by a number field numerically, nulls last in both directions', async () => {
    expect(names(await app.ok(SORTED, { orderBy: order('company_size'), filter: mine, first: 20 }))).toEqual(['Sorter E', 'Sorter C', 'Sorter A', 'Sorter D', 'Sorter B', ...nullsInIdOrder()]);
    const desc = names(await app.ok(SORTED, { orderBy: order('company_size', 'DESC'), filter: mine, first: 20 }));
    expect(desc.slice(0, 5)).toEqual(['Sorter B', 'Sorter D', 'Sorter A', 'Sorter C', 'Sorter E']);
    expect(desc.slice(5).sort()).toEqual(['Sorter F', 'Sorter G']);
  });

  it('sort by a date field chronologically and by a choice or text field alphabetically', async () => {
    expect(names(await app.ok(SORTED, { orderBy: order('first_contact'), filter: mine, first: 3 }))).toEqual(['Sorter B', 'Sorter A', 'Sorter C']);
    expect(names(await app.ok(SORTED, { orderBy: order('contact_time'), filter: mine, first: 3 }))).toEqual(['Sorter D', 'Sorter B', 'Sorter A']);
    expect(names(await app.ok(SORTED, { orderBy: order('background', 'DESC'), filter: mine, first: 2 }))).toEqual(['Sorter A', 'Sorter D']);
  });

  it('page through a custom-field sort with keyset cursors, forward and backward, seeing every customer once', async () => {
    for (const direction of ['ASC', 'DESC']) {
      const all = names(await app.ok(SORTED, { orderBy: order('company_size', direction), filter: mine, first: 20 }));
      const forward: string[] = [];
      let after: string | null = null;
      for (;;) {
        const r: any = await app.ok(SORTED, { orderBy: order('company_size', direction), filter: mine, first: 2, after });
        forward.push(...names(r));
        if (!r.customers.pageInfo.hasNextPage) break;
        after = r.customers.pageInfo.endCursor;
      }
      expect(forward).toEqual(all);
      const backward: string[] = [];
      let before: string | null = null;
      for (;;) {
        const r: any = await app.ok(SORTED, { orderBy: order('company_size', direction), filter: mine, last: 3, before });
        backward.unshift(...names(r));
        if (!r.customers.pageInfo.hasPreviousPage) break;
        before = r.customers.pageInfo.startCursor;
      }
      expect(backward).toEqual(all);
    }
    // A cursor issued under another field's sort is refused rather than paged from a meaningless spot.
    const r = await app.ok(SORTED, { orderBy: order('company_size'), filter: mine, first: 1 });
    const other = await app.gql(SORTED, { orderBy: order('first_contact'), filter: mine, first: 1, after: r.customers.pageInfo.endCursor });
    expect(other.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    // A forged cursor whose value is no number is the client's error, never a failed cast.
    const forged = Buffer.from(JSON.stringify(['customer', 'customField:company_size:NUMBER', "1; DROP TABLE customers", uuid(made['Sorter A'])])).toString('base64url');
    const f = await app.gql(SORTED, { orderBy: order('company_size'), first: 1, after: forged });
    expect(f.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('refuse a custom-field sort without a key, with an unknown key, or a key beside another field (BAD_USER_INPUT)', async () => {
    for (const orderBy of [{ field: 'CUSTOM_FIELD' }, order('no_such_field'), order("x' ; DROP TABLE customers --"), { field: 'NAME', customField: 'company_size' }]) {
      const r = await app.gql(SORTED, { orderBy, first: 5 });
      expect(r.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('run a fixed number of statements for a page sorted by a custom field, however long the page', async () => {
    const q = (n: number) => `{ customers(first: ${n}, orderBy: { field: CUSTOM_FIELD, customField: "company_size", direction: DESC }) { nodes { id customFields { key number } } } }`;
    expect((await app.ok(q(50))).customers.nodes.length).toBeGreaterThan(7);
    expect(await app.statements(q(50))).toBe(await app.statements(q(2)));
  });

  it('keep a sales rep to their own book: sorting shows only their customers, and another rep’s customer and its values are not found', async () => {
    const ids: string[] = (await repA.ok(`{ customers(first: 100, orderBy: { field: CUSTOM_FIELD, customField: "company_size" }) { nodes { id owner { id } } } }`)).customers.nodes.map(
      (n: { owner: { id: string } }) => n.owner.id,
    );
    expect(new Set(ids)).toEqual(new Set([userGid(users.repA)]));
    const bens = await newCustomer('Sorter of Ben', userGid(users.repB));
    await app.ok(SET, { input: { id: bens, values: [{ key: 'company_size', number: 5 }] } });
    expect((await repA.ok(`query($id: ID!) { customer(id: $id) { customFields { key number } } }`, { id: bens })).customer).toBeNull();
    expect((await repA.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: bens })).node).toBeNull();
    const { setCustomFieldValues: p } = await repA.ok(SET, { input: { id: bens, values: [{ key: 'company_size', number: 6 }] } });
    expect(errorsOf(p)).toEqual([['input.id', 'NOT_FOUND']]);
    expect((await storedValues(bens)).custom_fields).toEqual({ company_size: 5 });
  });

  it('withhold personal fields from callers who see personal data masked: values, filters, sorts and exports', async () => {
    const READ = `query($id: ID!) { customer(id: $id) { customFields { key personal withheld text number } } }`;
    const analyst = await app.as({ role: 'ANALYST' });
    const partner = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
    const partnerPii = await app.as({ role: 'PARTNER', scopes: ['customers:read', 'pii:read'] });
    for (const caller of [analyst, partner]) {
      const values = (await caller.ok(READ, { id: made['Sorter A'] })).customer.customFields;
      expect(values.find((v: { key: string }) => v.key === 'background')).toEqual({ key: 'background', personal: true, withheld: true, text: null, number: null });
      expect(values.find((v: { key: string }) => v.key === 'company_size')).toEqual({ key: 'company_size', personal: false, withheld: false, text: null, number: 9 });
      const filtered = await caller.gql(CUSTOMERS, { filter: { or: [{ customField: { key: 'background', text: { eq: 'Sailor' } } }] } });
      expect(filtered.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter.or.0.customField' });
      const sorted = await caller.gql(SORTED, { orderBy: order('background'), first: 5 });
      expect(sorted.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy.customField' });
      // Non-personal fields filter and sort as for anyone.
      expect(names(await caller.ok(SORTED, { orderBy: order('company_size'), filter: { ...mine, customField: { key: 'company_size', number: { gte: 9 } } }, first: 5 }))).toEqual(['Sorter A', 'Sorter D', 'Sorter B']);
    }
    for (const caller of [app, partnerPii, manager]) {
      const values = (await caller.ok(READ, { id: made['Sorter A'] })).customer.customFields;
      expect(values.find((v: { key: string }) => v.key === 'background')).toMatchObject({ withheld: false, text: 'Sailor' });
    }
    expect(names(await manager.ok(SORTED, { orderBy: order('background'), filter: mine, first: 1 }))).toEqual(['Sorter D']);

    // Nor can a saved campaign audience name one (its member list would answer the same question).
    const CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } ${UE} } }`;
    const marketer = await app.as({ role: 'PARTNER', scopes: ['customers:read', 'campaigns:read', 'campaigns:write'] });
    const refused = await marketer.ok(CAMPAIGN, { input: { name: 'Sailors', channel: 'EMAIL', audience: { customField: { key: 'background', text: { eq: 'Sailor' } } } } });
    expect(errorsOf(refused.createCampaign)).toEqual([['input.audience', 'INVALID']]);
    const allowed = await marketer.ok(CAMPAIGN, { input: { name: 'Big firms', channel: 'EMAIL', audience: { customField: { key: 'company_size', number: { gte: 50 } } } } });
    expect(allowed.createCampaign.userErrors).toEqual([]);

    const EXPORT = `query($id: ID!) { exportCustomerData(id: $id) }`;
    const full = (await app.ok(EXPORT, { id: made['Sorter A'] })).exportCustomerData;
    expect(full.customer.customFields).toMatchObject({ company_size: 9, background: 'Sailor', contact_time: 'Morning', first_contact: '2021-05-01' });
    const masked = (await analyst.ok(EXPORT, { id: made['Sorter A'] })).exportCustomerData;
    expect(masked.customer.customFields).toEqual({ company_size: 9, contact_time: 'Morning', first_contact: '2021-05-01' });
  });

  it('filter and sort contacts and opportunities on their own fields, with the same conditions', async () => {
    await define({ entity: 'CONTACT', key: 'years_known', label: 'Years known', type: 'NUMBER' });
    await define({ entity: 'OPPORTUNITY', key: 'decision_date', label: 'Decision date', type: 'DATE' });
    const contacts: string[] = [];
    for (const [name, years] of [['Cora Sorter', 12], ['Carl Sorter', 3], ['Cleo Sorter', null]] as const) {
      const { createContact } = await app.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } ${UE} } }`, { input: { customerId: made['Sorter A'], name } });
      contacts.push(createContact.contact.id);
      if (years != null) await app.ok(SET, { input: { id: createContact.contact.id, values: [{ key: 'years_known', number: years }] } });
    }
    const C = `query($filter: ContactFilter, $orderBy: ContactOrderBy) { contacts(first: 10, filter: $filter, orderBy: $orderBy) { nodes { name } } }`;
    const cNames = async (v: Record<string, unknown>) => (await app.ok(C, v)).contacts.nodes.map((n: { name: string }) => n.name);
    expect(await cNames({ filter: { customField: { key: 'years_known', number: { gt: 5 } } } })).toEqual(['Cora Sorter']);
    expect(await cNames({ filter: { name: { contains: 'Sorter' } }, orderBy: { field: 'CUSTOM_FIELD', customField: 'years_known', direction: 'DESC' } })).toEqual(['Cora Sorter', 'Carl Sorter', 'Cleo Sorter']);
    expect((await app.gql(C, { filter: { customField: { key: 'Bad Key' } } })).errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');

    const deals: string[] = [];
    for (const [name, date] of [['Sorter deal late', '2025-09-01'], ['Sorter deal early', '2025-03-01']]) {
      const { createOpportunity } = await repA.ok(`mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } ${UE} } }`, {
        input: { customerId: made['Sorter A'], name, amount: '100.00' },
      });
      deals.push(createOpportunity.opportunity.id);
      await repA.ok(SET, { input: { id: createOpportunity.opportunity.id, values: [{ key: 'decision_date', date }] } });
    }
    const O = `query($filter: OpportunityFilter, $orderBy: OpportunityOrderBy) { opportunities(first: 10, filter: $filter, orderBy: $orderBy) { nodes { name } } }`;
    const oNames = async (v: Record<string, unknown>) => (await repA.ok(O, v)).opportunities.nodes.map((n: { name: string }) => n.name);
    expect(await oNames({ filter: { customField: { key: 'decision_date', date: { lt: '2025-06-01' } } } })).toEqual(['Sorter deal early']);
    expect(await oNames({ filter: { name: { contains: 'Sorter deal' } }, orderBy: { field: 'CUSTOM_FIELD', customField: 'decision_date', direction: 'ASC' } })).toEqual(['Sorter deal early', 'Sorter deal late']);
    // The customer's nested lists take the same filter and sort.
    const nested = await app.ok(`query($id: ID!) { customer(id: $id) {
      few: contacts(first: 10, filter: { customField: { key: "years_known", number: { lt: 5 } } }) { nodes { name } }
      sorted: contacts(first: 10, orderBy: { field: CUSTOM_FIELD, customField: "years_known", direction: ASC }) { nodes { name } } } }`, { id: made['Sorter A'] });
    expect(nested.customer.few.nodes).toEqual([{ name: 'Carl Sorter' }]);
    expect(nested.customer.sorted.nodes.map((n: { name: string }) => n.name).slice(0, 2)).toEqual(['Carl Sorter', 'Cora Sorter']);
  });

  it('are cleared with the rest of the personal data when a customer is erased', async () => {
    const id = made['Sorter D'];
    const { eraseCustomer } = await app.ok(`mutation($id: ID!) { eraseCustomer(input: { id: $id }) { erased ${UE} } }`, { id });
    expect(eraseCustomer.userErrors).toEqual([]);
    expect((await storedValues(id)).custom_fields).toEqual({});
    const audits = await app.db.query(`SELECT changes FROM audit_events WHERE object_id = $1 AND action = 'customer.setCustomFields'`, [uuid(id)]);
    expect(audits.map((a: { changes: any }) => a.changes.customFields.after)).toEqual(['[erased]']);
  });
});
