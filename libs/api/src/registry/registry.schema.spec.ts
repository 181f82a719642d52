import { effectiveStatus, instanceSpec, serviceSpec } from './registry.schema';
import { registerRequest } from './registry-requests.schema';

describe('registry schemas', () => {
  it('accepts Istio protocol spellings and fills defaults', () => {
    const s = serviceSpec.parse({ namespace: 'default', name: 'ratings', ports: [{ name: 'grpc', number: 9090, protocol: 'GRPC' }] });
    expect(s.ports[0].protocol).toBe('grpc');
    expect(s.healthCheck).toBeNull();
    const i = instanceSpec.parse({ id: 'r-1', address: '10.1.2.3' });
    expect(i).toMatchObject({ weight: 1, ttlSeconds: 30, graceSeconds: 60, draining: false, labels: {}, locality: null });
  });

  it('names the offending field', () => {
    const r = registerRequest.safeParse({
      namespace: 'Default',
      service: 'ratings',
      instance: { id: 'x', address: 'not an address', ports: { http: 70000 } },
    });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['namespace', 'instance.address', 'instance.ports.http']));
  });

  it('refuses a health check whose timeout exceeds its interval', () => {
    const r = serviceSpec.safeParse({
      namespace: 'a',
      name: 'b',
      ports: [{ name: 'http', number: 80, protocol: 'http' }],
      healthCheck: { type: 'http', intervalSeconds: 1, timeoutSeconds: 2 },
    });
    expect(r.error?.issues[0].path).toEqual(['healthCheck', 'timeoutSeconds']);
  });

  it.each([
    [{ draining: true, ttl: 'passing', probe: 'passing' }, 'draining'],
    [{ draining: false, ttl: 'expired', probe: 'passing' }, 'unhealthy'],
    [{ draining: false, ttl: 'passing', probe: 'failing' }, 'unhealthy'],
    [{ draining: false, ttl: 'none', probe: 'unknown' }, 'healthy'],
    [{ draining: false, ttl: 'passing', probe: 'none' }, 'healthy'],
  ] as const)('effective status of %j is %s', (parts, status) => {
    expect(effectiveStatus(parts)).toBe(status);
  });
});
