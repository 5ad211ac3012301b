import { describe, expect, it } from 'vitest';
import { serviceColumns } from './service-graph.ts';

const graph = (edges: [string, string][]) => ({
  services: [...new Set(edges.flat())].map((name) => ({ name, spans: 1, errors: 0 })),
  edges: edges.map(([parent, child]) => ({ parent, child, calls: 1, errors: 0 })),
});

describe('serviceColumns', () => {
  it('puts callers left of their callees, by the longest chain of callers', () => {
    const columns = serviceColumns(
      graph([
        ['web', 'cart'],
        ['cart', 'db'],
        ['web', 'db'],
      ]),
    );
    expect(Object.fromEntries(columns)).toEqual({ web: 0, cart: 1, db: 2 });
  });

  it('terminates on cycles, within the number of services', () => {
    const columns = serviceColumns(
      graph([
        ['a', 'b'],
        ['b', 'a'],
      ]),
    );
    expect([...columns.values()].every((c) => c >= 0 && c < 2)).toBe(true);
  });
});
