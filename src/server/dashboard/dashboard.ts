import type { Express } from 'express';
import { dashboardBundle } from './bundle';
import { isLoopback } from '../playground';

/** The bundle's file names carry their content hash, so browsers may keep them for good. */
export const DASHBOARD_ASSETS = '/dashboard-assets';

/** JSON that is safe inside a <script> data block: no "</script>" or "<!--" can end it early. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function page(script: string, style: string, apiKey: string | null): string {
  // A data block, not a script: the policy below allows no inline code, and the browser never runs this.
  const config = { endpoint: '/graphql', playground: '/graphql', apiKey };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Rapport dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${DASHBOARD_ASSETS}/${style}">
<script type="application/json" id="rapport-config">${scriptJson(config)}</script>
<script defer src="${DASHBOARD_ASSETS}/${script}"></script>
</head>
<body>
<header class="top">
  <h1>Rapport dashboard</h1>
  <nav><a href="/graphql">Playground</a></nav>
</header>
<main id="dashboard"><noscript>The dashboard draws its charts with JavaScript; the same figures are in the <a href="/graphql">playground</a>.</noscript></main>
</body>
</html>`;
}

/**
 * Everything comes from this server and no code or style is inline, so the policy can be strict: the page works
 * offline, and an injected script or stylesheet, or a call to another origin, is refused. ECharts draws on a canvas
 * and positions its elements through the CSSOM, which style-src does not govern.
 */
export const DASHBOARD_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/** The analyst dashboard at GET /dashboard, drawn in the browser from the API through the SDK. */
export function mountDashboard(app: Express, apiKey: string | null = null): void {
  app.get(`${DASHBOARD_ASSETS}/:file`, async (req, res, next) => {
    try {
      const { script, style } = await dashboardBundle();
      const asset = [script, style].find((a) => a.name === req.params.file);
      if (!asset) return next();
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
      res.set({ 'cache-control': 'public, max-age=31536000, immutable', vary: 'Accept-Encoding' });
      if (gzip) res.set('content-encoding', 'gzip');
      res.type(asset === script ? 'text/javascript' : 'text/css').send(gzip ? asset.gzipped : asset.body);
    } catch (e) {
      next(e);
    }
  });
  app.get('/dashboard', async (req, res, next) => {
    try {
      const { script, style } = await dashboardBundle();
      res.set({ 'content-security-policy': DASHBOARD_CSP, 'cache-control': 'no-store' });
      // As for the playground: the development key only goes to a browser on this machine.
      res.type('html').send(page(script.name, style.name, apiKey && isLoopback(req.socket.remoteAddress) ? apiKey : null));
    } catch (e) {
      next(e);
    }
  });
}
