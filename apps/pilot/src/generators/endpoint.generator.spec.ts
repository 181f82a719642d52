import { encodeResource, TYPE_URL } from '@weft/xds';
import { MeshEndpoint, type EndpointStatus } from '../model/mesh-endpoint';
import type { MeshPort } from '../model/mesh-service';
import { generateEndpoints } from './endpoint.generator';

const PORT: MeshPort = { name: 'http', number: 9080, protocol: 'http' };

function ep(address: string, labels: Record<string, string> = {}, opts: { status?: EndpointStatus; weight?: number; locality?: string | null; ports?: Record<string, number> } = {}): MeshEndpoint {
  return new MeshEndpoint(address, opts.ports ?? {}, labels, opts.weight ?? 1, opts.locality ?? null, opts.status ?? 'healthy');
}

type Cla = { endpoints: { locality: Record<string, string>; load_balancing_weight: { value: number }; lb_endpoints: Record<string, unknown>[] }[] };

function addresses(cla: Record<string, unknown>): string[] {
  return (cla as Cla).endpoints.flatMap((g) =>
    g.lb_endpoints.map((e) => {
      const sa = (e.endpoint as { address: { socket_address: { address: string; port_value: number } } }).address.socket_address;
      return `${sa.address}:${sa.port_value}`;
    }),
  );
}

describe('generateEndpoints (ClusterLoadAssignment)', () => {
  const endpoints = [
    ep('10.0.0.1', { version: 'v1' }),
    ep('10.0.0.2', { version: 'v2' }),
    ep('10.0.0.3', { version: 'v1' }, { status: 'unhealthy' }),
    ep('10.0.0.4', { version: 'v1' }, { status: 'draining' }),
    ep('reviews-4.example.internal', { version: 'v1' }),
    ep('10.0.0.5', { version: 'v1', extra: 'x' }, { ports: { http: 19080 } }),
    ep('10.0.0.1', { version: 'v1' }),
  ];

  it.each([
    ['whole service: healthy IP endpoints, each address:port once', null, ['10.0.0.1:9080', '10.0.0.2:9080', '10.0.0.5:19080']],
    ['subset v1: labels ⊇ the subset labels', { version: 'v1' }, ['10.0.0.1:9080', '10.0.0.5:19080']],
    ['subset v2', { version: 'v2' }, ['10.0.0.2:9080']],
    ['a subset nobody matches: an empty, valid assignment', { version: 'v9' }, []],
  ])('%s', (_name, subsetLabels, expected) => {
    const cla = generateEndpoints({ clusterName: 'c', port: PORT, endpoints, subsetLabels });
    expect(addresses(cla)).toEqual(expected);
    expect(() => encodeResource(TYPE_URL.clusterLoadAssignment, 'c', cla)).not.toThrow();
  });

  it('groups by locality; every group has its locality and a weight (the sum of its endpoint weights)', () => {
    const cla = generateEndpoints({
      clusterName: 'c',
      port: PORT,
      subsetLabels: null,
      endpoints: [ep('10.0.1.1', {}, { locality: 'eu/eu-1/a', weight: 3 }), ep('10.0.1.2', {}, { locality: 'eu/eu-1/a', weight: 2 }), ep('10.0.2.1', {}, { locality: 'us/us-2' }), ep('10.0.3.1')],
    }) as Cla;
    expect(cla.endpoints.map((g) => [g.locality, g.load_balancing_weight.value, g.lb_endpoints.length])).toEqual([
      [{ region: '', zone: '', sub_zone: '' }, 1, 1],
      [{ region: 'eu', zone: 'eu-1', sub_zone: 'a' }, 5, 2],
      [{ region: 'us', zone: 'us-2', sub_zone: '' }, 1, 1],
    ]);
    expect(cla.endpoints[1].lb_endpoints[0]).toEqual({
      endpoint: { address: { socket_address: { address: '10.0.1.1', port_value: 9080 } } },
      health_status: 'HEALTHY',
      load_balancing_weight: { value: 3 },
    });
  });
});
