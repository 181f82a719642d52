import { PUSH_ORDER, TYPE_SHORT_NAME, TYPE_URL, isTypeUrl, type DeltaDiscoveryRequest, type DeltaDiscoveryResponse, type TypeUrl } from '@weft/xds';
import type { ProxyNode, TypeSyncStatus } from '../model/xds-contract';
import { DeltaTypeState } from '../delta/delta-type-state';
import { isEmptyPlan, type DeltaPlan } from '../delta/type-source';
import type { PushRequest } from '../push/push-request';
import { XdsConnection, nackMessage, type ConnectionContext, type XdsCall } from './xds-connection';

/** Types with a wildcard (`*` or legacy empty first request) in delta xDS. */
const DELTA_WILDCARD_TYPES: ReadonlySet<TypeUrl> = new Set([TYPE_URL.listener, TYPE_URL.cluster, TYPE_URL.virtualHost]);

/**
 * A DeltaAggregatedResources stream: per type, subscriptions honoured whatever the nonce, ACK/NACK by
 * nonce, responses carrying only what differs from what the client holds.
 */
export class DeltaConnection extends XdsConnection {
  private readonly types: Map<TypeUrl, DeltaTypeState>;

  constructor(call: XdsCall, node: ProxyNode, ctx: ConnectionContext) {
    super(call, node, 'delta', ctx);
    this.types = new Map();
  }

  handle(raw: unknown): void {
    const request = raw as DeltaDiscoveryRequest;
    const typeUrl = request.type_url ?? '';
    if (!isTypeUrl(typeUrl)) {
      this.ignoredType(typeUrl);
      return;
    }
    const first = !this.types.has(typeUrl);
    const state = this.stateOf(typeUrl);
    const nonce = request.response_nonce ?? '';
    if (nonce !== '') {
      const error = nackMessage(request.error_detail);
      this.answered(typeUrl, state.answer(nonce, error, Date.now()), error);
    }
    const plan = state.subscribe(
      {
        subscribe: request.resource_names_subscribe ?? [],
        unsubscribe: request.resource_names_unsubscribe ?? [],
        initialVersions: request.initial_resource_versions ?? {},
      },
      this.source(typeUrl),
    );
    // A first wildcard request is always answered, even with nothing: the client learns it is up to date.
    if (!isEmptyPlan(plan) || (first && state.wildcard)) this.send(typeUrl, state, plan, null);
  }

  push(request: PushRequest): boolean {
    let sent = false;
    const seenAt = Number.isFinite(request.seenAt) ? request.seenAt : null;
    for (const typeUrl of PUSH_ORDER) {
      const state = this.types.get(typeUrl);
      if (state === undefined) continue;
      const names = request.names(typeUrl);
      const wildcardChanged = request.wildcard.has(typeUrl);
      if (names === undefined && !wildcardChanged) continue;
      const plan = state.planPush(this.source(typeUrl), names, wildcardChanged);
      if (!isEmptyPlan(plan)) sent = this.send(typeUrl, state, plan, seenAt) || sent;
    }
    return sent;
  }

  unanswered(): number {
    let n = 0;
    for (const state of this.types.values()) n += state.log.unanswered();
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

  private stateOf(typeUrl: TypeUrl): DeltaTypeState {
    let state = this.types.get(typeUrl);
    if (state === undefined) {
      state = new DeltaTypeState(DELTA_WILDCARD_TYPES.has(typeUrl), this.watchSink(typeUrl));
      this.types.set(typeUrl, state);
    }
    return state;
  }

  private send(typeUrl: TypeUrl, state: DeltaTypeState, plan: DeltaPlan, seenAt: number | null): boolean {
    const nonce = this.nextNonce();
    const response: DeltaDiscoveryResponse = {
      system_version_info: nonce,
      resources: plan.resources.map((r) => ({ name: r.name, version: r.version, resource: r.any })),
      type_url: typeUrl,
      removed_resources: [...plan.removed],
      nonce,
    };
    if (!this.write(typeUrl, response, plan.resources)) return false;
    state.sent(nonce, plan, seenAt, Date.now());
    return true;
  }
}
