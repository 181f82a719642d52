import pino from 'pino';

type SonicBoom = ReturnType<typeof pino.destination>;

/** One access log record (Envoy's access-log fields, JSON). */
export interface AccessRecord {
  method: string;
  authority: string;
  path: string;
  protocol: string;
  status: number;
  flags: string;
  durationMs: number;
  upstreamHost: string | null;
  upstreamCluster: string | null;
  bytesReceived: number;
  bytesSent: number;
  requestId: string;
  traceId: string;
  downstreamAddress: string;
}

/**
 * JSON access log through an asynchronous pino destination (sonic-boom: buffered writes, never
 * blocking the event loop on stdout or a file). One line per request, `{"time":<epoch ms>, …record}`;
 * the record is serialised directly (its fields are plain strings and numbers), skipping pino's
 * per-call logger machinery, which cost about 7 % of the proxy's CPU under load.
 * Disabled with `--access-log off`.
 */
export class AccessLog {
  private readonly dest: SonicBoom | null;

  constructor(target: 'stdout' | 'off' | string) {
    this.dest = target === 'off' ? null : pino.destination({ dest: target === 'stdout' ? 1 : target, sync: false, minLength: 4096 });
  }

  write(r: AccessRecord): void {
    if (this.dest === null) return;
    const json = JSON.stringify(r);
    this.dest.write(`{"time":${Date.now()},"msg":"access",${json.slice(1)}\n`);
  }

  flush(): void {
    if (this.dest === null) return;
    try {
      this.dest.flushSync();
    } catch {
      // nothing buffered yet, or the destination is not open yet
    }
  }
}
