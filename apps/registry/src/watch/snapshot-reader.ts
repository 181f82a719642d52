import type { Instance } from '@weft/api';
import { isWeftError } from '@weft/shared';
import type { RegistryService } from '../registry/registry.service';
import type { ServiceState } from './watch-event';

/** The reads a watch needs from the service layer (RegistryService; a fake in unit tests). */
export type SnapshotSource = Pick<RegistryService, 'getService' | 'listInstances' | 'listServices'>;

/** A read is retried while writes keep moving the revision; after this many it is taken as is. */
const MAX_ATTEMPTS = 5;

async function orNotFound<T>(p: Promise<T>, fallback: T): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (isWeftError(err) && err.kind === 'not-found') return fallback;
    throw err;
  }
}

function readInstances(source: SnapshotSource, namespace: string, service: string): Promise<{ revision: number; instances: Instance[] }> {
  const req = { namespace, service, selector: '', healthyOnly: false };
  return orNotFound(source.listInstances(req), { revision: 0, instances: [] });
}

/**
 * The full state of one service at one revision. The instance list and its revision come from one
 * consistent read; the service is read between two such reads and kept only when the revision did
 * not move, so all three describe the same revision. A service that does not exist (never created,
 * or deleted: its revision counter survives) reads as serviceState null with no instances.
 */
export async function readServiceState(source: SnapshotSource, namespace: string, service: string): Promise<ServiceState> {
  let before = await readInstances(source, namespace, service);
  for (let attempt = 1; ; attempt++) {
    const svc = await orNotFound(source.getService({ namespace, name: service }), null);
    const after = await readInstances(source, namespace, service);
    if (after.revision === before.revision || attempt >= MAX_ATTEMPTS) {
      return { namespace, service, revision: after.revision, serviceState: svc, instances: after.instances };
    }
    before = after;
  }
}

/** Names of the services of a namespace that exist now, sorted. */
export async function serviceNames(source: SnapshotSource, namespace: string): Promise<string[]> {
  return (await source.listServices(namespace)).map((s) => s.name);
}
