import { bootstrap, cluster, get, httpListener, startProxy, startUpstream, catchAllTo, type RunningProxy, type Upstream } from './harness';

/** Istio's reporter label: the client-side sidecar (OUTBOUND) reports "source", the server side "destination". */
describe('metrics reporter by listener direction', () => {
  let app: Upstream;
  let px: RunningProxy;
  const vhost = catchAllTo('app', 'app');

  beforeAll(async () => {
    app = await startUpstream('app');
    px = await startProxy(
      bootstrap(httpListener('out', vhost) + httpListener('in', vhost, { direction: 'INBOUND' }), cluster('app', [app.port])),
    );
  });
  afterAll(async () => {
    await px.close();
    await app.close();
  });

  it('labels outbound requests reporter="source" and inbound ones reporter="destination"', async () => {
    expect((await get(px.port('out'), '/', { host: 'app' })).status).toBe(200);
    expect((await get(px.port('in'), '/', { host: 'app' })).status).toBe(200);
    expect((await get(px.port('in'), '/', { host: 'app' })).status).toBe(200);
    const text = (await get(px.adminPort, '/stats/prometheus')).body;
    const count = (reporter: string): number => {
      const line = text.split('\n').find((l) => l.startsWith('istio_requests_total{') && l.includes(`reporter="${reporter}"`));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    expect([count('source'), count('destination')]).toEqual([1, 2]);
  });
});
