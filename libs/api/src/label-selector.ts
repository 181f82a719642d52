/**
 * Kubernetes label selectors (https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/):
 * `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k` (exists), `!k` (absent), joined by commas
 * (AND). Parsed once into requirements; `matches` is a flat loop.
 */
export type Requirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | 'absent'; readonly values: readonly string[] };

export type LabelSelector = readonly Requirement[];

const KEY = /^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Splits on commas that are not inside parentheses. */
function splitTerms(input: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(input.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new Error(`unbalanced ")" in selector "${input}"`);
  }
  if (depth !== 0) throw new Error(`unbalanced "(" in selector "${input}"`);
  terms.push(input.slice(start));
  return terms.map((t) => t.trim());
}

function checkKey(key: string, term: string): string {
  if (!KEY.test(key)) throw new Error(`invalid label key "${key}" in "${term}"`);
  return key;
}

function checkValue(value: string, term: string): string {
  if (!VALUE.test(value)) throw new Error(`invalid label value "${value}" in "${term}"`);
  return value;
}

function parseSet(term: string): Requirement | null {
  const m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (m === null) return null;
  const values = m[3].split(',').map((v) => checkValue(v.trim(), term));
  return { key: checkKey(m[1], term), op: m[2] as 'in' | 'notin', values };
}

function parseTerm(term: string): Requirement {
  if (term === '') throw new Error('empty term in selector');
  const set = parseSet(term);
  if (set !== null) return set;
  const eq = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
  if (eq !== null) {
    const op = eq[2] === '!=' ? 'notin' : 'in';
    return { key: checkKey(eq[1], term), op, values: [checkValue(eq[3], term)] };
  }
  if (term.startsWith('!')) return { key: checkKey(term.slice(1).trim(), term), op: 'absent', values: [] };
  return { key: checkKey(term, term), op: 'exists', values: [] };
}

export function parseLabelSelector(input: string): LabelSelector {
  const trimmed = input.trim();
  if (trimmed === '') return [];
  return splitTerms(trimmed).map(parseTerm);
}

export function matchesSelector(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    const value = has ? labels[r.key] : undefined;
    switch (r.op) {
      case 'exists':
        if (!has) return false;
        break;
      case 'absent':
        if (has) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(value as string)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(value as string)) return false;
        break;
    }
  }
  return true;
}

/** Selector from a plain map (Istio `workloadSelector.labels`): every pair must match. */
export function selectorFromLabels(map: Readonly<Record<string, string>>): LabelSelector {
  return Object.entries(map).map(([key, value]) => ({ key, op: 'in' as const, values: [value] }));
}
