/**
 * Event Explorer: pages through the journal slot by slot (newest or oldest first, by sequence range, time
 * range, stream and node — all kept in the address bar), opens one event with its payload as JSON, text or a
 * hex dump, follows new events live, and exports the current selection as NDJSON or CSV.
 *
 * @module
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import {
  type ApiState,
  type EventsPage,
  type EventView,
  getStreams,
  getSystem,
  getTopology,
  listEvents,
  useApi,
} from '../../api/index.ts';
import { navigate, useLocation } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import { formatBytes, formatNumber, formatTime } from '../../lib/format.ts';
import { ExportButton } from './ExportButton.tsx';
import { FilterBar } from './FilterBar.tsx';
import {
  canFollow,
  type ExplorerState,
  type FilterText,
  isFiltered,
  nodeLabel,
  PAGE_SIZES,
  queryOf,
  readState,
  selectionOf,
} from './filters.ts';
import { JumpForm } from './JumpForm.tsx';
import { type PayloadView, PayloadViewer } from './PayloadViewer.tsx';
import { useLiveFollow } from './useLiveFollow.ts';
import './explorer.css';

type Patch = Record<string, string | null>;

function useExplorerUrl() {
  const { path, search } = useLocation();
  const state = useMemo(() => readState(search), [search]);
  const view = search.get('view') as PayloadView | null;
  const update = useCallback(
    (patch: Patch, options: { push?: boolean } = {}) => {
      const params = new URLSearchParams(window.location.search);
      for (const [name, value] of Object.entries(patch)) {
        if (value === null || value === '') params.delete(name);
        else params.set(name, value);
      }
      const query = params.toString();
      navigate(`${path}${query ? `?${query}` : ''}`, { replace: !options.push });
    },
    [path],
  );
  return { state, view, update };
}

/** Fields that start a new query: changing any of them leaves the current page and stops following. */
const restart = (patch: Patch): Patch => ({ cursor: null, ...patch });

export default function EventExplorerPage() {
  const { state, view, update } = useExplorerUrl();
  const query = useMemo(() => queryOf(state), [state]);
  const selection = useMemo(() => selectionOf(state.filters), [state.filters]);
  const queryKey = JSON.stringify(query);
  const page = useApi((signal) => listEvents(query, { signal }), [queryKey]);
  const streams = useApi((signal) => getStreams({ signal }), [], { refresh: 10_000 });
  const topology = useApi((signal) => getTopology({ signal }), [], { refresh: 30_000 });
  const system = useApi((signal) => getSystem({ signal }), []);

  // Pages already seen, so that "back" returns to them: a stack of cursors ('' for the first page) per query.
  const baseKey = JSON.stringify({ ...query, cursor: undefined, limit: undefined });
  const [trail, setTrail] = useState<{ key: string; cursors: string[] }>({ key: baseKey, cursors: [] });
  const cursors = trail.key === baseKey ? trail.cursors : [];

  const following = state.follow && canFollow(state) && state.cursor === null;
  const current = page.data;
  const live = useLiveFollow(selection, following && current ? current.head : null, following, {
    payload: 'auto',
    maxPayloadBytes: 120,
  });
  const rows = useMemo(
    () => (following ? [...live.rows, ...(current?.events ?? [])] : (current?.events ?? [])),
    [following, live.rows, current],
  );

  const fresh = useMemo(() => new Set(live.rows.map((r) => r.seq)), [live.rows]);
  const selectedIndex = state.seq === null ? -1 : rows.findIndex((r) => r.seq === state.seq);
  const select = useCallback(
    (seq: number | null) => update({ seq: seq === null ? null : String(seq) }),
    [update],
  );
  const previous = selectedIndex > 0 ? () => select(rows[selectedIndex - 1]!.seq) : null;
  const next =
    selectedIndex >= 0 && selectedIndex < rows.length - 1 ? () => select(rows[selectedIndex + 1]!.seq) : null;

  useListKeys(rows, selectedIndex, select);

  const applyFilters = (filters: FilterText) => {
    const patch: Patch = restart({ ...filters });
    const nextState: ExplorerState = { ...state, filters };
    if (!canFollow(nextState)) patch.follow = null;
    update(patch, { push: true });
  };
  const setFollow = (on: boolean) => {
    if (on) {
      update(restart({ follow: '1', order: null, to: null, until: null }));
    } else {
      // The live rows go; the page is read again so that it holds what arrived meanwhile.
      update({ follow: null });
      page.reload();
    }
  };

  const streamOptions = (streams.data?.streams ?? []).map((s) => ({ id: s.id, name: s.name }));
  const nodeOptions = (topology.data?.nodes ?? []).flatMap((n) =>
    n.kind === 'node' ? [{ id: n.nodeId, label: n.label }] : [],
  );

  return (
    <>
      <PageHeader
        title="Event Explorer"
        description="Page through the journal by sequence, time, stream or node; open an event to see its payload byte for byte."
        actions={
          <>
            <Button
              variant={following ? 'primary' : 'secondary'}
              aria-pressed={following}
              onClick={() => setFollow(!following)}
              title="Add new events to the top of the list as they are journaled"
            >
              <span className={following ? 'live-dot live-dot-on' : 'live-dot'} aria-hidden="true" />
              {following ? 'Following' : 'Follow live'}
            </Button>
            <ExportButton selection={selection} />
          </>
        }
      />
      <Card flush className="explorer-controls">
        <FilterBar
          filters={state.filters}
          streams={streamOptions}
          nodes={nodeOptions}
          onApply={applyFilters}
        />
        <div className="explorer-toolbar">
          <JumpForm
            onSequence={(seq) =>
              update(
                restart({
                  seq: String(seq),
                  to: String(seq + 1),
                  from: null,
                  since: null,
                  until: null,
                  order: null,
                  follow: null,
                }),
                { push: true },
              )
            }
            onTime={(since) =>
              update(
                restart({ since, order: 'asc', from: null, to: null, until: null, follow: null, seq: null }),
                { push: true },
              )
            }
          />
          <div className="row">
            <Segmented
              label="Order"
              value={state.order}
              onChange={(order) =>
                update(
                  restart({
                    order: order === 'desc' ? null : 'asc',
                    ...(order === 'asc' ? { follow: null } : {}),
                  }),
                  { push: true },
                )
              }
              options={[
                { value: 'desc', label: 'Newest first' },
                { value: 'asc', label: 'Oldest first' },
              ]}
            />
            <label className="filter-inline">
              <span>Per page</span>
              <select
                value={state.limit}
                onChange={(e) => update(restart({ limit: String(e.target.value) }))}
              >
                {PAGE_SIZES.map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
      </Card>
      <div className={state.seq === null ? 'explorer-layout' : 'explorer-layout explorer-layout-open'}>
        <Card
          flush
          className="explorer-list"
          title={<ListTitle page={current} following={following} added={live.added} />}
          subtitle={current && <Retained window={live.window ?? current} />}
          footer={
            current &&
            (current.events.length > 0 || state.cursor !== null || current.nextCursor !== null) && (
              <Pager
                page={current}
                order={state.order}
                hasPrevious={state.cursor !== null}
                onFirst={() => update({ cursor: null, seq: null })}
                onPrevious={() => {
                  const back = cursors[cursors.length - 1] ?? '';
                  setTrail({ key: baseKey, cursors: cursors.slice(0, -1) });
                  update({ cursor: back || null });
                }}
                onNext={() => {
                  if (!current.nextCursor) return;
                  setTrail({ key: baseKey, cursors: [...cursors, state.cursor ?? ''] });
                  update({ cursor: current.nextCursor, follow: null });
                }}
              />
            )
          }
        >
          {live.error && <ErrorState what="Following new events" error={live.error} compact />}
          <EventList
            state={page}
            rows={rows}
            filtered={isFiltered(state.filters)}
            selected={state.seq}
            onSelect={(seq) => select(seq)}
            onKeepSearching={() => current?.nextCursor && update({ cursor: current.nextCursor })}
            onClear={() => applyFilters({ stream: '', node: '', from: '', to: '', since: '', until: '' })}
            listeners={system.data?.sequencer.listeners ?? []}
            fresh={fresh}
            compact={state.seq !== null}
            onFollow={following ? null : () => setFollow(true)}
          />
        </Card>
        {state.seq !== null && (
          <PayloadViewer
            key={state.seq}
            seq={state.seq}
            view={view}
            onView={(v) => update({ view: v })}
            onPrevious={previous}
            onNext={next}
            onClose={() => select(null)}
          />
        )}
      </div>
    </>
  );
}

/** j/k (or ↓/↑ outside fields) move through the list; Escape closes the open event. */
function useListKeys(rows: EventView[], selectedIndex: number, select: (seq: number | null) => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, select, textarea, [role="tab"], [role="dialog"]')) return;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      let index: number | null = null;
      if (event.key === 'j') index = selectedIndex + 1;
      else if (event.key === 'k') index = Math.max(0, selectedIndex - 1);
      else if (event.key === 'Escape' && selectedIndex >= -1) {
        select(null);
        return;
      }
      if (index === null || rows.length === 0) return;
      const row = rows[Math.min(index, rows.length - 1)];
      if (row) {
        event.preventDefault();
        select(row.seq);
        document.querySelector<HTMLElement>(`[data-seq="${row.seq}"]`)?.scrollIntoView({ block: 'nearest' });
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [rows, selectedIndex, select]);
}

function Retained({ window: page }: { window: { head: number; tail: number } }) {
  const retained = page.head - page.tail;
  return (
    <>
      The journal holds {formatNumber(retained)} {retained === 1 ? 'event' : 'events'}
      {retained > 0 && (
        <>
          {' '}
          (#{formatNumber(page.tail)}–#{formatNumber(page.head - 1)})
        </>
      )}
    </>
  );
}

function ListTitle({
  page,
  following,
  added,
}: {
  page: EventsPage | undefined;
  following: boolean;
  added: number;
}) {
  return (
    <span className="explorer-list-title">
      Events
      {page && following && (
        <Badge tone="accent" title="New events are added at the top">
          live · {formatNumber(added)} new
        </Badge>
      )}
    </span>
  );
}

function Pager({
  page,
  order,
  hasPrevious,
  onFirst,
  onPrevious,
  onNext,
}: {
  page: EventsPage;
  order: 'asc' | 'desc';
  hasPrevious: boolean;
  onFirst: () => void;
  onPrevious: () => void;
  onNext: () => void;
}) {
  const [back, forward] = order === 'desc' ? ['Newer', 'Older'] : ['Older', 'Newer'];
  const { scanned } = page;
  return (
    <div className="explorer-pager">
      <span className="num">
        {page.events.length > 0 ? (
          <>
            #{formatNumber(page.events[0]!.seq)} … #{formatNumber(page.events[page.events.length - 1]!.seq)}{' '}
            ·{' '}
          </>
        ) : null}
        examined slots {formatNumber(scanned.from)}–{formatNumber(Math.max(scanned.from, scanned.to - 1))}
        {scanned.evicted > 0 && (
          <>
            {' '}
            · <Badge tone="warn">{formatNumber(scanned.evicted)} evicted</Badge>
          </>
        )}
      </span>
      <div className="row">
        <Button size="sm" variant="ghost" onClick={onFirst} disabled={!hasPrevious}>
          {order === 'desc' ? 'Newest' : 'Oldest'}
        </Button>
        <Button size="sm" onClick={onPrevious} disabled={!hasPrevious}>
          ← {back}
        </Button>
        <Button size="sm" onClick={onNext} disabled={!page.nextCursor}>
          {forward} →
        </Button>
      </div>
    </div>
  );
}

function EventList({
  state,
  rows,
  filtered,
  selected,
  onSelect,
  onKeepSearching,
  onClear,
  listeners,
  fresh,
  compact,
  onFollow,
}: {
  state: ApiState<EventsPage>;
  rows: EventView[];
  filtered: boolean;
  selected: number | null;
  onSelect: (seq: number) => void;
  onKeepSearching: () => void;
  onClear: () => void;
  listeners: readonly { host: string; port: number; stream: string }[];
  /** Sequences that arrived while following (marked in the list). */
  fresh: ReadonlySet<number>;
  /** The viewer is open beside the list: fewer columns. */
  compact: boolean;
  /** Offered in the empty journal's state while not following. */
  onFollow: (() => void) | null;
}) {
  const columns = useMemo(() => eventColumns(fresh, compact), [fresh, compact]);
  if (state.data === undefined) {
    if (state.error)
      return <ErrorState what="Reading the journal" error={state.error} onRetry={state.reload} />;
    return <Loading label="Reading the journal…" />;
  }
  const page = state.data;
  let empty;
  if (rows.length === 0) {
    if (page.head === page.tail && !filtered) {
      empty = (
        <TrafficHint title="The journal is empty" listeners={listeners}>
          {onFollow && (
            <div className="state-action">
              <Button onClick={onFollow}>Follow live</Button>{' '}
              <span className="muted">to watch them arrive.</span>
            </div>
          )}
        </TrafficHint>
      );
    } else if (page.nextCursor) {
      empty = (
        <Empty
          title="No matching events in this stretch of the journal"
          hint={`A request examines at most 100,000 slots; slots ${formatNumber(page.scanned.from)}–${formatNumber(page.scanned.to - 1)} had none that match.`}
          action={<Button onClick={onKeepSearching}>Keep searching</Button>}
        />
      );
    } else {
      empty = (
        <Empty
          title="No events match these filters"
          hint={`The journal holds ${formatNumber(page.head - page.tail)} events; none of them is in this selection.`}
          action={filtered ? <Button onClick={onClear}>Clear filters</Button> : undefined}
        />
      );
    }
  }
  return (
    <>
      {state.error && (
        <ErrorState what="Reading the journal" error={state.error} onRetry={state.reload} compact />
      )}
      {empty ?? (
        <div
          className={state.loading ? 'explorer-table is-loading' : 'explorer-table'}
          aria-busy={state.loading}
        >
          <DataTable
            caption="Journal events"
            columns={columns}
            rows={rows}
            rowKey={(r) => r.seq}
            onRowClick={(r) => onSelect(r.seq)}
            selectedKey={selected}
            stickyHeader
          />
        </div>
      )}
    </>
  );
}

function eventColumns(fresh: ReadonlySet<number>, compact: boolean): Column<EventView>[] {
  const seqCell = (e: EventView) => (
    <span data-seq={e.seq} className={fresh.has(e.seq) ? 'seq seq-new' : 'seq'}>
      {formatNumber(e.seq)}
    </span>
  );
  return [
    { id: 'seq', header: 'Seq', cell: seqCell, align: 'right', width: '72px' },
    {
      id: 'time',
      header: 'Time',
      cell: (e) => (
        <span title={`${formatTime(e.timeMs)} · logical ${e.logical}`}>{formatTime(e.timeMs).slice(11)}</span>
      ),
      width: '104px',
      mono: true,
    },
    { id: 'stream', header: 'Stream', cell: (e) => e.stream ?? `stream-${e.streamId}`, width: '92px' },
    ...(compact
      ? []
      : [
          {
            id: 'node',
            header: 'Node',
            cell: (e: EventView) => nodeLabel(e.nodeId, e.flagNames),
            width: '98px',
            mono: true,
          },
        ]),
    { id: 'size', header: 'Size', cell: (e) => formatBytes(e.size), align: 'right', width: '70px' },
    { id: 'payload', header: 'Payload', cell: (e) => <PayloadPreview event={e} />, mono: true },
  ];
}

function PayloadPreview({ event }: { event: EventView }) {
  if (event.overwritten) return <Badge tone="bad">overwritten while read</Badge>;
  const p = event.payload;
  if (!p) return <span className="faint">—</span>;
  let text: string;
  if (p.encoding === 'json') text = JSON.stringify(p.json);
  else if (p.encoding === 'text') text = (p.text ?? '').replace(/\r?\n/g, '⏎').replace(/\t/g, '⇥');
  else if (p.encoding === 'hex') text = (p.hex ?? '').replace(/(..)(?!$)/g, '$1 ');
  else text = p.base64 ?? '';
  return (
    <span className="payload-preview">
      {event.flagNames.map((f) => (
        <Badge key={f} tone="info">
          {f.toLowerCase().replace(/_/g, ' ')}
        </Badge>
      ))}
      {p.encoding === 'hex' && <Badge>bin</Badge>}
      <span className="payload-preview-text">
        {text}
        {p.truncated ? '…' : ''}
      </span>
    </span>
  );
}
