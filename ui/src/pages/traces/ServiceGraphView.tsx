/**
 * The service graph drawn with @xyflow/react: services placed in columns by call depth (callers left of
 * callees), one edge per caller → callee labelled with its calls and errors; edges with errors are red.
 *
 * @module
 */
import { Background, Controls, type Edge, MarkerType, type Node, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useMemo } from 'react';
import { serviceColumns } from '../../lib/service-graph.ts';
import { resolveTheme, usePrefs } from '../../prefs.ts';
import type { ServiceGraph } from '../../../../src/hub/traces/schema.ts';

const COLUMN = 240;
const ROW = 90;

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
