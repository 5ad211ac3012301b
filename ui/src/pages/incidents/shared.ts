/**
 * What the Incidents page's parts share: badge tones of severities and states, and links into the Event
 * Explorer at evidence slots.
 *
 * @module
 */
import type { Tone } from '../../components/Badge.tsx';
import type { IncidentState, Severity } from '../../../../src/hub/alerts/schema.ts';

export const SEVERITY_TONE: Record<Severity, Tone> = { critical: 'bad', warning: 'warn', info: 'info' };
export const STATE_TONE: Record<IncidentState, Tone> = { open: 'bad', acknowledged: 'warn', resolved: 'ok' };

/** The Event Explorer with one slot open. */
export const explorerAt = (seq: number): string => `/explorer?seq=${seq}&to=${seq + 1}`;
/** The Event Explorer over the slots first…last, oldest first. */
export const explorerRange = (first: number, last: number): string =>
  `/explorer?from=${first}&to=${last + 1}&order=asc`;
