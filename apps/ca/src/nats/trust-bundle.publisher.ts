import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import { caTrustBundleSubject, type TrustBundleEvent } from '@weft/api';
import { NATS } from '@weft/data-access';
import { isWeftError, type Logger } from '@weft/shared';
import { LOGGER } from '../app/tokens';
import { CA_CONFIG, type CaConfig } from '../config/ca.config';
import { CaService } from '../issuer/ca.service';
import { CA_FILES, loadCaMaterial } from '../keys/key-material';

/** How often root-cert.pem is checked for a change (fs.watchFile polls: works on mounted volumes). */
const WATCH_INTERVAL_MS = 2000;

/**
 * Publishes the trust bundle on `<prefix>weft.ca.trust-bundle` when the replica starts and whenever
 * `root-cert.pem` changes (roots added or removed for a rotation). A change is taken only if the whole
 * directory still validates (the intermediate chains to one of the new roots); otherwise the replica
 * keeps its bundle and logs why.
 */
@Injectable()
export class TrustBundlePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private readonly path: string;
  private readonly listener = (cur: Stats, prev: Stats): void => {
    if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) this.reload();
  };

  constructor(
    @Inject(NATS) private readonly nats: NatsConnection,
    @Inject(CA_CONFIG) private readonly config: CaConfig,
    @Inject(CaService) private readonly ca: CaService,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'trust-bundle' });
    this.path = join(config.caDir, CA_FILES.rootCert);
  }

  onApplicationBootstrap(): void {
    this.publish();
    watchFile(this.path, { interval: WATCH_INTERVAL_MS, persistent: false }, this.listener);
  }

  publish(): void {
    const roots = [...this.ca.trustBundle()];
    const event: TrustBundleEvent = { v: 1, trustDomain: this.ca.trustDomain, roots, replica: this.config.replicaId, at: Date.now() };
    this.nats.publish(caTrustBundleSubject(this.config.subjectPrefix), JSON.stringify(event));
  }

  reload(): void {
    try {
      const roots = loadCaMaterial(this.config.caDir).rootPems;
      if (roots.join('') === this.ca.trustBundle().join('')) return;
      this.ca.setTrustBundle(roots);
      this.log.info({ roots: roots.length }, 'trust bundle changed');
      this.publish();
    } catch (err) {
      this.log.warn({ code: isWeftError(err) ? err.code : undefined, reason: (err as Error).message }, 'trust bundle change refused; keeping the current one');
    }
  }

  onApplicationShutdown(): void {
    unwatchFile(this.path, this.listener);
  }
}
