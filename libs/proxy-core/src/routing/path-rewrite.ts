import { matchedLength, pathEndOf } from './path-matcher';
import type { CompiledRoute } from './compiled-route';

/**
 * The upstream request path after the route's rewrite (Envoy rewritePathByPrefixOrRegex):
 * - prefix_rewrite replaces the part of the path the route matched — the prefix, the exact path,
 *   the path_separated_prefix, or for safe_regex routes the whole path — and keeps the rest,
 *   query string included (`/api` + prefix_rewrite `/v2`: `/api/x?q=1` → `/v2/x?q=1`);
 * - regex_rewrite replaces every match in the path without query, then re-appends the query; an
 *   empty result means "no rewrite", as in Envoy.
 * For redirect routes prefix_rewrite is the redirect's, giving the Location path.
 * Returns `path` itself when nothing is rewritten. Call only with the request the route matched.
 */
export function rewritePath(route: CompiledRoute, path: string): string {
  if (route.prefixRewrite !== null) {
    return route.prefixRewrite + path.slice(matchedLength(route.path, pathEndOf(path)));
  }
  if (route.regexRewrite === null) return path;
  const pathEnd = pathEndOf(path);
  const pathOnly = pathEnd === path.length ? path : path.slice(0, pathEnd);
  const rewritten = pathOnly.replace(route.regexRewrite, route.regexReplacement);
  if (rewritten === '') return path;
  return pathEnd === path.length ? rewritten : rewritten + path.slice(pathEnd);
}
