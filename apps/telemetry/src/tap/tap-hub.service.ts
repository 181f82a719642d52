import { randomBytes } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { TAP_HEARTBEAT_MS } from '@weft/api';
import { WeftError, type Logger } from '@weft/shared';
import type { TapQuery } from './tap-query.schema';
import { TapMetrics } from './tap.metrics';
import { TapSession, type TapOutput } from './tap-session';

export const TAP_ERRORS = {
  /** This replica already streams its maximum of tap sessions. */
  tooManyTaps: 'WEFT_ERR_TELEMETRY_TAP_LIMIT',
  /** The replica's NATS connection is closed: no tap can be announced. */
  natsUnavailable: 'WEFT_ERR_TELEMETRY_TAP_NATS_UNAVAILABLE',
} as const;

export interface TapHubOptions {
  readonly subjectPrefix: string;
  /** Concurrent tap clients per replica. */
  readonly maxSessions?: number;
  /** NDJSON lines held per slow client before records are dropped (and counted). */
  readonly maxQueued?: number;
  readonly heartbeatMs?: number;
  readonly now?: () => number;
}

/**
 * The live-tap hub of one replica (the telemetry side of `@weft/api`'s tap contract): one TapSession
 * per connected client, each with its own tap id, heartbeats and records subscription.
 */
export class TapHub {
  private readonly sessions = new Set<TapSession>();
  private readonly metrics: TapMetrics;
  private readonly log: Logger;
  private closed = false;

  constructor(
    private readonly nats: NatsConnection,
    private readonly options: TapHubOptions,
    registry: Registry,
    logger: Logger,
  ) {
    this.metrics = new TapMetrics(registry);
    this.log = logger.child({ component: 'tap-hub' });
  }

  get active(): number {
    return this.sessions.size;
  }

  /** Starts streaming a tap to `out`; the caller ends it with session.end() when the client goes. */
  open(query: TapQuery, out: TapOutput): TapSession {
    const max = this.options.maxSessions ?? 64;
    if (this.closed || this.sessions.size >= max) {
      throw new WeftError(TAP_ERRORS.tooManyTaps, 'unavailable', `this telemetry replica already serves ${max} taps (or is stopping); retry later`);
    }
    const now = this.options.now ?? Date.now;
    const session = new TapSession(
      this.nats,
      {
        tapId: randomBytes(12).toString('hex'),
        service: query.service,
        namespace: query.namespace ?? null,
        limit: query.limit ?? null,
        deadline: query.seconds === undefined ? null : now() + query.seconds * 1000,
      },
      { subjectPrefix: this.options.subjectPrefix, heartbeatMs: this.options.heartbeatMs ?? TAP_HEARTBEAT_MS, maxQueued: this.options.maxQueued ?? 1000, now },
      out,
      this.metrics,
      (s) => this.ended(s),
    );
    try {
      session.start(); // subscribes first: when that throws, nothing was set up
    } catch (err) {
      throw new WeftError(TAP_ERRORS.natsUnavailable, 'unavailable', 'cannot tap: this replica is not connected to NATS', { cause: err });
    }
    this.sessions.add(session);
    this.metrics.sessions.set(this.sessions.size);
    this.log.info({ tapId: session.spec.tapId, service: query.service, namespace: query.namespace ?? null }, 'tap started');
    return session;
  }

  /** Ends every session (their streams end cleanly) and refuses new ones. */
  close(): void {
    this.closed = true;
    for (const s of [...this.sessions]) s.end();
  }

  private ended(session: TapSession): void {
    this.sessions.delete(session);
    this.metrics.sessions.set(this.sessions.size);
    this.log.info({ tapId: session.spec.tapId }, 'tap ended');
  }
}
