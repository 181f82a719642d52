import type { RbacAction, RbacModel } from '@weft/proxy-core';
import type { Logger } from '@weft/shared';
import { localReply, type LocalReply } from '../../errors/rescue';
import type { RequestContext } from '../../listener/request-context';
import type { FilterResult, HttpFilter } from '../filter';
import { compileRbacMatcher, matchRbac, type RbacNode, type RbacTarget } from './rbac-matcher';
import type { RbacCounters } from './rbac-metrics';

/** The policy label of a denial by an ALLOW filter no policy of which matched. */
export const NO_POLICY = 'none';
const DENIED_BODY = 'RBAC: access denied';
const GRPC_PERMISSION_DENIED = 7;

/** One compiled policy with everything a decision about it needs, built at config apply. */
class CompiledPolicy {
  constructor(
    readonly name: string,
    readonly permissions: readonly RbacNode[],
    readonly principals: readonly RbacNode[],
    readonly reply: LocalReply,
    readonly grpcReply: LocalReply,
    readonly denied: { inc(): void },
  ) {}
}

function denial(policy: string, grpc: boolean): LocalReply {
  const reason = `WEFT_ERR_PROXY_RBAC_DENIED: ${policy === NO_POLICY ? 'no ALLOW policy matched' : `denied by policy ${policy}`}`;
  return localReply(403, DENIED_BODY, 'RBAC', reason, [], grpc ? GRPC_PERMISSION_DENIED : null);
}

function anyMatch(nodes: readonly RbacNode[], ctx: RequestContext, target: RbacTarget): boolean {
  for (let i = 0; i < nodes.length; i++) if (matchRbac(nodes[i], ctx, target)) return true;
  return false;
}

/**
 * envoy.filters.http.rbac: ALLOW lets a request through only when a policy matches; DENY answers
 * 403 `RBAC: access denied` (response flag RBAC) when one does; LOG (Istio's AUDIT) never denies and
 * logs the matching policy at debug. No `rules`: everything passes. Denials are counted by policy.
 */
export class RbacFilter implements HttpFilter {
  readonly name: string;
  private readonly action: RbacAction | null;
  private readonly policies: readonly CompiledPolicy[];
  /** ALLOW with no matching policy. */
  private readonly fallback: CompiledPolicy;

  constructor(
    name: string,
    config: RbacModel,
    private readonly target: RbacTarget,
    counters: RbacCounters,
    private readonly log: Logger | null,
  ) {
    this.name = name;
    this.action = config.action;
    const compile = (policy: string, permissions: readonly RbacNode[], principals: readonly RbacNode[]): CompiledPolicy =>
      new CompiledPolicy(policy, permissions, principals, denial(policy, false), denial(policy, true), counters.denied(policy));
    this.policies = config.policies.map((p) => compile(p.name, p.permissions.map(compileRbacMatcher), p.principals.map(compileRbacMatcher)));
    this.fallback = compile(NO_POLICY, [], []);
  }

  decode(ctx: RequestContext): FilterResult {
    if (this.action === null) return null;
    const matched = this.firstMatch(ctx);
    if (this.action === 'ALLOW') return matched === null ? this.deny(ctx, this.fallback) : null;
    if (matched === null) return null;
    if (this.action === 'DENY') return this.deny(ctx, matched);
    this.log?.debug({ policy: matched.name, method: ctx.method, path: ctx.path, peer: ctx.peerPrincipal }, 'rbac audit');
    return null;
  }

  /** Envoy's engine: the first policy (in name order) with a matching permission and principal. */
  private firstMatch(ctx: RequestContext): CompiledPolicy | null {
    for (let i = 0; i < this.policies.length; i++) {
      const p = this.policies[i];
      if (anyMatch(p.permissions, ctx, this.target) && anyMatch(p.principals, ctx, this.target)) return p;
    }
    return null;
  }

  private deny(ctx: RequestContext, policy: CompiledPolicy): LocalReply {
    policy.denied.inc();
    return ctx.grpc ? policy.grpcReply : policy.reply;
  }
}
