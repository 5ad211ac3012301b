/**
 * The traces service graph's shape on screen, shared by the Traces and Topology pages: which column each
 * service goes in, so callers sit left of the services they call. Pure.
 *
 * @module
 */
import type { ServiceGraph } from '../../../src/hub/traces/schema.ts';

/** Column of each service: the longest chain of callers above it (cycles cut at the number of services). */
export function serviceColumns(graph: ServiceGraph): Map<string, number> {
  const column = new Map(graph.services.map((s) => [s.name, 0]));
  for (const e of graph.edges) {
    if (!column.has(e.parent)) column.set(e.parent, 0);
    if (!column.has(e.child)) column.set(e.child, 0);
  }
  for (let pass = 0; pass < column.size; pass++) {
    let changed = false;
    for (const e of graph.edges) {
      const want = column.get(e.parent)! + 1;
      if (want > column.get(e.child)! && want < column.size) {
        column.set(e.child, want);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return column;
}
