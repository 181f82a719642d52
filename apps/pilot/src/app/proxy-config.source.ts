import type { ProxyConfigType } from '@weft/api';
import { decodeResource, TYPE_SHORT_NAME, TYPE_URL, type TypeUrl } from '@weft/xds';
import type { ProxyConfigSource } from '../http/pilot-http.deps';
import type { ProxySyncStatus, ResourceProvider } from '../model/xds-contract';

const TYPES_OF: Readonly<Record<ProxyConfigType, readonly TypeUrl[]>> = {
  listeners: [TYPE_URL.listener],
  routes: [TYPE_URL.routeConfiguration, TYPE_URL.virtualHost],
  clusters: [TYPE_URL.cluster],
  endpoints: [TYPE_URL.clusterLoadAssignment],
};

/**
 * `weftctl proxy-config`: the resources pilot serves a proxy, regenerated from the model for the
 * names the proxy's sync status lists (any replica can answer, whichever holds the stream), decoded to
 * JSON with the version the proxy ACKed next to the current one.
 */
export class ModelProxyConfigSource implements ProxyConfigSource {
  constructor(private readonly provider: ResourceProvider) {}

  config(status: ProxySyncStatus, type: ProxyConfigType): unknown[] {
    const out: unknown[] = [];
    for (const typeUrl of TYPES_OF[type]) {
      const sync = status.types[TYPE_SHORT_NAME[typeUrl]];
      if (sync === undefined) continue;
      const names = new Set<string>(Object.keys(sync.acked));
      for (const n of sync.subscribed) {
        if (n === '*') for (const w of this.provider.wildcardNames(typeUrl, status.node)) names.add(w);
        else names.add(n);
      }
      for (const name of [...names].sort()) {
        const r = this.provider.resource(typeUrl, status.node, name);
        out.push({
          name,
          type: TYPE_SHORT_NAME[typeUrl],
          version: r?.version ?? null,
          ackedVersion: sync.acked[name] ?? null,
          resource: r === null ? null : decodeResource(r.any),
        });
      }
    }
    return out;
  }
}
