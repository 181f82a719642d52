import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '@weft/shared';

/** What the admin server needs from the running proxy. */
export interface AdminTarget {
  readonly ready: boolean;
  readonly configVersion: string;
  metricsText(): Promise<string>;
  configDump(): unknown;
  clustersDump(): unknown;
  /** Validates and swaps in a new bootstrap (YAML); throws with the field path when invalid. */
  applyConfig(yaml: string): Promise<string>;
  drain(): Promise<void>;
  readonly logger: Logger;
}

const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/**
 * Envoy-style admin endpoints on 127.0.0.1 only: /ready, /stats/prometheus, /config_dump, /clusters,
 * /drain (POST), /logging (POST ?level=), /config (POST a new bootstrap YAML).
 */
export class AdminServer {
  private readonly server: Server;

  constructor(private readonly target: AdminTarget) {
    this.server = createServer((req, res) => void this.route(req, res));
  }

  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve((this.server.address() as AddressInfo).port));
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://admin');
    try {
      switch (`${req.method} ${url.pathname}`) {
        case 'GET /ready':
          return text(res, this.target.ready ? 200 : 503, this.target.ready ? 'LIVE\n' : 'NOT READY\n');
        case 'GET /stats/prometheus':
          return text(res, 200, await this.target.metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
        case 'GET /config_dump':
          return json(res, 200, this.target.configDump());
        case 'GET /clusters':
          return json(res, 200, this.target.clustersDump());
        case 'POST /drain':
        case 'POST /drain_listeners':
          void this.target.drain();
          return text(res, 200, 'draining\n');
        case 'POST /logging':
          return this.logging(url, res);
        case 'POST /config':
          return json(res, 200, { version: await this.target.applyConfig(await readBody(req)) });
        default:
          return text(res, 404, 'not found\n');
      }
    } catch (err) {
      return json(res, 400, errorBody(err));
    }
  }

  private logging(url: URL, res: ServerResponse): void {
    const level = url.searchParams.get('level');
    if (level === null || !(level in this.target.logger.levels.values)) return text(res, 400, 'level must be one of trace, debug, info, warn, error, fatal\n');
    this.target.logger.level = level;
    text(res, 200, `level ${level}\n`);
  }
}

function text(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, status: number, value: unknown): void {
  text(res, status, `${JSON.stringify(value, null, 2)}\n`, 'application/json');
}

/** A rejected request's reason; for a config error its code, first field path and every issue. */
function errorBody(err: unknown): Record<string, unknown> {
  const e = err as Error & { code?: unknown; path?: unknown; reason?: unknown; issues?: unknown };
  const body: Record<string, unknown> = { error: e.message };
  if (typeof e.code === 'string') body['code'] = e.code;
  if (typeof e.path === 'string') body['path'] = e.path;
  if (typeof e.reason === 'string') body['reason'] = e.reason;
  if (Array.isArray(e.issues)) body['issues'] = e.issues;
  return body;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CONFIG_BYTES) {
        reject(new Error('config too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}
