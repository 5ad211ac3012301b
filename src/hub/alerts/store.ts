/**
 * The alerts feature's SQLite tables: rules, the engine's alert states and journal position (so a restart
 * resumes instead of re-alerting history), incidents with their timeline and delivery log, channels and
 * silences.
 *
 * @module
 */
import type { Db, Migration } from '../db.ts';
import type {
  ChannelView,
  DeliveryView,
  Evidence,
  IncidentState,
  IncidentView,
  Matcher,
  Severity,
  SilenceView,
  TimelineEntry,
} from './schema.ts';
import type { AlertStatus } from './state.ts';

export const alertMigrations: Migration[] = [
  {
    id: 'alerts-001',
    sql: `
      CREATE TABLE alert_rules (
        id TEXT PRIMARY KEY,
        form TEXT NOT NULL,
        body TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE alert_states (
        rule_id TEXT NOT NULL,
        group_key TEXT NOT NULL,
        status TEXT NOT NULL,
        evidence TEXT NOT NULL,
        incident_id INTEGER,
        PRIMARY KEY (rule_id, group_key)
      );
      CREATE TABLE alert_position (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        position INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      CREATE TABLE alert_incidents (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        rule_id TEXT,
        rule_name TEXT,
        group_key TEXT,
        title TEXT NOT NULL,
        description TEXT NOT NULL,
        state TEXT NOT NULL,
        severity TEXT NOT NULL,
        labels TEXT NOT NULL,
        test INTEGER NOT NULL,
        silence_id TEXT,
        opened_at INTEGER NOT NULL,
        acknowledged_at INTEGER,
        acknowledged_by TEXT,
        resolved_at INTEGER,
        resolved_by TEXT,
        evidence TEXT NOT NULL,
        refires INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX alert_incidents_open ON alert_incidents (rule_id, group_key, state);
      CREATE INDEX alert_incidents_opened ON alert_incidents (opened_at);
      CREATE TABLE alert_timeline (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id INTEGER NOT NULL REFERENCES alert_incidents (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        actor TEXT,
        text TEXT NOT NULL
      );
      CREATE INDEX alert_timeline_incident ON alert_timeline (incident_id, id);
      CREATE TABLE alert_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id INTEGER NOT NULL REFERENCES alert_incidents (id) ON DELETE CASCADE,
        channel_id TEXT NOT NULL,
        channel_name TEXT NOT NULL,
        kind TEXT NOT NULL,
        event TEXT NOT NULL,
        attempt INTEGER NOT NULL,
        at INTEGER NOT NULL,
        status INTEGER,
        error TEXT,
        ok INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL
      );
      CREATE INDEX alert_deliveries_incident ON alert_deliveries (incident_id, id);
      CREATE TABLE alert_channels (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        config TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
      CREATE TABLE alert_silences (
        id TEXT PRIMARY KEY,
        matchers TEXT NOT NULL,
        starts_at INTEGER NOT NULL,
        ends_at INTEGER NOT NULL,
        author TEXT,
        comment TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
];

export interface StoredRule {
  id: string;
  form: 'v1' | 'v2';
  body: unknown;
  createdAt: number;
  updatedAt: number;
}

export interface StoredAlert {
  ruleId: string;
  group: string;
  status: AlertStatus;
  evidence: Evidence;
  incidentId: number | null;
}

interface IncidentRow {
  id: number;
  rule_id: string | null;
  rule_name: string | null;
  group_key: string | null;
  title: string;
  description: string;
  state: IncidentState;
  severity: Severity;
  labels: string;
  test: number;
  silence_id: string | null;
  opened_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  evidence: string;
  refires: number;
}

const incidentView = (r: IncidentRow): IncidentView => ({
  id: r.id,
  title: r.title,
  description: r.description,
  state: r.state,
  severity: r.severity,
  ruleId: r.rule_id,
  rule: r.rule_name,
  group: r.group_key,
  labels: JSON.parse(r.labels) as Record<string, string>,
  test: r.test === 1,
  silenced: r.silence_id !== null,
  silenceId: r.silence_id,
  openedAt: r.opened_at,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
  evidence: JSON.parse(r.evidence) as Evidence,
  refires: r.refires,
});

export interface NewIncident {
  ruleId: string | null;
  rule: string | null;
  group: string | null;
  title: string;
  description: string;
  severity: Severity;
  labels: Record<string, string>;
  test: boolean;
  silenceId: string | null;
  openedAt: number;
  evidence: Evidence;
}

export interface IncidentFilter {
  state?: IncidentState;
  severity?: Severity;
  rule?: string;
  since?: number;
  limit: number;
  offset: number;
}

export class AlertStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Runs `work` in one SQLite transaction (an evaluation tick writes many alert states at once). */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }

  // ── rules ──
  rules(): StoredRule[] {
    const rows = this.#db.prepare('SELECT * FROM alert_rules ORDER BY created_at, id').all() as {
      id: string;
      form: 'v1' | 'v2';
      body: string;
      created_at: number;
      updated_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      form: r.form,
      body: JSON.parse(r.body) as unknown,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    }));
  }

  putRule(rule: StoredRule): void {
    this.#db
      .prepare(
        `INSERT INTO alert_rules (id, form, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET form = excluded.form, body = excluded.body, updated_at = excluded.updated_at`,
      )
      .run(rule.id, rule.form, JSON.stringify(rule.body), rule.createdAt, rule.updatedAt);
  }

  deleteRule(id: string): boolean {
    return this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM alert_states WHERE rule_id = ?').run(id);
      return this.#db.prepare('DELETE FROM alert_rules WHERE id = ?').run(id).changes > 0;
    })();
  }

  // ── engine state ──
  alerts(): StoredAlert[] {
    const rows = this.#db.prepare('SELECT * FROM alert_states').all() as {
      rule_id: string;
      group_key: string;
      status: string;
      evidence: string;
      incident_id: number | null;
    }[];
    return rows.map((r) => ({
      ruleId: r.rule_id,
      group: r.group_key,
      status: JSON.parse(r.status) as AlertStatus,
      evidence: JSON.parse(r.evidence) as Evidence,
      incidentId: r.incident_id,
    }));
  }

  putAlert(a: StoredAlert): void {
    this.#db
      .prepare(
        `INSERT INTO alert_states (rule_id, group_key, status, evidence, incident_id) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (rule_id, group_key) DO UPDATE SET status = excluded.status, evidence = excluded.evidence,
           incident_id = excluded.incident_id`,
      )
      .run(a.ruleId, a.group, JSON.stringify(a.status), JSON.stringify(a.evidence), a.incidentId);
  }

  deleteAlert(ruleId: string, group: string): void {
    this.#db.prepare('DELETE FROM alert_states WHERE rule_id = ? AND group_key = ?').run(ruleId, group);
  }

  deleteAlertsOf(ruleId: string): void {
    this.#db.prepare('DELETE FROM alert_states WHERE rule_id = ?').run(ruleId);
  }

  position(): number | null {
    const row = this.#db.prepare('SELECT position FROM alert_position WHERE id = 1').get() as
      { position: number } | undefined;
    return row?.position ?? null;
  }

  setPosition(position: number, at: number): void {
    this.#db
      .prepare(
        `INSERT INTO alert_position (id, position, updated_at) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET position = excluded.position, updated_at = excluded.updated_at`,
      )
      .run(position, at);
  }

  // ── incidents ──
  insertIncident(n: NewIncident): number {
    const result = this.#db
      .prepare(
        `INSERT INTO alert_incidents (rule_id, rule_name, group_key, title, description, state, severity, labels,
           test, silence_id, opened_at, evidence) VALUES (?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        n.ruleId,
        n.rule,
        n.group,
        n.title,
        n.description,
        n.severity,
        JSON.stringify(n.labels),
        n.test ? 1 : 0,
        n.silenceId,
        n.openedAt,
        JSON.stringify(n.evidence),
      );
    return Number(result.lastInsertRowid);
  }

  incident(id: number): IncidentView | null {
    const row = this.#db.prepare('SELECT * FROM alert_incidents WHERE id = ?').get(id) as
      IncidentRow | undefined;
    return row ? incidentView(row) : null;
  }

  /** The incident still open (or acknowledged) for a rule's group: where a new firing is deduplicated. */
  openIncidentFor(ruleId: string, group: string): IncidentView | null {
    const row = this.#db
      .prepare(
        `SELECT * FROM alert_incidents WHERE rule_id = ? AND group_key = ? AND state != 'resolved' AND test = 0
         ORDER BY id DESC LIMIT 1`,
      )
      .get(ruleId, group) as IncidentRow | undefined;
    return row ? incidentView(row) : null;
  }

  incidents(f: IncidentFilter): { incidents: IncidentView[]; total: number } {
    const where: string[] = [];
    const args: unknown[] = [];
    const add = (sql: string, value: unknown): void => {
      if (value === undefined) return;
      where.push(sql);
      args.push(value);
    };
    add('state = ?', f.state);
    add('severity = ?', f.severity);
    add('(rule_id = ? OR rule_name = ?)', f.rule);
    if (f.rule !== undefined) args.push(f.rule);
    add('opened_at >= ?', f.since);
    const clause = where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`;
    const total = (
      this.#db.prepare(`SELECT COUNT(*) AS n FROM alert_incidents ${clause}`).get(...args) as { n: number }
    ).n;
    const rows = this.#db
      .prepare(`SELECT * FROM alert_incidents ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...args, f.limit, f.offset) as IncidentRow[];
    return { incidents: rows.map(incidentView), total };
  }

  setIncidentState(id: number, state: IncidentState, at: number, by: string | null): void {
    const column = state === 'acknowledged' ? 'acknowledged' : 'resolved';
    this.#db
      .prepare(`UPDATE alert_incidents SET state = ?, ${column}_at = ?, ${column}_by = ? WHERE id = ?`)
      .run(state, at, by, id);
  }

  noteRefire(id: number, evidence: Evidence): void {
    this.#db
      .prepare('UPDATE alert_incidents SET refires = refires + 1, evidence = ? WHERE id = ?')
      .run(JSON.stringify(evidence), id);
  }

  updateEvidence(id: number, evidence: Evidence): void {
    this.#db
      .prepare('UPDATE alert_incidents SET evidence = ? WHERE id = ?')
      .run(JSON.stringify(evidence), id);
  }

  addTimeline(incidentId: number, entry: TimelineEntry): void {
    this.#db
      .prepare('INSERT INTO alert_timeline (incident_id, at, kind, actor, text) VALUES (?, ?, ?, ?, ?)')
      .run(incidentId, entry.at, entry.kind, entry.actor, entry.text);
  }

  timeline(incidentId: number): TimelineEntry[] {
    return this.#db
      .prepare('SELECT at, kind, actor, text FROM alert_timeline WHERE incident_id = ? ORDER BY id')
      .all(incidentId) as TimelineEntry[];
  }

  addDelivery(incidentId: number, d: Omit<DeliveryView, 'id'>): void {
    this.#db
      .prepare(
        `INSERT INTO alert_deliveries (incident_id, channel_id, channel_name, kind, event, attempt, at, status, error,
           ok, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        incidentId,
        d.channelId,
        d.channel,
        d.kind,
        d.event,
        d.attempt,
        d.at,
        d.status,
        d.error,
        d.ok ? 1 : 0,
        d.durationMs,
      );
  }

  deliveries(incidentId: number): DeliveryView[] {
    const rows = this.#db
      .prepare('SELECT * FROM alert_deliveries WHERE incident_id = ? ORDER BY id')
      .all(incidentId) as {
      id: number;
      channel_id: string;
      channel_name: string;
      kind: 'webhook' | 'slack';
      event: 'opened' | 'resolved';
      attempt: number;
      at: number;
      status: number | null;
      error: string | null;
      ok: number;
      duration_ms: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      channelId: r.channel_id,
      channel: r.channel_name,
      kind: r.kind,
      event: r.event,
      attempt: r.attempt,
      at: r.at,
      status: r.status,
      error: r.error,
      ok: r.ok === 1,
      durationMs: r.duration_ms,
    }));
  }

  // ── channels ──
  channels(): ChannelView[] {
    const rows = this.#db.prepare('SELECT * FROM alert_channels ORDER BY created_at, id').all() as {
      id: string;
      name: string;
      config: string;
      created_at: number;
    }[];
    return rows.map((r) => ({
      ...(JSON.parse(r.config) as Omit<ChannelView, 'id' | 'name' | 'createdAt'>),
      id: r.id,
      name: r.name,
      createdAt: r.created_at,
    }));
  }

  channelNamed(name: string): boolean {
    return this.#db.prepare('SELECT 1 FROM alert_channels WHERE name = ?').get(name) !== undefined;
  }

  insertChannel(c: ChannelView): void {
    const { id, name, createdAt, ...config } = c;
    this.#db
      .prepare('INSERT INTO alert_channels (id, name, config, created_at) VALUES (?, ?, ?, ?)')
      .run(id, name, JSON.stringify(config), createdAt);
  }

  deleteChannel(id: string): boolean {
    return this.#db.prepare('DELETE FROM alert_channels WHERE id = ?').run(id).changes > 0;
  }

  // ── silences ──
  silences(now: number): SilenceView[] {
    const rows = this.#db.prepare('SELECT * FROM alert_silences ORDER BY starts_at DESC, id').all() as {
      id: string;
      matchers: string;
      starts_at: number;
      ends_at: number;
      author: string | null;
      comment: string;
      created_at: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      matchers: JSON.parse(r.matchers) as Matcher[],
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      author: r.author,
      comment: r.comment,
      createdAt: r.created_at,
      state: now < r.starts_at ? 'pending' : now < r.ends_at ? 'active' : 'expired',
    }));
  }

  insertSilence(s: Omit<SilenceView, 'state'>): void {
    this.#db
      .prepare(
        'INSERT INTO alert_silences (id, matchers, starts_at, ends_at, author, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(s.id, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.author, s.comment, s.createdAt);
  }

  /** Ends a silence now (kept, expired, so the history shows it). */
  expireSilence(id: string, now: number): boolean {
    return (
      this.#db.prepare('UPDATE alert_silences SET ends_at = MIN(ends_at, ?) WHERE id = ?').run(now, id)
        .changes > 0
    );
  }
}
