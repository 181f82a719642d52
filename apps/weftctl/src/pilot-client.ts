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
import { fetchApi, safeJson } from './http-api';

export const DEFAULT_PILOT_URL = 'http://127.0.0.1:15014';


interface RequestOptions {
  readonly body?: unknown;
  readonly query?: Readonly<Record<string, string | undefined>>;
}

const REASONS: Readonly<Record<number, string>> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 422: 'Invalid' };

/** pilot's REST API (`/v1/...`), every answer checked against the shared schema. */
export class PilotClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
    private readonly timeoutMs = 30_000,
  ) {}

  async request<S extends z.ZodType>(method: string, path: string, schema: S, o: RequestOptions = {}): Promise<z.output<S>> {
    const target = { name: 'pilot', baseUrl: this.baseUrl, token: this.token, urlHint: 'set WEFT_PILOT_URL' };
    const res = await fetchApi(target, path, { method, body: o.body, query: o.query, signal: AbortSignal.timeout(this.timeoutMs) });
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
