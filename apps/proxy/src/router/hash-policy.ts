import { combineHash, hashString, type HashPolicyModel } from '@weft/proxy-core';
import type { RequestContext } from '../listener/request-context';

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function queryValue(path: string, name: string): string | undefined {
  const q = path.indexOf('?');
  if (q < 0) return undefined;
  return new URLSearchParams(path.slice(q + 1)).get(name) ?? undefined;
}

function valueOf(p: HashPolicyModel, ctx: RequestContext): string | undefined {
  switch (p.kind) {
    case 'header':
      return first(ctx.headers[p.name]);
    case 'cookie':
      return cookieValue(first(ctx.headers.cookie), p.name);
    case 'source_ip':
      return ctx.downstreamAddress === '' ? undefined : ctx.downstreamAddress;
    case 'query_parameter':
      return queryValue(ctx.path, p.name);
  }
}

/**
 * The request hash for RING_HASH / MAGLEV from the route's hash_policy list (Envoy: policies are
 * combined in order; a terminal policy that produced a value stops the list). Null: no policy
 * produced a value, so the balancer picks at random.
 */
export function requestHash(policies: readonly HashPolicyModel[], ctx: RequestContext): number | null {
  let hash: number | null = null;
  for (const p of policies) {
    const v = valueOf(p, ctx);
    if (v === undefined) continue;
    const h = hashString(v);
    hash = hash === null ? h : combineHash(hash, h);
    if (p.terminal) break;
  }
  return hash;
}
