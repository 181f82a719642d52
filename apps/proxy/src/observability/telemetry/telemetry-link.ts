import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from '@weft/shared';

/** `nats://user:pass@host:4222` (or `tls://…`) → the client's server, credentials and TLS options. */
export function serverOptions(url: string): { servers: string; user?: string; pass?: string; tls?: Record<string, never> } {
  const u = new URL(url);
  const servers = `${u.hostname}:${u.port === '' ? '4222' : u.port}`;
  const auth = u.username === '' ? {} : { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) };
  return { servers, ...auth, ...(u.protocol === 'tls:' ? { tls: {} } : {}) };
}

/**
 * The proxy's NATS connection for telemetry. It never holds traffic up: the proxy starts and serves
 * while NATS is unreachable (the connection is made in the background, retried forever), and
 * `publish` refuses (returns false) while the connection is down, so the NATS client never buffers
 * while disconnected — the reporter holds or drops (and counts) instead.
 */
export class TelemetryLink {
  private nc: NatsConnection | null = null;
  private up = false;
  private closing = false;
  private readonly subscriptions: { subject: string; onMessage: (data: Uint8Array) => void }[] = [];
  private readonly started: Promise<void>;

  constructor(
    private readonly url: string,
    private readonly name: string,
    private readonly log: Logger,
    private readonly onState: (connected: boolean) => void,
  ) {
    this.started = this.open();
  }

  get connected(): boolean {
    return this.up;
  }

  private async open(): Promise<void> {
    try {
      const nc = await connect({ ...serverOptions(this.url), name: this.name, waitOnFirstConnect: true, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 10_000 });
      if (this.closing) {
        await nc.close();
        return;
      }
      this.nc = nc;
      for (const s of this.subscriptions) this.attach(nc, s.subject, s.onMessage);
      this.setUp(true);
      void this.watch(nc);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'telemetry nats connection failed; reporting stays off');
    }
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'staleConnection') this.setUp(false);
      else if (s.type === 'reconnect') this.setUp(true);
    }
    this.setUp(false);
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.onState(up);
    this.log.info({ connected: up }, up ? 'telemetry nats connected' : 'telemetry nats disconnected');
  }

  /** Publishes when connected; false (nothing queued) otherwise. */
  publish(subject: string, payload: string): boolean {
    const nc = this.nc;
    if (!this.up || nc === null) return false;
    try {
      nc.publish(subject, payload);
      return true;
    } catch {
      return false;
    }
  }

  /** Subscribes now or once connected (the client resubscribes after reconnects by itself). */
  subscribe(subject: string, onMessage: (data: Uint8Array) => void): void {
    this.subscriptions.push({ subject, onMessage });
    if (this.nc !== null) this.attach(this.nc, subject, onMessage);
  }

  private attach(nc: NatsConnection, subject: string, onMessage: (data: Uint8Array) => void): Subscription {
    return nc.subscribe(subject, { callback: (err, msg) => (err === null ? onMessage(msg.data) : undefined) });
  }

  /** Sends what was published and closes (bounded by `timeoutMs`). */
  async close(timeoutMs = 2000): Promise<void> {
    this.closing = true;
    const nc = this.nc;
    this.setUp(false);
    if (nc === null) return;
    const done = nc.drain().catch(() => undefined);
    const timer = new Promise<void>((r) => setTimeout(r, timeoutMs).unref());
    await Promise.race([done, timer]);
    if (!nc.isClosed()) await nc.close().catch(() => undefined);
    void this.started;
  }
}
