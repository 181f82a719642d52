// Pure (no DOM): the order of a trace's spans in the waterfall. Types for the specs: span-tree.d.ts.

const byStart = (a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Spans depth-first from the roots (no parent, or a parent not in the trace), children by start time.
 * Every span appears once: spans caught in a parent cycle (no root reaches them) follow as roots.
 */
export function ordered(spans) {
  const ids = new Set(spans.map((x) => x.id));
  const kids = new Map();
  for (const x of spans) {
    const p = x.parentId && ids.has(x.parentId) && x.parentId !== x.id ? x.parentId : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p).push(x);
  }
  for (const list of kids.values()) list.sort(byStart);
  const out = [];
  const seen = new Set();
  const visit = (x, depth) => {
    seen.add(x);
    out.push({ span: x, depth });
    for (const child of kids.get(x.id) ?? []) if (!seen.has(child)) visit(child, depth + 1);
  };
  for (const x of kids.get(null) ?? []) if (!seen.has(x)) visit(x, 0);
  for (const x of [...spans].sort(byStart)) if (!seen.has(x)) visit(x, 0);
  return out;
}
