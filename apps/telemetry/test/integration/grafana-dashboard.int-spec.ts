import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { telemetryReportsSubject } from '@weft/api';
import { createTestInfra, waitFor, type TestInfra } from '@weft/testing';
import { startTelemetry, type RunningTelemetry } from '../../src/app/telemetry.app';
import { readTelemetryConfig } from '../../src/config/telemetry.config';
import { FakeProxy, PROXIES, getText, replicaEnv } from './telemetry-harness';

/**
 * deploy/grafana/weft-mesh.json against what a real replica's /metrics exposes (fed one report with
 * requests and TCP over NATS): every PromQL expression parses (promtool), names only exposed metric
 * families, and matches or groups only by labels those metrics carry.
 */
const DASHBOARD = resolve(__dirname, '../../../../deploy/grafana/weft-mesh.json');
/** Labels Prometheus adds at scrape time, and the histogram bucket bound. */
const SCRAPE_LABELS = new Set(['instance', 'job', 'pod']);
const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset']);

interface Panel {
  readonly title?: string;
  readonly targets?: readonly { readonly expr?: string }[];
  readonly panels?: readonly Panel[];
}

/** Exposed series names (histograms as _bucket/_sum/_count) and the label names of each. */
function exposedSeries(text: string): Map<string, Set<string>> {
  const series = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? /.exec(line);
    if (m === null || m[1] === undefined) continue;
    const labels = series.get(m[1]) ?? new Set<string>();
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g)) labels.add(l[1] as string);
    series.set(m[1], labels);
  }
  return series;
}

/** The dashboard's variables replaced by values Prometheus accepts. */
function concrete(expr: string): string {
  return expr.replaceAll('$__rate_interval', '1m').replaceAll('$reporter', 'destination').replaceAll('$service', '.*');
}

/** Metric names, matcher label names per metric, and grouping labels of one expression. */
function parsePromQl(expr: string): { metrics: string[]; matchers: [string, string][]; grouping: string[] } {
  const noStrings = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const matchers: [string, string][] = [];
  for (const m of noStrings.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}/g)) {
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)/g)) matchers.push([m[1] as string, l[1] as string]);
  }
  const grouping: string[] = [];
  for (const g of noStrings.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) grouping.push(...(g[1] ?? '').split(',').map((s) => s.trim()).filter(Boolean));
  const bare = noStrings.replace(/\{[^}]*\}/g, ' ').replace(/\[[^\]]*\]/g, ' ').replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  const metrics = [...bare.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => m[2] === undefined && !KEYWORDS.has(m[1] as string))
    .map((m) => m[1] as string);
  return { metrics, matchers, grouping };
}

function promtoolRules(exprs: readonly string[]): Promise<{ code: number; output: string }> {
  return (async () => {
    const dir = await mkdtemp(join(tmpdir(), 'weft-grafana-'));
    const file = join(dir, 'rules.yaml');
    const rules = exprs.map((e, i) => `      - record: weft:dashboard:expr${i}\n        expr: ${JSON.stringify(e)}`).join('\n');
    await writeFile(file, `groups:\n  - name: weft-mesh-dashboard\n    rules:\n${rules}\n`);
    try {
      return await new Promise<{ code: number; output: string }>((done) =>
        execFile('/usr/bin/promtool', ['check', 'rules', file], (err, stdout, stderr) =>
          done({ code: err === null ? 0 : Number((err as { code?: number }).code ?? 1), output: `${stdout}${stderr}` }),
        ),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
}

describe('deploy/grafana/weft-mesh.json against the real /metrics', () => {
  let infra: TestInfra;
  let running: RunningTelemetry;
  let exposed: Map<string, Set<string>>;
  let exprs: string[];

  beforeAll(async () => {
    infra = await createTestInfra('telemetry-grafana');
    running = await startTelemetry(readTelemetryConfig(replicaEnv(infra, { WEFT_TELEMETRY_REPLICA: 'grafana-1' })), pino({ level: 'silent' }));
    const base = `http://127.0.0.1:${running.httpPort}`;
    infra.nats.publish(telemetryReportsSubject(infra.subjectPrefix), JSON.stringify(new FakeProxy(PROXIES[0]).interval(5, 1)));
    const text = await waitFor(async () => {
      const t = await getText(base, '/metrics');
      return t.includes('istio_requests_total{') && t.includes('istio_tcp_sent_bytes_total{') ? t : false;
    }, { what: 'the istio families on /metrics' });
    exposed = exposedSeries(text);
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: { definition?: string }[] } };
    const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')).filter((e) => e !== '');
  });

  afterAll(async () => {
    await running?.close();
    await infra?.close();
  });

  it('has the panels the mesh needs, each with a query', () => {
    expect(exprs.length).toBeGreaterThanOrEqual(15);
    const all = exprs.join('\n');
    for (const metric of ['istio_requests_total', 'istio_request_duration_milliseconds_bucket', 'istio_tcp_sent_bytes_total', 'istio_tcp_received_bytes_total']) {
      expect(all).toContain(metric);
    }
    for (const q of ['0.50', '0.90', '0.99']) expect(all).toContain(`histogram_quantile(${q},`);
  });

  it('every expression is valid PromQL (promtool check rules)', async () => {
    const res = await promtoolRules(exprs.map(concrete));
    expect(res.output).toContain('SUCCESS');
    expect(res.code).toBe(0);
  });

  it('names only metrics /metrics exposes, with labels they carry', () => {
    const problems: string[] = [];
    for (const expr of exprs) {
      const { metrics, matchers, grouping } = parsePromQl(concrete(expr));
      if (metrics.filter((m) => !/^\d/.test(m)).length === 0) problems.push(`no metric in ${expr}`);
      for (const m of metrics) if (!/^\d/.test(m) && !exposed.has(m) && m !== 'vector') problems.push(`${m} is not exposed (in ${expr})`);
      for (const [m, label] of matchers) if (exposed.get(m)?.has(label) !== true) problems.push(`${m} has no label ${label}`);
      const carried = new Set(metrics.flatMap((m) => [...(exposed.get(m) ?? [])]));
      for (const label of grouping) if (!carried.has(label) && !SCRAPE_LABELS.has(label)) problems.push(`no metric of "${expr}" has label ${label}`);
    }
    expect(problems).toEqual([]);
  });

  it('its template variables read labels that exist', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { templating: { list: { name: string; definition?: string }[] } };
    const defs = dashboard.templating.list.map((v) => v.definition).filter((d): d is string => d !== undefined);
    expect(defs.length).toBeGreaterThan(0);
    for (const d of defs) {
      const m = /^label_values\(([a-zA-Z_:][a-zA-Z0-9_:]*),\s*([a-zA-Z_][a-zA-Z0-9_]*)\)$/.exec(d);
      expect(m).not.toBeNull();
      expect(exposed.get(m?.[1] ?? '')?.has(m?.[2] ?? '')).toBe(true);
    }
  });
});
