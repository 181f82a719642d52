import { api, qs } from './api.js';
import { fmtMs, fmtRate, fmtRps, h, healthClass, message, s, table } from './dom.js';
import { impliedLinks, layered } from './layout.js';

const NODE_H = 52;

function serviceHref(node) {
  return node.kind === 'service' ? `#/service/${encodeURIComponent(node.namespace)}/${encodeURIComponent(node.name)}` : null;
}

function nodeBox(n, p, width) {
  const href = serviceHref(n);
  const shape =
    n.kind === 'service'
      ? s('rect', { x: p.x, y: p.y, width, height: NODE_H, rx: 26, class: `node-shape ${healthClass(n.successRate)}` })
      : s('rect', { x: p.x, y: p.y, width, height: NODE_H, rx: 4, class: 'node-shape workload' });
  const label = s('text', { x: p.x + width / 2, y: p.y + 21, class: 'node-name' }, n.name);
  const sub = s('text', { x: p.x + width / 2, y: p.y + 39, class: 'node-sub' }, `${n.kind} · ${n.namespace}${n.requests > 0 ? ` · ${fmtRps(n.rps)} rps` : ''}`);
  const g = s('g', { class: `node node-${n.kind}`, 'data-node': n.id, 'data-rps': n.rps }, s('title', {}, `${n.id}\n${fmtRps(n.rps)} rps, success ${fmtRate(n.successRate)}`), shape, label, sub);
  return href ? s('a', { href }, g) : g;
}

function edgePath(a, b, width) {
  const x1 = a.x + width;
  const y1 = a.y + NODE_H / 2;
  const x2 = b.x;
  const y2 = b.y + NODE_H / 2;
  const mx = (x1 + x2) / 2;
  return { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2 - 6},${y2}`, mid: { x: mx, y: (y1 + y2) / 2 } };
}

/** The graph as SVG: service and workload nodes, call edges coloured by success rate and labelled with rps. */
export function topologySvg(nodes, edges) {
  const implied = impliedLinks(nodes);
  const { pos, width, height, nodeWidth } = layered(nodes, [...edges, ...implied]);
  const arrows = ['ok', 'warn', 'bad', 'idle', 'implied'].map((c) =>
    s('marker', { id: `arrow-${c}`, viewBox: '0 0 10 10', refX: 4, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse', class: `arrow ${c}` }, s('path', { d: 'M0,0 L10,5 L0,10 z' })),
  );
  const links = implied
    .filter((l) => pos.has(l.source) && pos.has(l.target))
    .map((l) => s('path', { d: edgePath(pos.get(l.source), pos.get(l.target), nodeWidth).d, class: 'edge implied', 'marker-end': 'url(#arrow-implied)' }));
  const calls = edges
    .filter((e) => pos.has(e.source) && pos.has(e.target))
    .map((e) => {
      const { d, mid } = edgePath(pos.get(e.source), pos.get(e.target), nodeWidth);
      const cls = healthClass(e.successRate);
      const label = `${fmtRps(e.rps)} rps`;
      return s(
        'g',
        { class: `edge-group ${cls}`, 'data-edge': `${e.source}>${e.target}`, 'data-rps': e.rps, 'data-success': e.successRate ?? '' },
        s('title', {}, `${e.source} → ${e.target}\n${label}, success ${fmtRate(e.successRate)}, p99 ${fmtMs(e.latencyMs?.p99)}`),
        s('path', { d, class: `edge ${cls}`, 'marker-end': `url(#arrow-${cls})` }),
        s('rect', { x: mid.x - 34, y: mid.y - 10, width: 68, height: 18, rx: 9, class: 'edge-label-bg' }),
        s('text', { x: mid.x, y: mid.y + 3, class: 'edge-label' }, label),
      );
    });
  return s(
    'svg',
    { viewBox: `0 0 ${width} ${height}`, width, height, class: 'topology', role: 'img', 'aria-label': 'service topology' },
    s('defs', {}, arrows),
    links,
    calls,
    nodes.filter((n) => pos.has(n.id)).map((n) => nodeBox(n, pos.get(n.id), nodeWidth)),
  );
}

function edgeRows(edges) {
  return edges.map((e) =>
    h(
      'tr',
      { 'data-edge-row': `${e.source}>${e.target}` },
      h('td', {}, e.source.replace(/^workload:/, '')),
      h('td', {}, h('a', { href: `#/service/${e.target.replace(/^service:/, '')}` }, e.target.replace(/^service:/, ''))),
      h('td', { class: 'num' }, fmtRps(e.rps)),
      h('td', { class: `num ${healthClass(e.successRate)}` }, fmtRate(e.successRate)),
      h('td', { class: 'num' }, fmtMs(e.latencyMs?.p50)),
      h('td', { class: 'num' }, fmtMs(e.latencyMs?.p99)),
      h('td', { class: 'num' }, e.mtlsRate === null ? '–' : fmtRate(e.mtlsRate)),
    ),
  );
}

export async function topologyPage(ctx) {
  const data = await api(`/api/v1/topology${qs({ window: ctx.window })}`);
  if (data.nodes.length === 0) {
    return h('section', {}, h('h1', {}, 'Topology'), message('info', 'No traffic in this window', `Nothing reported in the last ${ctx.window}: are the sidecars publishing reports to telemetry over NATS?`));
  }
  return h(
    'section',
    {},
    h('h1', {}, 'Topology ', h('small', { class: 'muted' }, `last ${ctx.window}`)),
    h('p', { class: 'legend' }, h('span', { class: 'chip ok' }, '≥ 99 %'), h('span', { class: 'chip warn' }, '≥ 95 %'), h('span', { class: 'chip bad' }, '< 95 %'), ' success; edges labelled with requests/s; dashed: a service to its workloads'),
    h('div', { class: 'graph' }, topologySvg(data.nodes, data.edges)),
    h('h2', {}, 'Edges'),
    table(['from workload', 'to service', 'rps', 'success', 'p50', 'p99', 'mTLS'], edgeRows(data.edges), { class: 'edges' }),
  );
}
