import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Logger } from '@weft/shared';
import { isWeftError, type WeftErrorKind } from '@weft/shared';
import { TYPE_SHORT_NAME, type EncodedResource, type RpcStatus, type TypeUrl } from '@weft/xds';
import type { ProxyNode, ProxySyncStatus, ResourceProvider, SyncStatusSink, TypeSyncStatus } from '../model/xds-contract';
import type { AnswerOutcome, TypeSource, WatchSink } from '../delta/type-source';
import type { PushRequest } from '../push/push-request';
import type { PushTarget } from '../push/push-queue';
import type { SubscriberIndex } from '../push/subscriber-index';
import { StatusThrottle } from './status-throttle';
import type { XdsMetrics, XdsProtocol } from './xds-metrics';

/** The server side of an ADS stream, as much of grpc-js's ServerDuplexStream as a connection uses. */
export interface XdsCall {
  write(message: unknown): boolean;
  end(): void;
  emit(event: 'error', error: { code: number; details: string }): boolean;
}

/** What every connection shares with the server. */
export interface ConnectionContext {
  readonly provider: ResourceProvider;
  readonly index: SubscriberIndex<XdsConnection>;
  readonly metrics: XdsMetrics;
  readonly sink: SyncStatusSink;
  readonly replica: string;
  readonly logger: Logger;
  readonly statusIntervalMs: number;
  /** Every response of the connection is answered: its next push may go (the push queue). */
  settled(connection: XdsConnection): void;
  /** The stream is over: forget the connection. */
  ended(connection: XdsConnection): void;
}

const GRPC_CODE: Readonly<Record<WeftErrorKind, number>> = {
  'invalid-argument': GrpcStatus.INVALID_ARGUMENT,
  'not-found': GrpcStatus.NOT_FOUND,
  conflict: GrpcStatus.ABORTED,
  unauthenticated: GrpcStatus.UNAUTHENTICATED,
  'permission-denied': GrpcStatus.PERMISSION_DENIED,
  unavailable: GrpcStatus.UNAVAILABLE,
  'deadline-exceeded': GrpcStatus.DEADLINE_EXCEEDED,
  internal: GrpcStatus.INTERNAL,
};

/** Ends a stream with the gRPC status matching a (typed) error. */
export function failCall(call: XdsCall, err: unknown): void {
  const code = isWeftError(err) ? GRPC_CODE[err.kind] : GrpcStatus.INTERNAL;
  const details = err instanceof Error ? err.message : String(err);
  call.emit('error', { code, details });
}

/** error_detail of a request: present (even with an empty message) iff the request is a NACK. */
export function nackMessage(errorDetail: RpcStatus | undefined | null): string | null {
  if (errorDetail === undefined || errorDetail === null) return null;
  return errorDetail.message !== undefined && errorDetail.message !== '' ? errorDetail.message : `code ${errorDetail.code ?? 0}`;
}

let connectionSeq = 0;
const noncePrefix = Math.floor(Math.random() * 36 ** 4).toString(36);

/**
 * One ADS stream (delta or SotW): the node, the status reports and metrics, and what both protocols
 * share. Subclasses hold the per-type protocol state and turn requests and pushes into responses.
 */
export abstract class XdsConnection implements PushTarget {
  readonly id: string;
  readonly node: ProxyNode;
  readonly protocol: XdsProtocol;
  readonly connectedAt: number;
  /** The verified SPIFFE ID of the client (mutual-TLS port), set before the first status; null on plaintext. */
  peerIdentity: string | null;
  protected readonly ctx: ConnectionContext;
  private readonly call: XdsCall;
  private readonly throttle: StatusThrottle;
  private readonly sources: Map<TypeUrl, TypeSource>;
  private nonceSeq: number;
  private open: boolean;

  constructor(call: XdsCall, node: ProxyNode, protocol: XdsProtocol, ctx: ConnectionContext) {
    connectionSeq += 1;
    this.id = `${noncePrefix}${connectionSeq.toString(36)}`;
    this.node = node;
    this.protocol = protocol;
    this.connectedAt = Date.now();
    this.peerIdentity = null;
    this.ctx = ctx;
    this.call = call;
    this.throttle = new StatusThrottle(ctx.statusIntervalMs, () => this.report());
    this.sources = new Map();
    this.nonceSeq = 0;
    this.open = true;
  }

  /** Handles one request of the stream (the first one included). */
  abstract handle(request: unknown): void;

  /** Sends what a push changes for this stream, in push order; true when a response went out. */
  abstract push(request: PushRequest): boolean;

  /** Responses sent and not yet ACKed or NACKed. */
  abstract unanswered(): number;

  /** Per-type sync state keyed by short type name. */
  protected abstract typeStatuses(): Record<string, TypeSyncStatus>;

  /** Stops watching every resource (the index forgets the stream). */
  protected abstract release(): void;

  /** Schedules a status report (throttled). */
  reportStatus(): void {
    if (this.open) this.throttle.mark();
  }

  isOpen(): boolean {
    return this.open;
  }

  snapshot(): ProxySyncStatus {
    return {
      proxyId: this.node.id,
      node: this.node,
      replica: this.ctx.replica,
      protocol: this.protocol,
      connectedAt: this.connectedAt,
      peerIdentity: this.peerIdentity,
      types: this.typeStatuses(),
    };
  }

  /** Ends the stream (with a status when `error` is given) and forgets it. */
  close(error: unknown): void {
    if (!this.open) return;
    if (error === null) this.call.end();
    else failCall(this.call, error);
    this.dispose();
  }

  /** The stream is gone (ended, cancelled or failed): idempotent. */
  dispose(): void {
    if (!this.open) return;
    this.open = false;
    this.throttle.cancel();
    this.release();
    this.ctx.ended(this);
  }

  protected nextNonce(): string {
    this.nonceSeq += 1;
    return `${this.id}.${this.nonceSeq.toString(36)}`;
  }

  /** The provider bound to this node and a type. */
  protected source(typeUrl: TypeUrl): TypeSource {
    let source = this.sources.get(typeUrl);
    if (source === undefined) {
      const { provider } = this.ctx;
      const node = this.node;
      source = {
        wildcardNames: () => provider.wildcardNames(typeUrl, node),
        resource: (name) => provider.resource(typeUrl, node, name),
      };
      this.sources.set(typeUrl, source);
    }
    return source;
  }

  /** Keeps the server's subscriber index in step with one type's watched names. */
  protected watchSink(typeUrl: TypeUrl): WatchSink {
    const { index } = this.ctx;
    return {
      watch: (name) => index.watch(typeUrl, name, this),
      unwatch: (name) => index.unwatch(typeUrl, name, this),
      wildcard: (on) => index.setWildcard(typeUrl, this, on),
    };
  }

  /** Writes a response; counts it. False when the stream is already closed. */
  protected write(typeUrl: TypeUrl, message: unknown, resources: readonly EncodedResource[]): boolean {
    if (!this.open) return false;
    this.call.write(message);
    let bytes = 0;
    for (const r of resources) bytes += r.any.value.length;
    this.ctx.metrics.responseSent(typeUrl, resources.length, bytes);
    this.throttle.mark();
    return true;
  }

  /** An ACK or NACK arrived: metrics, status, and the push queue when nothing is left unanswered. */
  protected answered(typeUrl: TypeUrl, outcome: AnswerOutcome, error: string | null): void {
    if (outcome.kind === 'unknown') return;
    if (outcome.kind === 'nack') {
      this.ctx.metrics.nacked(typeUrl);
      this.ctx.logger.warn({ proxy: this.node.id, type: TYPE_SHORT_NAME[typeUrl], error }, 'xds nack');
    } else if (outcome.seenAt !== null && Number.isFinite(outcome.seenAt)) {
      this.ctx.metrics.converged(typeUrl, (Date.now() - outcome.seenAt) / 1000);
    }
    this.throttle.mark();
    if (this.unanswered() === 0) this.ctx.settled(this);
  }

  protected ignoredType(typeUrl: string): void {
    this.ctx.logger.debug({ proxy: this.node.id, typeUrl }, 'xds type not served');
  }

  private report(): void {
    if (!this.open) return;
    try {
      this.ctx.sink.update(this.snapshot());
    } catch (err) {
      this.ctx.logger.error({ err, proxy: this.node.id }, 'sync status update failed');
    }
  }
}
