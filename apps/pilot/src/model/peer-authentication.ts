import type { MtlsMode, PeerAuthentication, RuleDocumentOf } from '@weft/api';
import type { InboundMtlsMode } from '../generators/tls.generator';

/** Istio's root namespace: a PeerAuthentication there without a selector is mesh-wide. */
const ROOT_NAMESPACE = 'istio-system';

interface Policy {
  readonly key: string;
  readonly spec: PeerAuthentication;
}

/**
 * PeerAuthentications by namespace, resolved per workload port as Istio does: the workload policy
 * (selector matches; port-level first) over the namespace policy over the mesh-wide one in
 * `istio-system`; UNSET inherits from the next level; PERMISSIVE when nothing sets a mode. Several
 * matching policies at one level: the first by namespace/name (Istio takes the oldest).
 */
export class PeerAuthenticationIndex {
  private readonly byNamespace = new Map<string, Policy[]>();

  add(doc: RuleDocumentOf<'PeerAuthentication'>): void {
    const ns = doc.metadata.namespace;
    const list = this.byNamespace.get(ns) ?? [];
    list.push({ key: `${ns}/${doc.metadata.name}`, spec: doc.spec });
    this.byNamespace.set(ns, list);
  }

  mode(namespace: string, labels: Readonly<Record<string, string>>, port: number): InboundMtlsMode {
    const own = this.byNamespace.get(namespace) ?? [];
    const workload = own.find((p) => p.spec.selector !== null && matches(p.spec.selector.matchLabels, labels))?.spec ?? null;
    const levels: (MtlsMode | undefined)[] = [
      workload?.portLevelMtls[port]?.mode,
      workload?.mtls?.mode,
      own.find((p) => p.spec.selector === null)?.spec.mtls?.mode,
      this.byNamespace.get(ROOT_NAMESPACE)?.find((p) => p.spec.selector === null)?.spec.mtls?.mode,
    ];
    for (const mode of levels) if (mode !== undefined && mode !== 'UNSET') return mode;
    return 'PERMISSIVE';
  }
}

function matches(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const key in selector) if (labels[key] !== selector[key]) return false;
  return true;
}
