import { z } from 'zod';
import { fail, ipOrCidr, labelMap, unsupported } from './common.schema';

/** `security.istio.io` AuthorizationPolicy `spec` (istio/api security/v1beta1/authorization.proto). */

/** CUSTOM (ext_authz) is rejected: Weft has no external authorizer. */
export type AuthorizationAction = 'ALLOW' | 'DENY' | 'AUDIT';

/** Every list: empty = not set. Strings match exactly, or `abc*` (prefix), `*abc` (suffix), `*` (present). */
export interface AuthorizationSource {
  /** `cluster.local/ns/<ns>/sa/<sa>` (no `spiffe://`). Needs mTLS. */
  principals: string[];
  notPrincipals: string[];
  namespaces: string[];
  notNamespaces: string[];
  /** IPs or CIDRs of the direct peer. */
  ipBlocks: string[];
  notIpBlocks: string[];
  /** IPs or CIDRs of the original client (Weft: the direct peer; x-forwarded-for is not trusted). */
  remoteIpBlocks: string[];
  notRemoteIpBlocks: string[];
}

export interface AuthorizationOperation {
  hosts: string[];
  notHosts: string[];
  ports: number[];
  notPorts: number[];
  methods: string[];
  notMethods: string[];
  paths: string[];
  notPaths: string[];
}

export const AUTHZ_CONDITION_KEYS = [
  'request.headers[<name>]',
  'source.ip',
  'remote.ip',
  'source.namespace',
  'source.principal',
  'destination.ip',
  'destination.port',
  'connection.sni',
] as const;

export interface AuthorizationCondition {
  /** One of AUTHZ_CONDITION_KEYS (`request.headers[x-token]` with the header name). */
  key: string;
  values: string[];
  notValues: string[];
}

/** `from`, `to` and `when` are ANDed; the entries of each are ORed; an empty list matches anything. */
export interface AuthorizationRule {
  from: AuthorizationSource[];
  to: AuthorizationOperation[];
  when: AuthorizationCondition[];
}

export interface AuthorizationPolicy {
  /** `selector.matchLabels`; null = every workload of the namespace (of the mesh in the root namespace). */
  selector: { matchLabels: Record<string, string> } | null;
  action: AuthorizationAction;
  /** ALLOW with no rules allows nothing; DENY / AUDIT with no rules match nothing. */
  rules: AuthorizationRule[];
}

const JWT = 'request principals need RequestAuthentication (JWT), which Weft does not support yet';
const SERVICE_ACCOUNTS = 'serviceAccounts is not supported yet: use principals (cluster.local/ns/<ns>/sa/<sa>)';

/** Istio's string forms: exact, `abc*`, `*abc` or `*`; a `*` anywhere else would be matched literally, so it is refused. */
const pattern = z
  .string()
  .min(1, 'must not be empty')
  .superRefine((s, ctx) => {
    if (s.length > 1 && s.slice(1, -1).includes('*')) fail(ctx, `${JSON.stringify(s)}: "*" is only allowed as the first or last character`);
    if (s.length > 1 && s.startsWith('*') && s.endsWith('*')) fail(ctx, `${JSON.stringify(s)}: use a prefix (abc*) or a suffix (*abc) match, not both`);
  });

const patterns = z.array(pattern).optional();
const cidrs = z.array(ipOrCidr).optional();

const portValue = z.union([z.number(), z.string()]).transform((p, ctx): number => {
  const n = typeof p === 'number' ? p : /^[0-9]{1,5}$/.test(p) ? Number(p) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= 65535) return n;
  ctx.issues.push({ code: 'custom', input: p, message: `port ${JSON.stringify(p)} must be a number in the range 1..65535` });
  return z.NEVER;
});

const path = pattern.superRefine((p, ctx) => {
  if (p.includes('{')) fail(ctx, `${JSON.stringify(p)}: path templates ({*}, {**}) are not supported`);
});

const SOURCE_FIELDS = ['principals', 'notPrincipals', 'namespaces', 'notNamespaces', 'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks'] as const;

const source = z
  .strictObject({
    principals: patterns,
    notPrincipals: patterns,
    namespaces: patterns,
    notNamespaces: patterns,
    ipBlocks: cidrs,
    notIpBlocks: cidrs,
    remoteIpBlocks: cidrs,
    notRemoteIpBlocks: cidrs,
    requestPrincipals: unsupported(JWT),
    notRequestPrincipals: unsupported(JWT),
    serviceAccounts: unsupported(SERVICE_ACCOUNTS),
    notServiceAccounts: unsupported(SERVICE_ACCOUNTS),
  })
  .superRefine((s, ctx) => {
    if (SOURCE_FIELDS.every((f) => (s[f] ?? []).length === 0)) fail(ctx, 'source must set at least one field');
  })
  .transform((s): AuthorizationSource => {
    const out = {} as AuthorizationSource;
    for (const f of SOURCE_FIELDS) out[f] = s[f] ?? [];
    return out;
  });

const OPERATION_FIELDS = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'] as const;

const operation = z
  .strictObject({
    hosts: patterns,
    notHosts: patterns,
    ports: z.array(portValue).optional(),
    notPorts: z.array(portValue).optional(),
    methods: patterns,
    notMethods: patterns,
    paths: z.array(path).optional(),
    notPaths: z.array(path).optional(),
  })
  .superRefine((o, ctx) => {
    if (OPERATION_FIELDS.every((f) => (o[f] ?? []).length === 0)) fail(ctx, 'operation must set at least one field');
  })
  .transform(
    (o): AuthorizationOperation => ({
      hosts: o.hosts ?? [],
      notHosts: o.notHosts ?? [],
      ports: o.ports ?? [],
      notPorts: o.notPorts ?? [],
      methods: o.methods ?? [],
      notMethods: o.notMethods ?? [],
      paths: o.paths ?? [],
      notPaths: o.notPaths ?? [],
    }),
  );

export const HEADER_KEY = /^request\.headers\[([!#$%&'*+.^_`|~0-9A-Za-z-]+)\]$/;
const IP_KEYS = new Set(['source.ip', 'remote.ip', 'destination.ip']);
const PLAIN_KEYS = new Set(['source.namespace', 'source.principal', 'destination.port', 'connection.sni', ...IP_KEYS]);

function checkConditionValues(key: string, values: readonly string[], field: string, ctx: z.RefinementCtx): void {
  values.forEach((v, i) => {
    if (IP_KEYS.has(key) && !ipOrCidr.safeParse(v).success) fail(ctx, `${JSON.stringify(v)} must be an IP address or a CIDR block for ${key}`, [field, i]);
    if (key === 'destination.port' && !portValue.safeParse(v).success) fail(ctx, `${JSON.stringify(v)} must be a port number for ${key}`, [field, i]);
    if (!IP_KEYS.has(key) && key !== 'destination.port' && !pattern.safeParse(v).success) {
      fail(ctx, `${JSON.stringify(v)}: "*" is only allowed as the first or last character, values must not be empty`, [field, i]);
    }
  });
}

const condition = z
  .strictObject({ key: z.string(), values: z.array(z.string()).optional(), notValues: z.array(z.string()).optional() })
  .superRefine((c, ctx) => {
    if (c.key.startsWith('request.auth.')) return fail(ctx, `key ${c.key}: ${JWT}`, ['key']);
    if (!PLAIN_KEYS.has(c.key) && !HEADER_KEY.test(c.key)) {
      return fail(ctx, `key ${JSON.stringify(c.key)} is not supported: use one of ${AUTHZ_CONDITION_KEYS.join(', ')}`, ['key']);
    }
    if ((c.values ?? []).length === 0 && (c.notValues ?? []).length === 0) fail(ctx, `at least one of values or notValues must be set for key ${c.key}`);
    checkConditionValues(c.key, c.values ?? [], 'values', ctx);
    checkConditionValues(c.key, c.notValues ?? [], 'notValues', ctx);
  })
  .transform((c): AuthorizationCondition => ({ key: c.key, values: c.values ?? [], notValues: c.notValues ?? [] }));

const rule = z
  .strictObject({
    from: z.array(z.strictObject({ source })).optional(),
    to: z.array(z.strictObject({ operation })).optional(),
    when: z.array(condition).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.from !== undefined && r.from.length === 0) fail(ctx, 'from must not be an empty list (leave it out to match any source)', ['from']);
    if (r.to !== undefined && r.to.length === 0) fail(ctx, 'to must not be an empty list (leave it out to match any operation)', ['to']);
  })
  .transform(
    (r): AuthorizationRule => ({ from: (r.from ?? []).map((f) => f.source), to: (r.to ?? []).map((t) => t.operation), when: r.when ?? [] }),
  );

const TARGET_REF = 'targetRef / targetRefs are not supported: select workloads with selector.matchLabels';

const action = z.string().transform((a, ctx): AuthorizationAction => {
  if (a === 'ALLOW' || a === 'DENY' || a === 'AUDIT') return a;
  const message =
    a === 'CUSTOM' ? 'action CUSTOM needs an external authorizer (ext_authz), which Weft does not support' : `unknown action ${JSON.stringify(a)}: use ALLOW, DENY or AUDIT`;
  ctx.issues.push({ code: 'custom', input: a, message });
  return z.NEVER;
});

export const authorizationPolicySpec = z
  .strictObject({
    selector: z.strictObject({ matchLabels: labelMap.default({}) }).optional(),
    targetRef: unsupported(TARGET_REF),
    targetRefs: unsupported(TARGET_REF),
    action: action.optional(),
    provider: unsupported('provider is only for action CUSTOM (ext_authz), which Weft does not support'),
    rules: z.array(rule).optional(),
  })
  .transform(
    (p): AuthorizationPolicy => ({
      selector: p.selector === undefined || Object.keys(p.selector.matchLabels).length === 0 ? null : { matchLabels: p.selector.matchLabels },
      action: p.action ?? 'ALLOW',
      rules: p.rules ?? [],
    }),
  );
