import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@weft/shared';

/** What a route answers: a JSON body, and optionally an HTML rendering for browsers. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly html?: string;
}

/** Answers a request, or returns null for "no such path" (404). */
export type Route = (req: IncomingMessage, url: URL) => Promise<Reply | null>;

export interface JsonServerOptions {
  readonly service: string;
  readonly version: string;
  /** Fraction of requests (health checks excepted) answered 503 without calling the route. */
  readonly failureRate: number;
  readonly logger: Logger;
  readonly random?: () => number;
}

/**
 * A demo service's HTTP edge on node:http: `GET /healthz`, injected failures, JSON (or HTML when a
 * browser asks) and a 500 for a route that throws. Every response names the workload that sent it
 * in `x-demo-workload`, so a reply shows which version answered even when it is an error.
 */
export class JsonServer {
  private readonly server: Server;
  private readonly workload: string;
  private readonly random: () => number;

  constructor(
    private readonly route: Route,
    private readonly options: JsonServerOptions,
  ) {
    this.workload = `${options.service}-${options.version}`;
    this.random = options.random ?? Math.random;
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 65_000; // longer than the proxy's idle pool timeout
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    this.server.closeIdleConnections();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      setTimeout(() => this.server.closeAllConnections(), 2000).unref();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://demo');
    const { service, version } = this.options;
    if (req.method === 'GET' && url.pathname === '/healthz') return send(req, res, this.workload, { status: 200, body: { status: 'ok', service, version } });
    if (this.options.failureRate > 0 && this.random() < this.options.failureRate) {
      return send(req, res, this.workload, { status: 503, body: { error: 'injected failure (WEFT_DEMO_FAILURE_RATE)', service, version } });
    }
    try {
      const reply = req.method === 'GET' ? await this.route(req, url) : { status: 405, body: { error: 'only GET', service, version } };
      send(req, res, this.workload, reply ?? { status: 404, body: { error: `no route for ${url.pathname}`, service, version } });
    } catch (err) {
      this.options.logger.error({ err: (err as Error).message, path: url.pathname }, 'request failed');
      send(req, res, this.workload, { status: 500, body: { error: 'internal error', service, version } });
    }
  }
}

function send(req: IncomingMessage, res: ServerResponse, workload: string, reply: Reply): void {
  const html = reply.html !== undefined && (req.headers.accept ?? '').includes('text/html');
  const text = html ? (reply.html as string) : `${JSON.stringify(reply.body, null, 2)}\n`;
  res.writeHead(reply.status, {
    'content-type': html ? 'text/html; charset=utf-8' : 'application/json',
    'content-length': Buffer.byteLength(text),
    'x-demo-workload': workload,
  });
  res.end(text);
}
