import { rewritePath, type CompiledRoute, type RedirectActionModel } from '@weft/proxy-core';
import type { RequestContext } from '../listener/request-context';

/** The Location of a redirect route (Envoy RedirectAction): each part replaced when configured. */
export function redirectLocation(route: CompiledRoute, a: RedirectActionModel, ctx: RequestContext): string {
  const scheme = a.schemeRedirect ?? ctx.scheme;
  const colon = ctx.authority.lastIndexOf(':');
  const hasPort = colon > -1 && !ctx.authority.endsWith(']');
  let host = a.hostRedirect ?? (hasPort ? ctx.authority.slice(0, colon) : ctx.authority);
  let port = a.portRedirect !== null ? String(a.portRedirect) : hasPort && a.hostRedirect === null ? ctx.authority.slice(colon + 1) : '';
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) port = '';
  if (port !== '') host = `${host}:${port}`;
  const q = ctx.path.indexOf('?');
  const query = q < 0 ? '' : ctx.path.slice(q);
  let path: string;
  if (a.pathRedirect !== null) path = a.pathRedirect.includes('?') || a.stripQuery ? a.pathRedirect : `${a.pathRedirect}${query}`;
  else path = a.prefixRewrite !== null ? rewritePath(route, ctx.path) : ctx.path;
  if (a.stripQuery) {
    const i = path.indexOf('?');
    if (i >= 0) path = path.slice(0, i);
  }
  return `${scheme}://${host}${path}`;
}
