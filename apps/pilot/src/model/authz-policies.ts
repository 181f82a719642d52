import type { AuthorizationPolicy, RuleDocumentOf } from '@weft/api';
import { ROOT_NAMESPACE } from './rule-index';

/** An AuthorizationPolicy as the RBAC generator needs it. */
export interface AuthzPolicyView {
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly policy: AuthorizationPolicy;
}

/**
 * AuthorizationPolicies by namespace. A workload gets the root namespace's (mesh-wide) and its own
 * namespace's policies whose selector matches its labels (no selector: all of them), in key order.
 */
export class AuthzIndex {
  private readonly byNamespace = new Map<string, AuthzPolicyView[]>();

  add(doc: RuleDocumentOf<'AuthorizationPolicy'>): void {
    const { namespace, name } = doc.metadata;
    const view: AuthzPolicyView = { key: `${namespace}/${name}`, namespace, name, policy: doc.spec };
    const list = this.byNamespace.get(namespace);
    if (list === undefined) this.byNamespace.set(namespace, [view]);
    else list.push(view);
  }

  forWorkload(namespace: string, labels: Readonly<Record<string, string>>): readonly AuthzPolicyView[] {
    const out: AuthzPolicyView[] = [];
    const scopes = namespace === ROOT_NAMESPACE ? [ROOT_NAMESPACE] : [ROOT_NAMESPACE, namespace];
    for (const ns of scopes) {
      for (const view of this.byNamespace.get(ns) ?? []) if (selects(view.policy, labels)) out.push(view);
    }
    return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

function selects(policy: AuthorizationPolicy, labels: Readonly<Record<string, string>>): boolean {
  if (policy.selector === null) return true;
  return Object.entries(policy.selector.matchLabels).every(([k, v]) => labels[k] === v);
}
