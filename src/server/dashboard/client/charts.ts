import type { EChartsCoreOption } from 'echarts/core';
import type {
  ChurnWatchlistQuery,
  ClvDistributionQuery,
  CohortRetentionQuery,
  ComplaintStatsQuery,
  LifecycleFunnelQuery,
  PipelineSummaryQuery,
  SegmentSummaryQuery,
  ValueMatrixQuery,
} from '../../../../sdk/src/index';

/** A chart's option and a sentence or two saying what it shows, for screen readers and as its caption. */
export interface ChartView {
  option: EChartsCoreOption;
  summary: string;
}

type Money = { amount: string; currencyCode: string };

/** Display only: the API's amounts are exact decimal strings, a chart's axis needs numbers. */
const num = (m: Money | null | undefined): number => (m ? Number(m.amount) : 0);

export function money(m: Money | null | undefined): string {
  if (!m) return '–';
  return new Intl.NumberFormat('en', { style: 'currency', currency: m.currencyCode, maximumFractionDigits: 0 }).format(Number(m.amount));
}

const percent = (share: number | null | undefined) => (share == null ? '–' : `${Math.round(share * 1000) / 10}%`);

/** CANT_LOSE → Can't lose. */
const label = (value: string) => {
  const words = value.toLowerCase().replace(/_/g, ' ').replace(/\bcant\b/, 'can’t');
  return words.charAt(0).toUpperCase() + words.slice(1);
};

// Tooltips drawn by ECharts itself, not as HTML: its HTML tooltips carry inline styles the page's policy refuses.
const tooltip = (trigger: 'axis' | 'item') => ({ trigger, renderMode: 'richText' });
const grid = { left: 8, right: 16, top: 36, bottom: 8, containLabel: true };

export function segmentsChart({ segmentSummary: s }: SegmentSummaryQuery): ChartView {
  const rows = [...s.segments].sort((a, b) => num(b.revenue) - num(a.revenue));
  const top = rows.slice(0, 3).map((r) => `${label(r.segment)} (${r.customers} customers, ${money(r.revenue)})`);
  return {
    summary: `${s.customers} customers in ${rows.length} segments. Most revenue: ${top.join('; ')}.`,
    option: {
      tooltip: tooltip('axis'),
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: rows.map((r) => label(r.segment)), axisLabel: { rotate: 35, interval: 0 } },
      yAxis: [
        { type: 'value', name: 'Customers' },
        { type: 'value', name: 'Revenue', splitLine: { show: false } },
      ],
      series: [
        { name: 'Customers', type: 'bar', data: rows.map((r) => r.customers) },
        { name: 'Revenue', type: 'bar', yAxisIndex: 1, data: rows.map((r) => num(r.revenue)) },
      ],
    },
  };
}

const TIERS = ['KEY', 'DEVELOP', 'MAINTAIN', 'MONITOR'];

export function valueMatrixChart({ valueMatrix: m }: ValueMatrixQuery): ChartView {
  const segments = [...new Set(m.cells.map((c) => c.segment))].sort();
  const tiers = TIERS.filter((t) => m.cells.some((c) => c.valueTier === t));
  const biggest = [...m.cells].sort((a, b) => b.customers - a.customers)[0];
  return {
    summary: biggest
      ? `${m.customers} customers by RFM segment and value tier; the largest cell is ${label(biggest.segment)} × ${label(biggest.valueTier)} with ${biggest.customers} customers (${money(biggest.revenue)} revenue).`
      : 'No customers to place in the value matrix yet.',
    option: {
      tooltip: tooltip('item'),
      grid: { ...grid, top: 16, bottom: 56 },
      xAxis: { type: 'category', data: tiers.map(label), splitArea: { show: true } },
      yAxis: { type: 'category', data: segments.map(label), splitArea: { show: true } },
      visualMap: { min: 0, max: Math.max(1, ...m.cells.map((c) => c.customers)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
      series: [
        {
          name: 'Customers',
          type: 'heatmap',
          label: { show: true },
          data: m.cells.map((c) => [tiers.indexOf(c.valueTier), segments.indexOf(c.segment), c.customers]),
        },
      ],
    },
  };
}

export function clvChart({ clvDistribution: d }: ClvDistributionQuery): ChartView {
  return {
    summary: `Predicted 12-month CLV (${label(d.basis)}) of ${d.customers} buyers: ${money(d.total)} in total, ${money(d.average)} on average, in ${d.buckets.length} bands.`,
    option: {
      tooltip: tooltip('axis'),
      grid,
      xAxis: { type: 'category', name: 'CLV', data: d.buckets.map((b) => `${money(b.lower)}–${money(b.upper)}`), axisLabel: { rotate: 35 } },
      yAxis: { type: 'value', name: 'Customers' },
      series: [{ name: 'Customers', type: 'bar', data: d.buckets.map((b) => b.customers) }],
    },
  };
}

export function cohortChart({ cohortRetention: cohorts }: CohortRetentionQuery): ChartView {
  const periods = Math.max(0, ...cohorts.map((c) => c.retention.length));
  const names = cohorts.map((c) => c.start.slice(0, 7));
  const data = cohorts.flatMap((c, y) => c.retention.map((r, x) => [x, y, Math.round(r * 1000) / 10]));
  // Period 0 is 100% by definition; the first period after it is the telling one.
  const second = cohorts.filter((c) => c.retention.length > 1);
  const mean = second.length ? second.reduce((sum, c) => sum + c.retention[1], 0) / second.length : null;
  return {
    summary: `${cohorts.length} monthly acquisition cohorts; on average ${percent(mean)} of a cohort buys again in the month after its first purchase.`,
    option: {
      tooltip: tooltip('item'),
      grid: { ...grid, top: 16, bottom: 72 },
      xAxis: { type: 'category', name: 'Months since first purchase', nameLocation: 'middle', nameGap: 28, data: Array.from({ length: periods }, (_, i) => String(i)) },
      yAxis: { type: 'category', data: names, inverse: true },
      visualMap: { min: 0, max: 100, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120, text: ['100%', '0%'] },
      series: [{ name: 'Retention %', type: 'heatmap', data }],
    },
  };
}

export function lifecycleChart({ lifecycleFunnel: f }: LifecycleFunnelQuery): ChartView {
  const stages = [...f.stages].sort((a, b) => a.position - b.position);
  return {
    summary: `Customers per lifecycle stage now: ${stages.map((s) => `${s.stage} ${s.current}`).join(', ')}; ${f.flows.reduce((n, x) => n + x.count, 0)} stage moves in the last 12 months.`,
    option: {
      tooltip: tooltip('axis'),
      legend: { top: 0 },
      grid,
      xAxis: { type: 'value' },
      yAxis: { type: 'category', inverse: true, data: stages.map((s) => s.stage) },
      series: [
        { name: 'Now', type: 'bar', data: stages.map((s) => s.current) },
        { name: 'Entered (12 months)', type: 'bar', data: stages.map((s) => s.entered) },
        { name: 'Left (12 months)', type: 'bar', data: stages.map((s) => s.left) },
      ],
    },
  };
}

export function churnChart({ churnWatchlist: list }: ChurnWatchlistQuery): ChartView {
  const rows = list.slice(0, 15);
  const total = list.reduce((sum, r) => sum + num(r.valueAtRisk), 0);
  const first = list[0];
  return {
    summary: first
      ? `${list.length} customers with the most value at risk, ${money({ amount: String(total), currencyCode: first.valueAtRisk.currencyCode })} in all; first ${first.customer.name} (${percent(first.churnProbability)} churn risk, ${money(first.valueAtRisk)}).`
      : 'No customer is at risk.',
    option: {
      tooltip: tooltip('axis'),
      grid: { ...grid, bottom: 32 },
      xAxis: { type: 'value', name: 'Value at risk', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'category', inverse: true, data: rows.map((r) => `${r.customer.name} · ${percent(r.churnProbability)}`) },
      series: [{ name: 'Value at risk', type: 'bar', data: rows.map((r) => num(r.valueAtRisk)) }],
    },
  };
}

export function pipelineChart({ pipelineSummary: p }: PipelineSummaryQuery): ChartView | null {
  if (!p) return null;
  const stages = [...p.stages].sort((a, b) => a.stage.position - b.stage.position);
  return {
    summary: `${p.pipeline.name}: ${stages.reduce((n, s) => n + s.count, 0)} open deals; in the last 12 months ${p.won} won (${money(p.wonAmount)}), ${p.lost} lost, win rate ${percent(p.winRate)}.`,
    option: {
      tooltip: tooltip('axis'),
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: stages.map((s) => s.stage.name), axisLabel: { interval: 0 } },
      yAxis: [
        { type: 'value', name: p.pipeline.currency },
        { type: 'value', name: 'Deals', splitLine: { show: false } },
      ],
      series: [
        { name: 'Amount', type: 'bar', data: stages.map((s) => num(s.amount)) },
        { name: 'Weighted', type: 'bar', data: stages.map((s) => num(s.weightedAmount)) },
        { name: 'Deals', type: 'line', yAxisIndex: 1, data: stages.map((s) => s.count) },
      ],
    },
  };
}

export function complaintsChart({ complaintStats: c }: ComplaintStatsQuery): ChartView {
  const groups = [...c.groups].sort((a, b) => b.count - a.count);
  const name = (key: string | null) => (key ? label(key) : 'Other');
  return {
    summary: `${c.total.count} complaints opened in the last 12 months, ${c.total.unresolved} unresolved, ${c.total.overdue} overdue; ${percent(c.total.withinSlaShare)} within service level, median resolution ${c.total.medianResolutionHours == null ? '–' : `${Math.round(c.total.medianResolutionHours)} h`}.`,
    option: {
      tooltip: tooltip('axis'),
      legend: { top: 0 },
      grid,
      xAxis: { type: 'category', data: groups.map((g) => name(g.key)), axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: 'value', name: 'Complaints' },
      series: [
        { name: 'Opened', type: 'bar', data: groups.map((g) => g.count) },
        { name: 'Unresolved', type: 'bar', data: groups.map((g) => g.unresolved) },
        { name: 'Overdue', type: 'bar', data: groups.map((g) => g.overdue) },
      ],
    },
  };
}
