/**
 * One dashboard: its toolbar (time range, auto-refresh, add widget, rename, export, delete) and its widgets
 * on a 12-column grid (react-grid-layout): drag a widget by its title, resize it from its corner, and the new
 * layout is saved with the version read, so two editors never silently overwrite each other.
 *
 * @module
 */
import { type ReactNode, useState } from 'react';
import ReactGridLayout, { type Layout, useContainerWidth } from 'react-grid-layout';
import 'react-grid-layout/css/styles.css';
import {
  type ApiError,
  exportDashboard,
  getDashboard,
  getWidgetData,
  toApiError,
  updateDashboard,
  useApi,
} from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { ErrorState, Loading } from '../../components/States.tsx';
import { formatAgo } from '../../lib/format.ts';
import {
  type Dashboard,
  type DashboardWidget,
  REFRESH_CHOICES,
  type TimeRange,
  type UpdateDashboardBody,
} from '../../../../src/hub/dashboards/schema.ts';
import { WidgetEditor, type WidgetDraft } from './WidgetEditor.tsx';
import { WidgetView } from './WidgetView.tsx';

const PRESETS = ['15m', '1h', '6h', '24h'] as const;
type RangeChoice = (typeof PRESETS)[number] | 'custom';
const ROW_HEIGHT = 56;

type Content = Omit<UpdateDashboardBody, 'version'>;

const contentOf = (d: Dashboard): Content => ({
  name: d.name,
  description: d.description,
  timeRange: d.timeRange,
  refreshSec: d.refreshSec as Content['refreshSec'],
  widgets: d.widgets,
});

const refreshLabel = (sec: number): string => (sec < 60 ? `${sec}s` : `${sec / 60}m`);

/** Where a new widget goes: below everything, full width for charts and logs, a quarter for a number. */
function placeFor(
  type: DashboardWidget['type'],
  widgets: readonly DashboardWidget[],
): DashboardWidget['layout'] {
  const y = widgets.reduce((bottom, w) => Math.max(bottom, w.layout.y + w.layout.h), 0);
  return type === 'value' ? { x: 0, y, w: 3, h: 2 } : { x: 0, y, w: 6, h: 4 };
}

function newWidgetId(widgets: readonly DashboardWidget[]): string {
  const taken = new Set(widgets.map((w) => w.id));
  let n = widgets.length + 1;
  while (taken.has(`w${n}`)) n++;
  return `w${n}`;
}

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = `${name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'dashboard'}.dashboard.json`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

function WidgetFrame({
  dashboard,
  widget,
  refreshTick,
  onEdit,
  onRemove,
}: {
  dashboard: Dashboard;
  widget: DashboardWidget;
  refreshTick: number;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const { since, until } = dashboard.timeRange;
  const source = `${widget.type}|${widget.query ?? ''}|${widget.metric ?? ''}|${since}|${until ?? ''}`;
  const data = useApi(
    (signal) => getWidgetData(dashboard.id, widget.id, {}, { signal }),
    [dashboard.id, widget.id, source, refreshTick],
    { refresh: dashboard.refreshSec === null ? 0 : dashboard.refreshSec * 1000 },
  );
  const title = widget.title || widget.query || widget.metric || widget.type;
  return (
    <section className="dash-widget-frame" aria-label={title} data-widget-type={widget.type}>
      <header className="dash-widget-header">
        <h3 className="dash-widget-handle" title="Drag to move">
          {title}
        </h3>
        <div className="dash-widget-actions">
          <Button size="sm" variant="ghost" onClick={onEdit} aria-label={`Edit ${title}`} title="Edit">
            <span aria-hidden="true">✎</span>
          </Button>
          <Button size="sm" variant="ghost" onClick={onRemove} aria-label={`Remove ${title}`} title="Remove">
            <span aria-hidden="true">✕</span>
          </Button>
        </div>
      </header>
      <div className="dash-widget-body">
        {data.error ? (
          <ErrorState compact what={`Loading ${title}`} error={data.error} onRetry={data.reload} />
        ) : data.data === undefined ? (
          <Loading label="Loading data…" />
        ) : (
          <WidgetView data={data.data} />
        )}
      </div>
    </section>
  );
}

/** The grid: measures its container, lays the widgets out on 12 columns, reports drags and resizes. */
function WidgetGrid({
  widgets,
  onLayout,
  children,
}: {
  widgets: readonly DashboardWidget[];
  onLayout: (layout: Layout) => void;
  children: (widget: DashboardWidget) => ReactNode;
}) {
  const { width, containerRef, mounted } = useContainerWidth();
  return (
    <div ref={containerRef} className="dash-grid">
      {mounted && width > 0 && (
        <ReactGridLayout
          layout={widgets.map((w) => ({ i: w.id, ...w.layout }))}
          width={width}
          gridConfig={{ cols: 12, rowHeight: ROW_HEIGHT, margin: [12, 12] }}
          dragConfig={{ handle: '.dash-widget-handle' }}
          resizeConfig={{ handles: ['se'] }}
          onDragStop={(layout) => onLayout(layout)}
          onResizeStop={(layout) => onLayout(layout)}
        >
          {widgets.map((w) => (
            <div key={w.id} className="dash-widget" data-widget-id={w.id}>
              {children(w)}
            </div>
          ))}
        </ReactGridLayout>
      )}
    </div>
  );
}

export function DashboardView({
  id,
  onChanged,
  onRename,
  onDelete,
}: {
  id: string;
  /** Called after every save (names and counts in the list may have changed). */
  onChanged: () => void;
  onRename: (dashboard: Dashboard, save: (name: string) => Promise<void>) => void;
  onDelete: (dashboard: Dashboard) => void;
}) {
  const [reloadTick, setReloadTick] = useState(0);
  const loaded = useApi((signal) => getDashboard(id, { signal }), [id, reloadTick]);
  const [saved, setSaved] = useState<Dashboard | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [refreshTick, setRefreshTick] = useState(0);
  const [editing, setEditing] = useState<DashboardWidget | 'new' | null>(null);
  const [custom, setCustom] = useState<TimeRange | null>(null);

  const dashboard =
    saved !== null && saved.id === id && (loaded.data === undefined || saved.version >= loaded.data.version)
      ? saved
      : loaded.data;

  if (dashboard === undefined) {
    if (loaded.error)
      return <ErrorState what="Loading the dashboard" error={loaded.error} onRetry={loaded.reload} />;
    return <Loading label="Loading the dashboard…" />;
  }

  /** Saves a change against the version shown; a conflict reloads the dashboard and says why. */
  const save = async (change: Partial<Content>): Promise<void> => {
    setError(null);
    try {
      const updated = await updateDashboard(id, {
        ...contentOf(dashboard),
        ...change,
        version: dashboard.version,
      });
      setSaved(updated);
      onChanged();
    } catch (e) {
      const failure = toApiError(e);
      if (failure.code === 'VERSION_CONFLICT') setReloadTick((n) => n + 1);
      setError(failure);
      throw failure;
    }
  };
  const quietly = (change: Partial<Content>) => void save(change).catch(() => {});

  const range = dashboard.timeRange;
  const choice: RangeChoice =
    custom !== null || range.until !== null || !(PRESETS as readonly string[]).includes(range.since)
      ? 'custom'
      : (range.since as RangeChoice);

  const persistLayout = (layout: Layout) => {
    const placed = new Map(layout.map((item) => [item.i, item]));
    let moved = false;
    const widgets = dashboard.widgets.map((w) => {
      const item = placed.get(w.id);
      if (!item) return w;
      const next = { x: item.x, y: item.y, w: item.w, h: item.h };
      if (next.x !== w.layout.x || next.y !== w.layout.y || next.w !== w.layout.w || next.h !== w.layout.h)
        moved = true;
      return { ...w, layout: next };
    });
    if (moved) quietly({ widgets });
  };

  const saveWidget = async (draft: WidgetDraft) => {
    const target = editing;
    const widgets =
      target === 'new' || target === null
        ? [
            ...dashboard.widgets,
            { ...draft, id: newWidgetId(dashboard.widgets), layout: placeFor(draft.type, dashboard.widgets) },
          ]
        : dashboard.widgets.map((w) => (w.id === target.id ? { id: w.id, layout: w.layout, ...draft } : w));
    await save({ widgets });
    setEditing(null);
  };

  return (
    <div className="dash-view">
      <div className="dash-toolbar">
        <h2 className="dash-title">{dashboard.name}</h2>
        <div className="dash-toolbar-group">
          <Segmented<RangeChoice>
            label="Time range"
            size="sm"
            value={choice}
            onChange={(next) => {
              if (next === 'custom') {
                setCustom({ since: range.since, until: range.until ?? 'now' });
                return;
              }
              setCustom(null);
              quietly({ timeRange: { since: next, until: null } });
            }}
            options={[
              ...PRESETS.map((p) => ({ value: p, label: p, title: `The last ${p}` })),
              { value: 'custom' as const, label: 'Custom', title: 'Any since/until' },
            ]}
          />
          <label className="dash-refresh">
            <span>Auto-refresh</span>
            <select
              value={dashboard.refreshSec ?? ''}
              onChange={(e) =>
                quietly({
                  refreshSec:
                    e.target.value === '' ? null : (Number(e.target.value) as Content['refreshSec']),
                })
              }
            >
              <option value="">Off</option>
              {REFRESH_CHOICES.map((sec) => (
                <option key={sec} value={sec}>
                  every {refreshLabel(sec)}
                </option>
              ))}
            </select>
          </label>
          <Button size="sm" onClick={() => setRefreshTick((n) => n + 1)}>
            Refresh
          </Button>
        </div>
        <div className="dash-toolbar-group">
          <Button size="sm" variant="primary" onClick={() => setEditing('new')}>
            Add widget
          </Button>
          <Button size="sm" onClick={() => onRename(dashboard, (name) => save({ name }))}>
            Rename
          </Button>
          <Button
            size="sm"
            onClick={() =>
              void exportDashboard(id).then(
                (doc) => download(dashboard.name, `${JSON.stringify(doc, null, 2)}\n`),
                (e: unknown) => setError(toApiError(e)),
              )
            }
          >
            Export
          </Button>
          <Button size="sm" variant="danger" onClick={() => onDelete(dashboard)}>
            Delete
          </Button>
        </div>
      </div>
      {custom !== null && (
        <form
          className="dash-custom-range"
          onSubmit={(e) => {
            e.preventDefault();
            const until =
              custom.until === null || custom.until.trim() === '' || custom.until === 'now'
                ? null
                : custom.until;
            void save({ timeRange: { since: custom.since.trim(), until } }).then(
              () => setCustom(null),
              () => {},
            );
          }}
        >
          <label>
            <span>Since</span>
            <input
              value={custom.since}
              onChange={(e) => setCustom({ ...custom, since: e.target.value })}
              placeholder="2h, 2026-11-22T09:00:00Z"
            />
          </label>
          <label>
            <span>Until</span>
            <input
              value={custom.until ?? ''}
              onChange={(e) => setCustom({ ...custom, until: e.target.value })}
              placeholder="now"
            />
          </label>
          <Button size="sm" type="submit" variant="primary">
            Apply
          </Button>
          <Button size="sm" onClick={() => setCustom(null)}>
            Cancel
          </Button>
        </form>
      )}
      {error && <ErrorState compact what="Saving the dashboard" error={error} />}
      <p className="dash-meta">
        {dashboard.widgets.length} widget{dashboard.widgets.length === 1 ? '' : 's'} · range{' '}
        {range.until === null ? `last ${range.since}` : `${range.since} → ${range.until}`} · saved{' '}
        {formatAgo(dashboard.updatedAt)} · version {dashboard.version}
      </p>
      {dashboard.widgets.length === 0 ? (
        <p className="dash-empty">No widgets yet: add one to chart a query or a metric.</p>
      ) : (
        <WidgetGrid widgets={dashboard.widgets} onLayout={persistLayout}>
          {(w) => (
            <WidgetFrame
              dashboard={dashboard}
              widget={w}
              refreshTick={refreshTick}
              onEdit={() => setEditing(w)}
              onRemove={() => quietly({ widgets: dashboard.widgets.filter((x) => x.id !== w.id) })}
            />
          )}
        </WidgetGrid>
      )}
      {editing !== null && (
        <WidgetEditor
          initial={editing === 'new' ? null : editing}
          range={range}
          onSave={saveWidget}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}
