// The analyst dashboard: portfolio figures from the API, through the SDK, drawn with ECharts.
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { parse, print } from 'graphql';
import {
  ChurnWatchlistDocument,
  ClvDistributionDocument,
  CohortRetentionDocument,
  ComplaintStatsDocument,
  createClient,
  LifecycleFunnelDocument,
  PipelineSummaryDocument,
  RapportAuthenticationError,
  RapportError,
  SegmentSummaryDocument,
  ValueMatrixDocument,
} from '../../../../sdk/src/index';
import type { RapportClient } from '../../../../sdk/src/index';
import * as charts from './charts';
import type { ChartView } from './charts';
import './dashboard.css';

// Only what the charts use, so the bundle carries a fraction of ECharts.
echarts.use([BarChart, HeatmapChart, LineChart, AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent, CanvasRenderer]);

interface Config {
  endpoint: string;
  playground: string;
  /** The development key, given only to a browser on the server's machine in development. */
  apiKey: string | null;
}

const config: Config = JSON.parse(document.getElementById('rapport-config')!.textContent!);
const TOKEN_KEY = 'rapport.dashboard.token';
const YEAR = 365 * 86_400_000;

interface Card {
  id: string;
  title: string;
  /** The SDK's typed document: compact query text, as the SDK sends it. */
  document: string;
  /** Variables of the query, also put in the playground link. Null: nothing to show (e.g. no pipeline yet). */
  variables: (client: RapportClient) => Promise<Record<string, unknown> | null>;
  view: (data: any) => ChartView | null;
}

/** The last twelve months up to now, the period of the period-based cards. */
function lastYear() {
  const to = new Date();
  return { from: new Date(to.getTime() - YEAR).toISOString(), to: to.toISOString() };
}

const CARDS: Card[] = [
  { id: 'segments', title: 'Segment sizes and revenue', document: SegmentSummaryDocument, variables: async () => ({}), view: charts.segmentsChart },
  { id: 'value-matrix', title: 'Relative value matrix', document: ValueMatrixDocument, variables: async () => ({}), view: charts.valueMatrixChart },
  { id: 'clv', title: 'CLV distribution', document: ClvDistributionDocument, variables: async () => ({ buckets: 10, basis: 'MARGIN' }), view: charts.clvChart },
  {
    id: 'cohorts',
    title: 'Cohort retention',
    document: CohortRetentionDocument,
    variables: async () => ({ from: new Date(Date.now() - 1.5 * YEAR).toISOString(), granularity: 'MONTH' }),
    view: charts.cohortChart,
  },
  { id: 'lifecycle', title: 'Lifecycle funnel', document: LifecycleFunnelDocument, variables: async () => lastYear(), view: charts.lifecycleChart },
  { id: 'churn', title: 'Churn watchlist', document: ChurnWatchlistDocument, variables: async () => ({ first: 20 }), view: charts.churnChart },
  {
    id: 'pipeline',
    title: 'Sales pipeline',
    document: PipelineSummaryDocument,
    variables: async (client) => {
      const { pipelines } = await client.pipelines();
      const pipeline = pipelines.find((p) => p.isDefault) ?? pipelines[0];
      return pipeline ? { pipelineId: pipeline.id, ...lastYear() } : null;
    },
    view: charts.pipelineChart,
  },
  { id: 'complaints', title: 'Complaints', document: ComplaintStatsDocument, variables: async () => ({ ...lastYear(), groupBy: 'CATEGORY' }), view: charts.complaintsChart },
];

/** Chart instances by card id: the browser test reads their series, and a curious analyst can too. */
const instances: Record<string, echarts.ECharts> = {};
(window as unknown as { rapportDashboard: unknown }).rapportDashboard = { charts: instances };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

/** The playground opens a tab with this query and its variables (src/server/playground.ts reads them from the URL). */
function playgroundLink(card: Card, variables: Record<string, unknown> | null): string {
  // The SDK's documents are compact one-line text; the analyst reads the query laid out as graphql prints it.
  const params = new URLSearchParams({ open: print(parse(card.document)) });
  if (variables && Object.keys(variables).length) params.set('variables', JSON.stringify(variables, null, 2));
  return `${config.playground}?${params}`;
}

function explain(e: unknown): string {
  if (e instanceof RapportError) return `${e.message}${'code' in e && e.code ? ` (${String(e.code)})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}

async function renderCard(client: RapportClient, card: Card, grid: HTMLElement): Promise<void> {
  const summary = el('p', { class: 'summary', id: `${card.id}-summary` }, 'Loading…');
  const chart = el('div', { class: 'chart', role: 'img', 'aria-label': card.title, 'aria-describedby': summary.id });
  const link = el('a', { class: 'playground-link', target: '_blank', rel: 'noopener' }, 'Open in playground');
  const section = el('section', { class: 'card', 'data-card': card.id, 'data-state': 'loading', 'aria-labelledby': `${card.id}-title` }, el('h2', { id: `${card.id}-title` }, card.title), chart, summary, link);
  grid.append(section);
  try {
    const variables = await card.variables(client);
    link.href = playgroundLink(card, variables);
    const view = variables && card.view(await client.request(card.document, variables));
    if (!view) {
      summary.textContent = 'Nothing to show yet.';
      section.dataset.state = 'empty';
      return;
    }
    summary.textContent = view.summary;
    const instance = echarts.init(chart, undefined, { renderer: 'canvas' });
    instance.setOption({ aria: { enabled: true }, animation: false, ...view.option });
    instances[card.id] = instance;
    section.dataset.state = 'ready';
  } catch (e) {
    summary.textContent = `Could not load: ${explain(e)}`;
    section.dataset.state = 'error';
    if (e instanceof RapportAuthenticationError) throw e;
  }
}

function tokenForm(root: HTMLElement, message: string | null): void {
  const input = el('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off', required: '', placeholder: 'rk_…' });
  const form = el(
    'form',
    { class: 'token-form' },
    el('h2', {}, 'Sign in with an API key'),
    el('p', {}, 'Paste an API key or bearer token. It stays in this tab (sessionStorage) and is sent only to this server.'),
    ...(message ? [el('p', { class: 'error', role: 'alert' }, message)] : []),
    el('label', { for: 'token' }, 'API key'),
    input,
    el('button', { type: 'submit' }, 'Show the dashboard'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, input.value.trim());
    void start(root);
  });
  root.replaceChildren(form);
  input.focus();
}

async function start(root: HTMLElement): Promise<void> {
  const token = sessionStorage.getItem(TOKEN_KEY) ?? config.apiKey;
  if (!token) return tokenForm(root, null);
  // Same origin, same credential as any client: the SDK sends it as a bearer token.
  const client = createClient({ url: new URL(config.endpoint, location.href).toString(), token, retries: 1 });
  const grid = el('div', { class: 'grid' });
  const signOut = el('button', { type: 'button', class: 'sign-out' }, 'Use another key');
  signOut.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    tokenForm(root, null);
  });
  root.replaceChildren(el('div', { class: 'toolbar' }, signOut), grid);
  const results = await Promise.allSettled(CARDS.map((card) => renderCard(client, card, grid)));
  if (results.some((r) => r.status === 'rejected')) {
    sessionStorage.removeItem(TOKEN_KEY);
    Object.values(instances).forEach((i) => i.dispose());
    tokenForm(root, 'The server did not accept that key. Paste a valid one.');
    return;
  }
  document.body.dataset.ready = 'true';
}

window.addEventListener('resize', () => Object.values(instances).forEach((i) => i.resize()));
void start(document.getElementById('dashboard')!);
