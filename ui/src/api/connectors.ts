/**
 * `/api/connectors`: the hub's connectors (webhook, http-poll, nats, and the sequencer's UDP listeners). Answers
 * are parsed with src/hub/connectors/schema.ts; a new connector's body is checked against the hub's schema
 * before sending, so field errors come back with the same `body.<field>` names either way.
 *
 * @module
 */
import {
  type CreateConnectorInput,
  connectorListSchema,
  connectorSchema,
  createConnectorBodySchema,
  ingestResultSchema,
  probeResultSchema,
} from '../../../src/hub/connectors/schema.ts';
import { request, type RequestOptions, segment } from './transport.ts';

/** `GET /api/connectors` — stored connectors, then the UDP listeners. */
export const listConnectors = (options: RequestOptions = {}) =>
  request('GET', '/api/connectors', connectorListSchema, options);

/** `POST /api/connectors` — 201 with the new connector; 409 NAME_TAKEN. */
export const createConnector = (body: CreateConnectorInput, options: RequestOptions = {}) =>
  request('POST', '/api/connectors', connectorSchema, {
    ...options,
    body,
    bodySchema: createConnectorBodySchema,
  });

/** `POST /api/connectors/test` — tries the settings once; a failed try is `ok: false`, not an error. */
export const testConnector = (body: CreateConnectorInput, options: RequestOptions = {}) =>
  request('POST', '/api/connectors/test', probeResultSchema, {
    ...options,
    body,
    bodySchema: createConnectorBodySchema,
  });

/** `DELETE /api/connectors/:id` */
export const deleteConnector = (id: string, options: RequestOptions = {}) =>
  request('DELETE', `/api/connectors/${segment(id)}`, connectorSchema, options);

/** `POST /api/connectors/:id/pause` or `/resume` */
export const setConnectorPaused = (id: string, paused: boolean, options: RequestOptions = {}) =>
  request('POST', `/api/connectors/${segment(id)}/${paused ? 'pause' : 'resume'}`, connectorSchema, options);

/** `POST /api/connectors/:id/ingest` — pushes JSON events (an object or an array) to a webhook. */
export const ingestToConnector = (id: string, events: unknown, options: RequestOptions = {}) =>
  request('POST', `/api/connectors/${segment(id)}/ingest`, ingestResultSchema, { ...options, body: events });
