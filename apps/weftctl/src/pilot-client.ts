import type { z } from 'zod';
import {
  analyzeResponse,
  pilotErrorBody,
  pilotVersionResponse,
  proxyConfigResponse,
  proxyListResponse,
  proxyStatusView,
  ruleListResponse,
  rulesWriteResponse,
  storedRuleView,
  type ProxyConfigType,
} from '@weft/api';
import type { SourceFile } from './documents';
import { CliError, EXIT_REJECTED, EXIT_UNREACHABLE } from './errors';

export const DEFAULT_PILOT_URL = 'http://127.0.0.1:15014';


interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
}

const REASONS: Readonly<Record<number, string>> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid' };

function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/** pilot's REST API (`/v1/...`), every answer checked against the shared schema. */
export class PilotClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  private url(path: string, query: RequestOptions['query']): string {
    const u = new URL(path, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.set(k, v);
    return u.toString();
  }

  async request<S extends z.ZodType>(method: string, path: string, schema: S, o: RequestOptions = {}): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    if (this.token !== undefined && this.token !== '') headers['authorization'] = `Bearer ${this.token}`;
    let res: Response;
    try {
      res = await fetch(this.url(path, o.query), {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      throw new CliError(`error: cannot reach pilot at ${this.baseUrl} (${causeOf(err)}); set WEFT_PILOT_URL`, EXIT_UNREACHABLE);
    }
    const text = await res.text();
    if (!res.ok) throw this.errorOf(res.status, text);
    const parsed = schema.safeParse(text === '' ? null : safeJson(text));
    if (!parsed.success) throw new CliError(`unexpected answer from pilot at ${this.baseUrl}${path}`, EXIT_REJECTED);
    return parsed.data;
  }

  private errorOf(status: number, text: string): CliError {
    const body = pilotErrorBody.safeParse(safeJson(text));
    // the issues follow one per line: keep only the message's first line
    const message = body.success ? (body.data.error.message.split('\n')[0] ?? '') : `HTTP ${status}`;
    if (status >= 502 && status <= 504) {
      return new CliError(`pilot at ${this.baseUrl} is unavailable: ${message}`, EXIT_UNREACHABLE);
    }
    const issues = body.success ? body.data.error.issues : [];
    const details = issues.map((i) => `  ${i.document}: ${i.path}: ${i.message}`);
    const hint = status === 401 ? ' (set WEFT_PILOT_TOKEN)' : '';
    const reason = REASONS[status] ?? `HTTP ${status}`;
    return new CliError(`Error from server (${reason}): ${message}${hint}`, EXIT_REJECTED, details, status);
  }

  applyRules(files: readonly SourceFile[], dryRun: boolean) {
    const body = { files };
    return this.request('POST', 'v1/rules', rulesWriteResponse, { body, query: { dryRun: String(dryRun) } });
  }

  deleteDocuments(files: readonly SourceFile[], dryRun: boolean) {
    const body = { files };
    return this.request('POST', 'v1/rules/delete', rulesWriteResponse, { body, query: { dryRun: String(dryRun) } });
  }

  deleteRule(kind: string, namespace: string, name: string, dryRun: boolean) {
    return this.request('DELETE', rulePath(kind, namespace, name), rulesWriteResponse, { query: { dryRun: String(dryRun) } });
  }

  listRules(kind?: string, namespace?: string) {
    return this.request('GET', 'v1/rules', ruleListResponse, { query: { kind, namespace } });
  }

  getRule(kind: string, namespace: string, name: string) {
    return this.request('GET', rulePath(kind, namespace, name), storedRuleView);
  }

  analyze() {
    return this.request('GET', 'v1/analyze', analyzeResponse);
  }

  version() {
    return this.request('GET', 'v1/version', pilotVersionResponse);
  }

  proxies() {
    return this.request('GET', 'v1/proxies', proxyListResponse);
  }

  proxy(id: string) {
    return this.request('GET', `v1/proxies/${encodeURIComponent(id)}`, proxyStatusView);
  }

  proxyConfig(id: string, type: ProxyConfigType) {
    return this.request('GET', `v1/proxies/${encodeURIComponent(id)}/config/${type}`, proxyConfigResponse);
  }
}

function rulePath(kind: string, namespace: string, name: string): string {
  return `v1/rules/${[kind, namespace, name].map(encodeURIComponent).join('/')}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
