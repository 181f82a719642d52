import { telemetryReport } from '@weft/api';
import { conformsToReport } from './report-shape';

const edge = {
  reporter: 'source',
  source: { workload: 'a', namespace: 'ns', principal: 'spiffe://weft.local/ns/ns/sa/a' },
  destination: { service: 'b', workload: 'b-v1', namespace: 'ns', principal: null },
  protocol: 'grpc',
  responseCode: 200,
  grpcStatus: 0,
  responseFlags: '-',
  requests: 2,
  requestBytes: 10,
  responseBytes: 20,
  connectionSecurityPolicy: 'mutual_tls',
  latency: 'ms:3*2',
};
const tcp = {
  reporter: 'destination',
  source: edge.source,
  destination: edge.destination,
  connectionSecurityPolicy: 'none',
  connectionsOpened: 1,
  connectionsClosed: 0,
  sentBytes: 5,
  receivedBytes: 6,
};
const valid = {
  v: 1,
  proxy: { id: 'p', workload: 'b-v1', namespace: 'ns' },
  boot: 'b00t',
  seq: 3,
  intervalStart: 1000,
  intervalEnd: 2000,
  edges: [edge],
  tcp: [tcp],
  dropped: { records: 0, spans: 1, logs: 2 },
};

/** A copy of the valid report with `path` set to `value` (deleted when `value` is undefined). */
function withField(path: string, value: unknown): Record<string, unknown> {
  const copy = structuredClone(valid) as Record<string, unknown>;
  const keys = path.split('.');
  const last = keys.pop() as string;
  let at: Record<string, unknown> = copy;
  for (const k of keys) at = at[k] as Record<string, unknown>;
  if (value === undefined) delete at[last];
  else at[last] = value;
  return copy;
}

const long = (n: number) => 'x'.repeat(n);
const CASES: [string, unknown][] = [
  ['v', 2], ['v', '1'], ['v', undefined],
  ['proxy', null], ['proxy', []], ['proxy.id', ''], ['proxy.id', long(253)], ['proxy.id', long(254)], ['proxy.workload', 7], ['proxy.namespace', undefined],
  ['boot', undefined], ['boot', ''], ['boot', long(64)], ['boot', long(65)], ['boot', null],
  ['seq', undefined], ['seq', -1], ['seq', 1.5], ['seq', 2 ** 53], ['seq', '3'],
  ['intervalStart', -1], ['intervalEnd', 0], ['intervalEnd', null],
  ['edges', []], ['edges', {}], ['edges', undefined], ['edges', [null]], ['edges', Array(10_001).fill(edge)],
  ['edges.0.reporter', undefined], ['edges.0.reporter', 'both'],
  ['edges.0.source', 'a'], ['edges.0.source.workload', ''], ['edges.0.source.principal', undefined], ['edges.0.source.principal', long(512)], ['edges.0.source.principal', long(513)], ['edges.0.source.principal', ''],
  ['edges.0.destination.service', long(254)], ['edges.0.destination.workload', null], ['edges.0.destination.workload', ''], ['edges.0.destination.workload', undefined], ['edges.0.destination.principal', 3],
  ['edges.0.protocol', 'udp'], ['edges.0.protocol', 'tcp'],
  ['edges.0.responseCode', 0], ['edges.0.responseCode', 999], ['edges.0.responseCode', 1000], ['edges.0.responseCode', -1], ['edges.0.responseCode', 200.5],
  ['edges.0.grpcStatus', null], ['edges.0.grpcStatus', 16], ['edges.0.grpcStatus', 17], ['edges.0.grpcStatus', undefined],
  ['edges.0.responseFlags', ''], ['edges.0.responseFlags', long(64)], ['edges.0.responseFlags', long(65)],
  ['edges.0.requests', 0], ['edges.0.requests', 1], ['edges.0.requests', 2 ** 53 - 1], ['edges.0.requests', 2 ** 53],
  ['edges.0.requestBytes', -1], ['edges.0.responseBytes', 0.5], ['edges.0.responseBytes', undefined],
  ['edges.0.connectionSecurityPolicy', 'tls'], ['edges.0.connectionSecurityPolicy', undefined],
  ['edges.0.latency', ''], ['edges.0.latency', long(262_144)], ['edges.0.latency', long(262_145)], ['edges.0.latency', 3],
  ['tcp', undefined], ['tcp', null], ['tcp', []], ['tcp.0.reporter', undefined], ['tcp.0.connectionSecurityPolicy', undefined], ['tcp.0.connectionSecurityPolicy', 'x'],
  ['tcp.0.connectionsOpened', -1], ['tcp.0.sentBytes', '5'], ['tcp.0.receivedBytes', undefined], ['tcp.0.destination', null],
  ['dropped', undefined], ['dropped', null], ['dropped.records', -1], ['dropped.logs', undefined],
  ['extra', 'ignored'], ['edges.0.extra', 1],
];

describe('conformsToReport', () => {
  it('accepts the valid report as is', () => {
    const r = structuredClone(valid);
    expect(conformsToReport(r)).toBe(true);
    expect(r).toEqual(telemetryReport.parse(valid));
  });

  it.each(CASES)('agrees with the zod contract when %s is %p', (path, value) => {
    const fast = withField(path, value);
    const zod = telemetryReport.safeParse(withField(path, value));
    expect(conformsToReport(fast)).toBe(zod.success);
    if (zod.success) expect(fast).toMatchObject(zod.data as Record<string, unknown>); // defaults filled alike
  });

  it.each([null, [], 'report', 1])('refuses a message that is not an object: %p', (value) => {
    expect(conformsToReport(value)).toBe(false);
  });
});
