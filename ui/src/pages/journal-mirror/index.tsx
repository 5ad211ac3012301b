/**
 * Journal Mirror: the journal file drawn as it is — the index ring and the blob region with their occupied
 * spans, head, tail, consumer cursors and the playhead — refreshed every second from `/api/journal/layout` and
 * `/api/ring`, with the playback controls under it.
 *
 * @module
 */
import { useMemo } from 'react';
import {
  getJournalLayout,
  getRing,
  getStreams,
  getSystem,
  type LayoutResponse,
  type RingResponse,
  useApi,
} from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Badge, StatusDot } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Stat } from '../../components/Stat.tsx';
import { Async } from '../../components/States.tsx';
import { TrafficHint } from '../../components/TrafficHint.tsx';
import { formatBytes, formatDuration, formatNumber, formatPercent } from '../../lib/format.ts';
import { usePlayback } from '../../ws/hooks.tsx';
import { PlaybackPanel } from './PlaybackPanel.tsx';
import { RegionDial, type RegionMarker } from './RegionDial.tsx';
import './journal-mirror.css';

const REFRESH_MS = 1000;

export default function JournalMirrorPage() {
  const [paused, setPaused] = useSearchParam('paused');
  const live = paused === null;
  const refresh = live ? REFRESH_MS : 0;
  const both = useApi(
    async (signal) => {
      const [layout, ring] = await Promise.all([getJournalLayout({ signal }), getRing({ signal })]);
      return { layout, ring };
    },
    [],
    { refresh },
  );
  const streams = useApi((signal) => getStreams({ signal }), [], { refresh: 10_000 });
  const system = useApi((signal) => getSystem({ signal }), [], {});
  const { state: playback } = usePlayback('text');

  return (
    <>
      <PageHeader
        title="Journal Mirror"
        description="The journal file as the sequencer writes it: the index ring and the blob region, head and tail, consumer cursors and the playback head."
        actions={
          <>
            <Button aria-pressed={!live} onClick={() => setPaused(live ? '1' : null)}>
              {live ? 'Pause live view' : 'Resume live view'}
            </Button>
            {!live && <Button onClick={both.reload}>Refresh</Button>}
          </>
        }
      />
      <Async state={both} what="Loading the journal layout" loadingLabel="Reading the journal header…">
        {({ layout, ring }) => (
          <div className="mirror">
            {ring.head === 0 && (
              <TrafficHint title="The journal is empty" listeners={system.data?.sequencer.listeners ?? []} />
            )}
            <Summary layout={layout} ring={ring} live={live} />
            <div className="mirror-regions">
              <RingCard
                layout={layout}
                ring={ring}
                playhead={playback?.state !== 'stopped' ? playback?.position : null}
              />
              <BlobCard layout={layout} ring={ring} />
            </div>
            <PlaybackPanel
              streams={(streams.data?.streams ?? []).map((s) => ({ id: s.id, name: s.name }))}
              head={ring.head}
              tail={ring.tail}
            />
            <CursorsCard ring={ring} />
            <FileMap layout={layout} />
          </div>
        )}
      </Async>
    </>
  );
}

function Summary({ layout, ring, live }: { layout: LayoutResponse; ring: RingResponse; live: boolean }) {
  // Head and tail from the layout, like the drawing, so that the numbers on screen agree with each other.
  return (
    <div className="mirror-summary">
      <div title="The next sequence number the sequencer writes">
        <Stat
          label="Head"
          value={formatNumber(layout.head)}
          hint={`slot ${formatNumber(layout.ring.headSlot)}`}
        />
      </div>
      <div title="The oldest sequence number still in the journal">
        <Stat
          label="Tail"
          value={formatNumber(layout.tail)}
          hint={`slot ${formatNumber(layout.ring.tailSlot)}`}
        />
      </div>
      <Stat
        label="Retained"
        value={formatNumber(layout.head - layout.tail)}
        hint={`${formatPercent(layout.utilization.ring)} of the ring`}
      />
      <Stat
        label="Wraps"
        value={
          <>
            {formatNumber(ring.wraps.ring)}
            <span className="stat-unit"> ring</span> · {formatNumber(ring.wraps.blob)}
            <span className="stat-unit"> blob</span>
          </>
        }
        hint="times back to 0"
      />
      <Stat
        label="Evicted · dropped"
        value={`${formatNumber(ring.evicted)} · ${formatNumber(ring.dropped)}`}
        tone={ring.dropped > 0 ? 'bad' : 'neutral'}
        hint={ring.dropped > 0 ? 'a live cursor held the ring' : 'nothing dropped'}
      />
      <Stat
        label="Writer"
        value={
          <StatusDot
            tone={ring.writer.open ? 'ok' : 'neutral'}
            label={ring.writer.open ? `pid ${ring.writer.pid}` : 'closed'}
          />
        }
        hint={`fsync ${ring.writer.fsync}${live ? '' : ' · live view paused'}`}
      />
    </div>
  );
}

function cursorMarkers(ring: RingResponse, modulo: (position: number) => number | null): RegionMarker[] {
  return ring.consumers.flatMap((c) => {
    const at = modulo(c.position);
    return at === null
      ? []
      : [
          {
            at,
            kind: 'cursor' as const,
            label: `cursor ${c.name} · seq ${formatNumber(c.position)} · lag ${formatNumber(c.lag)}`,
          },
        ];
  });
}

function RingCard({
  layout,
  ring,
  playhead,
}: {
  layout: LayoutResponse;
  ring: RingResponse;
  playhead: number | null | undefined;
}) {
  const slots = layout.ring.slotCount;
  const markers: RegionMarker[] = [
    {
      at: layout.ring.tailSlot,
      kind: 'tail',
      label: `tail · seq ${formatNumber(layout.tail)} · slot ${formatNumber(layout.ring.tailSlot)}`,
    },
    {
      at: layout.ring.headSlot,
      kind: 'head',
      label: `head · seq ${formatNumber(layout.head)} · slot ${formatNumber(layout.ring.headSlot)}`,
    },
    ...cursorMarkers(ring, (p) => p % slots),
  ];
  if (playhead !== null && playhead !== undefined && playhead >= layout.tail && playhead <= layout.head) {
    markers.push({
      at: playhead % slots,
      kind: 'playhead',
      label: `playhead · seq ${formatNumber(playhead)}`,
    });
  }
  const spans = layout.ring.occupied.map((s) => ({ from: s.fromSlot, to: s.toSlot }));
  const spanText = layout.ring.occupied
    .map(
      (s) =>
        `slots ${formatNumber(s.fromSlot)}–${formatNumber(s.toSlot - 1)} (seq ${formatNumber(s.fromSequence)}–${formatNumber(s.toSequence - 1)})`,
    )
    .join(' and ');
  return (
    <Card
      title="Index ring"
      subtitle={`${formatNumber(slots)} slots × ${layout.ring.slotSize} B · ${formatBytes(layout.ring.size)} at offset ${formatNumber(layout.ring.offset)}`}
    >
      <div className="region-layout">
        <RegionDial
          name="Index ring"
          size={slots}
          occupied={spans}
          markers={markers}
          center={formatPercent(layout.utilization.ring)}
          centerSub={`${formatNumber(layout.head - layout.tail)} / ${formatNumber(slots)}`}
          description={`${formatPercent(layout.utilization.ring)} used; ${spanText || 'empty'}; head at slot ${layout.ring.headSlot}, tail at slot ${layout.ring.tailSlot}; wrapped ${ring.wraps.ring} times`}
          startLabel="slot 0"
          endLabel={`slot ${formatNumber(slots - 1)}`}
        />
        <Legend
          rows={[
            {
              kind: 'head',
              name: 'Head',
              value: `seq ${formatNumber(layout.head)}`,
              sub: `slot ${formatNumber(layout.ring.headSlot)}`,
            },
            {
              kind: 'tail',
              name: 'Tail',
              value: `seq ${formatNumber(layout.tail)}`,
              sub: `slot ${formatNumber(layout.ring.tailSlot)}`,
            },
            ...layout.ring.occupied.map((s, i) => ({
              kind: 'occupied' as const,
              name: layout.ring.occupied.length > 1 ? `Occupied ${i + 1}` : 'Occupied',
              value: `${formatNumber(s.fromSlot)}–${formatNumber(s.toSlot - 1)}`,
              sub: `${formatNumber(s.toSlot - s.fromSlot)} slots`,
            })),
            ...(markers.some((m) => m.kind === 'playhead')
              ? [
                  {
                    kind: 'playhead' as const,
                    name: 'Playhead',
                    value: `seq ${formatNumber(playhead)}`,
                    sub: `slot ${formatNumber((playhead ?? 0) % slots)}`,
                  },
                ]
              : []),
            ...ring.consumers.map((c) => ({
              kind: 'cursor' as const,
              name: c.name,
              value: `seq ${formatNumber(c.position)}`,
              sub: `lag ${formatNumber(c.lag)}`,
            })),
          ]}
          footer={`wrapped ${formatNumber(ring.wraps.ring)}×`}
        />
      </div>
    </Card>
  );
}

function BlobCard({ layout, ring }: { layout: LayoutResponse; ring: RingResponse }) {
  const size = layout.blob.size;
  const spans = layout.blob.occupied.map((s) => ({ from: s.from, to: s.to }));
  const markers: RegionMarker[] = [
    {
      at: layout.blob.tailOffset,
      kind: 'tail',
      label: `blob tail · byte ${formatNumber(layout.blob.tailOffset)}`,
    },
    {
      at: layout.blob.headOffset,
      kind: 'head',
      label: `blob head · byte ${formatNumber(layout.blob.headOffset)}`,
    },
  ];
  return (
    <Card
      title="Blob region"
      subtitle={`${formatBytes(size)} of payloads at offset ${formatNumber(layout.blob.offset)}`}
    >
      <div className="region-layout">
        <RegionDial
          name="Blob region"
          size={size}
          occupied={spans}
          markers={markers}
          center={formatPercent(layout.utilization.blob)}
          centerSub={`${formatBytes(ring.blobUsed)} / ${formatBytes(size)}`}
          description={`${formatPercent(layout.utilization.blob)} used; head at byte ${layout.blob.headOffset}, tail at byte ${layout.blob.tailOffset}; wrapped ${ring.wraps.blob} times`}
          startLabel="0"
          endLabel={formatBytes(size)}
        />
        <Legend
          rows={[
            {
              kind: 'head',
              name: 'Head',
              value: formatBytes(layout.blob.headOffset),
              sub: `write offset ${formatNumber(ring.blobHead)}`,
            },
            {
              kind: 'tail',
              name: 'Tail',
              value: formatBytes(layout.blob.tailOffset),
              sub: `offset ${formatNumber(ring.blobTail)}`,
            },
            ...layout.blob.occupied.map((s, i) => ({
              kind: 'occupied' as const,
              name: layout.blob.occupied.length > 1 ? `Occupied ${i + 1}` : 'Occupied',
              value: formatBytes(s.to - s.from),
              sub: `${formatNumber(s.from)}–${formatNumber(s.to)}`,
            })),
          ]}
          footer={`wrapped ${formatNumber(ring.wraps.blob)}×`}
        />
      </div>
    </Card>
  );
}

function Legend({
  rows,
  footer,
}: {
  rows: { kind: RegionMarker['kind'] | 'occupied'; name: string; value: string; sub: string }[];
  footer: string;
}) {
  return (
    <div className="legend">
      <dl>
        {rows.map((r, i) => (
          <div key={`${r.kind}-${i}`} className="legend-row">
            <dt>
              <span className={`legend-key legend-${r.kind}`} aria-hidden="true" />
              {r.name}
            </dt>
            <dd className="num">
              {r.value}
              <span className="faint"> {r.sub}</span>
            </dd>
          </div>
        ))}
      </dl>
      <div className="legend-footer faint num">{footer}</div>
    </div>
  );
}

type Consumer = RingResponse['consumers'][number];

function CursorsCard({ ring }: { ring: RingResponse }) {
  const columns: Column<Consumer>[] = [
    {
      id: 'name',
      header: 'Cursor',
      cell: (c) => (
        <span>
          <strong>{c.name}</strong> <span className="faint">#{c.index}</span>
        </span>
      ),
    },
    { id: 'pid', header: 'pid', align: 'right', mono: true, cell: (c) => c.pid },
    { id: 'position', header: 'Position', align: 'right', cell: (c) => formatNumber(c.position) },
    {
      id: 'slot',
      header: 'Slot',
      align: 'right',
      cell: (c) => formatNumber(c.position % ring.geometry.slotCount),
    },
    {
      id: 'lag',
      header: 'Lag',
      align: 'right',
      cell: (c) => (
        <span className={c.lag > ring.geometry.slotCount / 2 ? 'text-warn' : undefined}>
          {formatNumber(c.lag)}
        </span>
      ),
    },
    {
      id: 'place',
      header: 'Place',
      cell: (c) => (
        <Badge tone={c.place === 'behind-tail' ? 'bad' : c.place === 'ahead-of-head' ? 'warn' : 'neutral'}>
          {c.place}
          {c.lostEvents > 0 ? ` · lost ${formatNumber(c.lostEvents)}` : ''}
        </Badge>
      ),
    },
    {
      id: 'live',
      header: 'Lease',
      cell: (c) => (
        <StatusDot
          tone={c.live ? 'ok' : 'neutral'}
          label={
            c.live
              ? `live · ${formatDuration(c.heartbeatAgeMs)} ago`
              : `expired ${formatDuration(c.heartbeatAgeMs)} ago`
          }
        />
      ),
    },
    { id: 'rate', header: 'Events / s', align: 'right', cell: (c) => formatNumber(c.eventsPerSec) },
  ];
  return (
    <Card
      title="Consumer cursors"
      subtitle="While a cursor is live, the sequencer drops new events rather than evict ones it has not read"
      flush
    >
      <DataTable
        columns={columns}
        rows={ring.consumers}
        rowKey={(c) => c.index}
        caption="Consumer cursors"
        empty="No consumer cursors are registered: the ring simply keeps the newest events."
      />
    </Card>
  );
}

function FileMap({ layout }: { layout: LayoutResponse }) {
  const parts = useMemo(
    () => [
      { id: 'header', name: 'Header', offset: layout.header.offset, size: layout.header.size },
      { id: 'ring', name: 'Index ring', offset: layout.ring.offset, size: layout.ring.size },
      ...(layout.padding.size > 0
        ? [{ id: 'padding', name: 'Padding', offset: layout.padding.offset, size: layout.padding.size }]
        : []),
      { id: 'blob', name: 'Blob region', offset: layout.blob.offset, size: layout.blob.size },
    ],
    [layout],
  );
  return (
    <Card
      title="File layout"
      subtitle={`${formatBytes(layout.fileSize)} in one file; widths not to scale (the header is tiny next to the blob)`}
    >
      <div className="filemap" role="list" aria-label="Regions of the journal file">
        {parts.map((p) => (
          <div
            key={p.id}
            role="listitem"
            className={`filemap-part filemap-${p.id}`}
            style={{ flexGrow: Math.max(0.12, Math.sqrt(p.size / layout.fileSize)) }}
            title={`${p.name}: ${formatNumber(p.size)} bytes at offset ${formatNumber(p.offset)}`}
          >
            <span className="filemap-name">{p.name}</span>
            <span className="filemap-size num">{formatBytes(p.size)}</span>
            <span className="filemap-offset num faint">@ {formatNumber(p.offset)}</span>
          </div>
        ))}
      </div>
      <details className="filemap-sections">
        <summary>Header sections ({layout.header.sections.length})</summary>
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Section</th>
              <th scope="col" style={{ textAlign: 'right' }}>
                Offset
              </th>
              <th scope="col" style={{ textAlign: 'right' }}>
                Size
              </th>
              <th scope="col">Holds</th>
            </tr>
          </thead>
          <tbody>
            {layout.header.sections.map((s) => (
              <tr key={`${s.name}-${s.offset}`}>
                <td className="mono">{s.name}</td>
                <td className="num" style={{ textAlign: 'right' }}>
                  {formatNumber(s.offset)}
                </td>
                <td className="num" style={{ textAlign: 'right' }}>
                  {formatBytes(s.size)}
                </td>
                <td className="muted">{s.description}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </Card>
  );
}
