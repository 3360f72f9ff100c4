import fc from 'fast-check';
import request from 'supertest';
import { registry } from '../../src/core/metrics';
import { MAX_COMPILED_DOCUMENTS } from '../../src/server/compiled-execution';
import { createApp } from '../../src/server/app';
import { seedDatabase } from '../../src/seed/seed';
import { insertStaff } from '../support/staff';
import { CUSTOMER_FIELD_SELECTIONS } from '../support/customer-fields';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Operations run compiled by graphql-jit (src/server/compiled-execution.ts). The reference is graphql-js: a second
 * server over the same database executes with it (GRAPHQL_EXECUTION=graphql-js), and every answer, errors included,
 * must be the same from both, for a caller who sees personal data and one who sees it masked.
 */
let app: TestApp;
type Http = ReturnType<typeof request>;
let reference: Http;
let stopReference: () => Promise<void>;
beforeAll(async () => {
  app = await startTestApp();
  await seedDatabase(app.db, app.config, { customers: 30, seed: 11 });
  // A model, so that predicted CLV, P(alive) and the segments' averages are values and not all null.
  const fitted = await app.ok<{ fitCustomerModel: { userErrors: unknown[] } }>(`mutation { fitCustomerModel(input: { timeUnit: DAY }) { userErrors { code } } }`);
  expect(fitted.fitCustomerModel.userErrors).toEqual([]);
  await app.scoresSettled();
  const best = await app.ok<{ customers: { nodes: Array<{ clv: { predicted: unknown } }> } }>(`{ customers(first: 1, orderBy: { field: PREDICTED_CLV, direction: DESC }) { nodes { clv { predicted { amount } } } } }`);
  expect(best.customers.nodes[0].clv.predicted).not.toBeNull();
  const built = await createApp(app.db, { ...app.config, graphqlExecution: 'graphql-js' });
  reference = request(built.app);
  stopReference = built.stop;
});
afterAll(async () => {
  await stopReference();
  await app.close();
});

interface Answer {
  status: number;
  body: { data?: unknown; errors?: Array<{ path?: Array<string | number> }>; extensions?: unknown };
}

/**
 * The same answer: status, data and extensions equal; every error graphql-js reports is reported. graphql-jit may
 * report more, and only of one kind: errors of fields whose object was already nulled by another error (graphql-js
 * stops listening to an object's other fields once one of them fails, and drops what they report after that).
 */
function expectSameAnswer(compiled: Answer, js: Answer): void {
  expect({ status: compiled.status, data: compiled.body.data, extensions: compiled.body.extensions }).toEqual({ status: js.status, data: js.body.data, extensions: js.body.extensions });
  const jsErrors = js.body.errors ?? [];
  for (const error of jsErrors) expect(compiled.body.errors).toContainEqual(error);
  const key = (e: unknown) => JSON.stringify(e);
  for (const error of (compiled.body.errors ?? []).filter((e) => !jsErrors.some((j) => key(j) === key(e)))) {
    expect(error.path).toBeDefined();
    expect(nulledAbove(compiled.body.data, error.path!)).toBe(true);
  }
}

/** Whether an object on the way to `path` (not the field itself) is null in the data. */
function nulledAbove(data: unknown, path: Array<string | number>): boolean {
  let at = data;
  for (const step of path.slice(0, -1)) {
    if (at === null) return true;
    at = (at as Record<string | number, unknown>)[step];
  }
  return at === null;
}

/** Both servers' answers with the request ids (different by design) taken out. */
async function both(key: string, query: string, variables?: Record<string, unknown>): Promise<{ compiled: Answer; js: Answer }> {
  const post = (http: Http) => http.post('/graphql').set({ 'content-type': 'application/json', authorization: `Bearer ${key}` }).send({ query, variables });
  const compiled = await post(app.http);
  const js = await post(reference);
  const strip = (body: unknown) => JSON.parse(JSON.stringify(body), (k, v) => (k === 'requestId' ? undefined : v));
  return { compiled: { status: compiled.status, body: strip(compiled.body) }, js: { status: js.status, body: strip(js.body) } };
}

/** The shared selections, and what this test adds: deeper pages, edges and cursors, aliases, directives. */
const CUSTOMER_FIELDS = [
  ...CUSTOMER_FIELD_SELECTIONS,
  'owner { name email role }',
  'orders(first: 3) { totalCount nodes { number placedAt status total { amount currencyCode } lines(first: 2) { nodes { quantity product { name } } } } }',
  'contacts(first: 2) { edges { cursor node { name email isPrimary } } pageInfo { hasNextPage endCursor } }',
  'churnRisk { level probability probabilityAlive drivers { code weight } }',
  'rfm { segment rScore fScore mScore }',
  'nextBestActions { kind }',
  'lifecycleStage { key name }',
  'timeline(first: 4) { totalCount nodes { kind at title order { number } } }',
  'alias: name',
  'name @skip(if: $skip)',
  'email @include(if: $skip)',
];
/** Every query uses $skip (an unused variable is a validation error). */
const USES_SKIP = 'shown: __typename @include(if: $skip)';

describe('compiled execution', () => {
  it('answers every selection exactly as graphql-js does, for every caller', async () => {
    const analystKey = await app.createKey({ role: 'ANALYST' });
    const partnerKey = await app.createKey({ role: 'PARTNER', scopes: ['customers:read'] });
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.constantFrom(...CUSTOMER_FIELDS), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('nodes', 'fragment', 'node'),
        fc.constantFrom(app.adminKey, analystKey, partnerKey),
        fc.boolean(),
        async (fields, how, key, skip) => {
          const body = [...fields, USES_SKIP].join(' ');
          const query =
            how === 'fragment'
              ? `query($skip: Boolean!) { customers(first: 5, orderBy: { field: PREDICTED_CLV, direction: DESC }) { nodes { ...Shown } } } fragment Shown on Customer { ${body} }`
              : how === 'node'
                ? `query($skip: Boolean!, $id: ID!) { node(id: $id) { id ... on Customer { ${body} } } }`
                : `query($skip: Boolean!) { customers(first: 5) { nodes { ${body} } pageInfo { hasNextPage } } }`;
          const ids = (await app.ok<{ customers: { nodes: Array<{ id: string }> } }>(`{ customers(first: 3) { nodes { id } } }`)).customers.nodes;
          const { compiled, js } = await both(key, query, { skip, ...(how === 'node' ? { id: ids[2].id } : {}) });
          expectSameAnswer(compiled, js);
          expect(compiled.status).toBe(200);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives the same errors: bad variables (400, BAD_USER_INPUT), forbidden fields, unknown ids, failed mutations', async () => {
    const repKey = await app.createKey({ role: 'SALES_REP', userId: await insertStaff(app.db, 'Rep Compiled') });
    const cases: Array<[string, string, Record<string, unknown>?]> = [
      [app.adminKey, `query($first: Int!) { customers(first: $first) { nodes { id } } }`, { first: 'many' }],
      [app.adminKey, `query($f: CustomerFilter) { customers(first: 2, filter: $f) { nodes { id } } }`, { f: { segment: { in: ['NOBODY'] } } }],
      [app.adminKey, `query($first: Int!) { customers(first: $first) { nodes { id } } }`, {}],
      [app.adminKey, `{ customers(first: 5, filter: { or: [{ segment: { in: [CHAMPIONS, LOYAL] } }, { and: [{ not: { kind: { eq: COMPANY } } }] }] }) { totalCount nodes { name segment } } }`],
      [app.adminKey, `query($f: CustomerFilter) { customers(first: 5, filter: $f) { totalCount nodes { name segment } } }`, { f: { or: [{ segment: { in: ['CHAMPIONS'] } }, { kind: { eq: 'COMPANY' } }] } }],
      [app.adminKey, `{ customers(first: 1000000) { nodes { id } } }`],
      [app.adminKey, `{ customers(first: 4, orderBy: { direction: DESC }) { nodes { name } } }`],
      [app.adminKey, `query($o: CustomerOrderBy) { customers(first: 4, orderBy: $o) { nodes { name } } }`, { o: { direction: 'DESC' } }],
      [app.adminKey, `{ node(id: "Q3VzdG9tZXI6bm9wZQ") { id } }`],
      [repKey, `{ customers(first: 3) { nodes { name owner { name } } } auditEvents(first: 1) { nodes { action } } }`],
      [app.adminKey, `mutation { createCustomer(input: { name: "", email: "not an email" }) { customer { id } userErrors { field message code } } }`],
      [app.adminKey, `mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { customer { id } userErrors { field code } } }`, { input: { name: 'X', kind: 'PLANET' } }],
    ];
    for (const [key, query, variables] of cases) {
      const { compiled, js } = await both(key, query, variables);
      expectSameAnswer(compiled, js);
    }
    const badVariable = await both(app.adminKey, cases[0][1], cases[0][2]);
    expect(badVariable.compiled.status).toBe(400);
    expect(badVariable.compiled.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT' } })]);
  });

  it('fills in the defaults of input fields left out, in the document and in variables', async () => {
    const create = (sku: string) => `createProduct(input: { sku: "${sku}", name: "Filter paper", category: "Coffee", unitPrice: "4.00", unitCost: "1.50" }) { product { active } userErrors { field } }`;
    expect(await app.ok(`mutation { ${create('DEFAULT-1')} }`)).toEqual({ createProduct: { product: { active: true }, userErrors: [] } });
    const byVariable = `mutation($input: CreateProductInput!) { createProduct(input: $input) { product { active } userErrors { field } } }`;
    expect(await app.ok(byVariable, { input: { sku: 'DEFAULT-2', name: 'Filter paper', category: 'Coffee', unitPrice: '4.00', unitCost: '1.50' } })).toEqual({
      createProduct: { product: { active: true }, userErrors: [] },
    });
  });

  it('leaves out an input field whose variable is left out (a sales rep creating a customer becomes its owner)', async () => {
    const repId = await insertStaff(app.db, 'Rep Leaves Out');
    const rep = await app.as({ role: 'SALES_REP', userId: repId });
    const create = `mutation($name: String!, $owner: ID) { createCustomer(input: { name: $name, ownerId: $owner }) { customer { owner { name } } userErrors { field code } } }`;
    // Left out: the rep becomes the owner. Null: the rep asks for no owner, which a rep may not.
    expect((await rep.ok(create, { name: 'Walk-in, owner left out' })).createCustomer).toEqual({ customer: { owner: { name: 'Rep Leaves Out' } }, userErrors: [] });
    expect((await rep.ok(create, { name: 'Walk-in, no owner', owner: null })).createCustomer).toEqual({ customer: null, userErrors: [{ field: ['input', 'ownerId'], code: 'INVALID' }] });
  });

  it('compiles an operation once and runs it compiled from then on (counted in /metrics)', async () => {
    const count = async (name: string, label: string): Promise<number> => {
      const metric = await registry.getSingleMetric(name)!.get();
      return metric.values.find((v) => Object.values(v.labels).includes(label))?.value ?? 0;
    };
    const before = { compiled: await count('rapport_graphql_compilations_total', 'compiled'), fallback: await count('rapport_graphql_compilations_total', 'fallback'),
      runs: await count('rapport_graphql_executions_total', 'compiled'), walks: await count('rapport_graphql_executions_total', 'graphql-js') };
    const query = `query CompiledOnce { customers(first: 2) { nodes { name orders(first: 1) { nodes { number } } } } }`;
    const first = await app.ok(query);
    const second = await app.ok(query);
    expect(second).toEqual(first);
    expect(await count('rapport_graphql_compilations_total', 'compiled')).toBe(before.compiled + 1);
    expect(await count('rapport_graphql_compilations_total', 'fallback')).toBe(before.fallback);
    expect(await count('rapport_graphql_executions_total', 'compiled')).toBe(before.runs + 2);
    expect(await count('rapport_graphql_executions_total', 'graphql-js')).toBe(before.walks);
    // The reference server's runs are counted as graphql-js.
    await both(app.adminKey, query);
    expect(await count('rapport_graphql_executions_total', 'graphql-js')).toBe(before.walks + 1);
    // A variable of a recursive input type (a filter) is not compiled: graphql-js runs that document.
    const filtered = await app.ok(`query Filtered($f: CustomerFilter) { customers(first: 2, filter: $f) { nodes { name } } }`, { f: { not: { kind: { eq: 'COMPANY' } } } });
    expect(filtered).toEqual(await app.ok(`{ customers(first: 2, filter: { not: { kind: { eq: COMPANY } } }) { nodes { name } } }`));
    expect(await count('rapport_graphql_compilations_total', 'fallback')).toBe(before.fallback + 1);
    expect(await count('rapport_graphql_executions_total', 'graphql-js')).toBe(before.walks + 2);
    // Kept for the most recently used documents only: after as many others, the first one is compiled again.
    const compiledBefore = await count('rapport_graphql_compilations_total', 'compiled');
    for (let i = 0; i < MAX_COMPILED_DOCUMENTS; i++) await app.ok(`{ other${i}: __typename }`);
    expect(await count('rapport_graphql_compilations_total', 'compiled')).toBe(compiledBefore + MAX_COMPILED_DOCUMENTS);
    await app.ok(query);
    expect(await count('rapport_graphql_compilations_total', 'compiled')).toBe(compiledBefore + MAX_COMPILED_DOCUMENTS + 1);
  });
});
