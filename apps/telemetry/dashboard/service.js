import { api, qs } from './api.js';
import { lineChart } from './charts.js';
import { fmtMs, fmtRate, fmtRps, h, healthClass, message, table } from './dom.js';
import { traceRows, TRACE_HEADERS } from './traces.js';

function card(label, value, cls = '') {
  return h('div', { class: `card ${cls}` }, h('div', { class: 'card-label' }, label), h('div', { class: 'card-value', 'data-signal': label }, value));
}

/** Every service that received requests in the window, with its golden signals. */
export async function servicesPage(ctx) {
  const { services } = await api(`/api/v1/stat${qs({ window: ctx.window })}`);
  const rows = services.map((x) =>
    h(
      'tr',
      { 'data-service': `${x.namespace}/${x.service}` },
      h('td', {}, h('a', { href: `#/service/${encodeURIComponent(x.namespace)}/${encodeURIComponent(x.service)}` }, x.service)),
      h('td', {}, x.namespace),
      h('td', { class: 'num' }, fmtRps(x.rps)),
      h('td', { class: `num ${healthClass(x.successRate)}` }, fmtRate(x.successRate)),
      h('td', { class: 'num' }, fmtMs(x.latencyMs?.p50)),
      h('td', { class: 'num' }, fmtMs(x.latencyMs?.p95)),
      h('td', { class: 'num' }, fmtMs(x.latencyMs?.p99)),
      h('td', { class: 'num' }, fmtRate(x.mtlsRate)),
    ),
  );
  return h(
    'section',
    {},
    h('h1', {}, 'Services ', h('small', { class: 'muted' }, `last ${ctx.window}`)),
    services.length === 0 ? message('info', 'No traffic in this window', null) : table(['service', 'namespace', 'rps', 'success', 'p50', 'p95', 'p99', 'mTLS'], rows, { class: 'services' }),
  );
}

function charts(points) {
  const pts = (f) => points.map((p) => [p.t, f(p)]);
  return h(
    'div',
    { class: 'charts' },
    lineChart({ title: 'Requests per second', testId: 'rps', yFormat: fmtRps, lines: [{ name: 'rps', cls: 's1', points: pts((p) => (p.requests > 0 ? p.rps : 0)) }] }),
    lineChart({ title: 'Success rate', testId: 'success', yFormat: (v) => fmtRate(v), yMin: 0, yMax: 1, lines: [{ name: 'success', cls: 's2', points: pts((p) => p.successRate) }] }),
    lineChart({
      title: 'Latency',
      testId: 'latency',
      yFormat: fmtMs,
      lines: [
        { name: 'p50', cls: 's1', points: pts((p) => p.latencyMs?.p50 ?? null) },
        { name: 'p95', cls: 's3', points: pts((p) => p.latencyMs?.p95 ?? null) },
        { name: 'p99', cls: 's4', points: pts((p) => p.latencyMs?.p99 ?? null) },
      ],
    }),
  );
}

/** Sidecars name their spans' service `<service>.<namespace>` (as Istio's); apps posting spans may use the bare name. */
async function recentTraces(namespace, service) {
  const known = await api('/api/v2/services').catch(() => []);
  const name = [`${service}.${namespace}`, service].find((n) => known.includes(n));
  return name === undefined ? [] : api(`/api/v2/traces${qs({ serviceName: name, limit: 10 })}`).catch(() => []);
}

/** One service: its golden signals now, over time (10 s buckets), its callers, its recent traces. */
export async function servicePage(ctx, namespace, service) {
  const seriesWindow = ctx.window === '1m' ? '5m' : ctx.window;
  const [stat, series, edges, traces] = await Promise.all([
    api(`/api/v1/stat${qs({ window: ctx.window })}`),
    api(`/api/v1/stat/series${qs({ window: seriesWindow, namespace, service })}`),
    api(`/api/v1/edges${qs({ window: ctx.window })}`),
    recentTraces(namespace, service),
  ]);
  const x = stat.services.find((v) => v.namespace === namespace && v.service === service);
  const callers = edges.edges.filter((e) => e.destination.namespace === namespace && e.destination.service === service);
  return h(
    'section',
    { 'data-page-service': `${namespace}/${service}` },
    h('p', { class: 'crumbs' }, h('a', { href: '#/services' }, 'Services'), ' / ', namespace),
    h('h1', {}, service),
    x === undefined
      ? message('info', `No requests to ${service} in the last ${ctx.window}`, null)
      : h(
          'div',
          { class: 'cards' },
          card('requests/s', fmtRps(x.rps)),
          card('success', fmtRate(x.successRate), healthClass(x.successRate)),
          card('p50', fmtMs(x.latencyMs?.p50)),
          card('p95', fmtMs(x.latencyMs?.p95)),
          card('p99', fmtMs(x.latencyMs?.p99)),
          card('mTLS', fmtRate(x.mtlsRate)),
        ),
    h('h2', {}, 'Golden signals ', h('small', { class: 'muted' }, `last ${seriesWindow}, 10 s buckets`)),
    charts(series.points),
    h('h2', {}, 'Callers'),
    callers.length === 0
      ? h('p', { class: 'muted' }, 'No callers in this window.')
      : table(
          ['workload', 'rps', 'success', 'p99', 'reported by'],
          callers.map((e) =>
            h('tr', {}, h('td', {}, `${e.source.namespace}/${e.source.workload}`), h('td', { class: 'num' }, fmtRps(e.rps)), h('td', { class: `num ${healthClass(e.successRate)}` }, fmtRate(e.successRate)), h('td', { class: 'num' }, fmtMs(e.latencyMs?.p99)), h('td', {}, e.reporter)),
          ),
        ),
    h('h2', {}, 'Recent traces'),
    traces.length === 0 ? h('p', { class: 'muted' }, `No traces with spans of ${service}.`) : table(TRACE_HEADERS, traceRows(traces), { class: 'traces' }),
  );
}
