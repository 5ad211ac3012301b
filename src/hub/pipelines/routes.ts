/**
 * The pipeline endpoints: the registry (`/api/pipelines`, one pipeline, replace, delete), run and stop, and
 * the dry run, a read-only POST.
 *
 * @module
 */
import { z } from 'zod';
import { type AnyRoute, defineRoute } from '../routes.ts';
import {
  createPipelineBodySchema,
  dryRunBodySchema,
  pipelineParams,
  updatePipelineBodySchema,
} from './schema.ts';
import type { PipelineService } from './service.ts';

export function pipelineRoutes(service: PipelineService): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/pipelines',
      summary: 'Every pipeline with its validation, state and per-node counters',
      query: z.strictObject({}),
      handler: (c) => c.json({ pipelines: service.list() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/pipelines',
      summary: 'Create a pipeline (a graph with issues is saved as a draft that cannot run)',
      body: createPipelineBodySchema,
      audit: { action: 'pipeline.create' },
      handler: (c, { body }) => {
        const view = service.create(body);
        c.set('auditTarget', view.id);
        c.set('auditDetail', { name: view.name, nodes: view.nodes.length, valid: view.validation.ok });
        return c.json(view, 201, { location: `/api/pipelines/${view.id}` });
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/pipelines/:id',
      summary: 'One pipeline with its status and per-node counters',
      params: pipelineParams,
      handler: (c, { params }) => c.json(service.view(params.id)),
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/pipelines/:id',
      summary: 'Replace a stopped pipeline’s name, description and graph (its progress starts over)',
      params: pipelineParams,
      body: updatePipelineBodySchema,
      audit: { action: 'pipeline.update' },
      handler: (c, { params, body }) => {
        const view = service.update(params.id, body);
        c.set('auditDetail', { name: view.name, nodes: view.nodes.length, valid: view.validation.ok });
        return c.json(view);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/pipelines/:id',
      summary: 'Stop and remove a pipeline (the events it journaled stay)',
      params: pipelineParams,
      audit: { action: 'pipeline.delete' },
      handler: async (c, { params }) => c.json(await service.delete(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/pipelines/:id/run',
      summary: 'Run a valid pipeline over live events from where it left off (or the journal head)',
      params: pipelineParams,
      audit: { action: 'pipeline.run' },
      handler: (c, { params }) => c.json(service.run(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/pipelines/:id/stop',
      summary: 'Stop a running pipeline, keeping its position and state for the next run',
      params: pipelineParams,
      audit: { action: 'pipeline.stop' },
      handler: async (c, { params }) => c.json(await service.stopRun(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/pipelines/:id/dry-run',
      summary: 'Replay a journal range through the pipeline and return per-node counters and records',
      readOnly: true,
      params: pipelineParams,
      body: dryRunBodySchema,
      handler: async (c, { params, body }) => c.json(await service.dryRun(params.id, body, c.req.raw.signal)),
    }),
  ];
}
