import { asciiLower } from './ascii';
import { RouteCompileError } from './route-compile-error';

/**
 * Virtual host selection by :authority, Envoy's order (RouteMatcher::findVirtualHost):
 *   1. exact domain (`www.foo.com`);
 *   2. suffix wildcards (`*.foo.com`, `*-bar.foo.com`), longest first;
 *   3. prefix wildcards (`foo.*`, `foo-*`), longest first;
 *   4. the special `*`.
 * A wildcard never matches the empty string (`*.foo.com` does not match `.foo.com`). Domains and the
 * authority compare case-insensitively (ASCII). A domain may appear once per route configuration and
 * only one virtual host may use `*`.
 *
 * Ports. Envoy matches the authority as sent, port included (unless ignore_port_in_host_matching,
 * which our model does not carry). Weft adds one fallback: when steps 1–3 find nothing and the
 * authority has a port (the text after the last ':' not inside `[...]`), steps 1–3 run again on the
 * authority without the port, before `*`. So the result equals Envoy's whenever Envoy would pick a
 * virtual host other than `*`; where Envoy would fall to `*` (or find none), `reviews:9080` can still
 * select a virtual host that lists only `reviews`.
 */
export class WildcardGroup<V> {
  constructor(
    /** Length of the fixed part (the domain without `*`). */
    readonly length: number,
    readonly keys: string[],
    readonly values: V[],
    readonly byKey: Map<string, V>,
  ) {}
}

export class DomainIndex<V> {
  constructor(
    readonly exact: ReadonlyMap<string, V>,
    readonly suffixes: readonly WildcardGroup<V>[],
    readonly prefixes: readonly WildcardGroup<V>[],
    readonly any: V | null,
  ) {}
}

export interface DomainEntry<V> {
  readonly domain: string;
  readonly value: V;
  /** Dotted path of the domain in the RouteConfigModel, for errors. */
  readonly path: string;
}

/** Groups of up to this many wildcards are scanned (no allocation); larger ones use a map lookup. */
const SCAN_LIMIT = 4;

export function buildDomainIndex<V>(entries: readonly DomainEntry<V>[]): DomainIndex<V> {
  const exact = new Map<string, V>();
  const suffixes = new Map<number, WildcardGroup<V>>();
  const prefixes = new Map<number, WildcardGroup<V>>();
  let any: V | null = null;
  const seen = new Set<string>();
  for (const { domain: raw, value, path } of entries) {
    const domain = asciiLower(raw);
    if (seen.has(domain)) throw new RouteCompileError(path, `duplicate domain "${raw}": a domain may appear only once`);
    seen.add(domain);
    if (domain === '*') any = value;
    else if (domain.startsWith('*')) addWildcard(suffixes, domain.slice(1), value);
    else if (domain.endsWith('*')) addWildcard(prefixes, domain.slice(0, -1), value);
    else exact.set(domain, value);
  }
  return new DomainIndex(exact, longestFirst(suffixes), longestFirst(prefixes), any);
}

function addWildcard<V>(groups: Map<number, WildcardGroup<V>>, key: string, value: V): void {
  let group = groups.get(key.length);
  if (group === undefined) {
    group = new WildcardGroup<V>(key.length, [], [], new Map());
    groups.set(key.length, group);
  }
  group.keys.push(key);
  group.values.push(value);
  group.byKey.set(key, value);
}

function longestFirst<V>(groups: Map<number, WildcardGroup<V>>): readonly WildcardGroup<V>[] {
  return Object.freeze([...groups.values()].sort((a, b) => b.length - a.length));
}

export function lookupDomain<V>(index: DomainIndex<V>, authority: string): V | null {
  if (index.exact.size === 0 && index.suffixes.length === 0 && index.prefixes.length === 0) return index.any;
  const host = asciiLower(authority);
  const found = lookupSpecific(index, host);
  if (found !== null) return found;
  const portStart = portStartOf(host);
  if (portStart !== -1) {
    const withoutPort = lookupSpecific(index, host.slice(0, portStart));
    if (withoutPort !== null) return withoutPort;
  }
  return index.any;
}

function lookupSpecific<V>(index: DomainIndex<V>, host: string): V | null {
  const exact = index.exact.get(host);
  if (exact !== undefined) return exact;
  return lookupWildcard(index.suffixes, host, true) ?? lookupWildcard(index.prefixes, host, false);
}

function lookupWildcard<V>(groups: readonly WildcardGroup<V>[], host: string, suffix: boolean): V | null {
  for (let g = 0; g < groups.length; g++) {
    const group = groups[g];
    // `>=`: the wildcard must stand for at least one character.
    if (group.length >= host.length) continue;
    const at = suffix ? host.length - group.length : 0;
    if (group.keys.length > SCAN_LIMIT) {
      const hit = group.byKey.get(host.slice(at, at + group.length));
      if (hit !== undefined) return hit;
      continue;
    }
    for (let k = 0; k < group.keys.length; k++) {
      if (host.startsWith(group.keys[k], at)) return group.values[k];
    }
  }
  return null;
}

/** Envoy's HeaderUtility::getPortStart: the last ':' unless it is inside an IPv6 `[...]`. */
export function portStartOf(host: string): number {
  const colon = host.lastIndexOf(':');
  if (colon === -1) return -1;
  const v6End = host.lastIndexOf(']');
  return v6End === -1 || v6End < colon ? colon : -1;
}
