import type { SupportPolicy, Verdict } from '../proto/proto-json';
import { BOOTSTRAP_SUPPORT } from './bootstrap.matrix';
import { CLUSTER_SUPPORT } from './cluster.matrix';
import { LISTENER_SUPPORT } from './listener.matrix';
import { RBAC_SUPPORT } from './rbac.matrix';
import { ROUTE_SUPPORT } from './route.matrix';
import { TLS_SUPPORT } from './tls.matrix';

/**
 * What weft-proxy does with each field of each Envoy message it accepts: an explicit allow-list.
 * `honoured`: implemented by the data path. `ignored`: accepted, changes nothing observable in
 * weft-proxy. Any other field that is set is rejected at load with its path and "not supported by
 * weft-proxy" (plus the reason from `reasons`, when there is one). A message type absent from the
 * matrix is rejected as a whole.
 */
export interface MessageSupport {
  readonly honoured: readonly string[];
  readonly ignored?: readonly string[];
  /** Accepted payload types of Any / map<string, Any> fields ('*': any type, kept opaque). */
  readonly anyTypes?: Readonly<Record<string, readonly string[]>>;
  readonly reasons?: Readonly<Record<string, string>>;
  /** Value constraints the converters add (documentation). */
  readonly notes?: readonly string[];
}

export type SupportMatrix = Readonly<Record<string, MessageSupport>>;

export const SUPPORT_MATRIX: SupportMatrix = {
  ...BOOTSTRAP_SUPPORT,
  ...LISTENER_SUPPORT,
  ...ROUTE_SUPPORT,
  ...CLUSTER_SUPPORT,
  ...RBAC_SUPPORT,
  ...TLS_SUPPORT,
};

export const NOT_SUPPORTED = 'not supported by weft-proxy';

const HONOURED: Verdict = { kind: 'honoured' };
const IGNORED: Verdict = { kind: 'ignored' };

class MatrixPolicy implements SupportPolicy {
  private readonly verdicts: Map<string, Map<string, Verdict>>;

  constructor(private readonly matrix: SupportMatrix) {
    this.verdicts = new Map();
    for (const [type, support] of Object.entries(matrix)) {
      const fields = new Map<string, Verdict>();
      for (const f of support.honoured) fields.set(f, HONOURED);
      for (const f of support.ignored ?? []) fields.set(f, IGNORED);
      this.verdicts.set(type, fields);
    }
  }

  knows(typeName: string): boolean {
    return this.verdicts.has(typeName);
  }

  verdict(typeName: string, field: string): Verdict {
    const found = this.verdicts.get(typeName)?.get(field);
    if (found !== undefined) return found;
    const reason = this.matrix[typeName]?.reasons?.[field];
    return { kind: 'rejected', reason: reason === undefined ? NOT_SUPPORTED : `${NOT_SUPPORTED} (${reason})` };
  }

  anyTypes(typeName: string, field: string): readonly string[] {
    return this.matrix[typeName]?.anyTypes?.[field] ?? [];
  }
}

export const SUPPORT_POLICY: SupportPolicy = new MatrixPolicy(SUPPORT_MATRIX);

/** The matrix as Markdown (docs/proxy-config.md embeds this output; a spec keeps them in sync). */
export function renderSupportMatrix(matrix: SupportMatrix = SUPPORT_MATRIX): string {
  const code = (names: readonly string[]): string => (names.length === 0 ? '—' : names.map((n) => `\`${n}\``).join(', '));
  const sections = Object.entries(matrix).map(([type, s]) => {
    const lines = [`#### \`${type}\``, '', `- honoured: ${code(s.honoured)}`];
    if ((s.ignored ?? []).length > 0) lines.push(`- accepted and ignored: ${code(s.ignored ?? [])}`);
    for (const [field, types] of Object.entries(s.anyTypes ?? {})) lines.push(`- \`${field}\` payload types: ${code(types)}`);
    for (const note of s.notes ?? []) lines.push(`- ${note}`);
    for (const [field, reason] of Object.entries(s.reasons ?? {})) lines.push(`- rejected: \`${field}\` — ${reason}`);
    lines.push('- any other field: rejected');
    return lines.join('\n');
  });
  return sections.join('\n\n') + '\n';
}
