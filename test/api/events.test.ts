import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { EntityManager } from 'typeorm';
import { fromGlobalId } from '../../src/common/ids';
import { SYSTEM } from '../../src/core/actor';
import { recordAudit } from '../../src/core/audit';
import { EVENT_OF_ACTION } from '../../src/core/events';
import { insertStaff } from '../support/staff';
import { startTestApp, type GraphQLCaller, type TestApp } from '../support/test-app';

/*
 * The events feed: the outbox recordAudit writes, in commit order, filtered and paged by cursor, confined to what the
 * caller may read. Tests wait for the worker that sequences events (scoresSettled), never a clock.
 */

let app: TestApp;
let rita: GraphQLCaller;
let ben: GraphQLCaller;
const ids = { rita: '', ben: '', ritaCustomer: '', benCustomer: '' };
const UE = 'userErrors { field code }';
const EVENTS = `query($after: String, $first: Int, $filter: EventFilter) { events(after: $after, first: $first, filter: $filter) {
  nodes { id type occurredAt objectType objectId changedFields actorKind actorRole requestId } pageInfo { hasNextPage endCursor } } }`;

async function createCustomer(caller: GraphQLCaller, name: string): Promise<string> {
  const { createCustomer } = await caller.ok(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } ${UE} } }`, { input: { name } });
  expect(createCustomer.userErrors).toEqual([]);
  return createCustomer.customer.id;
}

beforeAll(async () => {
  app = await startTestApp();
  ids.rita = await insertStaff(app.db, 'Rita Feed');
  ids.ben = await insertStaff(app.db, 'Ben Feed');
  rita = await app.as({ role: 'SALES_REP', userId: ids.rita });
  ben = await app.as({ role: 'SALES_REP', userId: ids.ben });
  ids.ritaCustomer = await createCustomer(rita, 'Rita Customer');
  ids.benCustomer = await createCustomer(ben, 'Ben Customer');
  const touchpoint = await rita.ok(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } ${UE} } }`, {
    input: { customerId: ids.ritaCustomer, channel: 'PHONE', purpose: 'CARE', subject: 'Call' },
  });
  expect(touchpoint.logTouchpoint.userErrors).toEqual([]);
  const moved = await app.ok(`mutation($input: MoveCustomerToStageInput!) { moveCustomerToStage(input: $input) { ${UE} } }`, { input: { customerId: ids.benCustomer, stage: 'LOYAL' } });
  expect(moved.moveCustomerToStage.userErrors).toEqual([]);
  await app.ok(`mutation($input: UpdateCustomerInput!) { updateCustomer(input: $input) { ${UE} } }`, { input: { id: ids.ritaCustomer, name: 'Rita Customer Ltd', email: 'a@example.com' } });
  await app.scoresSettled();
});
afterAll(() => app?.close());

describe('events', () => {
  it('lists committed changes in commit order as thin events, paged by cursor', async () => {
    const all = (await app.ok(EVENTS, { first: 100 })).events.nodes;
    expect(all.map((e: { type: string }) => e.type)).toEqual(['CUSTOMER_CREATED', 'CUSTOMER_CREATED', 'TOUCHPOINT_LOGGED', 'LIFECYCLE_CHANGED', 'CUSTOMER_UPDATED']);
    const update = all[4];
    expect(update).toMatchObject({ objectType: 'Customer', objectId: ids.ritaCustomer, actorKind: 'principal', actorRole: 'ADMIN', requestId: expect.any(String) });
    expect(update.changedFields).toEqual(['email', 'name']);
    expect(JSON.stringify(all)).not.toContain('example.com');
    // Page by page, nothing skipped or repeated.
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { events }: { events: any } = await app.ok(EVENTS, { first: 2, after });
      seen.push(...events.nodes.map((e: { id: string }) => e.id));
      if (!events.pageInfo.hasNextPage) break;
      after = events.pageInfo.endCursor;
    }
    expect(seen).toEqual(all.map((e: { id: string }) => e.id));
    // Nothing new yet: the cursor stays where it was, for the next poll.
    const { events: none } = await app.ok(EVENTS, { first: 2, after: (await app.ok(EVENTS, { first: 100 })).events.pageInfo.endCursor });
    expect(none.nodes).toEqual([]);
    expect(none.pageInfo.endCursor).toEqual(expect.any(String));
  });

  it('filters by type, object type, object and time', async () => {
    const types = (filter: object) => app.ok(EVENTS, { first: 100, filter }).then((d) => d.events.nodes.map((e: { type: string }) => e.type));
    expect(await types({ types: ['LIFECYCLE_CHANGED'] })).toEqual(['LIFECYCLE_CHANGED']);
    expect(await types({ objectType: 'Touchpoint' })).toEqual(['TOUCHPOINT_LOGGED']);
    expect(await types({ objectId: ids.ritaCustomer })).toEqual(['CUSTOMER_CREATED', 'CUSTOMER_UPDATED']);
    expect(await types({ occurredAfter: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
  });

  it("shows a sales rep only the events of their own book", async () => {
    const objects = async (caller: GraphQLCaller) => (await caller.ok(EVENTS, { first: 100 })).events.nodes.map((e: { type: string; objectId: string }) => `${e.type} ${e.objectId}`);
    const mine = await objects(rita);
    expect(mine).toEqual(expect.arrayContaining([`CUSTOMER_CREATED ${ids.ritaCustomer}`, `CUSTOMER_UPDATED ${ids.ritaCustomer}`]));
    expect(mine.some((e: string) => e.startsWith('TOUCHPOINT_LOGGED'))).toBe(true);
    expect(mine.join()).not.toContain(ids.benCustomer);
    const his = await objects(ben);
    expect(his).toEqual([`CUSTOMER_CREATED ${ids.benCustomer}`, `LIFECYCLE_CHANGED ${ids.benCustomer}`]);
    // Another rep's object cannot be asked for by id either.
    expect((await ben.ok(EVENTS, { filter: { objectId: ids.ritaCustomer } })).events.nodes).toEqual([]);
  });

  it("shows a partner only the areas its scopes read", async () => {
    const partner = await app.as({ role: 'PARTNER', scopes: ['touchpoints:read'] });
    const { events } = await partner.ok(EVENTS, { first: 100 });
    expect(events.nodes.map((e: { type: string }) => e.type)).toEqual(['TOUCHPOINT_LOGGED']);
    const anonymous = await app.http.post('/graphql').send({ query: '{ events { nodes { id } } }' });
    expect(anonymous.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('are written for every audited action the code records (each declared in the vocabulary)', async () => {
    const written: Array<{ action: string }> = await app.db.query(`SELECT DISTINCT action FROM audit_events`);
    for (const { action } of written) expect(Object.keys(EVENT_OF_ACTION)).toContain(action);
    // Statically: every `object.verb` literal the services pass as an audit action.
    const prefixes = new Set(Object.keys(EVENT_OF_ACTION).map((a) => a.split('.')[0]));
    const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(path.join(dir, f)).isDirectory() ? files(path.join(dir, f)) : [path.join(dir, f)]));
    const literals = new Set<string>();
    for (const file of files(path.join(__dirname, '../../src')).filter((f) => f.endsWith('.ts') && !f.endsWith(path.join('core', 'events.ts')))) {
      for (const [, action] of readFileSync(file, 'utf8').matchAll(/'([a-z][a-zA-Z]*\.[a-z][a-zA-Z]*)'/g)) if (prefixes.has(action.split('.')[0])) literals.add(action);
    }
    const undeclared = [...literals].filter((a) => !(a in EVENT_OF_ACTION));
    expect(undeclared).toEqual([]);
  });

  it('are written in the statement that writes the audit event: no extra round trip per mutation', async () => {
    const before = (await app.db.query(`SELECT count(*)::int AS n FROM domain_events`))[0].n;
    let statements = 0;
    await app.db.transaction(async (m) => {
      const counting = { query: (sql: string, params: unknown[]) => (statements++, m.query(sql, params)) } as unknown as EntityManager;
      await recordAudit(counting, { actor: SYSTEM }, [
        { action: 'customer.update', objectType: 'Customer', objectId: fromGlobalId(ids.benCustomer)!.id, before: { name: 'a' }, after: { name: 'b' } },
        { action: 'customer.export', objectType: 'Customer', objectId: fromGlobalId(ids.benCustomer)!.id },
      ]);
    });
    expect(statements).toBe(1);
    // The export is audited but is no public event.
    expect((await app.db.query(`SELECT count(*)::int AS n FROM domain_events`))[0].n).toBe(before + 1);
  });
});
