/**
 * React access to the hub's `/ws`: `<HubSocketProvider>` owns the one `HubSocket` of the app (started with the
 * login session, reconnected when the key changes, a 4401 opening the key modal); the hooks give pages its
 * state and its subscriptions.
 *
 * @example
 * const { state } = useHubSocket();                     // 'connecting' | 'open' | 'closed' | 'unauthorized'
 * const metrics = useMetrics(1000);                      // MetricsMessage | null, newest snapshot
 * useStreamEvents({ stream: 'orders', payload: 'text' }, (m) => { if (m.type === 'events') append(m.events); });
 * const { state: playback, frame } = usePlayback();      // the shared playback cursor
 *
 * @module
 */
import {
  createContext,
  type ReactNode,
  useContext,
  useEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import type {
  EventsMessage,
  MetricsMessage,
  PayloadMode,
  PlaybackMessage,
  SubscribedMessage,
} from '../../../src/hub/ws/schema.ts';
import { getSession, promptForKey, useSession } from '../auth/session.ts';
import { type EventsRequest, HubSocket, type SocketStatus } from './socket.ts';

const SocketContext = createContext<HubSocket | null>(null);

/** `ws://host/ws` (or `wss://`) of the page's own origin: the hub, or Vite's proxy to it. */
export function defaultSocketUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

/** Owns the app's socket. `socket` may be given (tests); by default one is made for this origin. */
export function HubSocketProvider({ children, socket }: { children: ReactNode; socket?: HubSocket }) {
  const [owned] = useState(
    () =>
      socket ??
      new HubSocket({
        url: defaultSocketUrl(),
        getKey: () => getSession().key,
        onUnauthorized: (reason) => promptForKey('rejected', reason || 'the hub refused the key'),
      }),
  );
  const { version } = useSession();
  useEffect(() => {
    owned.reconnect();
  }, [owned, version]);
  useEffect(() => () => owned.stop(), [owned]);
  return <SocketContext.Provider value={owned}>{children}</SocketContext.Provider>;
}

function useSocket(): HubSocket {
  const socket = useContext(SocketContext);
  if (!socket)
    throw new Error('useHubSocket and the subscription hooks need a <HubSocketProvider> above them');
  return socket;
}

/** The connection's state (re-renders on every change) and the socket itself. */
export function useHubSocket(): SocketStatus & { socket: HubSocket } {
  const socket = useSocket();
  const status = useSyncExternalStore(
    (listener) => socket.onStatus(listener),
    () => socket.status,
    () => socket.status,
  );
  return { ...status, socket };
}

/** The newest `metrics` message, at most every `intervalMs` (100..60000); null until the first arrives. */
export function useMetrics(intervalMs = 1000): MetricsMessage | null {
  const socket = useSocket();
  const [latest, setLatest] = useState<MetricsMessage | null>(null);
  useEffect(() => socket.subscribeMetrics(intervalMs, setLatest), [socket, intervalMs]);
  return latest;
}

type SubscribedEvents = Extract<SubscribedMessage, { topic: 'events' }>;

/**
 * Follows one stream's live events: `onMessage` gets each `events` batch (and the `subscribed` confirmation,
 * whose `from` is the first sequence delivered). Pass null to follow nothing. Returns the confirmation in
 * effect. The request is compared by value, so an inline object literal does not resubscribe every render.
 */
export function useStreamEvents(
  request: EventsRequest | null,
  onMessage: (message: EventsMessage | SubscribedEvents) => void,
): SubscribedEvents | null {
  const socket = useSocket();
  const [subscribed, setSubscribed] = useState<SubscribedEvents | null>(null);
  const handler = useRef(onMessage);
  useEffect(() => {
    handler.current = onMessage;
  });
  const wanted = request === null ? null : JSON.stringify(request);
  useEffect(() => {
    if (wanted === null) return;
    const unsubscribe = socket.subscribeEvents(JSON.parse(wanted) as EventsRequest, (message) => {
      if (message.type === 'subscribed') setSubscribed(message);
      handler.current(message);
    });
    return () => {
      unsubscribe();
      setSubscribed(null);
    };
  }, [socket, wanted]);
  return wanted === null ? null : subscribed;
}

export interface PlaybackFeed {
  /** The playback's state, from the subscription's confirmation and every message after it. */
  state: PlaybackMessage['state'] | null;
  /** The newest frame (null after a state change without events). */
  frame: PlaybackMessage['frame'];
}

/** Watches the hub's shared playback cursor; `onMessage` (optional) sees every message, frames included. */
export function usePlayback(
  payload: PayloadMode = 'text',
  onMessage?: (message: PlaybackMessage) => void,
): PlaybackFeed {
  const socket = useSocket();
  const [feed, setFeed] = useState<PlaybackFeed>({ state: null, frame: null });
  const handler = useRef(onMessage);
  useEffect(() => {
    handler.current = onMessage;
  });
  useEffect(
    () =>
      socket.subscribePlayback(payload, (message) => {
        if (message.type === 'subscribed') {
          setFeed({ state: message.state, frame: null });
          return;
        }
        setFeed({ state: message.state, frame: message.frame });
        handler.current?.(message);
      }),
    [socket, payload],
  );
  return feed;
}
