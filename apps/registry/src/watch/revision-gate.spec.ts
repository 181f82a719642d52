import { decideRevision, RevisionGate, type GateDecision } from './revision-gate';

describe('decideRevision', () => {
  const cases: [string, number, number, GateDecision][] = [
    ['first event of a service never seen', 0, 1, 'deliver'],
    ['first event seen past revision 1', 0, 2, 'resync'],
    ['next revision', 3, 4, 'deliver'],
    ['duplicate', 3, 3, 'drop'],
    ['stale', 3, 2, 'drop'],
    ['one event missed', 3, 5, 'resync'],
    ['many events missed', 3, 100, 'resync'],
  ];
  it.each(cases)('%s (held %i, event %i) → %s', (_name, last, revision, want) => {
    expect(decideRevision(last, revision)).toBe(want);
  });
});

describe('RevisionGate', () => {
  // Each step: an event's revision, and the revision a resync snapshot would read at that moment.
  const sequences: [string, number, [number, number][], [GateDecision, number][]][] = [
    ['in order from a snapshot', 2, [[3, 3], [4, 4]], [['deliver', 3], ['deliver', 4]]],
    ['duplicates and stale dropped', 2, [[3, 3], [3, 3], [2, 3], [4, 4]], [['deliver', 3], ['drop', 3], ['drop', 3], ['deliver', 4]]],
    ['gap resyncs to the stored revision, then continues', 2, [[6, 6], [7, 7]], [['resync', 6], ['deliver', 7]]],
    ['forged jump resyncs to the true (lower) revision', 2, [[10, 2], [3, 3]], [['resync', 2], ['deliver', 3]]],
    ['events older than a resync snapshot are dropped', 2, [[5, 6], [4, 6], [6, 6], [7, 7]], [['resync', 6], ['drop', 6], ['drop', 6], ['deliver', 7]]],
  ];
  it.each(sequences)('%s', (_name, start, steps, want) => {
    const gate = new RevisionGate();
    gate.hold('reviews', start);
    const got = steps.map(([revision, stored]): [GateDecision, number] => {
      const d = gate.decide('reviews', revision);
      if (d === 'deliver') gate.hold('reviews', revision);
      if (d === 'resync') gate.hold('reviews', stored);
      return [d, gate.lastOf('reviews')];
    });
    expect(got).toEqual(want);
  });

  it('keeps services apart and knows only the ones it holds', () => {
    const gate = new RevisionGate();
    gate.hold('a', 4);
    expect(gate.decide('a', 5)).toBe('deliver');
    expect(gate.decide('b', 5)).toBe('resync');
    expect(gate.knows('a')).toBe(true);
    expect(gate.knows('b')).toBe(false);
  });
});
