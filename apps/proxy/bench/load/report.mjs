// Medians over rounds, ratios against the baselines measured in the same rounds, the goals of the
// "sidecar proxy" issue, and the table + one-line JSON the benchmark prints.

export function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const m = v.length >> 1;
  return v.length % 2 === 1 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/** Median of per-round ratios a[i]/b[i]: each ratio compares two runs of the same round. */
export function ratio(a, b) {
  return median(a.map((x, i) => x / b[i]));
}

export const GOALS = {
  rps: { text: 'weft rps ≥ 0.5 × haproxy', limit: 0.5, atLeast: true },
  cpu: { text: 'weft CPU/req ≤ 2.5 × haproxy', limit: 2.5, atLeast: false },
  pairRps: { text: 'weft pair rps ≥ 0.4 × haproxy pair', limit: 0.4, atLeast: true },
  pairP50: { text: 'weft pair p50 − haproxy pair p50 ≤ 1 ms @1k rps', limit: 1, atLeast: false },
  rss: { text: 'weft RSS ≤ 50 MB @1k rps', limit: 50, atLeast: false },
};

function verdict(goal, value) {
  if (!Number.isFinite(value)) return 'N/A';
  return (goal.atLeast ? value >= goal.limit : value <= goal.limit) ? 'PASS' : 'SHORT';
}

/**
 * `t[case]` = { rps: [], cpuUsPerReq: [], userUsPerReq: [], sysUsPerReq: [], errors: [] } per round; `l[case]` = { p50: [], p99: [],
 * serviceP50: [], serviceP99: [], h2P50: [], h2P99: [], rss: [] } per round.
 */
export function summarize(t, l) {
  const base = { haproxy: 'haproxy', nginx: 'haproxy', weft: 'haproxy', 'haproxy-pair': 'haproxy-pair', 'weft-pair': 'haproxy-pair' };
  const rows = Object.keys(t).map((name) => {
    const b = base[name];
    const lat = l[name] ?? null;
    return {
      name,
      rps: median(t[name].rps),
      rpsRatio: b === undefined ? NaN : ratio(t[name].rps, t[b].rps),
      cpuUsPerReq: median(t[name].cpuUsPerReq),
      cpuRatio: b === undefined ? NaN : ratio(t[name].cpuUsPerReq, t[b].cpuUsPerReq),
      userUsPerReq: median(t[name].userUsPerReq ?? []),
      sysUsPerReq: median(t[name].sysUsPerReq ?? []),
      errors: t[name].errors.reduce((a, x) => a + x, 0),
      p50: lat === null ? NaN : median(lat.p50),
      p99: lat === null ? NaN : median(lat.p99),
      serviceP50: lat === null ? NaN : median(lat.serviceP50),
      serviceP99: lat === null ? NaN : median(lat.serviceP99),
      h2P50: lat === null ? NaN : median(lat.h2P50),
      h2P99: lat === null ? NaN : median(lat.h2P99),
      rss: lat === null ? NaN : median(lat.rss),
    };
  });
  const get = (n) => rows.find((r) => r.name === n);
  const weftRss = Math.max(get('weft').rss, get('weft-pair').rss);
  const values = {
    rps: get('weft').rpsRatio,
    cpu: get('weft').cpuRatio,
    pairRps: get('weft-pair').rpsRatio,
    pairP50: median(l['weft-pair'].p50.map((x, i) => x - l['haproxy-pair'].p50[i])),
    rss: weftRss,
  };
  const goals = Object.fromEntries(Object.entries(GOALS).map(([k, g]) => [k, { goal: g.text, value: values[k], verdict: verdict(g, values[k]) }]));
  return { rows, goals };
}

const f = (x, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const pad = (s, n) => String(s).padStart(n);

export function printTable({ rows, goals }, meta) {
  console.log(`\nWeft proxy load benchmark — medians of ${meta.rounds} interleaved rounds; wrk -t1 -c${meta.connections} -d${meta.seconds}s;`);
  console.log(`latency at ${meta.rate} rps over ${meta.latencyConnections} connections for ${meta.latencySeconds}s (open loop, from the schedule; service = from the write; h2load = from the send)`);
  console.log(`ratios are medians of per-round ratios vs haproxy (single cases) or the haproxy pair (pairs); CPU and RSS are the proxy processes'\n`);
  const head = ['case', 'rps', '×base', 'CPU µs/req', '×base', 'p50 ms', 'p99 ms', 'svc p50', 'svc p99', 'h2 p50', 'h2 p99', 'RSS MB', 'errors'];
  const w = [13, 8, 6, 10, 6, 7, 7, 7, 7, 7, 7, 7, 7];
  console.log(head.map((h, i) => (i === 0 ? h.padEnd(w[i]) : pad(h, w[i]))).join(' '));
  for (const r of rows) {
    const cells = [r.name.padEnd(w[0]), f(r.rps), f(r.rpsRatio, 2), f(r.cpuUsPerReq, 1), f(r.cpuRatio, 2), f(r.p50, 2), f(r.p99, 2)];
    cells.push(f(r.serviceP50, 2), f(r.serviceP99, 2), f(r.h2P50, 2), f(r.h2P99, 2), f(r.rss, 1), r.errors);
    console.log(cells.map((c, i) => (i === 0 ? c : pad(c, w[i]))).join(' '));
  }
  console.log('\nGoals (routing, round robin, metrics and access logs on):');
  for (const g of Object.values(goals)) console.log(`  ${g.verdict.padEnd(5)}  ${g.goal.padEnd(50)} measured ${f(g.value, 2)}`);
  const get = (n) => rows.find((r) => r.name === n);
  const h2gap = get('weft-pair').h2P50 - get('haproxy-pair').h2P50;
  const svcGap = get('weft-pair').serviceP50 - get('haproxy-pair').serviceP50;
  console.log(`         (same gap from the write: ${f(svcGap, 2)} ms; from h2load, whose ${meta.latencyConnections} clients fire in step: ${f(h2gap, 2)} ms)`);
}

export function jsonSummary({ rows, goals }, meta) {
  const round = (x, d) => (Number.isFinite(x) ? Number(x.toFixed(d)) : null);
  const cases = Object.fromEntries(
    rows.map((r) => [
      r.name,
      {
        rps: round(r.rps, 0),
        rpsRatio: round(r.rpsRatio, 3),
        cpuUsPerReq: round(r.cpuUsPerReq, 1),
        cpuRatio: round(r.cpuRatio, 3),
        userUsPerReq: round(r.userUsPerReq, 1),
        sysUsPerReq: round(r.sysUsPerReq, 1),
        p50ms: round(r.p50, 3),
        p99ms: round(r.p99, 3),
        h2loadP50ms: round(r.h2P50, 3),
        h2loadP99ms: round(r.h2P99, 3),
        rssMb: round(r.rss, 1),
        errors: r.errors,
      },
    ]),
  );
  const g = Object.fromEntries(Object.entries(goals).map(([k, v]) => [k, { value: round(v.value, 3), verdict: v.verdict }]));
  return JSON.stringify({ bench: 'weft-proxy-load', ...meta, cases, goals: g });
}
