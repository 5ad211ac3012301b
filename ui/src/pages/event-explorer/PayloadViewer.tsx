import { type KeyboardEvent, type ReactNode, useMemo, useRef, useState } from 'react';
import { type ApiError, type EventDetail, getEvent, useApi } from '../../api/index.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { CopyButton } from '../../components/CopyButton.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import '../../components/segmented.css';
import { formatBytes, formatNodeId, formatNumber, formatTime } from '../../lib/format.ts';
import { nodeLabel } from './filters.ts';
import {
  BYTES_PER_ROW,
  bytesOfBase64,
  formatOffset,
  hexRows,
  offsetDigits,
  type JsonToken,
  prettyJsonTokens,
  rowHexText,
} from './payload.ts';

export type PayloadView = 'json' | 'text' | 'hex' | 'base64';
const VIEW_LABELS: Record<PayloadView, string> = { json: 'JSON', text: 'Text', hex: 'Hex', base64: 'Base64' };

/** Rows of the hex dump drawn before "Show all" (4 KiB). */
const HEX_ROWS_SHOWN = 256;
/** The detail endpoint's own maximum. */
const MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

export interface PayloadViewerProps {
  seq: number;
  /** The view asked for in the URL; falls back to the best one the payload has. */
  view: PayloadView | null;
  onView: (view: PayloadView) => void;
  /** Adjacent events in the current list (null at its ends). */
  onPrevious: (() => void) | null;
  onNext: (() => void) | null;
  onClose: () => void;
}

/** One event in full: its slot fields, checksum verdict, and the payload as JSON, text, hex dump or base64. */
export function PayloadViewer({ seq, view, onView, onPrevious, onNext, onClose }: PayloadViewerProps) {
  const [full, setFull] = useState<number | null>(null);
  const maxPayloadBytes = full === seq ? MAX_PAYLOAD_BYTES : undefined;
  const state = useApi(
    (signal) => getEvent(seq, maxPayloadBytes === undefined ? {} : { maxPayloadBytes }, { signal }),
    [seq, maxPayloadBytes],
  );
  const event = state.data?.seq === seq ? state.data : undefined;

  const nav = (
    <div className="row">
      <Button size="sm" onClick={onPrevious ?? undefined} disabled={!onPrevious} title="Previous row (k)">
        ↑ Prev
      </Button>
      <Button size="sm" onClick={onNext ?? undefined} disabled={!onNext} title="Next row (j)">
        ↓ Next
      </Button>
      <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close the event" title="Close (Esc)">
        ✕
      </Button>
    </div>
  );

  let body;
  if (event) {
    body = <EventBody event={event} view={view} onView={onView} onLoadAll={() => setFull(seq)} />;
  } else if (state.error) {
    body = <EventError seq={seq} error={state.error} onRetry={state.reload} />;
  } else {
    body = <Loading label={`Reading event ${seq}…`} />;
  }
  return (
    <Card
      className="explorer-viewer"
      title={
        <>
          Event <span className="num">#{formatNumber(seq)}</span>
        </>
      }
      actions={nav}
    >
      <div aria-live="polite" aria-busy={state.loading}>
        {body}
      </div>
    </Card>
  );
}

function EventError({ seq, error, onRetry }: { seq: number; error: ApiError; onRetry: () => void }) {
  const details = (error.details ?? {}) as { head?: number; tail?: number };
  const window =
    details.tail !== undefined && details.head !== undefined
      ? ` The journal retains #${formatNumber(details.tail)} to #${formatNumber(Math.max(details.tail, details.head - 1))}.`
      : '';
  if (error.code === 'EVENT_EVICTED') {
    return (
      <div className="state state-evicted" role="status">
        <div className="state-title">
          <Badge tone="warn">evicted</Badge> Event #{formatNumber(seq)} is no longer in the journal
        </div>
        <div className="state-hint">
          It was written, then overwritten: the ring keeps only the newest events.{window}
        </div>
      </div>
    );
  }
  if (error.status === 404) {
    return (
      <Empty
        title={`Event #${formatNumber(seq)} has not been written yet`}
        hint={`Sequence numbers are given out in arrival order.${window}`}
      />
    );
  }
  return <ErrorState what={`Reading event #${seq}`} error={error} onRetry={onRetry} />;
}

function availableViews(event: EventDetail): PayloadView[] {
  const p = event.payload;
  if (!p) return [];
  const views: PayloadView[] = [];
  if ('json' in p) views.push('json');
  if (p.text !== undefined) views.push('text');
  views.push('hex', 'base64');
  return views;
}

function EventBody({
  event,
  view,
  onView,
  onLoadAll,
}: {
  event: EventDetail;
  view: PayloadView | null;
  onView: (view: PayloadView) => void;
  onLoadAll: () => void;
}) {
  const views = availableViews(event);
  const current: PayloadView | null = view && views.includes(view) ? view : (event.payload?.encoding ?? null);
  const shown = event.payload ? Math.floor(event.payload.hex.length / 2) : 0;
  return (
    <div className="stack explorer-event">
      <StatusLine event={event} />
      <dl className="explorer-fields">
        <Field label="Sequence" value={formatNumber(event.seq)} />
        <Field label="Slot" value={formatNumber(event.slot)} />
        <Field label="Time" value={formatTime(event.timeMs)} title={new Date(event.timeMs).toISOString()} />
        <Field label="Logical" value={formatNumber(event.logical)} />
        <Field label="Clock (u64)" value={event.lamport} mono />
        <Field
          label="Stream"
          value={
            <>
              {event.stream ?? `stream-${event.streamId}`} <span className="faint">id {event.streamId}</span>
            </>
          }
        />
        <Field
          label="Node"
          value={
            <>
              {nodeLabel(event.nodeId, event.flagNames)}{' '}
              <span className="faint mono">{formatNodeId(event.nodeId, false)}</span>
            </>
          }
        />
        <Field
          label="Flags"
          value={
            <>
              <span className="mono">0x{event.flags.toString(16).padStart(4, '0')}</span>{' '}
              {event.flagNames.map((f) => (
                <Badge key={f} tone="info">
                  {f}
                </Badge>
              ))}
            </>
          }
        />
        <Field label="Size" value={`${formatNumber(event.size)} B`} />
        <Field
          label="CRC32C"
          value={
            <>
              <span className="mono">{crcHex(event.checksum.stored)}</span>
              {event.checksum.computed !== null && event.checksum.computed !== event.checksum.stored && (
                <span className="mono"> read {crcHex(event.checksum.computed)}</span>
              )}
            </>
          }
        />
      </dl>
      {event.payload ? (
        <div className="explorer-payload">
          <div className="explorer-payload-bar">
            <div role="tablist" aria-label="Payload view" className="segmented">
              {views.map((v) => (
                <ViewTab key={v} view={v} current={current} views={views} onView={onView} />
              ))}
            </div>
            <div className="row">
              <PayloadActions event={event} view={current} />
            </div>
          </div>
          {event.payload.truncated && (
            <div className="explorer-truncated" role="status">
              Showing the first {formatBytes(shown)} of {formatBytes(event.size)}.{' '}
              {event.size <= MAX_PAYLOAD_BYTES && (
                <button type="button" className="link-button" onClick={onLoadAll}>
                  Load all {formatBytes(event.size)}
                </button>
              )}
            </div>
          )}
          <div role="tabpanel" id={`payload-panel-${current}`} aria-labelledby={`payload-tab-${current}`}>
            {current && <PayloadBody event={event} view={current} />}
          </div>
        </div>
      ) : (
        <Empty
          title="The payload could not be read"
          hint="The writer overwrote this event while it was being read, so its bytes cannot be trusted."
        />
      )}
    </div>
  );
}

const crcHex = (value: number) => `0x${value.toString(16).padStart(8, '0')}`;

function StatusLine({ event }: { event: EventDetail }) {
  const { ok, stored, computed } = event.checksum;
  return (
    <div className="row explorer-status" data-testid="event-status">
      {ok === true && (
        <Badge tone="ok" title={`stored ${crcHex(stored)} = computed ${crcHex(computed ?? 0)}`}>
          ✓ checksum ok
        </Badge>
      )}
      {ok === false && (
        <Badge tone="bad" title={`stored ${crcHex(stored)}, computed ${crcHex(computed ?? 0)}`}>
          ✗ checksum mismatch
        </Badge>
      )}
      {ok === null && <Badge tone="warn">checksum not verified</Badge>}
      {event.overwritten ? (
        <Badge tone="bad" title="The writer evicted the event while its payload was being read">
          overwritten during read
        </Badge>
      ) : event.retained ? (
        <Badge tone="neutral" title="The event is still in the journal's retained window">
          retained
        </Badge>
      ) : (
        <Badge tone="warn" title="Evicted right after this read: the ring keeps the newest events">
          evicted since
        </Badge>
      )}
      {event.payload?.truncated && <Badge tone="warn">truncated view</Badge>}
    </div>
  );
}

function Field({
  label,
  value,
  title,
  mono,
}: {
  label: string;
  value: ReactNode;
  title?: string;
  mono?: boolean;
}) {
  return (
    <div className="explorer-field">
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined} title={title}>
        {value}
      </dd>
    </div>
  );
}

function ViewTab({
  view,
  current,
  views,
  onView,
}: {
  view: PayloadView;
  current: PayloadView | null;
  views: PayloadView[];
  onView: (view: PayloadView) => void;
}) {
  const ref = useRef<HTMLButtonElement>(null);
  const selected = view === current;
  const onKey = (event: KeyboardEvent<HTMLButtonElement>) => {
    const index = views.indexOf(view);
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = views[(index + step + views.length) % views.length]!;
    onView(next);
    const sibling = ref.current?.parentElement?.querySelector<HTMLButtonElement>(`#payload-tab-${next}`);
    sibling?.focus();
  };
  return (
    <button
      ref={ref}
      type="button"
      role="tab"
      id={`payload-tab-${view}`}
      aria-selected={selected}
      aria-controls={`payload-panel-${view}`}
      tabIndex={selected ? 0 : -1}
      className={selected ? 'segment segment-on' : 'segment'}
      onClick={() => onView(view)}
      onKeyDown={onKey}
    >
      {VIEW_LABELS[view]}
    </button>
  );
}

function PayloadActions({ event, view }: { event: EventDetail; view: PayloadView | null }) {
  const payload = event.payload!;
  const copyText =
    view === 'text'
      ? (payload.text ?? '')
      : view === 'json'
        ? (payload.text ?? JSON.stringify(payload.json))
        : view === 'base64'
          ? payload.base64
          : payload.hex;
  const download = () => {
    const url = URL.createObjectURL(
      new Blob([bytesOfBase64(payload.base64)], { type: 'application/octet-stream' }),
    );
    const a = document.createElement('a');
    a.href = url;
    a.download = `event-${event.seq}${payload.truncated ? '-partial' : ''}.bin`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <>
      <CopyButton text={copyText} label={`Copy ${view === 'json' ? 'JSON' : (view ?? '')}`} />
      <Button size="sm" onClick={download} title="The payload's bytes as a file">
        Download
      </Button>
    </>
  );
}

function PayloadBody({ event, view }: { event: EventDetail; view: PayloadView }) {
  const payload = event.payload!;
  switch (view) {
    case 'json':
      return <JsonView text={payload.text} value={payload.json} />;
    case 'text':
      return (
        <pre className="payload-pre payload-text" data-testid="payload-text">
          {payload.text}
        </pre>
      );
    case 'hex':
      return <HexDump hex={payload.hex} />;
    case 'base64':
      return (
        <pre className="payload-pre payload-wrap" data-testid="payload-base64">
          {payload.base64}
        </pre>
      );
  }
}

function JsonView({ text, value }: { text: string | undefined; value: unknown }) {
  const tokens = useMemo<JsonToken[] | null>(
    () => (text === undefined ? null : prettyJsonTokens(text)),
    [text],
  );
  return (
    <>
      <pre className="payload-pre payload-json" data-testid="payload-json">
        {tokens
          ? tokens.map((t, i) =>
              t.kind === 'space' || t.kind === 'punct' ? (
                t.text
              ) : (
                <span key={i} className={`json-${t.kind}`}>
                  {t.text}
                </span>
              ),
            )
          : JSON.stringify(value, null, 2)}
      </pre>
      <p className="faint explorer-note">
        Re-indented for reading; strings and numbers are as sent. Text and Hex show the exact bytes.
      </p>
    </>
  );
}

function HexDump({ hex }: { hex: string }) {
  const [all, setAll] = useState(false);
  const total = hex.length / 2;
  const rowCount = Math.ceil(total / BYTES_PER_ROW);
  const digits = offsetDigits(total);
  const rows = useMemo(() => hexRows(hex, all ? Infinity : HEX_ROWS_SHOWN), [hex, all]);
  if (total === 0) return <p className="muted">The payload is empty (0 bytes).</p>;
  return (
    <>
      <div className="payload-pre hexdump" data-testid="payload-hex" role="table" aria-label="Hex dump">
        {rows.map((row) => (
          <div key={row.offset} className="hex-row" role="row">
            <span className="hex-offset" role="cell">
              {formatOffset(row.offset, digits)}
            </span>
            <span className="hex-bytes" role="cell">
              {rowHexText(row.bytes)}
            </span>
            <span className="hex-ascii" role="cell">
              {row.ascii}
            </span>
          </div>
        ))}
      </div>
      {rows.length < rowCount && (
        <p className="explorer-note">
          Showing {formatBytes(rows.length * BYTES_PER_ROW)} of {formatBytes(total)}.{' '}
          <button type="button" className="link-button" onClick={() => setAll(true)}>
            Show all rows
          </button>
        </p>
      )}
    </>
  );
}
