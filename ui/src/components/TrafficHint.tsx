import type { ReactNode } from 'react';
import { Empty } from './States.tsx';
import './traffic-hint.css';

export interface TrafficListener {
  host: string;
  port: number;
  stream: string;
}

/**
 * The `nc` commands that send a datagram to the sequencer's listeners (IPv4 ones first, at most two), or to
 * the default port when the listeners are not known.
 */
export function trafficCommands(listeners: readonly TrafficListener[] = []): string[] {
  const v4 = listeners.filter((l) => !l.host.includes(':'));
  const chosen = (v4.length > 0 ? v4 : listeners).slice(0, 2);
  if (chosen.length === 0) return ['echo hi | nc -u -w1 127.0.0.1 9000'];
  return chosen.map((l) => {
    const host = l.host.includes(':') ? l.host : l.host || '127.0.0.1';
    const six = host.includes(':') ? '-6 ' : '';
    return `echo hi | nc ${six}-u -w1 ${host} ${l.port}   # stream ${l.stream}`;
  });
}

/** An empty state for "no events yet" that says how to send some, with the real listeners' ports. */
export function TrafficHint({
  title = 'No traffic yet',
  listeners,
  children,
}: {
  title?: ReactNode;
  listeners?: readonly TrafficListener[];
  /** Extra text under the commands. */
  children?: ReactNode;
}) {
  return (
    <Empty
      title={title}
      hint={
        <>
          <span>Send a datagram to the sequencer and it shows up here within a second:</span>
          <pre className="traffic-hint-commands">{trafficCommands(listeners).join('\n')}</pre>
          {children}
        </>
      }
    />
  );
}
