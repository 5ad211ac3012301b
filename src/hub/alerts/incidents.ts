/**
 * Incidents: opened when an alert fires (one per rule and group while it is not resolved — a new firing of the
 * same alert is added to the open incident's timeline instead), acknowledged and resolved by people (open →
 * acknowledged → resolved, or open → resolved; anything else is a 409 that says why), with notes and a
 * timeline naming who did what and when. Opening and resolving notify the channels unless a silence matches.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { HubError, notFound } from '../errors.ts';
import { Notifier, type NotifyEvent } from './notify.ts';
import type {
  ChannelView,
  Evidence,
  IncidentDetail,
  IncidentState,
  IncidentView,
  Matcher,
  Severity,
  SilenceView,
} from './schema.ts';
import type { AlertStore, IncidentFilter } from './store.ts';

export interface FiringAlert {
  ruleId: string | null;
  rule: string | null;
  group: string | null;
  severity: Severity;
  labels: Record<string, string>;
  title: string;
  description: string;
  evidence: Evidence;
  test?: boolean;
}

/** The names a silence's matchers can test: the labels, plus `rule`, `severity`, `group`. */
function matchable(a: {
  rule: string | null;
  severity: Severity;
  group: string | null;
  labels: Record<string, string>;
}) {
  return { ...a.labels, rule: a.rule ?? '', severity: a.severity, group: a.group ?? '' } as Record<
    string,
    string
  >;
}

export function silenceMatches(matchers: readonly Matcher[], values: Record<string, string>): boolean {
  return matchers.every((m) => ((values[m.name] ?? '') === m.value) === (m.op === '='));
}

export const newId = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export class IncidentService {
  readonly #store: AlertStore;
  readonly #now: () => number;
  readonly notifier: Notifier;

  constructor(store: AlertStore, now: () => number) {
    this.#store = store;
    this.#now = now;
    this.notifier = new Notifier(store, {
      now,
      onOutcome: (id, channel, event, ok, detail) => this.#outcome(id, channel, event, ok, detail),
    });
  }

  #outcome(id: number, channel: ChannelView, event: NotifyEvent, ok: boolean, detail: string): void {
    if (this.#store.incident(id) === null) return;
    this.#store.addTimeline(id, {
      at: this.#now(),
      kind: ok ? 'notified' : 'notify-failed',
      actor: null,
      text: ok
        ? `${channel.kind} channel "${channel.name}" notified of the ${event} incident (${detail})`
        : `${channel.kind} channel "${channel.name}" could not be notified of the ${event} incident: ${detail}`,
    });
  }

  activeSilence(values: Record<string, string>): SilenceView | null {
    return (
      this.#store
        .silences(this.#now())
        .find((s) => s.state === 'active' && silenceMatches(s.matchers, values)) ?? null
    );
  }

  /**
   * Opens an incident for a firing alert, or adds the firing to the incident already open for its rule and
   * group. Returns the incident and whether it is new.
   */
  open(alert: FiringAlert): { incident: IncidentView; created: boolean } {
    const now = this.#now();
    if (alert.ruleId !== null && !alert.test) {
      const existing = this.#store.openIncidentFor(alert.ruleId, alert.group ?? '');
      if (existing !== null) {
        this.#store.noteRefire(existing.id, alert.evidence);
        this.#store.addTimeline(existing.id, {
          at: now,
          kind: 'alert-firing',
          actor: null,
          text: `the alert fired again (value ${alert.evidence.value ?? 'n/a'}); deduplicated into this incident`,
        });
        return { incident: this.#store.incident(existing.id)!, created: false };
      }
    }
    const silence = this.activeSilence(matchable(alert));
    const id = this.#store.insertIncident({
      ruleId: alert.ruleId,
      rule: alert.rule,
      group: alert.ruleId === null ? alert.group : (alert.group ?? ''),
      title: alert.title,
      description: alert.description,
      severity: alert.severity,
      labels: alert.labels,
      test: alert.test ?? false,
      silenceId: silence?.id ?? null,
      openedAt: now,
      evidence: alert.evidence,
    });
    const { firstSeq, lastSeq } = alert.evidence;
    this.#store.addTimeline(id, {
      at: now,
      kind: 'opened',
      actor: null,
      text: alert.test
        ? 'test incident opened'
        : `opened: ${alert.rule ?? 'alert'} is firing (value ${alert.evidence.value ?? 'n/a'}${
            firstSeq === null ? '' : `, evidence sequences ${firstSeq}–${lastSeq}`
          })`,
    });
    const incident = this.#store.incident(id)!;
    if (silence !== null) {
      this.#store.addTimeline(id, {
        at: now,
        kind: 'silenced',
        actor: silence.author,
        text: `notifications suppressed by silence ${silence.id}${silence.comment ? ` (${silence.comment})` : ''}`,
      });
    } else this.notifier.send(incident, 'opened');
    return { incident, created: true };
  }

  /** The alert behind an open incident stopped firing: noted on its timeline (people still resolve it). */
  alertResolved(incidentId: number, evidence: Evidence): void {
    const incident = this.#store.incident(incidentId);
    if (incident === null || incident.state === 'resolved') return;
    this.#store.updateEvidence(incidentId, {
      ...incident.evidence,
      lastSeq: evidence.lastSeq ?? incident.evidence.lastSeq,
    });
    this.#store.addTimeline(incidentId, {
      at: this.#now(),
      kind: 'alert-resolved',
      actor: null,
      text: 'the alert stopped firing (its threshold no longer holds)',
    });
  }

  #require(id: number): IncidentView {
    const incident = this.#store.incident(id);
    if (incident === null) throw notFound(`incident ${id}`);
    return incident;
  }

  transition(
    id: number,
    to: 'acknowledged' | 'resolved',
    who: string | null,
    comment?: string,
  ): IncidentView {
    const incident = this.#require(id);
    const allowed: Record<IncidentState, IncidentState[]> = {
      open: ['acknowledged', 'resolved'],
      acknowledged: ['resolved'],
      resolved: [],
    };
    if (!allowed[incident.state].includes(to)) {
      const verb = to === 'acknowledged' ? 'acknowledge' : 'resolve';
      const by = incident.state === 'acknowledged' ? incident.acknowledgedBy : incident.resolvedBy;
      throw new HubError(
        409,
        'INVALID_TRANSITION',
        `cannot ${verb} incident ${id}: it is already ${incident.state}${by ? ` (by ${by})` : ''}; incidents go open → acknowledged → resolved, or open → resolved`,
        { state: incident.state, wanted: to },
      );
    }
    const now = this.#now();
    this.#store.setIncidentState(id, to, now, who);
    this.#store.addTimeline(id, {
      at: now,
      kind: to,
      actor: who,
      text: `${to} by ${who ?? 'unknown'}${comment ? `: ${comment}` : ''}`,
    });
    const updated = this.#store.incident(id)!;
    if (to === 'resolved' && !updated.silenced) this.notifier.send(updated, 'resolved');
    return updated;
  }

  note(id: number, who: string | null, text: string): IncidentDetail {
    this.#require(id);
    this.#store.addTimeline(id, { at: this.#now(), kind: 'note', actor: who, text });
    return this.detail(id);
  }

  detail(id: number): IncidentDetail {
    const incident = this.#require(id);
    return { ...incident, timeline: this.#store.timeline(id), deliveries: this.#store.deliveries(id) };
  }

  list(filter: IncidentFilter): { incidents: IncidentView[]; total: number } {
    return this.#store.incidents(filter);
  }
}
