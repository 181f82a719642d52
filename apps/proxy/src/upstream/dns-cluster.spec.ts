import { Writable } from 'node:stream';
import type { ClusterModel } from '@weft/proxy-core';
import pino from 'pino';
import { clusterFromProto } from '../config';
import { ProxyMetrics } from '../observability/proxy-metrics';
import { ClusterManager } from './cluster-manager';
import type { Cluster } from './cluster';
import type { DnsAddress, DnsDeps, DnsTimers } from './dns-lookup';
import { DNS_LOOKUP_TIMEOUT_MS } from './dns-target';

/** A fake clock for the DNS refresh timers: time moves only when the test says so. */
class FakeTimers implements DnsTimers {
  now = 0;
  private seq = 0;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): unknown {
    this.due.set(++this.seq, { at: this.now + ms, fn });
    return this.seq;
  }

  clearTimeout(handle: unknown): void {
    this.due.delete(handle as number);
  }

  /** Delays (from now) of the timers still pending. */
  pending(): number[] {
    return [...this.due.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  /** Runs every timer due within `ms`, in order, then sets the clock to now + ms. */
  advance(ms: number): void {
    const until = this.now + ms;
    for (;;) {
      const next = [...this.due.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (next === undefined) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
    }
    this.now = until;
  }
}

/** A scripted resolver: the current answer (or error) per hostname; a lookup can be held until released. */
class FakeResolver {
  readonly answers = new Map<string, readonly DnsAddress[] | Error>();
  readonly calls: { hostname: string; family: number; at: number }[] = [];
  private held: (() => void)[] | null = null;

  constructor(private readonly timers: FakeTimers) {}

  readonly lookup = (hostname: string, family: 0 | 4 | 6): Promise<readonly DnsAddress[]> => {
    this.calls.push({ hostname, family, at: this.timers.now });
    const answer = (): Promise<readonly DnsAddress[]> => {
      const a = this.answers.get(hostname) ?? new Error(`no script for ${hostname}`);
      return a instanceof Error ? Promise.reject(a) : Promise.resolve(a);
    };
    if (this.held === null) return answer();
    const held = this.held;
    return new Promise((resolve, reject) => held.push(() => answer().then(resolve, reject)));
  };

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = null;
    for (const go of held) go();
  }

  set(hostname: string, ...addresses: string[]): void {
    this.answers.set(hostname, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
  }

  fail(hostname: string, code = 'EAI_AGAIN'): void {
    this.answers.set(hostname, Object.assign(new Error(`getaddrinfo ${code} ${hostname}`), { code }));
  }

  callsFor(hostname: string): number[] {
    return this.calls.filter((c) => c.hostname === hostname).map((c) => c.at);
  }
}

/** Lookups are promises: let the ones answered so far run their callbacks (no time passes). */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function model(type: 'STRICT_DNS' | 'LOGICAL_DNS', hostnames: readonly string[], extra: Record<string, unknown> = {}): ClusterModel {
  const lbEndpoints = hostnames.map((h) => ({ endpoint: { address: { socket_address: { address: h, port_value: 9080 } } }, load_balancing_weight: 3, health_status: 'HEALTHY' }));
  return clusterFromProto({ name: 'ratings', type, connect_timeout: '1s', load_assignment: { cluster_name: 'ratings', endpoints: [{ locality: { zone: 'z1' }, lb_endpoints: lbEndpoints }] }, ...extra });
}

describe('DNS clusters (fake resolver, fake clock)', () => {
  let timers: FakeTimers;
  let dns: FakeResolver;
  let manager: ClusterManager;
  let logs: { msg: string; hostname?: string }[];

  const ids = (c: Cluster): string[] => c.hosts.map((h) => h.id).sort();
  const start = (m: ClusterModel): Cluster => {
    manager.apply(new Map([[m.name, m]]));
    const c = manager.get(m.name);
    if (c === undefined) throw new Error('no cluster');
    return c;
  };
  /** Addresses picked over many picks: only hosts the cluster has. */
  const picked = (c: Cluster): string[] => [...new Set(Array.from({ length: 12 }, () => c.pick(null, null)?.id ?? 'none'))].sort();

  beforeEach(() => {
    timers = new FakeTimers();
    dns = new FakeResolver(timers);
    logs = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        logs.push(JSON.parse(chunk.toString()) as { msg: string });
        done();
      },
    });
    const deps: DnsDeps = { lookup: dns.lookup, timers, random: () => 0.5 };
    manager = new ClusterManager(new ProxyMetrics('test', 'default'), pino({ level: 'info' }, sink), null, deps);
  });
  afterEach(() => manager.destroy());

  it('has no host until the first answer, then one host per address with the endpoint weight, locality and health', async () => {
    dns.set('ratings.svc', '10.0.0.1', '10.0.0.2');
    const c = start(model('STRICT_DNS', ['ratings.svc']));
    expect(c.hosts).toEqual([]);
    expect(c.pick(null, null)).toBeNull();
    expect(c.warm).toBe(false);
    expect(manager.initialized).toBe(false);
    await settle();
    expect(c.warm).toBe(true);
    expect(manager.initialized).toBe(true);
    expect(ids(c)).toEqual(['10.0.0.1:9080', '10.0.0.2:9080']);
    expect(c.hosts.map((h) => [h.weight, h.health, h.locality.zone])).toEqual([
      [3, 'HEALTHY', 'z1'],
      [3, 'HEALTHY', 'z1'],
    ]);
    expect(picked(c)).toEqual(['10.0.0.1:9080', '10.0.0.2:9080']);
  });

  it('re-resolves every dns_refresh_rate: added addresses become hosts, gone ones leave, kept hosts are the same objects', async () => {
    dns.set('ratings.svc', '10.0.0.1', '10.0.0.2');
    const c = start(model('STRICT_DNS', ['ratings.svc'], { dns_refresh_rate: '10s' }));
    await settle();
    const kept = c.hosts.find((h) => h.id === '10.0.0.2:9080');
    expect(timers.pending()).toEqual([10_000]);
    dns.set('ratings.svc', '10.0.0.2', '10.0.0.3');
    timers.advance(9_999);
    await settle();
    expect(dns.callsFor('ratings.svc')).toEqual([0]);
    expect(ids(c)).toEqual(['10.0.0.1:9080', '10.0.0.2:9080']);
    timers.advance(1);
    await settle();
    expect(dns.callsFor('ratings.svc')).toEqual([0, 10_000]);
    expect(ids(c)).toEqual(['10.0.0.2:9080', '10.0.0.3:9080']);
    expect(c.hosts.find((h) => h.id === '10.0.0.2:9080')).toBe(kept);
    expect(picked(c)).toEqual(['10.0.0.2:9080', '10.0.0.3:9080']);
    expect(timers.pending()).toEqual([10_000]);
  });

  it('keeps the last good hosts when a lookup fails, retries at dns_refresh_rate, and logs the failure once', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    dns.set('other.svc', '10.0.1.1');
    const c = start(model('STRICT_DNS', ['ratings.svc', 'other.svc'])); // default refresh: 5 s
    await settle();
    dns.fail('ratings.svc');
    for (let i = 0; i < 3; i++) {
      dns.set('other.svc', `10.0.1.${i + 2}`); // the other name's changes rebuild the hosts meanwhile
      timers.advance(5_000);
      await settle();
      expect(ids(c)).toEqual([`10.0.1.${i + 2}:9080`, '10.0.0.1:9080'].sort());
      expect(timers.pending()).toEqual([5_000, 5_000]);
    }
    expect(dns.callsFor('ratings.svc')).toEqual([0, 5_000, 10_000, 15_000]);
    expect(logs.filter((l) => l.msg === 'dns resolution failed')).toHaveLength(1);
    dns.set('ratings.svc', '10.0.0.1');
    timers.advance(5_000);
    await settle();
    expect(logs.filter((l) => l.msg === 'dns resolution recovered')).toHaveLength(1);
    dns.fail('ratings.svc');
    timers.advance(5_000);
    await settle();
    expect(logs.filter((l) => l.msg === 'dns resolution failed')).toHaveLength(2);
  });

  it('backs off with dns_failure_refresh_rate after failures, up to max_interval, and returns to dns_refresh_rate', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    const c = start(model('STRICT_DNS', ['ratings.svc'], { dns_refresh_rate: '60s', dns_failure_refresh_rate: { base_interval: '1s', max_interval: '3s' } }));
    await settle();
    dns.fail('ratings.svc');
    timers.advance(60_000);
    await settle();
    // Full jitter with random() = 0.5: half of min(max, base × 2^n).
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const [delay] = timers.pending();
      delays.push(delay);
      timers.advance(delay);
      await settle();
    }
    expect(delays).toEqual([500, 1_000, 1_500, 1_500]);
    expect(ids(c)).toEqual(['10.0.0.1:9080']);
    dns.set('ratings.svc', '10.0.0.1');
    timers.advance(timers.pending()[0]);
    await settle();
    expect(timers.pending()).toEqual([60_000]);
  });

  it('treats a name with no address (NXDOMAIN) as an empty answer: no hosts, 503 UH', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    const c = start(model('STRICT_DNS', ['ratings.svc']));
    await settle();
    dns.set('ratings.svc');
    timers.advance(5_000);
    await settle();
    expect(c.hosts).toEqual([]);
    expect(c.pick(null, null)).toBeNull();
    expect(logs.filter((l) => l.msg === 'dns name has no address')).toHaveLength(1);
  });

  it('resolves every hostname of the cluster; an address reached twice is one host', async () => {
    dns.set('a.svc', '10.0.0.1', '10.0.0.2');
    dns.set('b.svc', '10.0.0.2', '10.0.0.3');
    const c = start(model('STRICT_DNS', ['a.svc', 'b.svc']));
    await settle();
    expect(ids(c)).toEqual(['10.0.0.1:9080', '10.0.0.2:9080', '10.0.0.3:9080']);
  });

  it('LOGICAL_DNS: the first address is the one host; a new first address replaces it', async () => {
    dns.set('ratings.svc', '10.0.0.7', '10.0.0.8');
    const c = start(model('LOGICAL_DNS', ['ratings.svc']));
    await settle();
    expect(ids(c)).toEqual(['10.0.0.7:9080']);
    dns.set('ratings.svc', '10.0.0.8', '10.0.0.7');
    timers.advance(5_000);
    await settle();
    expect(ids(c)).toEqual(['10.0.0.8:9080']);
    expect(picked(c)).toEqual(['10.0.0.8:9080']);
  });

  it('asks the resolver for the dns_lookup_family', async () => {
    dns.set('ratings.svc', '10.0.0.1', 'fd00::1');
    const c = start(model('STRICT_DNS', ['ratings.svc'], { dns_lookup_family: 'V4_ONLY' }));
    await settle();
    expect(dns.calls.map((x) => x.family)).toEqual([4]);
    expect(ids(c)).toEqual(['10.0.0.1:9080']);
  });

  it('keeps an ejected host ejected across re-resolutions that keep its address (one outlier detector)', async () => {
    dns.set('ratings.svc', '10.0.0.1', '10.0.0.2');
    const od = { consecutive_5xx: 2, max_ejection_percent: 100, interval: '1s' };
    const c = start(model('STRICT_DNS', ['ratings.svc'], { outlier_detection: od }));
    await settle();
    const bad = c.hosts.find((h) => h.id === '10.0.0.1:9080');
    if (bad === undefined) throw new Error('no host');
    for (let i = 0; i < 2; i++) c.onOutcome(bad, { kind: 'response', status: 500, grpcStatus: null, headers: {} }, 1);
    expect(bad.ejected).toBe(true);
    dns.set('ratings.svc', '10.0.0.1', '10.0.0.2', '10.0.0.3');
    timers.advance(5_000);
    await settle();
    expect(c.hosts.find((h) => h.id === '10.0.0.1:9080')).toBe(bad);
    expect(bad.ejected).toBe(true);
    expect(picked(c)).toEqual(['10.0.0.2:9080', '10.0.0.3:9080']);
  });

  it('a config update that keeps the hostnames keeps the resolved hosts without waiting for a lookup', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    const c = start(model('STRICT_DNS', ['ratings.svc']));
    await settle();
    const next = model('STRICT_DNS', ['ratings.svc'], { connect_timeout: '2s' });
    manager.apply(new Map([[next.name, next]]));
    expect(ids(c)).toEqual(['10.0.0.1:9080']);
    expect(dns.calls).toHaveLength(1);
  });

  it('changed DNS settings re-resolve at once, keeping the current hosts until the answer', async () => {
    dns.set('ratings.svc', '10.0.0.1', 'fd00::1');
    const c = start(model('STRICT_DNS', ['ratings.svc'], { dns_lookup_family: 'V4_ONLY' }));
    await settle();
    expect(ids(c)).toEqual(['10.0.0.1:9080']);
    const next = model('STRICT_DNS', ['ratings.svc'], { dns_lookup_family: 'V6_ONLY' });
    manager.apply(new Map([[next.name, next]]));
    expect(ids(c)).toEqual(['10.0.0.1:9080']);
    await settle();
    expect(dns.calls.map((x) => [x.family, x.at])).toEqual([
      [4, 0],
      [6, 0],
    ]);
    expect(ids(c)).toEqual(['[fd00::1]:9080']);
    expect(timers.pending()).toEqual([5_000]);
  });

  it('stops its timers when the cluster is removed, also with a lookup in flight', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    start(model('STRICT_DNS', ['ratings.svc']));
    await settle();
    expect(timers.pending()).toEqual([5_000]);
    dns.hold();
    timers.advance(5_000);
    expect(dns.calls).toHaveLength(2);
    manager.apply(new Map());
    dns.release();
    await settle();
    expect(timers.pending()).toEqual([]);
    timers.advance(60_000);
    await settle();
    expect(dns.calls).toHaveLength(2);
  });

  it('stops its timers when the manager is destroyed (proxy closed)', async () => {
    dns.set('ratings.svc', '10.0.0.1');
    start(model('STRICT_DNS', ['ratings.svc']));
    await settle();
    manager.destroy();
    expect(timers.pending()).toEqual([]);
  });

  it('does not hold readiness for a cluster with wait_for_warm_on_init: false, nor take it back for a later one', async () => {
    dns.hold();
    dns.set('ratings.svc', '10.0.0.1');
    start(model('STRICT_DNS', ['ratings.svc'], { wait_for_warm_on_init: false }));
    expect(manager.initialized).toBe(true);
    const later = { ...model('STRICT_DNS', ['ratings.svc']), name: 'later' };
    manager.apply(new Map([[later.name, later]]));
    expect(manager.get('later')?.warm).toBe(false);
    expect(manager.initialized).toBe(true);
    dns.release();
    await settle();
  });
  it('counts a lookup unanswered after 5 s as failed: the cluster warms, and the next refresh waits for that lookup instead of starting a second one', async () => {
    dns.hold();
    const c = start(model('STRICT_DNS', ['ratings.svc']));
    expect(c.warm).toBe(false);
    timers.advance(DNS_LOOKUP_TIMEOUT_MS - 1);
    await settle();
    expect(c.warm).toBe(false);
    timers.advance(1);
    await settle();
    expect(c.warm).toBe(true);
    expect(manager.initialized).toBe(true);
    expect(c.hosts).toEqual([]);
    expect(logs.filter((l) => l.msg === 'dns resolution failed')).toHaveLength(1);
    // The refresh (dns_refresh_rate: no failure rate configured) joins the lookup still running.
    expect(timers.pending()).toEqual([5000]);
    timers.advance(5000);
    await settle();
    expect(dns.callsFor('ratings.svc')).toEqual([0]);
    dns.set('ratings.svc', '10.0.0.7');
    dns.release();
    await settle();
    expect(ids(c)).toEqual(['10.0.0.7:9080']);
    expect(dns.callsFor('ratings.svc')).toEqual([0]);
  });

  it('drops the late answer of a timed-out lookup that no refresh waits for, then looks up afresh', async () => {
    dns.hold();
    const c = start(model('STRICT_DNS', ['ratings.svc']));
    timers.advance(DNS_LOOKUP_TIMEOUT_MS);
    dns.set('ratings.svc', '10.0.0.8');
    dns.release();
    await settle();
    expect(c.hosts).toEqual([]);
    timers.advance(5000);
    await settle();
    expect(dns.callsFor('ratings.svc')).toEqual([0, DNS_LOOKUP_TIMEOUT_MS + 5000]);
    expect(ids(c)).toEqual(['10.0.0.8:9080']);
  });
});
