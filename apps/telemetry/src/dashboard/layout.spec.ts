import { impliedLinks, layered, type LayoutLink } from '../../dashboard/layout.js';

/** The topology's layered layout (apps/telemetry/dashboard/layout.js): layers, order, determinism. */
const node = (id: string) => ({ id });
const link = (source: string, target: string): LayoutLink => ({ source, target });

function layers(ids: string[], links: LayoutLink[]): Record<string, [number, number]> {
  const { pos } = layered(ids.map(node), links);
  return Object.fromEntries([...pos].map(([id, p]) => [id, [p.layer, p.index]]));
}

describe('layered layout', () => {
  it.each([
    ['a chain', ['a', 'b', 'c'], [link('a', 'b'), link('b', 'c')], { a: [0, 0], b: [1, 0], c: [2, 0] }],
    ['a node takes its longest path', ['a', 'b', 'c'], [link('a', 'b'), link('b', 'c'), link('a', 'c')], { a: [0, 0], b: [1, 0], c: [2, 0] }],
    ['fan-out ordered by id', ['p', 'z', 'y'], [link('p', 'z'), link('p', 'y')], { p: [0, 0], y: [1, 0], z: [1, 1] }],
    ['isolated nodes stay in layer 0', ['b', 'a'], [], { a: [0, 0], b: [0, 1] }],
    ['links to unknown nodes are ignored', ['a'], [link('a', 'ghost'), link('ghost', 'a')], { a: [0, 0] }],
  ] as const)('%s', (_name, ids, links, want) => {
    expect(layers([...ids], [...links])).toEqual(want);
  });

  it('orders a layer by the mean position of its predecessors (fewer crossings)', () => {
    // a → y and b → x: without the barycentre sweep x (by id) would sit above y and the edges cross
    expect(layers(['a', 'b', 'x', 'y'], [link('a', 'y'), link('b', 'x')])).toEqual({ a: [0, 0], b: [0, 1], y: [1, 0], x: [1, 1] });
  });

  it('terminates on a cycle and gives the same picture whatever the input order', () => {
    const links = [link('a', 'b'), link('b', 'c'), link('c', 'a')];
    const one = layered(['a', 'b', 'c'].map(node), links);
    const two = layered(['c', 'a', 'b'].map(node), [...links].reverse());
    expect([...one.pos].sort()).toEqual([...two.pos].sort());
    expect(Math.max(...[...one.pos.values()].map((p) => p.layer))).toBeLessThan(3);
  });

  it('sizes the drawing from its layers and rows', () => {
    const { width, height } = layered(['a', 'b', 'c'].map(node), [link('a', 'b'), link('a', 'c')], { colWidth: 100, rowHeight: 50, margin: 10, nodeWidth: 80 });
    expect({ width, height }).toEqual({ width: 10 * 2 + 100 + 80, height: 10 * 2 + 2 * 50 });
  });
});

describe('implied service → workload links', () => {
  it('links a service to its workloads by name in the same namespace only', () => {
    const svc = (name: string, namespace = 'default') => ({ id: `service:${namespace}/${name}`, kind: 'service' as const, namespace, name });
    const wl = (name: string, namespace = 'default') => ({ id: `workload:${namespace}/${name}`, kind: 'workload' as const, namespace, name });
    const links = impliedLinks([svc('reviews'), svc('ratings'), wl('reviews-v1'), wl('reviews-v2'), wl('reviewsx'), wl('ratings', 'other'), wl('ratings')]);
    expect(links.map((l) => `${l.source} > ${l.target}`).sort()).toEqual([
      'service:default/ratings > workload:default/ratings',
      'service:default/reviews > workload:default/reviews-v1',
      'service:default/reviews > workload:default/reviews-v2',
    ]);
  });
});
