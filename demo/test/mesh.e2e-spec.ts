import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rewriteSockets } from '../src/bootstrap/bootstrap-sockets';
import { DEMO_DIR, loadPortPlan, type Workload } from '../src/bootstrap/port-plan';
import { runService, type RunningService, type ServiceName } from '../src/services/run-service';
import { TrafficGenerator } from '../src/traffic/traffic-generator';
import { freePorts, getJson, startProxy, type ProxyProcess } from './test-helpers';

/**
 * The whole demo as `npm run up` runs it — every service behind a real weft-proxy (the built bin)
 * loaded from demo/bootstrap/*.yaml — except that every port of the plan is moved to a free one, so
 * the test can run beside a real `npm run up`. Traffic enters at productpage's sidecar.
 */
process.env['WEFT_LOG_LEVEL'] ??= 'silent';
jest.setTimeout(60_000);

const plan = loadPortPlan();
const dir = mkdtempSync(join(tmpdir(), 'weft-demo-'));
const portMap = new Map<number, number>();
const services = new Map<string, RunningService>();
const proxies: ProxyProcess[] = [];

const moved = (port: number): number => portMap.get(port) as number;
const byName = (name: string): Workload => plan.workloads.find((w) => w.name === name) as Workload;
const pageUrl = (): string => `http://127.0.0.1:${moved(byName('productpage').inbound)}/productpage`;

/** The workload's bootstrap with every port of the plan moved. */
function bootstrapOf(w: Workload, edit: (yaml: string) => string = (yaml) => yaml): string {
  const local = edit(readFileSync(join(DEMO_DIR, 'bootstrap', `${w.name}.yaml`), 'utf8'));
  return rewriteSockets(local, (site) => ({ address: site.address, port: portMap.get(site.port) ?? site.port }));
}

async function startWorkload(w: Workload): Promise<void> {
  const outbound = w.outbound === null ? [] : ['--outbound-url', `http://127.0.0.1:${moved(w.outbound)}`];
  services.set(w.name, await runService(w.service as ServiceName, ['--port', String(moved(w.app)), '--version', w.version, ...outbound], {}));
  const file = join(dir, `${w.name}.yaml`);
  writeFileSync(file, bootstrapOf(w));
  proxies.push(await startProxy(['--config', file, '--service', `${w.service}-${w.version}`, '--access-log', 'off', '--log-level', 'warn'], moved(w.admin)));
}

async function pages(n: number): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i += 1) {
    const page = await getJson(pageUrl());
    expect(page.status).toBe(200);
    out.push(page.body);
  }
  return out;
}

const reviewsVersions = (list: Record<string, unknown>[]): Set<unknown> => new Set(list.map((p) => (p['versions'] as { reviews: unknown }).reviews));

beforeAll(async () => {
  const ports = plan.workloads.flatMap((w) => [w.app, w.admin, w.inbound, ...(w.outbound === null ? [] : [w.outbound])]);
  const free = await freePorts(ports.length);
  ports.forEach((port, i) => portMap.set(port, free[i]));
  await Promise.all(plan.workloads.map(startWorkload));
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await Promise.all([...services.values()].map((s) => s.close()));
  rmSync(dir, { recursive: true, force: true });
});

describe('the demo mesh', () => {
  it('serves productpage through the sidecars, with reviews from every version and stars from ratings', async () => {
    const list = await pages(60);
    expect(reviewsVersions(list)).toEqual(new Set(['v1', 'v2', 'v3']));
    for (const page of list) {
      const { reviews, ratings } = page['versions'] as { reviews: string; ratings: string | null };
      expect(page['versions']).toMatchObject({ productpage: 'v1', details: 'v1' });
      expect(ratings).toBe(reviews === 'v1' ? null : 'v1');
      const stars = (page['reviews'] as { reviews: { rating?: { color: string } }[] }).reviews[0].rating;
      expect(stars?.color).toBe(reviews === 'v1' ? undefined : reviews === 'v2' ? 'black' : 'red');
    }
  });

  it('counts the calls in each proxy: productpage per reviews subset, ratings on its inbound', async () => {
    const metrics = async (name: string): Promise<string> => (await fetch(`http://127.0.0.1:${moved(byName(name).admin)}/stats/prometheus`)).text();
    const productpage = await metrics('productpage');
    for (const subset of ['v1', 'v2', 'v3']) {
      expect(productpage).toMatch(new RegExp(`istio_requests_total\\{[^}]*destination_cluster="outbound\\|9080\\|${subset}\\|reviews.default.svc.cluster.local"[^}]*response_code="200"[^}]*\\} [1-9]`));
    }
    expect(await metrics('ratings')).toMatch(/istio_requests_total\{[^}]*destination_cluster="inbound\|9085\|\|ratings.default.svc.cluster.local"[^}]*\} [1-9]/);
  });

  it('feeds the traffic generator, which reports every reviews version and no errors', async () => {
    const lines: string[] = [];
    const generator = new TrafficGenerator({ target: pageUrl(), rps: 40, timeoutMs: 5000, maxInFlight: 20, reportSeconds: 1, write: (l) => lines.push(l) });
    generator.start();
    while (lines.length < 1) await new Promise((resolve) => setTimeout(resolve, 50));
    await generator.stop();
    expect(generator.tally.totals.errors).toBe(0);
    expect(lines.at(-1)).toMatch(/\| total \d+ · reviews v1 \d+% v2 \d+% v3 \d+% · errors 0$/);
  });

  it('moves all reviews to v3 when the new split is POSTed to the admin /config', async () => {
    const productpage = byName('productpage');
    const v3Only = bootstrapOf(productpage, (yaml) => yaml.replace(/weight: 50 }/, 'weight: 0 }').replace(/weight: 30 }/, 'weight: 0 }').replace(/weight: 20 }/, 'weight: 100 }'));
    const res = await fetch(`http://127.0.0.1:${moved(productpage.admin)}/config`, { method: 'POST', body: v3Only });
    expect(res.status).toBe(200);
    expect(reviewsVersions(await pages(20))).toEqual(new Set(['v3']));
  });

  it('still serves the page when reviews v3 is down, with the proxy error in place of the reviews', async () => {
    await services.get('reviews-v3')?.close();
    const [page] = await pages(1);
    expect(page['versions']).toMatchObject({ details: 'v1', reviews: null });
    expect((page['reviews'] as { error: string }).error).toMatch(/^503 /);
  });
});
