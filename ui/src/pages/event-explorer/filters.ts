/**
 * The Explorer's view state as it lives in the address bar: which events (stream, node, sequence and time
 * ranges), in which order, how many per page, which page (cursor), which event is open and how its payload is
 * shown, and whether the list follows the journal live. Pure functions, so the URL round trip is testable.
 *
 * @module
 */
import type { EventsQuery, EventSelection } from '../../api/index.ts';
import { formatNodeId } from '../../lib/format.ts';
import { parseTimeBound, TIME_HINT } from '../../../../src/hub/events/time.ts';

export const PAGE_SIZES = [25, 50, 100, 200, 500] as const;
export const DEFAULT_LIMIT = 50;

/** The filter fields, as text (what the user typed / the URL holds). Empty string: not set. */
export interface FilterText {
  stream: string;
  node: string;
  from: string;
  to: string;
  since: string;
  until: string;
}

export const FILTER_FIELDS = ['stream', 'node', 'from', 'to', 'since', 'until'] as const;

export interface ExplorerState {
  filters: FilterText;
  order: 'asc' | 'desc';
  limit: number;
  cursor: string | null;
  /** The open event's sequence number. */
  seq: number | null;
  follow: boolean;
}

const seqOf = (text: string | null): number | null =>
  text !== null && /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : null;

export function readState(search: URLSearchParams): ExplorerState {
  const filters = Object.fromEntries(
    FILTER_FIELDS.map((f) => [f, search.get(f) ?? '']),
  ) as unknown as FilterText;
  const limit = Number(search.get('limit'));
  return {
    filters,
    order: search.get('order') === 'asc' ? 'asc' : 'desc',
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : DEFAULT_LIMIT,
    cursor: search.get('cursor') || null,
    seq: seqOf(search.get('seq')),
    follow: search.get('follow') === '1',
  };
}

/**
 * A sender as the hub's metrics name it: the IPv4 address of a raw datagram's source, `ipv6:<hex>` for a hashed
 * IPv6 source, `node-<id>` for ids from a frame or a submission.
 */
export function nodeLabel(nodeId: number, flagNames: readonly string[]): string {
  if (flagNames.includes('SOURCE_IPV6')) return `ipv6:${(nodeId >>> 0).toString(16).padStart(8, '0')}`;
  if (flagNames.includes('FRAMED') || flagNames.includes('SUBMITTED')) return `node-${nodeId}`;
  return formatNodeId(nodeId);
}

/**
 * A node id as people write it: an IPv4 address (`127.0.0.1`, how raw datagrams' senders are identified), hex
 * (`0x73696d00`), decimal, or a label as `nodeLabel` writes it (`node-7`, `ipv6:1a2b3c4d`). Null when it is
 * none of these or out of the u32 range.
 */
export function parseNodeId(text: string): number | null {
  const s = text
    .trim()
    .replace(/^node-(?=\d+$)/, '')
    .replace(/^ipv6:(?=[0-9a-f]{1,8}$)/i, '0x');
  const ipv4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (ipv4) {
    const parts = ipv4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return null;
    return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  }
  const value = /^0x[0-9a-f]{1,8}$/i.test(s) ? parseInt(s.slice(2), 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  return Number.isInteger(value) && value >= 0 && value <= 0xffff_ffff ? value : null;
}

/** Problems with the typed filters, by field, in the hub's spirit: say what is expected. */
export function validateFilters(f: FilterText): Partial<Record<keyof FilterText, string>> {
  const problems: Partial<Record<keyof FilterText, string>> = {};
  if (f.node.trim() !== '' && parseNodeId(f.node) === null)
    problems.node = 'an IPv4 address (127.0.0.1), node-<id>, a hex id (0x73696d00) or a decimal u32';
  for (const field of ['from', 'to'] as const) {
    if (f[field].trim() !== '' && seqOf(f[field].trim()) === null)
      problems[field] = 'a sequence number (0, 1, 2, …)';
  }
  if (!problems.from && !problems.to && f.from.trim() !== '' && f.to.trim() !== '') {
    if (Number(f.from) >= Number(f.to)) problems.to = 'must be greater than "from" (the range is [from, to))';
  }
  for (const field of ['since', 'until'] as const) {
    if (f[field].trim() !== '' && parseTimeBound(f[field]) === null) problems[field] = TIME_HINT;
  }
  return problems;
}

/** The stream filter as the API takes it: a comma list of names or ids. */
export const streamList = (text: string): string[] =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** The selection for the API (events, export); invalid fields are left out (the form reports them). */
export function selectionOf(f: FilterText): EventSelection {
  const selection: EventSelection = {};
  const streams = streamList(f.stream);
  if (streams.length > 0) selection.stream = streams;
  const node = f.node.trim() === '' ? null : parseNodeId(f.node);
  if (node !== null) selection.node = node;
  const from = seqOf(f.from.trim());
  const to = seqOf(f.to.trim());
  if (from !== null) selection.from = from;
  if (to !== null) selection.to = to;
  if (f.since.trim() !== '' && parseTimeBound(f.since) !== null) selection.since = f.since.trim();
  if (f.until.trim() !== '' && parseTimeBound(f.until) !== null) selection.until = f.until.trim();
  return selection;
}

export function queryOf(state: ExplorerState): EventsQuery {
  return {
    ...selectionOf(state.filters),
    order: state.order,
    limit: state.limit,
    ...(state.cursor ? { cursor: state.cursor } : {}),
    payload: 'auto',
    maxPayloadBytes: 120,
  };
}

/** Whether any filter narrows the selection (used for the empty state's wording). */
export const isFiltered = (f: FilterText): boolean => FILTER_FIELDS.some((k) => f[k].trim() !== '');

/** Live follow needs the newest events: newest first, the first page, and no upper bound. */
export const canFollow = (state: ExplorerState): boolean =>
  state.order === 'desc' && state.filters.to.trim() === '' && state.filters.until.trim() === '';

/**
 * The sequence currently stored in `slot`: the newest retained one congruent to it, or null when the retained
 * window `[tail, head)` has none there.
 */
export function sequenceInSlot(slot: number, slotCount: number, head: number, tail: number): number | null {
  if (slotCount <= 0 || slot < 0 || slot >= slotCount || head === 0) return null;
  const newest = head - 1;
  const seq = newest - ((((newest - slot) % slotCount) + slotCount) % slotCount);
  return seq >= tail && seq >= 0 ? seq : null;
}
