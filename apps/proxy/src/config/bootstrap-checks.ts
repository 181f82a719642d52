import type { AdminModel, ClusterModel, ListenerModel } from '@weft/proxy-core';
import { type ConfigContext, fieldPath, indexPath } from './config-context';

/** Cross-resource checks of a bootstrap: unique names and ports, and every referenced cluster defined. */

const LISTENERS = 'static_resources.listeners';
const CLUSTERS = 'static_resources.clusters';
const WILDCARDS: ReadonlySet<string> = new Set(['0.0.0.0', '::']);

export function checkClusters(clusters: readonly ClusterModel[], ctx: ConfigContext): void {
  const seen = new Set<string>();
  clusters.forEach((c, i) => {
    if (seen.has(c.name)) ctx.issue(fieldPath(indexPath(CLUSTERS, i), 'name'), `duplicate cluster name "${c.name}"`);
    seen.add(c.name);
  });
  for (const ref of ctx.clusterRefs) {
    if (!seen.has(ref.cluster)) ctx.issue(ref.path, `cluster "${ref.cluster}" is not defined in ${CLUSTERS}`);
  }
}

interface Bound {
  readonly what: string;
  readonly address: string;
  readonly port: number;
}

export function checkListeners(listeners: readonly ListenerModel[], admin: AdminModel | null, ctx: ConfigContext): void {
  const names = new Set<string>();
  const bound: Bound[] = admin === null ? [] : [{ what: 'the admin listener', ...admin }];
  listeners.forEach((l, i) => {
    const path = indexPath(LISTENERS, i);
    if (names.has(l.name)) ctx.issue(fieldPath(path, 'name'), `duplicate listener name "${l.name}"`);
    names.add(l.name);
    const clash = bound.find((b) => l.port !== 0 && b.port === l.port && overlaps(b.address, l.address));
    if (clash !== undefined) ctx.issue(fieldPath(path, 'address.socket_address.port_value'), `port ${l.port} is already used by ${clash.what}`);
    bound.push({ what: `listener "${l.name}"`, address: l.address, port: l.port });
  });
}

function overlaps(a: string, b: string): boolean {
  return a === b || WILDCARDS.has(a) || WILDCARDS.has(b);
}
