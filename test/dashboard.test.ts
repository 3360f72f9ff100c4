import { parse, print } from 'graphql';
import { ValueMatrixDocument } from '../sdk/src';
import { DASHBOARD_CSP } from '../src/server/dashboard/dashboard';
import { startTestApp, TestApp } from './support/test-app';

let app: TestApp;
let withKey: TestApp;
beforeAll(async () => {
  app = await startTestApp();
  // Served as `npm start` serves it in development; supertest's requests come from 127.0.0.1.
  withKey = await startTestApp({}, { playgroundKey: 'rk_development_key_for_the_page' });
});
afterAll(async () => {
  await withKey?.close();
  await app?.close();
});

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

/** The JSON data block the page's script reads its settings from. */
function pageConfig(html: string): { endpoint: string; playground: string; apiKey: string | null } {
  const json = /<script type="application\/json" id="rapport-config">([^<]*)<\/script>/.exec(html)?.[1];
  expect(json).toBeDefined();
  return JSON.parse(json!);
}

const assets = (html: string) => [...html.matchAll(/\s(?:src|href)="(\/dashboard-assets\/[^"]+)"/g)].map((m) => m[1]);

describe('the dashboard page', () => {
  it('is served at GET /dashboard as HTML under a strict policy: same-origin scripts, styles and connections, nothing inline', async () => {
    const res = await app.http.get('/dashboard').set('accept', BROWSER_ACCEPT);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-store');
    const csp: string = res.headers['content-security-policy'];
    expect(csp).toBe(DASHBOARD_CSP);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|nonce-|https?:/);
    // The only inline script is a JSON data block, which browsers never run.
    const scripts = [...res.text.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    for (const attrs of scripts) expect(attrs).toMatch(/type="application\/json"|src="\/dashboard-assets\//);
    expect(res.text).not.toMatch(/<style|style="/);
  });

  it('references only its own assets, and links to the playground', async () => {
    const { text } = await app.http.get('/dashboard');
    expect(text).not.toMatch(/https?:\/\//);
    expect(assets(text)).toEqual([expect.stringMatching(/^\/dashboard-assets\/app\.[0-9a-f]{16}\.css$/), expect.stringMatching(/^\/dashboard-assets\/app\.[0-9a-f]{16}\.js$/)]);
    expect(text).toContain('<a href="/graphql">Playground</a>');
    expect(pageConfig(text)).toEqual({ endpoint: '/graphql', playground: '/graphql', apiKey: null });
  });

  it('serves its script and stylesheet with their content types, cacheable for good, and loading nothing from elsewhere', async () => {
    const { text } = await app.http.get('/dashboard');
    const [css, js] = assets(text);
    const script = await app.http.get(js);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.headers['cache-control']).toContain('immutable');
    // Sent gzipped (supertest unzips it) to a client that accepts it, as browsers do; as is to one that does not.
    expect(script.headers['content-encoding']).toBe('gzip');
    const plain = await app.http.get(js).set('accept-encoding', 'identity');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.text).toBe(script.text);
    // ECharts, built in: the page draws its charts with no CDN.
    expect(script.text).toContain('echarts');
    // The only absolute URLs in the bundle are text: a licence link and an error message's documentation link.
    const urls = [...script.text.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]);
    for (const url of urls) expect(url).toMatch(/\/LICENSE$|^https:\/\/yarnpkg\.com\/en\/docs\//);

    const style = await app.http.get(css);
    expect(style.status).toBe(200);
    expect(style.headers['content-type']).toMatch(/^text\/css/);
    expect(style.text).not.toMatch(/url\(|@import/);
  });

  it('answers 404 for an asset it does not have', async () => {
    expect((await app.http.get('/dashboard-assets/app.0000000000000000.js')).status).toBe(404);
  });

  it('carries the development key to a browser on this machine, as the playground does', async () => {
    const { text } = await withKey.http.get('/dashboard');
    expect(pageConfig(text).apiKey).toBe('rk_development_key_for_the_page');
  });
});

describe('the playground and the dashboard', () => {
  it('the playground links to the dashboard', async () => {
    const { text } = await app.http.get('/graphql').set('accept', BROWSER_ACCEPT);
    expect(text).toContain('href="/dashboard"');
  });

  it("opens a query handed over in the URL, as the dashboard's links do, as its first tab", async () => {
    const query = print(parse(ValueMatrixDocument));
    const variables = JSON.stringify({ first: 3 });
    const { text } = await app.http.get('/graphql').query({ open: query, variables }).set('accept', BROWSER_ACCEPT);
    const options = JSON.parse(/renderYogaGraphiQL\([^,]+, (.*)\);<\/script>/.exec(text)![1]);
    expect(options.query).toBe(query);
    expect(options.variables).toBe(variables);
    expect(options.defaultTabs[0]).toMatchObject({ query, variables });
    expect(options.defaultTabs[1].query).toContain('query Customer360');
  });

  it('ignores ?query=, where GraphiQL keeps the query being edited', async () => {
    const { text } = await app.http.get('/graphql').query({ query: '{ __typename }' }).set('accept', BROWSER_ACCEPT);
    expect(text).not.toContain('__typename');
  });
});
