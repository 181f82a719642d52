import type { RuleKindName, StoredRuleView } from '@weft/api';
import { qualifiedName } from '../kinds';
import { age, table } from '../output';

type Spec = Record<string, unknown>;
interface Columns {
  readonly header: readonly string[];
  readonly cells: (spec: Spec) => string[];
}

const list = (v: unknown): string => (Array.isArray(v) ? JSON.stringify(v) : '');
const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

/** The columns Istio's CRDs print (`additionalPrinterColumns`), AGE last. */
const COLUMNS: Readonly<Record<string, Columns>> = {
  VirtualService: { header: ['GATEWAYS', 'HOSTS'], cells: (s) => [list(s['gateways']), list(s['hosts'])] },
  DestinationRule: { header: ['HOST'], cells: (s) => [text(s['host'])] },
  ServiceEntry: {
    header: ['HOSTS', 'LOCATION', 'RESOLUTION'],
    cells: (s) => [list(s['hosts']), text(s['location']), text(s['resolution'])],
  },
  WorkloadEntry: { header: ['ADDRESS'], cells: (s) => [text(s['address'])] },
};
const NONE: Columns = { header: [], cells: () => [] };

/** kubectl-style table of one kind's rules (`-A` adds NAMESPACE; several kinds qualify NAME). */
export function ruleTable(kind: RuleKindName, rules: readonly StoredRuleView[], allNamespaces: boolean, qualify: boolean): string {
  const cols = COLUMNS[kind.kind] ?? NONE;
  const header = [...(allNamespaces ? ['NAMESPACE'] : []), 'NAME', ...cols.header, 'AGE'];
  const rows = rules.map((r) => {
    const spec = (r.document['spec'] ?? {}) as Spec;
    const name = qualify ? qualifiedName(kind, kind.kind, r.name) : r.name;
    return [...(allNamespaces ? [r.namespace] : []), name, ...cols.cells(spec), age(r.createdAt)];
  });
  return table(header, rows);
}
