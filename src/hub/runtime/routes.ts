/**
 * Runtime state: `/api/status` (public: is the hub up, is the sequencer connected, where is the journal),
 * and, with the read scope, `/api/system` (the hub process, the host, file sizes, the sequencer),
 * `/api/ring` (ring and blob geometry, positions, wraps, consumer cursors), `/api/journal/layout` (the byte
 * map of the Journal Mirror page), `/api/streams` and `/api/topology` (from the sampler's tracker). The routes
 * that describe the journal answer 503 JOURNAL_UNAVAILABLE while there is none; the others always answer.
 *
 * @module
 */
import { hostname, loadavg, cpus, platform, release, totalmem, freemem } from 'node:os';
import type { HubServices } from '../hub.ts';
import { journalGeometry, SLOT_SIZE } from '../../journal/layout.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { VERSION } from '../version.ts';
import { defineRoute, type AnyRoute } from '../routes.ts';
import { cursorPlace, journalByteMap } from './layout-map.ts';
import type {
  LayoutResponse,
  RingResponse,
  StatusResponse,
  StreamsResponse,
  SystemResponse,
  TopologyResponse,
} from './schema.ts';
import { directorySizes, fileSizes } from './system.ts';
import { buildTopology } from './topology.ts';

function geometryOf(reader: JournalReader) {
  const identity = reader.identity();
  const g = journalGeometry(identity.slotCount, identity.blobSize);
  return {
    g,
    view: {
      slotCount: g.slotCount,
      slotSize: SLOT_SIZE,
      ringOffset: g.ringOffset,
      ringBytes: g.slotCount * SLOT_SIZE,
      blobOffset: g.blobOffset,
      blobSize: g.blobSize,
      fileSize: identity.fileSize,
      maxPayload: reader.writer().maxPayload,
    },
  };
}

export function runtimeRoutes(services: HubServices): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/status',
      summary: 'Hub liveness, sequencer connection and journal position (no key needed)',
      handler: (c) => {
        const reader = services.journal.reader();
        const publication = reader?.publication() ?? null;
        const hello = services.sequencer.hello;
        const body: StatusResponse = {
          status: 'ok',
          version: VERSION,
          uptimeMs: services.now() - services.startedAt,
          sequencer: {
            state: services.sequencer.state,
            ...(hello ? { pid: hello.pid, backend: hello.backend } : {}),
          },
          journal: {
            path: services.journal.path,
            available: reader !== null,
            ...(publication ? { head: publication.head, tail: publication.tail } : {}),
          },
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/system',
      summary: 'The hub process, the host, journal and data directory sizes, and the sequencer',
      handler: (c) => {
        const at = services.now();
        const memory = process.memoryUsage();
        const cpu = process.cpuUsage();
        const hello = services.sequencer.hello;
        const reader = services.journal.reader();
        const load = loadavg();
        const body: SystemResponse = {
          at,
          hub: {
            pid: process.pid,
            version: VERSION,
            startedAt: services.startedAt,
            uptimeMs: at - services.startedAt,
            nodeVersion: process.version,
            platform: process.platform,
            arch: process.arch,
            memory: {
              rssBytes: memory.rss,
              heapUsedBytes: memory.heapUsed,
              heapTotalBytes: memory.heapTotal,
              externalBytes: memory.external,
              arrayBuffersBytes: memory.arrayBuffers,
            },
            cpu: {
              userSeconds: cpu.user / 1e6,
              systemSeconds: cpu.system / 1e6,
              percent: services.metrics.latest().process?.cpuPercent ?? 0,
            },
          },
          host: {
            hostname: hostname(),
            platform: platform(),
            release: release(),
            cpuCount: cpus().length,
            loadAverage: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
            totalMemoryBytes: totalmem(),
            freeMemoryBytes: freemem(),
          },
          journal: {
            path: services.journal.path,
            available: reader !== null,
            file: fileSizes(services.journal.path),
          },
          dataDir: { path: services.config.dataDir, ...directorySizes(services.config.dataDir) },
          sequencer: {
            state: services.sequencer.state,
            pid: hello?.pid ?? null,
            backend: hello?.backend ?? null,
            listeners: hello?.listeners ?? [],
          },
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/ring',
      summary: 'Ring and blob geometry, head/tail/blob offsets, utilization, wraps and consumer cursors',
      handler: (c) => {
        const reader = services.journal.require();
        const at = services.now();
        const p = reader.publication();
        const { view } = geometryOf(reader);
        const writer = reader.writer();
        const counters = reader.counters();
        const rates = new Map(
          (services.metrics.latest().consumers ?? []).map((x) => [
            `${x.index}:${x.name}`,
            x.eventsPerSec ?? 0,
          ]),
        );
        const retained = p.head - p.tail;
        const blobUsed = Math.min(view.blobSize, Math.max(0, p.blobHead - p.blobTail));
        const body: RingResponse = {
          at,
          geometry: view,
          head: p.head,
          tail: p.tail,
          retained,
          blobHead: p.blobHead,
          blobTail: p.blobTail,
          blobUsed,
          utilization: { ring: retained / view.slotCount, blob: blobUsed / view.blobSize },
          wraps: { ring: Math.floor(p.head / view.slotCount), blob: Math.floor(p.blobHead / view.blobSize) },
          publishedMs: p.publishedMs,
          clock: { wallMs: p.clock.wallMs, logical: p.clock.logical },
          writer: {
            pid: writer.pid,
            open: writer.open,
            fsync: writer.fsync,
            durableHead: writer.durableHead,
            openCount: writer.openCount,
          },
          evicted: counters.EVENTS_EVICTED,
          dropped: counters.EVENTS_DROPPED,
          consumers: reader.cursors(at).map((cursor) => ({
            index: cursor.index,
            name: cursor.name,
            pid: cursor.pid,
            position: cursor.position,
            lag: Math.max(0, p.head - cursor.position),
            live: cursor.live,
            heartbeatMs: cursor.heartbeatMs,
            heartbeatAgeMs: at - cursor.heartbeatMs,
            leaseMs: cursor.leaseMs,
            place: cursorPlace(cursor.position, p.tail, p.head),
            lostEvents: Math.max(0, p.tail - cursor.position),
            eventsPerSec: rates.get(`${cursor.index}:${cursor.name}`) ?? 0,
          })),
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/journal/layout',
      summary: 'The journal byte map: header sections, occupied ring slots and blob bytes, cursor slots',
      handler: (c) => {
        const reader = services.journal.require();
        const at = services.now();
        const p = reader.publication();
        const { g, view } = geometryOf(reader);
        const map = journalByteMap({
          geometry: g,
          head: p.head,
          tail: p.tail,
          blobHead: p.blobHead,
          blobTail: p.blobTail,
          cursors: reader.cursors(at),
        });
        const blobUsed = Math.min(g.blobSize, Math.max(0, p.blobHead - p.blobTail));
        const body: LayoutResponse = {
          at,
          geometry: view,
          head: p.head,
          tail: p.tail,
          blobHead: p.blobHead,
          blobTail: p.blobTail,
          utilization: { ring: (p.head - p.tail) / g.slotCount, blob: blobUsed / g.blobSize },
          ...map,
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/streams',
      summary: 'Streams: names, ids, listeners, event counts, rates, bytes and last seen',
      handler: (c) => {
        const reader = services.journal.require();
        const snapshot = services.metrics.latest();
        const listeners = services.sequencer.hello?.listeners ?? [];
        const tracked = new Map((snapshot.streams ?? []).map((s) => [s.id, s]));
        // The snapshot may predate a stream registered a moment ago: the journal's table is the truth for names.
        for (const { id, name } of reader.streams()) {
          if (!tracked.has(id)) {
            tracked.set(id, {
              id,
              name,
              named: true,
              events: 0,
              payloadBytes: 0,
              liveEvents: 0,
              livePayloadBytes: 0,
              eventsPerSec: 0,
              payloadBytesPerSec: 0,
              lastSeenMs: null,
            });
          }
        }
        const senders = new Map<number, number>();
        for (const f of snapshot.flows ?? []) senders.set(f.streamId, (senders.get(f.streamId) ?? 0) + 1);
        const body: StreamsResponse = {
          at: snapshot.at,
          streams: [...tracked.values()]
            .sort((a, b) => a.id - b.id)
            .map((s) => ({
              id: s.id,
              name: s.name,
              named: s.named,
              listeners: listeners
                .filter((l) => l.streamId === s.id)
                .map((l) => ({ host: l.host, port: l.port })),
              events: s.events,
              payloadBytes: s.payloadBytes,
              liveEvents: s.liveEvents,
              eventsPerSec: s.eventsPerSec,
              payloadBytesPerSec: s.payloadBytesPerSec,
              lastSeenMs: s.lastSeenMs,
              nodes: senders.get(s.id) ?? 0,
            })),
          tracking: snapshot.tracker ?? {
            since: null,
            next: 0,
            lagEvents: 0,
            backfill: { from: 0, to: 0, next: 0, done: true },
            missedEvents: 0,
            dropped: { streams: 0, nodes: 0, flows: 0 },
          },
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/topology',
      summary: 'The live graph of nodes, streams and consumers, with event rates on the edges',
      handler: (c) => {
        services.journal.require();
        const body: TopologyResponse = buildTopology(services.metrics.latest());
        return c.json(body);
      },
    }),
  ];
}
