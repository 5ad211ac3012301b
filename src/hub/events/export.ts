/**
 * `GET /api/export` as a pull-driven stream: the HTTP layer asks for the next chunk only when the socket has
 * drained the previous one (@hono/node-server honours `write()` returning false), and each pull scans a
 * bounded step of the journal (at most 16 384 slots, 1 024 events or 1 MiB of payload), so memory stays at one
 * chunk whatever the export's size, and a slow client slows the scan instead of growing a buffer. A pull that
 * finds nothing yields to the event loop before the next, so a long sparse scan never blocks other requests.
 *
 * The scan goes upwards from the range's start; events the writer evicts before the export reaches them are
 * skipped (their sequence numbers are then missing from the output).
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { scanForward } from './page.ts';
import { payloadCell, renderPayload } from './payload.ts';
import type { EventFilter } from './range.ts';
import { EXPORT_CSV_COLUMNS, type EventView, type PayloadEncoding } from './schema.ts';
import { eventView, type StreamNames } from './view.ts';

export type ExportFormat = 'ndjson' | 'csv';

export interface ExportOptions {
  reader: JournalReader;
  names: StreamNames;
  lo: number;
  hi: number;
  filter: EventFilter;
  limit: number;
  format: ExportFormat;
  payload: PayloadEncoding | 'auto' | 'none';
}

const STEP_SLOTS = 16_384;
const STEP_EVENTS = 1024;
const STEP_PAYLOAD_BYTES = 1 << 20;
const CHUNK_CHARS = 64 * 1024;

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field, quoted when it holds a separator, a quote, a line break or edge spaces (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  const edge = text.length > 0 && (text.charCodeAt(0) <= 0x20 || text.charCodeAt(text.length - 1) <= 0x20);
  return edge || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const csvHeader = (): string => `${EXPORT_CSV_COLUMNS.join(',')}\r\n`;

/** Numeric cells, the clock, the ISO time and the flag names never need quoting; only text cells are checked. */
export function csvRow(view: EventView): string {
  const p = view.payload;
  const time = new Date(view.timeMs).toISOString();
  const text = `${csvField(view.stream ?? '')},${view.nodeId},${view.flags},${view.flagNames.join('|')}`;
  const payload = p ? `${p.encoding},${csvField(payloadCell(p))}` : ',';
  return `${view.seq},${view.slot},${view.lamport},${view.timeMs},${time},${view.logical},${view.streamId},${text},${view.size},${view.checksum},${payload}\r\n`;
}

export function ndjsonLine(view: EventView): string {
  return `${JSON.stringify(view)}\n`;
}

export function exportStream(options: ExportOptions): ReadableStream<Uint8Array> {
  const { reader, names, hi, filter, limit, format, payload } = options;
  const encoder = new TextEncoder();
  const formatRow = format === 'csv' ? csvRow : ndjsonLine;
  let position = options.lo;
  let emitted = 0;
  let headerSent = format !== 'csv';

  const line = (seq: number, event: CausalEvent): string => {
    const view = eventView(seq, event, reader.slotCount, names);
    if (payload !== 'none') view.payload = renderPayload(reader.payloadView(event), payload);
    return formatRow(view);
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const parts: string[] = [];
        let chars = 0;
        if (!headerSent) {
          parts.push(csvHeader());
          headerSent = true;
        }
        let examined = 0;
        while (chars < CHUNK_CHARS && examined < STEP_SLOTS && position < hi && emitted < limit) {
          let bytes = 0;
          const step = scanForward(
            reader,
            position,
            hi,
            filter,
            Math.min(STEP_EVENTS, limit - emitted),
            STEP_SLOTS - examined,
            (event) => (bytes += event.payloadLength) >= STEP_PAYLOAD_BYTES,
          );
          examined += step.examined;
          position = step.next;
          const lines = step.matched.map((m) => line(m.seq, m.event));
          // Rendered straight from the mapping: keep only what was still retained after reading it.
          const tail = reader.loadTail();
          for (let i = 0; i < lines.length; i++) {
            if (step.matched[i]!.seq < tail) continue;
            parts.push(lines[i]!);
            chars += lines[i]!.length;
            emitted++;
          }
        }
        if (parts.length > 0) controller.enqueue(encoder.encode(parts.join('')));
        if (position >= hi || emitted >= limit) controller.close();
        else if (parts.length === 0) await new Promise((resolve) => setImmediate(resolve));
      },
    },
    { highWaterMark: 0 },
  );
}
