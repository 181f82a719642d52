import type { DeltaDiscoveryResponse } from '@weft/xds';
import { OPEN_ORDER, INVALID_ARGUMENT, type AdsProtocol, type AdsRequest, type AdsUpdate, type HeldVersions } from './ads-protocol';
import { urlOf } from './resource-decoder';
import { hasInterest, type Interest, type Interests } from './subscription-planner';
import type { XdsKind } from './xds-resource';

const WILDCARD = '*';

/**
 * Incremental ADS (DeltaAggregatedResources, xds_protocol.rst "Incremental xDS"). A stream opens with
 * one request per type of interest: its names (`*` for a wildcard) and `initial_resource_versions`
 * of everything held, so the server sends only what changed. Interest changes are sent as
 * subscribe/unsubscribe differences; a type is never sent an empty first request (that would mean
 * the legacy wildcard).
 */
export class DeltaProtocol implements AdsProtocol {
  readonly name = 'delta';
  readonly method = 'DeltaAggregatedResources';

  open(interests: Interests, held: HeldVersions): AdsRequest[] {
    const out: AdsRequest[] = [];
    for (const kind of OPEN_ORDER) {
      const interest = interests[kind];
      if (!hasInterest(interest)) continue;
      out.push({
        type_url: urlOf(kind),
        resource_names_subscribe: [...(interest.wildcard ? [WILDCARD] : []), ...interest.names],
        initial_resource_versions: held(kind),
      });
    }
    return out;
  }

  change(kind: XdsKind, before: Interest, after: Interest): AdsRequest | null {
    const subscribe = [...after.names].filter((n) => !before.names.has(n));
    const unsubscribe = [...before.names].filter((n) => !after.names.has(n));
    if (after.wildcard && !before.wildcard) subscribe.unshift(WILDCARD);
    if (before.wildcard && !after.wildcard) unsubscribe.unshift(WILDCARD);
    if (subscribe.length === 0 && unsubscribe.length === 0) return null;
    return { type_url: urlOf(kind), resource_names_subscribe: subscribe, resource_names_unsubscribe: unsubscribe };
  }

  parse(message: unknown): AdsUpdate {
    const m = message as DeltaDiscoveryResponse & { resources?: { aliases?: string[] }[] };
    const resources = (m.resources ?? [])
      .filter((r) => r.resource !== undefined && r.resource !== null)
      .map((r) => ({ name: r.name, version: r.version, any: r.resource, aliases: (r as { aliases?: string[] }).aliases ?? [], decoded: null }));
    return { typeUrl: m.type_url, nonce: m.nonce, versionInfo: m.system_version_info ?? '', resources, removed: m.removed_resources ?? [], undecodable: [] };
  }

  ack(update: AdsUpdate): AdsRequest {
    return { type_url: update.typeUrl, response_nonce: update.nonce };
  }

  nack(update: AdsUpdate, message: string): AdsRequest {
    return { type_url: update.typeUrl, response_nonce: update.nonce, error_detail: { code: INVALID_ARGUMENT, message } };
  }
}
