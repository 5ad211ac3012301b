/**
 * The connector endpoints: the registry (`/api/connectors`, one connector, delete, pause, resume) and the
 * webhook push (`/api/connectors/:id/ingest`), whose body is read raw so NDJSON and byte-exact objects work.
 *
 * @module
 */
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../routes.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { probe } from './probe.ts';
import { connectorParams, createConnectorBodySchema, type IngestResult } from './schema.ts';
import type { ConnectorService } from './service.ts';
import { parseIngestBody } from './webhook.ts';

export function connectorRoutes(service: ConnectorService, sequencer: SequencerLink): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/connectors',
      summary: 'Every connector with its state and counters, and the sequencer’s UDP listeners',
      query: z.strictObject({}),
      handler: (c) => c.json({ connectors: service.list() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/connectors',
      summary: 'Create a webhook, http-poll or nats connector',
      body: createConnectorBodySchema,
      audit: { action: 'connector.create' },
      handler: (c, { body }) => {
        const view = service.create(body);
        c.set('auditTarget', view.id);
        c.set('auditDetail', { name: body.name, kind: body.kind, stream: view.stream });
        return c.json(view, 201, { location: `/api/connectors/${view.id}` });
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/connectors/test',
      summary: 'Try a connector’s settings once without creating it',
      body: createConnectorBodySchema,
      audit: { action: 'connector.test' },
      handler: async (c, { body }) => {
        c.set('auditDetail', { name: body.name, kind: body.kind });
        return c.json(await probe(body, sequencer));
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/connectors/:id',
      summary: 'One connector',
      params: connectorParams,
      handler: (c, { params }) => c.json(service.view(params.id)),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/connectors/:id',
      summary: 'Stop and remove a connector (its journaled events stay)',
      params: connectorParams,
      audit: { action: 'connector.delete' },
      handler: async (c, { params }) => c.json(await service.delete(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/connectors/:id/pause',
      summary: 'Pause a connector',
      params: connectorParams,
      audit: { action: 'connector.pause' },
      handler: async (c, { params }) => c.json(await service.setPaused(params.id, true)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/connectors/:id/resume',
      summary: 'Resume a paused connector',
      params: connectorParams,
      audit: { action: 'connector.resume' },
      handler: async (c, { params }) => c.json(await service.setPaused(params.id, false)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/connectors/:id/ingest',
      summary: 'Push events to a webhook connector: a JSON object, a JSON array or NDJSON',
      params: connectorParams,
      audit: { action: 'connector.ingest' },
      handler: async (c, { params }) => {
        const payloads = parseIngestBody(
          new Uint8Array(await c.req.arrayBuffer()),
          c.req.header('content-type'),
        );
        const outcome = await service.ingest(params.id, payloads);
        c.set('auditDetail', { events: payloads.length, journaled: outcome.journaled });
        const body: IngestResult = {
          connector: params.id,
          stream: outcome.stream,
          received: payloads.length,
          journaled: outcome.journaled,
          dropped: outcome.dropped,
          rejected: outcome.rejected,
          sequences: outcome.sequences,
        };
        return c.json(body);
      },
    }),
  ];
}
