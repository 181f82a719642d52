// A deterministic layered layout: every node gets the length of the longest path reaching it (cycles
// are cut by bounding the passes), nodes of a layer are ordered by the mean position of their
// predecessors (one barycentre sweep), ties by id. Same input, same picture.

/** Kiali's "versioned app" hint: a service `reviews` leads to its workloads `reviews-v1`, `reviews-v2`. */
export function impliedLinks(nodes) {
  const services = nodes.filter((n) => n.kind === 'service');
  const links = [];
  for (const w of nodes.filter((n) => n.kind === 'workload')) {
    for (const svc of services) {
      if (svc.namespace === w.namespace && (w.name === svc.name || w.name.startsWith(`${svc.name}-`))) links.push({ source: svc.id, target: w.id });
    }
  }
  return links;
}

/** nodes: [{id}], links: [{source, target}] → Map id → {layer, index, x, y}, plus width/height. */
export function layered(nodes, unsortedLinks, { colWidth = 290, rowHeight = 86, margin = 24, nodeWidth = 170 } = {}) {
  const ids = nodes.map((n) => n.id).sort();
  const key = (l) => `${l.source}\n${l.target}`;
  const links = [...unsortedLinks].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const layer = new Map(ids.map((id) => [id, 0]));
  const preds = new Map(ids.map((id) => [id, []]));
  for (const l of links) if (layer.has(l.source) && layer.has(l.target) && l.source !== l.target) preds.get(l.target).push(l.source);
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const l of links) {
      if (!layer.has(l.source) || !layer.has(l.target) || l.source === l.target) continue;
      const want = layer.get(l.source) + 1;
      if (want > layer.get(l.target) && want < ids.length) {
        layer.set(l.target, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = [];
  for (const id of ids) (columns[layer.get(id)] ??= []).push(id);
  const pos = new Map();
  columns.forEach((col, c) => {
    const key = (id) => {
      const ps = preds.get(id).filter((p) => pos.has(p));
      return ps.length === 0 ? Infinity : ps.reduce((a, p) => a + pos.get(p).index, 0) / ps.length;
    };
    const ordered = col.map((id) => [key(id), id]).sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1)).map(([, id]) => id);
    ordered.forEach((id, index) => pos.set(id, { layer: c, index, x: margin + c * colWidth, y: margin + index * rowHeight }));
  });
  const rows = Math.max(1, ...columns.map((col) => col?.length ?? 0));
  return { pos, width: margin * 2 + Math.max(0, columns.length - 1) * colWidth + nodeWidth, height: margin * 2 + rows * rowHeight, nodeWidth };
}
