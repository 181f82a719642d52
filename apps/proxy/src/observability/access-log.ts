import pino, { type Logger } from 'pino';

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
 * JSON access log through an asynchronous pino destination (buffered writes, never blocking the
 * event loop on stdout). Disabled with `--access-log off`.
 */
export class AccessLog {
  private readonly log: Logger | null;

  constructor(target: 'stdout' | 'off' | string) {
    if (target === 'off') {
      this.log = null;
      return;
    }
    const dest = pino.destination({ dest: target === 'stdout' ? 1 : target, sync: false, minLength: 4096 });
    this.log = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'msg' }, dest);
  }

  write(r: AccessRecord): void {
    this.log?.info(r, 'access');
  }

  flush(): void {
    this.log?.flush();
  }
}
