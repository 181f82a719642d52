import type { ProxyConfigType } from '@weft/api';
import { table } from '../output';

type Obj = Record<string, unknown>;

/** A field in either protobuf JSON spelling (snake_case from protobufjs objects, camelCase from toJSON). */
function field(o: unknown, snake: string): unknown {
  if (o === null || typeof o !== 'object') return undefined;
  const camel = snake.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
  return (o as Obj)[snake] ?? (o as Obj)[camel];
}

const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function socket(address: unknown): [string, string] {
  const s = field(address, 'socket_address');
  return [str(field(s, 'address')), str(field(s, 'port_value'))];
}

function clusters(resources: readonly unknown[]): string {
  const rows = resources.map((c) => {
    const name = str(field(c, 'name'));
    // Istio's cluster names: direction|port|subset|fqdn
    const [direction = '', port = '', subset = '', fqdn = name] = name.includes('|') ? name.split('|') : [];
    const type = str(field(c, 'type')) || (field(c, 'cluster_type') === undefined ? '' : 'CUSTOM');
    return [fqdn, port, subset || '-', direction || '-', type || 'EDS', str(field(c, 'lb_policy')) || 'ROUND_ROBIN'];
  });
  return table(['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'LB POLICY'], rows);
}

function listeners(resources: readonly unknown[]): string {
  const rows = resources.map((l) => {
    const [address, port] = socket(field(l, 'address'));
    return [str(field(l, 'name')), address, port, String(arr(field(l, 'filter_chains')).length)];
  });
  return table(['NAME', 'ADDRESS', 'PORT', 'FILTER CHAINS'], rows);
}

function routes(resources: readonly unknown[]): string {
  const rows = resources.flatMap((r) => {
    const hosts = arr(field(r, 'virtual_hosts'));
    if (hosts.length === 0) return [[str(field(r, 'name')), '-', '-', '0']];
    return hosts.map((vh) => [
      str(field(r, 'name')),
      str(field(vh, 'name')),
      arr(field(vh, 'domains')).map(str).join(','),
      String(arr(field(vh, 'routes')).length),
    ]);
  });
  return table(['NAME', 'VIRTUAL HOST', 'DOMAINS', 'ROUTES'], rows);
}

function endpoints(resources: readonly unknown[]): string {
  const rows = resources.flatMap((cla) =>
    arr(field(cla, 'endpoints')).flatMap((locality) =>
      arr(field(locality, 'lb_endpoints')).map((lb) => {
        const [address, port] = socket(field(field(lb, 'endpoint'), 'address'));
        const weight = field(field(lb, 'load_balancing_weight'), 'value');
        return [`${address}:${port}`, str(field(lb, 'health_status')) || 'UNKNOWN', str(weight) || '1', str(field(cla, 'cluster_name'))];
      }),
    ),
  );
  return table(['ENDPOINT', 'STATUS', 'WEIGHT', 'CLUSTER'], rows);
}

/** Pilot answers `{name, type, version, ackedVersion, resource}` per resource; the table reads `resource`. */
function unwrap(item: unknown): unknown {
  const resource = field(item, 'resource');
  return resource !== undefined && field(item, 'acked_version') !== undefined ? resource : item;
}

/** istioctl proxy-config's summary table of one xDS type. */
export function proxyConfigTable(type: ProxyConfigType, items: readonly unknown[]): string {
  const resources = items.map(unwrap).filter((r) => r !== null);
  switch (type) {
    case 'clusters':
      return clusters(resources);
    case 'listeners':
      return listeners(resources);
    case 'routes':
      return routes(resources);
    default:
      return endpoints(resources);
  }
}
