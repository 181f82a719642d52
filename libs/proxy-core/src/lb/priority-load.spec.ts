import { levelForDraw, priorityLoad } from './priority-load';

describe('priorityLoad (Envoy priority levels, overprovisioning 1.4)', () => {
  it.each([
    ['one level, all up', [{ available: 3, total: 3 }], [100]],
    ['one level, all down: load stays on it', [{ available: 0, total: 3 }], [100]],
    ['P0 fully up keeps everything', [{ available: 4, total: 4 }, { available: 4, total: 4 }], [100, 0]],
    ['P0 at 3/4 (105 % with overprovisioning) still keeps everything', [{ available: 3, total: 4 }, { available: 2, total: 2 }], [100, 0]],
    ['P0 at 2/4 spills 30 % to P1 (Envoy docs example: 70/30)', [{ available: 2, total: 4 }, { available: 2, total: 2 }], [70, 30]],
    ['P0 at 1/3 gives P1 the rest', [{ available: 1, total: 3 }, { available: 3, total: 3 }], [46, 54]],
    ['P0 down: all to P1', [{ available: 0, total: 3 }, { available: 3, total: 3 }], [0, 100]],
    ['P0 and P1 partly up, P2 takes the rest', [{ available: 1, total: 5 }, { available: 1, total: 5 }, { available: 5, total: 5 }], [28, 28, 44]],
    ['levels sum under 100: scaled up (normalized total health)', [{ available: 1, total: 5 }, { available: 1, total: 5 }], [50, 50]],
    ['every level down: all on P0', [{ available: 0, total: 2 }, { available: 0, total: 2 }], [100, 0]],
  ])('%s', (_name, levels, expected) => {
    const load = priorityLoad(levels);
    expect(load).toEqual(expected);
    expect(load.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('honours another overprovisioning factor (1.0: strictly by health)', () => {
    expect(priorityLoad([{ available: 3, total: 4 }, { available: 2, total: 2 }], 1)).toEqual([75, 25]);
  });

  it('maps draws in [0, 100) to levels by cumulative load', () => {
    const load = [70, 30];
    expect(levelForDraw(load, 0)).toBe(0);
    expect(levelForDraw(load, 69.99)).toBe(0);
    expect(levelForDraw(load, 70)).toBe(1);
    expect(levelForDraw(load, 99.99)).toBe(1);
    expect(levelForDraw([0, 100], 0)).toBe(1);
  });
});
