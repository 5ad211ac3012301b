/**
 * Playback's request and response schemas (`/api/playback`; frames travel over `/ws`, see ws/schema.ts).
 * Dependency-free apart from zod, so the UI can import it. Prose: docs/api.md.
 *
 * @module
 */
import { z } from 'zod';
import { parseTimeBound, TIME_HINT, type TimeBound } from '../events/time.ts';

export const PLAYBACK_LIMITS = {
  speed: { min: 0.1, max: 1000, default: 1 },
  /** A frame is sent at most this often while playing. */
  frameIntervalMs: 50,
  /** Events in one frame at most; denser stretches play slower than asked rather than flood clients. */
  maxFrameEvents: 1000,
  /** A silence between two events longer than this (real time, after scaling by speed) is cut to it. */
  maxIdleGapMs: 1000,
  maxStreams: 64,
} as const;

const epochMs = z.number().int().nonnegative();
const writtenTime = z.string().transform((text, ctx) => {
  const bound = parseTimeBound(text);
  if (bound === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a time: use ${TIME_HINT}` });
    return z.NEVER;
  }
  return bound;
});

/**
 * A place in the journal: a sequence number (a JSON number), a time as a string (RFC 3339, epoch ms, or a
 * duration ago like `5m`), or `{ "time": epoch ms | such a string }`. A time means the first event whose clock
 * time is at or after it; a relative time is resolved against the hub's clock when the action runs.
 */
export const seqOrTime = z.union(
  [
    z.number().int('a sequence number must be an integer').nonnegative('a sequence number is at least 0'),
    writtenTime.transform((time) => ({ time })),
    z.strictObject({ time: z.union([epochMs.transform((at): TimeBound => ({ at })), writtenTime]) }),
  ],
  { error: `a place is a sequence number, a time (${TIME_HINT}) or { "time": … }` },
);
export type SeqOrTime = z.infer<typeof seqOrTime>;

export const playbackSpeed = z
  .number()
  .min(PLAYBACK_LIMITS.speed.min, `speed must be at least ${PLAYBACK_LIMITS.speed.min}`)
  .max(PLAYBACK_LIMITS.speed.max, `speed must be at most ${PLAYBACK_LIMITS.speed.max}`);

export const playAction = z.strictObject({
  action: z.literal('play'),
  /** Default: the oldest retained event. */
  from: seqOrTime.optional(),
  /** Exclusive end; default (and at most): the journal head when play is asked. */
  to: seqOrTime.optional(),
  speed: playbackSpeed.optional(),
  /** Only events of these streams (names or ids) are sent; default all. */
  streams: z
    .array(z.union([z.string().min(1).max(31), z.number().int().min(0).max(1023)]))
    .min(1, 'streams must name at least one stream (omit it for all)')
    .max(PLAYBACK_LIMITS.maxStreams)
    .optional(),
});

export const playbackAction = z.discriminatedUnion(
  'action',
  [
    playAction,
    z.strictObject({ action: z.literal('pause') }),
    z.strictObject({ action: z.literal('resume') }),
    z.strictObject({ action: z.literal('seek'), to: seqOrTime }),
    z.strictObject({ action: z.literal('speed'), speed: playbackSpeed }),
    z.strictObject({ action: z.literal('stop') }),
  ],
  { error: 'action must be one of play, pause, resume, seek, speed, stop' },
);
export type PlaybackAction = z.infer<typeof playbackAction>;
export type PlayAction = z.infer<typeof playAction>;

export const PLAYBACK_STATES = ['stopped', 'playing', 'paused'] as const;
export const STOP_REASONS = ['end', 'evicted', 'stopped', 'unavailable'] as const;

export const playbackStateSchema = z.object({
  state: z.enum(PLAYBACK_STATES),
  /** Next sequence to play; null before the first play. */
  position: z.number().int().nullable(),
  /** The range being (or last) played: [from, to). */
  from: z.number().int().nullable(),
  to: z.number().int().nullable(),
  speed: z.number(),
  /** Stream filter; null for all streams. */
  streams: z.array(z.object({ id: z.number().int(), name: z.string().nullable() })).nullable(),
  /** Wall-clock ms when play was last asked; null before the first play. */
  startedAt: z.number().nullable(),
  /** Wall-clock ms of the last state change. */
  updatedAt: z.number(),
  /** Event-clock time (wall ms) the playhead has reached. */
  virtualTime: z.number().nullable(),
  eventsPlayed: z.number().int(),
  frames: z.number().int(),
  /** Why the last playback stopped; null while one is playing or paused, or before any. */
  stoppedReason: z.enum(STOP_REASONS).nullable(),
  /** A sentence about the stop (e.g. which events were evicted). */
  message: z.string().nullable(),
});
export type PlaybackState = z.infer<typeof playbackStateSchema>;
