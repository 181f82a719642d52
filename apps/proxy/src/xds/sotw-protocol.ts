import { contentVersion, sotwRequiresAll, type DiscoveryResponse } from '@weft/xds';
import { OPEN_ORDER, INVALID_ARGUMENT, type AdsProtocol, type AdsRequest, type AdsUpdate, type HeldVersions, type ResponseResource } from './ads-protocol';
import { decodeAny, kindOfUrl, nameInResource, urlOf, XdsResourceError } from './resource-decoder';
import { hasInterest, type Interest, type Interests } from './subscription-planner';
import type { XdsKind } from './xds-resource';

/**
 * State-of-the-world ADS (StreamAggregatedResources). Each request carries the full name list of its
 * type (empty: wildcard, for LDS), the last ACKed `version_info` of the type (kept across reconnects)
 * and the nonce of the last response (per stream). LDS and CDS responses carry every resource: a held
 * one that is missing was removed. VHDS does not exist in SotW: a route configuration with `vhds`
 * serves only its inline virtual hosts, and requests are never held on demand.
 */
export class SotwProtocol implements AdsProtocol {
  readonly name = 'sotw';
  readonly method = 'StreamAggregatedResources';
  private readonly versions = new Map<string, string>();
  private readonly nonces = new Map<string, string>();
  private readonly names = new Map<string, readonly string[]>();

  open(interests: Interests): AdsRequest[] {
    this.nonces.clear();
    const out: AdsRequest[] = [];
    for (const kind of OPEN_ORDER) {
      if (kind === 'virtualHost' || !hasInterest(interests[kind])) continue;
      out.push(this.request(kind, interests[kind]));
    }
    return out;
  }

  change(kind: XdsKind, _before: Interest, after: Interest): AdsRequest | null {
    return kind === 'virtualHost' ? null : this.request(kind, after);
  }

  private request(kind: XdsKind, interest: Interest): AdsRequest {
    const url = urlOf(kind);
    const names = interest.wildcard ? [] : [...interest.names];
    this.names.set(url, names);
    return { type_url: url, version_info: this.versions.get(url) ?? '', resource_names: names, response_nonce: this.nonces.get(url) ?? '' };
  }

  parse(message: unknown, held: HeldVersions): AdsUpdate {
    const m = message as DiscoveryResponse;
    this.nonces.set(m.type_url, m.nonce);
    const kind = kindOfUrl(m.type_url);
    const resources: ResponseResource[] = [];
    const undecodable: string[] = [];
    for (const [i, any] of (m.resources ?? []).entries()) {
      try {
        const decoded = kind === undefined ? {} : decodeAny(m.type_url, any, `resources[${i}]`);
        resources.push({ name: kind === undefined ? '' : nameInResource(kind, decoded), version: contentVersion(any.value), any, aliases: [], decoded });
      } catch (err) {
        undecodable.push(err instanceof XdsResourceError ? err.message : String(err));
      }
    }
    const removed = kind !== undefined && sotwRequiresAll(m.type_url) && undecodable.length === 0 ? missing(held(kind), resources) : [];
    return { typeUrl: m.type_url, nonce: m.nonce, versionInfo: m.version_info ?? '', resources, removed, undecodable };
  }

  ack(update: AdsUpdate): AdsRequest {
    this.versions.set(update.typeUrl, update.versionInfo);
    return this.reply(update, null);
  }

  nack(update: AdsUpdate, message: string): AdsRequest {
    return this.reply(update, { code: INVALID_ARGUMENT, message });
  }

  private reply(update: AdsUpdate, error: { code: number; message: string } | null): AdsRequest {
    const url = update.typeUrl;
    const base = { type_url: url, version_info: this.versions.get(url) ?? '', resource_names: this.names.get(url) ?? [], response_nonce: update.nonce };
    return error === null ? base : { ...base, error_detail: error };
  }
}

function missing(held: Readonly<Record<string, string>>, resources: readonly ResponseResource[]): string[] {
  const present = new Set(resources.map((r) => r.name));
  return Object.keys(held).filter((n) => !present.has(n));
}
