import fs from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { seedDatabase } from '../../src/seed/seed';
import { describeWithChromium, launchChromium, serveWithPageKey } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';

// Every wait below is for an event (a selector, a response), never a clock; jest's limit is only a safety net.
jest.setTimeout(10 * 60_000);

/** Where the screenshot goes: a test artefact, ignored by git, for a person (or CI) to look at. */
const ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts');

const CARDS = ['segments', 'value-matrix', 'clv', 'cohorts', 'lifecycle', 'churn', 'pipeline', 'complaints'];

interface Visit {
  page: Page;
  /** Every URL the page asked for. */
  requests: string[];
  /** Console errors and uncaught exceptions: a Content-Security-Policy refusal shows up here. */
  errors: string[];
}

interface ChartFacts {
  card: string;
  state: string | undefined;
  canvas: boolean;
  /** Data points per series of the card's ECharts instance. */
  points: number[];
  summary: string;
  link: string | null;
}

describeWithChromium()('the dashboard in a browser', () => {
  let app: TestApp;
  let served: { origin: string; stop(): Promise<void> } | undefined;
  let origin: string;
  let keyless: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    // The synthetic dataset `npm run seed` loads: customers, orders, lifecycle moves, deals and complaints for every chart.
    await seedDatabase(app.db, app.config, { customers: 300, seed: 11 });
    // The fitted models behind the CLV histogram; the fit queues a rescore of everyone, which the reports read.
    const fit = await app.ok(`mutation { fitCustomerModel(input: {}) { userErrors { message } } }`);
    expect(fit.fitCustomerModel.userErrors).toEqual([]);
    await app.scoresSettled();
    // Served as `npm start` serves it in development: the ADMIN key goes into pages for a browser on this machine.
    served = await serveWithPageKey(app);
    origin = served.origin;
    keyless = await app.listen();
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await served?.stop();
    await app?.close();
  });

  /** Opens the dashboard with nothing but its own origin reachable, as on a machine with no network. */
  async function visit(base: string): Promise<Visit & { context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    context.setDefaultTimeout(0);
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    await context.route('**/*', (route) => (new URL(route.request().url()).origin === base ? route.continue() : route.abort('internetdisconnected')));
    context.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${base}/dashboard`);
    return { page, requests, errors, context };
  }

  /** What each card shows once every card has loaded. */
  async function charts(page: Page): Promise<ChartFacts[]> {
    await page.locator('body[data-ready="true"]').waitFor({ state: 'attached' });
    // Runs in the page; the test's tsconfig has no DOM types, hence `any`.
    return page.evaluate((cards) => {
      const { document, rapportDashboard } = globalThis as any;
      return cards.map((card) => {
        const section = document.querySelector(`[data-card="${card}"]`);
        const series = rapportDashboard.charts[card]?.getOption().series ?? [];
        return {
          card,
          state: section?.dataset.state,
          canvas: !!section?.querySelector('.chart canvas'),
          points: series.map((s: { data?: unknown[] }) => (s.data ?? []).length),
          summary: section?.querySelector('.summary')?.textContent ?? '',
          link: section?.querySelector('a.playground-link')?.getAttribute('href') ?? null,
        };
      });
    }, CARDS);
  }

  it('draws every chart with data from its own origin, with no console error, and writes a screenshot', async () => {
    const { page, requests, errors } = await visit(origin);
    const facts = await charts(page);
    for (const f of facts) {
      expect({ card: f.card, state: f.state, canvas: f.canvas }).toEqual({ card: f.card, state: 'ready', canvas: true });
      // Every series has points: the seeded data reaches every chart.
      expect({ card: f.card, series: f.points.length, empty: f.points.filter((n) => n === 0).length }).toEqual({ card: f.card, series: expect.any(Number), empty: 0 });
      expect(f.points.length).toBeGreaterThan(0);
      // The plain-text summary screen readers get (the chart points to it with aria-describedby).
      expect(f.summary).toMatch(/\d/);
      expect(f.link).toMatch(/^\/graphql\?open=/);
    }
    expect(requests.filter((url) => !url.startsWith('data:') && new URL(url).origin !== origin)).toEqual([]);
    expect(requests).toEqual(expect.arrayContaining([`${origin}/dashboard`, `${origin}/graphql`, expect.stringMatching(/\/dashboard-assets\/app\.[0-9a-f]+\.js$/)]));
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    // Tooltips are drawn on the canvas (renderMode richText): showing one adds no HTML with inline styles the policy would refuse.
    await page.locator('[data-card="segments"] .chart').hover();
    expect(await page.locator('.chart [style*="box-shadow"]').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("opens a chart's query in the playground, in a new tab, ready to run", async () => {
    const { page, context, errors } = await visit(origin);
    await charts(page);
    const opened = context.waitForEvent('page');
    await page.locator('[data-card="value-matrix"] a.playground-link').click();
    const playground = await opened;
    await playground.locator('.graphiql-query-editor .view-lines', { hasText: 'query valueMatrix' }).waitFor();
    // The link has done its work: a reload does not open the query again.
    expect(new URL(playground.url()).searchParams.has('open')).toBe(false);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await playground.screenshot({ path: path.join(ARTIFACTS, 'playground-from-dashboard.png') });
    expect(errors).toEqual([]);
  });

  it('served without a key, asks for one, keeps it for the tab and then draws the charts', async () => {
    const { page, errors } = await visit(keyless);
    await page.getByLabel('API key').fill('not-a-key');
    await page.getByRole('button', { name: 'Show the dashboard' }).click();
    await page.getByRole('alert').filter({ hasText: 'did not accept' }).waitFor();
    // The rejected key's 401 is the only console error; the page said what happened.
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);

    await page.getByLabel('API key').fill(app.adminKey);
    await page.getByRole('button', { name: 'Show the dashboard' }).click();
    const facts = await charts(page);
    expect(facts.map((f) => f.state)).toEqual(CARDS.map(() => 'ready'));
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('rapport.dashboard.token'))).toBe(app.adminKey);

    // Reloaded, the tab still has the key.
    await page.reload();
    expect((await charts(page)).map((f) => f.state)).toEqual(CARDS.map(() => 'ready'));
  });

  it("shows a sales rep their own book: the watchlist holds only the rep's customers", async () => {
    const [rep]: Array<{ id: string; customers: number }> = await app.db.query(
      `SELECT u.id, count(c.id)::int AS customers FROM users u JOIN customers c ON c.owner_id = u.id AND c.deleted_at IS NULL
        WHERE u.role = 'SALES_REP' GROUP BY u.id ORDER BY count(c.id) DESC LIMIT 1`,
    );
    const [{ others }] = await app.db.query(`SELECT count(*)::int AS others FROM customers WHERE owner_id IS DISTINCT FROM $1 AND deleted_at IS NULL`, [rep.id]);
    expect(others).toBeGreaterThan(0);
    const { key } = await app.as({ role: 'SALES_REP', userId: rep.id });
    const { page, errors } = await visit(keyless);
    await page.getByLabel('API key').fill(key);
    await page.getByRole('button', { name: 'Show the dashboard' }).click();
    const facts = await charts(page);
    expect(facts.map((f) => [f.card, f.state])).toEqual(CARDS.map((card) => [card, 'ready']));
    // The segment chart counts the rep's book, not everyone's.
    expect(facts.find((f) => f.card === 'segments')!.summary).toMatch(new RegExp(`^${rep.customers} customers`));
    const watched: string[] = await page.evaluate(() => (globalThis as any).rapportDashboard.charts.churn.getOption().yAxis[0].data);
    const own = new Set(
      (await app.db.query(`SELECT name FROM customers WHERE owner_id = $1`, [rep.id])).map((r: { name: string }) => r.name),
    );
    expect(watched.length).toBeGreaterThan(0);
    for (const entry of watched) expect(own.has(entry.replace(/ · [\d.]+%$/, ''))).toBe(true);
    expect(errors).toEqual([]);
  });
});
