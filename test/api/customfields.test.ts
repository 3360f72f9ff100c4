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
