/* global document */
// Tiny DOM builders: every text goes through text nodes (never innerHTML), so data from the mesh
// (service names, span tags, NACK messages) cannot inject markup.

const SVG_NS = 'http://www.w3.org/2000/svg';

function fill(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** An HTML element: h('a', {href: '#/x'}, 'text', child…). */
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children);
}

/** An SVG element. */
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG_NS, tag), attrs, children);
}

export function fmtRate(v) {
  return v === null || v === undefined ? '–' : `${(v * 100).toFixed(v >= 0.9995 || v === 0 ? 0 : 1)} %`;
}

export function fmtRps(v) {
  if (v === null || v === undefined) return '–';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

export function fmtMs(v) {
  if (v === null || v === undefined) return '–';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${Math.round(v * 10) / 10} ms`;
}

export function fmtAge(epochMs) {
  const s = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

export function fmtTime(epochMs) {
  return new Date(epochMs).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

/** Success-rate colour class: ok ≥ 99 %, warn ≥ 95 %, bad below, idle without requests. */
export function healthClass(rate) {
  if (rate === null || rate === undefined) return 'idle';
  return rate >= 0.99 ? 'ok' : rate >= 0.95 ? 'warn' : 'bad';
}

export function message(kind, title, detail) {
  return h('div', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, h('strong', {}, title), detail ? h('p', {}, detail) : null);
}

export function table(headers, rows, attrs = {}) {
  return h('table', attrs, h('thead', {}, h('tr', {}, headers.map((x) => h('th', {}, x)))), h('tbody', {}, rows));
}
