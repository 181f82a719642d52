import { ordered } from '../../dashboard/span-tree.js';

/** The waterfall's row order (apps/telemetry/dashboard/span-tree.js). */
const span = (id: string, parentId: string | undefined, timestamp: number) => ({ id, parentId, timestamp });
const rows = (spans: ReturnType<typeof span>[]) => ordered(spans).map((r) => `${'  '.repeat(r.depth)}${r.span.id}`);

describe('waterfall span order', () => {
  it('puts children under their parent, siblings by start time, whatever the arrival order', () => {
    const spans = [span('c2', 'b', 30), span('b', 'a', 10), span('a', undefined, 0), span('c1', 'b', 20), span('d', 'a', 40)];
    expect(rows(spans)).toEqual(['a', '  b', '    c1', '    c2', '  d']);
    expect(rows([...spans].reverse())).toEqual(rows(spans));
  });

  it('treats a span whose parent is missing (not yet arrived) as a root', () => {
    expect(rows([span('x', 'gone', 5), span('a', undefined, 0), span('y', 'x', 6)])).toEqual(['a', 'x', '  y']);
  });

  it('shows every span once, also a self-parented span and spans caught in a parent cycle', () => {
    expect(rows([span('s', 's', 0), span('p', 'q', 1), span('q', 'p', 2)])).toEqual(['s', 'p', '  q']);
  });
});
