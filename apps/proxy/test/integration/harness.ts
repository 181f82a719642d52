import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Agent, request } from 'undici';
import { loadBootstrap } from '../../src/config';
import { Proxy } from '../../src/proxy';

/** Test harness: real upstream servers and an in-process proxy on port 0, all on 127.0.0.1. */

export const silent = pino({ level: process.env['WEFT_TEST_LOG_LEVEL'] ?? 'silent' });

export interface Upstream {
  readonly name: string;
  readonly port: number;
  readonly server: Server;
  /** Requests seen: method, url, headers. */
  readonly seen: { method: string; url: string; headers: IncomingMessage['headers']; body: string }[];
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** An HTTP/1.1 upstream answering `200 <name>` unless a handler is given. */
export async function startUpstream(name: string, handler?: UpstreamHandler): Promise<Upstream> {
  const seen: Upstream['seen'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (handler !== undefined) return handler(req, res, body);
      res.setHeader('x-upstream', name);
      res.end(name);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    name,
    port: (server.address() as AddressInfo).port,
    server,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

export interface RunningProxy {
  readonly proxy: Proxy;
  port(listener: string): number;
  readonly adminPort: number;
  close(): Promise<void>;
}

export async function startProxy(yaml: string, options: { adminPort?: number | null; accessLog?: string; workload?: string; service?: string } = {}): Promise<RunningProxy> {
  const parse = (text: string) => loadBootstrap(text, 'test.yaml').snapshot;
  const proxy = new Proxy({
    logger: silent,
    parseConfig: parse,
    accessLog: options.accessLog ?? 'off',
    workload: options.workload ?? 'test',
    ...(options.service === undefined ? {} : { service: options.service }),
    namespace: 'default',
    drainTimeoutMs: 2000,
    adminPort: options.adminPort === undefined ? 0 : options.adminPort,
  });
  await proxy.apply(parse(yaml));
  return {
    proxy,
    port: (name) => {
      const p = proxy.ports.get(name);
      if (p === undefined) throw new Error(`no listener ${name}`);
      return p;
    },
    adminPort: proxy.adminListeningPort,
    close: () => proxy.close(),
  };
}

/** A keep-alive client for driving the proxy. */
export const client = new Agent({ keepAliveTimeout: 10_000, connections: 64 });

export async function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const res = await request(`http://127.0.0.1:${port}${path}`, { method, headers, body, dispatcher: client });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

// ---- YAML builders (Envoy v3 bootstrap) ----

export const ROUTER = `
          - name: envoy.filters.http.router
            typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }`;

/** An HTTP listener on 127.0.0.1:0 with an inline route config (virtual hosts YAML, indented 12). */
export function httpListener(name: string, virtualHosts: string, extra: { filters?: string; hcm?: string; direction?: string } = {}): string {
  return `
  - name: ${name}
    traffic_direction: ${extra.direction ?? 'OUTBOUND'}
    address: { socket_address: { address: 127.0.0.1, port_value: 0 } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ${name}
${extra.hcm ?? ''}
          http_filters:${extra.filters ?? ''}${ROUTER}
          route_config:
            name: ${name}
            virtual_hosts:
${virtualHosts}`;
}

/** A virtual host (of httpListener) matching every authority, with one route: every path to `cluster` (quoted: Istio's names hold `|`). */
export function catchAllTo(cluster: string, name = 'all'): string {
  return `
            - name: ${name}
              domains: ["*"]
              routes:
              - match: { prefix: / }
                route: { cluster: "${cluster}" }`;
}

/** An endpoint of a test cluster: a 127.0.0.1 port, optionally with weight and health status. */
export interface EndpointSpec {
  readonly port: number;
  readonly weight?: number;
  readonly health?: string;
}

/** A STATIC cluster over 127.0.0.1 endpoints; `extra` is more cluster YAML indented 4. */
export function cluster(name: string, endpoints: readonly (number | EndpointSpec)[], extra = ''): string {
  const eps = endpoints
    .map((ep) => {
      const e = typeof ep === 'number' ? { port: ep } : ep;
      const weight = e.weight === undefined ? '' : `\n          load_balancing_weight: ${e.weight}`;
      const health = e.health === undefined ? '' : `\n          health_status: ${e.health}`;
      return `        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: ${e.port} } } }${weight}${health}`;
    })
    .join('\n');
  return `
  - name: ${name}
    type: STATIC
    connect_timeout: 1s
${extra}
    load_assignment:
      cluster_name: ${name}
      endpoints:
      - lb_endpoints:
${eps}`;
}

export function bootstrap(listeners: string, clusters: string): string {
  return `static_resources:
  listeners:${listeners}
  clusters:${clusters}
`;
}
