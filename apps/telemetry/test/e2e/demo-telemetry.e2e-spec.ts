import type { ChildProcess } from 'node:child_process';
import { freePort, startNatsServer, stopServer, waitFor } from '@weft/testing';
import type { MeshIngest } from '../../src/metrics/mesh-metrics.repository';
import { getJson, getText, sumMetric } from '../integration/telemetry-harness';
import { startDemoMesh, type DemoMesh } from './demo-harness';

/**
 * The demo's traffic as telemetry shows it: the demo mesh as `npm run up` runs it (registry, pilot, CA;
 * every service behind a weft-proxy sidecar configured over xDS, talking mTLS, reporting with --nats)
 * and two telemetry replicas on a private nats-server (so it can be restarted
 * without touching other suites). Counts must match the requests sent exactly; a trace must cross
 * productpage → reviews → ratings with correct links; losing a replica or NATS under load must not
 * fail a request, and whatever telemetry lost must show as missing reports.
 */

interface Page {
  readonly versions: { readonly reviews: string | null; readonly ratings: string | null };
}
interface Stat {
  readonly services: readonly { namespace: string; service: string; requests: number; successRate: number; mtlsRate: number }[];
}
interface Span {
  readonly id: string;
  readonly parentId?: string;
  readonly kind?: string;
  readonly localEndpoint?: { serviceName?: string };
  readonly remoteEndpoint?: { serviceName?: string };
}

/** Pages fetched through productpage's sidecar by `concurrency` workers until `stop()`; failures kept. */
class Load {
  sent = 0;
  readonly failures: string[] = [];
  readonly pages: Page[] = [];
  private running = true;
  private readonly workers: Promise<void>[];

  constructor(url: string, concurrency: number, limit = Infinity) {
    this.workers = Array.from({ length: concurrency }, async () => {
      while (this.running && this.sent < limit) {
        this.sent++;
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
          const body = (await res.json()) as Page;
          if (res.status !== 200) this.failures.push(`status ${res.status}`);
          else this.pages.push(body);
        } catch (err) {
          this.failures.push((err as Error).message);
        }
      }
    });
  }

  async stop(): Promise<this> {
    this.running = false;
    return this.finished();
  }

  /** Resolves when the workers are done (the `limit` reached, or stopped). */
  async finished(): Promise<this> {
    await Promise.all(this.workers);
    return this;
  }

  get ratingsCalls(): number {
    return this.pages.filter((p) => p.versions.ratings !== null).length;
  }
}

describe('the demo mesh in telemetry', () => {
  let nats: ChildProcess | null = null;
  let mesh: DemoMesh;
  const tel = (): string => mesh.telemetryUrls[0];

  beforeAll(async () => {
    const port = await freePort();
    nats = await startNatsServer(port);
    mesh = await startDemoMesh({ natsUrl: `nats://127.0.0.1:${port}`, traceSampling: 100, logSampling: 1, controlPlane: true });
  }, 120_000);

  afterAll(async () => {
    await mesh?.stop();
    if (nats !== null && nats.exitCode === null) nats.kill('SIGKILL');
  });

  /** Cumulative destination-reported requests per service, from /metrics. */
  const arrived = async (service: string): Promise<number> =>
    sumMetric(await getText(tel(), '/metrics'), 'istio_requests_total', { reporter: 'destination', destination_service_name: service });
  const ingest = async (): Promise<MeshIngest> => (await getJson<MeshIngest>(tel(), '/api/v1/ingest')).body;

  const SERVICES = ['productpage', 'details', 'reviews', 'ratings'] as const;
  type Counts = Record<(typeof SERVICES)[number], number>;
  const statCounts = async (base: string): Promise<Counts> => {
    const stat = (await getJson<Stat>(base, '/api/v1/stat?window=1m')).body;
    return Object.fromEntries(SERVICES.map((s) => [s, stat.services.find((x) => x.service === s)?.requests ?? 0])) as Counts;
  };
  const metricCounts = async (): Promise<Counts> => Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await arrived(s)]))) as Counts;
  const plus = (a: Counts, b: Counts): Counts => Object.fromEntries(SERVICES.map((s) => [s, a[s] + b[s]])) as Counts;

  it('counts N pages exactly in /api/v1/stat and /metrics within 5 s, as mutual TLS between sidecars', async () => {
    // The harness's warm-up pages (routes come on demand) are the baseline: wait until they are all in.
    let previous = '';
    const base = await waitFor(
      async () => {
        const now = { stat: await statCounts(tel()), metrics: await metricCounts() };
        const settled = now.metrics.productpage === mesh.warmupPages && JSON.stringify(now) === previous;
        previous = JSON.stringify(now);
        return settled ? now : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 1200, what: `the ${mesh.warmupPages} warm-up pages in telemetry` },
    );
    const load = await new Load(mesh.productpageUrl, 4, 60).finished();
    expect(load.sent).toBe(60);
    expect(load.failures).toEqual([]);
    const sent: Counts = { productpage: 60, details: 60, reviews: 60, ratings: load.ratingsCalls };
    const expected = plus(base.stat, sent);
    const seen = await waitFor(
      async () => {
        const got = await statCounts(tel());
        if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`stat shows ${JSON.stringify(got)}`);
        return got;
      },
      { timeoutMs: 5000, intervalMs: 100, what: `stat to show ${JSON.stringify(expected)}` },
    );
    expect(seen).toEqual(expected);
    expect(await metricCounts()).toEqual(plus(base.metrics, sent));
    // Both replicas answer the same.
    expect(await statCounts(mesh.telemetryUrls[1])).toEqual(expected);
    // Sidecar to sidecar is mutual TLS: the caller's SPIFFE ID is the source principal.
    const metrics = await getText(tel(), '/metrics');
    const fromProductpage = { reporter: 'destination', destination_service_name: 'reviews', connection_security_policy: 'mutual_tls', source_workload: 'productpage-v1' };
    expect(sumMetric(metrics, 'istio_requests_total', { ...fromProductpage, source_principal: 'spiffe://cluster.local/ns/default/sa/productpage' })).toBe(base.metrics.reviews + 60);
    const stat = (await getJson<Stat>(tel(), '/api/v1/stat?window=1m')).body;
    expect(stat.services.find((x) => x.service === 'reviews')?.mtlsRate).toBe(1);
  });

  it('assembles a trace across productpage → reviews → ratings with correct parent/child links', async () => {
    let traceId = '';
    const root = '00f067aa0ba902b7';
    for (let i = 0; i < 30 && traceId === ''; i++) {
      const id = `4bf92f3577b34da6a3ce929d0e0e${String(4700 + i)}`;
      const res = await fetch(mesh.productpageUrl, { headers: { traceparent: `00-${id}-${root}-01` } });
      const page = (await res.json()) as Page;
      if (page.versions.ratings !== null) traceId = id;
    }
    expect(traceId).not.toBe('');
    const spans = await waitFor(
      async () => {
        const res = await getJson<Span[]>(tel(), `/api/v2/trace/${traceId}`);
        return res.status === 200 && res.body.length >= 7 ? res.body : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the 7 spans of the trace' },
    );
    const find = (kind: string, local: string, remote: string): Span => {
      const s = spans.find((x) => x.kind === kind && x.localEndpoint?.serviceName === local && x.remoteEndpoint?.serviceName === remote);
      if (s === undefined) throw new Error(`no ${kind} span ${local} → ${remote} in ${JSON.stringify(spans)}`);
      return s;
    };
    const ppServer = spans.find((x) => x.kind === 'SERVER' && x.localEndpoint?.serviceName === 'productpage.default');
    expect(ppServer?.parentId).toBe(root);
    const ppToReviews = find('CLIENT', 'productpage.default', 'reviews.default');
    const reviewsServer = find('SERVER', 'reviews.default', 'productpage-v1.default');
    const reviewsToRatings = find('CLIENT', 'reviews.default', 'ratings.default');
    const ratingsServer = spans.find((x) => x.kind === 'SERVER' && x.localEndpoint?.serviceName === 'ratings.default');
    expect(ppToReviews.parentId).toBe(ppServer?.id);
    expect(reviewsServer.parentId).toBe(ppToReviews.id);
    expect(reviewsToRatings.parentId).toBe(reviewsServer.id);
    expect(ratingsServer?.parentId).toBe(reviewsToRatings.id);
    expect(find('SERVER', 'details.default', 'productpage-v1.default').parentId).toBe(find('CLIENT', 'productpage.default', 'details.default').id);
    expect(spans).toHaveLength(7);
  });

  /**
   * The counts once the earlier tests' requests have all been reported (two equal readings 1.5 s
   * apart: longer than a report interval plus a flush): a page of the trace test landing after the
   * baseline would otherwise count as one more than the load sent.
   */
  async function settledBaseline(): Promise<{ arrived: number; missing: number }> {
    let previous = '';
    return waitFor(
      async () => {
        const now = { arrived: await arrived('productpage'), missing: (await ingest()).missingReports };
        const settled = JSON.stringify(now) === previous;
        previous = JSON.stringify(now);
        return settled ? now : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 1500, what: 'the counts of the earlier requests to settle' },
    );
  }

  /** After an outage: everything sent is counted, or what is not shows as missing reports. */
  async function accountedFor(load: Load, before: { arrived: number; missing: number }): Promise<{ counted: number; missing: number }> {
    let previous = '';
    try {
      return await waitFor(
        async () => {
          const now = { counted: (await arrived('productpage')) - before.arrived, missing: (await ingest()).missingReports - before.missing };
          const settled = JSON.stringify(now) === previous && (now.counted === load.sent || now.missing > 0);
          previous = JSON.stringify(now);
          return settled ? now : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 1500, what: `${load.sent} pages counted, or the loss shown as missing reports` },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last seen ${previous} (sent ${load.sent})`, { cause: err });
    }
  }

  it('keeps traffic whole when a telemetry replica is SIGKILLed under load; the loss is reported', async () => {
    const before = await settledBaseline();
    const load = new Load(mesh.productpageUrl, 3);
    await waitFor(() => load.sent > 40, { timeoutMs: 20_000, what: 'load before the kill' });
    await mesh.replicas[1].proc.kill('SIGKILL');
    const at = load.sent;
    await waitFor(() => load.sent > at + 40, { timeoutMs: 20_000, what: 'load after the kill' });
    await load.stop();
    expect(load.failures).toEqual([]);
    const r = await accountedFor(load, before);
    expect(r.counted).toBeLessThanOrEqual(load.sent);
    if (r.counted < load.sent) expect(r.missing).toBeGreaterThan(0);
  });

  it('keeps traffic whole when NATS restarts under load; the loss is reported', async () => {
    const before = await settledBaseline();
    const load = new Load(mesh.productpageUrl, 3);
    await waitFor(() => load.sent > 40, { timeoutMs: 20_000, what: 'load before the restart' });
    const port = Number(new URL(mesh.infra.natsUrl).port);
    if (nats !== null) await stopServer(nats, 'nats-server');
    const during = load.sent;
    await waitFor(() => load.sent > during + 40, { timeoutMs: 20_000, what: 'load while NATS is away' });
    nats = await startNatsServer(port);
    const after = load.sent;
    await waitFor(() => load.sent > after + 40, { timeoutMs: 20_000, what: 'load after the restart' });
    await load.stop();
    expect(load.failures).toEqual([]);
    const r = await accountedFor(load, before);
    expect(r.counted).toBeLessThanOrEqual(load.sent);
    if (r.counted < load.sent) expect(r.missing).toBeGreaterThan(0);
  });
});
