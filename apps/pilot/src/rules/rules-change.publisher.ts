import type { NatsConnection } from '@nats-io/transport-node';
import { pilotRulesChangedSubject, type RulesChangedEvent } from '@weft/api';
import type { Logger } from '@weft/shared';

/**
 * Announces each stored change on `<prefix>weft.pilot.rules.changed` (fan-out: every replica reloads).
 * A publish lost between Redis and NATS is caught up by the watchers' periodic revision check.
 */
export class RulesChangePublisher {
  constructor(
    private readonly nats: NatsConnection,
    private readonly subjectPrefix: string,
    private readonly log: Logger,
  ) {}

  publish(revision: number, keys: readonly string[]): void {
    const event: RulesChangedEvent = { v: 1, revision, keys: [...keys], at: Date.now() };
    try {
      this.nats.publish(pilotRulesChangedSubject(this.subjectPrefix), JSON.stringify(event));
    } catch (err) {
      this.log.warn({ err, revision }, 'rules change publish failed');
    }
  }
}
