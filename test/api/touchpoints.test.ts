import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { TouchpointChannel, TouchpointDirection, TouchpointPurpose } from '../../src/touchpoint/touchpoint.entity';
import type { LogTouchpointInput } from '../../src/touchpoint/touchpoint.types';
import { AccessRole } from '../../src/core/roles';
import { startTestApp, TestApp } from '../support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;
const unknown = (type: string) => toGlobalId(type, '00000000-0000-0000-0000-000000000000');

const TP_FIELDS = `id channel direction purpose occurredAt subject notes satisfaction nps complaintStatus resolvedAt responseTimeHours version deletedAt
  customer { id name } contact { name } order { number } user { name }`;
const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { ${TP_FIELDS} } userErrors { field message code } } }`;
const UPDATE = `mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { touchpoint { ${TP_FIELDS} } userErrors { field code } } }`;
const DELETE = `mutation($id: ID!) { deleteTouchpoint(input: { id: $id }) { touchpoint { id deletedAt } userErrors { field code } } }`;
const RESTORE = `mutation($id: ID!) { restoreTouchpoint(input: { id: $id }) { touchpoint { id deletedAt } userErrors { field code } } }`;
const SUMMARY = `query($id: ID!) { customer(id: $id) { openComplaints lastTouchpointAt } }`;

async function createCustomer(name: string, extra: Record<string, unknown> = {}): Promise<{ id: string; name: string }> {
  const data = await app.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id name } userErrors { code } } }`, {
    input: { name, kind: 'COMPANY', ...extra },
  });
  expect(data.createCustomer.userErrors).toEqual([]);
  return data.createCustomer.customer;
}

async function createContact(customerId: string, name: string): Promise<{ id: string }> {
  const data = await app.ok(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } userErrors { code } } }`, { input: { customerId, name } });
  expect(data.createContact.userErrors).toEqual([]);
  return data.createContact.contact;
}

/** Staff users and orders have no mutations in this suite's scope, so they are inserted directly. */
async function createUser(name: string): Promise<{ id: string; name: string }> {
  const [row] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, 'SALES_REP') RETURNING id`, [name, `${name.replace(/\W/g, '.')}@rapport.example`]);
  return { id: toGlobalId('User', row.id), name };
}

async function createOrder(customerId: string): Promise<{ id: string; number: string }> {
  const [row] = await app.db.query(
    `INSERT INTO orders (customer_id, placed_at, status, channel, currency, base_currency, rate_to_base, subtotal_amount, total_amount, total_base, cost_base)
     VALUES ($1, now() - interval '2 days', 'PAID', 'ONLINE', 'USD', 'USD', 1, 100, 100, 100, 60) RETURNING id, number`,
    [uuid(customerId)],
  );
  return { id: toGlobalId('Order', row.id), number: row.number };
}

async function logTouchpoint(input: Record<string, unknown>) {
  const data = await app.ok(LOG, { input });
  expect(data.logTouchpoint.userErrors).toEqual([]);
  return data.logTouchpoint.touchpoint;
}

const touchpointCount = async () => (await app.db.query('SELECT count(*)::int AS n FROM touchpoints'))[0].n as number;
const errorCodes = (errors: Array<{ field: string[]; code: string }>) => errors.map((e) => [e.field.join('.'), e.code]);

describe('logging touchpoints', () => {
  it('records an interaction with its contact, order and staff member, OUTBOUND and now by default', async () => {
    const c = await createCustomer('Logbook AG');
    const contact = await createContact(c.id, 'Petra Lang');
    const order = await createOrder(c.id);
    const rep = await createUser('Rita Rep');
    const tp = await logTouchpoint({
      customerId: c.id,
      contactId: contact.id,
      orderId: order.id,
      userId: rep.id,
      channel: 'PHONE',
      purpose: 'THANK_YOU',
      subject: '  Thanks for the order ',
      notes: 'Happy with delivery',
      satisfaction: 5,
      nps: 9,
    });
    expect(tp).toMatchObject({
      channel: 'PHONE',
      direction: 'OUTBOUND',
      purpose: 'THANK_YOU',
      subject: 'Thanks for the order',
      satisfaction: 5,
      nps: 9,
      complaintStatus: null,
      resolvedAt: null,
      responseTimeHours: null,
      version: 1,
      customer: c,
      contact: { name: 'Petra Lang' },
      order: { number: order.number },
      user: { name: 'Rita Rep' },
    });
    expect(Math.abs(new Date(tp.occurredAt).getTime() - Date.now())).toBeLessThan(60_000);
    expect((await app.ok(SUMMARY, { id: c.id })).customer).toEqual({ openComplaints: 0, lastTouchpointAt: tp.occurredAt });
  });

  it('records the acting staff member as the handler unless another user is named', async () => {
    const rep = await createUser('Acting Rep');
    const other = await createUser('Other Rep');
    const c = await createCustomer('Actor GmbH', { ownerId: rep.id });
    const asRep = await app.as({ role: 'SALES_REP', userId: uuid(rep.id) });
    const input = { customerId: c.id, channel: 'EMAIL', direction: 'INBOUND', purpose: 'INQUIRY' };
    expect((await asRep.ok(LOG, { input })).logTouchpoint.touchpoint.user).toEqual({ name: 'Acting Rep' });
    expect((await asRep.ok(LOG, { input: { ...input, userId: other.id } })).logTouchpoint.touchpoint.user).toEqual({ name: 'Other Rep' });
    // An admin key that acts for no user logs a touchpoint without a handler.
    expect((await app.ok(LOG, { input })).logTouchpoint.touchpoint.user).toBeNull();
  });

  it('rejects a contact or an order of another customer as INVALID and writes nothing', async () => {
    const mine = await createCustomer('Mine Ltd');
    const theirs = await createCustomer('Theirs Ltd');
    const theirContact = await createContact(theirs.id, 'Not Mine');
    const theirOrder = await createOrder(theirs.id);
    const before = await touchpointCount();
    const res = await app.ok(LOG, { input: { customerId: mine.id, contactId: theirContact.id, orderId: theirOrder.id, channel: 'VISIT', purpose: 'SERVICE' } });
    expect(res.logTouchpoint).toEqual({
      touchpoint: null,
      userErrors: [
        { field: ['input', 'contactId'], message: 'This contact belongs to another customer.', code: 'INVALID' },
        { field: ['input', 'orderId'], message: 'This order belongs to another customer.', code: 'INVALID' },
      ],
    });
    expect(await touchpointCount()).toBe(before);
  });

  it('rejects malformed IDs, unknown references and a deleted customer or contact', async () => {
    const c = await createCustomer('Refs Inc');
    const gone = await createCustomer('Gone Inc');
    await app.ok(`mutation($id: ID!) { deleteCustomer(input: { id: $id }) { userErrors { code } } }`, { id: gone.id });
    const exContact = await createContact(c.id, 'Ex Contact');
    await app.ok(`mutation($id: ID!) { deleteContact(input: { id: $id }) { userErrors { code } } }`, { id: exContact.id });
    const before = await touchpointCount();

    const malformed = await app.ok(LOG, { input: { customerId: 'nope', contactId: c.id, orderId: 'x', userId: c.id, channel: 'SMS', purpose: 'CARE' } });
    expect(errorCodes(malformed.logTouchpoint.userErrors)).toEqual([
      ['input.customerId', 'INVALID_ID'],
      ['input.contactId', 'INVALID_ID'],
      ['input.orderId', 'INVALID_ID'],
      ['input.userId', 'INVALID_ID'],
    ]);
    const missing = await app.ok(LOG, { input: { customerId: c.id, contactId: exContact.id, orderId: unknown('Order'), userId: unknown('User'), channel: 'SMS', purpose: 'CARE' } });
    expect(errorCodes(missing.logTouchpoint.userErrors)).toEqual([
      ['input.contactId', 'NOT_FOUND'],
      ['input.orderId', 'NOT_FOUND'],
      ['input.userId', 'NOT_FOUND'],
    ]);
    const deleted = await app.ok(LOG, { input: { customerId: gone.id, channel: 'SMS', purpose: 'CARE' } });
    expect(errorCodes(deleted.logTouchpoint.userErrors)).toEqual([['input.customerId', 'NOT_FOUND']]);
    expect(await touchpointCount()).toBe(before);
  });

  it('rejects scores out of range and times in the future, allowing a little clock skew', async () => {
    const c = await createCustomer('Scores SA');
    const before = await touchpointCount();
    const res = await app.ok(LOG, { input: { customerId: c.id, channel: 'EMAIL', purpose: 'SURVEY', satisfaction: 6, nps: 11, occurredAt: new Date(Date.now() + HOUR).toISOString() } });
    expect(errorCodes(res.logTouchpoint.userErrors)).toEqual([
      ['input.occurredAt', 'OUT_OF_RANGE'],
      ['input.satisfaction', 'OUT_OF_RANGE'],
      ['input.nps', 'OUT_OF_RANGE'],
    ]);
    const low = await app.ok(LOG, { input: { customerId: c.id, channel: 'EMAIL', purpose: 'SURVEY', satisfaction: 0, nps: -1 } });
    expect(errorCodes(low.logTouchpoint.userErrors)).toEqual([
      ['input.satisfaction', 'OUT_OF_RANGE'],
      ['input.nps', 'OUT_OF_RANGE'],
    ]);
    expect(await touchpointCount()).toBe(before);
    const edges = await logTouchpoint({ customerId: c.id, channel: 'EMAIL', purpose: 'SURVEY', satisfaction: 1, nps: 0, occurredAt: new Date(Date.now() + 60_000).toISOString() });
    expect(edges).toMatchObject({ satisfaction: 1, nps: 0 });
  });

  it('rejects complaint fields on anything but a complaint, and a resolution time on an open complaint', async () => {
    const c = await createCustomer('Fields BV');
    const before = await touchpointCount();
    const res = await app.ok(LOG, { input: { customerId: c.id, channel: 'PHONE', purpose: 'INQUIRY', complaintStatus: 'OPEN', resolvedAt: ago(1) } });
    expect(errorCodes(res.logTouchpoint.userErrors)).toEqual([
      ['input.complaintStatus', 'INVALID'],
      ['input.resolvedAt', 'INVALID'],
    ]);
    const open = await app.ok(LOG, { input: { customerId: c.id, channel: 'PHONE', purpose: 'COMPLAINT', complaintStatus: 'OPEN', resolvedAt: ago(1) } });
    expect(errorCodes(open.logTouchpoint.userErrors)).toEqual([['input.resolvedAt', 'INVALID']]);
    expect(await touchpointCount()).toBe(before);
  });
});

describe('complaints', () => {
  it('open when logged, resolved with a response time, reopened (back to work: IN_PROGRESS), then resolved again now', async () => {
    const c = await createCustomer('Complainer plc');
    const occurredAt = new Date(Math.floor((Date.now() - 72 * HOUR) / 1000) * 1000);
    const complaint = await logTouchpoint({ customerId: c.id, channel: 'EMAIL', direction: 'INBOUND', purpose: 'COMPLAINT', occurredAt: occurredAt.toISOString(), subject: 'Late delivery' });
    expect(complaint).toMatchObject({ complaintStatus: 'OPEN', resolvedAt: null, responseTimeHours: null, direction: 'INBOUND' });
    expect((await app.ok(SUMMARY, { id: c.id })).customer.openComplaints).toBe(1);
    const openList = await app.ok(`query($id: ID!) { touchpoints(filter: { customer: { eq: $id }, complaintStatus: { eq: OPEN } }) { totalCount } }`, { id: c.id });
    expect(openList.touchpoints.totalCount).toBe(1);

    const resolvedAt = new Date(occurredAt.getTime() + 26.5 * HOUR).toISOString();
    const resolved = await app.ok(UPDATE, { input: { id: complaint.id, expectedVersion: 1, complaintStatus: 'RESOLVED', resolvedAt } });
    expect(resolved.updateTouchpoint.userErrors).toEqual([]);
    expect(resolved.updateTouchpoint.touchpoint).toMatchObject({ complaintStatus: 'RESOLVED', resolvedAt, responseTimeHours: 26.5, version: 2, subject: 'Late delivery' });
    expect((await app.ok(SUMMARY, { id: c.id })).customer.openComplaints).toBe(0);

    const reopened = await app.ok(UPDATE, { input: { id: complaint.id, complaintStatus: 'OPEN' } });
    expect(reopened.updateTouchpoint.touchpoint).toMatchObject({ complaintStatus: 'IN_PROGRESS', resolvedAt: null, responseTimeHours: null, version: 3 });
    // The complaint holds the status; the touchpoint reads it from there.
    const [row] = await app.db.query('SELECT status, resolved_at FROM complaints WHERE touchpoint_id = $1', [uuid(complaint.id)]);
    expect(row).toEqual({ status: 'IN_PROGRESS', resolved_at: null });
    expect((await app.ok(SUMMARY, { id: c.id })).customer.openComplaints).toBe(1);

    const now = await app.ok(UPDATE, { input: { id: complaint.id, complaintStatus: 'RESOLVED' } });
    expect(Math.abs(new Date(now.updateTouchpoint.touchpoint.resolvedAt).getTime() - Date.now())).toBeLessThan(60_000);
    expect(now.updateTouchpoint.touchpoint.responseTimeHours).toBeCloseTo(72, 1);
  });

  it('starts RESOLVED when logged with a resolution time, which may not precede the complaint or lie in the future', async () => {
    const c = await createCustomer('Quick Fix Ltd');
    const done = await logTouchpoint({ customerId: c.id, channel: 'CHAT', purpose: 'COMPLAINT', occurredAt: ago(5), resolvedAt: ago(3) });
    expect(done).toMatchObject({ complaintStatus: 'RESOLVED', responseTimeHours: 2 });
    expect((await app.ok(SUMMARY, { id: c.id })).customer.openComplaints).toBe(0);

    const before = await touchpointCount();
    const early = await app.ok(LOG, { input: { customerId: c.id, channel: 'CHAT', purpose: 'COMPLAINT', occurredAt: ago(5), resolvedAt: ago(6) } });
    expect(errorCodes(early.logTouchpoint.userErrors)).toEqual([['input.resolvedAt', 'OUT_OF_RANGE']]);
    const future = await app.ok(LOG, { input: { customerId: c.id, channel: 'CHAT', purpose: 'COMPLAINT', occurredAt: ago(5), complaintStatus: 'RESOLVED', resolvedAt: new Date(Date.now() + HOUR).toISOString() } });
    expect(errorCodes(future.logTouchpoint.userErrors)).toEqual([['input.resolvedAt', 'OUT_OF_RANGE']]);
    expect(await touchpointCount()).toBe(before);

    // The complaint's due times count from when it was made: that instant no longer moves.
    const moved = await app.ok(UPDATE, { input: { id: done.id, occurredAt: ago(2) } });
    expect(errorCodes(moved.updateTouchpoint.userErrors)).toEqual([['input.occurredAt', 'INVALID']]);
  });

  it('keeps a touchpoint that opened a complaint a COMPLAINT (the complaint keeps its history), and opens one when a touchpoint becomes one', async () => {
    const c = await createCustomer('Misfiled GmbH');
    const tp = await logTouchpoint({ customerId: c.id, channel: 'PHONE', purpose: 'COMPLAINT', occurredAt: ago(3), resolvedAt: ago(1) });
    const service = await app.ok(UPDATE, { input: { id: tp.id, purpose: 'SERVICE' } });
    expect(errorCodes(service.updateTouchpoint.userErrors)).toEqual([['input.purpose', 'INVALID']]);
    const care = await logTouchpoint({ customerId: c.id, channel: 'PHONE', purpose: 'CARE', occurredAt: ago(3) });
    const misfiled = await app.ok(UPDATE, { input: { id: care.id, resolvedAt: ago(1) } });
    expect(errorCodes(misfiled.updateTouchpoint.userErrors)).toEqual([['input.resolvedAt', 'INVALID']]);
    const back = await app.ok(UPDATE, { input: { id: care.id, purpose: 'COMPLAINT' } });
    expect(back.updateTouchpoint.touchpoint).toMatchObject({ purpose: 'COMPLAINT', complaintStatus: 'OPEN', resolvedAt: null });
  });
});

describe('updating touchpoints', () => {
  it('changes only the given fields, clears with null, and detects concurrent edits through expectedVersion', async () => {
    const c = await createCustomer('Editable AG');
    const contact = await createContact(c.id, 'Uwe Ernst');
    const rep = await createUser('Editing Rep');
    const tp = await logTouchpoint({ customerId: c.id, contactId: contact.id, userId: rep.id, channel: 'MEETING', purpose: 'VISIT', notes: 'coffee', satisfaction: 4, occurredAt: ago(10) });
    const ok = await app.ok(UPDATE, { input: { id: tp.id, expectedVersion: 1, contactId: null, notes: null, satisfaction: null, nps: 8, channel: 'VISIT', direction: 'INBOUND' } });
    expect(ok.updateTouchpoint.userErrors).toEqual([]);
    expect(ok.updateTouchpoint.touchpoint).toMatchObject({
      channel: 'VISIT',
      direction: 'INBOUND',
      purpose: 'VISIT',
      contact: null,
      notes: null,
      satisfaction: null,
      nps: 8,
      occurredAt: tp.occurredAt,
      user: { name: 'Editing Rep' },
      version: 2,
    });
    const stale = await app.ok(UPDATE, { input: { id: tp.id, expectedVersion: 1, notes: 'lost update' } });
    expect(stale.updateTouchpoint).toEqual({ touchpoint: null, userErrors: [{ field: ['input', 'expectedVersion'], code: 'CONFLICT' }] });
    const [row] = await app.db.query('SELECT notes, version FROM touchpoints WHERE id = $1', [uuid(tp.id)]);
    expect(row).toEqual({ notes: null, version: 2 });
  });

  it('rejects cleared required fields, a contact of another customer and bad IDs, writing nothing', async () => {
    const c = await createCustomer('Guarded SARL');
    const stranger = await createContact((await createCustomer('Stranger SARL')).id, 'Stranger');
    const tp = await logTouchpoint({ customerId: c.id, channel: 'EMAIL', purpose: 'PROMOTION', occurredAt: ago(1) });
    const bad = await app.ok(UPDATE, { input: { id: tp.id, channel: null, direction: null, purpose: null, occurredAt: null, contactId: stranger.id, userId: unknown('User'), nps: 42 } });
    expect(errorCodes(bad.updateTouchpoint.userErrors)).toEqual([
      ['input.channel', 'REQUIRED'],
      ['input.direction', 'REQUIRED'],
      ['input.purpose', 'REQUIRED'],
      ['input.occurredAt', 'REQUIRED'],
      ['input.nps', 'OUT_OF_RANGE'],
      ['input.contactId', 'INVALID'],
      ['input.userId', 'NOT_FOUND'],
    ]);
    expect((await app.ok(UPDATE, { input: { id: 'nope' } })).updateTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
    expect((await app.ok(UPDATE, { input: { id: unknown('Touchpoint') } })).updateTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
    const future = await app.ok(UPDATE, { input: { id: tp.id, occurredAt: new Date(Date.now() + HOUR).toISOString() } });
    expect(errorCodes(future.updateTouchpoint.userErrors)).toEqual([['input.occurredAt', 'OUT_OF_RANGE']]);
    const [row] = await app.db.query('SELECT channel, contact_id, nps, version FROM touchpoints WHERE id = $1', [uuid(tp.id)]);
    expect(row).toEqual({ channel: 'EMAIL', contact_id: null, nps: null, version: 1 });
  });
});

describe('deleting touchpoints', () => {
  it('hides a deleted touchpoint from lists, counts and the last-touch date, and restores it', async () => {
    const c = await createCustomer('Oops Ltd');
    const older = await logTouchpoint({ customerId: c.id, channel: 'PHONE', purpose: 'CARE', occurredAt: ago(48) });
    const mistake = await logTouchpoint({ customerId: c.id, channel: 'EMAIL', purpose: 'COMPLAINT', occurredAt: ago(1) });
    expect((await app.ok(SUMMARY, { id: c.id })).customer).toEqual({ openComplaints: 1, lastTouchpointAt: mistake.occurredAt });

    const del = await app.ok(DELETE, { id: mistake.id });
    expect(del.deleteTouchpoint.touchpoint.deletedAt).not.toBeNull();
    expect((await app.ok(SUMMARY, { id: c.id })).customer).toEqual({ openComplaints: 0, lastTouchpointAt: older.occurredAt });
    const LIST = `query($id: ID!, $deleted: Boolean!) { touchpoints(filter: { customer: { eq: $id } }, includeDeleted: $deleted) { totalCount } customer(id: $id) { touchpoints { totalCount } } }`;
    expect(await app.ok(LIST, { id: c.id, deleted: false })).toEqual({ touchpoints: { totalCount: 1 }, customer: { touchpoints: { totalCount: 1 } } });
    expect((await app.ok(LIST, { id: c.id, deleted: true })).touchpoints.totalCount).toBe(2);
    expect((await app.ok(DELETE, { id: mistake.id })).deleteTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'ALREADY_DELETED' }]);
    expect((await app.ok(UPDATE, { input: { id: mistake.id, notes: 'x' } })).updateTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);

    expect((await app.ok(RESTORE, { id: mistake.id })).restoreTouchpoint).toEqual({ touchpoint: { id: mistake.id, deletedAt: null }, userErrors: [] });
    expect((await app.ok(SUMMARY, { id: c.id })).customer.openComplaints).toBe(1);
    expect((await app.ok(RESTORE, { id: mistake.id })).restoreTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_DELETED' }]);
    expect((await app.ok(DELETE, { id: 'bad' })).deleteTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'INVALID_ID' }]);
    expect((await app.ok(DELETE, { id: unknown('Touchpoint') })).deleteTouchpoint.userErrors).toEqual([{ field: ['input', 'id'], code: 'NOT_FOUND' }]);
  });
});

describe('touchpoint lists', () => {
  const CHANNELS = ['EMAIL', 'PHONE', 'VISIT'];
  const PURPOSES = ['FOLLOW_UP', 'SURVEY', 'COMPLAINT', 'GREETING'];
  let c: { id: string; name: string };
  let contact: { id: string };
  let rep: { id: string; name: string };
  let order: { id: string; number: string };
  const subjects: string[] = [];

  beforeAll(async () => {
    c = await createCustomer('History Corp');
    contact = await createContact(c.id, 'Hanna Historia');
    rep = await createUser('History Rep');
    order = await createOrder(c.id);
    // Touchpoint i happened i days ago and is logged in that order too, so both sorts agree.
    for (let i = 11; i >= 0; i--) {
      await logTouchpoint({
        customerId: c.id,
        contactId: i % 2 ? contact.id : null,
        userId: i % 3 === 0 ? rep.id : null,
        orderId: i === 4 ? order.id : null,
        channel: CHANNELS[i % 3],
        direction: i % 4 === 0 ? 'INBOUND' : 'OUTBOUND',
        purpose: PURPOSES[i % 4],
        satisfaction: PURPOSES[i % 4] === 'SURVEY' ? 1 + (i % 5) : null,
        nps: PURPOSES[i % 4] === 'SURVEY' ? i : null,
        occurredAt: ago(24 * i + 1),
        subject: `T${String(i).padStart(2, '0')}`,
      });
    }
    subjects.push(...[...Array(12)].map((_, i) => `T${String(i).padStart(2, '0')}`));
  });

  const subjectsOf = (conn: { nodes: Array<{ subject: string }> }) => conn.nodes.map((n) => n.subject);

  it('pages newest first, forward and backward, without gaps or repeats', async () => {
    const PAGE = `query($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
      touchpoints(first: $first, after: $after, last: $last, before: $before, filter: { customer: { eq: $id } }) {
        totalCount nodes { subject } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { touchpoints }: { touchpoints: any } = await app.ok(PAGE, { id: c.id, first: 5, after });
      expect(touchpoints.totalCount).toBe(12);
      seen.push(...subjectsOf(touchpoints));
      if (!touchpoints.pageInfo.hasNextPage) break;
      after = touchpoints.pageInfo.endCursor;
    }
    expect(seen).toEqual(subjects);

    const last = (await app.ok(PAGE, { id: c.id, last: 5 })).touchpoints;
    expect(subjectsOf(last)).toEqual(subjects.slice(7));
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = (await app.ok(PAGE, { id: c.id, last: 5, before: last.pageInfo.startCursor })).touchpoints;
    expect(subjectsOf(before)).toEqual(subjects.slice(2, 7));
    expect(before.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const start = (await app.ok(PAGE, { id: c.id, last: 5, before: before.pageInfo.startCursor })).touchpoints;
    expect(subjectsOf(start)).toEqual(subjects.slice(0, 2));
    expect(start.pageInfo.hasPreviousPage).toBe(false);
  });

  it('filters by channel, direction, purpose, complaint status, scores, time, contact, user and order', async () => {
    const q = async (filter: Record<string, unknown>) =>
      subjectsOf((await app.ok(`query($f: TouchpointFilter) { touchpoints(first: 100, filter: $f) { nodes { subject } } }`, { f: { customer: { eq: c.id }, ...filter } })).touchpoints);
    expect(await q({ channel: { eq: 'VISIT' } })).toEqual(['T02', 'T05', 'T08', 'T11']);
    expect(await q({ channel: { in: ['EMAIL', 'VISIT'] }, direction: { eq: 'INBOUND' } })).toEqual(['T00', 'T08']);
    expect(await q({ purpose: { eq: 'COMPLAINT' } })).toEqual(['T02', 'T06', 'T10']);
    expect(await q({ complaintStatus: { eq: 'OPEN' } })).toEqual(['T02', 'T06', 'T10']);
    expect(await q({ complaintStatus: { isNull: false }, not: { purpose: { eq: 'COMPLAINT' } } })).toEqual([]);
    // SURVEY touchpoints are 1, 5, 9: satisfaction 2, 1, 5 and nps 1, 5, 9.
    expect(await q({ satisfaction: { gte: 2 } })).toEqual(['T01', 'T09']);
    expect(await q({ nps: { gt: 1, lte: 9 } })).toEqual(['T05', 'T09']);
    expect(await q({ occurredAt: { gte: ago(24 * 3 + 2), lt: ago(24) } })).toEqual(['T01', 'T02', 'T03']);
    expect(await q({ contact: { eq: contact.id }, purpose: { in: ['FOLLOW_UP', 'GREETING'] } })).toEqual(['T03', 'T07', 'T11']);
    expect(await q({ user: { eq: rep.id } })).toEqual(['T00', 'T03', 'T06', 'T09']);
    expect(await q({ user: { isNull: true }, contact: { isNull: true } })).toEqual(['T02', 'T04', 'T08', 'T10']);
    expect(await q({ order: { eq: order.id } })).toEqual(['T04']);
    const wrongType = await app.gql(`query($id: ID!) { touchpoints(filter: { contact: { eq: $id } }) { totalCount } }`, { id: c.id });
    expect(wrongType.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('sorts by occurrence or by creation time, either way', async () => {
    const sorted = async (orderBy: Record<string, unknown>) =>
      subjectsOf((await app.ok(`query($id: ID!, $o: TouchpointOrderBy) { touchpoints(first: 3, orderBy: $o, filter: { customer: { eq: $id } }) { nodes { subject } } }`, { id: c.id, o: orderBy })).touchpoints);
    expect(await sorted({ field: 'OCCURRED_AT', direction: 'ASC' })).toEqual(['T11', 'T10', 'T09']);
    expect(await sorted({ field: 'CREATED_AT' })).toEqual(['T00', 'T01', 'T02']);
    expect(await sorted({ field: 'CREATED_AT', direction: 'ASC' })).toEqual(['T11', 'T10', 'T09']);
  });

  it('shows a customer’s contacts and follow-up history, with who was spoken to', async () => {
    const res = await app.ok(
      `query($id: ID!) { node(id: $id) { ... on Customer {
        customer: name openComplaints lastTouchpointAt
        contacts { nodes { name } }
        touchpoints(first: 3) { nodes { purpose contact { name } user { name } order { number } customer { name } } }
        complaints: touchpoints(filter: { purpose: { eq: COMPLAINT } }) { totalCount }
      } } }`,
      { id: c.id },
    );
    expect(res.node).toEqual({
      customer: 'History Corp',
      openComplaints: 3,
      lastTouchpointAt: expect.any(String),
      contacts: { nodes: [{ name: 'Hanna Historia' }] },
      touchpoints: {
        nodes: [
          { purpose: 'FOLLOW_UP', contact: null, user: { name: 'History Rep' }, order: null, customer: { name: 'History Corp' } },
          { purpose: 'SURVEY', contact: { name: 'Hanna Historia' }, user: null, order: null, customer: { name: 'History Corp' } },
          { purpose: 'COMPLAINT', contact: null, user: null, order: null, customer: { name: 'History Corp' } },
        ],
      },
      complaints: { totalCount: 3 },
    });
  });

  it('loads contacts, touchpoints, their users and complaint counts for a page of customers in a constant number of statements', async () => {
    const staff = [await createUser('Batch Rep A'), await createUser('Batch Rep B')];
    for (let i = 0; i < 12; i++) {
      const customer = await createCustomer(`Batch ${String(i).padStart(2, '0')}`, { tags: ['statement-batch'] });
      const ct = await createContact(customer.id, `Batch Contact ${i}`);
      await createContact(customer.id, `Batch Assistant ${i}`);
      await logTouchpoint({ customerId: customer.id, contactId: ct.id, userId: staff[i % 2].id, channel: 'PHONE', purpose: 'COMPLAINT', occurredAt: ago(30) });
      await logTouchpoint({ customerId: customer.id, userId: staff[(i + 1) % 2].id, channel: 'EMAIL', purpose: 'FOLLOW_UP', occurredAt: ago(2) });
    }
    const QUERY = `query($n: Int!) { customers(first: $n, filter: { tags: { has: "statement-batch" } }) { nodes {
      contacts { nodes { name } }
      touchpoints { nodes { purpose user { name } } }
      openComplaints
    } } }`;
    const page = await app.ok(QUERY, { n: 12 });
    expect(page.customers.nodes).toHaveLength(12);
    expect(page.customers.nodes[11]).toEqual({
      contacts: { nodes: [{ name: 'Batch Assistant 11' }, { name: 'Batch Contact 11' }] },
      touchpoints: { nodes: [{ purpose: 'FOLLOW_UP', user: { name: 'Batch Rep A' } }, { purpose: 'COMPLAINT', user: { name: 'Batch Rep B' } }] },
      openComplaints: 1,
    });
    // customers, contacts per customer, touchpoints per customer, their users, the complaint counts.
    expect(await app.statements(QUERY, { n: 3 })).toBe(5);
    expect(await app.statements(QUERY, { n: 12 })).toBe(5);
  });
});
