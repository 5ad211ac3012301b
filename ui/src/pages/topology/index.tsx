/**
 * Topology: who sends to which stream and who consumes it — `GET /api/topology` as a graph (@xyflow/react) in
 * columns by kind, edges labelled with their live rates, refreshed every two seconds. Clicking a node (or
 * Enter on a focused one, or the picker) shows its details; the selection is kept in the URL (`?node=`).
 *
 * @module
 */
import {
  applyNodeChanges,
  Background,
  Controls,
  type Edge,
  Handle,
  MarkerType,
  type Node,
  type NodeChange,
  type NodeProps,
  Position,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { getSystem, getTopology, type TopologyResponse, useApi } from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge, StatusDot } from '../../components/Badge.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Async } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import { formatAgo, formatCompact, formatNodeId, formatNumber, formatRate } from '../../lib/format.ts';
import { resolveTheme, usePrefs } from '../../prefs.ts';
import { type Kind, layoutTopology, ROW_HEIGHT, type TopologyEntity } from './layout.ts';
import './topology.css';

const REFRESH_MS = 2000;
const KIND_LABEL: Record<Kind, string> = { node: 'Sender', stream: 'Stream', consumer: 'Consumer' };
const SOURCE_LABEL: Record<string, string> = {
  ipv4: 'IPv4 source address',
  ipv6: 'hash of an IPv6 source address',
  framed: 'node id from the frame',
  submitted: 'submitted through the hub',
};

type EntityNode = Node<{ entity: TopologyEntity }, 'entity'>;

export default function TopologyPage() {
  const topology = useApi((signal) => getTopology({ signal }), [], { refresh: REFRESH_MS });
  const system = useApi((signal) => getSystem({ signal }), [], {});
  const counts = topology.data ? countKinds(topology.data) : null;
  const hint = (
    <TrafficHint title="No senders yet" listeners={system.data?.sequencer.listeners ?? []}>
      <div>Each sender shows up as a node, joined to the streams it writes to.</div>
    </TrafficHint>
  );
  return (
    <>
      <PageHeader
        title="Topology"
        description="Senders → streams → consumer cursors, with the live rate of every flow. Click a node for its details."
        actions={
          counts && (
            <span className="topo-counts muted num">
              {plural(counts.node, 'sender')} · {plural(counts.stream, 'stream')} ·{' '}
              {plural(counts.consumer, 'consumer')}
            </span>
          )
        }
      />
      <Async
        state={topology}
        what="Loading the topology"
        isEmpty={(data) => data.nodes.length === 0}
        empty={hint}
      >
        {(data) => (
          <>
            {counts?.node === 0 && hint}
            <ReactFlowProvider>
              <TopologyView topology={data} />
            </ReactFlowProvider>
          </>
        )}
      </Async>
    </>
  );
}

function TopologyView({ topology }: { topology: TopologyResponse }) {
  const [selected, setSelected] = useSearchParam('node');
  const { theme } = usePrefs();
  const { fitView } = useReactFlow();

  // Nodes live in state so that xyflow's measurements (and drags) survive a refresh; they are re-placed only when
  // the set of nodes changes. Adjusted while rendering when new data arrives (React's pattern for derived state).
  const [nodes, setNodes] = useState<EntityNode[]>([]);
  const [seen, setSeen] = useState<TopologyResponse | null>(null);
  if (seen !== topology) {
    setSeen(topology);
    setNodes((previous) => mergeNodes(topology, previous));
  }
  // Selection lives in the URL: xyflow's select changes (a click, Enter or Escape on a focused node) go there.
  const onNodesChange = useCallback(
    (changes: NodeChange<EntityNode>[]) => {
      for (const change of changes) {
        if (change.type !== 'select') continue;
        if (change.selected) setSelected(change.id);
        else if (change.id === selected) setSelected(null);
      }
      const rest = changes.filter((c) => c.type !== 'select');
      if (rest.length > 0) setNodes((current) => applyNodeChanges(rest, current));
    },
    [selected, setSelected],
  );
  const idsKey = useMemo(() => topology.nodes.map((n) => n.id).join('|'), [topology.nodes]);
  useEffect(() => {
    const frame = requestAnimationFrame(() => void fitView({ padding: 0.1, maxZoom: 1.1, duration: 250 }));
    return () => cancelAnimationFrame(frame);
  }, [idsKey, fitView]);

  const edges = useMemo(() => buildEdges(topology, selected), [topology, selected]);
  const shown = useMemo(
    () => nodes.map((n) => (n.selected === (n.id === selected) ? n : { ...n, selected: n.id === selected })),
    [nodes, selected],
  );
  const entity = topology.nodes.find((n) => n.id === selected) ?? null;

  return (
    <div className="topo">
      <div className="topo-graph" data-testid="topology-graph" style={{ height: graphHeight(topology) }}>
        <ReactFlow<EntityNode>
          nodes={shown}
          edges={edges}
          nodeTypes={NODE_TYPES}
          onNodesChange={onNodesChange}
          onNodeClick={(_, node) => setSelected(node.id)}
          onPaneClick={() => setSelected(null)}
          nodesConnectable={false}
          edgesFocusable={false}
          colorMode={resolveTheme(theme)}
          minZoom={0.2}
          maxZoom={2}
          fitView
          fitViewOptions={{ padding: 0.1, maxZoom: 1.1 }}
          proOptions={{ hideAttribution: false }}
          aria-label="Topology graph"
        >
          <Background gap={20} size={1} color="var(--chart-grid)" />
          <Controls showInteractive={false} position="bottom-left" />
        </ReactFlow>
        <div className="topo-legend" aria-hidden="true">
          <span>
            <i className="topo-swatch topo-swatch-flow" /> events flowing
          </span>
          <span>
            <i className="topo-swatch topo-swatch-idle" /> idle
          </span>
          <span>
            <i className="topo-swatch topo-swatch-cursor" /> cursor (rate estimated)
          </span>
        </div>
      </div>
      <Details topology={topology} entity={entity} onSelect={setSelected} />
    </div>
  );
}

const NODE_TYPES = { entity: EntityView };

function EntityView({ data, selected }: NodeProps<EntityNode>) {
  const { entity } = data;
  const active = entity.eventsPerSec > 0;
  return (
    <div
      className={[
        'topo-node',
        `topo-node-${entity.kind}`,
        selected ? 'is-selected' : '',
        active ? 'is-active' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-kind={entity.kind}
      data-label={entity.label}
    >
      {entity.kind !== 'node' && <Handle type="target" position={Position.Left} isConnectable={false} />}
      <div className="topo-node-kind">{KIND_LABEL[entity.kind]}</div>
      <div className="topo-node-label" title={entity.label}>
        {entity.label}
      </div>
      <div className="topo-node-stats num">
        <span className="topo-node-rate">{formatRate(entity.eventsPerSec)}</span>
        <span className="faint">
          {entity.kind === 'consumer'
            ? `lag ${formatCompact(entity.lag)}`
            : `${formatCompact(entity.events)} ev`}
        </span>
      </div>
      {entity.kind !== 'consumer' && <Handle type="source" position={Position.Right} isConnectable={false} />}
    </div>
  );
}

function mergeNodes(topology: TopologyResponse, previous: EntityNode[]): EntityNode[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  const sameSet = previous.length === topology.nodes.length && topology.nodes.every((n) => before.has(n.id));
  const placed = sameSet ? null : new Map(layoutTopology(topology).map((p) => [p.id, p]));
  return topology.nodes.map((entity) => {
    const old = before.get(entity.id);
    const place = placed?.get(entity.id);
    return {
      ...(old ?? {}),
      id: entity.id,
      type: 'entity' as const,
      position: place ? { x: place.x, y: place.y } : (old?.position ?? { x: 0, y: 0 }),
      data: { entity },
      ariaLabel: `${KIND_LABEL[entity.kind]} ${entity.label}, ${formatRate(entity.eventsPerSec)}`,
    };
  });
}

function buildEdges(topology: TopologyResponse, selected: string | null): Edge[] {
  return topology.edges.map((e) => {
    const rate = e.eventsPerSec;
    const flowing = rate > 0;
    const touches = selected !== null && (e.from === selected || e.to === selected);
    const dim = selected !== null && !touches;
    const color = e.estimated ? 'var(--chart-4)' : flowing ? 'var(--chart-1)' : 'var(--border-strong)';
    return {
      id: e.id,
      source: e.from,
      target: e.to,
      type: 'default',
      label: `${e.estimated ? '≈ ' : ''}${formatRate(rate)}`,
      labelBgPadding: [6, 3] as [number, number],
      labelBgBorderRadius: 4,
      className: ['topo-edge', flowing ? 'is-flowing' : '', dim ? 'is-dim' : '', touches ? 'is-touching' : '']
        .filter(Boolean)
        .join(' '),
      style: {
        stroke: color,
        strokeWidth: 1.25 + Math.min(3.5, Math.log10(1 + rate)),
        strokeDasharray: e.estimated ? '5 4' : undefined,
      },
      markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
    };
  });
}

function Details({
  topology,
  entity,
  onSelect,
}: {
  topology: TopologyResponse;
  entity: TopologyEntity | null;
  onSelect: (id: string | null) => void;
}) {
  const picker = (
    <select
      aria-label="Select a node"
      value={entity?.id ?? ''}
      onChange={(e) => onSelect(e.target.value || null)}
      className="topo-picker"
    >
      <option value="">Select a node…</option>
      {(['node', 'stream', 'consumer'] as const).map((kind) => {
        const members = topology.nodes.filter((n) => n.kind === kind);
        return members.length === 0 ? null : (
          <optgroup key={kind} label={`${KIND_LABEL[kind]}s`}>
            {members.map((n) => (
              <option key={n.id} value={n.id}>
                {n.label}
              </option>
            ))}
          </optgroup>
        );
      })}
    </select>
  );
  if (!entity) {
    return (
      <Card title="Details" className="topo-details" actions={null}>
        {picker}
        <p className="muted topo-details-hint">
          Click a node in the graph, focus one with Tab and press Enter, or pick one here to see its numbers
          and flows.
        </p>
      </Card>
    );
  }
  const incoming = topology.edges.filter((e) => e.to === entity.id);
  const outgoing = topology.edges.filter((e) => e.from === entity.id);
  const label = new Map(topology.nodes.map((n) => [n.id, n.label]));
  return (
    <Card
      title={
        <span className="topo-details-title">
          <Badge tone={entity.kind === 'node' ? 'info' : entity.kind === 'stream' ? 'accent' : 'neutral'}>
            {KIND_LABEL[entity.kind]}
          </Badge>{' '}
          {entity.label}
        </span>
      }
      className="topo-details"
    >
      {picker}
      <dl className="topo-facts num" data-testid="topology-details">
        <Fact name="Rate" value={formatRate(entity.eventsPerSec)} />
        {entity.kind === 'node' && (
          <>
            <Fact name="Events" value={formatNumber(entity.events)} />
            <Fact name="Node id" value={`${entity.nodeId} (${formatNodeId(entity.nodeId, false)})`} mono />
            <Fact name="Identity" value={SOURCE_LABEL[entity.source] ?? entity.source} />
            <Fact name="Last event" value={formatAgo(entity.lastSeenMs, topology.at)} />
          </>
        )}
        {entity.kind === 'stream' && (
          <>
            <Fact name="Events" value={formatNumber(entity.events)} />
            <Fact name="Stream id" value={String(entity.streamId)} mono />
            <Fact
              name="Name"
              value={entity.named ? 'registered in the journal' : 'not registered (id only)'}
            />
            <Fact name="Last event" value={formatAgo(entity.lastSeenMs, topology.at)} />
          </>
        )}
        {entity.kind === 'consumer' && (
          <>
            <Fact name="Cursor" value={`#${entity.index}`} mono />
            <Fact name="Position" value={formatNumber(entity.position)} />
            <Fact name="Lag" value={`${formatNumber(entity.lag)} events`} />
            <Fact
              name="Lease"
              value={
                <StatusDot tone={entity.live ? 'ok' : 'neutral'} label={entity.live ? 'live' : 'expired'} />
              }
            />
          </>
        )}
      </dl>
      <FlowList
        title="Receives from"
        edges={incoming}
        other={(e) => e.from}
        label={label}
        onSelect={onSelect}
      />
      <FlowList title="Sends to" edges={outgoing} other={(e) => e.to} label={label} onSelect={onSelect} />
      {entity.kind === 'consumer' && (
        <p className="faint topo-note">
          A cursor does not say which streams it reads: its edges join every stream, with the cursor&apos;s
          own rate.
        </p>
      )}
    </Card>
  );
}

function Fact({ name, value, mono }: { name: string; value: ReactNode; mono?: boolean }) {
  return (
    <div className="topo-fact">
      <dt>{name}</dt>
      <dd className={mono ? 'mono' : undefined}>{value}</dd>
    </div>
  );
}

type TopologyEdge = TopologyResponse['edges'][number];

function FlowList({
  title,
  edges,
  other,
  label,
  onSelect,
}: {
  title: string;
  edges: TopologyEdge[];
  other: (edge: TopologyEdge) => string;
  label: Map<string, string>;
  onSelect: (id: string) => void;
}) {
  if (edges.length === 0) return null;
  const sorted = [...edges].sort((a, b) => b.eventsPerSec - a.eventsPerSec);
  return (
    <div className="topo-flows">
      <h3>{title}</h3>
      <ul>
        {sorted.map((e) => (
          <li key={e.id}>
            <button type="button" className="link-button" onClick={() => onSelect(other(e))}>
              {label.get(other(e)) ?? other(e)}
            </button>
            <span className="num">
              {e.estimated ? '≈ ' : ''}
              {formatRate(e.eventsPerSec)}
              {e.events !== undefined && <span className="faint"> · {formatCompact(e.events)} ev</span>}
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Tall enough for the longest column at about natural size, never taller than the window. */
function graphHeight(topology: TopologyResponse): string {
  const rows = Math.max(...Object.values(countKinds(topology)));
  return `clamp(380px, ${rows * ROW_HEIGHT + 200}px, calc(100vh - 150px))`;
}

function countKinds(topology: TopologyResponse): Record<Kind, number> {
  const counts: Record<Kind, number> = { node: 0, stream: 0, consumer: 0 };
  for (const n of topology.nodes) counts[n.kind] += 1;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
