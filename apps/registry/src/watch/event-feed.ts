import type { NatsConnection } from '@nats-io/transport-node';

/** What a feed tells the watch session that opened it. */
export interface FeedHandlers {
  /** A payload on the subject: the decoded JSON, or undefined when it is not JSON. */
  event(payload: unknown): void;
  /**
   * The connection is back after an outage and the subscription is in place again. Events of the
   * outage are lost, and a service that changes no more would never show the gap: re-check.
   */
  reconnected(): void;
  /** The subscription ended on its own (connection closed or drained, permission error). */
  closed(err: Error | null): void;
}

/** Where a watch session gets raw change events: NATS in production, a fake in unit tests. */
export interface EventFeed {
  /**
   * Subscribes to `subject` and resolves once the server holds the subscription, so every event
   * published afterwards is delivered. Returns the function that ends the subscription.
   */
  open(subject: string, handlers: FeedHandlers): Promise<() => void>;
}

function decode(msg: { json<T>(): T }): unknown {
  try {
    return msg.json<unknown>();
  } catch {
    return undefined;
  }
}

/** EventFeed over NATS core subscriptions, one per watch, sharing one connection-status listener. */
export class NatsEventFeed implements EventFeed {
  private readonly reconnectListeners = new Set<() => void>();
  private statusLoop: Promise<void> | null = null;

  constructor(private readonly nats: Pick<NatsConnection, 'subscribe' | 'flush' | 'status'>) {}

  async open(subject: string, handlers: FeedHandlers): Promise<() => void> {
    this.watchStatus();
    let ended = false;
    const sub = this.nats.subscribe(subject, {
      callback: (err, msg) => {
        if (err === null && !ended) handlers.event(decode(msg));
      },
    });
    const reconnected = (): void => handlers.reconnected();
    const forget = (): void => {
      ended = true;
      this.reconnectListeners.delete(reconnected);
    };
    const end = (): void => {
      if (ended) return;
      forget();
      sub.unsubscribe();
    };
    void sub.closed.then((result) => {
      if (ended) return;
      forget();
      handlers.closed(result instanceof Error ? result : null);
    });
    try {
      await this.nats.flush();
    } catch (err) {
      end();
      throw err;
    }
    this.reconnectListeners.add(reconnected);
    return end;
  }

  /** On each reconnect: one round trip (the re-sent subscriptions are in place), then tell every open watch. */
  private watchStatus(): void {
    this.statusLoop ??= (async () => {
      for await (const s of this.nats.status()) {
        if (s.type !== 'reconnect') continue;
        await this.nats.flush().catch(() => undefined);
        for (const listener of [...this.reconnectListeners]) listener();
      }
    })().catch(() => undefined);
  }
}
