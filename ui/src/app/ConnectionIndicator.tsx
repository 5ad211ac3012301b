/**
 * The shell's live-connection indicator: the `/ws` state in words (never color alone), the sequencer's state
 * from the newest metrics snapshot, and the one action that helps — enter a key, or retry now.
 *
 * @module
 */
import { type ReactNode, useEffect, useState } from 'react';
import { promptForKey } from '../auth/session.ts';
import { StatusDot, type Tone } from '../components/Badge.tsx';
import { formatDuration } from '../lib/format.ts';
import { useHubSocket, useMetrics } from '../ws/hooks.tsx';

/** "in 4 s", counting down to `until`; mounted afresh for every retry (keyed by it). */
function Countdown({ until }: { until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <>{formatDuration(Math.max(0, Math.ceil((until - now) / 1000) * 1000))}</>;
}

export function ConnectionIndicator() {
  const { state, retryAt, lastClose, socket, identity } = useHubSocket();
  const metrics = useMetrics(5000);

  let tone: Tone = 'neutral';
  let label: ReactNode = '';
  let detail: string | null = null;
  switch (state) {
    case 'open':
      tone = 'ok';
      label = 'Live';
      detail = identity ? `as ${identity.name} (${identity.scopes.join(', ')})` : null;
      break;
    case 'connecting':
      tone = 'info';
      label = 'Connecting…';
      break;
    case 'closed':
      tone = 'warn';
      label =
        retryAt === null ? (
          'Disconnected'
        ) : (
          <>
            Reconnecting in <Countdown key={retryAt} until={retryAt} />
          </>
        );
      detail = lastClose
        ? `last close ${lastClose.code}${lastClose.reason ? `: ${lastClose.reason}` : ''}`
        : null;
      break;
    case 'unauthorized':
      tone = 'bad';
      label = 'Key needed';
      detail = lastClose?.reason || null;
      break;
  }

  const snapshot = metrics?.snapshot;
  const sequencer =
    state !== 'open' || !snapshot
      ? null
      : snapshot.sequencer.state === 'connected'
        ? {
            tone: 'ok' as Tone,
            text: `Sequencer up${snapshot.sequencer.backend ? ` · ${snapshot.sequencer.backend}` : ''}`,
          }
        : { tone: 'bad' as Tone, text: 'Sequencer not running' };

  return (
    <div className="connection" aria-live="polite">
      <div className="connection-row" title={detail ?? undefined}>
        <StatusDot tone={tone} label={<span className="connection-label">{label}</span>} />
        {state === 'unauthorized' && (
          <button
            type="button"
            className="link-button"
            onClick={() =>
              promptForKey(lastClose?.reason ? 'rejected' : 'missing', lastClose?.reason || null)
            }
          >
            Enter key
          </button>
        )}
        {state === 'closed' && (
          <button type="button" className="link-button" onClick={() => socket.reconnect()}>
            Retry now
          </button>
        )}
      </div>
      {sequencer && (
        <div className="connection-row">
          <StatusDot tone={sequencer.tone} label={<span className="connection-sub">{sequencer.text}</span>} />
        </div>
      )}
      {snapshot && !snapshot.journal.available && (
        <div className="connection-row">
          <StatusDot tone="warn" label={<span className="connection-sub">Journal not readable</span>} />
        </div>
      )}
    </div>
  );
}
