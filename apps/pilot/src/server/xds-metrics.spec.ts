import { Registry } from 'prom-client';
import { TYPE_URL } from '@weft/xds';
import { XdsMetrics } from './xds-metrics';

describe('XdsMetrics', () => {
  it('exposes the weft_pilot_* series with their labels', async () => {
    const registry = new Registry();
    const metrics = new XdsMetrics(registry);
    metrics.connected('delta', 1);
    metrics.responseSent(TYPE_URL.cluster, 3, 120);
    metrics.nacked(TYPE_URL.listener);
    metrics.converged(TYPE_URL.clusterLoadAssignment, 0.004);
    metrics.debounced(5);
    const text = await registry.metrics();
    expect(text).toContain('weft_pilot_xds_connected_proxies{protocol="delta"} 1');
    expect(text).toContain('weft_pilot_xds_connected_proxies{protocol="sotw"} 0');
    expect(text).toContain('weft_pilot_xds_pushes_total{type="cds"} 1');
    expect(text).toContain('weft_pilot_xds_sent_resources_total{type="cds"} 3');
    expect(text).toContain('weft_pilot_xds_sent_bytes_total{type="cds"} 120');
    expect(text).toContain('weft_pilot_xds_nacks_total{type="lds"} 1');
    expect(text).toContain('weft_pilot_push_convergence_seconds_bucket{le="0.005",type="eds"} 1');
    expect(text).toContain('weft_pilot_push_convergence_seconds_bucket{le="0.001",type="eds"} 0');
    expect(text).toContain('weft_pilot_push_convergence_seconds_bucket{le="10",type="eds"} 1');
    expect(text).toContain('weft_pilot_xds_debounced_changes_total 5');
  });

  it('two instances on two registries do not clash', () => {
    expect(() => [new XdsMetrics(new Registry()), new XdsMetrics(new Registry())]).not.toThrow();
  });
});
