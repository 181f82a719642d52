import type { WatchRequest } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { EventFeed } from './event-feed';
import type { SnapshotSource } from './snapshot-reader';
import type { WatchEvent } from './watch-event';
import { WatchSession, type WatchStats } from './watch-session';

export interface WatchHubStats extends WatchStats {
  /** The number of open watches changed. */
  watching(open: number): void;
}

/**
 * Watches of registry state for every edge (gRPC Watch today): each watch gets a snapshot per
 * service, then every change in revision order, with a fresh snapshot whenever events were missed.
 */
export class WatchHub {
  private readonly sessions = new Set<WatchSession>();
  private readonly log: Logger;

  constructor(
    private readonly feed: EventFeed,
    private readonly source: SnapshotSource,
    private readonly subjectPrefix: string,
    private readonly stats: WatchHubStats,
    log: Logger,
  ) {
    this.log = log.child({ component: 'watch-hub' });
  }

  /**
   * Starts a watch; resolves, once the initial snapshots went to `sink`, with the function that ends
   * it. `onEnd` is called if the watch ends on its own (event feed closed, state unreadable during a
   * resync); the consumer should then watch again with its last revision.
   */
  async watch(req: WatchRequest, sink: (e: WatchEvent) => void, onEnd: (err: Error) => void = () => undefined): Promise<() => void> {
    const session: WatchSession = new WatchSession(
      req,
      { feed: this.feed, source: this.source, subjectPrefix: this.subjectPrefix, stats: this.stats },
      sink,
      (err) => {
        this.forget(session);
        this.log.warn({ err, ns: req.namespace, svc: req.service }, 'watch ended');
        onEnd(err);
      },
    );
    this.sessions.add(session);
    this.count();
    try {
      await session.start();
    } catch (err) {
      this.forget(session);
      throw err;
    }
    return () => {
      session.close();
      this.forget(session);
    };
  }

  /** Open watches. */
  get size(): number {
    return this.sessions.size;
  }

  private forget(session: WatchSession): void {
    this.sessions.delete(session);
    this.count();
  }

  private count(): void {
    this.stats.watching(this.sessions.size);
  }
}
