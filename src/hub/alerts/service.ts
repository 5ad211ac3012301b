/**
 * Wires the alerts feature together: rules loaded from SQLite into the engine, the journal tail feeding it
 * (resuming at the stored position), a one-second tick moving alert states on time, incidents and their
 * notifications, channels and silences.
 *
 * @module
 */
import type { z } from 'zod';
import type { JournalReader } from '../../journal/reader.ts';
import { HubError, notFound } from '../errors.ts';
import type { HubServices } from '../hub.ts';
import { JournalTail } from '../journal-tail.ts';
import { AlertEngine } from './engine.ts';
import { IncidentService, newId } from './incidents.ts';
import { previewRule } from './preview.ts';
import { compileRule, type RuleForm, ruleView } from './rule.ts';
import {
  channelBodySchema,
  type ChannelView,
  type Preview,
  type RuleView,
  silenceBodySchema,
  type SilenceView,
} from './schema.ts';
import { AlertStore } from './store.ts';

export const ALERTS_TAIL_NAME = 'hub-alerts';
const TICK_MS = 1000;

export class AlertService {
  readonly store: AlertStore;
  readonly incidents: IncidentService;
  readonly engine: AlertEngine;
  readonly #services: HubServices;
  readonly #times = new Map<string, { createdAt: number; updatedAt: number }>();
  #tail: JournalTail | null = null;
  #tick: NodeJS.Timeout | null = null;
  /** Windows are rebuilt from the journal once before the first evaluation. */
  #rebuilt = false;

  constructor(services: HubServices) {
    this.#services = services;
    this.store = new AlertStore(services.db);
    this.incidents = new IncidentService(this.store, services.now);
    this.engine = new AlertEngine({ now: services.now, store: this.store, incidents: this.incidents });
    for (const stored of this.store.rules()) {
      try {
        this.engine.setRule(stored.id, compileRule(stored.form, stored.body), stored, null);
        this.#times.set(stored.id, { createdAt: stored.createdAt, updatedAt: stored.updatedAt });
      } catch (error) {
        console.error(
          `alert rule ${stored.id} no longer compiles and is skipped: ${(error as Error).message}`,
        );
      }
    }
    this.engine.restore(this.store.alerts());
  }

  start(): void {
    const stored = this.store.position();
    const reader = this.#services.journal.reader();
    let from: number | undefined = stored ?? undefined;
    if (reader !== null) {
      from ??= reader.loadHead();
      this.#rebuild(reader, from);
    }
    this.#tail = new JournalTail({
      journal: this.#services.journal,
      sequencer: this.#services.sequencer,
      name: ALERTS_TAIL_NAME,
      // Alerting must never make the sequencer drop traffic: under a burst it may miss events (reported).
      holdEviction: false,
      ...(from === undefined ? {} : { from }),
      onEvents: (r, a, b) => this.#onEvents(r, a, b),
      onGap: (lost, a, b) =>
        console.error(`alerts: ${lost} events (${a}–${b}) were evicted before the rules saw them`),
    });
    this.#tail.start();
    this.#tick = setInterval(() => this.evaluate(), TICK_MS);
    this.#tick.unref();
  }

  async stop(): Promise<void> {
    if (this.#tick !== null) clearInterval(this.#tick);
    this.#tick = null;
    await this.#tail?.stop();
    this.#tail = null;
    await this.incidents.notifier.stop();
  }

  #rebuild(reader: JournalReader, upTo: number): void {
    this.engine.position = upTo;
    this.engine.rebuild(reader, upTo);
    this.#rebuilt = true;
  }

  #onEvents(reader: JournalReader, from: number, to: number): void {
    if (!this.#rebuilt) this.#rebuild(reader, from);
    this.engine.process(reader, from, to);
    this.store.setPosition(to, this.#services.now());
    this.evaluate();
  }

  evaluate(): void {
    if (!this.#rebuilt) return;
    try {
      this.store.transaction(() => this.engine.evaluate());
    } catch (error) {
      console.error('alerts: evaluation failed', error);
    }
  }

  get position(): number {
    return this.#tail?.position ?? this.engine.position;
  }

  get lag(): number {
    return this.#tail?.lag ?? 0;
  }

  // ── rules ──
  rules(): RuleView[] {
    return this.store.rules().flatMap((r) => {
      try {
        return [ruleView(r.id, compileRule(r.form, r.body), r)];
      } catch {
        return [];
      }
    });
  }

  rule(id: string): RuleView {
    const found = this.rules().find((r) => r.id === id);
    if (!found) throw notFound(`alert rule ${id}`);
    return found;
  }

  saveRule(form: RuleForm, body: unknown, id?: string): RuleView {
    const spec = compileRule(form, body);
    const now = this.#services.now();
    const previous = id === undefined ? undefined : this.store.rules().find((r) => r.id === id);
    if (id !== undefined && previous === undefined) throw notFound(`alert rule ${id}`);
    const ruleId = id ?? newId('r');
    const times = { createdAt: previous?.createdAt ?? now, updatedAt: now };
    this.store.putRule({ id: ruleId, form, body: spec.body, ...times });
    this.engine.setRule(ruleId, spec, times, this.#rebuilt ? this.#services.journal.reader() : null);
    this.evaluate();
    return ruleView(ruleId, spec, times);
  }

  deleteRule(id: string): void {
    if (!this.store.deleteRule(id)) throw notFound(`alert rule ${id}`);
    this.engine.removeRule(id);
  }

  preview(form: RuleForm, rule: Record<string, unknown>, lookbackMs?: number): Preview {
    const spec = compileRule(form, { name: 'preview', ...rule });
    return previewRule(this.#services.journal.require(), spec, this.#services.now(), lookbackMs);
  }

  // ── channels ──
  addChannel(c: z.output<typeof channelBodySchema>): ChannelView {
    if (this.store.channelNamed(c.name))
      throw new HubError(409, 'CHANNEL_EXISTS', `a channel named "${c.name}" already exists`);
    const channel: ChannelView = { id: newId('ch'), ...c, createdAt: this.#services.now() };
    this.store.insertChannel(channel);
    return channel;
  }

  deleteChannel(id: string): void {
    if (!this.store.deleteChannel(id)) throw notFound(`channel ${id}`);
  }

  // ── silences ──
  addSilence(s: z.output<typeof silenceBodySchema>, author: string | null): SilenceView {
    const now = this.#services.now();
    const startsAt = s.startsAt ?? now;
    const endsAt = s.endsAt ?? startsAt + s.duration!;
    const silence = {
      id: newId('sil'),
      matchers: s.matchers,
      startsAt,
      endsAt,
      author,
      comment: s.comment,
      createdAt: now,
    };
    this.store.insertSilence(silence);
    return this.store.silences(now).find((x) => x.id === silence.id)!;
  }

  expireSilence(id: string): SilenceView {
    const now = this.#services.now();
    if (!this.store.expireSilence(id, now)) throw notFound(`silence ${id}`);
    return this.store.silences(now).find((x) => x.id === id)!;
  }
}
