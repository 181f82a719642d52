import { proxyConfigTable } from './proxy-config-table';

const wrap = (type: string, resource: unknown) => ({ name: 'x', type, version: 'v2', ackedVersion: 'v1', resource });

describe('proxy-config tables', () => {
  it('clusters: Istio cluster names split into FQDN, port, subset, direction', () => {
    const out = proxyConfigTable('clusters', [
      wrap('cds', { name: 'outbound|9080|v1|reviews.default.svc.cluster.local', type: 'EDS', lb_policy: 'LEAST_REQUEST' }),
      wrap('cds', { name: 'PassthroughCluster', type: 'ORIGINAL_DST' }),
    ]);
    expect(out.split('\n')).toEqual([
      expect.stringMatching(/^SERVICE FQDN\s+PORT\s+SUBSET\s+DIRECTION\s+TYPE\s+LB POLICY$/),
      expect.stringMatching(/^reviews\.default\.svc\.cluster\.local\s+9080\s+v1\s+outbound\s+EDS\s+LEAST_REQUEST$/),
      expect.stringMatching(/^PassthroughCluster\s+-\s+-\s+ORIGINAL_DST\s+ROUND_ROBIN$/),
    ]);
  });

  it('listeners, routes and endpoints read snake_case or camelCase fields', () => {
    const listener = { name: 'outbound_15001', address: { socket_address: { address: '127.0.0.1', port_value: 15001 } }, filter_chains: [{}] };
    expect(proxyConfigTable('listeners', [wrap('lds', listener)])).toMatch(/outbound_15001\s+127\.0\.0\.1\s+15001\s+1/);
    const route = { name: '9080', virtualHosts: [{ name: 'reviews:9080', domains: ['reviews', 'reviews:9080'], routes: [{}, {}] }] };
    expect(proxyConfigTable('routes', [wrap('rds', route)])).toMatch(/9080\s+reviews:9080\s+reviews,reviews:9080\s+2/);
    const cla = {
      cluster_name: 'outbound|9080|v1|reviews.default.svc.cluster.local',
      endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: '10.0.0.7', port_value: 9080 } } }, health_status: 'HEALTHY', load_balancing_weight: { value: 3 } }] }],
    };
    expect(proxyConfigTable('endpoints', [wrap('eds', cla)])).toMatch(/10\.0\.0\.7:9080\s+HEALTHY\s+3\s+outbound\|9080\|v1\|reviews/);
  });

  it('a resource that no longer exists (null) is left out', () => {
    expect(proxyConfigTable('clusters', [wrap('cds', null)]).split('\n')).toHaveLength(1);
  });
});
