import { CliError, EXIT_UNREACHABLE } from './errors';

/** A control-plane HTTP API as weftctl names it in messages, and how it authenticates. */
export interface ApiTarget {
  /** As said in messages: `pilot`, `the CA`, `telemetry`. */
  readonly name: string;
  readonly baseUrl: string;
  /** Sent as a bearer token when set. */
  readonly token: string | undefined;
  /** How to point weftctl elsewhere, e.g. `set WEFT_CA_URL`. */
  readonly urlHint: string;
}

export interface ApiRequest {
  readonly method?: string;
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly accept?: string;
  readonly signal?: AbortSignal;
}

/** The network-level reason of a failed fetch (ECONNREFUSED, a DNS error, …). */
export function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** JSON when it parses, else the text itself (error bodies of proxies in between may be plain). */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function apiUrl(baseUrl: string, path: string, query: ApiRequest['query'] = {}): URL {
  const u = new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

/**
 * One call to an API: JSON body and bearer token when given; a failure to reach it becomes exit code 3
 * naming the URL and how to change it. HTTP errors are the caller's to map (each API has its error body).
 */
export async function fetchApi(t: ApiTarget, path: string, r: ApiRequest = {}): Promise<Response> {
  const headers: Record<string, string> = { accept: r.accept ?? 'application/json' };
  if (r.body !== undefined) headers['content-type'] = 'application/json';
  if (t.token !== undefined && t.token !== '') headers['authorization'] = `Bearer ${t.token}`;
  try {
    return await fetch(apiUrl(t.baseUrl, path, r.query), {
      method: r.method ?? 'GET',
      headers,
      body: r.body === undefined ? undefined : JSON.stringify(r.body),
      signal: r.signal,
    });
  } catch (err) {
    throw new CliError(`error: cannot reach ${t.name} at ${t.baseUrl} (${causeOf(err)}); ${t.urlHint}`, EXIT_UNREACHABLE);
  }
}
