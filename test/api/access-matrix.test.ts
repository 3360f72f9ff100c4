import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, FieldNode, OperationDefinitionNode, parse } from 'graphql';
import { fromGlobalId, toGlobalId } from '../../src/common/ids';
import { utcDay } from '../../src/intelligence';
import { PURCHASE_STATUSES } from '../../src/order/order.entity';
import { insertSimulatedBuyers } from '../support/simulated-buyers';
import { GraphQLCaller, GraphQLResponse, startTestApp, TestApp } from '../support/test-app';

/*
 * Who may do what, as a table: one row per operation (every query and mutation of the schema, node(id) and
 * nodes with another rep's ids, and the nested paths a caller can reach other records through), one column
 * per caller, and one test per cell. Sales reps A and B each own a customer with a contact, orders, a
 * complaint (logged as a COMPLAINT touchpoint, escalated to the manager) and a lifecycle move; "rep B's" records are what
 * sales rep A must not see or touch.
 *
 * Outcomes:
 *   'ok'              the operation answers (reads: the data is there; writes: no userErrors, and the change is in the database)
 *   'hidden'          the records do not exist for the caller: null, absent from lists and counts; writes answer NOT_FOUND and write nothing
 *   'invalid'         a write answers a userError INVALID at the row's field and writes nothing
 *   'forbidden'       a GraphQL error FORBIDDEN (HTTP 200, null data where it was refused); writes write nothing
 *   lacks('scope')    FORBIDDEN naming the partner scope that is missing (extensions.requiredScope)
 */

const ROLES = ['ADMIN', 'MANAGER', 'REP', 'ANALYST', 'PARTNER_CUSTOMERS', 'PARTNER_READ', 'PARTNER_PII'] as const;
type Role = (typeof ROLES)[number];

const WHO: Record<Role, string> = {
  ADMIN: 'an admin',
  MANAGER: 'a manager',
  REP: 'sales rep A',
  ANALYST: 'an analyst',
  PARTNER_CUSTOMERS: 'a partner with customers:read only',
  PARTNER_READ: 'a partner with every read scope but pii:read',
  PARTNER_PII: 'a partner with every read scope and pii:read',
};

const READ_SCOPES = ['customers:read', 'orders:read', 'touchpoints:read', 'analytics:read'] as const;

/** What each caller may read besides customers, and whether it sees personal data unmasked. */
const SEES: Record<Role, { orders: boolean; touchpoints: boolean; pii: boolean }> = {
  ADMIN: { orders: true, touchpoints: true, pii: true },
  MANAGER: { orders: true, touchpoints: true, pii: true },
  REP: { orders: true, touchpoints: true, pii: true },
  ANALYST: { orders: true, touchpoints: true, pii: false },
  PARTNER_CUSTOMERS: { orders: false, touchpoints: false, pii: false },
  PARTNER_READ: { orders: true, touchpoints: true, pii: false },
  PARTNER_PII: { orders: true, touchpoints: true, pii: true },
};

type Outcome = 'ok' | 'hidden' | 'invalid' | 'forbidden' | { lacks: string };
const lacks = (scope: string): Outcome => ({ lacks: scope });

let app: TestApp;
const as = {} as Record<Role, GraphQLCaller>;

interface Book {
  customer: string;
  contact: string;
  order: string;
  orderNumber: string;
  orderLine: string;
  touchpoint: string;
  complaint: string;
  transition: string;
  opportunity: string;
  task: string;
}
interface Person {
  uuid: string;
  id: string;
}
const w = {
  repA: {} as Person,
  repB: {} as Person,
  manager: {} as Person,
  analyst: {} as Person,
  A: {} as Book,
  /** Rep B's records; `referrer` is rep B's customer who referred rep A's customer. */
  B: {} as Book & { referrer: string },
  coffee: '',
  tea: '',
  apiKey: '',
  auditEvent: '',
  /** A partner key's webhook subscription (to an address nobody listens on, for a rare event type) and one delivery. */
  webhook: '',
  webhookDelivery: '',
  pipeline: '',
  stages: [] as string[],
  /** A launched campaign whose audience is rep A's and rep B's customers. */
  campaign: '',
  /** A PERIODIC survey over MAIL that invites the two MAIL-consenting customers below, one per rep's book. */
  survey: '',
  surveyCustomers: { A: '', B: '' },
  /** An ACTIVE survey with one CSAT question, answered once by each of those customers. */
  responseSurvey: '',
  responses: { A: '', B: '' },
};

const DAY = 86_400_000;
const NOW = Date.now();
const daysAgo = (days: number) => new Date(NOW - days * DAY).toISOString();
/** Midnight UTC sixty days ago: modelDiagnostics calibrates on the purchases up to it. */
const CALIBRATION_END = new Date(utcDay(new Date(NOW - 60 * DAY)) * DAY);
const uuid = (globalId: string) => fromGlobalId(globalId)!.id;

async function one(sql: string, params: unknown[] = []): Promise<any> {
  const [row] = await app.db.query(sql, params);
  return row;
}
async function count(sql: string, params: unknown[] = []): Promise<number> {
  return (await one(sql, params)).n;
}

/** SQL conditions on a customers alias `c`: the whole base, or rep A's book. */
const EVERYONE = 'TRUE';
const bookOfA = () => `c.owner_id = '${w.repA.uuid}'`;

const liveCustomers = (inBook: string) => count(`SELECT count(*)::int AS n FROM customers c WHERE c.deleted_at IS NULL AND ${inBook}`);
const buyers = (inBook: string, until: Date | string = new Date()) =>
  count(
    `SELECT count(DISTINCT o.customer_id)::int AS n FROM orders o JOIN customers c ON c.id = o.customer_id AND c.deleted_at IS NULL
      WHERE o.status = ANY($1::text[]) AND o.deleted_at IS NULL AND o.placed_at <= $2 AND ${inBook}`,
    [PURCHASE_STATUSES, until],
  );
const ownerOf = async (customer: string): Promise<string | null> => (await one(`SELECT owner_id FROM customers WHERE id = $1`, [uuid(customer)])).owner_id;

/** Runs a mutation as ADMIN, insists it worked, and returns its payload. */
async function adminWrites(mutation: string, variables: Record<string, unknown>): Promise<any> {
  const data = await app.ok(mutation, variables);
  const payload = Object.values(data)[0] as { userErrors: unknown[] };
  expect(payload.userErrors).toEqual([]);
  return payload;
}

/**
 * What every table holds, in one statement: "nothing was written" means this is the same before and after. A table
 * is summed up by its row count and its newest row version (xmin, the transaction that wrote the row), so an insert,
 * update or delete shows. API keys are hashed instead, without last_used_at: authenticating a request stamps it.
 */
let fingerprintSql = '';
async function fingerprint(): Promise<Record<string, string>> {
  // Scores are rewritten by the worker after writes: compare the database once it has caught up.
  await app.scoresSettled();
  if (!fingerprintSql) {
    const tables: Array<{ tablename: string }> = await app.db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`);
    fingerprintSql = tables
      .map(({ tablename }) =>
        tablename === 'api_keys'
          ? `SELECT 'api_keys' AS t, count(*) || ' rows ' || coalesce(md5(string_agg(r::text, '|' ORDER BY r::text)), '') AS h
               FROM (SELECT to_jsonb(k) - 'last_used_at' AS r FROM api_keys k) s`
          : `SELECT '${tablename}' AS t, count(*) || ' rows, newest written by ' || coalesce(max(xmin::text::bigint), 0) AS h FROM "${tablename}"`,
      )
      .join(' UNION ALL ');
  }
  const rows: Array<{ t: string; h: string }> = await app.db.query(fingerprintSql);
  return Object.fromEntries(rows.map((r) => [r.t, r.h]));
}

// -- fresh records, made by an admin, for writes that can only succeed once ------------------------------------------

let serial = 0;
const next = () => ++serial;
const userOf = (owner: 'A' | 'B') => (owner === 'A' ? w.repA : w.repB);

async function newCustomer(owner: 'A' | 'B', extra: Record<string, unknown> = {}): Promise<string> {
  const p = await adminWrites(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, {
    input: { name: `Fresh customer ${next()}`, ownerId: userOf(owner).id, ...extra },
  });
  return p.customer.id;
}
async function newWebhook(): Promise<string> {
  const key = await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
  const keyId = toGlobalId('ApiKey', (await one(`SELECT id FROM api_keys WHERE $1 LIKE key_prefix || '%' ORDER BY created_at DESC LIMIT 1`, [key])).id);
  const p = await adminWrites(`mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { subscription { id } userErrors { field code } } }`, {
    input: { apiKeyId: keyId, url: 'http://127.0.0.1:9/hooks', eventTypes: ['CUSTOMER_ERASED'] },
  });
  return p.subscription.id;
}
async function newContact(customerId: string): Promise<string> {
  const p = await adminWrites(`mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } userErrors { field code } } }`, {
    input: { customerId, name: `Fresh contact ${next()}` },
  });
  return p.contact.id;
}
async function newTouchpoint(customerId: string): Promise<string> {
  const p = await adminWrites(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } userErrors { field code } } }`, {
    input: { customerId, channel: 'PHONE', purpose: 'CARE', subject: `Check-in ${next()}` },
  });
  return p.touchpoint.id;
}
async function newOrder(customerId: string): Promise<string> {
  const p = await adminWrites(`mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id } userErrors { field code } } }`, {
    input: { customerId, status: 'PENDING', lines: [{ description: 'Descaler', quantity: 1, unitPrice: '9.90' }] },
  });
  return p.order.id;
}
async function newProduct(): Promise<string> {
  const n = next();
  const p = await adminWrites(`mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { field code } } }`, {
    input: { sku: `FRESH-${n}`, name: `Fresh product ${n}`, unitPrice: '5.00' },
  });
  return p.product.id;
}
const CREATE_OPPORTUNITY = `mutation($input: CreateOpportunityInput!) { createOpportunity(input: $input) { opportunity { id } userErrors { field code } } }`;
/** An open opportunity on the rep's customer, owned by that rep (the customer's owner). */
async function newOpportunity(owner: 'A' | 'B'): Promise<string> {
  const p = await adminWrites(CREATE_OPPORTUNITY, { input: { customerId: (owner === 'A' ? w.A : w.B).customer, name: `Deal ${next()}`, amount: '1200.00' } });
  return p.opportunity.id;
}
async function newPipeline(): Promise<{ id: string; stages: string[] }> {
  const p = await adminWrites(`mutation($name: String!) { createPipeline(input: { name: $name, stages: [{ name: "One", probability: 0.2 }, { name: "Two", probability: 0.7 }] }) { pipeline { id stages { id } } userErrors { field code } } }`, {
    name: `Pipeline ${next()}`,
  });
  return { id: p.pipeline.id, stages: p.pipeline.stages.map((st: { id: string }) => st.id) };
}
/** A fresh customer of one owner (merge rows consume them). */
async function freshCustomer(ownerId: string): Promise<string> {
  const p = await adminWrites(`mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, {
    input: { name: `Fresh ${next()}`, ownerId },
  });
  return p.customer.id;
}
/** An inactive assignment rule for a region nobody is in (it must not give any other row's customers an owner). */
async function newAssignmentRule(): Promise<string> {
  const p = await adminWrites(`mutation($name: String!, $owner: ID!) { createAssignmentRule(input: { name: $name, regions: ["Nowhere"], active: false, ownerIds: [$owner] }) { rule { id } userErrors { field code } } }`, {
    name: `Rule ${next()}`,
    owner: w.repA.id,
  });
  return p.rule.id;
}
/** A fresh complaint of one rep's customer, opened by an admin (and resolved, when asked). */
/** A live TEXT custom field on customers, with a key of its own. */
async function newCustomField(type = 'TEXT'): Promise<{ id: string; key: string }> {
  const key = `matrix_field_${next()}`;
  const p = await adminWrites(`mutation($key: String!, $type: CustomFieldType!) { defineCustomField(input: { entity: CUSTOMER, key: $key, label: "Matrix field", type: $type }) { field { id } userErrors { field code } } }`, {
    key,
    type,
  });
  return { id: p.field.id, key };
}

async function newComplaint(owner: 'A' | 'B', resolved = false): Promise<string> {
  const customerId = owner === 'A' ? w.A.customer : w.B.customer;
  const p = await adminWrites(`mutation($input: OpenComplaintInput!) { openComplaint(input: $input) { complaint { id } userErrors { field code } } }`, {
    input: { customerId, channel: 'PHONE', subject: `Complaint ${next()}` },
  });
  if (resolved) await adminWrites(`mutation($id: ID!) { resolveComplaint(input: { id: $id, resolution: "Fixed" }) { complaint { id } userErrors { field code } } }`, { id: p.complaint.id });
  return p.complaint.id;
}
const complaintRow = async (id: string) => one(`SELECT status, escalation_level, assignee_id, customer_satisfied FROM complaints WHERE id = $1`, [uuid(id)]);

const CREATE_CAMPAIGN = `mutation($input: CreateCampaignInput!) { createCampaign(input: $input) { campaign { id } userErrors { field code } } }`;
/** A draft campaign over a region nobody is in (launching it targets no one). */
async function newCampaign(audience: Record<string, unknown> = { region: { eq: 'Nowhere' } }): Promise<string> {
  const p = await adminWrites(CREATE_CAMPAIGN, { input: { name: `Campaign ${next()}`, channel: 'EMAIL', audience } });
  return p.campaign.id;
}
async function runningCampaign(audience?: Record<string, unknown>): Promise<string> {
  const id = await newCampaign(audience);
  await adminWrites(`mutation($id: ID!) { launchCampaign(input: { id: $id }) { targeted userErrors { field code } } }`, { id });
  return id;
}
/** A running campaign that was sent to one fresh consenting customer of rep A's. */
async function sentCampaign(): Promise<{ id: string; customer: string }> {
  const customer = await newCustomer('A', { consents: [{ channel: 'EMAIL', granted: true }] });
  const id = await runningCampaign({ id: { eq: customer } });
  await adminWrites(`mutation($id: ID!) { markCampaignSent(input: { id: $id }) { sent userErrors { field code } } }`, { id });
  return { id, customer };
}
const campaignRow = async (id: string) => one(`SELECT * FROM campaigns WHERE id = $1`, [uuid(id)]);

/** Soft-deletes a record as an admin (deleteCustomer, deleteContact, deleteTouchpoint, deleteProduct). */
async function deleted(mutation: 'deleteCustomer' | 'deleteContact' | 'deleteTouchpoint' | 'deleteProduct' | 'deleteOpportunity', id: string): Promise<string> {
  await adminWrites(`mutation($id: ID!) { ${mutation}(input: { id: $id }) { userErrors { field code } } }`, { id });
  return id;
}

/** An open task of a rep on a customer in their book, scheduled by an admin. */
async function newTask(owner: 'A' | 'B', customerId = owner === 'A' ? w.A.customer : w.B.customer): Promise<string> {
  const p = await adminWrites(`mutation($input: ScheduleTaskInput!) { scheduleTask(input: $input) { task { id } userErrors { field code } } }`, {
    input: { customerId, ownerId: userOf(owner).id, kind: 'CALL', subject: `Call ${next()}`, dueAt: new Date(NOW + DAY).toISOString() },
  });
  return p.task.id;
}
const taskRow = async (id: string) => one(`SELECT * FROM tasks WHERE id = $1`, [uuid(id)]);
/** A survey made by an admin (one CSAT question, MANUAL, EMAIL unless told), activated when asked. */
async function newSurvey(extra: Record<string, unknown> = {}, activate = false): Promise<string> {
  const p = await adminWrites(`mutation($input: CreateSurveyInput!) { createSurvey(input: $input) { survey { id } userErrors { field code } } }`, {
    input: { name: `Survey ${next()}`, questions: [{ key: 'csat', type: 'CSAT', text: 'How happy are you?' }], trigger: 'MANUAL', channel: 'EMAIL', ...extra },
  });
  if (activate) await adminWrites(`mutation($id: ID!) { activateSurvey(input: { id: $id }) { survey { id } userErrors { field code } } }`, { id: p.survey.id });
  return p.survey.id;
}
async function newResponse(customerId: string): Promise<string> {
  const p = await adminWrites(`mutation($input: RecordSurveyResponseInput!) { recordSurveyResponse(input: $input) { response { id } userErrors { field code } } }`, {
    input: { surveyId: w.responseSurvey, customerId, answers: [{ questionKey: 'csat', value: 4 }] },
  });
  return p.response.id;
}
const AGENDA_WINDOW = () => ({ from: new Date(NOW).toISOString(), to: new Date(NOW + 7 * DAY).toISOString() });

// -- the world: two reps with a book each, a manager, an analyst, a population the models can fit ------------------

beforeAll(async () => {
  app = await startTestApp({ WEBHOOK_MAX_ATTEMPTS: '1' }) // a webhook delivery (to an address nobody listens on) is given up at once, not retried while the matrix compares the database;
  const user = async (name: string, role: string): Promise<Person> => {
    const [{ id }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ($1, $2, $3) RETURNING id`, [name, `${name.toLowerCase().replace(/\W+/g, '.')}@rapport.example`, role]);
    return { uuid: id, id: toGlobalId('User', id) };
  };
  w.repA = await user('Rita Rep', 'SALES_REP');
  w.repB = await user('Ben Rep', 'SALES_REP');
  w.manager = await user('Mona Manager', 'MANAGER');
  w.analyst = await user('Anil Analyst', 'ANALYST');
  // The reps report to the manager: a complaint escalated from their book goes to her.
  await app.db.query(`UPDATE users SET manager_id = $1 WHERE id IN ($2, $3)`, [w.manager.uuid, w.repA.uuid, w.repB.uuid]);

  as.ADMIN = app;
  as.MANAGER = await app.as({ role: 'MANAGER', userId: w.manager.uuid });
  as.REP = await app.as({ role: 'SALES_REP', userId: w.repA.uuid });
  as.ANALYST = await app.as({ role: 'ANALYST', userId: w.analyst.uuid });
  as.PARTNER_CUSTOMERS = await app.as({ role: 'PARTNER', scopes: ['customers:read'] });
  as.PARTNER_READ = await app.as({ role: 'PARTNER', scopes: [...READ_SCOPES] });
  as.PARTNER_PII = await app.as({ role: 'PARTNER', scopes: [...READ_SCOPES, 'pii:read'] });

  const product = async (sku: string, name: string, category: string) =>
    (await adminWrites(`mutation($input: CreateProductInput!) { createProduct(input: $input) { product { id } userErrors { field code } } }`, { input: { sku, name, category, unitPrice: '12.50', unitCost: '6.00' } }))
      .product.id;
  w.coffee = await product('COFFEE-1', 'House blend', 'Coffee');
  w.tea = await product('TEA-1', 'Sencha', 'Tea');

  const CREATE = `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`;
  w.B.referrer = (await adminWrites(CREATE, { input: { name: 'Bea Brook', ownerId: w.repB.id } })).customer.id;
  w.A.customer = (
    await adminWrites(CREATE, {
      input: {
        name: 'Alice Archer',
        ownerId: w.repA.id,
        referredById: w.B.referrer,
        externalRef: 'shop-alice',
        email: 'alice.archer@example.com',
        phone: '+4930111111',
        birthday: '1985-04-12',
        address: { line1: 'Ackerstr. 1', line2: 'Hof links', city: 'Berlin', region: 'BE', postalCode: '10115', country: 'DE' },
        notes: 'Prefers morning calls',
      },
    })
  ).customer.id;
  w.B.customer = (
    await adminWrites(CREATE, {
      input: {
        name: 'Bruno Baker',
        ownerId: w.repB.id,
        referredById: w.A.customer,
        externalRef: 'shop-bruno',
        email: 'bruno.baker@example.com',
        phone: '+4940222222',
        birthday: '1979-11-03',
        address: { line1: 'Bahnhofstr. 2', line2: 'Hinterhaus', city: 'Hamburg', region: 'HH', postalCode: '20095', country: 'DE' },
        notes: 'Allergic to nuts',
      },
    })
  ).customer.id;

  const CONTACT = `mutation($input: CreateContactInput!) { createContact(input: $input) { contact { id } userErrors { field code } } }`;
  w.A.contact = (await adminWrites(CONTACT, { input: { customerId: w.A.customer, name: 'Anna Archer', email: 'anna.archer@example.com', phone: '+4930444444', birthday: '1988-02-14', notes: 'Alice’s sister' } })).contact.id;
  w.B.contact = (await adminWrites(CONTACT, { input: { customerId: w.B.customer, name: 'Boris Baker', email: 'boris.baker@example.com', phone: '+4940333333', birthday: '1990-07-21', notes: 'Speaks Portuguese' } })).contact.id;

  // Rep B's customer buys coffee and tea together (a cross-sell rule); rep A's customer buys uncategorised goods.
  const ORDER = `mutation($input: RecordOrderInput!) { recordOrder(input: $input) { order { id number lines { nodes { id } } } userErrors { field code } } }`;
  const order = (customerId: string, placedAt: string, lines: unknown[]) => adminWrites(ORDER, { input: { customerId, placedAt, lines } });
  await order(w.A.customer, daysAgo(150), [{ description: 'Grinder', quantity: 1, unitPrice: '89.00', unitCost: '50.00' }]);
  const a = (await order(w.A.customer, daysAgo(20), [{ description: 'Filters', quantity: 3, unitPrice: '4.00', unitCost: '1.00' }])).order;
  await order(w.B.customer, daysAgo(200), [{ productId: w.coffee, quantity: 1 }, { productId: w.tea, quantity: 1 }]);
  const b = (await order(w.B.customer, daysAgo(30), [{ productId: w.coffee, quantity: 2 }, { productId: w.tea, quantity: 1 }])).order;
  Object.assign(w.A, { order: a.id, orderNumber: a.number, orderLine: a.lines.nodes[0].id });
  Object.assign(w.B, { order: b.id, orderNumber: b.number, orderLine: b.lines.nodes[0].id });

  const LOG = `mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } userErrors { field code } } }`;
  w.A.touchpoint = (await adminWrites(LOG, { input: { customerId: w.A.customer, channel: 'PHONE', purpose: 'COMPLAINT', subject: 'Late parcel', notes: 'Alice says the parcel came a week late' } })).touchpoint.id;
  w.B.touchpoint = (await adminWrites(LOG, { input: { customerId: w.B.customer, channel: 'EMAIL', purpose: 'COMPLAINT', subject: 'Leaking machine', notes: 'Bruno says the machine leaks' } })).touchpoint.id;

  // The complaints those touchpoints opened, each escalated to the manager.
  for (const book of [w.A, w.B]) {
    book.complaint = toGlobalId('Complaint', (await one(`SELECT id FROM complaints WHERE touchpoint_id = $1`, [uuid(book.touchpoint)])).id);
    await adminWrites(`mutation($id: ID!, $to: ID) { escalateComplaint(input: { id: $id, toUserId: $to, note: "Angry customer" }) { complaint { id } userErrors { field code } } }`, {
      id: book.complaint,
      to: w.manager.id,
    });
  }

  const MOVE = `mutation($input: MoveCustomerToStageInput!) { moveCustomerToStage(input: $input) { transition { id } userErrors { field code } } }`;
  w.A.transition = (await adminWrites(MOVE, { input: { customerId: w.A.customer, stage: 'GROWING', reason: 'Second purchase' } })).transition.id;
  w.B.transition = (await adminWrites(MOVE, { input: { customerId: w.B.customer, stage: 'GROWING', reason: 'Second purchase' } })).transition.id;

  // One open opportunity each in the default pipeline, owned by the customer's rep.
  const pipeline = (await app.ok(`{ pipelines { id isDefault stages { id } } }`)).pipelines.find((p: { isDefault: boolean }) => p.isDefault);
  w.pipeline = pipeline.id;
  w.stages = pipeline.stages.map((st: { id: string }) => st.id);
  w.A.opportunity = await newOpportunity('A');
  w.B.opportunity = await newOpportunity('B');

  // A population from the BG/NBD story (straight into the tables, as the analytics tests do), a quarter in each
  // rep's book, so that both models fit and a rep's analytics have something to leave out.
  await insertSimulatedBuyers(app.db, {
    n: 80,
    seed: 7,
    name: (i) => `Sim ${String(i).padStart(2, '0')}`,
    owner: (i) => (i % 4 === 0 ? w.repA.uuid : i % 4 === 1 ? w.repB.uuid : null),
    currency: app.config.baseCurrency,
    now: NOW,
  });
  const fit = await adminWrites(`mutation { fitCustomerModel(input: {}) { model { gammaGamma { p } } userErrors { field code } } }`, {});
  expect(fit.model.gammaGamma).not.toBeNull();
  // Scored fields and derived filters read the worker's rows: wait for its rescore after the fit.
  await app.scoresSettled();

  w.A.task = await newTask('A');
  w.B.task = await newTask('B');

  w.campaign = await runningCampaign({ id: { in: [w.A.customer, w.B.customer] } });
  w.survey = await newSurvey({ trigger: 'PERIODIC', periodDays: 30, channel: 'MAIL' }, true);
  for (const owner of ['A', 'B'] as const) w.surveyCustomers[owner] = await newCustomer(owner, { consents: [{ channel: 'MAIL', granted: true }] });
  w.responseSurvey = await newSurvey({}, true);
  for (const owner of ['A', 'B'] as const) w.responses[owner] = await newResponse(w.surveyCustomers[owner]);

  w.apiKey = toGlobalId('ApiKey', (await one(`SELECT id FROM api_keys WHERE role = 'SALES_REP'`)).id);
  w.auditEvent = toGlobalId('AuditEvent', (await one(`SELECT id FROM audit_events WHERE object_id = $1 AND action = 'customer.create'`, [uuid(w.B.customer)])).id);
  w.webhook = await newWebhook();
  w.webhookDelivery = toGlobalId(
    'WebhookDelivery',
    (
      await one(
        `INSERT INTO webhook_deliveries (subscription_id, event_id, event_seq, object_type, object_id, status, attempts)
         SELECT $1, id, seq, object_type, object_id, 'FAILED', 1 FROM domain_events WHERE object_id = $2 AND seq IS NOT NULL ORDER BY seq LIMIT 1 RETURNING id`,
        [uuid(w.webhook), uuid(w.B.customer)],
      )
    ).id,
  );
});
afterAll(() => app.close());

// -- how each outcome is checked ---------------------------------------------------------------------------------------

function valueAt(data: unknown, path: ReadonlyArray<string | number> = []): unknown {
  let v: any = data;
  for (const key of path) {
    if (v == null) return null;
    v = v[key];
  }
  return v ?? null;
}

function expectForbidden(res: GraphQLResponse, outcome: Outcome): void {
  expect(res.status).toBe(200);
  expect([...new Set((res.errors ?? []).map((e) => e.extensions?.code))]).toEqual(['FORBIDDEN']);
  for (const e of res.errors!) {
    // Nothing comes back where the caller was refused (GraphQL nulls the nearest nullable field above it).
    expect({ path: e.path, value: valueAt(res.data, e.path) }).toEqual({ path: e.path, value: null });
    if (typeof outcome === 'object') expect(e.extensions?.requiredScope).toBe(outcome.lacks);
  }
}

function title(role: Role, outcome: Outcome, what: string, write: boolean, field?: string[]): string {
  const who = WHO[role];
  if (outcome === 'ok') return `${who} can ${what}`;
  if (outcome === 'hidden') return write ? `${who} cannot ${what}: NOT_FOUND, and nothing is written` : `${who} cannot ${what}: it does not exist for them`;
  if (outcome === 'invalid') return `${who} cannot ${what}: INVALID at ${field?.join('.')}, and nothing is written`;
  const scope = typeof outcome === 'object' ? ` without the ${outcome.lacks} scope` : '';
  return `${who} may not ${what}${scope}: FORBIDDEN${write ? ', and nothing is written' : ''}`;
}

// -- reads ------------------------------------------------------------------------------------------------------------

interface ReadRow {
  what: string;
  query: string;
  vars?: () => Record<string, unknown>;
  outcomes: Record<Role, Outcome>;
  ok?: (data: any, role: Role) => unknown;
  hidden?: (data: any) => unknown;
  /** Cells where the server does not follow the rules yet: the test states the rule and is expected to fail. */
  bugs?: Partial<Record<Role, string>>;
}

const ids = (nodes: Array<{ id: string } | null>) => nodes.map((n) => n?.id);
const customersIn = (list: Array<{ customer: { id: string } }>) => [...new Set(list.map((i) => i.customer.id))];
async function allInBookOfA(customerIds: string[]): Promise<void> {
  const owners = await app.db.query(`SELECT DISTINCT owner_id FROM customers WHERE id = ANY($1::uuid[])`, [customerIds.map(uuid)]);
  expect(owners).toEqual([{ owner_id: w.repA.uuid }]);
}

/** The funnel's stage sizes and moves (over the last year) are those of the customers in `inBook`. */
async function expectFunnelOver(funnel: { stages: Array<{ current: number }>; flows: Array<{ count: number }> }, inBook: string): Promise<void> {
  expect(funnel.stages.reduce((s, x) => s + x.current, 0)).toBe(await liveCustomers(`c.lifecycle_stage_id IS NOT NULL AND ${inBook}`));
  expect(funnel.flows.reduce((s, x) => s + x.count, 0)).toBe(
    await count(`SELECT count(*)::int AS n FROM lifecycle_transitions t JOIN customers c ON c.id = t.customer_id WHERE t.at >= $1 AND t.at < $2 AND ${inBook}`, [daysAgo(365), daysAgo(-1)]),
  );
}

const READS: ReadRow[] = [
  // customers and what hangs off them
  {
    what: "see rep B's customer through customer(id)",
    query: `query($id: ID!) { customer(id: $id) { id name } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer).toEqual({ id: w.B.customer, name: 'Bruno Baker' }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer through customer(externalRef)",
    query: `{ customer(externalRef: "shop-bruno") { id } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer).toEqual({ id: w.B.customer }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customers in customers and its totalCount",
    query: `query($pair: [ID!]) { all: customers { totalCount } pair: customers(filter: { id: { in: $pair } }) { totalCount nodes { id } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.all.totalCount).toBe(await liveCustomers(EVERYONE));
      expect(d.pair).toEqual({ totalCount: 2, nodes: [{ id: w.A.customer }, { id: w.B.customer }] });
    },
    hidden: async (d) => {
      expect(d.all.totalCount).toBe(await liveCustomers(bookOfA()));
      expect(d.pair).toEqual({ totalCount: 1, nodes: [{ id: w.A.customer }] });
    },
  },
  {
    what: "see pairs with rep B's customers in duplicateCandidates",
    query: `{ duplicateCandidates(first: 100, minScore: 0) { customer { id } duplicate { id } score } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(Array.isArray(d.duplicateCandidates)).toBe(true),
    hidden: async (d) => {
      const book = new Set((await app.db.query(`SELECT id FROM customers c WHERE ${bookOfA()}`)).map((r: { id: string }) => r.id));
      for (const p of d.duplicateCandidates) expect([book.has(uuid(p.customer.id)), book.has(uuid(p.duplicate.id))]).toEqual([true, true]);
    },
  },
  {
    what: "find rep B's customer with customers(search:) by name or contact name",
    query: `{ byName: customers(search: "bruno") { nodes { id } } byContact: customers(search: "boris") { nodes { id } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d).toEqual({ byName: { nodes: [{ id: w.B.customer }] }, byContact: { nodes: [{ id: w.B.customer }] } }),
    hidden: (d) => expect(d).toEqual({ byName: { nodes: [] }, byContact: { nodes: [] } }),
  },
  {
    what: "list rep B's book with customers(filter: { owner })",
    query: `query($owner: ID!) { customers(filter: { owner: { eq: $owner } }) { totalCount } }`,
    vars: () => ({ owner: w.repB.id }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.customers.totalCount).toBe(await liveCustomers(`c.owner_id = '${w.repB.uuid}'`)),
    hidden: (d) => expect(d.customers.totalCount).toBe(0),
  },
  {
    what: "see rep B's customers in user.customers, through node(id: rep B)",
    query: `query($id: ID!) { node(id: $id) { ... on User { name customers { totalCount nodes { id } } } } }`,
    vars: () => ({ id: w.repB.id }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: async (d) => {
      expect(d.node.customers.totalCount).toBe(await liveCustomers(`c.owner_id = '${w.repB.uuid}'`));
      expect(ids(d.node.customers.nodes)).toContain(w.B.customer);
    },
    // The user exists for a rep (they may read users); their book does not.
    hidden: (d) => expect(d.node).toEqual({ name: 'Ben Rep', customers: { totalCount: 0, nodes: [] } }),
  },
  {
    what: "see rep B's customer in customer.referrals of rep A's customer",
    query: `query($id: ID!) { customer(id: $id) { referrals { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.A.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.referrals).toEqual({ totalCount: 1, nodes: [{ id: w.B.customer }] }),
    hidden: (d) => expect(d.customer.referrals).toEqual({ totalCount: 0, nodes: [] }),
  },
  {
    // A nested list of customers asks for what the top-level list asks for before it filters on open opportunities.
    what: "filter customer.referrals of rep A's customer by whether they have an open opportunity",
    query: `query($id: ID!) { customer(id: $id) { referrals(filter: { hasOpenOpportunity: { eq: true } }) { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.A.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: async (d) => {
      const expected = await count(
        `SELECT count(*)::int AS n FROM customers c WHERE c.referred_by_id = '${uuid(w.A.customer)}' AND c.deleted_at IS NULL
            AND EXISTS (SELECT 1 FROM opportunities o WHERE o.customer_id = c.id AND o.status = 'OPEN' AND o.deleted_at IS NULL)`,
      );
      expect(expected).toBe(1);
      expect(d.customer.referrals).toEqual({ totalCount: 1, nodes: [{ id: w.B.customer }] });
    },
    hidden: (d) => expect(d.customer.referrals).toEqual({ totalCount: 0, nodes: [] }),
  },
  {
    what: "see rep B's customer as customer.referredBy of rep A's customer",
    query: `query($id: ID!) { customer(id: $id) { referredBy { id } } }`,
    vars: () => ({ id: w.A.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.referredBy).toEqual({ id: w.B.referrer }),
    hidden: (d) => expect(d.customer.referredBy).toBeNull(),
  },
  {
    what: "count rep B's customer in customer.referralStats of rep A's customer",
    query: `query($id: ID!) { customer(id: $id) { referralStats { customersReferred purchasingCustomers revenue { amount } } } }`,
    vars: () => ({ id: w.A.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.referralStats).toMatchObject({ customersReferred: 1, purchasingCustomers: 1 }),
    hidden: (d) => expect(d.customer.referralStats).toEqual({ customersReferred: 0, purchasingCustomers: 0, revenue: { amount: '0.00' } }),
  },
  {
    what: "count rep B's customer's purchases in customer.clv.referral of rep A's customer",
    query: `query($id: ID!) { customer(id: $id) { referralStats { revenue { amount } } clv(basis: REVENUE) { referral { amount } } } }`,
    vars: () => ({ id: w.A.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => {
      expect(d.customer.clv.referral.amount).not.toBe('0.00');
      expect(d.customer.clv.referral.amount).toBe((Math.round(Number(d.customer.referralStats.revenue.amount) * 10) / 100).toFixed(2));
    },
    hidden: (d) => expect(d.customer.clv.referral).toEqual({ amount: '0.00' }),
  },
  {
    what: "see rep B's customer's contacts through customer.contacts",
    query: `query($id: ID!) { customer(id: $id) { contacts { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.contacts).toEqual({ totalCount: 1, nodes: [{ id: w.B.contact }] }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's orders through customer.orders",
    query: `query($id: ID!) { customer(id: $id) { orders { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => {
      expect(d.customer.orders.totalCount).toBe(2);
      expect(ids(d.customer.orders.nodes)).toContain(w.B.order);
    },
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's touchpoints through customer.touchpoints",
    query: `query($id: ID!) { customer(id: $id) { touchpoints { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.touchpoints).toEqual({ totalCount: 1, nodes: [{ id: w.B.touchpoint }] }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's open complaints through customer.openComplaints and lastTouchpointAt",
    query: `query($id: ID!) { customer(id: $id) { openComplaints lastTouchpointAt } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer).toEqual({ openComplaints: 1, lastTouchpointAt: expect.any(String) }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's lifecycle history through customer.lifecycleHistory",
    query: `query($id: ID!) { customer(id: $id) { lifecycleHistory { totalCount nodes { id } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => {
      expect(d.customer.lifecycleHistory.totalCount).toBe(2);
      expect(ids(d.customer.lifecycleHistory.nodes)).toContain(w.B.transition);
    },
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's purchases through customer.orderStats",
    query: `query($id: ID!) { customer(id: $id) { orderStats { orders purchaseOccasions } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.orderStats).toEqual({ orders: 2, purchaseOccasions: 2 }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's scores through customer.rfm",
    query: `query($id: ID!) { customer(id: $id) { rfm { frequency segment } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.rfm).toEqual({ frequency: 2, segment: expect.any(String) }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's churn risk through customer.churnRisk",
    query: `query($id: ID!) { customer(id: $id) { churnRisk { probability drivers { code } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.customer.churnRisk.drivers).toContainEqual({ code: 'OPEN_COMPLAINTS' }),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "see rep B's customer's lifetime value through customer.clv",
    query: `query($id: ID!) { customer(id: $id) { clv { historical { amount } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(Number(d.customer.clv.historical.amount)).toBeGreaterThan(0),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: "export rep B's customer with exportCustomerData",
    query: `query($id: ID!) { exportCustomerData(id: $id) }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d, role) => {
      const doc = d.exportCustomerData;
      expect(doc.customer).toMatchObject({ id: w.B.customer, email: SEES[role].pii ? 'bruno.baker@example.com' : 'b***@example.com' });
      // What a key's scopes do not cover is not in the document either.
      expect(JSON.stringify(doc).includes(w.B.order)).toBe(SEES[role].orders);
      expect(JSON.stringify(doc).includes(w.B.touchpoint)).toBe(SEES[role].touchpoints);
    },
    hidden: (d) => expect(d.exportCustomerData).toBeNull(),
  },
  // contacts, orders, touchpoints
  {
    what: "see rep B's contacts in contacts and its totalCount",
    query: `query($pair: [ID!]) { all: contacts { totalCount } pair: contacts(filter: { customer: { in: $pair } }) { nodes { id } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM contacts WHERE deleted_at IS NULL`));
      expect(ids(d.pair.nodes).sort()).toEqual([w.A.contact, w.B.contact].sort());
    },
    hidden: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM contacts k JOIN customers c ON c.id = k.customer_id WHERE k.deleted_at IS NULL AND ${bookOfA()}`));
      expect(d.pair.nodes).toEqual([{ id: w.A.contact }]);
    },
  },
  {
    what: "see rep B's orders in orders and its totalCount",
    query: `query($pair: [ID!]) { all: orders { totalCount } pair: orders(first: 100, filter: { customer: { in: $pair } }) { nodes { id } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM orders WHERE deleted_at IS NULL`));
      expect(ids(d.pair.nodes)).toEqual(expect.arrayContaining([w.A.order, w.B.order]));
    },
    hidden: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.deleted_at IS NULL AND ${bookOfA()}`));
      expect(ids(d.pair.nodes)).toContain(w.A.order);
      expect(ids(d.pair.nodes)).not.toContain(w.B.order);
    },
  },
  {
    what: "see rep B's order through order(id)",
    query: `query($id: ID!) { order(id: $id) { id number } }`,
    vars: () => ({ id: w.B.order }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.order).toEqual({ id: w.B.order, number: w.B.orderNumber }),
    hidden: (d) => expect(d.order).toBeNull(),
  },
  {
    what: "see rep B's order through order(number)",
    query: `query($number: String!) { order(number: $number) { id } }`,
    vars: () => ({ number: w.B.orderNumber }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.order).toEqual({ id: w.B.order }),
    hidden: (d) => expect(d.order).toBeNull(),
  },
  {
    what: "see rep B's order lines through order.lines",
    query: `query($id: ID!) { order(id: $id) { lines { totalCount nodes { id description } } } }`,
    vars: () => ({ id: w.B.order }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.order.lines).toEqual({ totalCount: 2, nodes: [{ id: w.B.orderLine, description: 'House blend' }, { id: expect.any(String), description: 'Sencha' }] }),
    hidden: (d) => expect(d.order).toBeNull(),
  },
  {
    what: "see rep B's touchpoints in touchpoints and its totalCount",
    query: `query($pair: [ID!]) { all: touchpoints { totalCount } pair: touchpoints(filter: { customer: { in: $pair } }) { nodes { id } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM touchpoints WHERE deleted_at IS NULL`));
      expect(ids(d.pair.nodes).sort()).toEqual([w.A.touchpoint, w.B.touchpoint].sort());
    },
    hidden: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM touchpoints t JOIN customers c ON c.id = t.customer_id WHERE t.deleted_at IS NULL AND ${bookOfA()}`));
      expect(d.pair.nodes).toEqual([{ id: w.A.touchpoint }]);
    },
  },
  // complaints
  {
    what: "see rep B's customer's complaint in complaints and through customer.complaints",
    query: `query($pair: [ID!], $b: ID!) { pair: complaints(filter: { customer: { in: $pair } }) { nodes { id } } customer(id: $b) { complaints { nodes { id } } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer], b: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => {
      expect(ids(d.pair.nodes)).toEqual(expect.arrayContaining([w.A.complaint, w.B.complaint]));
      expect(ids(d.customer.complaints.nodes)).toContain(w.B.complaint);
    },
    hidden: (d) => {
      expect(ids(d.pair.nodes)).not.toContain(w.B.complaint);
      expect(ids(d.pair.nodes)).toContain(w.A.complaint);
      expect(d.customer).toBeNull();
    },
  },
  {
    what: "see rep B's customer's complaint escalated in complaintEscalations",
    query: `query($pair: [ID!]) { complaintEscalations(filter: { customer: { in: $pair } }) { nodes { complaint { id } reason } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.complaintEscalations.nodes).toEqual(expect.arrayContaining([{ complaint: { id: w.B.complaint }, reason: 'MANUAL' }])),
    hidden: (d) => {
      expect(JSON.stringify(d)).not.toContain(w.B.complaint);
      expect(d.complaintEscalations.nodes).toContainEqual({ complaint: { id: w.A.complaint }, reason: 'MANUAL' });
    },
  },
  {
    what: 'read the complaint service levels (complaintSlas)',
    query: `{ complaintSlas { severity firstResponseHours } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.complaintSlas.map((s: { severity: string }) => s.severity)).toEqual(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']),
  },
  {
    what: "count rep B's customers' complaints in complaintStats",
    query: `{ complaintStats(from: "2000-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { total { count } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.complaintStats.total.count).toBe(await count(`SELECT count(*)::int AS n FROM complaints k JOIN touchpoints t ON t.id = k.touchpoint_id WHERE t.deleted_at IS NULL`)),
    hidden: async (d) =>
      expect(d.complaintStats.total.count).toBe(
        await count(`SELECT count(*)::int AS n FROM complaints k JOIN touchpoints t ON t.id = k.touchpoint_id JOIN customers c ON c.id = k.customer_id WHERE t.deleted_at IS NULL AND ${bookOfA()}`),
      ),
  },
  {
    what: 'read the loyalty programme (loyaltyProgram)',
    query: `{ loyaltyProgram { name tiers { name } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('loyalty:read'), PARTNER_READ: lacks('loyalty:read'), PARTNER_PII: lacks('loyalty:read') },
    ok: (d) => expect(d.loyaltyProgram.tiers.length).toBeGreaterThan(0),
  },
  {
    what: "count rep B's customers in loyaltyStats",
    query: `{ loyaltyStats { members { customers } nonMembers { customers } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('loyalty:read'), PARTNER_READ: lacks('loyalty:read'), PARTNER_PII: lacks('loyalty:read') },
    ok: async (d) => expect(d.loyaltyStats.members.customers + d.loyaltyStats.nonMembers.customers).toBe(await liveCustomers(EVERYONE)),
    hidden: async (d) => expect(d.loyaltyStats.members.customers + d.loyaltyStats.nonMembers.customers).toBe(await liveCustomers(bookOfA())),
  },
  // surveys: read with touchpoints; responses are customer data, invitations and the summary cover the rep's book
  {
    what: 'read a survey (survey)',
    query: `query($id: ID!) { survey(id: $id) { id status } }`,
    vars: () => ({ id: w.survey }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.survey).toEqual({ id: w.survey, status: 'ACTIVE' }),
  },
  {
    what: 'list the surveys (surveys)',
    query: `{ surveys { id } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.surveys.length).toBe(await count(`SELECT count(*)::int AS n FROM surveys`)),
  },
  {
    what: "see rep B's customer among a survey's invitations (surveyInvitations)",
    query: `query($id: ID!, $asOf: DateTime) { surveyInvitations(surveyId: $id, asOf: $asOf, first: 100) { nodes { customer { id } } } }`,
    vars: () => ({ id: w.survey, asOf: new Date(NOW + DAY).toISOString() }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.surveyInvitations.nodes.map((n: { customer: { id: string } }) => n.customer.id)).toEqual(expect.arrayContaining([w.surveyCustomers.A, w.surveyCustomers.B])),
    hidden: (d) => expect(d.surveyInvitations.nodes.map((n: { customer: { id: string } }) => n.customer.id)).toEqual([w.surveyCustomers.A]),
  },
  {
    what: "see rep B's customer's survey response (survey.responses)",
    query: `query($id: ID!) { survey(id: $id) { responses(first: 100) { nodes { id } } } }`,
    vars: () => ({ id: w.responseSurvey }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(ids(d.survey.responses.nodes)).toEqual(expect.arrayContaining([w.responses.A, w.responses.B])),
    hidden: (d) => expect(ids(d.survey.responses.nodes)).not.toContain(w.responses.B),
  },
  {
    what: "count rep B's customers' survey responses in satisfactionSummary",
    query: `query($id: ID) { satisfactionSummary(from: "2010-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z", groupBy: OWNER, surveyId: $id) { total { current { responses } } } }`,
    vars: () => ({ id: w.responseSurvey }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.satisfactionSummary.total.current.responses).toBe(await count(`SELECT count(*)::int AS n FROM survey_responses WHERE survey_id = $1`, [uuid(w.responseSurvey)])),
    hidden: async (d) =>
      expect(d.satisfactionSummary.total.current.responses).toBe(
        await count(`SELECT count(*)::int AS n FROM survey_responses r JOIN customers c ON c.id = r.customer_id WHERE r.survey_id = $1 AND ${bookOfA()}`, [uuid(w.responseSurvey)]),
      ),
  },
  // node(id) and nodes with rep B's ids
  ...(
    [
      ['customer', () => w.B.customer, 'ok'],
      ['contact', () => w.B.contact, 'ok'],
      ['order', () => w.B.order, lacks('orders:read')],
      ['order line', () => w.B.orderLine, lacks('orders:read')],
      ['touchpoint', () => w.B.touchpoint, lacks('touchpoints:read')],
      ['lifecycle transition', () => w.B.transition, 'ok'],
    ] as Array<[string, () => string, Outcome]>
  ).map(
    ([type, id, partnerWithCustomersRead]): ReadRow => ({
      what: `see rep B's ${type} through node(id)`,
      query: `query($id: ID!) { node(id: $id) { id } }`,
      vars: () => ({ id: id() }),
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: partnerWithCustomersRead, PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
      ok: (d) => expect(d.node).toEqual({ id: id() }),
      hidden: (d) => expect(d.node).toBeNull(),
    }),
  ),
  {
    what: "see rep B's records through nodes(ids)",
    query: `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
    vars: () => ({ ids: [w.B.customer, w.B.contact, w.B.order, w.B.orderLine, w.B.touchpoint, w.B.transition] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(ids(d.nodes)).toEqual([w.B.customer, w.B.contact, w.B.order, w.B.orderLine, w.B.touchpoint, w.B.transition]),
    hidden: (d) => expect(d.nodes).toEqual([null, null, null, null, null, null]),
  },
  {
    what: 'see an API key through node(id)',
    query: `query($id: ID!) { node(id: $id) { id ... on ApiKey { role } } }`,
    vars: () => ({ id: w.apiKey }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(d.node).toEqual({ id: w.apiKey, role: 'SALES_REP' }),
  },
  {
    what: "see the audit event of rep B's customer through node(id)",
    query: `query($id: ID!) { node(id: $id) { id ... on AuditEvent { action } } }`,
    vars: () => ({ id: w.auditEvent }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(d.node).toEqual({ id: w.auditEvent, action: 'customer.create' }),
  },
  // opportunities and pipelines
  {
    what: "see rep B's opportunity through opportunity(id)",
    query: `query($id: ID!) { opportunity(id: $id) { id } }`,
    vars: () => ({ id: w.B.opportunity }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: (d) => expect(d.opportunity).toEqual({ id: w.B.opportunity }),
    hidden: (d) => expect(d.opportunity).toBeNull(),
  },
  {
    what: "see rep B's opportunity through node(id)",
    query: `query($id: ID!) { node(id: $id) { id } }`,
    vars: () => ({ id: w.B.opportunity }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: (d) => expect(d.node).toEqual({ id: w.B.opportunity }),
    hidden: (d) => expect(d.node).toBeNull(),
  },
  {
    what: "see rep B's opportunities in opportunities and its totalCount",
    query: `query($pair: [ID!]) { all: opportunities { totalCount } pair: opportunities(first: 100, filter: { customer: { in: $pair } }) { nodes { id } } }`,
    vars: () => ({ pair: [w.A.customer, w.B.customer] }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM opportunities WHERE deleted_at IS NULL`));
      expect(ids(d.pair.nodes)).toEqual(expect.arrayContaining([w.A.opportunity, w.B.opportunity]));
    },
    hidden: async (d) => {
      expect(d.all.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM opportunities WHERE deleted_at IS NULL AND owner_id = $1`, [w.repA.uuid]));
      expect(ids(d.pair.nodes)).toContain(w.A.opportunity);
      expect(ids(d.pair.nodes)).not.toContain(w.B.opportunity);
    },
  },
  {
    what: "see rep B's customer's opportunities through customer.opportunities",
    query: `query($id: ID!) { customer(id: $id) { opportunities(first: 100) { nodes { id } } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: (d) => expect(ids(d.customer.opportunities.nodes)).toContain(w.B.opportunity),
    hidden: (d) => expect(d.customer).toBeNull(),
  },
  {
    what: 'read the pipelines and their stages',
    query: `{ pipelines { id stages { id } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: (d) => expect(d.pipelines).toContainEqual({ id: w.pipeline, stages: w.stages.map((id) => ({ id })) }),
  },
  {
    what: 'read the custom field definitions',
    query: `{ customFieldDefinitions { id key type } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(Array.isArray(d.customFieldDefinitions)).toBe(true),
  },
  {
    what: 'read the assignment rules',
    query: `{ assignmentRules { id owners { id } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(Array.isArray(d.assignmentRules)).toBe(true),
  },
  {
    what: "count rep B's opportunities in pipelineSummary",
    query: `query($id: ID!, $from: DateTime!, $to: DateTime!) { pipelineSummary(pipelineId: $id, from: $from, to: $to) { stages { count } } }`,
    vars: () => ({ id: w.pipeline, from: daysAgo(30), to: daysAgo(-1) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('opportunities:read'), PARTNER_READ: lacks('opportunities:read'), PARTNER_PII: lacks('opportunities:read') },
    ok: async (d) =>
      expect(d.pipelineSummary.stages.reduce((t: number, st: { count: number }) => t + st.count, 0)).toBe(
        await count(`SELECT count(*)::int AS n FROM opportunities WHERE deleted_at IS NULL AND status = 'OPEN' AND pipeline_id = $1`, [uuid(w.pipeline)]),
      ),
    hidden: async (d) =>
      expect(d.pipelineSummary.stages.reduce((t: number, st: { count: number }) => t + st.count, 0)).toBe(
        await count(`SELECT count(*)::int AS n FROM opportunities WHERE deleted_at IS NULL AND status = 'OPEN' AND pipeline_id = $1 AND owner_id = $2`, [uuid(w.pipeline), w.repA.uuid]),
      ),
  },
  // campaigns: ADMIN and MANAGER run them; ANALYST and SALES_REP read them, a rep only their book's members
  {
    what: 'see a campaign through campaign(id) and campaigns',
    query: `query($id: ID!) { campaign(id: $id) { id status } campaigns(first: 100) { totalCount nodes { id } } }`,
    vars: () => ({ id: w.campaign }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('campaigns:read'), PARTNER_READ: lacks('campaigns:read'), PARTNER_PII: lacks('campaigns:read') },
    ok: async (d) => {
      expect(d.campaign).toEqual({ id: w.campaign, status: 'RUNNING' });
      expect(d.campaigns.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM campaigns WHERE deleted_at IS NULL`));
      expect(ids(d.campaigns.nodes)).toContain(w.campaign);
    },
  },
  {
    what: "see rep B's customer among a campaign's members",
    query: `query($id: ID!) { campaign(id: $id) { members(first: 100) { totalCount nodes { customer { id } } } } }`,
    vars: () => ({ id: w.campaign }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('campaigns:read'), PARTNER_READ: lacks('campaigns:read'), PARTNER_PII: lacks('campaigns:read') },
    ok: (d) => expect(d.campaign.members.nodes.map((n: { customer: { id: string } }) => n.customer.id).sort()).toEqual([w.A.customer, w.B.customer].sort()),
    hidden: (d) => expect(d.campaign.members).toEqual({ totalCount: 1, nodes: [{ customer: { id: w.A.customer } }] }),
  },
  {
    what: "count rep B's customer in campaignStats",
    query: `query($id: ID!) { campaignStats(id: $id) { targeted excluded { count } } }`,
    vars: () => ({ id: w.campaign }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('campaigns:read'), PARTNER_READ: lacks('campaigns:read'), PARTNER_PII: lacks('campaigns:read') },
    ok: (d) => expect(d.campaignStats.targeted + d.campaignStats.excluded.reduce((t: number, e: { count: number }) => t + e.count, 0)).toBe(2),
    hidden: (d) => expect(d.campaignStats.targeted + d.campaignStats.excluded.reduce((t: number, e: { count: number }) => t + e.count, 0)).toBe(1),
  },
  {
    what: "see rep B's customer in campaignMembersCsv",
    query: `query($id: ID!) { campaignMembersCsv(id: $id, statuses: [TARGETED, EXCLUDED]) }`,
    vars: () => ({ id: w.campaign }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('campaigns:read'), PARTNER_READ: lacks('campaigns:read'), PARTNER_PII: lacks('campaigns:read') },
    ok: (d, role) => {
      expect(d.campaignMembersCsv).toContain('Bruno Baker');
      expect(d.campaignMembersCsv.includes('bruno.baker@example.com')).toBe(role !== 'ANALYST');
    },
    hidden: (d) => {
      expect(d.campaignMembersCsv).toContain('Alice Archer');
      expect(d.campaignMembersCsv).not.toContain('Bruno Baker');
    },
  },
  // analytics: computed over the caller's customers
  {
    what: "see rep B's customers in careAgenda",
    query: `query($from: DateTime!, $to: DateTime!) { careAgenda(from: $from, to: $to) { kind customer { id } } }`,
    vars: () => ({ from: daysAgo(1), to: daysAgo(-30) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.careAgenda).toEqual(expect.arrayContaining([{ kind: 'RESOLVE_COMPLAINT', customer: { id: w.A.customer } }, { kind: 'RESOLVE_COMPLAINT', customer: { id: w.B.customer } }])),
    hidden: async (d) => {
      expect(d.careAgenda).toContainEqual({ kind: 'RESOLVE_COMPLAINT', customer: { id: w.A.customer } });
      await allInBookOfA(customersIn(d.careAgenda));
    },
  },
  {
    what: "see rep B's customers in churnWatchlist",
    query: `{ churnWatchlist(first: 100) { customer { id } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.churnWatchlist).toHaveLength(await buyers(EVERYONE));
      expect(customersIn(d.churnWatchlist)).toEqual(expect.arrayContaining([w.A.customer, w.B.customer]));
    },
    hidden: async (d) => {
      expect(d.churnWatchlist).toHaveLength(await buyers(bookOfA()));
      expect(customersIn(d.churnWatchlist)).toContain(w.A.customer);
      await allInBookOfA(customersIn(d.churnWatchlist));
    },
  },
  {
    what: "count rep B's customers in segmentSummary",
    query: `{ segmentSummary { customers segments { customers } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.segmentSummary.customers).toBe(await liveCustomers(EVERYONE)),
    hidden: async (d) => {
      expect(d.segmentSummary.customers).toBe(await liveCustomers(bookOfA()));
      expect(d.segmentSummary.segments.reduce((s: number, r: { customers: number }) => s + r.customers, 0)).toBe(d.segmentSummary.customers);
    },
  },
  {
    what: "count rep B's customers in valueMatrix",
    query: `{ valueMatrix { customers cells { customers } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.valueMatrix.customers).toBe(await liveCustomers(EVERYONE)),
    hidden: async (d) => {
      expect(d.valueMatrix.customers).toBe(await liveCustomers(bookOfA()));
      expect(d.valueMatrix.cells.reduce((s: number, c: { customers: number }) => s + c.customers, 0)).toBe(d.valueMatrix.customers);
    },
  },
  {
    what: "count rep B's buyers in revenueConcentration",
    query: `{ revenueConcentration { customers } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.revenueConcentration.customers).toBe(await buyers(EVERYONE)),
    hidden: async (d) => expect(d.revenueConcentration.customers).toBe(await buyers(bookOfA())),
  },
  {
    what: "count rep B's buyers in cohortRetention",
    query: `{ cohortRetention { customers } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.cohortRetention.reduce((s: number, c: { customers: number }) => s + c.customers, 0)).toBe(await buyers(EVERYONE)),
    hidden: async (d) => expect(d.cohortRetention.reduce((s: number, c: { customers: number }) => s + c.customers, 0)).toBe(await buyers(bookOfA())),
  },
  {
    what: "count rep B's customers and their moves in lifecycleFunnel",
    query: `query($from: DateTime!, $to: DateTime!) { lifecycleFunnel(from: $from, to: $to) { stages { current } flows { count } } }`,
    vars: () => ({ from: daysAgo(365), to: daysAgo(-1) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expectFunnelOver(d.lifecycleFunnel, EVERYONE),
    hidden: (d) => expectFunnelOver(d.lifecycleFunnel, bookOfA()),
  },
  {
    what: "fit rep B's buyers in modelDiagnostics",
    query: `query($calibrationEnd: DateTime!, $holdoutEnd: DateTime!) { modelDiagnostics(calibrationEnd: $calibrationEnd, holdoutEnd: $holdoutEnd) { customers } }`,
    vars: () => ({ calibrationEnd: CALIBRATION_END.toISOString(), holdoutEnd: new Date(NOW).toISOString() }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.modelDiagnostics.customers).toBe(await buyers(EVERYONE, CALIBRATION_END)),
    hidden: async (d) => expect(d.modelDiagnostics.customers).toBe(await buyers(bookOfA(), CALIBRATION_END)),
  },
  {
    what: "count rep B's buyers in clvDistribution",
    query: `{ clvDistribution { customers } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => {
      expect(d.clvDistribution.customers).toBeGreaterThan(0);
      expect(d.clvDistribution).toEqual((await app.ok(`{ clvDistribution { customers } }`)).clvDistribution);
    },
    hidden: async (d) => {
      // The rep's distribution covers the buyers of their book with a prediction: exactly those whose Customer.clv predicts.
      const { customers } = await as.REP.ok(`{ customers(first: 100) { nodes { clv { predicted { amount } } } } }`);
      expect(d.clvDistribution.customers).toBe(customers.nodes.filter((c: { clv: { predicted: unknown } }) => c.clv.predicted).length);
      expect(d.clvDistribution.customers).toBeLessThan((await app.ok(`{ clvDistribution { customers } }`)).clvDistribution.customers);
    },
  },
  {
    what: "see rules from rep B's orders in crossSellRules",
    query: `{ crossSellRules(minSupport: 0) { antecedent consequent } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.crossSellRules).toContainEqual({ antecedent: 'Coffee', consequent: 'Tea' }),
    // Only rep B's customer bought categorised products.
    hidden: (d) => expect(d.crossSellRules).toEqual([]),
  },
  // shared catalogues and models
  {
    what: 'read the active customerModel',
    query: `{ customerModel { customers } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('analytics:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.customerModel.customers).toBe(await buyers(EVERYONE)),
  },
  {
    what: 'read the segments catalogue',
    query: `{ segments { segment } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.segments).toContainEqual({ segment: 'CHAMPIONS' }),
  },
  {
    what: 'read the lifecycleStages catalogue',
    query: `{ lifecycleStages { totalCount nodes { key } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.lifecycleStages.nodes.map((s: { key: string }) => s.key)).toEqual(['PROSPECT', 'ONBOARDING', 'GROWING', 'LOYAL', 'DECLINING', 'CHURNED']),
  },
  {
    what: 'read the products catalogue',
    query: `{ products { totalCount } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d) => expect(d.products.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM products WHERE deleted_at IS NULL`)),
  },
  {
    what: 'read a product through product(id)',
    query: `query($id: ID!) { product(id: $id) { sku category } }`,
    vars: () => ({ id: w.coffee }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('orders:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.product).toEqual({ sku: 'COFFEE-1', category: 'Coffee' }),
  },
  {
    what: 'list the staff with users',
    query: `{ users { totalCount nodes { name } } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: async (d) => {
      expect(d.users.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM users`));
      expect(d.users.nodes).toContainEqual({ name: 'Ben Rep' });
    },
  },
  {
    what: 'list the apiKeys',
    query: `{ apiKeys { totalCount } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: async (d) => expect(d.apiKeys.totalCount).toBe(await count(`SELECT count(*)::int AS n FROM api_keys`)),
  },
  // tasks and the agenda
  {
    what: "see rep B's task in tasks and through node(id)",
    query: `query($id: ID!, $owner: ID!) { node(id: $id) { id } tasks(filter: { owner: { eq: $owner } }, first: 100) { nodes { id } } }`,
    vars: () => ({ id: w.B.task, owner: w.repB.id }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => {
      expect(d.node).toEqual({ id: w.B.task });
      expect(ids(d.tasks.nodes)).toContain(w.B.task);
    },
    hidden: (d) => expect(d).toEqual({ node: null, tasks: { nodes: [] } }),
  },
  {
    what: 'see their own agenda (myAgenda), with nothing of rep B’s book',
    query: `query($from: DateTime!, $to: DateTime!) { myAgenda(from: $from, to: $to, first: 100) { nodes { id source customer { id } } } }`,
    vars: AGENDA_WINDOW,
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'ok', PARTNER_CUSTOMERS: lacks('touchpoints:read'), PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: async (d, role) => {
      const items = d.myAgenda.nodes as Array<{ id: string; customer: { id: string } }>;
      if (role !== 'REP') return expect(items).toEqual([]);
      expect(ids(items)).toContain(w.A.task);
      expect(ids(items)).not.toContain(w.B.task);
      await allInBookOfA(customersIn(items));
    },
  },
  {
    what: 'read the auditEvents',
    query: `query($id: ID!) { auditEvents(filter: { objectId: { eq: $id } }) { nodes { action } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(d.auditEvents.nodes).toContainEqual({ action: 'customer.create' }),
  },
  // events and webhooks
  {
    what: "see the events of rep B's customer",
    query: `query($id: ID!) { events(first: 100, filter: { objectId: $id }) { nodes { type objectId } } }`,
    vars: () => ({ id: w.B.customer }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'ok', PARTNER_CUSTOMERS: 'ok', PARTNER_READ: 'ok', PARTNER_PII: 'ok' },
    ok: (d) => expect(d.events.nodes).toContainEqual({ type: 'CUSTOMER_CREATED', objectId: w.B.customer }),
    hidden: (d) => expect(d).toEqual({ events: { nodes: [] } }),
  },
  {
    what: 'list the webhookSubscriptions',
    query: `{ webhookSubscriptions { id } }`,
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(d.webhookSubscriptions).toContainEqual({ id: w.webhook }),
  },
  {
    what: 'read a subscription’s webhookDeliveries',
    query: `query($id: ID!) { webhookDeliveries(subscriptionId: $id) { nodes { id } } }`,
    vars: () => ({ id: w.webhook }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    ok: (d) => expect(d.webhookDeliveries.nodes).toContainEqual({ id: w.webhookDelivery }),
  },
];

// -- writes -----------------------------------------------------------------------------------------------------------

type Target = Record<string, string>;
interface Operation {
  /** The mutation's root field; its selection ends in `userErrors { field code }`. */
  field: string;
  mutation: string;
  arrange?: () => Promise<Target>;
  vars: (t: Target, role: Role) => Record<string, unknown>;
  notFoundAt?: string[];
  invalidAt?: string[];
  /** What an accepted call must have changed, checked in the database (rows without an 'ok' cell need none). */
  ok?: (payload: any, t: Target, role: Role) => unknown;
}
interface WriteRow extends Operation {
  what: string;
  outcomes: Record<Role, Outcome>;
  bugs?: Partial<Record<Role, string>>;
}

const customerRow = async (id: string) => one(`SELECT * FROM customers WHERE id = $1`, [uuid(id)]);
const UE = 'userErrors { field code }';

/** Operations on one rep's records; the table below uses each on rep B's records and on rep A's. */
const on = (owner: 'A' | 'B') => {
  const mine = () => (owner === 'A' ? w.A : w.B);
  return {
    updateCustomer: (): Operation => ({
      field: 'updateCustomer',
      mutation: `mutation($id: ID!, $region: String) { updateCustomer(input: { id: $id, region: $region }) { customer { region } ${UE} } }`,
      arrange: async () => ({ id: mine().customer }),
      vars: (t, role) => ({ id: t.id, region: `Set by ${role}` }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t, role) => expect((await customerRow(t.id)).region).toBe(`Set by ${role}`),
    }),
    deleteCustomer: (): Operation => ({
      field: 'deleteCustomer',
      mutation: `mutation($id: ID!) { deleteCustomer(input: { id: $id }) { customer { id } ${UE} } }`,
      arrange: async () => ({ id: await newCustomer(owner) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await customerRow(t.id)).deleted_at).not.toBeNull(),
    }),
    restoreCustomer: (): Operation => ({
      field: 'restoreCustomer',
      mutation: `mutation($id: ID!) { restoreCustomer(input: { id: $id }) { customer { id } ${UE} } }`,
      arrange: async () => ({ id: await deleted('deleteCustomer', await newCustomer(owner)) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await customerRow(t.id)).deleted_at).toBeNull(),
    }),
    eraseCustomer: (): Operation => ({
      field: 'eraseCustomer',
      mutation: `mutation($id: ID!) { eraseCustomer(input: { id: $id }) { customer { id } ${UE} } }`,
      arrange: async () => ({ id: await newCustomer(owner, { email: 'fresh@example.com' }) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect(await customerRow(t.id)).toMatchObject({ email: null, erased_at: expect.any(Date) }),
    }),
    moveCustomerToStage: (): Operation => ({
      field: 'moveCustomerToStage',
      mutation: `mutation($id: ID!) { moveCustomerToStage(input: { customerId: $id, stage: "LOYAL" }) { customer { id } ${UE} } }`,
      arrange: async () => ({ id: await newCustomer(owner) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) =>
        expect(await one(`SELECT s.key FROM customers c JOIN lifecycle_stages s ON s.id = c.lifecycle_stage_id WHERE c.id = $1`, [uuid(t.id)])).toEqual({ key: 'LOYAL' }),
    }),
    createContact: (): Operation => ({
      field: 'createContact',
      mutation: `mutation($id: ID!, $name: String!) { createContact(input: { customerId: $id, name: $name }) { contact { id } ${UE} } }`,
      arrange: async () => ({ id: mine().customer, name: `New contact ${next()}` }),
      vars: (t) => ({ id: t.id, name: t.name }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT customer_id FROM contacts WHERE name = $1`, [t.name])).toEqual({ customer_id: uuid(t.id) }),
    }),
    updateContact: (): Operation => ({
      field: 'updateContact',
      mutation: `mutation($id: ID!, $title: String) { updateContact(input: { id: $id, title: $title }) { contact { id } ${UE} } }`,
      arrange: async () => ({ id: mine().contact }),
      vars: (t, role) => ({ id: t.id, title: `Titled by ${role}` }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t, role) => expect(await one(`SELECT title FROM contacts WHERE id = $1`, [uuid(t.id)])).toEqual({ title: `Titled by ${role}` }),
    }),
    deleteContact: (): Operation => ({
      field: 'deleteContact',
      mutation: `mutation($id: ID!) { deleteContact(input: { id: $id }) { contact { id } ${UE} } }`,
      arrange: async () => ({ id: await newContact(mine().customer) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await one(`SELECT deleted_at FROM contacts WHERE id = $1`, [uuid(t.id)])).deleted_at).not.toBeNull(),
    }),
    restoreContact: (): Operation => ({
      field: 'restoreContact',
      mutation: `mutation($id: ID!) { restoreContact(input: { id: $id }) { contact { id } ${UE} } }`,
      arrange: async () => ({ id: await deleted('deleteContact', await newContact(mine().customer)) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await one(`SELECT deleted_at FROM contacts WHERE id = $1`, [uuid(t.id)])).deleted_at).toBeNull(),
    }),
    recordOrder: (): Operation => ({
      field: 'recordOrder',
      mutation: `mutation($id: ID!, $ref: String!) { recordOrder(input: { customerId: $id, externalRef: $ref, lines: [{ description: "Cups", quantity: 6, unitPrice: "3.00" }] }) { order { id } ${UE} } }`,
      arrange: async () => ({ id: mine().customer, ref: `order-${next()}` }),
      vars: (t) => ({ id: t.id, ref: t.ref }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT customer_id FROM orders WHERE external_ref = $1`, [t.ref])).toEqual({ customer_id: uuid(t.id) }),
    }),
    recordOrders: (): Operation => ({
      field: 'recordOrders',
      mutation: `mutation($id: ID!, $ref: String!) { recordOrders(input: { orders: [{ customerId: $id, externalRef: $ref, lines: [{ description: "Mugs", quantity: 2, unitPrice: "8.00" }] }] }) { orders { id } ${UE} } }`,
      arrange: async () => ({ id: mine().customer, ref: `batch-${next()}` }),
      vars: (t) => ({ id: t.id, ref: t.ref }),
      notFoundAt: ['input', 'orders', '0', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT customer_id FROM orders WHERE external_ref = $1`, [t.ref])).toEqual({ customer_id: uuid(t.id) }),
    }),
    updateOrderStatus: (): Operation => ({
      field: 'updateOrderStatus',
      mutation: `mutation($id: ID!) { updateOrderStatus(input: { id: $id, status: PAID }) { order { id } ${UE} } }`,
      arrange: async () => ({ id: await newOrder(mine().customer) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect(await one(`SELECT status FROM orders WHERE id = $1`, [uuid(t.id)])).toEqual({ status: 'PAID' }),
    }),
    logTouchpoint: (): Operation => ({
      field: 'logTouchpoint',
      mutation: `mutation($id: ID!, $subject: String) { logTouchpoint(input: { customerId: $id, channel: PHONE, purpose: FOLLOW_UP, subject: $subject }) { touchpoint { id } ${UE} } }`,
      arrange: async () => ({ id: mine().customer, subject: `Follow-up ${next()}` }),
      vars: (t) => ({ id: t.id, subject: t.subject }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT customer_id FROM touchpoints WHERE subject = $1`, [t.subject])).toEqual({ customer_id: uuid(t.id) }),
    }),
    openComplaint: (): Operation => ({
      field: 'openComplaint',
      mutation: `mutation($id: ID!, $subject: String!) { openComplaint(input: { customerId: $id, channel: PHONE, subject: $subject }) { complaint { id } ${UE} } }`,
      arrange: async () => ({ id: mine().customer, subject: `Complaint ${next()}` }),
      vars: (t) => ({ id: t.id, subject: t.subject }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT customer_id, status FROM complaints WHERE subject = $1`, [t.subject])).toEqual({ customer_id: uuid(t.id), status: 'OPEN' }),
    }),
    ...Object.fromEntries(
      (
        [
          ['acknowledgeComplaint', 'ComplaintStepInput', '', false, { status: 'ACKNOWLEDGED' }],
          ['startComplaintWork', 'ComplaintStepInput', '', false, { status: 'IN_PROGRESS' }],
          ['resolveComplaint', 'ResolveComplaintInput', ', resolution: "Fixed"', false, { status: 'RESOLVED' }],
          ['closeComplaint', 'ComplaintStepInput', '', true, { status: 'CLOSED' }],
          ['reopenComplaint', 'ComplaintStepInput', '', true, { status: 'IN_PROGRESS' }],
          ['recordComplaintFeedback', 'RecordComplaintFeedbackInput', ', satisfied: true', true, { customer_satisfied: true }],
          ['escalateComplaint', 'EscalateComplaintInput', ', note: "Angry"', false, { escalation_level: 1 }],
        ] as const
      ).map(([field, , extra, resolved, expected]) => [
        field,
        (): Operation => ({
          field,
          mutation: `mutation($id: ID!) { ${field}(input: { id: $id${extra} }) { complaint { id } ${UE} } }`,
          arrange: async () => ({ id: await newComplaint(owner, resolved) }),
          vars: (t) => ({ id: t.id }),
          notFoundAt: ['input', 'id'],
          ok: async (p, t) => expect(await complaintRow(t.id)).toMatchObject(expected),
        }),
      ]),
    ) as Record<'acknowledgeComplaint' | 'startComplaintWork' | 'resolveComplaint' | 'closeComplaint' | 'reopenComplaint' | 'recordComplaintFeedback' | 'escalateComplaint', () => Operation>,
    assignComplaint: (): Operation => ({
      field: 'assignComplaint',
      mutation: `mutation($id: ID!, $to: ID!) { assignComplaint(input: { id: $id, assigneeId: $to }) { complaint { id } ${UE} } }`,
      arrange: async () => ({ id: await newComplaint(owner) }),
      vars: (t) => ({ id: t.id, to: w.manager.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect(await complaintRow(t.id)).toMatchObject({ assignee_id: w.manager.uuid }),
    }),
    updateComplaint: (): Operation => ({
      field: 'updateComplaint',
      mutation: `mutation($id: ID!) { updateComplaint(input: { id: $id, severity: CRITICAL, category: DELIVERY }) { complaint { id } ${UE} } }`,
      arrange: async () => ({ id: await newComplaint(owner) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect(await one(`SELECT severity, category FROM complaints WHERE id = $1`, [uuid(t.id)])).toEqual({ severity: 'CRITICAL', category: 'DELIVERY' }),
    }),
    updateTouchpoint: (): Operation => ({
      field: 'updateTouchpoint',
      mutation: `mutation($id: ID!, $subject: String) { updateTouchpoint(input: { id: $id, subject: $subject }) { touchpoint { id } ${UE} } }`,
      arrange: async () => ({ id: mine().touchpoint }),
      vars: (t, role) => ({ id: t.id, subject: `Leak, noted by ${role}` }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t, role) => expect(await one(`SELECT subject FROM touchpoints WHERE id = $1`, [uuid(t.id)])).toEqual({ subject: `Leak, noted by ${role}` }),
    }),
    deleteTouchpoint: (): Operation => ({
      field: 'deleteTouchpoint',
      mutation: `mutation($id: ID!) { deleteTouchpoint(input: { id: $id }) { touchpoint { id } ${UE} } }`,
      arrange: async () => ({ id: await newTouchpoint(mine().customer) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await one(`SELECT deleted_at FROM touchpoints WHERE id = $1`, [uuid(t.id)])).deleted_at).not.toBeNull(),
    }),
    enrollInLoyalty: (): Operation => ({
      field: 'enrollInLoyalty',
      mutation: `mutation($id: ID!) { enrollInLoyalty(input: { customerId: $id }) { account { id } ${UE} } }`,
      arrange: async () => {
        await app.db.query(`DELETE FROM loyalty_accounts a WHERE a.customer_id = $1 AND NOT EXISTS (SELECT 1 FROM points_transactions p WHERE p.account_id = a.id)`, [uuid(mine().customer)]);
        return { id: mine().customer };
      },
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await count(`SELECT count(*)::int AS n FROM loyalty_accounts WHERE customer_id = $1`, [uuid(t.id)])).toBe(1),
    }),
    redeemPoints: (): Operation => ({
      field: 'redeemPoints',
      mutation: `mutation($id: ID!, $key: String!) { redeemPoints(input: { customerId: $id, points: 1, reason: "Access check", idempotencyKey: $key }) { transaction { id } ${UE} } }`,
      arrange: async () => ({ id: await loyaltyMember(mine().customer), key: `redeem-${next()}` }),
      vars: (t) => ({ id: t.id, key: t.key }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await count(`SELECT count(*)::int AS n FROM points_transactions WHERE idempotency_key = $1 AND kind = 'REDEEM'`, [t.key])).toBe(1),
    }),
    adjustPoints: (): Operation => ({
      field: 'adjustPoints',
      mutation: `mutation($id: ID!, $key: String!) { adjustPoints(input: { customerId: $id, points: 5, reason: "Access check", idempotencyKey: $key }) { transaction { id } ${UE} } }`,
      arrange: async () => ({ id: await loyaltyMember(mine().customer), key: `adjust-${next()}` }),
      vars: (t) => ({ id: t.id, key: t.key }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await count(`SELECT count(*)::int AS n FROM points_transactions WHERE idempotency_key = $1 AND kind = 'ADJUST'`, [t.key])).toBe(1),
    }),
    restoreTouchpoint: (): Operation => ({
      field: 'restoreTouchpoint',
      mutation: `mutation($id: ID!) { restoreTouchpoint(input: { id: $id }) { touchpoint { id } ${UE} } }`,
      arrange: async () => ({ id: await deleted('deleteTouchpoint', await newTouchpoint(mine().customer)) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await one(`SELECT deleted_at FROM touchpoints WHERE id = $1`, [uuid(t.id)])).deleted_at).toBeNull(),
    }),
  };
};
/** Enrols the customer (by SQL, not through the API under test) with points to spend; returns its global ID. */
async function loyaltyMember(customer: string): Promise<string> {
  await app.db.query(`INSERT INTO loyalty_accounts (customer_id, program_id) SELECT $1, id FROM loyalty_programs WHERE active ON CONFLICT (customer_id) DO NOTHING`, [uuid(customer)]);
  await app.db.query(
    `INSERT INTO points_transactions (account_id, customer_id, kind, points, at, reason) SELECT id, customer_id, 'ADJUST', 10, now(), 'Access matrix' FROM loyalty_accounts WHERE customer_id = $1`,
    [uuid(customer)],
  );
  return customer;
}

const onB = on('B');
const onA = on('A');

const CREATE_CUSTOMER = `mutation($name: String!, $owner: ID) { createCustomer(input: { name: $name, ownerId: $owner }) { customer { id } ${UE} } }`;
const ownerIs = (expected: () => string | null) => async (p: any) => expect(await ownerOf(p.customer.id)).toBe(expected());

const WRITES: WriteRow[] = [
  // customers
  {
    what: 'create a customer without naming an owner (a sales rep becomes its owner)',
    field: 'createCustomer',
    mutation: CREATE_CUSTOMER,
    vars: () => ({ name: `Walk-in ${next()}` }),
    ok: async (p, t, role) => expect(await ownerOf(p.customer.id)).toBe(role === 'REP' ? w.repA.uuid : null),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: 'create a customer for rep B (createCustomer ownerId)',
    field: 'createCustomer',
    mutation: CREATE_CUSTOMER,
    vars: () => ({ name: `For Ben ${next()}`, owner: w.repB.id }),
    invalidAt: ['input', 'ownerId'],
    ok: ownerIs(() => w.repB.uuid),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: 'create a customer owned by the manager (createCustomer ownerId)',
    field: 'createCustomer',
    mutation: CREATE_CUSTOMER,
    vars: () => ({ name: `For Mona ${next()}`, owner: w.manager.id }),
    invalidAt: ['input', 'ownerId'],
    ok: ownerIs(() => w.manager.uuid),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: 'create a customer owned by the analyst (owners are sales reps or managers)',
    field: 'createCustomer',
    mutation: CREATE_CUSTOMER,
    vars: () => ({ name: `For Anil ${next()}`, owner: w.analyst.id }),
    invalidAt: ['input', 'ownerId'],
    outcomes: { ADMIN: 'invalid', MANAGER: 'invalid', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "merge rep B's customer into rep A's (mergeCustomers)",
    field: 'mergeCustomers',
    mutation: `mutation($s: ID!, $d: ID!) { mergeCustomers(input: { survivorId: $s, mergedIds: [$d] }) { customer { id } ${UE} } }`,
    arrange: async () => ({ s: await freshCustomer(w.repA.id), d: await freshCustomer(w.repB.id) }),
    vars: (t) => ({ s: t.s, d: t.d }),
    notFoundAt: ['input', 'mergedIds', '0'],
    ok: async (p, t) => expect(await customerRow(t.d)).toMatchObject({ merged_into_id: uuid(t.s) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "merge two of rep A's customers (mergeCustomers)",
    field: 'mergeCustomers',
    mutation: `mutation($s: ID!, $d: ID!) { mergeCustomers(input: { survivorId: $s, mergedIds: [$d] }) { customer { id } ${UE} } }`,
    arrange: async () => ({ s: await freshCustomer(w.repA.id), d: await freshCustomer(w.repA.id) }),
    vars: (t) => ({ s: t.s, d: t.d }),
    notFoundAt: ['input', 'mergedIds', '0'],
    ok: async (p, t) => expect(await customerRow(t.d)).toMatchObject({ merged_into_id: uuid(t.s) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "change rep B's customer (updateCustomer)",
    ...onB.updateCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "change rep A's customer (updateCustomer)",
    ...onA.updateCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "hand rep A's customer to rep B (updateCustomer ownerId)",
    field: 'updateCustomer',
    mutation: `mutation($id: ID!, $owner: ID) { updateCustomer(input: { id: $id, ownerId: $owner }) { customer { id } ${UE} } }`,
    arrange: async () => ({ id: await newCustomer('A') }),
    vars: (t) => ({ id: t.id, owner: w.repB.id }),
    invalidAt: ['input', 'ownerId'],
    ok: async (p, t) => expect(await ownerOf(t.id)).toBe(w.repB.uuid),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "make the analyst the owner of rep A's customer (updateCustomer ownerId)",
    field: 'updateCustomer',
    mutation: `mutation($id: ID!, $owner: ID) { updateCustomer(input: { id: $id, ownerId: $owner }) { customer { id } ${UE} } }`,
    vars: () => ({ id: w.A.customer, owner: w.analyst.id }),
    invalidAt: ['input', 'ownerId'],
    outcomes: { ADMIN: 'invalid', MANAGER: 'invalid', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "delete rep B's customer (deleteCustomer)",
    ...onB.deleteCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "delete rep A's customer (deleteCustomer)",
    ...onA.deleteCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "restore rep B's deleted customer (restoreCustomer)",
    ...onB.restoreCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "restore rep A's deleted customer (restoreCustomer)",
    ...onA.restoreCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "erase rep B's customer's personal data (eraseCustomer)",
    ...onB.eraseCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: "erase rep A's customer's personal data (eraseCustomer)",
    ...onA.eraseCustomer(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: "move rep B's customer to another stage (moveCustomerToStage)",
    ...onB.moveCustomerToStage(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "move rep A's customer to another stage (moveCustomerToStage)",
    ...onA.moveCustomerToStage(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  // contacts
  {
    what: "add a contact to rep B's customer (createContact)",
    ...onB.createContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "add a contact to rep A's customer (createContact)",
    ...onA.createContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "change rep B's contact (updateContact)",
    ...onB.updateContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "change rep A's contact (updateContact)",
    ...onA.updateContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "delete rep B's contact (deleteContact)",
    ...onB.deleteContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "delete rep A's contact (deleteContact)",
    ...onA.deleteContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "restore rep B's deleted contact (restoreContact)",
    ...onB.restoreContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  {
    what: "restore rep A's deleted contact (restoreContact)",
    ...onA.restoreContact(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
  },
  // orders
  {
    what: "record an order for rep B's customer (recordOrder)",
    ...onB.recordOrder(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  {
    what: "record an order for rep A's customer (recordOrder)",
    ...onA.recordOrder(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  {
    what: "record a batch of orders for rep B's customer (recordOrders)",
    ...onB.recordOrders(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  {
    what: "record a batch of orders for rep A's customer (recordOrders)",
    ...onA.recordOrders(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  {
    what: "mark rep B's order paid (updateOrderStatus)",
    ...onB.updateOrderStatus(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  {
    what: "mark rep A's order paid (updateOrderStatus)",
    ...onA.updateOrderStatus(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('orders:write'), PARTNER_READ: lacks('orders:write'), PARTNER_PII: lacks('orders:write') },
  },
  // touchpoints
  // complaints
  {
    what: "open a complaint for rep B's customer (openComplaint)",
    ...onB.openComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "open a complaint for rep A's customer (openComplaint)",
    ...onA.openComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (acknowledgeComplaint)",
    ...onB.acknowledgeComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (acknowledgeComplaint)",
    ...onA.acknowledgeComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (startComplaintWork)",
    ...onB.startComplaintWork(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (startComplaintWork)",
    ...onA.startComplaintWork(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (resolveComplaint)",
    ...onB.resolveComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (resolveComplaint)",
    ...onA.resolveComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (closeComplaint)",
    ...onB.closeComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (closeComplaint)",
    ...onA.closeComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (reopenComplaint)",
    ...onB.reopenComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (reopenComplaint)",
    ...onA.reopenComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (assignComplaint)",
    ...onB.assignComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (assignComplaint)",
    ...onA.assignComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "correct a complaint of rep B's customer (updateComplaint)",
    ...onB.updateComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "correct a complaint of rep A's customer (updateComplaint)",
    ...onA.updateComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (escalateComplaint)",
    ...onB.escalateComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (escalateComplaint)",
    ...onA.escalateComplaint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep B's customer (recordComplaintFeedback)",
    ...onB.recordComplaintFeedback(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "handle a complaint of rep A's customer (recordComplaintFeedback)",
    ...onA.recordComplaintFeedback(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "enrol rep B's customer in the loyalty programme (enrollInLoyalty)",
    ...onB.enrollInLoyalty(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('loyalty:write'), PARTNER_READ: lacks('loyalty:write'), PARTNER_PII: lacks('loyalty:write') },
  },
  {
    what: "enrol rep A's customer in the loyalty programme (enrollInLoyalty)",
    ...onA.enrollInLoyalty(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('loyalty:write'), PARTNER_READ: lacks('loyalty:write'), PARTNER_PII: lacks('loyalty:write') },
  },
  {
    what: "redeem points of rep B's customer (redeemPoints)",
    ...onB.redeemPoints(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('loyalty:write'), PARTNER_READ: lacks('loyalty:write'), PARTNER_PII: lacks('loyalty:write') },
  },
  {
    what: "redeem points of rep A's customer (redeemPoints)",
    ...onA.redeemPoints(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('loyalty:write'), PARTNER_READ: lacks('loyalty:write'), PARTNER_PII: lacks('loyalty:write') },
  },
  {
    what: "adjust the points of rep A's customer (adjustPoints)",
    ...onA.adjustPoints(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'change the loyalty programme (updateLoyaltyProgram)',
    field: 'updateLoyaltyProgram',
    mutation: `mutation { updateLoyaltyProgram(input: { referralBonusPoints: 400 }) { program { version } ${UE} } }`,
    vars: () => ({}),
    ok: async () => expect(await one(`SELECT referral_bonus_points::int AS n FROM loyalty_programs WHERE active`)).toEqual({ n: 400 }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'change the complaint service levels (setComplaintSla)',
    field: 'setComplaintSla',
    mutation: `mutation { setComplaintSla(input: { severity: CRITICAL, firstResponseHours: 2, resolutionHours: 24 }) { sla { version } ${UE} } }`,
    vars: () => ({}),
    ok: async () => expect(await one(`SELECT first_response_hours, resolution_hours FROM complaint_slas WHERE severity = 'CRITICAL'`)).toEqual({ first_response_hours: 2, resolution_hours: 24 }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: "log a touchpoint with rep B's customer (logTouchpoint)",
    ...onB.logTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "log a touchpoint with rep A's customer (logTouchpoint)",
    ...onA.logTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "change rep B's touchpoint (updateTouchpoint)",
    ...onB.updateTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "change rep A's touchpoint (updateTouchpoint)",
    ...onA.updateTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "delete rep B's touchpoint (deleteTouchpoint)",
    ...onB.deleteTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "delete rep A's touchpoint (deleteTouchpoint)",
    ...onA.deleteTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "restore rep B's deleted touchpoint (restoreTouchpoint)",
    ...onB.restoreTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "restore rep A's deleted touchpoint (restoreTouchpoint)",
    ...onA.restoreTouchpoint(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  // tasks
  {
    what: "schedule a task on rep B's customer (scheduleTask)",
    field: 'scheduleTask',
    mutation: `mutation($id: ID!, $subject: String!) { scheduleTask(input: { customerId: $id, kind: CALL, subject: $subject, dueAt: "2031-01-01T00:00:00Z" }) { task { id } ${UE} } }`,
    arrange: async () => ({ id: w.B.customer, subject: `Task ${next()}` }),
    vars: (t) => ({ id: t.id, subject: t.subject }),
    notFoundAt: ['input', 'customerId'],
    ok: async (p, t) => expect(await one(`SELECT customer_id FROM tasks WHERE subject = $1`, [t.subject])).toEqual({ customer_id: uuid(t.id) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "schedule a task on rep A's customer (scheduleTask)",
    field: 'scheduleTask',
    mutation: `mutation($id: ID!, $subject: String!) { scheduleTask(input: { customerId: $id, kind: CALL, subject: $subject, dueAt: "2031-01-01T00:00:00Z" }) { task { id } ${UE} } }`,
    arrange: async () => ({ id: w.A.customer, subject: `Task ${next()}` }),
    vars: (t) => ({ id: t.id, subject: t.subject }),
    ok: async (p, t) => expect(await one(`SELECT customer_id FROM tasks WHERE subject = $1`, [t.subject])).toEqual({ customer_id: uuid(t.id) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  ...(['A', 'B'] as const).flatMap((owner): WriteRow[] => {
    const whose = owner === 'A' ? "rep A's" : "rep B's";
    const rep: Outcome = owner === 'A' ? 'ok' : 'hidden';
    const outcomes = { ADMIN: 'ok', MANAGER: 'ok', REP: rep, ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') } as Record<Role, Outcome>;
    const task = (field: string, input: string): Operation => ({
      field,
      mutation: `mutation($id: ID!) { ${field}(input: { id: $id${input} }) { task { id } ${UE} } }`,
      // A fresh customer each: completing logs a touchpoint, and rep A's own customer's history is checked elsewhere.
      arrange: async () => ({ id: await newTask(owner, await newCustomer(owner)) }),
      vars: (t) => ({ id: t.id }),
      notFoundAt: ['input', 'id'],
    });
    return [
      { what: `change ${whose} task (updateTask)`, ...task('updateTask', ', priority: HIGH'), ok: async (p, t) => expect((await taskRow(t.id)).priority).toBe('HIGH'), outcomes },
      { what: `complete ${whose} task (completeTask)`, ...task('completeTask', ''), ok: async (p, t) => expect((await taskRow(t.id)).completion_touchpoint_id).not.toBeNull(), outcomes },
      { what: `snooze ${whose} task (snoozeTask)`, ...task('snoozeTask', `, until: "${new Date(NOW + 30 * DAY).toISOString()}"`), ok: async (p, t) => expect((await taskRow(t.id)).snoozed_until).not.toBeNull(), outcomes },
      { what: `cancel ${whose} task (cancelTask)`, ...task('cancelTask', ''), ok: async (p, t) => expect((await taskRow(t.id)).status).toBe('CANCELLED'), outcomes },
    ];
  }),
  {
    what: "hand rep B's task to the manager (reassignTask)",
    field: 'reassignTask',
    mutation: `mutation($id: ID!, $owner: ID!) { reassignTask(input: { id: $id, ownerId: $owner }) { task { id } ${UE} } }`,
    arrange: async () => ({ id: await newTask('B') }),
    vars: (t) => ({ id: t.id, owner: w.manager.id }),
    notFoundAt: ['input', 'id'],
    ok: async (p, t) => expect((await taskRow(t.id)).owner_id).toBe(w.manager.uuid),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "hand rep A's task to rep B, who does not own the customer (reassignTask)",
    field: 'reassignTask',
    mutation: `mutation($id: ID!, $owner: ID!) { reassignTask(input: { id: $id, ownerId: $owner }) { task { id } ${UE} } }`,
    arrange: async () => ({ id: await newTask('A') }),
    vars: (t) => ({ id: t.id, owner: w.repB.id }),
    invalidAt: ['input', 'ownerId'],
    outcomes: { ADMIN: 'invalid', MANAGER: 'invalid', REP: 'invalid', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: "accept a suggestion of rep A's agenda (acceptSuggestion): it is rep A's alone",
    field: 'acceptSuggestion',
    mutation: `mutation($id: ID!) { acceptSuggestion(input: { id: $id }) { task { id } ${UE} } }`,
    arrange: async () => {
      const customer = await newCustomer('A');
      const complaint = (await adminWrites(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { touchpoint { id } userErrors { field code } } }`, {
        input: { customerId: customer, channel: 'PHONE', direction: 'INBOUND', purpose: 'COMPLAINT', subject: `Complaint ${next()}` },
      })).touchpoint.id;
      const agenda = await as.REP.ok(`query($from: DateTime!, $to: DateTime!) { myAgenda(from: $from, to: $to, first: 100) { nodes { id suggestion } } }`, AGENDA_WINDOW());
      const key = `RESOLVE_COMPLAINT:${uuid(customer)}:${uuid(complaint)}:`;
      const item = agenda.myAgenda.nodes.find((n: { id: string }) => Buffer.from(n.id, 'base64url').toString('utf8').includes(key));
      return { id: item.id };
    },
    vars: (t) => ({ id: t.id }),
    notFoundAt: ['input', 'id'],
    ok: async (p) => expect((await taskRow(p.task.id)).owner_id).toBe(w.repA.uuid),
    outcomes: { ADMIN: 'hidden', MANAGER: 'hidden', REP: 'ok', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
  },
  {
    what: 'set a stage’s contact cadence (setContactCadence)',
    field: 'setContactCadence',
    mutation: `mutation($days: Int) { setContactCadence(input: { stage: "LOYAL", everyDays: $days }) { stage { key } ${UE} } }`,
    vars: (t, role) => ({ days: 50 + ROLES.indexOf(role) }),
    ok: async (p, t, role) => expect(await one(`SELECT contact_every_days FROM lifecycle_stages WHERE key = 'LOYAL'`)).toEqual({ contact_every_days: 50 + ROLES.indexOf(role) }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  // the product catalogue
  {
    what: 'create a product (createProduct)',
    field: 'createProduct',
    mutation: `mutation($sku: String!) { createProduct(input: { sku: $sku, name: "Milk jug", unitPrice: "14.00" }) { product { id } ${UE} } }`,
    arrange: async () => ({ sku: `JUG-${next()}` }),
    vars: (t) => ({ sku: t.sku }),
    ok: async (p, t) => expect(await count(`SELECT count(*)::int AS n FROM products WHERE sku = $1`, [t.sku])).toBe(1),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'change a product (updateProduct)',
    field: 'updateProduct',
    mutation: `mutation($id: ID!, $name: String) { updateProduct(input: { id: $id, name: $name }) { product { id } ${UE} } }`,
    arrange: async () => ({ id: await newProduct() }),
    vars: (t, role) => ({ id: t.id, name: `Renamed by ${role}` }),
    ok: async (p, t, role) => expect(await one(`SELECT name FROM products WHERE id = $1`, [uuid(t.id)])).toEqual({ name: `Renamed by ${role}` }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'delete a product (deleteProduct)',
    field: 'deleteProduct',
    mutation: `mutation($id: ID!) { deleteProduct(input: { id: $id }) { product { id } ${UE} } }`,
    arrange: async () => ({ id: await newProduct() }),
    vars: (t) => ({ id: t.id }),
    ok: async (p, t) => expect((await one(`SELECT deleted_at FROM products WHERE id = $1`, [uuid(t.id)])).deleted_at).not.toBeNull(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'restore a deleted product (restoreProduct)',
    field: 'restoreProduct',
    mutation: `mutation($id: ID!) { restoreProduct(input: { id: $id }) { product { id } ${UE} } }`,
    arrange: async () => ({ id: await deleted('deleteProduct', await newProduct()) }),
    vars: (t) => ({ id: t.id }),
    ok: async (p, t) => expect((await one(`SELECT deleted_at FROM products WHERE id = $1`, [uuid(t.id)])).deleted_at).toBeNull(),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  // models over the whole base
  {
    what: 'fit the customer model (fitCustomerModel)',
    field: 'fitCustomerModel',
    mutation: `mutation { fitCustomerModel(input: { activate: false }) { model { id } ${UE} } }`,
    vars: () => ({}),
    ok: async (p) => expect(await one(`SELECT active FROM customer_model_fits WHERE id = $1`, [uuid(p.model.id)])).toEqual({ active: false }),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'move every customer to their suggested stage (applySuggestedLifecycleStages)',
    field: 'applySuggestedLifecycleStages',
    mutation: `mutation { applySuggestedLifecycleStages(input: { dryRun: false }) { evaluated moved ${UE} } }`,
    vars: () => ({}),
    ok: async (p) => expect(p.evaluated).toBe(await liveCustomers(EVERYONE)),
    outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  // opportunities: on rep B's records (hidden from rep A) and rep A's own
  ...(['B', 'A'] as const).flatMap((owner): WriteRow[] => {
    const rep: Outcome = owner === 'B' ? 'hidden' : 'ok';
    const whose = owner === 'B' ? "rep B's" : "rep A's";
    const outcomes = (forRep: Outcome): Record<Role, Outcome> => ({
      ADMIN: 'ok',
      MANAGER: 'ok',
      REP: forRep,
      ANALYST: 'forbidden',
      PARTNER_CUSTOMERS: lacks('opportunities:write'),
      PARTNER_READ: lacks('opportunities:write'),
      PARTNER_PII: lacks('opportunities:write'),
    });
    const oppRow = async (id: string) => one(`SELECT * FROM opportunities WHERE id = $1`, [uuid(id)]);
    const fresh = async () => ({ id: await newOpportunity(owner) });
    return [
      {
        what: `create an opportunity on ${whose} customer (createOpportunity)`,
        field: 'createOpportunity',
        mutation: `mutation($id: ID!, $name: String!) { createOpportunity(input: { customerId: $id, name: $name, amount: "10.00" }) { opportunity { id } ${UE} } }`,
        arrange: async () => ({ id: (owner === 'A' ? w.A : w.B).customer, name: `Deal ${next()}` }),
        vars: (t) => ({ id: t.id, name: t.name }),
        notFoundAt: ['input', 'customerId'],
        ok: async (p, t) => expect(await one(`SELECT customer_id FROM opportunities WHERE name = $1`, [t.name])).toEqual({ customer_id: uuid(t.id) }),
        outcomes: outcomes(rep),
      },
      {
        what: `change ${whose} opportunity (updateOpportunity)`,
        field: 'updateOpportunity',
        mutation: `mutation($id: ID!, $next: String) { updateOpportunity(input: { id: $id, nextStep: $next }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t, role) => ({ id: t.id, next: `Set by ${role}` }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t, role) => expect((await oppRow(t.id)).next_step).toBe(`Set by ${role}`),
        outcomes: outcomes(rep),
      },
      {
        what: `move ${whose} opportunity to another stage (moveOpportunityStage)`,
        field: 'moveOpportunityStage',
        mutation: `mutation($id: ID!, $stage: ID!) { moveOpportunityStage(input: { id: $id, stageId: $stage }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t) => ({ id: t.id, stage: w.stages[2] }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t) => expect((await oppRow(t.id)).stage_id).toBe(uuid(w.stages[2])),
        outcomes: outcomes(rep),
      },
      {
        what: `hand ${whose} opportunity to the manager (assignOpportunity)`,
        field: 'assignOpportunity',
        mutation: `mutation($id: ID!, $owner: ID!) { assignOpportunity(input: { id: $id, ownerId: $owner }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t) => ({ id: t.id, owner: w.manager.id }),
        notFoundAt: ['input', 'id'],
        invalidAt: ['input', 'ownerId'],
        ok: async (p, t) => expect((await oppRow(t.id)).owner_id).toBe(w.manager.uuid),
        outcomes: outcomes(owner === 'B' ? 'hidden' : 'invalid'),
      },
      {
        what: `win ${whose} opportunity (winOpportunity)`,
        field: 'winOpportunity',
        mutation: `mutation($id: ID!) { winOpportunity(input: { id: $id }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t) => ({ id: t.id }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t) => expect((await oppRow(t.id)).status).toBe('WON'),
        outcomes: outcomes(rep),
      },
      {
        what: `lose ${whose} opportunity (loseOpportunity)`,
        field: 'loseOpportunity',
        mutation: `mutation($id: ID!) { loseOpportunity(input: { id: $id, reason: "Price" }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t) => ({ id: t.id }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t) => expect(await oppRow(t.id)).toMatchObject({ status: 'LOST', lost_reason: 'Price' }),
        outcomes: outcomes(rep),
      },
      {
        what: `delete ${whose} opportunity (deleteOpportunity)`,
        field: 'deleteOpportunity',
        mutation: `mutation($id: ID!) { deleteOpportunity(input: { id: $id }) { opportunity { id } ${UE} } }`,
        arrange: fresh,
        vars: (t) => ({ id: t.id }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t) => expect((await oppRow(t.id)).deleted_at).not.toBeNull(),
        outcomes: outcomes(rep),
      },
      {
        what: `restore ${whose} deleted opportunity (restoreOpportunity)`,
        field: 'restoreOpportunity',
        mutation: `mutation($id: ID!) { restoreOpportunity(input: { id: $id }) { opportunity { id } ${UE} } }`,
        arrange: async () => ({ id: await deleted('deleteOpportunity', await newOpportunity(owner)) }),
        vars: (t) => ({ id: t.id }),
        notFoundAt: ['input', 'id'],
        ok: async (p, t) => expect((await oppRow(t.id)).deleted_at).toBeNull(),
        outcomes: outcomes(rep),
      },
    ];
  }),
  // pipelines: configuration, for admins and managers
  ...(
    [
      ['create a pipeline (createPipeline)', 'createPipeline', `mutation($name: String!) { createPipeline(input: { name: $name, stages: [{ name: "Only", probability: 0.5 }] }) { pipeline { id } ${UE} } }`,
        async () => ({ name: `New pipeline ${next()}` }), (t: Target) => ({ name: t.name }),
        async (p: any, t: Target) => expect(await one(`SELECT count(*)::int AS n FROM pipelines WHERE name = $1`, [t.name])).toEqual({ n: 1 })],
      ['rename a pipeline (updatePipeline)', 'updatePipeline', `mutation($id: ID!, $name: String) { updatePipeline(input: { id: $id, name: $name }) { pipeline { id } ${UE} } }`,
        async () => ({ id: (await newPipeline()).id, name: `Renamed ${next()}` }), (t: Target) => ({ id: t.id, name: t.name }),
        async (p: any, t: Target) => expect((await one(`SELECT name FROM pipelines WHERE id = $1`, [uuid(t.id)])).name).toBe(t.name)],
      ['add a stage to a pipeline (addPipelineStage)', 'addPipelineStage', `mutation($id: ID!) { addPipelineStage(input: { pipelineId: $id, name: "Three", probability: 0.9 }) { pipeline { id } ${UE} } }`,
        async () => ({ id: (await newPipeline()).id }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect(await count(`SELECT count(*)::int AS n FROM pipeline_stages WHERE pipeline_id = $1`, [uuid(t.id)])).toBe(3)],
      ['change a stage’s win probability (updatePipelineStage)', 'updatePipelineStage', `mutation($id: ID!) { updatePipelineStage(input: { id: $id, probability: 0.35 }) { pipeline { id } ${UE} } }`,
        async () => ({ id: (await newPipeline()).stages[0] }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await one(`SELECT probability FROM pipeline_stages WHERE id = $1`, [uuid(t.id)])).probability).toBe('0.3500')],
      ['reorder a pipeline’s stages (reorderPipelineStages)', 'reorderPipelineStages', `mutation($id: ID!, $ids: [ID!]!) { reorderPipelineStages(input: { pipelineId: $id, stageIds: $ids }) { pipeline { id } ${UE} } }`,
        async () => { const p = await newPipeline(); return { id: p.id, first: p.stages[1], second: p.stages[0] }; }, (t: Target) => ({ id: t.id, ids: [t.first, t.second] }),
        async (p: any, t: Target) => expect((await one(`SELECT position FROM pipeline_stages WHERE id = $1`, [uuid(t.first)])).position).toBe(1)],
    ] as Array<[string, string, string, () => Promise<Target>, (t: Target) => Record<string, unknown>, (p: any, t: Target) => Promise<unknown>]>
  ).map(
    ([what, field, mutation, arrange, vars, check]): WriteRow => ({
      what,
      field,
      mutation,
      arrange,
      vars,
      ok: check,
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    }),
  ),
  // assignment rules and bulk reassignment: the sales director's, for admins and managers. The rules made here are
  // inactive and match a region nobody is in, so that no other row's new customers get an owner from them.
  ...(
    [
      ['create an assignment rule (createAssignmentRule)', 'createAssignmentRule',
        `mutation($name: String!, $owner: ID!) { createAssignmentRule(input: { name: $name, regions: ["Nowhere"], active: false, ownerIds: [$owner] }) { rule { id } ${UE} } }`,
        async () => ({ name: `Rule ${next()}` }), (t: Target) => ({ name: t.name, owner: w.repA.id }),
        async (p: any, t: Target) => expect(await count(`SELECT count(*)::int AS n FROM assignment_rules WHERE name = $1`, [t.name])).toBe(1)],
      ['change an assignment rule (updateAssignmentRule)', 'updateAssignmentRule',
        `mutation($id: ID!, $name: String) { updateAssignmentRule(input: { id: $id, name: $name }) { rule { id } ${UE} } }`,
        async () => ({ id: await newAssignmentRule(), name: `Renamed rule ${next()}` }), (t: Target) => ({ id: t.id, name: t.name }),
        async (p: any, t: Target) => expect((await one(`SELECT name FROM assignment_rules WHERE id = $1`, [uuid(t.id)])).name).toBe(t.name)],
      ['delete an assignment rule (deleteAssignmentRule)', 'deleteAssignmentRule',
        `mutation($id: ID!) { deleteAssignmentRule(input: { id: $id }) { rule { id } ${UE} } }`,
        async () => ({ id: await newAssignmentRule() }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await one(`SELECT deleted_at FROM assignment_rules WHERE id = $1`, [uuid(t.id)])).deleted_at).not.toBeNull()],
      ['run the assignment rules (applyAssignmentRules)', 'applyAssignmentRules',
        `mutation { applyAssignmentRules(input: { filter: { region: { eq: "Nowhere" } }, dryRun: false }) { evaluated changed ${UE} } }`,
        async () => ({}), () => ({}),
        async (p: any) => expect(p).toMatchObject({ evaluated: 0, changed: 0 })],
      ['reassign customers in bulk (reassignCustomers)', 'reassignCustomers',
        `mutation($to: ID!) { reassignCustomers(input: { filter: { region: { eq: "Nowhere" } }, toOwnerId: $to }) { evaluated changed ${UE} } }`,
        async () => ({}), () => ({ to: w.repA.id }),
        async (p: any) => expect(p).toMatchObject({ evaluated: 0, changed: 0 })],
    ] as Array<[string, string, string, () => Promise<Target>, (t: Target) => Record<string, unknown>, (p: any, t: Target) => Promise<unknown>]>
  ).map(
    ([what, field, mutation, arrange, vars, check]): WriteRow => ({
      what,
      field,
      mutation,
      arrange,
      vars,
      ok: check,
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    }),
  ),
  // campaigns: run by admins and managers
  ...(
    [
      ['create a campaign (createCampaign)', 'createCampaign', `mutation($name: String!) { createCampaign(input: { name: $name, channel: EMAIL, audience: {} }) { campaign { id } ${UE} } }`,
        async () => ({ name: `Campaign ${next()}` }), (t: Target) => ({ name: t.name }),
        async (p: any, t: Target) => expect(await one(`SELECT status FROM campaigns WHERE name = $1`, [t.name])).toEqual({ status: 'DRAFT' })],
      ['change a campaign (updateCampaign)', 'updateCampaign', `mutation($id: ID!, $name: String) { updateCampaign(input: { id: $id, name: $name }) { campaign { id } ${UE} } }`,
        async () => ({ id: await newCampaign(), name: `Renamed campaign ${next()}` }), (t: Target) => ({ id: t.id, name: t.name }),
        async (p: any, t: Target) => expect((await campaignRow(t.id)).name).toBe(t.name)],
      ['cancel a campaign (setCampaignStatus)', 'setCampaignStatus', `mutation($id: ID!) { setCampaignStatus(input: { id: $id, status: CANCELLED }) { campaign { id } ${UE} } }`,
        async () => ({ id: await newCampaign() }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await campaignRow(t.id)).status).toBe('CANCELLED')],
      ['launch a campaign (launchCampaign)', 'launchCampaign', `mutation($id: ID!) { launchCampaign(input: { id: $id }) { campaign { id } ${UE} } }`,
        async () => ({ id: await newCampaign() }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await campaignRow(t.id)).status).toBe('RUNNING')],
      ['delete a draft campaign (deleteCampaign)', 'deleteCampaign', `mutation($id: ID!) { deleteCampaign(input: { id: $id }) { campaign { id } ${UE} } }`,
        async () => ({ id: await newCampaign() }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await campaignRow(t.id)).deleted_at).not.toBeNull()],
      ['report a campaign sent (markCampaignSent)', 'markCampaignSent', `mutation($id: ID!) { markCampaignSent(input: { id: $id }) { sent ${UE} } }`,
        async () => ({ id: await runningCampaign({ id: { eq: await newCustomer('A', { consents: [{ channel: 'EMAIL', granted: true }] }) } }) }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect(await count(`SELECT count(*)::int AS n FROM campaign_members WHERE campaign_id = $1 AND status = 'SENT'`, [uuid(t.id)])).toBe(1)],
      ['record a campaign response (recordCampaignResponse)', 'recordCampaignResponse',
        `mutation($id: ID!, $customer: ID!) { recordCampaignResponse(input: { campaignId: $id, customerId: $customer, kind: RESPONDED }) { member { status } ${UE} } }`,
        async () => sentCampaign(), (t: Target) => ({ id: t.id, customer: t.customer }),
        async (p: any) => expect(p.member).toEqual({ status: 'RESPONDED' })],
      ['hand a campaign’s responders to sales (handResponderToSales)', 'handResponderToSales',
        `mutation($id: ID!) { handResponderToSales(input: { campaignId: $id, kind: TASK }) { tasks ${UE} } }`,
        async () => {
          const t = await sentCampaign();
          await adminWrites(`mutation($id: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $id, customerId: $c, kind: RESPONDED }) { userErrors { field code } } }`, { id: t.id, c: t.customer });
          return t;
        },
        (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => {
          expect(p.tasks).toBe(1);
          expect(await one(`SELECT t.owner_id FROM campaign_members m JOIN tasks t ON t.id = m.task_id WHERE m.campaign_id = $1`, [uuid(t.id)])).toEqual({ owner_id: w.repA.uuid });
        }],
    ] as Array<[string, string, string, () => Promise<Target>, (t: Target) => Record<string, unknown>, (p: any, t: Target) => Promise<unknown>]>
  ).map(
    ([what, field, mutation, arrange, vars, check]): WriteRow => ({
      what,
      field,
      mutation,
      arrange,
      vars,
      ok: check,
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('campaigns:write'), PARTNER_READ: lacks('campaigns:write'), PARTNER_PII: lacks('campaigns:write') },
    }),
  ),
  // one responder handed to sales as an opportunity: whoever may open opportunities, a rep for their own book only
  ...(['B', 'A'] as const).map((owner): WriteRow => ({
    what: `hand rep ${owner}'s campaign responder to sales as an opportunity (handCampaignMemberToSales)`,
    field: 'handCampaignMemberToSales',
    mutation: `mutation($id: ID!) { handCampaignMemberToSales(input: { memberId: $id, kind: OPPORTUNITY }) { member { id } created ${UE} } }`,
    arrange: async () => {
      const customer = await newCustomer(owner, { consents: [{ channel: 'EMAIL', granted: true }] });
      const id = await runningCampaign({ id: { eq: customer } });
      await adminWrites(`mutation($id: ID!) { markCampaignSent(input: { id: $id }) { sent userErrors { field code } } }`, { id });
      const p = await adminWrites(`mutation($id: ID!, $c: ID!) { recordCampaignResponse(input: { campaignId: $id, customerId: $c, kind: RESPONDED }) { member { id } userErrors { field code } } }`, { id, c: customer });
      return { id: p.member.id, customer };
    },
    vars: (t) => ({ id: t.id }),
    notFoundAt: ['input', 'memberId'],
    ok: async (p, t) => {
      expect(p.created).toBe(true);
      expect(await one(`SELECT o.owner_id, o.status FROM campaign_members m JOIN opportunities o ON o.id = m.opportunity_id WHERE m.id = $1`, [uuid(t.id)])).toEqual({ owner_id: userOf(owner).uuid, status: 'OPEN' });
    },
    outcomes: {
      ADMIN: 'ok',
      MANAGER: 'ok',
      REP: owner === 'A' ? 'ok' : 'hidden',
      ANALYST: 'forbidden',
      PARTNER_CUSTOMERS: lacks('opportunities:write'),
      PARTNER_READ: lacks('opportunities:write'),
      PARTNER_PII: lacks('opportunities:write'),
    },
  })),
  // surveys: configuration for admins and managers; responses are customer data, a rep's for their own book
  ...(
    [
      ['create a survey (createSurvey)', 'createSurvey',
        `mutation($name: String!) { createSurvey(input: { name: $name, trigger: MANUAL, channel: EMAIL, questions: [{ key: "csat", type: CSAT, text: "Happy?" }] }) { survey { id } ${UE} } }`,
        async () => ({ name: `New survey ${next()}` }), (t: Target) => ({ name: t.name }),
        async (p: any, t: Target) => expect(await count(`SELECT count(*)::int AS n FROM surveys WHERE name = $1`, [t.name])).toBe(1)],
      ['rename a survey (updateSurvey)', 'updateSurvey', `mutation($id: ID!, $name: String) { updateSurvey(input: { id: $id, name: $name }) { survey { id } ${UE} } }`,
        async () => ({ id: await newSurvey(), name: `Renamed survey ${next()}` }), (t: Target) => ({ id: t.id, name: t.name }),
        async (p: any, t: Target) => expect((await one(`SELECT name FROM surveys WHERE id = $1`, [uuid(t.id)])).name).toBe(t.name)],
      ['activate a survey (activateSurvey)', 'activateSurvey', `mutation($id: ID!) { activateSurvey(input: { id: $id }) { survey { id } ${UE} } }`,
        async () => ({ id: await newSurvey() }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await one(`SELECT status FROM surveys WHERE id = $1`, [uuid(t.id)])).status).toBe('ACTIVE')],
      ['close a survey (closeSurvey)', 'closeSurvey', `mutation($id: ID!) { closeSurvey(input: { id: $id }) { survey { id } ${UE} } }`,
        async () => ({ id: await newSurvey({}, true) }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await one(`SELECT status FROM surveys WHERE id = $1`, [uuid(t.id)])).status).toBe('CLOSED')],
      ['count the SURVEY tasks a survey would schedule (scheduleSurveyTasks, dry run)', 'scheduleSurveyTasks',
        `mutation($id: ID!, $asOf: DateTime) { scheduleSurveyTasks(input: { surveyId: $id, asOf: $asOf, dryRun: true }) { invited scheduled ${UE} } }`,
        async () => ({}), () => ({ id: w.survey, asOf: new Date(NOW + DAY).toISOString() }),
        async (p: any) => expect(p.invited).toBeGreaterThanOrEqual(2)],
    ] as Array<[string, string, string, () => Promise<Target>, (t: Target) => Record<string, unknown>, (p: any, t: Target) => Promise<unknown>]>
  ).map(
    ([what, field, mutation, arrange, vars, check]): WriteRow => ({
      what,
      field,
      mutation,
      arrange,
      vars,
      ok: check,
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    }),
  ),
  ...(['A', 'B'] as const).map(
    (owner): WriteRow => ({
      what: `record a survey response of ${owner === 'A' ? "rep A's" : "rep B's"} customer (recordSurveyResponse)`,
      field: 'recordSurveyResponse',
      mutation: `mutation($s: ID!, $c: ID!) { recordSurveyResponse(input: { surveyId: $s, customerId: $c, answers: [{ questionKey: "csat", value: 5 }] }) { response { id } ${UE} } }`,
      arrange: async () => ({ id: await newCustomer(owner) }),
      vars: (t) => ({ s: w.responseSurvey, c: t.id }),
      notFoundAt: ['input', 'customerId'],
      ok: async (p, t) => expect(await one(`SELECT csat FROM survey_responses WHERE customer_id = $1`, [uuid(t.id)])).toEqual({ csat: 5 }),
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: owner === 'A' ? 'ok' : 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('touchpoints:write'), PARTNER_READ: lacks('touchpoints:write'), PARTNER_PII: lacks('touchpoints:write') },
    }),
  ),
  // custom fields: defined by admins; their values are a change of the record they are on, in its owner's book
  ...(
    [
      ['define a custom field (defineCustomField)', 'defineCustomField',
        `mutation($key: String!) { defineCustomField(input: { entity: CUSTOMER, key: $key, label: "Matrix", type: NUMBER }) { field { id } ${UE} } }`,
        async () => ({ key: `matrix_defined_${next()}` }), (t: Target) => ({ key: t.key }),
        async (p: any, t: Target) => expect(await one(`SELECT type FROM custom_field_definitions WHERE key = $1 AND deleted_at IS NULL`, [t.key])).toEqual({ type: 'NUMBER' })],
      ['change a custom field (updateCustomField)', 'updateCustomField',
        `mutation($id: ID!, $label: String) { updateCustomField(input: { id: $id, label: $label }) { field { id } ${UE} } }`,
        async () => ({ id: (await newCustomField()).id, label: `Relabelled ${next()}` }), (t: Target) => ({ id: t.id, label: t.label }),
        async (p: any, t: Target) => expect((await one(`SELECT label FROM custom_field_definitions WHERE id = $1`, [uuid(t.id)])).label).toBe(t.label)],
      ['delete a custom field (deleteCustomField)', 'deleteCustomField',
        `mutation($id: ID!) { deleteCustomField(input: { id: $id }) { field { id } ${UE} } }`,
        async () => ({ id: (await newCustomField()).id }), (t: Target) => ({ id: t.id }),
        async (p: any, t: Target) => expect((await one(`SELECT deleted_at FROM custom_field_definitions WHERE id = $1`, [uuid(t.id)])).deleted_at).not.toBeNull()],
    ] as Array<[string, string, string, () => Promise<Target>, (t: Target) => Record<string, unknown>, (p: any, t: Target) => Promise<unknown>]>
  ).map(
    ([what, field, mutation, arrange, vars, check]): WriteRow => ({
      what,
      field,
      mutation,
      arrange,
      vars,
      ok: check,
      outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
    }),
  ),
  ...(['A', 'B'] as const).map(
    (owner): WriteRow => ({
      what: `set a custom field on ${owner === 'A' ? "rep A's" : "rep B's"} customer (setCustomFieldValues)`,
      field: 'setCustomFieldValues',
      mutation: `mutation($id: ID!, $key: String!) { setCustomFieldValues(input: { id: $id, values: [{ key: $key, text: "Sailing" }] }) { record { id } ${UE} } }`,
      arrange: async () => ({ id: await newCustomer(owner), key: (await newCustomField()).key }),
      vars: (t) => ({ id: t.id, key: t.key }),
      notFoundAt: ['input', 'id'],
      ok: async (p, t) => expect((await customerRow(t.id)).custom_fields).toEqual({ [t.key]: 'Sailing' }),
      outcomes: { ADMIN: 'ok', MANAGER: 'ok', REP: owner === 'A' ? 'ok' : 'hidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: lacks('customers:write'), PARTNER_READ: lacks('customers:write'), PARTNER_PII: lacks('customers:write') },
    }),
  ),
  // credentials
  {
    what: 'create an API key (createApiKey)',
    field: 'createApiKey',
    mutation: `mutation($name: String!) { createApiKey(input: { name: $name, role: ANALYST }) { key apiKey { id } ${UE} } }`,
    arrange: async () => ({ name: `Dashboard ${next()}` }),
    vars: (t) => ({ name: t.name }),
    ok: async (p, t) => {
      expect(await one(`SELECT role FROM api_keys WHERE name = $1`, [t.name])).toEqual({ role: 'ANALYST' });
      expect((await app.gql(`{ segments { segment } }`, {}, { authorization: `Bearer ${p.key}` })).status).toBe(200);
    },
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'revoke an API key (revokeApiKey)',
    field: 'revokeApiKey',
    mutation: `mutation($id: ID!) { revokeApiKey(input: { id: $id }) { apiKey { status } ${UE} } }`,
    arrange: async () => {
      const p = await adminWrites(`mutation { createApiKey(input: { name: "Doomed", role: ANALYST }) { key apiKey { id } ${UE} } }`, {});
      return { id: p.apiKey.id, key: p.key };
    },
    vars: (t) => ({ id: t.id }),
    ok: async (p, t) => {
      expect(p.apiKey).toEqual({ status: 'REVOKED' });
      expect((await app.gql(`{ segments { segment } }`, {}, { authorization: `Bearer ${t.key}` })).status).toBe(401);
    },
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  // webhooks: ADMIN only, for any key
  {
    what: 'subscribe a key to webhooks (createWebhookSubscription)',
    field: 'createWebhookSubscription',
    mutation: `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id } ${UE} } }`,
    arrange: async () => ({ apiKeyId: toGlobalId('ApiKey', (await one(`SELECT api_key_id FROM webhook_subscriptions LIMIT 1`)).api_key_id) }),
    vars: (t) => ({ input: { apiKeyId: t.apiKeyId, url: `https://hooks.example.com/${next()}`, eventTypes: ['CUSTOMER_ERASED'] } }),
    ok: async (p) => expect(p.secret).toMatch(/^whsec_/),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'change a webhook subscription (updateWebhookSubscription)',
    field: 'updateWebhookSubscription',
    mutation: `mutation($id: ID!) { updateWebhookSubscription(input: { id: $id, eventTypes: [CUSTOMER_ERASED, CUSTOMER_MERGED] }) { subscription { eventTypes } ${UE} } }`,
    arrange: async () => ({ id: await newWebhook() }),
    vars: (t) => ({ id: t.id }),
    ok: async (p) => expect(p.subscription.eventTypes).toEqual(['CUSTOMER_ERASED', 'CUSTOMER_MERGED']),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'delete a webhook subscription (deleteWebhookSubscription)',
    field: 'deleteWebhookSubscription',
    mutation: `mutation($id: ID!) { deleteWebhookSubscription(id: $id) { deletedId ${UE} } }`,
    arrange: async () => ({ id: await newWebhook() }),
    vars: (t) => ({ id: t.id }),
    ok: async (p, t) => expect(await one(`SELECT count(*)::int AS n FROM webhook_subscriptions WHERE id = $1`, [uuid(t.id)])).toEqual({ n: 0 }),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'rotate a webhook secret (rotateWebhookSecret)',
    field: 'rotateWebhookSecret',
    mutation: `mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret ${UE} } }`,
    arrange: async () => ({ id: await newWebhook() }),
    vars: (t) => ({ id: t.id }),
    ok: async (p) => expect(p.secret).toMatch(/^whsec_/),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
  {
    what: 'replay a webhook delivery (replayWebhookDelivery)',
    field: 'replayWebhookDelivery',
    mutation: `mutation($id: ID!) { replayWebhookDelivery(id: $id) { delivery { replayOf } ${UE} } }`,
    arrange: async () => ({ id: w.webhookDelivery }),
    vars: (t) => ({ id: t.id }),
    ok: async (p, t) => expect(p.delivery.replayOf).toBe(t.id),
    outcomes: { ADMIN: 'ok', MANAGER: 'forbidden', REP: 'forbidden', ANALYST: 'forbidden', PARTNER_CUSTOMERS: 'forbidden', PARTNER_READ: 'forbidden', PARTNER_PII: 'forbidden' },
  },
];

// -- the tests --------------------------------------------------------------------------------------------------------

describe('the matrix', () => {
  it('has a row for every query and mutation in schema/schema.graphql', () => {
    const schema = buildSchema(readFileSync(path.join(__dirname, '../../schema/schema.graphql'), 'utf8'));
    const operations = [...Object.keys(schema.getQueryType()!.getFields()), ...Object.keys(schema.getMutationType()!.getFields())];
    const rootFields = (document: string) => (parse(document).definitions[0] as OperationDefinitionNode).selectionSet.selections.map((s) => (s as FieldNode).name.value);
    const covered = new Set([...READS.flatMap((r) => rootFields(r.query)), ...WRITES.flatMap((r) => rootFields(r.mutation))]);
    expect(operations.filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe("the headline: a sales rep and another rep's book", () => {
  it("a sales rep cannot see or touch another rep's records", async () => {
    const rep = as.REP;
    const b = w.B;
    const bAll = [b.customer, b.contact, b.order, b.orderLine, b.touchpoint, b.complaint, b.transition];

    // Nothing of rep B's book can be read, by id, by key, through lists, searches, counts or nested paths.
    const deletedCustomer = await deleted('deleteCustomer', await newCustomer('B'));
    const read = await rep.ok(
      `query($b: ID!, $bIds: [ID!]!, $a: ID!, $repB: ID!, $number: String!, $deleted: ID!) {
        customer(id: $b) { id }
        withDeleted: customers(includeDeleted: true, filter: { id: { eq: $deleted } }) { totalCount }
        byRef: customer(externalRef: "shop-bruno") { id }
        order(number: $number) { id }
        nodes(ids: $bIds) { id }
        search: customers(search: "baker") { totalCount }
        book: customers(filter: { owner: { eq: $repB } }) { totalCount }
        repB: node(id: $repB) { ... on User { customers { totalCount } } }
        own: customer(id: $a) { referrals { totalCount } referredBy { id } }
        exportCustomerData(id: $b)
      }`,
      { b: b.customer, bIds: bAll, a: w.A.customer, repB: w.repB.id, number: b.orderNumber, deleted: deletedCustomer },
    );
    expect(read).toEqual({
      customer: null,
      withDeleted: { totalCount: 0 },
      byRef: null,
      order: null,
      nodes: bAll.map(() => null),
      search: { totalCount: 0 },
      book: { totalCount: 0 },
      repB: { customers: { totalCount: 0 } },
      own: { referrals: { totalCount: 0 }, referredBy: null },
      exportCustomerData: null,
    });
    const lists = await rep.ok(
      `{ customers(first: 100) { nodes { id } } contacts(first: 100) { nodes { id } } orders(first: 100) { nodes { id } } touchpoints(first: 100) { nodes { id } } complaints(first: 100) { nodes { id } } }`,
    );
    for (const id of bAll) expect(JSON.stringify(lists)).not.toContain(id);

    // Every change to rep B's records answers NOT_FOUND, as for a record that does not exist, and writes nothing.
    const before = await fingerprint();
    const attempts: Array<[string, string, Record<string, unknown>, string[]]> = [
      ['updateCustomer', 'UpdateCustomerInput', { id: b.customer, name: 'Mine now' }, ['input', 'id']],
      ['deleteCustomer', 'CustomerIdInput', { id: b.customer }, ['input', 'id']],
      ['restoreCustomer', 'CustomerIdInput', { id: deletedCustomer }, ['input', 'id']],
      ['moveCustomerToStage', 'MoveCustomerToStageInput', { customerId: b.customer, stage: 'CHURNED' }, ['input', 'customerId']],
      ['createContact', 'CreateContactInput', { customerId: b.customer, name: 'Spy' }, ['input', 'customerId']],
      ['updateContact', 'UpdateContactInput', { id: b.contact, isPrimary: true }, ['input', 'id']],
      ['deleteContact', 'ContactIdInput', { id: b.contact }, ['input', 'id']],
      ['recordOrder', 'RecordOrderInput', { customerId: b.customer, lines: [{ description: 'x', quantity: 1, unitPrice: '1.00' }] }, ['input', 'customerId']],
      ['recordOrders', 'RecordOrdersInput', { orders: [{ customerId: b.customer, lines: [{ description: 'x', quantity: 1, unitPrice: '1.00' }] }] }, ['input', 'orders', '0', 'customerId']],
      ['updateOrderStatus', 'UpdateOrderStatusInput', { id: b.order, status: 'CANCELLED' }, ['input', 'id']],
      ['logTouchpoint', 'LogTouchpointInput', { customerId: b.customer, channel: 'EMAIL', purpose: 'PROMOTION' }, ['input', 'customerId']],
      ['updateTouchpoint', 'UpdateTouchpointInput', { id: b.touchpoint, complaintStatus: 'RESOLVED' }, ['input', 'id']],
      ['deleteTouchpoint', 'TouchpointIdInput', { id: b.touchpoint }, ['input', 'id']],
      ['resolveComplaint', 'ResolveComplaintInput', { id: b.complaint, resolution: 'Mine now' }, ['input', 'id']],
      ['openComplaint', 'OpenComplaintInput', { customerId: b.customer, channel: 'EMAIL', subject: 'Spy' }, ['input', 'customerId']],
      // Nor can one of their own records point at one of rep B's.
      ['updateCustomer', 'UpdateCustomerInput', { id: w.A.customer, referredById: b.customer }, ['input', 'referredById']],
      ['createCustomer', 'CreateCustomerInput', { name: 'Referred', referredById: b.customer }, ['input', 'referredById']],
    ];
    for (const [mutation, inputType, input, field] of attempts) {
      const res = await rep.gql(`mutation($input: ${inputType}!) { ${mutation}(input: $input) { userErrors { field code } } }`, { input });
      expect({ mutation, errors: res.errors, userErrors: res.data?.[mutation]?.userErrors }).toEqual({ mutation, errors: undefined, userErrors: [{ field, code: 'NOT_FOUND' }] });
    }
    expect(await fingerprint()).toEqual(before);

    // Their own book is theirs to read and change.
    const own = await rep.ok(
      `query($id: ID!) { customer(id: $id) { name contacts(first: 100) { nodes { id } } orders(first: 100) { nodes { id lines { nodes { id } } } }
        touchpoints(first: 100) { nodes { id } } lifecycleHistory(first: 100) { nodes { id } } } }`,
      { id: w.A.customer },
    );
    expect(own.customer.name).toBe('Alice Archer');
    expect(ids(own.customer.contacts.nodes)).toContain(w.A.contact);
    expect(ids(own.customer.orders.nodes)).toContain(w.A.order);
    expect(own.customer.orders.nodes.flatMap((o: { lines: { nodes: Array<{ id: string }> } }) => ids(o.lines.nodes))).toContain(w.A.orderLine);
    expect(ids(own.customer.touchpoints.nodes)).toContain(w.A.touchpoint);
    expect(ids(own.customer.lifecycleHistory.nodes)).toContain(w.A.transition);
    const changed = await rep.ok(`mutation($id: ID!) { updateCustomer(input: { id: $id, tags: ["coffee-lover"] }) { customer { tags } userErrors { code } } }`, { id: w.A.customer });
    expect(changed.updateCustomer).toEqual({ customer: { tags: ['coffee-lover'] }, userErrors: [] });
  });

  // The server checks that a linked contact or order belongs to the touchpoint's customer before it checks whether
  // the caller may see it at all, so the answer (INVALID "belongs to another customer") tells rep A that the id exists.
  it("a sales rep cannot link another rep's contact or order to a touchpoint of their own customer: NOT_FOUND, as if it did not exist", async () => {
    const before = await fingerprint();
    const logged = await as.REP.gql(`mutation($input: LogTouchpointInput!) { logTouchpoint(input: $input) { userErrors { field code } } }`, {
      input: { customerId: w.A.customer, channel: 'PHONE', purpose: 'FOLLOW_UP', contactId: w.B.contact, orderId: w.B.order },
    });
    const updated = await as.REP.gql(`mutation($input: UpdateTouchpointInput!) { updateTouchpoint(input: $input) { userErrors { field code } } }`, {
      input: { id: w.A.touchpoint, contactId: w.B.contact, orderId: w.B.order },
    });
    const notFound = [{ field: ['input', 'contactId'], code: 'NOT_FOUND' }, { field: ['input', 'orderId'], code: 'NOT_FOUND' }];
    expect(logged.data.logTouchpoint.userErrors).toEqual(notFound);
    expect(updated.data.updateTouchpoint.userErrors).toEqual(notFound);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('who may read what', () => {
  for (const row of READS) {
    describe(row.what, () => {
      for (const role of ROLES) {
        const outcome = row.outcomes[role];
        (row.bugs?.[role] ? it.failing : it)(title(role, outcome, row.what, false), async () => {
          const res = await as[role].gql(row.query, row.vars?.());
          if (outcome === 'ok' || outcome === 'hidden') {
            expect(res.errors).toBeUndefined();
            await (outcome === 'ok' ? row.ok!(res.data, role) : row.hidden!(res.data));
          } else expectForbidden(res, outcome);
        });
      }
    });
  }
});

describe('who may change what', () => {
  for (const row of WRITES) {
    describe(row.what, () => {
      for (const role of ROLES) {
        const outcome = row.outcomes[role];
        const at = outcome === 'invalid' ? row.invalidAt : row.notFoundAt;
        (row.bugs?.[role] ? it.failing : it)(title(role, outcome, row.what, true, at), async () => {
          const target = row.arrange ? await row.arrange() : {};
          const before = await fingerprint();
          const res = await as[role].gql(row.mutation, row.vars(target, role));
          if (outcome === 'ok') {
            expect(res.errors).toBeUndefined();
            expect(res.data[row.field].userErrors).toEqual([]);
            await row.ok!(res.data[row.field], target, role);
            return;
          }
          if (outcome === 'hidden' || outcome === 'invalid') {
            expect(res.errors).toBeUndefined();
            expect(res.data[row.field].userErrors).toEqual([{ field: at, code: outcome === 'hidden' ? 'NOT_FOUND' : 'INVALID' }]);
          } else expectForbidden(res, outcome);
          expect(await fingerprint()).toEqual(before);
        });
      }
    });
  }
});

describe('personal data', () => {
  // Rep A reads their own customer (rep B's does not exist for them); everyone else reads rep B's.
  const PERSONAL = {
    A: {
      customer: () => w.A.customer,
      contactName: 'Anna Archer',
      plain: {
        email: 'alice.archer@example.com',
        phone: '+4930111111',
        birthday: '1985-04-12',
        birthMonth: 4,
        address: { line1: 'Ackerstr. 1', line2: 'Hof links', postalCode: '10115', city: 'Berlin', region: 'BE', country: 'DE' },
        notes: 'Prefers morning calls',
        contact: { email: 'anna.archer@example.com', phone: '+4930444444', birthday: '1988-02-14', birthMonth: 2, notes: 'Alice’s sister' },
        touchpointNotes: 'Alice says the parcel came a week late',
      },
      search: 'archer@example',
    },
    B: {
      customer: () => w.B.customer,
      contactName: 'Boris Baker',
      plain: {
        email: 'bruno.baker@example.com',
        phone: '+4940222222',
        birthday: '1979-11-03',
        birthMonth: 11,
        address: { line1: 'Bahnhofstr. 2', line2: 'Hinterhaus', postalCode: '20095', city: 'Hamburg', region: 'HH', country: 'DE' },
        notes: 'Allergic to nuts',
        contact: { email: 'boris.baker@example.com', phone: '+4940333333', birthday: '1990-07-21', birthMonth: 7, notes: 'Speaks Portuguese' },
        touchpointNotes: 'Bruno says the machine leaks',
      },
      masked: {
        email: 'b***@example.com',
        phone: '+********22',
        birthday: null,
        birthMonth: 11,
        address: { line1: null, line2: null, postalCode: null, city: 'Hamburg', region: 'HH', country: 'DE' },
        notes: null,
        contact: { email: 'b***@example.com', phone: '+********33', birthday: null, birthMonth: 7, notes: null },
        touchpointNotes: null,
      },
      search: 'baker@example',
    },
  };
  const subjectOf = (role: Role) => (role === 'REP' ? PERSONAL.A : PERSONAL.B);

  for (const role of ROLES) {
    const pii = SEES[role].pii;
    const whose = role === 'REP' ? 'their own' : "rep B's";
    const shown = pii
      ? 'in full'
      : 'masked: email as b***@example.com, phone but its last two digits starred, no birthday (its month stays), street, postal code or notes';
    const records = SEES[role].touchpoints ? "customer's, contact's and touchpoint's" : "customer's and contact's";
    it(`${WHO[role]} sees ${whose} ${records} personal data ${shown}`, async () => {
      const subject = subjectOf(role);
      // The contact and the complaint made in the setup (the matrix adds others to the same customers; openComplaint's
      // touchpoints are INBOUND, the setup's complaint was logged OUTBOUND, logTouchpoint's default).
      const touchpoints = SEES[role].touchpoints ? 'touchpoints(filter: { purpose: { eq: COMPLAINT }, direction: { eq: OUTBOUND } }) { nodes { notes } }' : '';
      const { customer } = await as[role].ok(
        `query($id: ID!, $contact: String!) { customer(id: $id) {
          email phone birthday birthMonth address { line1 line2 postalCode city region country } notes
          contacts(filter: { name: { eq: $contact } }) { nodes { email phone birthday birthMonth notes } } ${touchpoints} } }`,
        { id: subject.customer(), contact: subject.contactName },
      );
      const expected = pii ? subject.plain : PERSONAL.B.masked;
      const { contact, touchpointNotes, ...fields } = expected;
      expect(customer).toEqual({ ...fields, contacts: { nodes: [contact] }, ...(touchpoints ? { touchpoints: { nodes: [{ notes: touchpointNotes }] } } : {}) });
    });

    const subjectName = role === 'REP' ? 'their own customer' : "rep B's customer";
    if (pii) {
      it(`${WHO[role]} can find ${subjectName} by email, phone or birthday filters and by an email fragment in search`, async () => {
        const subject = subjectOf(role);
        const p = subject.plain;
        const res = await as[role].ok(
          `query($email: String!, $phone: String!, $birthday: Date!, $contactEmail: String!, $search: String!) {
            email: customers(filter: { email: { eq: $email } }) { nodes { id } }
            phone: customers(filter: { phone: { eq: $phone } }) { nodes { id } }
            birthday: customers(filter: { birthday: { eq: $birthday } }) { nodes { id } }
            search: customers(search: $search) { nodes { id } }
            contact: contacts(filter: { email: { eq: $contactEmail } }) { nodes { customer { id } } }
          }`,
          { email: p.email, phone: p.phone, birthday: p.birthday, contactEmail: p.contact.email, search: subject.search },
        );
        const found = { nodes: [{ id: subject.customer() }] };
        expect(res).toEqual({ email: found, phone: found, birthday: found, search: found, contact: { nodes: [{ customer: { id: subject.customer() } }] } });
      });
    } else {
      it(`${WHO[role]} cannot filter on email, phone or birthday (BAD_USER_INPUT), and a search by an email fragment finds nothing`, async () => {
        const p = PERSONAL.B.plain;
        const filters: Array<[string, Record<string, unknown>]> = [
          [`query($v: String!) { customers(filter: { email: { eq: $v } }) { totalCount } }`, { v: p.email }],
          [`query($v: String!) { customers(filter: { phone: { eq: $v } }) { totalCount } }`, { v: p.phone }],
          [`query($v: Date!) { customers(filter: { birthday: { eq: $v } }) { totalCount } }`, { v: p.birthday }],
          [`query($v: String!) { customers(filter: { or: [{ name: { eq: "x" } }, { email: { contains: $v } }] }) { totalCount } }`, { v: 'bruno' }],
          [`query($v: String!) { contacts(filter: { email: { eq: $v } }) { totalCount } }`, { v: p.contact.email }],
          [`query($v: Date!) { contacts(filter: { birthday: { eq: $v } }) { totalCount } }`, { v: p.contact.birthday }],
        ];
        for (const [query, variables] of filters) {
          const res = await as[role].gql(query, variables);
          expect({ query, code: res.errors?.[0]?.extensions?.code, data: res.data }).toEqual({ query, code: 'BAD_USER_INPUT', data: null });
        }
        const search = await as[role].ok(`query($s: String!) { customers(search: $s) { totalCount } }`, { s: PERSONAL.B.search });
        expect(search.customers.totalCount).toBe(0);
      });
    }
  }
});

describe('authentication', () => {
  it('answers a request without an Authorization header with 401 UNAUTHENTICATED and runs nothing', async () => {
    const before = await fingerprint();
    const res = await app.http
      .post('/graphql')
      .set('content-type', 'application/json')
      .send({ query: `mutation { createCustomer(input: { name: "Anonymous" }) { userErrors { code } } }` });
    expect(res.status).toBe(401);
    expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(res.body.data).toBeUndefined();
    expect(await fingerprint()).toEqual(before);
  });
});
