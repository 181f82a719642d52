import type { NatsConnection } from '@nats-io/transport-node';
import { registryEventSubject, type RegistryEvent } from '@weft/api';
import type { Logger } from '@weft/shared';
import type { StoreChange } from '../store/registry.store';

/**
 * Publishes each store change once on `weft.registry.events.<ns>.<service>`. A publish lost to a crash
 * between Redis and NATS shows up to watchers as a revision gap, and they resync.
 */
export class EventPublisher {
  private published = 0;

  constructor(
    private readonly nats: NatsConnection,
    private readonly subjectPrefix: string,
    private readonly log: Logger,
  ) {}

  publish(change: StoreChange, reason: string): RegistryEvent {
    const event: RegistryEvent = {
      v: 1,
      type: change.type,
      namespace: change.namespace,
      service: change.service,
      revision: change.revision,
      serviceState: change.serviceState,
      instance: change.instance,
      reason,
      at: Date.now(),
    };
    try {
      this.nats.publish(registryEventSubject(change.namespace, change.service, this.subjectPrefix), JSON.stringify(event));
      this.published++;
    } catch (err) {
      this.log.warn({ err, type: event.type, revision: event.revision }, 'event publish failed');
    }
    return event;
  }

  get count(): number {
    return this.published;
  }
}
