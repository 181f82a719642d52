/**
 * The names operators type for rule kinds (`weftctl get vs`, `GET /v1/rules/virtualservice/…`):
 * the kind, its lower-case singular and plural, and the short names Istio's CRDs declare. Shared by
 * the CLI and pilot's REST edge so both accept the same spellings.
 */
export interface RuleKindName {
  readonly kind: string;
  /** API group (`networking.istio.io`), used in kubectl-style output `virtualservice.networking.istio.io/reviews`. */
  readonly group: string;
  readonly plural: string;
  readonly short: readonly string[];
}

export const RULE_KIND_NAMES: readonly RuleKindName[] = [
  { kind: 'VirtualService', group: 'networking.istio.io', plural: 'virtualservices', short: ['vs'] },
  { kind: 'DestinationRule', group: 'networking.istio.io', plural: 'destinationrules', short: ['dr'] },
  { kind: 'ServiceEntry', group: 'networking.istio.io', plural: 'serviceentries', short: ['se'] },
  { kind: 'WorkloadEntry', group: 'networking.istio.io', plural: 'workloadentries', short: ['we'] },
  { kind: 'Sidecar', group: 'networking.istio.io', plural: 'sidecars', short: [] },
  { kind: 'Gateway', group: 'networking.istio.io', plural: 'gateways', short: ['gw'] },
  { kind: 'PeerAuthentication', group: 'security.istio.io', plural: 'peerauthentications', short: ['pa'] },
  { kind: 'AuthorizationPolicy', group: 'security.istio.io', plural: 'authorizationpolicies', short: ['ap'] },
  { kind: 'RequestAuthentication', group: 'security.istio.io', plural: 'requestauthentications', short: ['ra'] },
];

const BY_NAME = new Map<string, RuleKindName>();
for (const k of RULE_KIND_NAMES) {
  for (const name of [k.kind.toLowerCase(), k.plural, ...k.short]) BY_NAME.set(name, k);
}

/** `vs`, `VirtualServices`, `virtualservice` → the VirtualService entry; null for an unknown name. */
export function ruleKindByName(name: string): RuleKindName | null {
  return BY_NAME.get(name.toLowerCase()) ?? null;
}

/** The API group of a kind (`security.istio.io` for AuthorizationPolicy); `weft.io` for unknown kinds. */
export function ruleKindGroup(kind: string): string {
  return ruleKindByName(kind)?.group ?? 'weft.io';
}
