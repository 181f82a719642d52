import { Metadata, status, type ServerWritableStream, type handleServerStreamingCall } from '@grpc/grpc-js';
import { watchRequest } from '@weft/api';
import { parseOrThrow, type Logger } from '@weft/shared';
import type { WatchHub } from '../watch/watch-hub';
import type { WatchEvent } from '../watch/watch-event';
import type { GrpcCalls } from './grpc-calls';
import { grpcError } from './grpc-errors';
import { watchEventToProto } from './model-to-proto';
import { watchRequestInput } from './proto-to-request';
import type { ProtoWatchEvent, ProtoWatchRequest } from './proto-types';

type WatchCall = ServerWritableStream<ProtoWatchRequest, ProtoWatchEvent>;

/** Events a stream may have queued unsent before the watcher counts as stuck and is cut off. */
const MAX_QUEUED_EVENTS = 10_000;

/**
 * The server side of `Watch` streams, backed by the WatchHub. A watch never ends by itself: it
 * ends when the client cancels (the NATS subscription is closed), or with UNAVAILABLE (event feed
 * lost, replica shutting down) or RESOURCE_EXHAUSTED (client not reading), after which the client
 * watches again with its last revision.
 */
export class GrpcWatchStreams {
  private readonly open = new Map<WatchCall, () => void>();
  private readonly log: Logger;

  constructor(
    private readonly hub: WatchHub,
    private readonly calls: GrpcCalls,
    log: Logger,
  ) {
    this.log = log.child({ component: 'grpc-watch' });
  }

  readonly handle: handleServerStreamingCall<ProtoWatchRequest, ProtoWatchEvent> = (call) => {
    void this.serve(call);
  };

  /** Ends every open stream with UNAVAILABLE (shutdown). */
  closeAll(reason: string): void {
    for (const call of [...this.open.keys()]) this.fail(call, status.UNAVAILABLE, reason);
  }

  get size(): number {
    return this.open.size;
  }

  private async serve(call: WatchCall): Promise<void> {
    let cancelled = false;
    call.on('cancelled', () => {
      cancelled = true;
      this.stop(call);
    });
    const started = await this.calls.run('watch', 'read', call.metadata, () => {
      const req = parseOrThrow(watchRequest, watchRequestInput(call.request), 'watch request');
      return this.hub.watch(
        req,
        (e) => this.send(call, e),
        (err) => this.fail(call, status.UNAVAILABLE, `watch ended: ${err.message}; watch again from your last revision`),
      );
    });
    if (!started.ok) {
      if (!cancelled) call.emit('error', started.error);
      return;
    }
    // Cancelled, or cut off as too slow, while the snapshots were being sent.
    if (cancelled || call.writableEnded) return started.value();
    this.open.set(call, started.value);
    // Headers tell the client the watch is live even when no snapshot was due (empty namespace).
    call.sendMetadata(new Metadata());
  }

  private send(call: WatchCall, e: WatchEvent): void {
    if (call.writableLength >= MAX_QUEUED_EVENTS) {
      this.log.warn({ queued: call.writableLength }, 'watcher not reading; stream ended');
      this.fail(call, status.RESOURCE_EXHAUSTED, 'watcher too slow: events queued beyond the limit; watch again');
      return;
    }
    call.write(watchEventToProto(e));
  }

  private stop(call: WatchCall): void {
    const end = this.open.get(call);
    this.open.delete(call);
    end?.();
  }

  private fail(call: WatchCall, code: status, details: string): void {
    this.stop(call);
    if (!call.cancelled && !call.writableEnded) call.emit('error', grpcError(code, details));
  }
}
