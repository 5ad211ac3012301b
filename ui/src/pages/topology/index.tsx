/**
 * Topology: who sends to which stream and who consumes it — `GET /api/topology` as a graph (@xyflow/react) in
 * columns by kind, edges labelled with their live rates, refreshed every two seconds — and, below, the services
 * seen in traces over the last 15 minutes (`GET /api/traces/service-graph`) with the calls between them,
 * labelled with call counts and error rates. The page joins the two answers itself: the hub's runtime topology
 * knows nothing of traces. Clicking a node (or Enter on a focused one, or the picker) shows its details; the
 * selection is kept in the URL (`?node=`); a service links to its traces on the Traces page.
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
import { type MouseEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { getServiceGraph, getSystem, getTopology, useApi } from '../../api/index.ts';
import { Link, useSearchParam } from '../../app/router.tsx';
import { Badge, StatusDot } from '../../components/Badge.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Async, ErrorState } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import {
  formatAgo,
  formatCompact,
  formatNodeId,
  formatNumber,
  formatPercent,
  formatRate,
} from '../../lib/format.ts';
import { resolveTheme, usePrefs } from '../../prefs.ts';
import {
  combineTopology,
  graphRows,
  isCall,
  type Kind,
  layoutTopology,
  ROW_HEIGHT,
  type TopologyEdge,
  type TopologyEntity,
  type TopologyGraph,
} from './layout.ts';
import './topology.css';

const REFRESH_MS = 2000;
/** The services' window (a `since` of the service graph), and how often it is re-read: it groups spans. */
const SERVICE_WINDOW = '15m';
const SERVICE_REFRESH_MS = 5000;
const KIND_LABEL: Record<Kind, string> = {
  node: 'Sender',
  stream: 'Stream',
  consumer: 'Consumer',
  service: 'Service',
};
const KINDS = ['node', 'stream', 'consumer', 'service'] as const;
const BADGE_TONE = { node: 'info', stream: 'accent', consumer: 'neutral', service: 'warn' } as const;
const tracesOf = (service: string): string => `/traces?service=${encodeURIComponent(service)}`;
const SOURCE_LABEL: Record<string, string> = {
  ipv4: 'IPv4 source address',
  ipv6: 'hash of an IPv6 source address',
  framed: 'node id from the frame',
  submitted: 'submitted through the hub',
};

type EntityNode = Node<{ entity: TopologyEntity }, 'entity'>;

export default function TopologyPage() {
  const topology = useApi((signal) => getTopology({ signal }), [], { refresh: REFRESH_MS });
  const services = useApi((signal) => getServiceGraph(SERVICE_WINDOW, { signal }), [], {
    refresh: SERVICE_REFRESH_MS,
  });
  const system = useApi((signal) => getSystem({ signal }), [], {});
  const graph = useMemo(
    () => (topology.data ? combineTopology(topology.data, services.data ?? null) : undefined),
    [topology.data, services.data],
  );
  const counts = graph ? countKinds(graph) : null;
  const hint = (
    <TrafficHint title="No senders yet" listeners={system.data?.sequencer.listeners ?? []}>
      <div>Each sender shows up as a node, joined to the streams it writes to.</div>
    </TrafficHint>
  );
  return (
    <>
      <PageHeader
        title="Topology"
        description="Senders → streams → consumer cursors, with the live rate of every flow, and the services seen in traces with the calls between them. Click a node for its details."
        actions={
          counts && (
            <span className="topo-counts muted num">
              {plural(counts.node, 'sender')} · {plural(counts.stream, 'stream')} ·{' '}
              {plural(counts.consumer, 'consumer')} · {plural(counts.service, 'service')}
            </span>
          )
        }
      />
      {services.error && (
        <ErrorState
          what="Loading the services seen in traces"
          error={services.error}
          onRetry={services.reload}
          compact
        />
      )}
      <Async
        state={{ ...topology, data: graph }}
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

function TopologyView({ topology }: { topology: TopologyGraph }) {
  const [selected, setSelected] = useSearchParam('node');
  const { theme } = usePrefs();
  const { fitView } = useReactFlow();

  // Nodes live in state so that xyflow's measurements (and drags) survive a refresh; they are re-placed only when
  // the set of nodes changes. Adjusted while rendering when new data arrives (React's pattern for derived state).
  const [nodes, setNodes] = useState<EntityNode[]>([]);
  const [seen, setSeen] = useState<TopologyGraph | null>(null);
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
          <span>
            <i className="topo-swatch topo-swatch-call" /> service calls (15 min)
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
  if (entity.kind === 'service') return <ServiceView entity={entity} selected={selected} />;
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

type ServiceEntity = Extract<TopologyEntity, { kind: 'service' }>;

/** A service: its spans and errors in the window, and a link to its traces. */
function ServiceView({ entity, selected }: { entity: ServiceEntity; selected: boolean }) {
  // The link leaves the page; it must neither start a drag nor select the node on its way out.
  const follow = (event: MouseEvent) => event.stopPropagation();
  return (
    <div
      className={[
        'topo-node',
        'topo-node-service',
        selected ? 'is-selected' : '',
        entity.errors ? 'has-errors' : '',
      ]
        .filter(Boolean)
        .join(' ')}
      data-kind="service"
      data-label={entity.label}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <div className="topo-node-kind">{KIND_LABEL.service}</div>
      <div className="topo-node-label" title={entity.label}>
        {entity.label}
      </div>
      <div className="topo-node-stats num">
        <span className="topo-node-rate">{formatCompact(entity.spans)} spans</span>
        <span className={entity.errors ? 'topo-node-errors' : 'faint'}>
          {formatCompact(entity.errors)} err
        </span>
      </div>
      <Link
        to={tracesOf(entity.label)}
        className="topo-node-link nodrag"
        onClick={follow}
        aria-label={`Traces of ${entity.label}`}
      >
        Traces →
      </Link>
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
}

function ariaLabelOf(entity: TopologyEntity): string {
  if (entity.kind === 'service')
    return `Service ${entity.label}, ${plural(entity.spans, 'span')}, ${plural(entity.errors, 'error')}`;
  return `${KIND_LABEL[entity.kind]} ${entity.label}, ${formatRate(entity.eventsPerSec)}`;
}

function mergeNodes(topology: TopologyGraph, previous: EntityNode[]): EntityNode[] {
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
      ariaLabel: ariaLabelOf(entity),
    };
  });
}

/** A call edge's label: how many calls, and which share of them failed. */
function callLabel(calls: number, errors: number): string {
  return `${formatCompact(calls)} calls${errors > 0 ? ` · ${formatPercent(errors / calls)} err` : ''}`;
}

function buildEdges(topology: TopologyGraph, selected: string | null): Edge[] {
  return topology.edges.map((e) => {
    const touches = selected !== null && (e.from === selected || e.to === selected);
    const dim = selected !== null && !touches;
    const common = {
      id: e.id,
      source: e.from,
      target: e.to,
      type: 'default',
      labelBgPadding: [6, 3] as [number, number],
      labelBgBorderRadius: 4,
    };
    if (isCall(e)) {
      const color = e.errors > 0 ? 'var(--bad)' : 'var(--chart-2)';
      return {
        ...common,
        label: callLabel(e.calls, e.errors),
        className: ['topo-edge', 'topo-edge-call', dim ? 'is-dim' : '', touches ? 'is-touching' : '']
          .filter(Boolean)
          .join(' '),
        style: { stroke: color, strokeWidth: 1.25 + Math.min(3.5, Math.log10(1 + e.calls)) },
        markerEnd: { type: MarkerType.ArrowClosed, color, width: 16, height: 16 },
      };
    }
    const rate = e.eventsPerSec;
    const flowing = rate > 0;
    const color = e.estimated ? 'var(--chart-4)' : flowing ? 'var(--chart-1)' : 'var(--border-strong)';
    return {
      ...common,
      label: `${e.estimated ? '≈ ' : ''}${formatRate(rate)}`,
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
  topology: TopologyGraph;
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
      {KINDS.map((kind) => {
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
          <Badge tone={BADGE_TONE[entity.kind]}>{KIND_LABEL[entity.kind]}</Badge> {entity.label}
        </span>
      }
      className="topo-details"
    >
      {picker}
      <dl className="topo-facts num" data-testid="topology-details">
        {entity.kind === 'service' ? (
          <>
            <Fact name="Spans (15 min)" value={formatNumber(entity.spans)} />
            <Fact name="Error spans" value={formatNumber(entity.errors)} />
            <Fact name="Error rate" value={formatPercent(entity.spans ? entity.errors / entity.spans : 0)} />
          </>
        ) : (
          <Fact name="Rate" value={formatRate(entity.eventsPerSec)} />
        )}
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
        title={entity.kind === 'service' ? 'Called by' : 'Receives from'}
        edges={incoming}
        other={(e) => e.from}
        label={label}
        onSelect={onSelect}
      />
      <FlowList
        title={entity.kind === 'service' ? 'Calls' : 'Sends to'}
        edges={outgoing}
        other={(e) => e.to}
        label={label}
        onSelect={onSelect}
      />
      {entity.kind === 'service' && (
        <p className="topo-note">
          <Link to={tracesOf(entity.label)}>Show the traces of {entity.label}</Link>
        </p>
      )}
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
  const weight = (e: TopologyEdge) => (isCall(e) ? e.calls : e.eventsPerSec);
  const sorted = [...edges].sort((a, b) => weight(b) - weight(a));
  return (
    <div className="topo-flows">
      <h3>{title}</h3>
      <ul>
        {sorted.map((e) => (
          <li key={e.id}>
            <button type="button" className="link-button" onClick={() => onSelect(other(e))}>
              {label.get(other(e)) ?? other(e)}
            </button>
            {isCall(e) ? (
              <span className="num">{callLabel(e.calls, e.errors)}</span>
            ) : (
              <span className="num">
                {e.estimated ? '≈ ' : ''}
                {formatRate(e.eventsPerSec)}
                {e.events !== undefined && <span className="faint"> · {formatCompact(e.events)} ev</span>}
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** Tall enough for the longest column at about natural size, never taller than the window. */
function graphHeight(topology: TopologyGraph): string {
  const rows = graphRows(topology);
  return `clamp(380px, ${rows * ROW_HEIGHT + 200}px, calc(100vh - 150px))`;
}

function countKinds(topology: TopologyGraph): Record<Kind, number> {
  const counts: Record<Kind, number> = { node: 0, stream: 0, consumer: 0, service: 0 };
  for (const n of topology.nodes) counts[n.kind] += 1;
  return counts;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
