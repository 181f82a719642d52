/**
 * Istio's AuthorizationPolicy values → Envoy RBAC leaves (envoy.config.rbac.v3 Permission / Principal,
 * protobufjs object form), as istio `pilot/pkg/security/authz/model` generates them. Values use Istio's
 * string forms: exact, `abc*` (prefix), `*abc` (suffix), `*` (present).
 */

type Obj = Record<string, unknown>;

const PRESENT = { safe_regex: { regex: '.+' } };

/** An Istio string value → envoy.type.matcher.v3.StringMatcher (`*` → any non-empty value). */
export function stringMatch(value: string, opts: { prefix?: string; ignoreCase?: boolean } = {}): Obj {
  const before = opts.prefix ?? '';
  const ic = opts.ignoreCase === true ? { ignore_case: true } : {};
  if (value === '*') return PRESENT;
  if (value.startsWith('*')) return { suffix: value.slice(1), ...ic };
  if (value.endsWith('*')) return { prefix: before + value.slice(0, -1), ...ic };
  return { exact: before + value, ...ic };
}

/** A header matcher (`:method`, `:authority` or a request header); `*` → present. */
export function headerMatch(name: string, value: string, ignoreCase = false): Obj {
  if (value === '*') return { header: { name, present_match: true } };
  return { header: { name, string_match: stringMatch(value, { ignoreCase }) } };
}

/**
 * `hosts`: `:authority`, case-insensitive. An exact host without a port also matches it with any port
 * (`reviews` matches `reviews:9080`, as clients send it).
 */
export function hostMatches(value: string): Obj[] {
  const exact = headerMatch(':authority', value, true);
  if (value.includes('*') || value.includes(':')) return [exact];
  return [exact, headerMatch(':authority', `${value}:*`, true)];
}

export function pathMatch(value: string): Obj {
  return { url_path: { path: stringMatch(value) } };
}

export function portMatch(port: number): Obj {
  return { destination_port: port };
}

/** Istio principals have no scheme: `cluster.local/ns/x/sa/y` → `spiffe://cluster.local/ns/x/sa/y`. */
export function principalMatch(value: string): Obj {
  const principalName = value.startsWith('*') ? stringMatch(value) : stringMatch(value, { prefix: 'spiffe://' });
  return { authenticated: { principal_name: principalName } };
}

const REGEX_META = /[.+?^${}()|[\]\\]/g;

/** A source namespace: any SPIFFE ID in it (`*` in the value matches any characters). */
export function namespaceMatch(value: string): Obj {
  const ns = value.replace(REGEX_META, '\\$&').replace(/\*/g, '.*');
  return { authenticated: { principal_name: { safe_regex: { regex: `spiffe://[^/]+/ns/${ns}/sa/.*` } } } };
}

/** `10.0.0.0/8` or a single address (/32, /128) → envoy.config.core.v3.CidrRange. */
export function cidr(value: string): Obj {
  const [address, len] = value.split('/', 2) as [string, string | undefined];
  const max = address.includes(':') ? 128 : 32;
  return { address_prefix: address, prefix_len: { value: len === undefined ? max : Number(len) } };
}
