import { z } from 'zod';
import { CliError, EXIT_REJECTED, EXIT_UNREACHABLE } from './errors';
import { causeOf, fetchApi } from './http-api';

export const DEFAULT_TELEMETRY_URL = 'http://127.0.0.1:9411';
export const WINDOWS = ['1m', '5m', '1h'] as const;
export type TelemetryWindow = (typeof WINDOWS)[number];

const signals = {
  requests: z.number(),
  rps: z.number(),
  successRate: z.number().nullable(),
  latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable(),
  mtlsRate: z.number().nullable(),
  tcp: z.object({ connectionsOpened: z.number(), connectionsClosed: z.number(), sentBytes: z.number(), receivedBytes: z.number() }),
};

export const serviceStat = z.object({ namespace: z.string(), service: z.string(), ...signals });
export type ServiceStatView = z.output<typeof serviceStat>;
const statResponse = z.object({ window: z.string(), seconds: z.number(), services: z.array(serviceStat) });

export const edgeStat = z.object({
  source: z.object({ namespace: z.string(), workload: z.string() }),
  destination: z.object({ namespace: z.string(), service: z.string() }),
  reporter: z.enum(['source', 'destination']),
  ...signals,
});
export type EdgeStatView = z.output<typeof edgeStat>;
const edgesResponse = z.object({ window: z.string(), seconds: z.number(), edges: z.array(edgeStat) });

export const topologyNode = z.object({ id: z.string(), kind: z.enum(['service', 'workload']), namespace: z.string(), name: z.string(), ...signals });
export type TopologyNodeView = z.output<typeof topologyNode>;
const topologyResponse = z.object({ window: z.string(), seconds: z.number(), nodes: z.array(topologyNode) });

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** What `GET /api/v1/tap` streams: a tap record (kept as sent) or a drop notice. */
export interface TapDropNotice {
  readonly dropped: number;
}
export type TapLine = TapDropNotice | TapRecordView;
export interface TapRecordView {
  readonly time: number;
  readonly traceId: string | null;
  readonly source: { readonly workload: string; readonly namespace: string; readonly principal: string | null };
  readonly destination: { readonly service: string; readonly workload: string | null; readonly namespace: string; readonly principal: string | null };
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly flags: string;
  readonly durationMs: number;
  readonly reporter: 'source' | 'destination';
  readonly authority: string;
}

export interface TapOptions {
  readonly service: string;
  readonly namespace?: string;
  readonly limit?: number;
  readonly seconds?: number;
}

/** Telemetry's HTTP API (WEFT_TELEMETRY_URL): golden-signal windows and the live tap. */
export class TelemetryClient {
  constructor(
    readonly baseUrl: string,
    /** WEFT_TELEMETRY_TOKEN, sent as a bearer token when set. */
    private readonly token: string | undefined,
    private readonly timeoutMs = 15_000,
  ) {}

  stat(window: TelemetryWindow) {
    return this.json(`api/v1/stat?window=${window}`, statResponse);
  }

  edges(window: TelemetryWindow) {
    return this.json(`api/v1/edges?window=${window}`, edgesResponse);
  }

  topology(window: TelemetryWindow) {
    return this.json(`api/v1/topology?window=${window}`, topologyResponse);
  }

  /** Streams a live tap, calling `onLine` per NDJSON line until the server ends it or `signal` aborts. */
  async tap(o: TapOptions, onLine: (line: TapLine) => void, signal?: AbortSignal): Promise<void> {
    const q = new URLSearchParams({ service: o.service });
    if (o.namespace !== undefined) q.set('namespace', o.namespace);
    if (o.limit !== undefined) q.set('limit', String(o.limit));
    if (o.seconds !== undefined) q.set('seconds', String(o.seconds));
    const res = await this.send(`api/v1/tap?${q.toString()}`, signal);
    try {
      await readLines(res, (text) => onLine(JSON.parse(text) as TapLine));
    } catch (err) {
      if (signal?.aborted === true) return;
      throw new CliError(`error: the tap stream from telemetry at ${this.baseUrl} broke (${causeOf(err)})`, EXIT_UNREACHABLE);
    }
  }

  private async json<S extends z.ZodType>(path: string, schema: S): Promise<z.output<S>> {
    const res = await this.send(path, AbortSignal.timeout(this.timeoutMs));
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new CliError(`unexpected answer from telemetry at ${this.baseUrl}/${path}`, EXIT_REJECTED);
    return parsed.data;
  }

  private async send(path: string, signal?: AbortSignal): Promise<Response> {
    const target = { name: 'telemetry', baseUrl: this.baseUrl, token: this.token, urlHint: 'set WEFT_TELEMETRY_URL or --telemetry-url' };
    const res = await fetchApi(target, path, { accept: 'application/json, application/x-ndjson', signal });
    if (res.ok) return res;
    const parsed = errorBody.safeParse(await res.json().catch(() => null));
    const message = parsed.success ? parsed.data.error.message : `HTTP ${res.status}`;
    if (res.status >= 502 && res.status <= 504) throw new CliError(`telemetry at ${this.baseUrl} is unavailable: ${message}`, EXIT_UNREACHABLE);
    const hint = res.status === 401 ? ' (set WEFT_TELEMETRY_TOKEN)' : '';
    throw new CliError(`Error from telemetry (HTTP ${res.status}): ${message}${hint}`, EXIT_REJECTED, [], res.status);
  }
}

async function readLines(res: Response, onLine: (text: string) => void): Promise<void> {
  if (res.body === null) return;
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    rest += decoder.decode(chunk, { stream: true });
    let nl = rest.indexOf('\n');
    while (nl >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line !== '') onLine(line);
      nl = rest.indexOf('\n');
    }
  }
}

/** The client for `--telemetry-url`, else WEFT_TELEMETRY_URL, else the default. */
export function telemetryClientFor(env: Readonly<Record<string, string | undefined>>, flagUrl: string | undefined): TelemetryClient {
  return new TelemetryClient(flagUrl ?? env['WEFT_TELEMETRY_URL'] ?? DEFAULT_TELEMETRY_URL, env['WEFT_TELEMETRY_TOKEN']);
}
