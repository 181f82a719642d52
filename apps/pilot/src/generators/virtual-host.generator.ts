import { hostAliases } from '../model/host-names';

/** One virtual host: a service port, the names a client may use for it, and its routes in order. */
export interface VirtualHostView {
  /** The service's hosts (the first is canonical). */
  readonly hosts: readonly string[];
  readonly port: number;
  /** The client is in the service's namespace: bare short names (`reviews`) resolve to it. */
  readonly sameNamespace: boolean;
  /** The authority the client asked for (lowercase), always among the domains. */
  readonly requested: string | null;
  readonly routes: readonly Record<string, unknown>[];
}

/**
 * envoy.config.route.v3.VirtualHost `<fqdn>:<port>`: domains are every alias of every host with
 * `:<port>`, and also without a port when the port is 80 (the authority a client sends for port 80
 * has none), plus the authority the client asked for.
 */
export function generateVirtualHost(view: VirtualHostView): Record<string, unknown> {
  return { name: `${view.hosts[0]}:${view.port}`, domains: virtualHostDomains(view), routes: view.routes };
}

export function virtualHostDomains(view: Pick<VirtualHostView, 'hosts' | 'port' | 'sameNamespace' | 'requested'>): string[] {
  const domains = new Set<string>();
  for (const host of view.hosts) {
    for (const alias of hostAliases(host, view.sameNamespace)) {
      domains.add(`${alias}:${view.port}`);
      if (view.port === 80) domains.add(alias);
    }
  }
  if (view.requested !== null) domains.add(view.requested);
  return [...domains];
}
