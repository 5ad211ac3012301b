/**
 * The alert engine: rules evaluated incrementally. `process` is fed each new range of the journal once (by the
 * journal tail) and adds every matching event to its rule's bucketed window — one shared, lazily decoded
 * event context per slot, stream ids checked first, payloads ruled out by a byte search where the conditions
 * allow. `evaluate` (after each batch and once a second) folds each window, compares it with the threshold and
 * steps the alert's state machine; a firing alert opens (or joins) an incident. Windows are rebuilt at start by
 * scanning only the last window of the journal; alert states are persisted, so a restart neither forgets a
 * firing alert nor alerts again on history.
 *
 * @module
 */
import type { CausalEvent } from '../../core/causal-event.ts';
import type { JournalReader } from '../../journal/reader.ts';
import type { Field } from '../query/ast.ts';
import { cellValue, EventContext, evaluate, fieldValue, MISSING, requiredBytes } from '../query/evaluate.ts';
import type { FiringAlert } from './incidents.ts';
import { printRule, renderTemplate, type RuleSpec } from './rule.ts';
import type { AlertView, Evidence, IncidentView } from './schema.ts';
import { type AlertStatus, breaches, INITIAL_STATUS, step, type Transition } from './state.ts';
import type { AlertStore } from './store.ts';
import { GroupWindow } from './window.ts';

/** Groups one rule tracks at most; events of further groups are counted under OTHER_GROUP. */
export const MAX_GROUPS_PER_RULE = 1000;
export const OTHER_GROUP = '(other)';
export const MISSING_GROUP = '(missing)';
/** How long a resolved alert stays listed. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

const EMPTY_EVIDENCE: Evidence = Object.freeze({ firstSeq: null, lastSeq: null, samples: [], value: null });

export interface IncidentSink {
  open(alert: FiringAlert): { incident: IncidentView; created: boolean };
  alertResolved(incidentId: number, evidence: Evidence): void;
}

interface AlertEntry {
  status: AlertStatus;
  evidence: Evidence;
  incidentId: number | null;
  value: number | null;
}

class CompiledRule {
  readonly id: string;
  readonly spec: RuleSpec;
  readonly needles: Buffer[];
  readonly windows = new Map<string, GroupWindow>();
  readonly alerts = new Map<string, AlertEntry>();
  streamIds: Set<number> | null = null;
  readonly createdAt: number;
  readonly updatedAt: number;

  constructor(id: string, spec: RuleSpec, times: { createdAt: number; updatedAt: number }) {
    this.id = id;
    this.spec = spec;
    this.needles = requiredBytes(spec.where);
    this.createdAt = times.createdAt;
    this.updatedAt = times.updatedAt;
  }

  resolveStreams(reader: JournalReader): void {
    const from = this.spec.from;
    if (from === null) {
      this.streamIds = null;
      return;
    }
    const ids = new Set<number>();
    for (const ref of from) {
      const id = typeof ref === 'number' ? ref : reader.streamId(ref);
      if (id !== null) ids.add(id);
    }
    this.streamIds = ids;
  }

  groupOf(ctx: EventContext): string {
    return this.spec.groupBy === null ? '' : groupKey(this.spec.groupBy, ctx);
  }

  /** The aggregated field's number, or NaN when the event has none. */
  valueOf(ctx: EventContext): number {
    const field = this.spec.aggregate.field;
    if (field === null) return Number.NaN;
    const v = fieldValue(field, ctx);
    return typeof v === 'number' ? v : Number.NaN;
  }

  /** Adds a match to its group's window (a new group past MAX_GROUPS_PER_RULE counts under OTHER_GROUP). */
  add(group: string, time: number, seq: number, value: number): void {
    let key = group;
    let window = this.windows.get(key);
    if (window === undefined) {
      if (this.windows.size >= MAX_GROUPS_PER_RULE) {
        key = OTHER_GROUP;
        window = this.windows.get(key);
      }
      if (window === undefined) {
        window = new GroupWindow(this.spec.windowMs);
        this.windows.set(key, window);
      }
    }
    window.add(time, seq, value);
  }
}

const BACKSLASH = 0x5c;
/** Slots read between two checks of the journal's tail. */
const SCAN_CHUNK = 4096;

/** Whether every needle occurs in the payload (requiredBytes: a payload without a backslash lacking one cannot match). */
function hasAll(bytes: Buffer, needles: readonly Buffer[]): boolean {
  for (const needle of needles) if (bytes.indexOf(needle) === -1) return false;
  return true;
}

function groupKey(field: Field, ctx: EventContext): string {
  const v = field.kind === 'json' ? fieldValue(field, ctx) : cellValue(field, ctx);
  if (v === MISSING || v === null) return MISSING_GROUP;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export interface EngineOptions {
  now: () => number;
  store?: AlertStore | null;
  incidents?: IncidentSink | null;
  resolvedRetentionMs?: number;
}

export class AlertEngine {
  readonly #rules = new Map<string, CompiledRule>();
  readonly #now: () => number;
  readonly #store: AlertStore | null;
  readonly #incidents: IncidentSink | null;
  readonly #retention: number;
  /** The first sequence not yet processed. */
  position = 0;
  /** Events handed to rules so far (for the benchmark and the status). */
  processed = 0;
  /** Matches dropped because the writer evicted the event while it was being read. */
  overwritten = 0;

  constructor(options: EngineOptions) {
    this.#now = options.now;
    this.#store = options.store ?? null;
    this.#incidents = options.incidents ?? null;
    this.#retention = options.resolvedRetentionMs ?? RESOLVED_RETENTION_MS;
  }

  get ruleCount(): number {
    return this.#rules.size;
  }

  /** Adds or replaces a rule; a replaced rule starts again from `ok` with a window rebuilt from the journal. */
  setRule(
    id: string,
    spec: RuleSpec,
    times: { createdAt: number; updatedAt: number },
    reader: JournalReader | null,
  ): void {
    const replaced = this.#rules.has(id);
    const rule = new CompiledRule(id, spec, times);
    this.#rules.set(id, rule);
    if (replaced) this.#store?.deleteAlertsOf(id);
    if (reader !== null) this.rebuild(reader, this.position, [rule]);
  }

  removeRule(id: string): boolean {
    return this.#rules.delete(id);
  }

  /** Restores persisted alert states (after the rules are loaded); states of unknown rules are dropped. */
  restore(
    alerts: readonly {
      ruleId: string;
      group: string;
      status: AlertStatus;
      evidence: Evidence;
      incidentId: number | null;
    }[],
  ): void {
    for (const a of alerts) {
      const rule = this.#rules.get(a.ruleId);
      if (rule === undefined) {
        this.#store?.deleteAlert(a.ruleId, a.group);
        continue;
      }
      rule.alerts.set(a.group, {
        status: a.status,
        evidence: a.evidence,
        incidentId: a.incidentId,
        value: a.evidence.value,
      });
    }
  }

  /**
   * Refills the windows of `rules` (default: all) from the journal: only the slots of the longest window
   * before `upTo` are read.
   */
  rebuild(reader: JournalReader, upTo: number, rules: CompiledRule[] = [...this.#rules.values()]): void {
    if (rules.length === 0) return;
    const longest = Math.max(...rules.map((r) => r.spec.windowMs));
    const from = reader.findByTime(this.#now() - longest);
    for (const r of rules) r.windows.clear();
    if (from < upTo) this.#scan(reader, from, upTo, rules);
  }

  /** Feeds the events of [from, to) to every enabled rule (each event once); the caller persists the position. */
  process(reader: JournalReader, from: number, to: number): void {
    const rules = [...this.#rules.values()].filter((r) => r.spec.enabled);
    if (rules.length > 0 && to > from) this.#scan(reader, from, to, rules);
    this.position = to;
  }

  /** Every match of the rule `id` in [from, to), without touching its windows (the preview). */
  collect(
    reader: JournalReader,
    from: number,
    to: number,
    id = 'preview',
  ): { seq: number; time: number; group: string; value: number }[] {
    const rule = this.#rules.get(id);
    if (rule === undefined) return [];
    const hits: { seq: number; time: number; group: string; value: number }[] = [];
    this.#scan(reader, from, to, [rule], (_, group, time, seq, value) =>
      hits.push({ seq, time, group, value }),
    );
    return hits;
  }

  /**
   * Matches the events of [from, to) against `rules`, a chunk at a time. Matches are held until the chunk has
   * been read and the journal's tail re-checked: an event the writer evicted meanwhile may have been read with a
   * half-overwritten payload, so its matches are dropped (counted in `overwritten`), never counted.
   */
  #scan(
    reader: JournalReader,
    from: number,
    to: number,
    rules: CompiledRule[],
    apply: (rule: CompiledRule, group: string, time: number, seq: number, value: number) => void = (
      rule,
      group,
      time,
      seq,
      value,
    ) => rule.add(group, time, seq, value),
  ): void {
    for (const r of rules) r.resolveStreams(reader);
    const names = new Map<number, string | null>();
    const ctx = new EventContext(
      (event) => reader.payloadView(event),
      (id) => {
        let name = names.get(id);
        if (name === undefined) names.set(id, (name = reader.streamName(id)));
        return name;
      },
    );
    const hitRule: CompiledRule[] = [];
    const hitGroup: string[] = [];
    const hitTime: number[] = [];
    const hitSeq: number[] = [];
    const hitValue: number[] = [];
    const visit = (event: CausalEvent, seq: number): void => {
      let ready = false;
      // The payload's bytes and whether they hold a backslash, looked at once for every rule's byte search.
      let bytes: Buffer | null = null;
      let escaped = false;
      for (const rule of rules) {
        if (rule.streamIds !== null && !rule.streamIds.has(event.streamId)) continue;
        if (rule.needles.length > 0) {
          if (bytes === null) {
            const view = reader.payloadView(event);
            bytes = Buffer.from(view.buffer, view.byteOffset, view.byteLength);
            escaped = bytes.indexOf(BACKSLASH) !== -1;
          }
          if (!escaped && !hasAll(bytes, rule.needles)) continue;
        }
        if (!ready) {
          ctx.reset(seq, event);
          ready = true;
        }
        if (rule.spec.where !== null && !evaluate(rule.spec.where, ctx)) continue;
        hitRule.push(rule);
        hitGroup.push(rule.groupOf(ctx));
        hitTime.push(ctx.time());
        hitSeq.push(seq);
        hitValue.push(rule.valueOf(ctx));
      }
    };
    for (let at = from; at < to;) {
      const end = Math.min(to, at + SCAN_CHUNK);
      const { next } = reader.scan(at, end, visit, SCAN_CHUNK);
      this.processed += next - at;
      const tail = reader.loadTail();
      for (let i = 0; i < hitSeq.length; i++) {
        if (hitSeq[i]! < tail) this.overwritten++;
        else apply(hitRule[i]!, hitGroup[i]!, hitTime[i]!, hitSeq[i]!, hitValue[i]!);
      }
      hitRule.length = hitGroup.length = hitTime.length = hitSeq.length = hitValue.length = 0;
      at = Math.max(end, next);
    }
  }

  /** Steps every alert's state at the hub's clock; returns the transitions taken (for tests and logs). */
  evaluate(): (Transition & { ruleId: string; group: string })[] {
    const now = this.#now();
    const taken: (Transition & { ruleId: string; group: string })[] = [];
    for (const rule of this.#rules.values()) {
      if (!rule.spec.enabled) continue;
      const { spec } = rule;
      const cutoff = now - spec.windowMs;
      const keys = new Set([...rule.windows.keys(), ...rule.alerts.keys()]);
      if (spec.groupBy === null) keys.add('');
      for (const key of keys) {
        const window = rule.windows.get(key);
        window?.prune(cutoff);
        const value = window ? window.value(spec.aggregate.fn) : spec.aggregate.fn === 'count' ? 0 : null;
        const holds = breaches(value, spec.threshold.op, spec.threshold.value);
        const stored = rule.alerts.get(key);
        const entry: AlertEntry = stored ?? {
          status: INITIAL_STATUS,
          evidence: EMPTY_EVIDENCE,
          incidentId: null,
          value: null,
        };
        const { next, transitions } = step(entry.status, holds, now, {
          forMs: spec.forMs,
          keepFiringForMs: spec.keepFiringForMs,
          resolvedRetentionMs: this.#retention,
        });
        let changed = transitions.length > 0 || entry.value !== value;
        if (holds && window !== undefined) {
          const seen = window.evidence(spec.aggregate.fn);
          const fresh = transitions.some((t) => t.to === 'pending');
          const evidence: Evidence = fresh
            ? seen
            : {
                firstSeq: entry.evidence.firstSeq ?? seen.firstSeq,
                lastSeq: seen.lastSeq ?? entry.evidence.lastSeq,
                samples: seen.samples.length > 0 ? seen.samples : entry.evidence.samples,
                value,
              };
          if (evidence.lastSeq !== entry.evidence.lastSeq || evidence.firstSeq !== entry.evidence.firstSeq)
            changed = true;
          entry.evidence = evidence;
        } else if (holds) {
          entry.evidence = { ...entry.evidence, value };
        }
        entry.value = value;
        entry.status = next;
        for (const t of transitions) {
          taken.push({ ...t, ruleId: rule.id, group: key });
          if (t.to === 'firing' && this.#incidents !== null) {
            const { incident } = this.#incidents.open(this.#firing(rule, key, entry));
            entry.incidentId = incident.id;
          }
          if (t.to === 'resolved' && entry.incidentId !== null)
            this.#incidents?.alertResolved(entry.incidentId, entry.evidence);
          if (t.to === 'pending') entry.incidentId = null;
        }
        if (next.state === 'ok') {
          if (stored !== undefined) {
            rule.alerts.delete(key);
            this.#store?.deleteAlert(rule.id, key);
          }
          if (window === undefined || window.empty) rule.windows.delete(key);
          continue;
        }
        rule.alerts.set(key, entry);
        if (changed)
          this.#store?.putAlert({
            ruleId: rule.id,
            group: key,
            status: next,
            evidence: entry.evidence,
            incidentId: entry.incidentId,
          });
      }
    }
    return taken;
  }

  #describe(rule: CompiledRule, key: string, entry: AlertEntry): string {
    const { spec } = rule;
    const group = spec.groupBy === null ? null : key;
    const template =
      spec.description ||
      `${spec.aggregate.fn} over ${Math.round(spec.windowMs / 1000)} s is {{value}} (threshold ${spec.threshold.op} {{threshold}})${group === null ? '' : ' for {{group}}'}`;
    return renderTemplate(template, {
      value: entry.value,
      threshold: spec.threshold.value,
      group,
      rule: spec.name,
      severity: spec.severity,
      labels: spec.labels,
    });
  }

  #firing(rule: CompiledRule, key: string, entry: AlertEntry): FiringAlert {
    const { spec } = rule;
    const group = spec.groupBy === null ? null : key;
    return {
      ruleId: rule.id,
      rule: spec.name,
      group: key,
      severity: spec.severity,
      labels: spec.labels,
      title: group === null ? spec.name : `${spec.name} (${group})`,
      description: this.#describe(rule, key, entry),
      evidence: entry.evidence,
    };
  }

  /** The alerts that are not `ok`, most severe and most recent first. */
  alerts(): AlertView[] {
    const out: AlertView[] = [];
    for (const rule of this.#rules.values()) {
      for (const [key, entry] of rule.alerts) {
        out.push({
          ruleId: rule.id,
          rule: rule.spec.name,
          group: rule.spec.groupBy === null ? null : key,
          state: entry.status.state,
          severity: rule.spec.severity,
          labels: rule.spec.labels,
          value: entry.value,
          activeAt: entry.status.activeAt,
          firedAt: entry.status.firedAt,
          resolvedAt: entry.status.resolvedAt,
          evidence: entry.evidence,
          incidentId: entry.incidentId,
          description: this.#describe(rule, key, entry),
        });
      }
    }
    const order = { firing: 0, pending: 1, resolved: 2, ok: 3 };
    return out.sort((a, b) => order[a.state] - order[b.state] || (b.activeAt ?? 0) - (a.activeAt ?? 0));
  }

  ruleQuery(id: string): string | null {
    const rule = this.#rules.get(id);
    return rule ? printRule(rule.spec) : null;
  }
}
