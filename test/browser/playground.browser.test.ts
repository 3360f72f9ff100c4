import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithChromium, launchChromium, serveWithPageKey } from '../support/browser';
import { startTestApp, TestApp } from '../support/test-app';

// Every wait below is for an event (a selector, a response), never a clock: jest's limit is the only bound,
// set high because a loaded CI machine can take long to start chromium and parse GraphiQL's 5 MB bundle.
jest.setTimeout(10 * 60_000);

// GraphiQL's editors are Monaco editors; .view-lines holds the lines on screen.
const QUERY_EDITOR = '.graphiql-query-editor .view-lines';
const TOOL_EDITOR = '.graphiql-editor-tool .graphiql-editor:not(.hidden) .view-lines';
const RESPONSE = '.graphiql-response .view-lines';

/** Monaco draws spaces as no-break spaces; the text as a person reads it. */
async function editorText(page: Page, selector: string): Promise<string> {
  return (await page.locator(selector).innerText()).replace(/\u00a0/g, ' ');
}

/** Opens the headers tab under the query editor and returns its text once GraphiQL has filled it. */
async function headersText(page: Page): Promise<string> {
  await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
  await page.locator(TOOL_EDITOR, { hasText: 'Authorization' }).waitFor();
  return (await editorText(page, TOOL_EDITOR)).replace(/\s+/g, ' ');
}

interface Visit {
  page: Page;
  /** Every URL the page, its workers included, asked for. */
  requests: string[];
  /** Console errors: a Content-Security-Policy refusal shows up here. */
  errors: string[];
}

describeWithChromium()('the playground in a browser', () => {
  let app: TestApp;
  let served: { origin: string; stop(): Promise<void> } | undefined;
  let origin: string;
  let keyless: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    app = await startTestApp();
    // The customer the first tab looks up, as in the demo data.
    await app.ok(`mutation { createCustomer(input: { name: "Example Customer", externalRef: "C0000001" }) { customer { id } } }`);
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

  /**
   * Opens the playground with nothing but its own origin reachable: any other request is recorded and
   * aborted, as it would fail on a machine with no network.
   */
  async function visit(base: string): Promise<Visit> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
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
    // Loaded means: the schema was asked for (the last thing GraphiQL fetches) and the first tab's query is in the editor.
    const schema = page.waitForResponse((res) => res.url() === `${base}/graphql` && (res.request().postData() ?? '').includes('IntrospectionQuery'));
    await page.goto(`${base}/graphql`);
    await page.locator(QUERY_EDITOR, { hasText: 'query Customer360' }).waitFor();
    await schema;
    return { page, requests, errors };
  }

  /** The newcomer's move: focus the query editor and press Ctrl-Enter, as the example's comment says. */
  async function runQuery(page: Page): Promise<string> {
    const answered = page.waitForResponse((res) => res.url().endsWith('/graphql') && res.request().method() === 'POST' && res.request().postDataJSON()?.operationName === 'Customer360');
    await page.locator(QUERY_EDITOR).click();
    await page.keyboard.press('Control+Enter');
    return (await answered).text();
  }

  it('loads everything from its own origin, so it works offline, and refuses nothing of its own', async () => {
    const { requests, errors } = await visit(origin);
    const fetched = requests.filter((url) => !url.startsWith('data:') && !url.startsWith('blob:'));
    expect(fetched.filter((url) => new URL(url).origin !== origin)).toEqual([]);
    expect(fetched).toEqual(expect.arrayContaining([`${origin}/graphql`, expect.stringMatching(/yoga-graphiql\.umd\.js$/), expect.stringMatching(/graphiql\.css$/)]));
    expect(errors.filter((e) => /Content Security Policy|Failed to load/i.test(e))).toEqual([]);
  });

  it('opens with the development key in its headers editor', async () => {
    const { page } = await visit(origin);
    expect(await headersText(page)).toContain(`"Authorization": "Bearer ${app.adminKey}"`);
  });

  it("runs the first example with Ctrl-Enter and shows the customer: a newcomer's first query just works", async () => {
    const { page } = await visit(origin);
    const body = await runQuery(page);
    expect(JSON.parse(body)).toMatchObject({ data: { customer: { externalRef: 'C0000001', name: 'Example Customer' } } });

    await page.locator(RESPONSE, { hasText: '"customer"' }).waitFor();
    const shown = await editorText(page, RESPONSE);
    expect(shown).toContain('"data"');
    expect(shown).toContain('"Example Customer"');
    expect(shown).not.toContain('UNAUTHENTICATED');
  });

  it('served without a key, shows the placeholder and answers a query UNAUTHENTICATED', async () => {
    const { page } = await visit(keyless);
    expect(await headersText(page)).toContain('"Authorization": "Bearer <your API key>"');

    const body = await runQuery(page);
    expect(JSON.parse(body).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    await page.locator(RESPONSE, { hasText: 'UNAUTHENTICATED' }).waitFor();
    expect(await editorText(page, RESPONSE)).not.toContain('"customer"');
  });
});
