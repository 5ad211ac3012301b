/**
 * Runtime endpoints: hub status (public), the system, the ring, the journal byte map, streams, topology.
 * One function per endpoint; every answer is parsed with src/hub/runtime/schema.ts.
 *
 * @module
 */
import {
  layoutResponseSchema,
  ringResponseSchema,
  statusResponseSchema,
  streamsResponseSchema,
  systemResponseSchema,
  topologyResponseSchema,
} from '../../../src/hub/runtime/schema.ts';
import { request, type RequestOptions } from './transport.ts';

/** `GET /api/status` — no key needed: is the hub up, is the sequencer connected, where is the journal. */
export const getStatus = (options: RequestOptions = {}) =>
  request('GET', '/api/status', statusResponseSchema, { ...options, key: options.key ?? null });

/** `GET /api/system` — the hub process, the host, file sizes and the sequencer. */
export const getSystem = (options: RequestOptions = {}) =>
  request('GET', '/api/system', systemResponseSchema, options);

/** `GET /api/ring` — ring and blob geometry, positions, utilization, wraps and consumer cursors. */
export const getRing = (options: RequestOptions = {}) =>
  request('GET', '/api/ring', ringResponseSchema, options);

/** `GET /api/journal/layout` — the journal's byte map (header sections, occupied slots and blob bytes). */
export const getJournalLayout = (options: RequestOptions = {}) =>
  request('GET', '/api/journal/layout', layoutResponseSchema, options);

/** `GET /api/streams` — names, listeners, counts, rates, bytes and last seen per stream. */
export const getStreams = (options: RequestOptions = {}) =>
  request('GET', '/api/streams', streamsResponseSchema, options);

/** `GET /api/topology` — nodes → streams → consumers with live rates on the edges. */
export const getTopology = (options: RequestOptions = {}) =>
  request('GET', '/api/topology', topologyResponseSchema, options);
