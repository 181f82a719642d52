/**
 * Host names as Istio resolves them. A service's canonical name is its first host (by default
 * `<name>.<namespace>.svc.cluster.local`); short forms resolve relative to a namespace: `name` →
 * `name.<ns>.svc.cluster.local`, `name.ns` → `name.ns.svc.cluster.local`, `name.ns.svc` →
 * `name.ns.svc.cluster.local`. Everything here is lowercase.
 */
export const CLUSTER_DOMAIN_SUFFIX = '.svc.cluster.local';

/** An HTTP authority split into host and port (null when absent). IPv6 literals keep their brackets. */
export interface Authority {
  readonly host: string;
  readonly port: number | null;
}

export function serviceFqdn(namespace: string, name: string): string {
  return `${name}.${namespace}${CLUSTER_DOMAIN_SUFFIX}`;
}

/** `reviews.default:9080` → { host: 'reviews.default', port: 9080 }; a bad port gives null. */
export function parseAuthority(authority: string): Authority | null {
  const lower = authority.trim().toLowerCase();
  const colon = lower.lastIndexOf(':');
  if (colon < 0 || lower.endsWith(']')) return lower === '' ? null : { host: lower, port: null };
  const host = lower.slice(0, colon);
  const digits = lower.slice(colon + 1);
  if (host === '' || !/^[0-9]{1,5}$/.test(digits)) return null;
  const port = Number(digits);
  return port >= 1 && port <= 65535 ? { host, port } : null;
}

/** The fully qualified candidate for a (possibly short) host name, relative to `namespace`. */
export function qualifyHost(host: string, namespace: string): string {
  const lower = host.toLowerCase();
  const dots = countDots(lower);
  if (dots === 0) return serviceFqdn(namespace, lower);
  if (dots === 1) return `${lower}${CLUSTER_DOMAIN_SUFFIX}`;
  if (dots === 2 && lower.endsWith('.svc')) return `${lower}.cluster.local`;
  return lower;
}

/** Whether resolving `host` depends on the namespace it is resolved in (a dotless short name). */
export function isRelativeHost(host: string): boolean {
  return !host.includes('.');
}

/**
 * The names a host is also reachable by: for `name.ns.svc.cluster.local`, `name.ns.svc` and
 * `name.ns`, plus the bare `name` when `sameNamespace` (the client is in `ns`). Other hosts: itself.
 */
export function hostAliases(host: string, sameNamespace: boolean): string[] {
  if (!host.endsWith(CLUSTER_DOMAIN_SUFFIX)) return [host];
  const short = host.slice(0, -CLUSTER_DOMAIN_SUFFIX.length);
  if (countDots(short) !== 1) return [host];
  const aliases = [host, `${short}.svc`, short];
  if (sameNamespace) aliases.push(short.slice(0, short.indexOf('.')));
  return aliases;
}

/** The namespace part of a `name.ns.svc.cluster.local` host, or null for any other host. */
export function namespaceOfHost(host: string): string | null {
  if (!host.endsWith(CLUSTER_DOMAIN_SUFFIX)) return null;
  const short = host.slice(0, -CLUSTER_DOMAIN_SUFFIX.length);
  const dot = short.indexOf('.');
  return dot < 0 || countDots(short) !== 1 ? null : short.slice(dot + 1);
}

/** Istio host matching with a leading `*.` wildcard on either side (`*` matches everything). */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) return true;
  if (pattern.startsWith('*')) return host.endsWith(pattern.slice(1));
  return false;
}

function countDots(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 46) n++;
  return n;
}
