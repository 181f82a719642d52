// Reads a V8 .cpuprofile (node --cpu-prof) and answers "where does the time go": self time per
// function and per area (Weft's own code, each dependency, Node internals, GC, idle).
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

/**
 * Self time in ms per profile node id, from the samples and their time deltas, counting only the
 * samples taken inside `window` ({ fromUs, toUs } on CLOCK_MONOTONIC, as process.hrtime and V8's
 * profile timestamps both are), so start-up and shutdown stay out of the picture.
 */
function selfTimes(profile, window) {
  const self = new Map();
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    if (window !== null && (t < window.fromUs || t > window.toUs)) continue;
    // The interval up to the next sample belongs to this one.
    const dt = (timeDeltas[i + 1] ?? 0) / 1000;
    self.set(samples[i], (self.get(samples[i]) ?? 0) + dt);
  }
  return self;
}

/** Where a script lives, for grouping: weft:<project>, npm:<package>, node:internal, or the special frames. */
function area(url, functionName, root) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(/^file:\/\//, '');
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (nm !== null) return `npm:${nm[1]}`;
  if (path.startsWith('node:')) return 'node:internal';
  const rel = relative(root, path);
  const m = /^(apps|libs)\/([^/]+)\//.exec(rel);
  return m !== null ? `weft:${m[1]}/${m[2]}` : rel;
}

/** The nearest caller that is Weft's code or a dependency's (skipping native and node:internal frames). */
function ownerOf(id, parent, nodes, root) {
  for (let cur = parent.get(id); cur !== undefined; cur = parent.get(cur)) {
    const { functionName, url } = nodes.get(cur).callFrame;
    const a = area(url, functionName, root);
    if (a.startsWith('npm:') || a.startsWith('weft:')) return `${functionName || '(anonymous)'} (${a})`;
  }
  return '(node internals only)';
}

/** Top functions by self time and the split by area, as percentages of the sampled time. */
export function summarizeProfile(file, root, { top = 20, window = null } = {}) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const self = selfTimes(profile, window);
  const parent = new Map();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byFunction = new Map();
  const owners = new Map();
  const byArea = new Map();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName === '' ? '(anonymous)' : functionName;
    const where = url === '' ? '' : `${relative(root, url.replace(/^file:\/\//, ''))}:${lineNumber + 1}`;
    const key = `${name} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) ?? 0) + ms);
    const owner = ownerOf(node.id, parent, nodes, root);
    const o = owners.get(key) ?? new Map();
    o.set(owner, (o.get(owner) ?? 0) + ms);
    owners.set(key, o);
    const a = area(url, name, root);
    byArea.set(a, (byArea.get(a) ?? 0) + ms);
    total += ms;
    if (name === '(idle)') idle += ms;
  }
  const busy = total - idle;
  const rank = (m, n) =>
    [...m.entries()]
      .filter(([k]) => k !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pctBusy: (100 * ms) / busy }));
  const functions = rank(byFunction, top).map((f) => ({ ...f, via: rank(owners.get(f.name) ?? new Map(), 2) }));
  return { totalMs: Math.round(total), idleMs: Math.round(idle), functions, areas: rank(byArea, 12) };
}

export function printProfile(summary) {
  const { totalMs, idleMs, functions, areas } = summary;
  console.log(`\nCPU profile of the single Weft proxy during the wrk run (sampled ${totalMs} ms, idle ${idleMs} ms; % of busy time)`);
  console.log('  self %   self ms  function');
  for (const f of functions) {
    const via = f.via.filter((v) => !f.name.includes(v.name.split(' (')[0])).map((v) => `${v.name} ${Math.round((100 * v.ms) / f.ms)}%`);
    console.log(`  ${f.pctBusy.toFixed(1).padStart(6)}  ${String(f.ms).padStart(8)}  ${f.name}${via.length > 0 ? `  ← ${via.join(', ')}` : ''}`);
  }
  console.log('\n  by area:');
  for (const a of areas) console.log(`  ${a.pctBusy.toFixed(1).padStart(6)}  ${String(a.ms).padStart(8)}  ${a.name}`);
}
