/**
 * The hub's playback cursor: replays a journal range at ×speed using the events' own clock times. One cursor
 * per hub, shared by every client: the REST routes steer it, `/ws` playback subscribers receive its frames.
 *
 * Every `frameIntervalMs` the virtual clock advances by the real time elapsed × speed, and the events whose
 * clock time it has reached go out as one frame. Long silences are cut to `maxIdleGapMs` of real time; a frame
 * carries at most `maxFrameEvents` (a denser stretch plays slower than asked instead of flooding clients).
 * Playback stops at the end of the range, or when the journal evicts events before they were played.
 *
 * @module
 */
import { wallMsOfWords } from '../../core/hlc.ts';
import type { JournalReader } from '../../journal/reader.ts';
import { resolveTimeBound } from '../events/time.ts';
import { HubError } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import type { JournalSource } from '../journal-source.ts';
import { type RawEvent, readEvents } from '../ws/event-view.ts';
import {
  PLAYBACK_LIMITS,
  type PlayAction,
  type PlaybackState,
  type SeqOrTime,
  STOP_REASONS,
} from './schema.ts';

type Status = PlaybackState['state'];
type StopReason = (typeof STOP_REASONS)[number];

export interface Frame {
  index: number;
  virtualTime: number;
  events: RawEvent[];
}

/** Slots examined per frame at most, so a stream filter over a dense journal cannot stall the event loop. */
const SCAN_BUDGET = 65_536;

export class PlaybackCursor {
  readonly #journal: JournalSource;
  readonly #now: () => number;
  readonly #frameListeners = new Set<(frame: Frame, state: PlaybackState) => void>();
  readonly #stateListeners = new Set<(state: PlaybackState) => void>();
  #status: Status = 'stopped';
  #from: number | null = null;
  #to: number | null = null;
  #position: number | null = null;
  #speed: number = PLAYBACK_LIMITS.speed.default;
  #streams: { id: number; name: string | null }[] | null = null;
  #streamIds: Set<number> | null = null;
  #startedAt: number | null = null;
  #updatedAt: number;
  #virtualTime: number | null = null;
  #eventsPlayed = 0;
  #frames = 0;
  #stoppedReason: StopReason | null = null;
  #message: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  /** performance.now() when the virtual clock was last advanced. */
  #lastTick = 0;

  constructor(journal: JournalSource, now: () => number = Date.now) {
    this.#journal = journal;
    this.#now = now;
    this.#updatedAt = now();
  }

  state(): PlaybackState {
    return {
      state: this.#status,
      position: this.#position,
      from: this.#from,
      to: this.#to,
      speed: this.#speed,
      streams: this.#streams,
      startedAt: this.#startedAt,
      updatedAt: this.#updatedAt,
      virtualTime: this.#virtualTime,
      eventsPlayed: this.#eventsPlayed,
      frames: this.#frames,
      stoppedReason: this.#stoppedReason,
      message: this.#message,
    };
  }

  onFrame(listener: (frame: Frame, state: PlaybackState) => void): () => void {
    this.#frameListeners.add(listener);
    return () => this.#frameListeners.delete(listener);
  }

  onState(listener: (state: PlaybackState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  /** Starts (or restarts) playback of a range. @throws HubError 400/410/503 naming the offending field. */
  play(action: PlayAction): PlaybackState {
    const reader = this.#journal.require();
    const { head, tail } = reader.publication();
    if (head === tail) {
      throw new HubError(409, 'EMPTY_RANGE', 'nothing to play: the journal retains no events');
    }
    const from = action.from === undefined ? tail : this.#resolve(reader, 'body.from', action.from);
    const end =
      action.to === undefined ? head : Math.min(head, this.#resolve(reader, 'body.to', action.to, true));
    if (end <= from) {
      throw new HubError(
        400,
        'EMPTY_RANGE',
        `nothing to play in [${from}, ${end}): body.to must come after body.from (retained: ${tail}..${head - 1})`,
      );
    }
    const streams = action.streams?.map((s, i) => {
      if (typeof s === 'number') return { id: s, name: reader.streamName(s) };
      const id = reader.streamId(s);
      if (id === null) {
        const known = reader.streams().map((x) => x.name);
        throw new HubError(
          400,
          'INVALID_REQUEST',
          `body.streams.${i}: no stream named "${s}" (known: ${known.join(', ') || 'none'})`,
        );
      }
      return { id, name: s };
    });
    this.#clearTimer();
    this.#from = from;
    this.#to = end;
    this.#position = from;
    this.#speed = action.speed ?? PLAYBACK_LIMITS.speed.default;
    this.#streams = streams ?? null;
    this.#streamIds = streams ? new Set(streams.map((s) => s.id)) : null;
    this.#startedAt = this.#now();
    this.#virtualTime = this.#timeOf(reader, from);
    this.#eventsPlayed = 0;
    this.#frames = 0;
    this.#stoppedReason = null;
    this.#message = null;
    this.#status = 'playing';
    this.#lastTick = performance.now();
    this.#schedule(0);
    return this.#changed();
  }

  pause(): PlaybackState {
    this.#requireActive('pause');
    if (this.#status === 'playing') {
      this.#advanceClock();
      this.#clearTimer();
      this.#status = 'paused';
    }
    return this.#changed();
  }

  resume(): PlaybackState {
    this.#requireActive('resume');
    if (this.#status === 'paused') {
      this.#status = 'playing';
      this.#lastTick = performance.now();
      this.#schedule(0);
    }
    return this.#changed();
  }

  /** Moves the playhead within the range; playing or paused stays so. */
  seek(to: SeqOrTime): PlaybackState {
    this.#requireActive('seek');
    const reader = this.#journal.require();
    const target = this.#resolve(reader, 'body.to', to, true);
    if (target < this.#from! || target > this.#to!) {
      throw new HubError(
        400,
        'OUT_OF_RANGE',
        `body.to: ${target} is outside the range being played [${this.#from}, ${this.#to}]`,
      );
    }
    this.#position = target;
    if (target < this.#to!) this.#virtualTime = this.#timeOf(reader, target);
    this.#lastTick = performance.now();
    if (this.#status === 'playing') {
      this.#clearTimer();
      this.#schedule(0);
    }
    return this.#changed();
  }

  setSpeed(speed: number): PlaybackState {
    this.#requireActive('speed');
    if (this.#status === 'playing') this.#advanceClock();
    this.#speed = speed;
    return this.#changed();
  }

  stop(): PlaybackState {
    if (this.#status !== 'stopped') this.#halt('stopped', 'stopped on request');
    else this.#changed();
    return this.state();
  }

  /** Stops the timer without announcing anything (hub shutdown). */
  close(): void {
    this.#clearTimer();
    this.#frameListeners.clear();
    this.#stateListeners.clear();
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────

  #resolve(reader: JournalReader, field: string, value: SeqOrTime, isEnd = false): number {
    const { head, tail } = reader.publication();
    if (typeof value !== 'number') return reader.findByTime(resolveTimeBound(value.time, this.#now()));
    if (value < tail) {
      throw new HubError(
        410,
        'EVICTED',
        `${field}: event ${value} was evicted; the oldest retained event is ${tail}`,
      );
    }
    // An exclusive end may name head itself.
    if (value > head || (!isEnd && value === head)) {
      throw new HubError(
        400,
        'OUT_OF_RANGE',
        `${field}: event ${value} has not been journaled yet (retained: ${tail}..${head - 1})`,
      );
    }
    return value;
  }

  #timeOf(reader: JournalReader, seq: number): number {
    const event = reader.decodeSlot(seq);
    return wallMsOfWords(event.lamportHi, event.lamportLo);
  }

  #requireActive(action: string): void {
    if (this.#status === 'stopped') {
      throw new HubError(
        409,
        'NOT_PLAYING',
        `cannot ${action}: nothing is playing; start with action "play"`,
      );
    }
  }

  #advanceClock(): void {
    const now = performance.now();
    this.#virtualTime = (this.#virtualTime ?? 0) + (now - this.#lastTick) * this.#speed;
    this.#lastTick = now;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#tick();
      if (this.#status === 'playing' && this.#timer === null) this.#schedule(PLAYBACK_LIMITS.frameIntervalMs);
    }, delayMs);
    this.#timer.unref();
  }

  #clearTimer(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  #tick(): void {
    if (this.#status !== 'playing') return;
    const reader = this.#journal.reader();
    if (reader === null) {
      this.#halt('unavailable', `the journal ${this.#journal.path} cannot be read any more`);
      return;
    }
    this.#advanceClock();
    const virtualTime = this.#virtualTime!;
    const position = this.#position!;
    const to = this.#to!;
    const ids = this.#streamIds;
    let nextTime: number | null = null;
    let lastTime = virtualTime;
    let examined = 0;
    let capped = false;
    const { events, next, lost } = readEvents(reader, position, to, {
      want: ids === null ? undefined : (e) => ids.has(e.streamId),
      stop: (e) => {
        const time = wallMsOfWords(e.lamportHi, e.lamportLo);
        if (time > virtualTime) {
          nextTime = time;
          return true;
        }
        if (examined >= SCAN_BUDGET) {
          capped = true;
          return true;
        }
        examined++;
        lastTime = time;
        return false;
      },
      limit: PLAYBACK_LIMITS.maxFrameEvents,
    });
    if (lost > 0) {
      const tail = reader.loadTail();
      this.#halt(
        'evicted',
        `events ${position}..${Math.min(tail, to) - 1} were evicted from the journal before they were played`,
      );
      return;
    }
    this.#position = next;
    if (events.length >= PLAYBACK_LIMITS.maxFrameEvents) capped = true;
    // Behind schedule: hold the clock at what was played, so the next frame does not owe a growing backlog.
    if (capped) this.#virtualTime = lastTime;
    if (events.length > 0) {
      this.#eventsPlayed += events.length;
      const frame: Frame = { index: this.#frames++, virtualTime: this.#virtualTime!, events };
      const state = this.state();
      for (const listener of this.#frameListeners) listener(frame, state);
    }
    if (next >= to) {
      this.#halt('end', `played to the end of the range (${this.#eventsPlayed} events)`);
      return;
    }
    const maxGap = PLAYBACK_LIMITS.maxIdleGapMs * this.#speed;
    if (nextTime !== null && nextTime - this.#virtualTime! > maxGap) this.#virtualTime = nextTime - maxGap;
  }

  #halt(reason: StopReason, message: string): void {
    this.#clearTimer();
    this.#status = 'stopped';
    this.#stoppedReason = reason;
    this.#message = message;
    this.#changed();
  }

  #changed(): PlaybackState {
    this.#updatedAt = this.#now();
    const state = this.state();
    for (const listener of this.#stateListeners) listener(state);
    return state;
  }
}

const cursors = new WeakMap<HubServices, PlaybackCursor>();

/** The hub's one playback cursor, created on first use (the playback routes and `/ws` share it). */
export function playbackOf(services: HubServices): PlaybackCursor {
  let cursor = cursors.get(services);
  if (cursor === undefined) {
    cursor = new PlaybackCursor(services.journal, services.now);
    cursors.set(services, cursor);
  }
  return cursor;
}
