import type { z } from 'zod';
import { caErrorBody, createTokenResponse, issuedCertificateList } from '@weft/api';
import { CliError, EXIT_REJECTED, EXIT_UNREACHABLE } from './errors';
import { fetchApi, safeJson } from './http-api';

export const DEFAULT_CA_URL = 'http://127.0.0.1:8061';

/** The CA's HTTP API (WEFT_CA_URL): trust bundle, bootstrap tokens, issuance audit. */
export class CaClient {
  constructor(
    readonly baseUrl: string,
    /** WEFT_CA_ADMIN_TOKEN, sent with POST /v1/tokens. */
    private readonly adminToken: string | undefined,
    private readonly timeoutMs = 15_000,
  ) {}

  private async send(method: string, path: string, body?: unknown): Promise<string> {
    const target = { name: 'the CA', baseUrl: this.baseUrl, token: this.adminToken, urlHint: 'set WEFT_CA_URL' };
    const res = await fetchApi(target, path, { method, body, signal: AbortSignal.timeout(this.timeoutMs) });
    const text = await res.text();
    if (res.ok) return text;
    const parsed = caErrorBody.safeParse(safeJson(text));
    const message = parsed.success ? parsed.data.error.message : `HTTP ${res.status}`;
    if (res.status >= 502 && res.status <= 504) throw new CliError(`the CA at ${this.baseUrl} is unavailable: ${message}`, EXIT_UNREACHABLE);
    const hint = res.status === 401 ? ' (set WEFT_CA_ADMIN_TOKEN)' : '';
    throw new CliError(`Error from the CA (HTTP ${res.status}): ${message}${hint}`, EXIT_REJECTED, [], res.status);
  }

  private async json<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const parsed = schema.safeParse(safeJson(await this.send(method, path, body)));
    if (!parsed.success) throw new CliError(`unexpected answer from the CA at ${this.baseUrl}/${path}`, EXIT_REJECTED);
    return parsed.data;
  }

  createToken(namespace: string, serviceAccount: string, ttlSeconds: number) {
    return this.json('POST', 'v1/tokens', createTokenResponse, { namespace, serviceAccount, ttlSeconds });
  }

  certificates(all: boolean) {
    return this.json('GET', `v1/certs${all ? '?all=true' : ''}`, issuedCertificateList);
  }

  trustBundle(): Promise<string> {
    return this.send('GET', 'v1/trust-bundle');
  }
}

/** The client for `--ca-url`, else WEFT_CA_URL, else the default. */
export function caClientFor(env: Readonly<Record<string, string | undefined>>, flagUrl: string | undefined): CaClient {
  return new CaClient(flagUrl ?? env['WEFT_CA_URL'] ?? DEFAULT_CA_URL, env['WEFT_CA_ADMIN_TOKEN']);
}
