import { parse, validate } from 'graphql';
import { mulberry32, simulateBgnbd, utcDay } from '../src/intelligence';
import { exampleVariables, PLAYGROUND_EXAMPLES } from '../src/server/playground-examples';
import { getSchema } from '../src/server/schema';
import { startTestApp, TestApp } from './support/test-app';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.close());

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

async function playgroundHtml(): Promise<string> {
  const res = await app.http.get('/graphql').set('accept', BROWSER_ACCEPT);
  expect(res.status).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/html/);
  return res.text;
}

/** Every URL the page loads: src/href attributes of what it loads (not its links) plus the Monaco worker scripts in the inline config. */
function referencedUrls(html: string): string[] {
  const attributes = [...html.matchAll(/<(?!a\s)[a-z]+[^>]*\s(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  const workers = [...html.matchAll(/"(\/playground-assets\/[^"]+\.js)"/g)].map((m) => m[1]);
  return [...new Set([...attributes, ...workers])];
}

describe('the GraphiQL playground', () => {
  it('is served to a browser asking for HTML at GET /graphql, titled Rapport', async () => {
    const html = await playgroundHtml();
    expect(html).toContain('<title>Rapport</title>');
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).toContain('query Customer360');
  });

  it('references only same-origin assets, and its policy keeps the browser from loading anything else', async () => {
    const html = await playgroundHtml();
    expect(html).not.toMatch(/https?:\/\//);
    const urls = referencedUrls(html).filter((u) => !u.startsWith('data:'));
    expect(urls.length).toBeGreaterThanOrEqual(5);
    for (const url of urls) expect(url).toMatch(/^\/(?!\/)/);

    const res = await app.http.get('/graphql').set('accept', BROWSER_ACCEPT);
    const csp = res.headers['content-security-policy'];
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toMatch(/script-src 'self' 'nonce-[^']+'/);
  });

  it('serves every asset the page references with status 200 and the right content type', async () => {
    const urls = referencedUrls(await playgroundHtml()).filter((u) => !u.startsWith('data:'));
    expect(urls).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/graphiql\.css$/),
        expect.stringMatching(/yoga-graphiql\.umd\.js$/),
        expect.stringMatching(/editor\.worker\.bundle\.js$/),
        expect.stringMatching(/graphql\.worker\.\.bundle\.js$/),
        expect.stringMatching(/json\.worker\.bundle\.js$/),
      ]),
    );
    for (const url of urls) {
      const res = await app.http.get(url);
      expect({ url, status: res.status }).toEqual({ url, status: 200 });
      expect(res.headers['content-type']).toMatch(url.endsWith('.css') ? /^text\/css/ : /^(text|application)\/javascript/);
    }
  });

  it('inlines its fonts and images in the stylesheet instead of fetching them', async () => {
    const css = referencedUrls(await playgroundHtml()).find((u) => u.endsWith('.css'))!;
    const res = await app.http.get(css);
    const urls = [...res.text.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]);
    expect(urls.filter((u) => !u.startsWith('data:'))).toEqual([]);
  });

  it('leaves JSON requests to Apollo: POST, and GET from clients that do not ask for HTML', async () => {
    const post = await app.gql('{ __typename }');
    expect(post).toMatchObject({ status: 200, data: { __typename: 'Query' } });
    const get = await app.http.get('/graphql').query({ query: '{ __typename }' }).set({ accept: 'application/json', 'apollo-require-preflight': 'true', ...app.auth });
    expect(get.status).toBe(200);
    expect(get.body.data).toEqual({ __typename: 'Query' });
    const anything = await app.http.get('/graphql').query({ query: '{ __typename }' }).set({ accept: '*/*', 'apollo-require-preflight': 'true', ...app.auth });
    expect(anything.headers['content-type']).toMatch(/json/);
  });

  it('still shows the playground when a browser reloads a URL carrying ?query=', async () => {
    const res = await app.http.get('/graphql').query({ query: '{ __typename }' }).set('accept', BROWSER_ACCEPT);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });
});

describe('the playground examples', () => {
  beforeAll(async () => {
    // Data for the examples to walk through, so they exercise every resolver they select, not just validation.
    const customer = await app.ok(`mutation { createCustomer(input: { name: "Example Customer", externalRef: "C0000001" }) { customer { id } } }`);
    const customerId = customer.createCustomer.customer.id;
    // A campaign for the marketing tab (a draft is enough to list).
    await app.ok(`mutation { createCampaign(input: { name: "Spring beans", channel: EMAIL, audience: {} }) { userErrors { code } } }`);
    // A sales rep who owns the example customer, with an open deal and a task: the sales rep's day has a book to show.
    const [{ id: rep }] = await app.db.query(`INSERT INTO users (name, email, role) VALUES ('Rita Rep', 'rita@rapport.example', 'SALES_REP') RETURNING id`);
    const repId = Buffer.from(`User:${rep}`).toString('base64url');
    await app.ok(`mutation($id: ID!, $owner: ID!) { updateCustomer(input: { id: $id, ownerId: $owner }) { userErrors { code } } }`, { id: customerId, owner: repId });
    await app.ok(`mutation($id: ID!) { createOpportunity(input: { customerId: $id, name: "Second grinder", amount: "120.00" }) { userErrors { code } } }`, { id: customerId });
    await app.ok(`mutation($id: ID!, $at: DateTime!) { scheduleTask(input: { customerId: $id, kind: CALL, subject: "Call about the grinder", dueAt: $at }) { userErrors { code } } }`, {
      id: customerId,
      at: new Date(Date.now() + 86_400_000).toISOString(),
    });
    const product = await app.ok(`mutation { createProduct(input: { sku: "EX-1", name: "Grinder", unitPrice: "120.00", unitCost: "70.00", active: true }) { product { id } } }`);
    await app.ok(`mutation($customerId: ID!) { createContact(input: { customerId: $customerId, name: "Sam Assistant", isPrimary: true }) { contact { id } } }`, { customerId });
    const order = await app.ok(
      `mutation($customerId: ID!, $productId: ID!) {
        recordOrder(input: { customerId: $customerId, channel: STORE, status: PAID, lines: [{ productId: $productId, quantity: 1 }] }) { order { id } userErrors { code } }
      }`,
      { customerId, productId: product.createProduct.product.id },
    );
    await app.ok(
      `mutation($customerId: ID!, $orderId: ID!) {
        logTouchpoint(input: { customerId: $customerId, orderId: $orderId, channel: EMAIL, direction: INBOUND, purpose: COMPLAINT, subject: "Noisy" }) { touchpoint { id } }
      }`,
      { customerId, orderId: order.recordOrder.order.id },
    );
    // Purchases simulated from a known BG/NBD process (fixed seed) at noon UTC of whole days, so that the model
    // examples fit and back-test the same data whatever the time of day the suite runs.
    const rng = mulberry32(7);
    const sim = simulateBgnbd({ r: 0.6, alpha: 40, a: 0.7, b: 2.8 }, 120, Array.from({ length: 120 }, (_, i) => 420 + (i % 240)), rng);
    const buyers = [];
    for (let i = 0; i < sim.length; i++) {
      const res = await app.ok(`mutation($name: String!) { createCustomer(input: { name: $name }) { customer { id } } }`, { name: `Buyer ${i}` });
      buyers.push(res.createCustomer.customer.id);
    }
    const day = 86_400_000;
    const noonToday = (utcDay(new Date()) + 0.5) * day;
    const orders = buyers.flatMap((id, i) =>
      [0, ...sim[i].purchaseTimes].slice(0, 8).map((t, k) => ({
        customerId: id,
        placedAt: new Date(noonToday - (sim[i].T - Math.floor(t) + 1) * day).toISOString(),
        lines: [{ description: 'Beans', quantity: 1 + (k % 3), unitPrice: '12.50', unitCost: '6.00' }],
      })),
    );
    const recorded = await app.ok(`mutation($input: RecordOrdersInput!) { recordOrders(input: $input) { userErrors { field code message } } }`, { input: { orders } });
    expect(recorded.recordOrders.userErrors).toEqual([]);
  });

  it.each(PLAYGROUND_EXAMPLES.map((e) => [parse(e.query).definitions.map((d) => ('name' in d ? d.name?.value : '')).join(), e] as const))(
    '%s validates against the schema and runs without errors',
    async (_name, example) => {
      expect(validate(await getSchema(), parse(example.query)).map((e) => e.message)).toEqual([]);
      const res = await app.gql(example.query, exampleVariables(example));
      expect(res.errors).toBeUndefined();
      // The seeded data must reach every example, or its nested selections would go unexercised.
      const root = Object.values(res.data)[0] as { totalCount?: number } | null;
      expect(root).not.toBeNull();
      if (root && 'totalCount' in root) expect(root.totalCount).toBeGreaterThan(0);
    },
  );

  it('cover a customer 360 view, recent orders, open complaints, a sales rep’s day, marketing and loyalty, and the analyst views', () => {
    const names = PLAYGROUND_EXAMPLES.map((e) => parse(e.query).definitions.map((d) => ('name' in d ? d.name?.value : undefined))[0]);
    expect(names).toEqual(['Customer360', 'RecentOrders', 'OpenComplaints', 'SegmentsAndClv', 'PortfolioHealth', 'CareAgenda', 'SalesRepsDay', 'MarketingAndLoyalty', 'LifecycleAndCohorts', 'ModelCheck']);
  });
});
