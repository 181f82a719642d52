import type { HttpConnectionManagerModel } from '@weft/proxy-core';

const INBOUND_CLUSTER = /^inbound\|(\d+)\|/;

/**
 * The local app port behind an INBOUND connection manager, from the `inbound|<port>||` cluster its
 * inline routes forward to (pilot's and `--app-port`'s inbound listener), or null. Istio's
 * AuthorizationPolicy `ports` name workload ports; the inbound listener's own port is another.
 */
export function inboundAppPort(hcm: HttpConnectionManagerModel | null): number | null {
  if (hcm === null || hcm.direction !== 'INBOUND' || hcm.routeConfig === null) return null;
  for (const vh of hcm.routeConfig.virtualHosts) {
    for (const r of vh.routes) {
      if (r.action.kind !== 'route') continue;
      for (const c of r.action.clusters) {
        const m = INBOUND_CLUSTER.exec(c.name);
        if (m !== null) return Number(m[1]);
      }
    }
  }
  return null;
}
