import { readFileSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import type { Logger } from '@weft/shared';
import { z } from 'zod';
import { convertXds, decodeAny, urlOf } from './resource-decoder';
import { XDS_KINDS, type ResourceStore } from './resource-store';
import type { Held, XdsKind } from './xds-resource';

const FORMAT = 'weft-proxy-xds-cache/1';

const cacheSchema = z.object({
  format: z.literal(FORMAT),
  nodeId: z.string(),
  savedAt: z.string(),
  onDemand: z.array(z.string()),
  resources: z.record(z.string(), z.record(z.string(), z.object({ version: z.string(), bytes: z.string() }))),
});
type CacheFile = z.infer<typeof cacheSchema>;

/** What a cache file restores: resources per kind, and the VHDS names asked for on demand. */
export interface CacheContent {
  readonly held: ReadonlyMap<XdsKind, readonly Held<unknown>[]>;
  readonly onDemand: readonly string[];
  readonly nodeId: string;
  readonly savedAt: string;
}

/**
 * Reads the last ACKed resources. Every resource is decoded and converted again (the same checks as
 * over the wire); a missing file is null, an unreadable or invalid one is logged and ignored (null).
 */
export function readCache(file: string, log: Logger): CacheContent | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ file, err: (err as Error).message }, 'xds cache unreadable; ignored');
    return null;
  }
  try {
    const parsed = cacheSchema.parse(JSON.parse(text));
    const held = new Map<XdsKind, Held<unknown>[]>();
    for (const kind of XDS_KINDS) held.set(kind, restore(kind, parsed.resources[urlOf(kind)] ?? {}));
    return { held, onDemand: parsed.onDemand, nodeId: parsed.nodeId, savedAt: parsed.savedAt };
  } catch (err) {
    log.warn({ file, err: (err as Error).message }, 'xds cache is corrupt; ignored');
    return null;
  }
}

function restore(kind: XdsKind, entries: Record<string, { version: string; bytes: string }>): Held<unknown>[] {
  return Object.entries(entries).map(([name, e]) => {
    const any = { type_url: urlOf(kind), value: Buffer.from(e.bytes, 'base64') };
    return { name, version: e.version, any, model: convertXds(kind, name, decodeAny(urlOf(kind), any, name)) };
  });
}

/**
 * Writes the store after each ACK, atomically (a temporary file renamed over the cache), one write at
 * a time: a change during a write is written right after it, once.
 */
export class CacheWriter {
  private writing: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly file: string,
    private readonly content: () => CacheFile,
    private readonly log: Logger,
  ) {}

  schedule(): void {
    if (this.writing !== null) {
      this.again = true;
      return;
    }
    this.writing = this.loop().finally(() => (this.writing = null));
  }

  /** Resolves when nothing is left to write. */
  async flush(): Promise<void> {
    while (this.writing !== null) await this.writing;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      const tmp = `${this.file}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, JSON.stringify(this.content()));
        await rename(tmp, this.file);
      } catch (err) {
        this.log.warn({ file: this.file, err: (err as Error).message }, 'xds cache not written');
      }
    } while (this.again);
  }
}

/** The cache file of a store. */
export function cacheFileOfStore(store: ResourceStore, nodeId: string, onDemand: Iterable<string>): CacheFile {
  const resources: CacheFile['resources'] = {};
  for (const kind of XDS_KINDS) {
    const entries: Record<string, { version: string; bytes: string }> = {};
    for (const h of store.all(kind)) entries[h.name] = { version: h.version, bytes: Buffer.from(h.any.value).toString('base64') };
    resources[urlOf(kind)] = entries;
  }
  return { format: FORMAT, nodeId, savedAt: new Date().toISOString(), onDemand: [...onDemand], resources };
}
