/**
 * The service graph drawn with @xyflow/react: services placed in columns by call depth (callers left of
 * callees), one edge per caller → callee labelled with its calls and errors; edges with errors are red.
 *
 * @module
 */
import { Background, Controls, type Edge, MarkerType, type Node, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { resolveTheme, usePrefs } from '../../prefs.ts';
import type { ServiceGraph } from '../../../../src/hub/traces/schema.ts';

const COLUMN = 240;
const ROW = 90;

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

export function ServiceGraphView({ graph }: { graph: ServiceGraph }) {
  const { theme } = usePrefs();
  const { nodes, edges, height } = useMemo(() => {
    const columns = serviceColumns(graph);
    const rows = new Map<number, number>();
    const stats = new Map(graph.services.map((s) => [s.name, s]));
    const nodes: Node[] = [...columns.entries()].map(([name, col]) => {
      const row = rows.get(col) ?? 0;
      rows.set(col, row + 1);
      const s = stats.get(name);
      return {
        id: name,
        position: { x: col * COLUMN, y: row * ROW },
        data: { label: `${name}${s ? ` · ${s.spans} spans${s.errors ? `, ${s.errors} errors` : ''}` : ''}` },
        connectable: false,
      };
    });
    const edges: Edge[] = graph.edges.map((e) => ({
      id: `${e.parent}→${e.child}`,
      source: e.parent,
      target: e.child,
      label: `${e.calls} calls${e.errors ? `, ${e.errors} errors` : ''}`,
      markerEnd: { type: MarkerType.ArrowClosed },
      style: { stroke: e.errors ? 'var(--bad)' : 'var(--chart-1)', strokeWidth: 2 },
    }));
    const height = Math.max(220, Math.max(1, ...rows.values()) * ROW + 80);
    return { nodes, edges, height };
  }, [graph]);
  return (
    <div className="traces-graph" style={{ height }}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodesConnectable={false}
        edgesFocusable={false}
        colorMode={resolveTheme(theme)}
        fitView
        fitViewOptions={{ padding: 0.2, maxZoom: 1.1 }}
        aria-label="Service graph"
      >
        <Background gap={20} size={1} color="var(--chart-grid)" />
        <Controls showInteractive={false} position="bottom-left" />
      </ReactFlow>
    </div>
  );
}
