/**
 * `/api/pipelines…`: pipeline graphs, run/stop and dry runs. Answers are parsed with
 * src/hub/pipelines/schema.ts; bodies are checked against the hub's schemas before sending.
 *
 * @module
 */
import { z } from 'zod';
import {
  createPipelineBodySchema,
  type CreatePipelineBody,
  dryRunBodySchema,
  type DryRunBody,
  dryRunResultSchema,
  pipelineListSchema,
  pipelineViewSchema,
} from '../../../src/hub/pipelines/schema.ts';
import { request, type RequestOptions, segment } from './transport.ts';

/** `GET /api/pipelines` — every pipeline with validation and status. */
export const listPipelines = (options: RequestOptions = {}) =>
  request('GET', '/api/pipelines', pipelineListSchema, options);

/** `GET /api/pipelines/:id` — one pipeline with its live per-node counters. */
export const getPipeline = (id: string, options: RequestOptions = {}) =>
  request('GET', `/api/pipelines/${segment(id)}`, pipelineViewSchema, options);

/** `POST /api/pipelines` — saves a new pipeline (a graph with issues is kept as a draft). */
export const createPipeline = (body: CreatePipelineBody, options: RequestOptions = {}) =>
  request('POST', '/api/pipelines', pipelineViewSchema, {
    ...options,
    body,
    bodySchema: createPipelineBodySchema,
  });

/** `PUT /api/pipelines/:id` — replaces a stopped pipeline's graph. */
export const updatePipeline = (id: string, body: CreatePipelineBody, options: RequestOptions = {}) =>
  request('PUT', `/api/pipelines/${segment(id)}`, pipelineViewSchema, {
    ...options,
    body,
    bodySchema: createPipelineBodySchema,
  });

/** `DELETE /api/pipelines/:id` — stops and removes it. */
export const deletePipeline = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/pipelines/${segment(id)}`, pipelineViewSchema, options);

/** `POST /api/pipelines/:id/run` or `/stop`. */
export const setPipelineRunning = (id: string, running: boolean, options: RequestOptions = {}) =>
  request('POST', `/api/pipelines/${segment(id)}/${running ? 'run' : 'stop'}`, pipelineViewSchema, options);

/** `POST /api/pipelines/:id/dry-run` — replays a journal range; nothing is delivered. */
export const dryRunPipeline = (id: string, body: DryRunBody, options: RequestOptions = {}) =>
  request('POST', `/api/pipelines/${segment(id)}/dry-run`, dryRunResultSchema, {
    ...options,
    body,
    bodySchema: dryRunBodySchema as z.ZodType,
  });
