import { api, qs } from './api.js';
import { fmtMs, fmtTime, h, message, s, table } from './dom.js';
import { ordered } from './span-tree.js';

export const TRACE_HEADERS = ['trace', 'root', 'services', 'spans', 'duration', 'started'];

function serviceOf(span) {
  return span.localEndpoint?.serviceName ?? 'unknown';
}

function isError(span) {
  const t = span.tags ?? {};
  return t.error !== undefined || /^5\d\d$/.test(t['http.status_code'] ?? '');
}

/** A trace's extent in µs: earliest start, latest end. */
function extent(spans) {
  const start = Math.min(...spans.map((x) => x.timestamp ?? Infinity));
  const end = Math.max(...spans.map((x) => (x.timestamp ?? start) + (x.duration ?? 0)));
  return { start, end: Math.max(end, start + 1) };
}

export function traceRows(traces) {
  return traces.map((spans) => {
    const root = ordered(spans)[0]?.span ?? spans[0];
    const { start, end } = extent(spans);
    const services = [...new Set(spans.map(serviceOf))].sort();
    const id = root.traceId;
    return h(
      'tr',
      { 'data-trace': id, class: spans.some(isError) ? 'bad' : '' },
      h('td', {}, h('a', { href: `#/trace/${id}`, class: 'mono' }, id.slice(0, 16))),
      h('td', {}, `${serviceOf(root)}: ${root.name ?? ''}`),
      h('td', {}, services.join(', ')),
      h('td', { class: 'num' }, spans.length),
      h('td', { class: 'num' }, fmtMs((end - start) / 1000)),
      h('td', {}, fmtTime(start / 1000)),
    );
  });
}

export async function tracesPage(ctx, params) {
  const services = await api('/api/v2/services');
  const service = params.get('service') ?? '';
  const traces = await api(`/api/v2/traces${qs({ serviceName: service, limit: 30 })}`);
  const select = h(
    'select',
    { id: 'trace-service', onchange: (ev) => ctx.go(`#/traces${ev.target.value ? `?service=${encodeURIComponent(ev.target.value)}` : ''}`) },
    h('option', { value: '' }, 'all services'),
    services.map((x) => h('option', { value: x, selected: x === service }, x)),
  );
  return h(
    'section',
    { 'data-page-traces': service || '*' },
    h('h1', {}, 'Traces'),
    h('p', {}, h('label', {}, 'service ', select)),
    traces.length === 0 ? message('info', 'No traces', 'No spans stored within the trace TTL for this selection.') : table(TRACE_HEADERS, traceRows(traces), { class: 'traces' }),
  );
}

const ROW = 26;
const LABEL_W = 300;
const BAR_W = 620;

function waterfallSvg(spans) {
  const rows = ordered(spans);
  const { start, end } = extent(spans);
  const scale = BAR_W / (end - start);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) =>
    s('g', {}, s('line', { x1: LABEL_W + f * BAR_W, x2: LABEL_W + f * BAR_W, y1: 18, y2: 22 + rows.length * ROW, class: 'grid' }), s('text', { x: LABEL_W + f * BAR_W, y: 12, class: 'axis x' }, fmtMs((f * (end - start)) / 1000))),
  );
  const bars = rows.map(({ span, depth }, i) => {
    const y = 22 + i * ROW;
    const x = LABEL_W + ((span.timestamp ?? start) - start) * scale;
    const w = Math.max(2, (span.duration ?? 0) * scale);
    const label = `${serviceOf(span)}: ${span.name ?? span.id}`;
    return s(
      'g',
      { class: `span-row ${isError(span) ? 'bad' : ''}`, 'data-span': span.id, 'data-service': serviceOf(span) },
      s('title', {}, `${label}\n${span.kind ?? ''} ${fmtMs((span.duration ?? 0) / 1000)}\n${Object.entries(span.tags ?? {}).map(([k, v]) => `${k}=${v}`).join('\n')}`),
      s('text', { x: 6 + depth * 14, y: y + 16, class: 'span-label' }, label.length > 40 - depth * 2 ? `${label.slice(0, 38 - depth * 2)}…` : label),
      s('rect', { x, y: y + 4, width: w, height: ROW - 8, rx: 3, class: `span-bar k-${(span.kind ?? 'none').toLowerCase()}` }),
      s('text', { x: x + w + 4, y: y + 16, class: 'span-dur' }, fmtMs((span.duration ?? 0) / 1000)),
    );
  });
  const height = 30 + rows.length * ROW;
  return s('svg', { viewBox: `0 0 ${LABEL_W + BAR_W + 60} ${height}`, width: LABEL_W + BAR_W + 60, height, class: 'waterfall', role: 'img', 'aria-label': 'trace waterfall' }, ticks, bars);
}

function spanTable(spans) {
  return table(
    ['service', 'span', 'kind', 'duration', 'tags'],
    ordered(spans).map(({ span }) =>
      h('tr', {}, h('td', {}, serviceOf(span)), h('td', { class: 'mono' }, `${span.name ?? ''} (${span.id})`), h('td', {}, span.kind ?? ''), h('td', { class: 'num' }, fmtMs((span.duration ?? 0) / 1000)), h('td', { class: 'mono small' }, Object.entries(span.tags ?? {}).map(([k, v]) => `${k}=${v}`).join(' '))),
    ),
  );
}

/** One trace as a waterfall: a row per span, indented under its parent, bars on a shared time axis. */
export async function tracePage(_ctx, traceId) {
  const spans = await api(`/api/v2/trace/${encodeURIComponent(traceId)}`);
  const { start, end } = extent(spans);
  return h(
    'section',
    { 'data-page-trace': traceId },
    h('p', { class: 'crumbs' }, h('a', { href: '#/traces' }, 'Traces'), ' / ', h('span', { class: 'mono' }, traceId)),
    h('h1', {}, 'Trace ', h('small', { class: 'muted' }, `${spans.length} spans, ${[...new Set(spans.map(serviceOf))].length} services, ${fmtMs((end - start) / 1000)}, ${fmtTime(start / 1000)}`)),
    h('div', { class: 'graph' }, waterfallSvg(spans)),
    h('h2', {}, 'Spans'),
    spanTable(spans),
  );
}
