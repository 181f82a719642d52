import { pilotErrorBody, proxyConfigResponse, ruleListResponse, rulesWriteResponse, storedRuleView } from '@weft/api';
import { connectNats } from '@weft/data-access';
import { Collector, createTestInfra, reviewsVirtualService, type TestInfra } from '@weft/testing';
import type { NatsConnection } from '@nats-io/transport-node';
import { RulesRepository } from '../../src/rules/rules.repository';
import { RulesWatcher, type RulesChange } from '../../src/rules/rules.watcher';
import type { ProxySyncStatus } from '../../src/model/xds-contract';
import { silentLogger, startPilotHttp, type PilotHttpHarness } from './pilot-http-harness';

// Istio docs: samples/bookinfo/networking/destination-rule-reviews.yaml and virtual-service-reviews-90-10.yaml
const REVIEWS_DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata:
  name: reviews
spec:
  host: reviews
  trafficPolicy:
    loadBalancer:
      simple: RANDOM
  subsets:
  - name: v1
    labels:
      version: v1
  - name: v2
    labels:
      version: v2
  - name: v3
    labels:
      version: v3
`;
const reviewsVs = reviewsVirtualService;
const BAD_RATINGS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: ratings
spec:
  hosts:
  - ratings
  http:
  - route:
    - destination:
        host: ratings
      weight: ninety
`;
const TOKEN = 'pilot-rules-test-token-0123';

interface Res {
  status: number;
  body: unknown;
}

async function call(base: string, method: string, path: string, o: { yaml?: string; json?: unknown; token?: string } = {}): Promise<Res> {
  const headers: Record<string, string> = {};
  if (o.yaml !== undefined) headers['content-type'] = 'application/yaml';
  if (o.json !== undefined) headers['content-type'] = 'application/json';
  if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: o.yaml ?? (o.json === undefined ? undefined : JSON.stringify(o.json)) });
  const text = await res.text();
  return { status: res.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
}

const errorOf = (res: Res) => pilotErrorBody.parse(res.body).error;

describe('pilot rules REST API (real NATS + Redis)', () => {
  let infra: TestInfra;
  let pilot: PilotHttpHarness;
  let secured: PilotHttpHarness;
  let replicaNats: NatsConnection;
  let watcher: RulesWatcher;
  const changes = new Collector<RulesChange>();
  const api = (method: string, path: string, o: Parameters<typeof call>[3] = {}) => call(pilot.url, method, path, o);

  beforeAll(async () => {
    infra = await createTestInfra('pilot-rules');
    pilot = await startPilotHttp(infra, { replica: 'pilot-a', proxyConfig: { config: (s, type) => [{ proxy: s.proxyId, type, name: 'outbound|9080|v1|reviews.default.svc.cluster.local' }] } });
    secured = await startPilotHttp(infra, { replica: 'pilot-s', token: TOKEN });
    // a second replica: its own NATS connection, its own repository, hearing changes through NATS only
    replicaNats = await connectNats(infra.natsUrl, 'pilot-b');
    watcher = new RulesWatcher(replicaNats, new RulesRepository(infra.redis, infra.redisPrefix), { subjectPrefix: infra.subjectPrefix, resyncMs: 60_000 }, silentLogger);
    await watcher.start(changes.push);
  });
  afterAll(async () => {
    await watcher.stop();
    await replicaNats.drain();
    await pilot.close();
    await secured.close();
    await infra.close();
  });

  it('applies the bookinfo DestinationRule and 90/10 VirtualService from YAML and reads them back as applied', async () => {
    const res = await api('POST', '/v1/rules', { yaml: `${REVIEWS_DR}---\n${reviewsVs(90, 10)}` });
    expect(res.status).toBe(200);
    const body = rulesWriteResponse.parse(res.body);
    expect(body.results.map((r) => [r.key, r.action])).toEqual([
      ['DestinationRule/default/reviews', 'created'],
      ['VirtualService/default/reviews', 'created'],
    ]);
    const list = ruleListResponse.parse((await api('GET', '/v1/rules')).body);
    expect(list.revision).toBe(body.revision);
    expect(list.items.map((i) => i.key)).toEqual(['DestinationRule/default/reviews', 'VirtualService/default/reviews']);
    const vs = storedRuleView.parse((await api('GET', '/v1/rules/vs/default/reviews')).body);
    expect(vs.document).toEqual({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] },
    });
    const drs = ruleListResponse.parse((await api('GET', '/v1/rules?kind=destinationrules&namespace=default')).body);
    expect(drs.items.map((i) => i.name)).toEqual(['reviews']);
  });

  it('tells the other replica over NATS, which reloads every rule from Redis', async () => {
    const last = await changes.until((c) => c.some((x) => x.documents.length === 2), { what: 'the applied rules at the watcher' });
    const change = last[last.length - 1] as RulesChange;
    expect(change.revision).toBe(await pilot.repo.revision());
    expect(change.documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['DestinationRule/reviews', 'VirtualService/reviews']);
    expect(watcher.revision).toBe(change.revision);
  });

  it('re-applying is unchanged; a new split is configured with a higher revision, announced to the watcher', async () => {
    const again = rulesWriteResponse.parse((await api('POST', '/v1/rules', { yaml: reviewsVs(90, 10) })).body);
    expect(again.results[0]?.action).toBe('unchanged');
    const moved = rulesWriteResponse.parse((await api('POST', '/v1/rules', { yaml: reviewsVs(50, 50) })).body);
    expect(moved.results[0]).toMatchObject({ key: 'VirtualService/default/reviews', action: 'configured', revision: moved.revision });
    expect(moved.revision).toBe(again.revision + 1);
    await changes.until((c) => c.some((x) => x.revision === moved.revision), { what: 'revision announced' });
    const seen = changes.items.find((x) => x.revision === moved.revision);
    expect(seen?.changedKeys).toEqual(['VirtualService/default/reviews']);
  });

  it('refuses a batch with one bad document with 422 naming document, field and reason, and stores nothing', async () => {
    const before = ruleListResponse.parse((await api('GET', '/v1/rules')).body);
    const res = await api('POST', '/v1/rules', { yaml: `${reviewsVs(10, 90)}---\n${BAD_RATINGS}` });
    expect(res.status).toBe(422);
    const error = errorOf(res);
    expect(error.code).toBe('WEFT_ERR_RULES_INVALID');
    expect(error.issues).toEqual([
      { document: 'request#2 VirtualService default/ratings', path: 'spec.http[0].route[0].weight', message: expect.stringMatching(/number/) },
    ]);
    expect(ruleListResponse.parse((await api('GET', '/v1/rules')).body)).toEqual(before);
  });

  it('a dry run reports what would happen and stores nothing', async () => {
    const before = ruleListResponse.parse((await api('GET', '/v1/rules')).body);
    const res = rulesWriteResponse.parse((await api('POST', '/v1/rules?dryRun=true', { yaml: reviewsVs(0, 100) })).body);
    expect(res).toMatchObject({ dryRun: true, revision: before.revision + 1, results: [{ action: 'configured' }] });
    expect(ruleListResponse.parse((await api('GET', '/v1/rules')).body)).toEqual(before);
    expect((await api('POST', '/v1/rules?dryRun=maybe', { yaml: reviewsVs(0, 100) })).status).toBe(400);
  });

  it('deletes by name and by documents; unknown rules are 404', async () => {
    const del = await api('DELETE', '/v1/rules/VirtualService/default/reviews');
    expect(rulesWriteResponse.parse(del.body).results).toMatchObject([{ key: 'VirtualService/default/reviews', action: 'deleted' }]);
    expect((await api('GET', '/v1/rules/virtualservice/default/reviews')).status).toBe(404);
    expect(errorOf(await api('DELETE', '/v1/rules/vs/default/reviews')).code).toBe('WEFT_ERR_PILOT_RULE_NOT_FOUND');
    const byDocs = rulesWriteResponse.parse((await api('POST', '/v1/rules/delete', { json: { documents: [{ kind: 'DestinationRule', metadata: { name: 'reviews' } }, { kind: 'VirtualService', metadata: { name: 'gone' } }] } })).body);
    expect(byDocs.results.map((r) => [r.key, r.action])).toEqual([['DestinationRule/default/reviews', 'deleted'], ['VirtualService/default/gone', 'not-found']]);
    await changes.until((c) => c[c.length - 1]?.documents.length === 0, { what: 'watcher sees the deletes' });
  });

  it('answers bad requests with the API error shape', async () => {
    expect(errorOf(await api('POST', '/v1/rules', { json: { documents: [] } })).issues[0]).toMatchObject({ document: '(request)', path: 'documents' });
    const malformed = await fetch(`${pilot.url}/v1/rules`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(malformed.status).toBe(400);
    expect(pilotErrorBody.safeParse(await malformed.json()).success).toBe(true);
    expect(errorOf(await api('GET', '/v1/rules?kind=gadgets')).issues[0]?.path).toBe('kind');
    expect((await api('GET', '/v1/nothing')).status).toBe(404);
  });

  it('requires the bearer token for writes when one is configured', async () => {
    const anon = await call(secured.url, 'POST', '/v1/rules', { yaml: REVIEWS_DR });
    expect(anon.status).toBe(401);
    expect(errorOf(anon).code).toBe('WEFT_ERR_AUTH_MISSING');
    expect((await call(secured.url, 'POST', '/v1/rules', { yaml: REVIEWS_DR, token: 'wrong-token-0123456789ab' })).status).toBe(401);
    expect((await call(secured.url, 'POST', '/v1/rules', { yaml: REVIEWS_DR, token: TOKEN })).status).toBe(200);
    expect((await call(secured.url, 'GET', '/v1/rules')).status).toBe(200);
  });

  it('serves proxy status, proxy config, analysis, metrics and health', async () => {
    const status: ProxySyncStatus = {
      proxyId: 'reviews-v1-1',
      node: { id: 'reviews-v1-1', cluster: 'reviews', kind: 'weft', userAgent: 'weft-proxy', namespace: 'default', service: 'reviews', labels: {}, locality: { region: '', zone: '', subZone: '' }, appPort: 9080, outboundPort: 15001, inboundPort: 15006 },
      replica: 'pilot-a',
      protocol: 'delta',
      connectedAt: Date.now(),
      types: { cds: { subscribed: ['*'], acked: {}, state: 'SYNCED', error: null, lastSentAt: 1, lastAckAt: 2 } },
    };
    pilot.status.update(status);
    await pilot.status.flush();
    expect((await api('GET', '/v1/proxies')).body).toMatchObject({ proxies: [{ proxyId: 'reviews-v1-1', replica: 'pilot-a', types: { cds: { state: 'SYNCED' } } }] });
    expect((await api('GET', '/v1/proxies/reviews-v1-1')).body).toMatchObject({ proxyId: 'reviews-v1-1' });
    expect((await api('GET', '/v1/proxies/nobody')).status).toBe(404);
    const cfg = proxyConfigResponse.parse((await api('GET', '/v1/proxies/reviews-v1-1/config/clusters')).body);
    expect(cfg.resources).toEqual([{ proxy: 'reviews-v1-1', type: 'clusters', name: 'outbound|9080|v1|reviews.default.svc.cluster.local' }]);
    expect(errorOf(await api('GET', '/v1/proxies/reviews-v1-1/config/secrets')).issues[0]?.path).toBe('type');
    pilot.analysis = [{ level: 'Warning', code: 'IST0101', document: 'VirtualService default/reviews', message: 'Referenced host+subset in destinationrule not found: "reviews+v4"' }];
    expect((await api('GET', '/v1/analyze')).body).toEqual({ messages: pilot.analysis });
    const metrics = await fetch(`${pilot.url}/metrics`);
    expect(await metrics.text()).toMatch(/weft_pilot_rules_writes_total\{action="created"\} \d+/);
    expect((await api('GET', '/healthz')).status).toBe(200);
    expect((await api('GET', '/readyz')).status).toBe(200);
    expect((await api('GET', '/v1/version')).body).toMatchObject({ component: 'pilot', replica: 'pilot-a' });
  });
});
