import { Agent, request, type IncomingHttpHeaders } from 'node:http';

/** Headers a service copies from its inbound request to its outbound calls, so the proxies' access logs and traces join up. */
const PROPAGATED = ['x-request-id', 'traceparent', 'tracestate', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags', 'b3'];

/** The answer of another service, or why there is none (`error`: status and the proxy's x-weft-error, or the socket error). */
export interface CallResult {
  readonly status: number | null;
  readonly body: Record<string, unknown> | null;
  readonly error: string | null;
}

/** The port every demo service is known by (demo/workloads.json `servicePort`): apps call `http://reviews:9080/`. */
export const DEMO_SERVICE_PORT = 9080;

/**
 * Calls other services the sidecar way ("localhost mode"): every request goes to the sidecar's
 * OUTBOUND listener, `http://127.0.0.1:<outbound port>/<path>`, and `Host: <service>:9080` — what an
 * HTTP client sends for `http://reviews:9080/` — tells the proxy where it is meant to go. The service
 * itself knows no address of any other service.
 */
export class SidecarClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly outbound: URL;

  constructor(
    outboundUrl: string,
    private readonly timeoutMs: number,
  ) {
    this.outbound = new URL(outboundUrl);
  }

  getJson(service: string, path: string, inbound: IncomingHttpHeaders): Promise<CallResult> {
    const headers: Record<string, string> = { host: `${service}:${DEMO_SERVICE_PORT}`, accept: 'application/json' };
    for (const name of PROPAGATED) {
      const value = inbound[name];
      if (typeof value === 'string') headers[name] = value;
    }
    return new Promise((resolve) => {
      const req = request(
        { host: this.outbound.hostname, port: this.outbound.port, path, headers, agent: this.agent, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', (err) => resolve({ status: res.statusCode ?? null, body: null, error: err.message }));
          res.on('end', () => resolve(toResult(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', (err) => resolve({ status: null, body: null, error: `${service}: ${err.message}` }));
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function toResult(status: number, headers: IncomingHttpHeaders, text: string): CallResult {
  let body: Record<string, unknown> | null = null;
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
  } catch {
    // not JSON: e.g. the proxy's own plain-text error
  }
  if (status === 200 && body !== null) return { status, body, error: null };
  const weftError = headers['x-weft-error'];
  const detail = typeof weftError === 'string' ? weftError : typeof body?.['error'] === 'string' ? body['error'] : text.trim().slice(0, 200);
  return { status, body, error: `${status}${detail === '' ? '' : ` ${detail}`}` };
}
