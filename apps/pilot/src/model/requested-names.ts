import type { TypeUrl } from '@weft/xds';
import type { ChangeSet } from './change-set';

/**
 * On-demand resource names clients asked for (VHDS `outbound/<authority>`, gRPC `<host>:<port>`),
 * indexed by the fully qualified host they stand for, whether or not a service has it yet. When a
 * host's service or rules change, exactly these names are reported, so a client that asked before the
 * service existed learns about it, and nothing is computed for names nobody asked for.
 */
export class RequestedNames {
  private readonly byHost = new Map<string, Map<TypeUrl, Set<string>>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  record(host: string, typeUrl: TypeUrl, name: string): void {
    let types = this.byHost.get(host);
    if (types === undefined) {
      types = new Map();
      this.byHost.set(host, types);
    }
    let names = types.get(typeUrl);
    if (names === undefined) {
      names = new Set();
      types.set(typeUrl, names);
    }
    if (names.has(name)) return;
    names.add(name);
    this.count++;
  }

  /** Adds every name recorded for `host` to the change. */
  addTo(change: ChangeSet, host: string): void {
    const types = this.byHost.get(host);
    if (types === undefined) return;
    for (const [typeUrl, names] of types) change.addAll(typeUrl, names);
  }
}
