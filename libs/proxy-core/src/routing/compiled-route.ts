import type {
  ForwardActionModel,
  HeaderMutationsModel,
  RouteActionModel,
  RouteModel,
  VirtualHostModel,
} from '../model/config-model';
import { toWireString } from './ascii';
import { CompiledHeaderMatcher } from './header-matcher';
import { compileHeaderOps, type HeaderOp, type MutationLevel } from './header-mutations';
import { CompiledPathMatcher } from './path-matcher';
import { CompiledQueryMatcher } from './query-matcher';
import { compileGlobalRe2 } from './re2-regexp';
import { translateRe2Substitution } from './re2-substitution';
import { Re2PatternError } from './re2-syntax';
import { RouteCompileError } from './route-compile-error';
import { CompiledCluster } from './weighted-cluster';

/** A virtual host of a compiled route table; `routes` in configuration order. */
export class CompiledVirtualHost {
  constructor(
    readonly name: string,
    readonly model: VirtualHostModel,
    readonly routes: readonly CompiledRoute[],
  ) {}
}

/** Everything a request needs from a route, prebuilt. Fixed shape, frozen. */
export class CompiledRoute {
  constructor(
    readonly name: string,
    readonly model: RouteModel,
    readonly action: RouteActionModel,
    readonly virtualHost: CompiledVirtualHost,
    readonly path: CompiledPathMatcher,
    readonly headers: readonly CompiledHeaderMatcher[],
    readonly queryParameters: readonly CompiledQueryMatcher[],
    /** match.grpc: content-type must be application/grpc or application/grpc+… */
    readonly grpc: boolean,
    /** Empty unless the action forwards. */
    readonly clusters: readonly CompiledCluster[],
    readonly cumulativeWeights: readonly number[],
    readonly totalWeight: number,
    /** Forward or redirect prefix_rewrite; null when unset. */
    readonly prefixRewrite: string | null,
    readonly regexRewrite: RegExp | null,
    /** JS replacement string for `regexRewrite`. */
    readonly regexReplacement: string,
    /** host_rewrite_literal (wire form); null when unset. */
    readonly hostRewrite: string | null,
    /** route → virtual host → route configuration; use a cluster's ops when forwarding. */
    readonly requestHeaderOps: readonly HeaderOp[],
    readonly responseHeaderOps: readonly HeaderOp[],
  ) {}
}

export interface RouteCompileContext {
  /** Dotted path of the route in the RouteConfigModel, e.g. `virtualHosts.0.routes.3`. */
  readonly path: string;
  readonly virtualHost: CompiledVirtualHost;
  readonly vhostLevel: MutationLevel;
  readonly configLevel: MutationLevel;
}

const MAX_TOTAL_WEIGHT = 0xffffffff;

export function compileRoute(model: RouteModel, ctx: RouteCompileContext): CompiledRoute {
  const p = ctx.path;
  const where = `route "${model.name}" in virtual host "${ctx.virtualHost.name}"`;
  const match = model.match;
  checkPathValue(model, p, where);
  const path = withRe2(`${p}.match.path.value`, where, () => new CompiledPathMatcher(match));
  const headers = match.headers.map((h, i) =>
    withRe2(`${p}.match.headers.${i}.match.value`, where, () => new CompiledHeaderMatcher(h)));
  const query = match.queryParameters.map((q, i) =>
    withRe2(`${p}.match.queryParameters.${i}.match.value`, where, () => new CompiledQueryMatcher(q)));
  const routeLevels: MutationLevel[] = [{ mutations: model.mutations, path: `${p}.mutations` }, ctx.vhostLevel, ctx.configLevel];
  const requestOps = compileHeaderOps(routeLevels, 'request');
  const responseOps = compileHeaderOps(routeLevels, 'response');
  const action = model.action;
  const forward = action.kind === 'route' ? action : null;
  const clusters = forward === null ? [] : compileClusters(forward, routeLevels, requestOps, responseOps, p, where);
  const cumulative = cumulativeOf(clusters, `${p}.action.clusters`, where);
  const rewrite = forward === null ? null : compileRegexRewrite(forward, p, where);
  const prefixRewrite = action.kind === 'direct_response' || !action.prefixRewrite ? null : toWireString(action.prefixRewrite);
  const hostRewrite = forward?.hostRewriteLiteral ? toWireString(forward.hostRewriteLiteral) : null;
  return Object.freeze(new CompiledRoute(
    model.name, model, action, ctx.virtualHost, Object.freeze(path), Object.freeze(headers), Object.freeze(query), match.grpc,
    Object.freeze(clusters), Object.freeze(cumulative), cumulative.length === 0 ? 0 : cumulative[cumulative.length - 1],
    prefixRewrite, rewrite === null ? null : rewrite.regex, rewrite === null ? '' : rewrite.replacement, hostRewrite,
    requestOps, responseOps,
  ));
}

function checkPathValue(model: RouteModel, p: string, where: string): void {
  const { kind, value } = model.match.path;
  if (kind === 'path_separated_prefix' && !/^[^?#]*[^?#/]$/.test(value)) {
    throw new RouteCompileError(`${p}.match.path.value`, `${where}: path_separated_prefix "${value}" must not contain '?' or '#' nor end with '/'`);
  }
}

function compileClusters(
  action: ForwardActionModel,
  routeLevels: readonly MutationLevel[],
  requestOps: readonly HeaderOp[],
  responseOps: readonly HeaderOp[],
  p: string,
  where: string,
): CompiledCluster[] {
  return action.clusters.map((c, i) => {
    const cp = `${p}.action.clusters.${i}`;
    if (!Number.isInteger(c.weight) || c.weight < 0) {
      throw new RouteCompileError(`${cp}.weight`, `${where}: cluster "${c.name}" weight must be a non-negative integer`);
    }
    if (isEmpty(c.mutations)) return Object.freeze(new CompiledCluster(c.name, c.weight, requestOps, responseOps));
    const levels = [{ mutations: c.mutations, path: `${cp}.mutations` }, ...routeLevels];
    return Object.freeze(new CompiledCluster(c.name, c.weight, compileHeaderOps(levels, 'request'), compileHeaderOps(levels, 'response')));
  });
}

function cumulativeOf(clusters: readonly CompiledCluster[], path: string, where: string): number[] {
  const cumulative: number[] = [];
  let total = 0;
  for (const c of clusters) {
    total += c.weight;
    cumulative.push(total);
  }
  if (clusters.length > 0 && (total === 0 || total > MAX_TOTAL_WEIGHT)) {
    throw new RouteCompileError(path, `${where}: the sum of cluster weights must be in 1..${MAX_TOTAL_WEIGHT}, got ${total}`);
  }
  return cumulative;
}

function compileRegexRewrite(action: ForwardActionModel, p: string, where: string): { regex: RegExp; replacement: string } | null {
  const rw = action.regexRewrite;
  if (rw === null) return null;
  if (action.prefixRewrite) {
    throw new RouteCompileError(`${p}.action.regexRewrite`, `${where}: specify only one of prefix_rewrite and regex_rewrite`);
  }
  const compiled = withRe2(`${p}.action.regexRewrite.pattern`, where, () => compileGlobalRe2(rw.pattern));
  const replacement = withRe2(`${p}.action.regexRewrite.substitution`, where, () =>
    translateRe2Substitution(toWireString(rw.substitution), compiled.groupCount));
  return { regex: compiled.regex, replacement };
}

function isEmpty(m: HeaderMutationsModel): boolean {
  return m.requestHeadersToAdd.length === 0 && m.requestHeadersToRemove.length === 0
    && m.responseHeadersToAdd.length === 0 && m.responseHeadersToRemove.length === 0;
}

/** Runs `build`, turning an unusable RE2 pattern into a RouteCompileError at `path`. */
function withRe2<T>(path: string, where: string, build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (err instanceof Re2PatternError) throw new RouteCompileError(path, `${where}: ${err.message}`, { cause: err });
    throw err;
  }
}
