import { h, s } from './dom.js';

const W = 560;
const H = 200;
const PAD = { l: 56, r: 12, t: 14, b: 26 };

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  const m = v / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

function clock(t) {
  return new Date(t).toISOString().slice(11, 19);
}

/** Splits a series at its nulls (no requests in a bucket: a gap, not a zero). */
function runs(points) {
  const out = [];
  let cur = [];
  for (const p of points) {
    if (p[1] === null || p[1] === undefined) {
      if (cur.length) out.push(cur);
      cur = [];
    } else cur.push(p);
  }
  if (cur.length) out.push(cur);
  return out;
}

/**
 * A line chart in SVG. lines: [{name, cls, points: [[t, v|null]]}]; yFormat formats axis values;
 * yMin/yMax fix the range (success rate), else 0 … a round maximum.
 */
export function lineChart({ title, lines, yFormat, yMin = 0, yMax = null, testId }) {
  const all = lines.flatMap((l) => l.points);
  const ts = all.map((p) => p[0]);
  const t0 = Math.min(...ts);
  const t1 = Math.max(...ts, t0 + 1);
  const vals = all.map((p) => p[1]).filter((v) => v !== null && v !== undefined);
  const top = yMax ?? niceMax(Math.max(0, ...vals));
  const x = (t) => PAD.l + ((t - t0) / (t1 - t0)) * (W - PAD.l - PAD.r);
  const y = (v) => H - PAD.b - ((v - yMin) / (top - yMin || 1)) * (H - PAD.t - PAD.b);
  const grid = [0, 0.25, 0.5, 0.75, 1].map((f) => {
    const v = yMin + f * (top - yMin);
    return s('g', {}, s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }), s('text', { x: PAD.l - 6, y: y(v) + 4, class: 'axis y' }, yFormat(v)));
  });
  const xAxis = [t0, (t0 + t1) / 2, t1].map((t, i) => s('text', { x: x(t), y: H - 6, class: `axis x ${['first', '', 'last'][i]}` }, clock(t)));
  const paths = lines.flatMap((l) =>
    runs(l.points).map((r) =>
      r.length === 1
        ? s('circle', { cx: x(r[0][0]), cy: y(r[0][1]), r: 2.5, class: `dot ${l.cls}` })
        : s('path', { d: r.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' '), class: `line ${l.cls}` }),
    ),
  );
  const legend = lines.length > 1 ? h('div', { class: 'chart-legend' }, lines.map((l) => h('span', { class: `key ${l.cls}` }, l.name))) : null;
  const nonEmpty = vals.length;
  return h(
    'figure',
    { class: 'chart', 'data-chart': testId, 'data-points': nonEmpty },
    h('figcaption', {}, title),
    s('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', class: 'chart-svg', role: 'img', 'aria-label': title }, grid, xAxis, paths),
    legend,
  );
}
