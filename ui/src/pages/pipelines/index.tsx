/**
 * Pipelines: a graph editor (@xyflow/react) for source → filter/transform/join/aggregate → sink pipelines.
 * Drag a kind from the palette onto the canvas (or press it with the keyboard), connect an output handle to an
 * input handle (a join has `left` and `right`), and set each node up in the panel on the right. Saving sends the
 * graph to the hub, whose validation issues come back onto the nodes; a valid pipeline can run over live events,
 * with each node's counters on the graph (re-read every second), and be dry-run on a recorded range below.
 * The pipeline being edited is kept in the URL (`?id=`).
 *
 * @module
 */
import {
  addEdge,
  applyEdgeChanges,
  applyNodeChanges,
  Background,
  type Connection,
  Controls,
  type Edge,
  type EdgeChange,
  MarkerType,
  type NodeChange,
  ReactFlow,
  ReactFlowProvider,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { type PointerEvent as ReactPointerEvent, useCallback, useMemo, useRef, useState } from 'react';
import {
  type ApiError,
  createPipeline,
  deletePipeline,
  getPipeline,
  getStreams,
  listPipelines,
  setPipelineRunning,
  toApiError,
  updatePipeline,
  useApi,
} from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ErrorState } from '../../components/States.tsx';
import { formatNumber } from '../../lib/format.ts';
import { resolveTheme, usePrefs } from '../../prefs.ts';
import { NODE_KINDS, type NodeKind, type PipelineView } from '../../../../src/hub/pipelines/schema.ts';
import { ConfigPanel } from './ConfigPanel.tsx';
import { DryRunPanel } from './DryRunPanel.tsx';
import {
  type Config,
  defaultConfig,
  edgeOf,
  fromView,
  issuesByNode,
  KIND_HINTS,
  KIND_TITLES,
  nextId,
  type PipeNode,
  toBody,
} from './graph.ts';
import { PipelineNodeView } from './PipelineNode.tsx';
import './pipelines.css';

const LIVE_MS = 1000;
const NODE_TYPES = { pipe: PipelineNodeView };
const STATE_TONES: Record<PipelineView['status']['state'], Tone> = {
  running: 'ok',
  stopped: 'neutral',
  failed: 'bad',
};

export default function PipelinesPage() {
  const [id, setId] = useSearchParam('id');
  const [listVersion, setListVersion] = useState(0);
  const list = useApi((signal) => listPipelines({ signal }), [listVersion], {});
  return (
    <>
      <PageHeader
        title="Pipelines"
        description="Filter, transform, join and aggregate events into derived streams, webhooks, alert events and dashboard series — over live traffic, or dry-run on recorded events first."
        actions={
          <label className="pipe-picker">
            <span className="muted">Pipeline</span>
            <select
              value={id ?? ''}
              onChange={(e) => setId(e.target.value || null, { push: true })}
              data-testid="pipeline-picker"
            >
              <option value="">New pipeline</option>
              {(list.data?.pipelines ?? []).map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
        }
      />
      {list.error && (
        <ErrorState what="Loading the pipelines" error={list.error} onRetry={list.reload} compact />
      )}
      <ReactFlowProvider key={id ?? 'new'}>
        <Editor
          id={id}
          onSaved={(saved) => {
            setListVersion((v) => v + 1);
            if (saved !== id) setId(saved, { push: true });
          }}
          onDeleted={() => {
            setListVersion((v) => v + 1);
            setId(null, { push: true });
          }}
        />
      </ReactFlowProvider>
    </>
  );
}

interface EditorProps {
  id: string | null;
  onSaved(id: string): void;
  onDeleted(): void;
}

/** Loads the saved graph once, then hands it to the editor as its starting state. */
function Editor(props: EditorProps) {
  const { id } = props;
  const initial = useApi(
    (signal) => (id === null ? Promise.resolve(null) : getPipeline(id, { signal })),
    [id],
    {},
  );
  if (id === null) return <GraphEditor {...props} initial={null} />;
  if (initial.data) return <GraphEditor {...props} initial={initial.data} />;
  return initial.error ? (
    <ErrorState what="Loading the pipeline" error={initial.error} onRetry={initial.reload} />
  ) : (
    <p className="muted">Loading the pipeline…</p>
  );
}

function GraphEditor({ id, onSaved, onDeleted, initial }: EditorProps & { initial: PipelineView | null }) {
  const { screenToFlowPosition } = useReactFlow();
  const { theme } = usePrefs();
  const start = useMemo(() => (initial ? fromView(initial) : { nodes: [], edges: [] }), [initial]);
  const [name, setName] = useState(initial?.name ?? 'New pipeline');
  const [nodes, setNodes] = useState<PipeNode[]>(start.nodes);
  const [edges, setEdges] = useState<Edge[]>(start.edges);
  const [selected, setSelected] = useState<string | null>(null);
  const [dirty, setDirty] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [dragging, setDragging] = useState<{ kind: NodeKind; x: number; y: number } | null>(null);
  const canvas = useRef<HTMLDivElement>(null);

  const streams = useApi((signal) => getStreams({ signal }), [], {});
  const streamNames = useMemo(() => (streams.data?.streams ?? []).map((s) => s.name), [streams.data]);
  const live = useApi((signal) => (id === null ? Promise.resolve(null) : getPipeline(id, { signal })), [id], {
    refresh: LIVE_MS,
  });
  const view = live.data ?? initial;

  const running = view?.status.state === 'running';
  const { byNode, graph: graphIssues } = useMemo(() => issuesByNode(view?.validation.issues ?? []), [view]);
  const shownNodes = useMemo(
    () =>
      nodes.map((n) => ({
        ...n,
        data: { ...n.data, issues: byNode.get(n.id) ?? [], counters: view?.status.nodes[n.id] ?? null },
      })),
    [nodes, byNode, view],
  );

  const change = () => {
    setDirty(true);
    setNotice(null);
  };
  const onNodesChange = useCallback((changes: NodeChange<PipeNode>[]) => {
    setNodes((ns) => applyNodeChanges(changes, ns));
    if (changes.some((c) => c.type === 'remove' || (c.type === 'position' && c.dragging === false))) change();
  }, []);
  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((es) => applyEdgeChanges(changes, es));
    if (changes.some((c) => c.type === 'remove')) change();
  }, []);
  const onConnect = useCallback((c: Connection) => {
    const edge = edgeOf(c.source, c.target, c.targetHandle ?? 'in');
    setEdges((es) => (es.some((e) => e.id === edge.id) ? es : addEdge(edge, es)));
    change();
  }, []);

  const addNode = (kind: NodeKind, position: { x: number; y: number }) => {
    setNodes((ns) => {
      const nodeId = nextId(kind, ns);
      setSelected(nodeId);
      return [
        ...ns.map((n) => ({ ...n, selected: false })),
        {
          id: nodeId,
          type: 'pipe',
          position,
          selected: true,
          data: { kind, label: '', config: defaultConfig(kind, streamNames), issues: [], counters: null },
        },
      ];
    });
    change();
  };

  /** Where a node added without dragging goes: right of the last one. */
  const nextFreePosition = () => {
    const last = nodes[nodes.length - 1];
    return last ? { x: last.position.x + 240, y: last.position.y } : { x: 40, y: 80 };
  };

  const startDrag = (kind: NodeKind) => (e: ReactPointerEvent<HTMLButtonElement>) => {
    if (running || e.button !== 0) return;
    e.preventDefault();
    const start = { x: e.clientX, y: e.clientY };
    setDragging({ kind, ...start });
    const move = (ev: PointerEvent) => setDragging({ kind, x: ev.clientX, y: ev.clientY });
    const up = (ev: PointerEvent) => {
      window.removeEventListener('pointermove', move);
      setDragging(null);
      const moved = Math.hypot(ev.clientX - start.x, ev.clientY - start.y) > 4;
      const rect = canvas.current?.getBoundingClientRect();
      const inside =
        rect !== undefined &&
        ev.clientX >= rect.left &&
        ev.clientX <= rect.right &&
        ev.clientY >= rect.top &&
        ev.clientY <= rect.bottom;
      if (moved && inside) addNode(kind, screenToFlowPosition({ x: ev.clientX - 90, y: ev.clientY - 20 }));
      else if (!moved) addNode(kind, nextFreePosition());
    };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up, { once: true });
  };

  const act = async (what: string, work: () => Promise<PipelineView>) => {
    setActionError(null);
    setNotice(null);
    try {
      const result = await work();
      setNotice(what);
      live.reload();
      return result;
    } catch (e) {
      setActionError(toApiError(e));
      return null;
    }
  };

  const save = async () => {
    const body = toBody(name, nodes, edges);
    const saved = await act('Saved', () => (id === null ? createPipeline(body) : updatePipeline(id, body)));
    if (saved) {
      setDirty(false);
      setNotice(
        saved.validation.ok
          ? 'Saved'
          : `Saved as a draft with ${saved.validation.issues.length} issue(s): see the marked nodes`,
      );
      onSaved(saved.id);
    }
  };

  const selectedNode = nodes.find((n) => n.id === selected) ?? null;
  const updateSelected = (config: Config, label?: string) => {
    setNodes((ns) =>
      ns.map((n) =>
        n.id === selected
          ? { ...n, data: { ...n.data, config, ...(label === undefined ? {} : { label }) } }
          : n,
      ),
    );
    change();
  };
  const deleteSelected = () => {
    setNodes((ns) => ns.filter((n) => n.id !== selected));
    setEdges((es) => es.filter((e) => e.source !== selected && e.target !== selected));
    setSelected(null);
    change();
  };
  const kinds = useMemo(() => new Map(nodes.map((n) => [n.id, n.data.kind])), [nodes]);

  return (
    <>
      <Card className="pipe-toolbar-card">
        <div className="pipe-toolbar">
          <input
            className="pipe-name"
            aria-label="Pipeline name"
            value={name}
            disabled={running}
            data-testid="pipeline-name"
            onChange={(e) => {
              setName(e.target.value);
              change();
            }}
          />
          {view && (
            <Badge tone={STATE_TONES[view.status.state]} title={view.status.lastError ?? undefined}>
              <span data-testid="pipeline-state">{view.status.state}</span>
            </Badge>
          )}
          {view && !view.validation.ok && (
            <Badge tone="warn">draft: {view.validation.issues.length} issue(s)</Badge>
          )}
          {view?.status.position !== null && view !== null && (
            <span className="muted num">
              position {formatNumber(view.status.position)} · lag {formatNumber(view.status.lag)}
              {view.status.lost > 0 ? ` · lost ${formatNumber(view.status.lost)}` : ''}
            </span>
          )}
          <span className="pipe-toolbar-spacer" />
          {dirty && <span className="muted">unsaved changes</span>}
          <Button
            variant="primary"
            onClick={() => void save()}
            disabled={running}
            data-testid="pipeline-save"
            title={running ? 'Stop the pipeline to edit it' : undefined}
          >
            Save
          </Button>
          {id !== null && (
            <Button
              onClick={() =>
                void act(running ? 'Stopped' : 'Running', () => setPipelineRunning(id, !running))
              }
              disabled={!running && (dirty || view?.validation.ok === false)}
              data-testid="pipeline-run"
              title={!running && dirty ? 'Save first' : undefined}
            >
              {running ? 'Stop' : 'Run'}
            </Button>
          )}
          {id !== null && (
            <Button
              variant="danger"
              onClick={() =>
                void act('Deleted', () => deletePipeline(id)).then((r) => {
                  if (r) onDeleted();
                })
              }
            >
              Delete
            </Button>
          )}
        </div>
        {notice && (
          <p className="pipe-notice" role="status" data-testid="pipeline-notice">
            {notice}
          </p>
        )}
        {actionError && <ErrorState what="The last action" error={actionError} compact />}
        {graphIssues.length > 0 && (
          <ul className="pipe-graph-issues" role="alert" data-testid="graph-issues">
            {graphIssues.map((i) => (
              <li key={i.path + i.message}>{i.message}</li>
            ))}
          </ul>
        )}
      </Card>
      <div className="pipe-editor">
        <nav className="pipe-palette" aria-label="Node kinds">
          <div className="field-label">Drag onto the canvas</div>
          {NODE_KINDS.map((kind) => (
            <button
              key={kind}
              type="button"
              className={`pipe-palette-item pipe-node-${kind}`}
              disabled={running}
              title={KIND_HINTS[kind]}
              data-testid={`palette-${kind}`}
              onPointerDown={startDrag(kind)}
              onClick={(e) => {
                if (e.detail === 0) addNode(kind, nextFreePosition());
              }}
            >
              {KIND_TITLES[kind]}
            </button>
          ))}
        </nav>
        <div className="pipe-canvas" ref={canvas} data-testid="pipeline-canvas">
          <ReactFlow<PipeNode>
            nodes={shownNodes}
            edges={edges}
            nodeTypes={NODE_TYPES}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onSelectionChange={({ nodes: sel }) => setSelected(sel[0]?.id ?? null)}
            nodesConnectable={!running}
            nodesDraggable={!running}
            deleteKeyCode={running ? null : ['Backspace', 'Delete']}
            defaultEdgeOptions={{ markerEnd: { type: MarkerType.ArrowClosed } }}
            colorMode={resolveTheme(theme)}
            fitView={start.nodes.length > 0}
            fitViewOptions={{ padding: 0.2, maxZoom: 1 }}
            defaultViewport={{ x: 0, y: 0, zoom: 1 }}
            minZoom={0.3}
            maxZoom={1.5}
            proOptions={{ hideAttribution: true }}
          >
            <Background />
            <Controls showInteractive={false} />
          </ReactFlow>
          {nodes.length === 0 && (
            <div className="pipe-canvas-empty muted">
              Drag a <strong>Source</strong> here, then a filter or an aggregate and a <strong>Sink</strong>,
              and connect them.
            </div>
          )}
        </div>
        <aside className="pipe-side">
          {selectedNode ? (
            <ConfigPanel
              key={selectedNode.id}
              node={selectedNode}
              streams={streamNames}
              issues={byNode.get(selectedNode.id) ?? []}
              disabled={running}
              onChange={updateSelected}
              onDelete={deleteSelected}
            />
          ) : (
            <p className="muted">Select a node to set it up.</p>
          )}
        </aside>
      </div>
      {dragging && (
        <div
          className={`pipe-drag-ghost pipe-node-${dragging.kind}`}
          style={{ left: dragging.x + 8, top: dragging.y + 8 }}
          aria-hidden="true"
        >
          {KIND_TITLES[dragging.kind]}
        </div>
      )}
      <DryRunPanel pipelineId={id} kinds={kinds} dirty={dirty} />
    </>
  );
}
