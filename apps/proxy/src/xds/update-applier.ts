import type { AdsUpdate, ResponseResource } from './ads-protocol';
import { convertXds, decodeAny, XdsResourceError } from './resource-decoder';
import type { ResourceStore } from './resource-store';
import type { Interest, StaticResources } from './subscription-planner';
import type { XdsKind, XdsModels } from './xds-resource';

/** What one response did to the store. */
export interface UpdateOutcome {
  /** One line per rejected resource (resource, field path, reason): the NACK's message. */
  readonly errors: readonly string[];
  readonly changed: boolean;
  /** Names (and aliases) the response answered with a resource, changed or not. */
  readonly arrived: readonly string[];
  /** Names it removed. */
  readonly removed: readonly string[];
}

/**
 * Applies one response to the store, resource by resource: a valid resource replaces the held one
 * (unless its version is the one held), an invalid one is reported and the held version stays, the
 * others still apply (Envoy accepts the valid part of a partially invalid update and NACKs it).
 * Resources of a named type that the proxy did not ask for are ignored. A response naming one
 * resource twice is rejected as a whole.
 */
export function applyUpdate(store: ResourceStore, kind: XdsKind, update: AdsUpdate, interest: Interest, statics: StaticResources): UpdateOutcome {
  const duplicate = firstDuplicate(update.resources);
  if (duplicate !== null) return { errors: [`resource "${duplicate}" appears twice in one response`], changed: false, arrived: [], removed: [] };
  const errors = [...update.undecodable];
  const arrived: string[] = [];
  let changed = false;
  for (const r of update.resources) {
    if (!wanted(interest, r)) continue;
    arrived.push(r.name, ...r.aliases);
    try {
      changed = accept(store, kind, update.typeUrl, r, statics) || changed;
    } catch (err) {
      errors.push(err instanceof XdsResourceError ? err.message : String(err));
    }
  }
  const removed = update.removed.filter((name) => store.delete(kind, name));
  return { errors, changed: changed || removed.length > 0, arrived, removed: update.removed };
}

function wanted(interest: Interest, r: ResponseResource): boolean {
  return interest.wildcard || interest.names.has(r.name) || r.aliases.some((a) => interest.names.has(a));
}

/** Stores a resource; false when the held one has the same version. Throws XdsResourceError. */
function accept<K extends XdsKind>(store: ResourceStore, kind: K, typeUrl: string, r: ResponseResource, statics: StaticResources): boolean {
  if (store.get(kind, r.name)?.version === r.version) return false;
  if ((kind === 'listener' && statics.listeners.some((l) => l.name === r.name)) || (kind === 'cluster' && statics.clusters.has(r.name))) {
    throw new XdsResourceError(`${kind === 'listener' ? 'Listener' : 'Cluster'} "${r.name}"`, 'a static resource of the bootstrap cannot be replaced over xDS');
  }
  const obj = r.decoded ?? decodeAny(typeUrl, r.any, `resource "${r.name}"`);
  const model: XdsModels[K] = convertXds(kind, r.name, obj);
  store.set(kind, { name: r.name, version: r.version, any: r.any, model });
  return true;
}

function firstDuplicate(resources: readonly ResponseResource[]): string | null {
  const seen = new Set<string>();
  for (const r of resources) {
    if (seen.has(r.name)) return r.name;
    seen.add(r.name);
  }
  return null;
}
