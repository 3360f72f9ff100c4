import { fromGlobalId } from '../../src/common/ids';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
let repId: string;
let repGlobalId: string;
beforeAll(async () => {
  app = await startTestApp();
  [{ id: repId }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Rosa Rep', 'rosa.rep@rapport.example', 'SALES_REP') RETURNING id`);
  repGlobalId = (await app.ok(`{ users(filter: { name: { eq: "Rosa Rep" } }) { nodes { id } } }`)).users.nodes[0].id;
});
afterAll(() => app.close());

const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const EVENTS = `query($filter: AuditEventFilter) { auditEvents(filter: $filter, first: 50) { totalCount nodes { action objectType objectId actorLabel actorRole credentialKind credentialId requestId changes } } }`;

async function createCustomer(input: Record<string, unknown>): Promise<string> {
  const res = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, { input });
  expect(res.createCustomer.userErrors).toEqual([]);
  return res.createCustomer.customer.id;
}

describe('the audit log', () => {
  it('records every change with the actor, the credential, the request id and the changed fields before and after', async () => {
    const id = await createCustomer({ name: 'Audit Ltd', ownerId: repGlobalId, email: 'info@audit.example' });
    const rep = await app.as({ role: 'SALES_REP', userId: repId });
    const res = await rep.gql(`mutation($id: ID!) { updateCustomer(input: { id: $id, name: "Audit GmbH", region: "North" }) { userErrors { code } } }`, { id }, { 'x-request-id': 'req-audit-1' });
    expect(res.data.updateCustomer.userErrors).toEqual([]);
    const events = (await app.ok(EVENTS, { filter: { objectId: { eq: id } } })).auditEvents;
    expect(events.nodes.map((e: { action: string }) => e.action)).toEqual(['customer.update', 'customer.create']);
    const [update] = events.nodes;
    expect(update).toMatchObject({
      objectType: 'Customer',
      objectId: id,
      actorRole: 'SALES_REP',
      credentialKind: 'api_key',
      actorLabel: 'key test SALES_REP',
      changes: { name: { before: 'Audit Ltd', after: 'Audit GmbH' }, region: { before: null, after: 'North' }, version: { before: 1, after: 2 } },
    });
    // The client's X-Request-Id, so the event can be found in the server's log.
    expect(update.requestId).toBe('req-audit-1');
  });

  it('records a soft delete and a restore with the deletion time before and after', async () => {
    const id = await createCustomer({ name: 'Gone Soon' });
    await app.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { code } } }`, { id });
    await app.ok(`mutation($id: ID!) { restoreCustomer(input: { id: $id }) { userErrors { code } } }`, { id });
    const events = (await app.ok(EVENTS, { filter: { objectId: { eq: id } } })).auditEvents.nodes;
    expect(events.map((e: { action: string }) => e.action)).toEqual(['customer.restore', 'customer.delete', 'customer.create']);
    expect(events[1].changes.deletedAt).toEqual({ before: null, after: expect.any(String) });
    expect(events[0].changes.deletedAt).toEqual({ before: events[1].changes.deletedAt.after, after: null });
    expect(events[0].changes.version).toEqual({ before: 2, after: 3 });
  });

  it('writes nothing for a mutation that was refused with userErrors', async () => {
    const [{ n: before }] = await app.db.query(`SELECT count(*)::int AS n FROM audit_events`);
    const res = await app.ok(`mutation { createCustomer(input: { name: "  " }) { userErrors { code } } }`);
    expect(res.createCustomer.userErrors).toEqual([{ code: 'REQUIRED' }]);
    expect(await app.db.query(`SELECT count(*)::int AS n FROM audit_events`)).toEqual([{ n: before }]);
  });

  it('records one event per order of a batch, in the same transaction as the orders', async () => {
    const customerId = await createCustomer({ name: 'Batch Buyer' });
    const orders = [1, 2, 3].map((i) => ({ customerId, externalRef: `audit-batch-${i}`, lines: [{ description: 'Tea', quantity: i, unitPrice: '4.50' }] }));
    const res = await app.ok(`mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { orders { id } userErrors { code } } }`, { input: { orders } });
    const ids = res.recordOrders.orders.map((o: { id: string }) => uuid(o.id));
    const rows = await app.db.query(`SELECT object_id FROM audit_events WHERE action = 'order.record' AND object_id = ANY($1::uuid[])`, [ids]);
    expect(rows).toHaveLength(3);
  });

  it('is readable by ADMINs only', async () => {
    for (const role of ['MANAGER', 'ANALYST'] as const) {
      const res = await (await app.as({ role })).gql(EVENTS);
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('privacy requests', () => {
  let erikas = 0;
  /** Erika's data, with an email of her own per call, so that one test's erasure is checked against its own customer. */
  async function customerWithHistory(): Promise<{ id: string; contactId: string; orderId: string; email: string; opportunityId: string }> {
    const email = `erika${++erikas}@example.com`;
    const id = await createCustomer({
      name: 'Erika Mustermann',
      kind: 'PERSON',
      externalRef: `shop-${Math.random()}`,
      email,
      phone: '+4930123456',
      birthday: '1980-05-17',
      address: { line1: 'Hauptstr. 1', city: 'Berlin', postalCode: '10115', country: 'DE' },
      notes: 'Prefers calls after 6pm',
      ownerId: repGlobalId,
    });
    const contact = await app.ok(`mutation($id: ID!) { createContact(input: { customerId: $id, name: "Max Mustermann", email: "max@example.com" }) { contact { id } } }`, { id });
    const order = await app.ok(`mutation($id: ID!) { recordOrder(input: { customerId: $id, lines: [{ description: "Espresso machine", quantity: 1, unitPrice: "499.00" }] }) { order { id } } }`, { id });
    await app.ok(`mutation($id: ID!) { logTouchpoint(input: { customerId: $id, channel: PHONE, purpose: COMPLAINT, subject: "Broken", notes: "Erika says the machine leaks" }) { touchpoint { id } } }`, { id });
    await app.ok(`mutation($id: ID!) { updateCustomer(input: { id: $id, phone: "+4930999999" }) { userErrors { code } } }`, { id });
    const contactId = contact.createContact.contact.id;
    const opportunity = await app.ok(
      `mutation($id: ID!, $contactId: ID!) { createOpportunity(input: { customerId: $id, contactId: $contactId, name: "Erika Mustermann: second machine", amount: "899.00", nextStep: "Call Erika after 6pm", source: "Erika's neighbour" }) { opportunity { id } userErrors { field code } } }`,
      { id, contactId },
    );
    expect(opportunity.createOpportunity.userErrors).toEqual([]);
    return { id, contactId, orderId: order.recordOrder.order.id, email, opportunityId: opportunity.createOpportunity.opportunity.id };
  }

  it('export everything held about a customer as one document, masked for an analyst, and record the export', async () => {
    const { id, orderId, email } = await customerWithHistory();
    const doc = (await app.ok(`query($id: ID!) { exportCustomerData(id: $id) }`, { id })).exportCustomerData;
    expect(doc.customer).toMatchObject({ id, name: 'Erika Mustermann', email, birthday: '1980-05-17' });
    expect(doc.contacts).toEqual([expect.objectContaining({ name: 'Max Mustermann', email: 'max@example.com' })]);
    expect(doc.orders).toEqual([expect.objectContaining({ id: orderId, lines: [expect.objectContaining({ description: 'Espresso machine' })] })]);
    expect(doc.touchpoints).toEqual([expect.objectContaining({ notes: 'Erika says the machine leaks' })]);
    expect(doc.opportunities).toEqual([expect.objectContaining({ name: 'Erika Mustermann: second machine', nextStep: 'Call Erika after 6pm' })]);
    // The complaint her COMPLAINT touchpoint opened, with its history; and the tasks on her (none here).
    expect(doc.complaints).toEqual([expect.objectContaining({ subject: 'Broken', status: 'OPEN', transitions: [expect.objectContaining({ toStatus: 'OPEN' })] })]);
    expect(doc.tasks).toEqual([]);
    expect(doc.lifecycleHistory.length).toBeGreaterThan(0);

    const analyst = await app.as({ role: 'ANALYST' });
    const masked = (await analyst.ok(`query($id: ID!) { exportCustomerData(id: $id) }`, { id })).exportCustomerData;
    expect(masked.customer).toMatchObject({ email: 'e***@example.com', phone: '+********99', birthday: null, notes: null });
    expect(masked.customer.address).toMatchObject({ line1: null, postalCode: null, city: 'Berlin', country: 'DE' });
    expect(masked.touchpoints[0].notes).toBeNull();
    expect(JSON.stringify(masked)).not.toContain(email);

    const exports = await app.db.query(`SELECT actor_role FROM audit_events WHERE action = 'customer.export' AND object_id = $1`, [uuid(id)]);
    expect(exports.map((e: { actor_role: string }) => e.actor_role).sort()).toEqual(['ADMIN', 'ANALYST']);
  });

  it('erase a customer’s personal data everywhere, keep the orders as anonymous records, and keep revenue exact', async () => {
    const { id, contactId, email, opportunityId } = await customerWithHistory();
    const REVENUE = `query($id: ID!) { customer(id: $id) { orderStats { orders revenue { amount } } } }`;
    const before = (await app.ok(REVENUE, { id })).customer.orderStats;
    const res = await app.ok(`mutation($id: ID!) { eraseCustomer(input: { id: $id }) { erased customer { id name email erasedAt } userErrors { code } } }`, { id });
    expect(res.eraseCustomer).toMatchObject({ userErrors: [], customer: { id, name: 'Erased customer', email: null, erasedAt: expect.any(String) } });

    const [c] = await app.db.query(`SELECT * FROM customers WHERE id = $1`, [uuid(id)]);
    expect(c).toMatchObject({ external_ref: null, email: null, phone: null, birthday: null, address_line1: null, address_postal_code: null, notes: null, consent_email_granted: false });
    expect(c.address_country).toBe('DE');
    expect(await app.db.query(`SELECT id FROM contacts WHERE id = $1`, [uuid(contactId)])).toEqual([]);
    expect(await app.db.query(`SELECT notes, subject FROM touchpoints WHERE customer_id = $1`, [uuid(id)])).toEqual([{ notes: null, subject: null }]);
    expect((await app.ok(REVENUE, { id })).customer.orderStats).toEqual(before);
    // The opportunity stays in the pipeline's figures, without its free text, contact or a name that says who.
    const [o] = await app.db.query(`SELECT name, next_step, lost_reason, source, contact_id, amount FROM opportunities WHERE id = $1`, [uuid(opportunityId)]);
    expect(o).toMatchObject({ name: 'Opportunity (customer erased)', next_step: null, lost_reason: null, source: null, contact_id: null });

    // Nothing erased survives in the audit log either.
    const objectIds = [uuid(id), uuid(contactId), uuid(opportunityId), ...(await app.db.query(`SELECT id FROM touchpoints WHERE customer_id = $1`, [uuid(id)])).map((t: { id: string }) => t.id)];
    const audit = JSON.stringify(await app.db.query(`SELECT changes FROM audit_events WHERE object_id = ANY($1::uuid[])`, [objectIds]));
    expect(audit).toContain('[erased]');
    for (const gone of [email, 'Erika Mustermann', '+4930123456', '+4930999999', 'Hauptstr', 'max@example.com', 'leaks', 'after 6pm', 'neighbour', 'second machine']) {
      expect({ gone, found: audit.includes(gone) }).toEqual({ gone, found: false });
    }
    const [event] = await app.db.query(`SELECT actor_role FROM audit_events WHERE action = 'customer.erase' AND object_id = $1`, [uuid(id)]);
    expect(event).toEqual({ actor_role: 'ADMIN' });

    const again = await app.ok(`mutation($id: ID!) { eraseCustomer(input: { id: $id }) { userErrors { field code } } }`, { id });
    expect(again.eraseCustomer.userErrors).toEqual([{ field: ['input', 'id'], code: 'ALREADY_DELETED' }]);
  });

  it('leave erasure to ADMINs and MANAGERs: the owning sales rep may export but not erase', async () => {
    const { id } = await customerWithHistory();
    const rep = await app.as({ role: 'SALES_REP', userId: repId });
    expect((await rep.ok(`query($id: ID!) { exportCustomerData(id: $id) }`, { id })).exportCustomerData.customer.name).toBe('Erika Mustermann');
    const res = await rep.gql(`mutation($id: ID!) { eraseCustomer(input: { id: $id }) { userErrors { code } } }`, { id });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect((await app.db.query(`SELECT erased_at FROM customers WHERE id = $1`, [uuid(id)]))[0].erased_at).toBeNull();
  });

  it('do not exist for another sales rep', async () => {
    const { id } = await customerWithHistory();
    const [{ id: otherId }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Otto Other', 'otto@rapport.example', 'SALES_REP') RETURNING id`);
    const other = await app.as({ role: 'SALES_REP', userId: otherId });
    expect((await other.ok(`query($id: ID!) { exportCustomerData(id: $id) }`, { id })).exportCustomerData).toBeNull();
  });
});

describe('birthdays in the agenda', () => {
  it('show their day to callers who may see it, and only their month to those who see personal data masked', async () => {
    const soon = new Date(Date.now() + 3 * 86_400_000);
    const birthday = `1980-${String(soon.getUTCMonth() + 1).padStart(2, '0')}-${String(soon.getUTCDate()).padStart(2, '0')}`;
    const id = await createCustomer({ name: 'Gina Greeting', kind: 'PERSON', birthday, consents: [{ channel: 'EMAIL', granted: true }] });
    const AGENDA = `query($from: DateTime!, $to: DateTime!) { careAgenda(from: $from, to: $to, first: 100) { kind dueAt reason customer { id } } }`;
    const window = { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date(Date.now() + 7 * 86_400_000).toISOString() };
    const greeting = (items: Array<{ kind: string; customer: { id: string } }>) => items.find((i) => i.kind === 'BIRTHDAY_GREETING' && i.customer.id === id);
    const day = `${soon.getUTCFullYear()}-${birthday.slice(5)}`;
    expect(greeting((await app.ok(AGENDA, window)).careAgenda)).toMatchObject({ dueAt: `${day}T00:00:00.000Z`, reason: `Birthday on ${day}` });

    const analyst = await app.as({ role: 'ANALYST' });
    const masked = greeting((await analyst.ok(AGENDA, window)).careAgenda)!;
    const month = soon.toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
    expect(masked).toMatchObject({ dueAt: `${day.slice(0, 8)}01T00:00:00.000Z`, reason: `Birthday in ${month}` });
    const actions = (await analyst.ok(`query($id: ID!) { customer(id: $id) { nextBestActions(first: 10) { kind dueAt reason } } }`, { id })).customer.nextBestActions;
    const greetings = actions.filter((x: { kind: string }) => x.kind === 'BIRTHDAY_GREETING');
    expect(greetings).toEqual([{ kind: 'BIRTHDAY_GREETING', dueAt: `${day.slice(0, 8)}01T00:00:00.000Z`, reason: `Birthday in ${month}` }]);
  });
});
