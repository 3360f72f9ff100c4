import { randomBytes } from 'node:crypto';
import path from 'node:path';
import express, { Express } from 'express';
import { exampleVariables, PLAYGROUND_EXAMPLES } from './playground-examples';

const GRAPHIQL_DIST = path.dirname(require.resolve('@graphql-yoga/graphiql'));
const GRAPHIQL_VERSION: string = require('@graphql-yoga/graphiql/package.json').version;

/** The version is in the path, so the assets can be cached as immutable and an upgrade still reaches browsers. */
export const PLAYGROUND_ASSETS = `/playground-assets/${GRAPHIQL_VERSION}`;

/**
 * Monaco runs its language services in web workers and, in a UMD build, cannot know where their
 * scripts are: without MonacoEnvironment it falls back to the main thread and GraphQL autocomplete
 * and validation stop working. Keys are Monaco's worker labels; files are in @graphql-yoga/graphiql/dist.
 */
const MONACO_WORKERS: Record<string, string> = {
  editorWorkerService: 'monacoeditorwork/editor.worker.bundle.js',
  graphql: 'monacoeditorwork/graphql.worker..bundle.js',
  json: 'monacoeditorwork/json.worker.bundle.js',
};

/** JSON that is safe inside an inline <script>: no "</script>" or "<!--" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

/**
 * A query handed over in the URL (`/graphql?open=…&variables=…`), as the dashboard's "Open in playground" links do.
 * Not `query`: GraphiQL writes the query being edited there, and a reload must not open it as a new tab each time.
 */
export interface LinkedQuery {
  query: string;
  variables?: string;
}

/** Longer than any URL a browser sends; a bound on what goes back into the page. */
const MAX_LINKED_QUERY = 64 * 1024;

function linkedQuery(params: Record<string, unknown>): LinkedQuery | null {
  const { open: query, variables } = params;
  if (typeof query !== 'string' || !query.trim() || query.length > MAX_LINKED_QUERY) return null;
  return { query, variables: typeof variables === 'string' && variables.length <= MAX_LINKED_QUERY ? variables : undefined };
}

function page(nonce: string, apiKey: string | null, linked: LinkedQuery | null): string {
  const workers = Object.fromEntries(Object.entries(MONACO_WORKERS).map(([label, file]) => [label, `${PLAYGROUND_ASSETS}/${file}`]));
  // Without a development key the headers pane starts with a template to paste a key into.
  const headers = JSON.stringify({ Authorization: `Bearer ${apiKey ?? '<your API key>'}` }, null, 2);
  const examples = PLAYGROUND_EXAMPLES.map((e) => {
    const variables = exampleVariables(e);
    return { query: e.query, variables: variables ? JSON.stringify(variables, null, 2) : undefined, headers };
  });
  // A linked query opens first; GraphiQL, finding tabs saved from an earlier visit, adds it to them (or selects its twin).
  const tabs = linked ? [{ ...linked, headers }, ...examples] : examples;
  const options = {
    endpoint: '/graphql',
    title: 'Rapport',
    defaultTabs: tabs,
    // Yoga fills the editors with its welcome text unless given a query; the first tab's keeps them in step with the tabs.
    query: tabs[0].query,
    variables: tabs[0].variables,
    headers,
    defaultHeaders: headers,
    headerEditorEnabled: true,
  };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${PLAYGROUND_ASSETS}/graphiql.css">
<style nonce="${nonce}">html, body { margin: 0; height: 100%; overflow: hidden; } #graphiql { height: 100vh; }
#rapport-dashboard-link { position: fixed; right: 16px; bottom: 10px; z-index: 10; font: 13px system-ui, sans-serif; padding: 4px 10px; border-radius: 6px; background: hsl(var(--color-primary, 320 95% 43%)); color: #fff; text-decoration: none; }</style>
</head>
<body>
<div id="graphiql"></div>
<a id="rapport-dashboard-link" href="/dashboard">Dashboard</a>
<script nonce="${nonce}">
// The link has done its work once the tab is open: without it in the address bar, a reload opens no second copy.
const linked = new URL(location.href);
if (linked.searchParams.has('open')) {
  linked.searchParams.delete('open');
  linked.searchParams.delete('variables');
  history.replaceState(null, '', linked);
}
const workers = ${scriptJson(workers)};
self.MonacoEnvironment = { getWorker: (_id, label) => new Worker(workers[label] || workers.editorWorkerService, { name: label }) };
</script>
<script nonce="${nonce}" src="${PLAYGROUND_ASSETS}/yoga-graphiql.umd.js"></script>
<script nonce="${nonce}">YogaGraphiQL.renderYogaGraphiQL(document.getElementById('graphiql'), ${scriptJson(options)});</script>
</body>
</html>`;
}

/**
 * Everything the page loads comes from this server, so the playground works offline; the policy makes
 * the browser refuse anything else. Styles stay 'unsafe-inline' because React and Monaco set inline styles.
 */
function contentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'self'",
  ].join('; ');
}

export function isLoopback(address: string | undefined): boolean {
  return !!address && (address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.'));
}

/** GraphiQL for browsers at GET /graphql; clients asking for JSON fall through to Apollo. */
export function mountPlayground(app: Express, apiKey: string | null = null): void {
  app.use(PLAYGROUND_ASSETS, express.static(GRAPHIQL_DIST, { immutable: true, maxAge: '365d', index: false }));
  app.get('/graphql', (req, res, next) => {
    // Browsers list text/html first; fetch, curl (*/*) and GraphQL clients get the first type here, JSON.
    if (req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') return next();
    const nonce = randomBytes(16).toString('base64');
    res.set({ 'content-security-policy': contentSecurityPolicy(nonce), 'cache-control': 'no-store' });
    // The development key only goes to a browser on this machine: HOST may be 0.0.0.0, and the page must not hand an ADMIN key to the network.
    res.type('html').send(page(nonce, apiKey && isLoopback(req.socket.remoteAddress) ? apiKey : null, linkedQuery(req.query)));
  });
}
