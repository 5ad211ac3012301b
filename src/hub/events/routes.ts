/**
 * The event endpoints: `/api/events` (pages), `/api/events/:slot` (one event), `/api/export` (a streamed
 * range), `/api/simulate` and `/api/replay` (background jobs). Handlers resolve the query against the journal
 * and hand the work to the modules beside this one.
 *
 * @module
 */
import { z } from 'zod';
import { loadAddon } from '../../native/binding.ts';
import { HubError } from '../errors.ts';
import { type HubServices, isLoopback } from '../hub.ts';
import { type AnyRoute, defineRoute } from '../routes.ts';
import { decodeCursor, encodeCursor, fingerprint } from './cursor.ts';
import { exportStream } from './export.ts';
import { JobRegistry, newJobId } from './jobs.ts';
import { pageViews, readPage } from './page.ts';
import { eventParams, eventQuery, eventsQuery, exportQuery, jobParams, streamQuery } from './params.ts';
import { renderPayloadDetail } from './payload.ts';
import { type EventFilter, resolveRange, resolveStreams, type StreamSelector } from './range.ts';
import { ReplayRun } from './replay.ts';
import {
  type EventDetail,
  type EventsPage,
  REPLAY_MAX_RANGE,
  replayBodySchema,
  type ReplayJob,
  simulateBodySchema,
  type SimulateJob,
} from './schema.ts';
import { checkTemplate, SimulateRun } from './simulate.ts';
import { eventView, StreamNames } from './view.ts';

/** Slots one page request may decode at most; a sparse filter returns a partial page and a cursor. */
export const PAGE_SCAN_BUDGET = 100_000;

function filterOf(
  reader: Parameters<typeof resolveStreams>[0],
  streams: readonly StreamSelector[] | undefined,
  node: number | undefined,
  field: string,
): EventFilter {
  return {
    streams: streams === undefined ? null : resolveStreams(reader, streams, field),
    node: node ?? null,
  };
}

function rangeTooLarge(size: number): HubError {
  const message = `body: the range holds ${size} events; a replay takes at most ${REPLAY_MAX_RANGE} (narrow from/to or since/until)`;
  return new HubError(400, 'RANGE_TOO_LARGE', message, { issues: [{ field: 'body', message }] });
}

export interface EventRoutes {
  routes: AnyRoute[];
  simulations: JobRegistry<SimulateJob, SimulateRun>;
  replays: JobRegistry<ReplayJob, ReplayRun>;
}

export function eventRoutes(services: HubServices, options: { pageScanBudget?: number } = {}): EventRoutes {
  const { journal, sequencer, now } = services;
  const budget = options.pageScanBudget ?? PAGE_SCAN_BUDGET;
  const simulations = new JobRegistry<SimulateJob, SimulateRun>('simulate');
  const replays = new JobRegistry<ReplayJob, ReplayRun>('replay');

  const routes: AnyRoute[] = [
    defineRoute({
      method: 'GET',
      path: '/api/events',
      summary: 'Page through the journal, filtered by stream, node, sequence and time',
      query: eventsQuery,
      handler: (c, { query }) => {
        const reader = journal.require();
        const filter = filterOf(reader, streamQuery(c, query.stream), query.node, 'query.stream');
        const key = fingerprint([
          filter.streams,
          filter.node,
          query.from ?? null,
          query.to ?? null,
          query.since ?? null,
          query.until ?? null,
        ]);
        const publication = reader.publication();
        let lo: number, hi: number, position: number;
        if (query.cursor !== undefined) {
          ({ lo, hi, position } = decodeCursor(query.cursor, { order: query.order, fingerprint: key }));
        } else {
          ({ lo, hi } = resolveRange(reader, query, now()));
          position = query.order === 'asc' ? lo : hi;
        }
        const page = readPage(reader, {
          order: query.order,
          lo,
          hi,
          position,
          limit: query.limit,
          budget,
          filter,
        });
        const names = new StreamNames(reader);
        const body: EventsPage = {
          events: pageViews(reader, page.matched, names, query.payload, query.maxPayloadBytes),
          nextCursor:
            page.next === null
              ? null
              : encodeCursor({ order: query.order, position: page.next, lo, hi, fingerprint: key }),
          scanned: page.scanned,
          head: publication.head,
          tail: publication.tail,
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/events/:slot',
      summary: 'One event by sequence number: payload decoded, checksum verified',
      params: eventParams,
      query: eventQuery,
      handler: (c, { params, query }) => {
        const reader = journal.require();
        const seq = params.slot;
        const event = reader.readEvent(seq);
        if (event === null) {
          const { head, tail } = reader.publication();
          if (seq >= head) {
            throw new HubError(
              404,
              'NOT_FOUND',
              `event ${seq} has not been written; the next sequence is ${head}`,
              {
                seq,
                head,
                tail,
              },
            );
          }
          throw new HubError(
            410,
            'EVENT_EVICTED',
            `event ${seq} was evicted: the journal's ring keeps the newest events and now holds [${tail}, ${head})`,
            { seq, head, tail },
          );
        }
        const { bytes, overwritten } = reader.readPayload(seq, event);
        const computed = overwritten ? null : loadAddon().crc32c(bytes);
        const view = eventView(seq, event, reader.slotCount, new StreamNames(reader));
        const body: EventDetail = {
          ...view,
          checksum: {
            stored: event.checksum,
            computed,
            ok: computed === null ? null : computed === event.checksum,
          },
          payload: overwritten ? null : renderPayloadDetail(bytes, query.maxPayloadBytes),
          overwritten,
          retained: reader.loadTail() <= seq,
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/export',
      summary: 'Stream a range of events as NDJSON or CSV (oldest first)',
      query: exportQuery,
      handler: (c, { query }) => {
        const reader = journal.require();
        const filter = filterOf(reader, streamQuery(c, query.stream), query.node, 'query.stream');
        const { lo, hi } = resolveRange(reader, query, now());
        const extension = query.format === 'csv' ? 'csv' : 'ndjson';
        const body = exportStream({
          reader,
          names: new StreamNames(reader),
          lo,
          hi,
          filter,
          limit: query.limit,
          format: query.format,
          payload: query.payload,
        });
        return new Response(body, {
          status: 200,
          headers: {
            'content-type': query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson',
            'content-disposition': `attachment; filename="lacrimosa-events-${lo}-${hi}.${extension}"`,
            'cache-control': 'no-store',
            'x-export-from': String(lo),
            'x-export-to': String(hi),
          },
        });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/simulate',
      summary: 'Start a job submitting synthetic events through the sequencer',
      body: simulateBodySchema,
      audit: { action: 'simulate.start' },
      handler: async (c, { body }) => {
        simulations.checkCapacity();
        const id = newJobId('sim');
        checkTemplate(body.payload, body.streams, id);
        const streams: { id: number; name: string }[] = [];
        for (const name of body.streams) streams.push({ id: await sequencer.registerStream(name), name });
        const job = new SimulateRun(
          id,
          {
            streams,
            rate: body.rate,
            durationMs: body.durationMs ?? null,
            count: body.count ?? null,
            nodeId: body.nodeId,
            payload: body.payload,
          },
          { sequencer, now },
        );
        simulations.add(job);
        job.start();
        c.set('auditTarget', id);
        c.set('auditDetail', body);
        return c.json(job.view(), 202, { location: `/api/simulate/${id}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/simulate',
      summary: 'Simulation jobs with their progress, newest first',
      query: z.strictObject({}),
      handler: (c) => c.json({ jobs: simulations.list() }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/simulate/:id',
      summary: 'One simulation job and its progress',
      params: jobParams,
      handler: (c, { params }) => c.json(simulations.get(params.id).view()),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/simulate/:id',
      summary: 'Stop a simulation job (finished jobs are left as they are)',
      params: jobParams,
      audit: { action: 'simulate.stop', target: ({ params }) => params.id },
      handler: async (c, { params }) => {
        const job = simulations.get(params.id);
        await job.stop();
        return c.json(job.view());
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/replay',
      summary: 'Start a job re-emitting a journal range to a UDP target or into a stream',
      body: replayBodySchema,
      audit: { action: 'replay.start' },
      handler: async (c, { body }) => {
        replays.checkCapacity();
        const { target } = body;
        if (target.kind === 'udp' && !services.config.allowRemote && !isLoopback(target.host)) {
          const message = `body.target.host: ${target.host} is not a loopback address; the hub replays to 127.0.0.1, ::1 or localhost only unless it runs with --allow-remote`;
          throw new HubError(400, 'REMOTE_TARGET_REFUSED', message, {
            issues: [{ field: 'body.target.host', message }],
          });
        }
        if (body.from !== undefined && body.to !== undefined && body.to - body.from > REPLAY_MAX_RANGE) {
          throw rangeTooLarge(body.to - body.from);
        }
        const reader = journal.require();
        const selectors = body.stream === undefined ? undefined : [body.stream].flat();
        const filter = filterOf(reader, selectors, body.node, 'body.stream');
        const { lo, hi } = resolveRange(reader, body, now());
        if (hi - lo > REPLAY_MAX_RANGE) throw rangeTooLarge(hi - lo);
        const resolvedTarget =
          target.kind === 'udp'
            ? target
            : {
                kind: 'stream' as const,
                stream: target.stream,
                streamId: await sequencer.registerStream(target.stream),
              };
        const id = newJobId('rpl');
        const job = new ReplayRun(
          id,
          {
            lo,
            hi,
            filter,
            streams: filter.streams?.map((s) => ({ id: s, name: reader.streamName(s) })) ?? null,
            target: resolvedTarget,
            rate: body.rate,
          },
          { journal, sequencer, now },
        );
        replays.add(job);
        job.start();
        c.set('auditTarget', id);
        c.set('auditDetail', body);
        return c.json(job.view(), 202, { location: `/api/replay/${id}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/replay',
      summary: 'Replay jobs with their progress, newest first',
      query: z.strictObject({}),
      handler: (c) => c.json({ jobs: replays.list() }),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/replay/:id',
      summary: 'One replay job and its progress',
      params: jobParams,
      handler: (c, { params }) => c.json(replays.get(params.id).view()),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/replay/:id',
      summary: 'Stop a replay job',
      params: jobParams,
      audit: { action: 'replay.stop', target: ({ params }) => params.id },
      handler: async (c, { params }) => {
        const job = replays.get(params.id);
        await job.stop();
        return c.json(job.view());
      },
    }),
  ];
  return { routes, simulations, replays };
}
