import { credentials, type ChannelCredentials, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { backoffDelay, type Logger } from '@weft/shared';
import { adsDefinition, type XdsNode } from '@weft/xds';
import type { XdsChannelSecurity } from '../tls/xds-channel-credentials';
import type { AdsRequest } from './ads-protocol';

/** What the connection reports to the client. */
export interface AdsStreamHandler {
  /** A new stream is open: send the subscriptions (the node is added to the first message). */
  onOpen(): void;
  onMessage(message: unknown): void;
  /** The stream ended (the server went away, or refused us); a new one follows after a backoff. */
  onClosed(reason: string): void;
}

export interface AdsConnectionOptions {
  /** `host:port`, or several separated by commas: replicas tried in turn, the next one after a stream ends. */
  readonly address: string;
  readonly method: 'DeltaAggregatedResources' | 'StreamAggregatedResources';
  readonly node: XdsNode;
  readonly log: Logger;
  /** Reconnect backoff (full jitter): base and ceiling in ms. Envoy's defaults: 500 ms and 30 s. */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  readonly random?: () => number;
  /** --xds-tls: mutual TLS with the current SVID (null: plaintext). */
  readonly security?: XdsChannelSecurity | null;
}

type AdsCall = ClientDuplexStream<AdsRequest, unknown>;

type AdsClient = InstanceType<ReturnType<typeof adsDefinition>['Client']>;

/**
 * One ADS stream at a time to the xDS server (plaintext gRPC, or mutual TLS with --xds-tls), reopened with exponential backoff and
 * full jitter when it ends; the backoff starts over once a stream has delivered a response. With
 * several server addresses (pilot replicas), a stream that ends moves to the next address, so a proxy
 * whose replica died resyncs from another one.
 */
export class AdsConnection {
  private readonly addresses: readonly string[];
  private readonly clients: Map<string, { readonly client: AdsClient; readonly creds: ChannelCredentials }> = new Map();
  private readonly insecure = credentials.createInsecure();
  private current = 0;
  private call: AdsCall | null = null;
  private timer: NodeJS.Timeout | null = null;
  private attempt = 0;
  private nodeSent = false;
  private stopped = false;
  /** A response arrived on the current stream. */
  connected = false;

  constructor(
    private readonly options: AdsConnectionOptions,
    private readonly handler: AdsStreamHandler,
  ) {
    this.addresses = options.address.split(',').map((a) => a.trim()).filter((a) => a !== '');
  }

  /** The server address the current (or next) stream uses. */
  get address(): string {
    return this.addresses[this.current % this.addresses.length] ?? '';
  }

  /** The channel to the current address; a new one when the credentials changed (a renewed SVID). */
  private client(): AdsClient {
    const address = this.address;
    const security = this.options.security ?? null;
    const creds = security === null ? this.insecure : (security.current() ?? this.insecure);
    const held = this.clients.get(address);
    if (held !== undefined && held.creds === creds) return held.client;
    held?.client.close();
    const { Client } = adsDefinition();
    const client = security === null ? new Client(address, creds) : new Client(address, creds, { 'grpc.ssl_target_name_override': security.serverName });
    this.clients.set(address, { client, creds });
    return client;
  }

  /** Opens the first stream; with --xds-tls only once the first certificate is there. */
  start(): void {
    const security = this.options.security ?? null;
    if (security !== null && security.current() === null) {
      this.options.log.info('xds waits for the workload certificate (--xds-tls)');
      security.whenReady(() => this.start());
      return;
    }
    if (this.call === null && this.timer === null && !this.stopped) this.open();
  }

  send(request: AdsRequest): void {
    if (this.call === null) return;
    const message = this.nodeSent ? request : { ...request, node: this.options.node };
    this.nodeSent = true;
    this.call.write(message);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.call?.cancel();
    this.call = null;
    for (const held of this.clients.values()) held.client.close();
  }

  private open(): void {
    const client = this.client();
    const method = (client as unknown as Record<string, () => AdsCall>)[this.options.method].bind(client);
    const call = method();
    this.call = call;
    this.nodeSent = false;
    this.connected = false;
    let ended = false;
    const end = (reason: string): void => {
      if (ended) return;
      ended = true;
      this.closed(call, reason);
    };
    call.on('data', (message: unknown) => {
      if (this.call !== call) return;
      if (!this.connected) {
        this.connected = true;
        this.attempt = 0;
      }
      this.handler.onMessage(message);
    });
    call.on('error', (err: ServiceError) => end(err.details || err.message));
    call.on('end', () => end('the server ended the stream'));
    this.handler.onOpen();
  }

  private closed(call: AdsCall, reason: string): void {
    if (this.call !== call) return;
    this.call = null;
    this.connected = false;
    call.end();
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++, this.options.backoffBaseMs ?? 500, this.options.backoffMaxMs ?? 30_000, this.options.random);
    const server = this.address;
    this.current = (this.current + 1) % this.addresses.length;
    this.options.log.warn({ reason, server, next: this.address, retryInMs: delay }, 'xds stream closed');
    this.handler.onClosed(reason);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.open();
    }, delay);
    this.timer.unref();
  }
}
