import { stringify } from 'yaml';

/** Fixed-width columns like kubectl: upper-case header, two spaces between columns. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** Multi-document YAML (`---` between documents), re-appliable with `weftctl apply -f -`. */
export function yamlDocuments(docs: readonly unknown[]): string {
  return docs.map((d) => stringify(d, { lineWidth: 0 }).trimEnd()).join('\n---\n');
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** kubectl's AGE: 45s, 12m, 3h, 5d. */
export function age(since: number, now = Date.now()): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

export type OutputFormat = 'yaml' | 'json' | 'table';
