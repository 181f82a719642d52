import { PUSH_ORDER, TYPE_SHORT_NAME, isTypeUrl, sotwRequiresAll, type DiscoveryRequest, type DiscoveryResponse, type TypeUrl } from '@weft/xds';
import type { ProxyNode, TypeSyncStatus } from '../model/xds-contract';
import type { PushRequest } from '../push/push-request';
import { SotwTypeState, type SotwPlan } from './sotw-type-state';
import { XdsConnection, nackMessage, type ConnectionContext, type XdsCall } from './xds-connection';

const NOTHING_ADDED: ReadonlySet<string> = new Set();

/**
 * A StreamAggregatedResources (State-of-the-World) stream: per type, the latest request's names,
 * stale-nonce requests ignored, a response only when what the client would hold changes.
 */
export class SotwConnection extends XdsConnection {
  private readonly types: Map<TypeUrl, SotwTypeState>;

  constructor(call: XdsCall, node: ProxyNode, ctx: ConnectionContext) {
    super(call, node, 'sotw', ctx);
    this.types = new Map();
  }

  handle(raw: unknown): void {
    const request = raw as DiscoveryRequest;
    const typeUrl = request.type_url ?? '';
    if (!isTypeUrl(typeUrl)) {
      this.ignoredType(typeUrl);
      return;
    }
    const first = !this.types.has(typeUrl);
    const state = this.stateOf(typeUrl);
    const error = nackMessage(request.error_detail);
    const outcome = state.request({ names: request.resource_names ?? [], nonce: request.response_nonce ?? '', error }, Date.now());
    if (outcome === null) return;
    this.answered(typeUrl, outcome.answer, error);
    const plan = state.plan(this.source(typeUrl), undefined, first || outcome.wildcardAdded, outcome.added);
    this.deliver(typeUrl, state, plan, null);
  }

  push(request: PushRequest): boolean {
    let sent = false;
    const seenAt = Number.isFinite(request.seenAt) ? request.seenAt : null;
    for (const typeUrl of PUSH_ORDER) {
      const state = this.types.get(typeUrl);
      if (state === undefined) continue;
      const names = request.names(typeUrl);
      const wildcardChanged = request.wildcard.has(typeUrl) && state.wildcard;
      if (names === undefined && !wildcardChanged) continue;
      const plan = state.plan(this.source(typeUrl), names, wildcardChanged, NOTHING_ADDED);
      sent = this.deliver(typeUrl, state, plan, seenAt) || sent;
    }
    return sent;
  }

  unanswered(): number {
    let n = 0;
    for (const state of this.types.values()) n += state.unanswered();
    return n;
  }

  protected typeStatuses(): Record<string, TypeSyncStatus> {
    const out: Record<string, TypeSyncStatus> = {};
    for (const [typeUrl, state] of this.types) out[TYPE_SHORT_NAME[typeUrl]] = state.status();
    return out;
  }

  protected release(): void {
    for (const state of this.types.values()) state.release();
  }

  private stateOf(typeUrl: TypeUrl): SotwTypeState {
    let state = this.types.get(typeUrl);
    if (state === undefined) {
      state = new SotwTypeState(sotwRequiresAll(typeUrl), this.watchSink(typeUrl));
      this.types.set(typeUrl, state);
    }
    return state;
  }

  /** Sends the plan, or adopts it silently when the client would see no change. */
  private deliver(typeUrl: TypeUrl, state: SotwTypeState, plan: SotwPlan, seenAt: number | null): boolean {
    if (!plan.send) {
      state.adopt(plan);
      return false;
    }
    const nonce = this.nextNonce();
    const response: DiscoveryResponse = {
      version_info: plan.versionInfo,
      resources: plan.resources.map((r) => r.any),
      type_url: typeUrl,
      nonce,
    };
    if (!this.write(typeUrl, response, plan.resources)) return false;
    state.sent(nonce, plan, seenAt, Date.now());
    return true;
  }
}
