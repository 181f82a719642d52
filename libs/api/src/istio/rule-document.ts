import { z } from 'zod';
import { authorizationPolicySpec, type AuthorizationPolicy } from './authorization-policy.schema';
import { dns1123Label, dns1123Subdomain, labelMap } from './common.schema';
import { destinationRuleSpec } from './destination-rule.schema';
import type { DestinationRule } from './destination-rule.types';
import { peerAuthenticationSpec, type PeerAuthentication } from './peer-authentication.schema';
import { zodIssues, type RuleIssue } from './rule-errors';
import { serviceEntrySpec, type ServiceEntry } from './service-entry.schema';
import { sidecarSpec, type Sidecar } from './sidecar.schema';
import { virtualServiceSpec } from './virtual-service.schema';
import type { VirtualService } from './virtual-service.types';
import { workloadEntrySpec, type WorkloadEntry } from './workload-entry.schema';

/** One Istio rule document: the Kubernetes envelope around a kind's `spec`. */

export type RuleKind =
  | 'VirtualService'
  | 'DestinationRule'
  | 'ServiceEntry'
  | 'WorkloadEntry'
  | 'Sidecar'
  | 'PeerAuthentication'
  | 'AuthorizationPolicy';
export const RULE_KINDS: readonly RuleKind[] = [
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'WorkloadEntry',
  'Sidecar',
  'PeerAuthentication',
  'AuthorizationPolicy',
];
/** The networking kinds' API group (and its versions). */
export const RULE_API_GROUP = 'networking.istio.io';
export const RULE_API_VERSIONS: readonly string[] = ['v1', 'v1beta1', 'v1alpha3'];
/** The security kinds' API group (and its versions). */
export const SECURITY_API_GROUP = 'security.istio.io';
export const SECURITY_API_VERSIONS: readonly string[] = ['v1', 'v1beta1'];
const SECURITY_KINDS: ReadonlySet<string> = new Set<RuleKind>(['PeerAuthentication', 'AuthorizationPolicy']);

export interface RuleSpecs {
  VirtualService: VirtualService;
  DestinationRule: DestinationRule;
  ServiceEntry: ServiceEntry;
  WorkloadEntry: WorkloadEntry;
  Sidecar: Sidecar;
  PeerAuthentication: PeerAuthentication;
  AuthorizationPolicy: AuthorizationPolicy;
}

export interface RuleMeta {
  name: string;
  /** Default `default`. */
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleDocumentOf<K extends RuleKind> {
  /** As written, e.g. `networking.istio.io/v1beta1`. */
  apiVersion: string;
  kind: K;
  metadata: RuleMeta;
  spec: RuleSpecs[K];
  /** The user's object exactly as applied (for `weftctl get -o yaml`). */
  raw: unknown;
}

export type RuleDocument = { [K in RuleKind]: RuleDocumentOf<K> }[RuleKind];

const SPEC_SCHEMAS: { [K in RuleKind]: z.ZodType<RuleSpecs[K], unknown> } = {
  VirtualService: virtualServiceSpec,
  DestinationRule: destinationRuleSpec,
  ServiceEntry: serviceEntrySpec,
  WorkloadEntry: workloadEntrySpec,
  Sidecar: sidecarSpec,
  PeerAuthentication: peerAuthenticationSpec,
  AuthorizationPolicy: authorizationPolicySpec,
};

/** Other Kubernetes metadata (uid, resourceVersion, managedFields, …) is tolerated and dropped. */
const metadataSchema = z
  .object({
    name: dns1123Subdomain,
    namespace: dns1123Label.optional(),
    labels: labelMap.optional(),
    annotations: z.record(z.string(), z.string()).optional(),
  })
  .transform(
    (m): RuleMeta => ({ name: m.name, namespace: m.namespace ?? 'default', labels: m.labels ?? {}, annotations: m.annotations ?? {} }),
  );

const ENVELOPE_KEYS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `ruleKey` of documents: `${kind}/${namespace}/${name}`. */
export function ruleKey(doc: { kind: string; metadata: { namespace: string; name: string } }): string {
  return `${doc.kind}/${doc.metadata.namespace}/${doc.metadata.name}`;
}

/** `canary.yaml#2 VirtualService default/reviews`, from whatever the raw object has. */
export function describeDocument(label: string, value: Record<string, unknown>): string {
  const meta = isPlainObject(value.metadata) ? value.metadata : {};
  const kind = typeof value.kind === 'string' ? ` ${value.kind}` : '';
  const ns = typeof meta.namespace === 'string' && meta.namespace !== '' ? meta.namespace : 'default';
  const name = typeof meta.name === 'string' ? ` ${ns}/${meta.name}` : '';
  return `${label}${kind}${name}`;
}

type Problem = { path: string; message: string };

function kindOf(value: Record<string, unknown>, problems: Problem[]): RuleKind | null {
  const { apiVersion, kind } = value;
  if (typeof kind !== 'string' || kind === '') problems.push({ path: 'kind', message: 'is required' });
  if (typeof apiVersion !== 'string' || apiVersion === '') problems.push({ path: 'apiVersion', message: 'is required' });
  if (typeof kind !== 'string' || typeof apiVersion !== 'string' || kind === '' || apiVersion === '') return null;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!(RULE_KINDS as readonly string[]).includes(kind)) {
    const message =
      group === SECURITY_API_GROUP
        ? `kind ${kind} (${SECURITY_API_GROUP}) is not supported yet: the supported security kinds are ${[...SECURITY_KINDS].join(', ')}`
        : `kind ${kind} is not supported: supported kinds are ${RULE_KINDS.join(', ')}`;
    problems.push({ path: 'kind', message });
    return null;
  }
  const security = SECURITY_KINDS.has(kind);
  const [wantGroup, versions] = security ? [SECURITY_API_GROUP, SECURITY_API_VERSIONS] : [RULE_API_GROUP, RULE_API_VERSIONS];
  if (group !== wantGroup || !versions.includes(version as string)) {
    const others = security ? 'v1beta1 is accepted too' : 'v1beta1 and v1alpha3 are accepted too';
    const message = `apiVersion ${apiVersion} is not supported for ${kind}: use ${wantGroup}/v1 (${others})`;
    problems.push({ path: 'apiVersion', message });
    return null;
  }
  return kind as RuleKind;
}

/** Kubernetes prunes `null` fields before validation: `labels:` with nothing under it is "not set". */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null).map(([k, v]) => [k, withoutNulls(v)]));
}

function parsePart<T>(schema: z.ZodType<T, unknown>, input: unknown, prefix: string, problems: Problem[]): T | null {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  problems.push(...zodIssues(result.error, [prefix]));
  return null;
}

/** Validates one raw object; a document or the issues, never both. */
export function validateDocument(label: string, value: unknown): { doc: RuleDocument | null; issues: RuleIssue[] } {
  if (!isPlainObject(value)) {
    const message = 'a rule document must be a mapping with apiVersion, kind, metadata and spec';
    return { doc: null, issues: [{ document: label, path: '(root)', message }] };
  }
  const problems: Problem[] = [];
  const kind = kindOf(value, problems);
  for (const key of Object.keys(value)) {
    if (!ENVELOPE_KEYS.has(key)) problems.push({ path: key, message: `unknown field ${JSON.stringify(key)}` });
  }
  const clean = withoutNulls(value) as Record<string, unknown>;
  const metadata = parsePart(metadataSchema, clean.metadata, 'metadata', problems);
  const specSchema = kind === null ? null : (SPEC_SCHEMAS[kind] as z.ZodType<RuleSpecs[RuleKind], unknown>);
  const spec = specSchema === null ? null : parsePart(specSchema, clean.spec, 'spec', problems);
  const document = describeDocument(label, value);
  if (problems.length > 0 || kind === null || metadata === null || spec === null) {
    return { doc: null, issues: problems.map((p) => ({ document, ...p })) };
  }
  const doc = { apiVersion: value.apiVersion as string, kind, metadata, spec, raw: structuredClone(value) } as RuleDocument;
  return { doc, issues: [] };
}
