import { api, ApiError, qs } from './api.js';
import { fmtAge, fmtTime, h, message, table } from './dom.js';

const TYPES = ['cds', 'lds', 'eds', 'rds'];

/** The relayed pages degrade to a message naming the app when it does not answer (503 from telemetry). */
function unavailable(err, app) {
  if (err instanceof ApiError && err.status === 503) {
    return message('error', `${app} does not answer`, `${err.message}. Telemetry asks ${app} over NATS; check that it runs and shares NATS (and WEFT_SUBJECT_PREFIX) with telemetry.`);
  }
  throw err;
}

function state(p, type) {
  const t = p.types[type];
  const st = t?.state ?? 'IGNORED';
  return h('td', { class: `state st-${st.toLowerCase()}`, 'data-type': type, title: t?.error ?? '' }, st);
}

function overall(p) {
  const states = Object.values(p.types).map((t) => t.state);
  if (states.includes('NACK')) return 'NACK';
  if (states.includes('STALE')) return 'STALE';
  if (states.length > 0 && states.every((x) => x === 'SYNCED')) return 'SYNCED';
  return states.length === 0 ? 'NOT_SENT' : 'PARTIAL';
}

/** Every proxy connected to any pilot replica, with its per-type xDS sync state (weftctl proxy-status). */
export async function proxiesPage() {
  let proxies;
  try {
    ({ proxies } = await api('/api/v1/mesh/proxies'));
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Proxies'), unavailable(err, 'Pilot'));
  }
  const rows = proxies.map((p) =>
    h(
      'tr',
      { 'data-proxy': p.proxyId, 'data-sync': overall(p) },
      h('td', { class: 'mono' }, p.proxyId),
      h('td', {}, p.node.namespace),
      h('td', {}, p.node.service ?? ''),
      h('td', { class: `state st-${overall(p).toLowerCase()}` }, overall(p)),
      TYPES.map((t) => state(p, t)),
      h('td', {}, p.replica),
      h('td', {}, p.protocol),
      h('td', { class: 'num' }, fmtAge(p.connectedAt)),
    ),
  );
  const nacks = proxies.flatMap((p) => Object.entries(p.types).filter(([, t]) => t.state === 'NACK').map(([type, t]) => h('li', {}, h('span', { class: 'mono' }, p.proxyId), ` ${type.toUpperCase()}: ${t.error ?? 'rejected'}`)));
  return h(
    'section',
    {},
    h('h1', {}, 'Proxies ', h('small', { class: 'muted' }, `${proxies.length} connected`)),
    h('p', { class: 'muted' }, 'SYNCED: acked the latest config · STALE: sent, not acked yet · NACK: rejected (see below) · IGNORED: not subscribed'),
    proxies.length === 0 ? message('info', 'No proxies connected', 'No sidecar holds an xDS stream to any pilot replica.') : table(['proxy', 'namespace', 'service', 'sync', ...TYPES.map((t) => t.toUpperCase()), 'pilot', 'xDS', 'age'], rows, { class: 'proxies' }),
    nacks.length ? h('div', {}, h('h2', {}, 'Rejected config'), h('ul', { class: 'nacks' }, nacks)) : null,
  );
}

/** The CA's issuance audit: certificates still valid (or all kept), soonest expiry first. */
export async function certificatesPage(_ctx, params) {
  const all = params.get('all') === 'true';
  let certificates;
  try {
    ({ certificates } = await api(`/api/v1/mesh/certificates${qs({ all: all ? 'true' : '' })}`));
  } catch (err) {
    return h('section', {}, h('h1', {}, 'Certificates'), unavailable(err, 'The CA'));
  }
  const now = Date.now();
  const rows = certificates.map((c) => {
    const expired = c.notAfter <= now;
    const left = c.notAfter - now;
    return h(
      'tr',
      { 'data-serial': c.serial, class: expired ? 'bad' : left < (c.notAfter - c.notBefore) / 5 ? 'warn' : '' },
      h('td', { class: 'mono' }, c.identity),
      h('td', { class: 'mono small' }, c.serial),
      h('td', {}, fmtTime(c.notBefore)),
      h('td', {}, fmtTime(c.notAfter)),
      h('td', { class: 'num' }, expired ? 'expired' : fmtAge(now - left)),
      h('td', {}, c.via ?? ''),
      h('td', {}, c.replica),
    );
  });
  return h(
    'section',
    {},
    h('h1', {}, 'Certificates ', h('small', { class: 'muted' }, `${certificates.length} ${all ? 'kept' : 'valid'}`)),
    h('p', {}, h('a', { href: all ? '#/certificates' : '#/certificates?all=true' }, all ? 'only valid ones' : 'include expired')),
    certificates.length === 0 ? message('info', 'No certificates', 'The CA has not issued any workload certificate that is still valid.') : table(['identity (SPIFFE ID)', 'serial', 'not before', 'not after', 'expires in', 'via', 'CA replica'], rows, { class: 'certificates' }),
  );
}
