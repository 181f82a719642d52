import { healthCheck, instanceSpec, serviceSpec, type HealthCheck, type Instance, type Service } from '@weft/api';
import { probeTargets, resolvePort } from './probe-target';

function service(check: Partial<HealthCheck> | null): Service {
  const spec = serviceSpec.parse({
    namespace: 'default',
    name: 'web',
    ports: [
      { name: 'http', number: 8080, protocol: 'http' },
      { name: 'admin', number: 9090, protocol: 'http' },
    ],
    healthCheck: check === null ? null : healthCheck.parse({ type: 'http', ...check }),
  });
  return { ...spec, source: 'api', revision: 1, createdAt: 0, updatedAt: 0 };
}

function instance(id: string, ports: Record<string, number>, probe: Instance['probe'] = 'unknown'): Instance {
  return {
    ...instanceSpec.parse({ id, address: '10.0.0.1', ports }),
    namespace: 'default',
    service: 'web',
    source: 'api',
    status: 'healthy',
    ttl: 'passing',
    probe,
    registeredAt: 1,
    lastHeartbeat: 1,
    updatedAt: 1,
  };
}

describe('resolvePort', () => {
  it.each<[string, HealthCheck['port'], Record<string, number>, number | null]>([
    ['null: the first service port, served on its own number', null, {}, 8080],
    ['null: the first service port, overridden by the instance', null, { http: 18080 }, 18080],
    ['a name: that service port', 'admin', {}, 9090],
    ['a name: that service port, overridden by the instance', 'admin', { admin: 19090, http: 1 }, 19090],
    ['a number: that instance port, as is', 7000, { http: 18080 }, 7000],
    ['an unknown name: unresolvable', 'grpc', {}, null],
  ])('%s', (_name, port, ports, want) => {
    const s = service({ port });
    expect(resolvePort(s.healthCheck as HealthCheck, s, instance('a', ports))).toBe(want);
  });
});

describe('probeTargets', () => {
  it('yields nothing for a service without a health check', () => {
    expect(probeTargets(service(null), [instance('a', {}, 'none')])).toEqual([]);
  });

  it('keys targets ns/svc/id and skips instances the store does not health-check', () => {
    const got = probeTargets(service({ port: 'http' }), [instance('a', {}), instance('b', {}, 'none'), instance('c', { http: 81 }, 'failing')]);
    expect(got.map((t) => [t.key, t.host, t.port])).toEqual([
      ['default/web/a', '10.0.0.1', 8080],
      ['default/web/c', '10.0.0.1', 81],
    ]);
  });

  it('changes the fingerprint when the instance is re-registered or the check changes, not otherwise', () => {
    const base = probeTargets(service({ port: 'http' }), [instance('a', {})])[0];
    const same = probeTargets(service({ port: 'http' }), [{ ...instance('a', {}), probe: 'passing', lastHeartbeat: 9 }])[0];
    const rereg = probeTargets(service({ port: 'http' }), [{ ...instance('a', {}), registeredAt: 2 }])[0];
    const slower = probeTargets(service({ port: 'http', intervalSeconds: 30 }), [instance('a', {})])[0];
    expect(same.fingerprint).toBe(base.fingerprint);
    expect(rereg.fingerprint).not.toBe(base.fingerprint);
    expect(slower.fingerprint).not.toBe(base.fingerprint);
  });
});
