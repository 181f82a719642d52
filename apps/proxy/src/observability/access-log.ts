import SonicBoom from 'sonic-boom';

/** A sonic-boom destination in `contentMode: 'buffer'` (its typings only declare string writes). */
interface BufferDestination {
  write(chunk: Buffer): boolean;
  flushSync(): void;
  end(): void;
}

/** Open logs, flushed when the process exits without close() (a fatal error, process.exit). */
const openLogs = new Set<AccessLog>();
let exitHooked = false;

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

/** Lines are encoded into chunks of this many bytes and handed to the destination when one is full… */
const CHUNK_BYTES = 64 * 1024;
/** …or at least this often (Envoy flushes its access log files every 10 s or 64 KiB). */
export const ACCESS_LOG_FLUSH_MS = 1000;

/**
 * JSON access log through an asynchronous sonic-boom destination (pino's: the file write runs off the
 * event loop, never blocking it on stdout or a file). One line per request,
 * `{"time":<epoch ms>,"msg":"access",…record}`, serialised field by field (no intermediate object).
 *
 * Lines are encoded into 64 KiB chunks here and handed to sonic-boom when a chunk is full, or every
 * second when traffic is light: one write per request cost about a quarter of the proxy's CPU per
 * request under load (sonic-boom measures its whole pending buffer on every write, and each 4 KiB
 * flush is a thread-pool round trip). A crash loses at most the last second of lines; SIGTERM
 * flushes them.
 * Disabled with `--access-log off`.
 */
export class AccessLog {
  private readonly dest: BufferDestination | null;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;
  private readonly timer: NodeJS.Timeout | null;

  constructor(target: 'stdout' | 'off' | string, flushMs = ACCESS_LOG_FLUSH_MS) {
    // sonic-boom itself, not pino.destination(): pino's exit hook calls flushSync() on a file that
    // is not open yet when the proxy fails to start, and that throws out of process.exit().
    const dest = target === 'stdout' ? 1 : target;
    this.dest = target === 'off' ? null : (new SonicBoom({ dest, sync: false, contentMode: 'buffer', maxWrite: CHUNK_BYTES }) as unknown as BufferDestination);
    this.timer = this.dest === null ? null : setInterval(() => this.push(), flushMs).unref();
    if (this.dest === null) return;
    openLogs.add(this);
    if (!exitHooked) {
      exitHooked = true;
      process.on('exit', () => openLogs.forEach((l) => l.flush()));
    }
  }

  write(r: AccessRecord): void {
    if (this.dest === null) return;
    const line =
      `{"time":${Date.now()},"msg":"access","method":${str(r.method)},"authority":${str(r.authority)},"path":${str(r.path)},` +
      `"protocol":${str(r.protocol)},"status":${r.status},"flags":${str(r.flags)},"durationMs":${r.durationMs},` +
      `"upstreamHost":${nullable(r.upstreamHost)},"upstreamCluster":${nullable(r.upstreamCluster)},` +
      `"bytesReceived":${r.bytesReceived},"bytesSent":${r.bytesSent},"requestId":${str(r.requestId)},` +
      `"traceId":${str(r.traceId)},"downstreamAddress":${str(r.downstreamAddress)}}\n`;
    // Encoded at once (the line's strings die young; gathering them until a flush made the GC copy them).
    if (this.used + line.length * 3 > CHUNK_BYTES) {
      this.push();
      // A line that may not fit a chunk (a path near the header size limit) goes on its own.
      if (line.length * 3 > CHUNK_BYTES) return void this.dest.write(Buffer.from(line, 'utf8'));
    }
    this.used += this.chunk.write(line, this.used);
  }

  /** Writes everything gathered so far, synchronously (shutdown). */
  flush(): void {
    if (this.dest === null) return;
    this.push();
    try {
      this.dest.flushSync();
    } catch {
      // nothing buffered yet, or the destination is not open yet
    }
  }

  close(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.flush();
    openLogs.delete(this);
  }

  private push(): void {
    if (this.used === 0 || this.dest === null) return;
    // The filled part goes to sonic-boom as it is (it keeps it until written); lines go on in a new chunk.
    const full = this.chunk.subarray(0, this.used);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
    this.dest.write(full);
  }
}

/** Printable ASCII without `"` and `\\`: needs no escaping in a JSON string. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
/** JSON string literal; header-derived values (authority, path, ids) may hold quotes, controls or UTF-8. */
const str = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));
const nullable = (s: string | null): string => (s === null ? 'null' : str(s));
