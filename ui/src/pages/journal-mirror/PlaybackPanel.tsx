/**
 * Playback controls over the hub's one shared playback cursor (`POST /api/playback`), its live state and the
 * latest played events, both from `/ws` (`usePlayback`).
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import type { EventView, PlaybackMessage } from '../../../../src/hub/ws/schema.ts';
import {
  controlPlayback,
  type PlaybackActionInput,
  type PlaybackState,
  toApiError,
} from '../../api/index.ts';
import type { ApiError } from '../../api/index.ts';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { ErrorState } from '../../components/States.tsx';
import { formatNodeId, formatNumber, formatTime } from '../../lib/format.ts';
import { usePlayback } from '../../ws/hooks.tsx';
import { parsePlace } from './place.ts';

const SPEEDS = [0.25, 0.5, 1, 2, 5, 10, 50, 100, 1000];
/** Latest played events kept on screen. */
const KEEP = 14;

const STATE_TONE: Record<PlaybackState['state'], Tone> = {
  playing: 'ok',
  paused: 'warn',
  stopped: 'neutral',
};

export interface PlaybackPanelProps {
  /** Stream names by id, for the frame list and the filter. */
  streams: { id: number; name: string }[];
  /** The journal's retained range, for the presets. */
  head: number;
  tail: number;
}

export function PlaybackPanel({ streams, head, tail }: PlaybackPanelProps) {
  const [played, setPlayed] = useState<EventView[]>([]);
  const [frames, setFrames] = useState(0);
  const onMessage = (message: PlaybackMessage) => {
    const events = message.frame?.events;
    if (!events || events.length === 0) return;
    setFrames((n) => n + 1);
    setPlayed((previous) => [...events.slice(-KEEP).reverse(), ...previous].slice(0, KEEP));
  };
  const { state } = usePlayback('text', onMessage);

  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [speed, setSpeed] = useState(1);
  const [stream, setStream] = useState('');
  const [fieldError, setFieldError] = useState<{ field: 'from' | 'to'; message: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [seekDraft, setSeekDraft] = useState<number | null>(null);

  const send = async (action: PlaybackActionInput) => {
    setBusy(true);
    try {
      await controlPlayback(action);
      setError(null);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(false);
    }
  };

  const play = (event?: FormEvent) => {
    event?.preventDefault();
    const now = Date.now();
    const start = parsePlace(from, now);
    const end = parsePlace(to, now);
    const invalid = 'a sequence number (1200), a time (2026-11-22 08:00) or a duration ago (30s, 5m)';
    if (start === 'invalid') return setFieldError({ field: 'from', message: `Enter ${invalid}` });
    if (end === 'invalid') return setFieldError({ field: 'to', message: `Enter ${invalid}` });
    setFieldError(null);
    setPlayed([]);
    setFrames(0);
    void send({
      action: 'play',
      ...(start !== null ? { from: start } : {}),
      ...(end !== null ? { to: end } : {}),
      speed,
      ...(stream !== '' ? { streams: [stream] } : {}),
    });
  };

  const active = state !== null && state.state !== 'stopped';
  const changeSpeed = (next: number) => {
    setSpeed(next);
    if (active) void send({ action: 'speed', speed: next });
  };
  const preset = (start: string, end = '') => {
    setFrom(start);
    setTo(end);
    setFieldError(null);
  };

  const range = state && state.from !== null && state.to !== null ? { from: state.from, to: state.to } : null;
  const position = seekDraft ?? state?.position ?? null;
  const progress =
    range && position !== null && range.to > range.from
      ? Math.min(1, Math.max(0, (position - range.from) / (range.to - range.from)))
      : 0;
  const commitSeek = () => {
    if (seekDraft === null) return;
    const target = seekDraft;
    setSeekDraft(null);
    if (active) void send({ action: 'seek', to: target });
  };
  const names = new Map(streams.map((s) => [s.id, s.name]));

  return (
    <Card
      title="Playback"
      subtitle="Plays a range of the journal at a chosen speed; the hub's one playback, shared by every viewer"
      actions={
        state && (
          <Badge tone={STATE_TONE[state.state]}>
            <span data-testid="playback-state">{state.state}</span>
          </Badge>
        )
      }
    >
      <form className="playback-form" onSubmit={play} aria-label="Playback range">
        <label className="pb-field">
          <span className="field-label">From</span>
          <input
            type="text"
            value={from}
            placeholder={`oldest (${formatNumber(tail)})`}
            onChange={(e) => setFrom(e.target.value)}
            aria-invalid={fieldError?.field === 'from' || undefined}
            name="from"
          />
        </label>
        <label className="pb-field">
          <span className="field-label">To</span>
          <input
            type="text"
            value={to}
            placeholder={`head (${formatNumber(head)})`}
            onChange={(e) => setTo(e.target.value)}
            aria-invalid={fieldError?.field === 'to' || undefined}
            name="to"
          />
        </label>
        <label className="pb-field pb-field-narrow">
          <span className="field-label">Speed</span>
          <select value={speed} onChange={(e) => changeSpeed(Number(e.target.value))} name="speed">
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
        </label>
        <label className="pb-field pb-field-narrow">
          <span className="field-label">Streams</span>
          <select value={stream} onChange={(e) => setStream(e.target.value)} name="stream">
            <option value="">all</option>
            {streams.map((s) => (
              <option key={s.id} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <div className="pb-buttons">
          <Button type="submit" variant="primary" disabled={busy}>
            {active ? 'Play again' : 'Play'}
          </Button>
          {state?.state === 'playing' && (
            <Button onClick={() => void send({ action: 'pause' })} disabled={busy}>
              Pause
            </Button>
          )}
          {state?.state === 'paused' && (
            <Button onClick={() => void send({ action: 'resume' })} disabled={busy}>
              Resume
            </Button>
          )}
          <Button onClick={() => void send({ action: 'stop' })} disabled={busy || !active}>
            Stop
          </Button>
        </div>
      </form>
      <div className="pb-presets">
        <span className="faint">Quick ranges:</span>
        <button
          type="button"
          className="link-button"
          onClick={() => preset(String(Math.max(tail, head - 100)))}
        >
          last 100 events
        </button>
        <button type="button" className="link-button" onClick={() => preset('1m')}>
          last minute
        </button>
        <button type="button" className="link-button" onClick={() => preset('')}>
          everything retained
        </button>
      </div>
      {fieldError && (
        <div className="field-error" role="alert">
          {fieldError.field === 'from' ? 'From' : 'To'}: {fieldError.message}
        </div>
      )}
      {error && <ErrorState what="The playback request" error={error} compact />}

      <div className="pb-status">
        <div className="pb-progress">
          <input
            type="range"
            aria-label="Playhead (seek)"
            min={range?.from ?? 0}
            max={Math.max((range?.to ?? 1) - 1, range?.from ?? 0)}
            value={position ?? range?.from ?? 0}
            disabled={!active || range === null}
            onChange={(e) => setSeekDraft(Number(e.target.value))}
            onPointerUp={commitSeek}
            onKeyUp={commitSeek}
            onBlur={commitSeek}
            style={{ ['--progress' as string]: `${progress * 100}%` }}
          />
        </div>
        <dl className="pb-facts num">
          <div>
            <dt>Position</dt>
            <dd data-testid="playback-position">
              {state?.position === null ? '—' : formatNumber(state?.position)}
            </dd>
          </div>
          <div>
            <dt>Range</dt>
            <dd>{range ? `${formatNumber(range.from)} – ${formatNumber(range.to)}` : '—'}</dd>
          </div>
          <div>
            <dt>Speed</dt>
            <dd>{state ? `${state.speed}×` : '—'}</dd>
          </div>
          <div>
            <dt>Played</dt>
            <dd data-testid="playback-played">
              {state ? `${formatNumber(state.eventsPlayed)} in ${formatNumber(state.frames)} frames` : '—'}
            </dd>
          </div>
          <div>
            <dt>Event time</dt>
            <dd>{state?.virtualTime ? formatTime(state.virtualTime) : '—'}</dd>
          </div>
        </dl>
        {state?.state === 'stopped' && state.message && <p className="pb-message muted">{state.message}</p>}
      </div>

      <h3 className="pb-frames-title">
        Latest played events <span className="faint num">({formatNumber(frames)} frames received here)</span>
      </h3>
      {played.length === 0 ? (
        <p className="muted pb-frames-empty">
          Nothing played yet. Choose a range and press Play: the events arrive here frame by frame.
        </p>
      ) : (
        <ol className="pb-frames" aria-live="off" data-testid="playback-frames">
          {played.map((e) => (
            <li key={e.seq}>
              <span className="mono num pb-seq">#{e.seq}</span>
              <span className="faint num">{formatTime(e.time).slice(11)}</span>
              <span className="pb-stream">{names.get(e.stream) ?? `stream-${e.stream}`}</span>
              <span className="faint mono">{formatNodeId(e.node)}</span>
              <span className="mono pb-payload" title={payloadText(e)}>
                {payloadText(e)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </Card>
  );
}

function payloadText(e: EventView): string {
  if (e.encoding === 'none') return `${e.size} bytes`;
  if (e.encoding === 'hex') return `0x${String(e.payload ?? '')}`;
  if (e.encoding === 'json') return JSON.stringify(e.payload);
  return String(e.payload ?? '');
}
