import { Controller, Get, Inject, Param } from '@nestjs/common';
import type { ProxyConfigType } from '@weft/api';
import { WeftError } from '@weft/shared';
import type { StoredProxyStatus } from '../status/status.store';
import { PILOT_HTTP_DEPS, type PilotHttpDeps } from './pilot-http.deps';
import { proxyConfigTypeOf, type PathParams } from './rest-request';
import { PROXIES_PATH, PROXY_CONFIG_PATH, PROXY_PATH } from './rest-routes';

/** REST: sync status of connected proxies (every replica's) and the config pilot serves one of them. */
@Controller()
export class ProxiesController {
  constructor(@Inject(PILOT_HTTP_DEPS) private readonly deps: PilotHttpDeps) {}

  private async status(id: string | undefined): Promise<StoredProxyStatus> {
    const status = id === undefined ? null : await this.deps.status.get(id);
    if (status === null) throw new WeftError('WEFT_ERR_PILOT_PROXY_NOT_FOUND', 'not-found', `proxy ${String(id)} is not connected`);
    return status;
  }

  @Get(PROXIES_PATH)
  async list(): Promise<{ proxies: readonly StoredProxyStatus[] }> {
    return { proxies: await this.deps.status.list() };
  }

  @Get(PROXY_PATH)
  get(@Param() params: PathParams): Promise<StoredProxyStatus> {
    return this.status(params['id']);
  }

  @Get(PROXY_CONFIG_PATH)
  async config(@Param() params: PathParams): Promise<{ proxyId: string; type: ProxyConfigType; resources: readonly unknown[] }> {
    const type = proxyConfigTypeOf(params['type']);
    const status = await this.status(params['id']);
    return { proxyId: status.proxyId, type, resources: await this.deps.proxyConfig.config(status, type) };
  }
}
