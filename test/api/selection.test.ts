import fc from 'fast-check';
import { isObjectType } from 'graphql';
import { FIELD_MASK } from '../../src/core/masking';
import { READS } from '../../src/core/selection';
import { getSchema } from '../../src/server/schema';
import { seedDatabase } from '../../src/seed/seed';
import { CUSTOMER_FIELD_SELECTIONS } from '../support/customer-fields';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The customers list and a customer's orders and contacts select only the columns the query
 * shows (src/core/selection.ts). What a query returns must not depend on it: any selection of fields, through
 * fragments too, gives exactly what each customer read alone (by id, every column) gives, for a caller who sees
 * personal data and for one who sees it masked. And the statements really are narrower.
 */
let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  await seedDatabase(app.db, app.config, { customers: 40, seed: 5 });
  await app.scoresSettled();
});
afterAll(() => app.close());


const selection = fc.uniqueArray(fc.constantFrom(...CUSTOMER_FIELD_SELECTIONS), { minLength: 1, maxLength: 7 });
const shape = fc.constantFrom('nodes', 'edges', 'fragment', 'inline');

function listQuery(fields: string[], how: string, orderBy: string): string {
  const body = fields.join(' ');
  const args = `first: 8, orderBy: { field: ${orderBy}, direction: DESC }`;
  if (how === 'edges') return `{ customers(${args}) { edges { node { ${body} } } } }`;
  if (how === 'fragment') return `query { customers(${args}) { nodes { ...Shown } } } fragment Shown on Customer { ${body} }`;
  if (how === 'inline') return `{ customers(${args}) { nodes { ... on Customer { ${body} } } } }`;
  return `{ customers(${args}) { nodes { ${body} } } }`;
}

describe('columns shown', () => {
  it('never change what a page returns: each customer equals the customer read alone, for every caller', async () => {
    const analyst = await app.as({ role: 'ANALYST' });
    await fc.assert(
      fc.asyncProperty(selection, shape, fc.constantFrom('NAME', 'CREATED_AT', 'PREDICTED_CLV'), fc.boolean(), async (fields, how, orderBy, masked) => {
        const caller = masked ? analyst : app;
        const page = await caller.ok(listQuery(fields, how, orderBy));
        const nodes: Array<Record<string, unknown>> = how === 'edges' ? page.customers.edges.map((e: { node: unknown }) => e.node) : page.customers.nodes;
        expect(nodes.length).toBeGreaterThan(0);
        const ids = (await caller.ok(`{ customers(first: 8, orderBy: { field: ${orderBy}, direction: DESC }) { nodes { id } } }`)).customers.nodes;
        for (const [i, node] of nodes.entries()) {
          const alone = await caller.ok(`query($id: ID!) { customer(id: $id) { ${fields.join(' ')} } }`, { id: ids[i].id });
          expect(alone.customer).toEqual(node);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('never change what the orders, contacts and touchpoints lists return: each item equals the item read alone by id', async () => {
    const ORDER_FIELDS = ['id', 'number', 'externalRef', 'placedAt', 'status', 'channel', 'currency', 'baseCurrency', 'rateToBase', 'subtotal { amount }', 'discount { amount }',
      'total { amount currencyCode }', 'cost { amount }', 'margin { amount }', 'totalInBaseCurrency { amount }', 'countsAsPurchase', 'customer { name }', 'lines(first: 2) { nodes { id } }',
      'version', 'createdAt', 'deletedAt', '__typename'];
    const CONTACT_FIELDS = ['id', 'name', 'email', 'phone', 'title', 'relationship', 'isPrimary', 'birthday', 'birthMonth', 'notes', 'customer { name }', 'customFields { key text }', 'version', 'updatedAt'];
    const TOUCHPOINT_FIELDS = ['id', 'channel', 'direction', 'purpose', 'occurredAt', 'subject', 'notes', 'satisfaction', 'nps', 'complaintStatus', 'resolvedAt', 'responseTimeHours',
      'complaint { status severity }', 'contact { name }', 'customer { name }', 'order { number }', 'user { name }', 'version', 'deletedAt'];
    const analyst = await app.as({ role: 'ANALYST' });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(['orders', 'Order', ORDER_FIELDS] as const, ['contacts', 'Contact', CONTACT_FIELDS] as const, ['touchpoints', 'Touchpoint', TOUCHPOINT_FIELDS] as const),
        fc.nat(),
        fc.boolean(),
        async ([list, type, catalogue], seed, masked) => {
          const fields = fc.sample(fc.uniqueArray(fc.constantFrom(...catalogue), { minLength: 1, maxLength: 6 }), { numRuns: 1, seed })[0];
          const caller = masked ? analyst : app;
          const page = await caller.ok(`{ ${list}(first: 6) { nodes { typename: __typename ${fields.join(' ')} } edges { node { id } } } }`);
          const ids = page[list].edges.map((e: { node: { id: string } }) => e.node.id);
          for (const [i, node] of page[list].nodes.entries()) {
            const alone = await caller.ok(`query($id: ID!) { node(id: $id) { ... on ${type} { typename: __typename ${fields.join(' ')} } } }`, { id: ids[i] });
            expect(alone.node).toEqual(node);
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('select only the columns the list screen shows, and every column when a field reads more', async () => {
    const seen: string[] = [];
    const original = app.db.query.bind(app.db);
    const query = jest.spyOn(app.db, 'query').mockImplementation((sql: string, parameters?: unknown[]) => {
      seen.push(sql);
      return original(sql, parameters);
    });
    try {
      await app.ok(
        `{ customers(first: 10) { nodes { id name email owner { name email } orders(first: 5) { nodes { number placedAt status total { amount currencyCode } } } contacts(first: 3) { nodes { name email isPrimary } } } } }`,
      );
      const statement = (table: string) => seen.find((s) => new RegExp(`FROM ${table} a\\b`).test(s)) ?? '';
      // The owner comes with the page (a one-to-one join under the users' row scope), so users are not read again.
      expect(statement('customers')).toMatch(/^SELECT a\.id, a\.deleted_at, a\.owner_id, a\.name, a\.email, /);
      expect(statement('customers')).toContain('LEFT JOIN users j0 ON j0.id = a.owner_id');
      expect(statement('users')).toBe('');
      expect(statement('orders')).toContain('SELECT a.id, a.deleted_at, a.customer_id, a.number, a.placed_at, a.status, a.total_amount, a.currency, ');
      expect(statement('contacts')).toContain('SELECT a.id, a.deleted_at, a.customer_id, a.name, a.email, a.is_primary, ');
      seen.length = 0;
      // nextBestActions reads consents, birthday and address from the customer: it declares nothing, so all columns.
      await app.ok(`{ customers(first: 3) { nodes { name nextBestActions { kind } } } }`);
      expect(statement('customers')).toMatch(/^SELECT a\.\*, /);
    } finally {
      query.mockRestore();
    }
  });

  it('are declared by every field with its own resolver that has the name of a column (or it would be read alone)', async () => {
    // A field named like a column is taken to read that column only. One with a resolver of its own may read more,
    // so it must say what (@Reads); plain columns, and masked ones (the mask wraps the column's value), need not.
    const schema = await getSchema();
    const undeclared: string[] = [];
    let checked = 0;
    for (const meta of app.db.entityMetadatas) {
      const type = schema.getType(meta.name);
      if (!isObjectType(type)) continue;
      const columns = new Set(meta.columns.map((c) => c.propertyName));
      for (const [name, field] of Object.entries(type.getFields())) {
        if (!columns.has(name)) continue;
        checked++;
        const ownResolver = field.resolve && !field.extensions?.[FIELD_MASK];
        if (ownResolver && !field.extensions?.[READS]) undeclared.push(`${meta.name}.${name}`);
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(undeclared).toEqual([]);
  });
});
