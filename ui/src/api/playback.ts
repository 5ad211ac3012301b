/**
 * `/api/playback`: the hub's one shared playback cursor. Frames arrive over `/ws` (`usePlayback`). Answers are
 * parsed with src/hub/playback/schema.ts; actions are checked against the hub's schema before sending.
 *
 * @module
 */
import type { z } from 'zod';
import { playbackAction, playbackStateSchema } from '../../../src/hub/playback/schema.ts';
import { request, type RequestOptions } from './transport.ts';

/** What `controlPlayback` accepts: `{ action: 'play', from?, to?, speed?, streams? }`, `pause`, `resume`, … */
export type PlaybackActionInput = z.input<typeof playbackAction>;

/** `GET /api/playback` — the current state. */
export const getPlayback = (options: RequestOptions = {}) =>
  request('GET', '/api/playback', playbackStateSchema, options);

/** `POST /api/playback` — play, pause, resume, seek, speed or stop; answers the new state. */
export const controlPlayback = (action: PlaybackActionInput, options: RequestOptions = {}) =>
  request('POST', '/api/playback', playbackStateSchema, {
    ...options,
    body: action,
    bodySchema: playbackAction,
  });
