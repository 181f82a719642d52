import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { HealthCheck } from '@weft/api';
import type { ProbeTarget } from './probe-target';

/** Outcome of one probe; `reason` is short and stable enough to log (`status 503`, `ECONNREFUSED`). */
export interface ProbeResult {
  readonly ok: boolean;
  readonly reason: string;
}

export interface HttpProbe {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly timeoutMs: number;
  readonly userAgent: string;
  readonly expectedStatuses: HealthCheck['expectedStatuses'];
}

export interface TcpProbe {
  readonly host: string;
  readonly port: number;
  readonly timeoutMs: number;
}

const ABORTED: ProbeResult = { ok: false, reason: 'aborted' };

function errorReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
}

export function statusExpected(status: number, expected: HealthCheck['expectedStatuses']): boolean {
  return expected.some((r) => status >= r.start && status <= r.end);
}

/**
 * Lifetime of one probe: the verdict is resolved once (first of result, error, deadline or abort);
 * `end` releases the timer and the abort listener and destroys the socket. The deadline also bounds
 * reading a body after the verdict. Every probe resolves — it never rejects.
 */
class ProbeLifetime {
  private resolved = false;
  private ended = false;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = (): void => this.end(ABORTED);

  constructor(
    timeoutMs: number,
    private readonly signal: AbortSignal | null,
    private readonly destroy: () => void,
    private readonly settle: (r: ProbeResult) => void,
  ) {
    this.timer = setTimeout(() => this.end({ ok: false, reason: `timeout after ${timeoutMs} ms` }), timeoutMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  resolve(r: ProbeResult): void {
    if (this.resolved) return;
    this.resolved = true;
    this.settle(r);
  }

  end(r: ProbeResult | null = null): void {
    if (r !== null) this.resolve(r);
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
    this.destroy();
  }
}

/**
 * HTTP GET without keep-alive (a fresh connection each time, as Consul does). The verdict is the
 * status; the body is read and discarded within the same deadline, so the peer is never left blocked.
 */
export function probeHttp(p: HttpProbe, signal: AbortSignal | null = null): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve(ABORTED);
    const req: ClientRequest = request({
      host: p.host,
      port: p.port,
      path: p.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': p.userAgent, accept: '*/*', connection: 'close' },
    });
    const life = new ProbeLifetime(p.timeoutMs, signal, () => req.destroy(), resolve);
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      life.resolve({ ok: statusExpected(status, p.expectedStatuses), reason: `status ${status}` });
      res.on('error', () => life.end());
      res.on('end', () => life.end());
      res.resume();
    });
    req.on('error', (err) => life.end({ ok: false, reason: errorReason(err) }));
    req.end();
  });
}

/** TCP connect: passes when the connection is accepted; closed at once. */
export function probeTcp(p: TcpProbe, signal: AbortSignal | null = null): Promise<ProbeResult> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve(ABORTED);
    const socket = connect({ host: p.host, port: p.port });
    const life = new ProbeLifetime(p.timeoutMs, signal, () => socket.destroy(), resolve);
    socket.once('connect', () => life.end({ ok: true, reason: 'connected' }));
    socket.on('error', (err) => life.end({ ok: false, reason: errorReason(err) }));
  });
}

/** Runs a target's check (HTTP or TCP) with its timeout; an unresolvable port fails without I/O. */
export function runCheck(t: ProbeTarget, userAgent: string, signal: AbortSignal | null = null): Promise<ProbeResult> {
  if (t.port === null) return Promise.resolve({ ok: false, reason: `service has no port ${String(t.check.port)}` });
  const timeoutMs = Math.max(1, Math.round(t.check.timeoutSeconds * 1000));
  if (t.check.type === 'tcp') return probeTcp({ host: t.host, port: t.port, timeoutMs }, signal);
  const { path, expectedStatuses } = t.check;
  return probeHttp({ host: t.host, port: t.port, path, timeoutMs, userAgent, expectedStatuses }, signal);
}
