import { z } from 'zod';

/**
 * Shapes of pilot's REST API (`/v1/rules`, `/v1/analyze`, `/v1/proxies`), shared by pilot's HTTP edge
 * and weftctl, which validates what it receives with them.
 */

/** One reason a request was refused: which document, which field, why. */
export const pilotIssue = z.object({
  /** `VirtualService default/reviews`, `file.yaml#2`, or `(request)` for request-level problems. */
  document: z.string(),
  /** Dotted field path inside the document (`spec.http.0.route.0.weight`), `(root)` for the whole. */
  path: z.string(),
  message: z.string(),
});
export type PilotIssue = z.output<typeof pilotIssue>;

export const pilotErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), issues: z.array(pilotIssue) }),
});
export type PilotErrorBody = z.output<typeof pilotErrorBody>;

export const ruleAction = z.enum(['created', 'configured', 'unchanged', 'deleted', 'not-found']);
export type RuleAction = z.output<typeof ruleAction>;

export const ruleResult = z.object({
  /** `Kind/namespace/name`. */
  key: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  action: ruleAction,
  /** The revision that last changed this rule (for `unchanged`, the earlier one). */
  revision: z.number().int().nonnegative(),
});
export type RuleResult = z.output<typeof ruleResult>;

/** Answer of `POST /v1/rules`, `DELETE /v1/rules/…` and `POST /v1/rules/delete`. */
export const rulesWriteResponse = z.object({
  /** The global rules revision after the call (a dry run: what it would be). */
  revision: z.number().int().nonnegative(),
  dryRun: z.boolean(),
  results: z.array(ruleResult),
});
export type RulesWriteResponse = z.output<typeof rulesWriteResponse>;

/** A stored rule: the document exactly as applied, plus the store's bookkeeping. */
export const storedRuleView = z.object({
  key: z.string(),
  kind: z.string(),
  namespace: z.string(),
  name: z.string(),
  revision: z.number().int().nonnegative(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  document: z.record(z.string(), z.unknown()),
});
export type StoredRuleView = z.output<typeof storedRuleView>;

export const ruleListResponse = z.object({
  revision: z.number().int().nonnegative(),
  items: z.array(storedRuleView),
});
export type RuleListResponse = z.output<typeof ruleListResponse>;

/** One finding of `GET /v1/analyze` (istioctl analyze's message shape). */
export const analysisMessageView = z.object({
  level: z.string(),
  code: z.string(),
  document: z.string(),
  message: z.string(),
});
export type AnalysisMessageView = z.output<typeof analysisMessageView>;

export const analyzeResponse = z.object({ messages: z.array(analysisMessageView) });

/** Per-type sync state as `GET /v1/proxies` reports it (a subset of pilot's ProxySyncStatus). */
export const typeSyncView = z.looseObject({
  state: z.string(),
  error: z.string().nullable().optional(),
  subscribed: z.array(z.string()).optional(),
});

export const proxyStatusView = z.looseObject({
  proxyId: z.string(),
  node: z.looseObject({ id: z.string(), namespace: z.string(), service: z.string().optional() }),
  replica: z.string(),
  protocol: z.string(),
  connectedAt: z.number(),
  updatedAt: z.number().optional(),
  /** The SPIFFE ID the proxy authenticated with on pilot's mutual-TLS xDS port; null or absent on plaintext. */
  peerIdentity: z.string().nullable().optional(),
  types: z.record(z.string(), typeSyncView),
});
export type ProxyStatusView = z.output<typeof proxyStatusView>;

export const proxyListResponse = z.object({ proxies: z.array(proxyStatusView) });

export const PROXY_CONFIG_TYPES = ['clusters', 'listeners', 'routes', 'endpoints'] as const;
export type ProxyConfigType = (typeof PROXY_CONFIG_TYPES)[number];

export const proxyConfigResponse = z.object({
  proxyId: z.string(),
  type: z.enum(PROXY_CONFIG_TYPES),
  resources: z.array(z.unknown()),
});

/** Answer of `GET /v1/version`. */
export const pilotVersionResponse = z.object({
  component: z.literal('pilot'),
  version: z.string(),
  replica: z.string(),
  /** The rules revision this replica has loaded (null before its first load). */
  rulesRevision: z.number().int().nonnegative().nullable(),
});
export type PilotVersionResponse = z.output<typeof pilotVersionResponse>;
