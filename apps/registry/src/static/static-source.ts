import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { isWeftError, type Logger } from '@weft/shared';
import { REGISTRY_CONFIG, type RegistryConfig } from '../config/registry.config';
import { RegistryService } from '../registry/registry.service';
import { Readiness } from '../app/readiness';
import { LOGGER } from '../app/tokens';
import { parseStaticEntries, type StaticEntries } from './static-entries';

/**
 * Keeps the registry in step with a YAML file of Istio ServiceEntry/WorkloadEntry documents: applied
 * at start and whenever the file's content changes. A bad file is refused whole (logged with the
 * document and field) and the last good state stays. Entries removed from the file are removed from
 * the registry. Applying is idempotent, so every replica may watch the same file.
 */
@Injectable()
export class StaticSource implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log: Logger;
  private lastDigest = '';
  private timer: NodeJS.Timeout | null = null;
  private loaded = false;
  private stopped = false;
  /** Number of successful applies; lets tests and /readyz observe reloads. */
  applied = 0;
  /** Number of file versions refused (invalid); the last good state stayed. */
  rejected = 0;

  constructor(
    @Inject(REGISTRY_CONFIG) private readonly config: RegistryConfig,
    @Inject(RegistryService) private readonly registry: RegistryService,
    @Inject(Readiness) readiness: Readiness,
    @Inject(LOGGER) log: Logger,
  ) {
    this.log = log.child({ component: 'static-source', file: config.staticFile ?? null });
    readiness.register('static-file', () => this.config.staticFile === undefined || this.loaded);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.staticFile === undefined) return;
    await this.check();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.check().finally(() => this.schedule()), this.config.staticPollMs);
  }

  /** Reads the file; applies it when its content changed since the last good apply. */
  async check(): Promise<void> {
    const file = this.config.staticFile as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if (this.lastDigest !== 'unreadable') this.log.error({ err: (err as Error).message }, 'static file unreadable');
      this.lastDigest = 'unreadable';
      return;
    }
    const digest = createHash('sha256').update(text).digest('hex');
    if (digest === this.lastDigest) return;
    this.lastDigest = digest;
    try {
      const entries = parseStaticEntries(text, basename(file));
      await this.apply(entries);
      this.loaded = true;
      this.applied++;
      this.log.info({ services: entries.services.length }, 'static file applied');
    } catch (err) {
      this.rejected++;
      this.log.error({ err: isWeftError(err) ? err.message : err }, 'static file rejected; keeping the last good state');
    }
  }

  private async apply(entries: StaticEntries): Promise<void> {
    const wanted = new Set(entries.services.map((s) => `${s.namespace}/${s.name}`));
    for (const spec of entries.services) {
      await this.registry.upsertService(spec, 'static');
      const key = `${spec.namespace}/${spec.name}`;
      const list = entries.instances.get(key) ?? [];
      for (const instance of list) {
        await this.registry.register({ namespace: spec.namespace, service: spec.name, instance }, 'static');
      }
      const keep = new Set(list.map((i) => i.id));
      const { instances } = await this.registry.listInstances({ namespace: spec.namespace, service: spec.name, selector: '', healthyOnly: false });
      for (const i of instances) {
        if (i.source === 'static' && !keep.has(i.id)) await this.ignoreGone(this.registry.deregister({ namespace: i.namespace, service: i.service, id: i.id }, 'static'));
      }
    }
    for (const s of await this.registry.listServices(null)) {
      if (s.source === 'static' && !wanted.has(`${s.namespace}/${s.name}`)) {
        await this.ignoreGone(this.registry.deleteService({ namespace: s.namespace, name: s.name }, 'static'));
      }
    }
  }

  /** Another replica applying the same file may have removed it first. */
  private async ignoreGone(p: Promise<void>): Promise<void> {
    try {
      await p;
    } catch (err) {
      if (!(isWeftError(err) && err.kind === 'not-found')) throw err;
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
  }
}
