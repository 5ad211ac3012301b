/**
 * The alert state machine, with Prometheus' meaning: an alert whose threshold starts to hold is `pending`;
 * once it has held for the rule's `for` it is `firing`; when it stops holding (and `keep_firing_for` has passed
 * since it last held) it is `resolved`, shown as such for a while and then forgotten (`ok`). A pending alert
 * whose threshold stops holding goes straight back to `ok` — it never fired, so nothing resolves. Pure: the
 * engine calls `step` once per evaluation with the hub's clock.
 *
 * @module
 */
import type { AlertState } from './schema.ts';

export interface AlertStatus {
  state: AlertState;
  /** When the threshold started to hold (pending since). */
  activeAt: number | null;
  firedAt: number | null;
  resolvedAt: number | null;
  /** The last evaluation at which the threshold held. */
  lastTrueAt: number | null;
}

export interface Timing {
  forMs: number;
  keepFiringForMs: number;
  /** How long a resolved alert stays listed before it is forgotten. */
  resolvedRetentionMs: number;
}

export interface Transition {
  from: AlertState;
  to: AlertState;
  at: number;
}

export const INITIAL_STATUS: AlertStatus = Object.freeze({
  state: 'ok',
  activeAt: null,
  firedAt: null,
  resolvedAt: null,
  lastTrueAt: null,
});

/** Every transition `step` may make; anything else is a bug. */
export const LEGAL_TRANSITIONS: ReadonlySet<string> = new Set([
  'ok→pending',
  'pending→firing',
  'pending→ok',
  'firing→resolved',
  'resolved→pending',
  'resolved→ok',
]);

/** The next status given whether the threshold holds at `now`, and the transitions taken to reach it. */
export function step(
  status: AlertStatus,
  holds: boolean,
  now: number,
  timing: Timing,
): { next: AlertStatus; transitions: Transition[] } {
  const transitions: Transition[] = [];
  let s: AlertStatus = { ...status };
  const move = (to: AlertState): void => {
    transitions.push({ from: s.state, to, at: now });
    s = { ...s, state: to };
  };
  if (holds) {
    if (s.state === 'ok' || s.state === 'resolved') {
      move('pending');
      s = { ...s, activeAt: now, firedAt: null, resolvedAt: null };
    }
    s.lastTrueAt = now;
    if (s.state === 'pending' && now - s.activeAt! >= timing.forMs) {
      move('firing');
      s.firedAt = now;
    }
  } else {
    switch (s.state) {
      case 'pending':
        move('ok');
        s = { ...INITIAL_STATUS };
        break;
      case 'firing':
        if (now - (s.lastTrueAt ?? now) >= timing.keepFiringForMs) {
          move('resolved');
          s.resolvedAt = now;
        }
        break;
      case 'resolved':
        if (now - s.resolvedAt! >= timing.resolvedRetentionMs) {
          move('ok');
          s = { ...INITIAL_STATUS };
        }
        break;
      case 'ok':
        break;
    }
  }
  return { next: s, transitions };
}

/** Compares a window's value with a rule's threshold. */
export function breaches(value: number | null, op: string, threshold: number): boolean {
  if (value === null || Number.isNaN(value)) return false;
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '=':
      return value === threshold;
    case '!=':
      return value !== threshold;
  }
  return false;
}
