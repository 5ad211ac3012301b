/**
 * Incidents: the alerts firing now, incidents with filters (state, severity, rule) kept in the URL, one
 * incident's detail — lifecycle actions, notes, the timeline, the evidence slots linked to the Event Explorer
 * and the delivery log — plus the rule editor with its live preview, silences and notification channels.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import {
  addIncidentNote,
  getAlerts,
  getIncident,
  listAlertRules,
  listIncidents,
  moveIncident,
  openTestIncident,
} from '../../api/alerts.ts';
import { toApiError, useApi } from '../../api/index.ts';
import { Link, navigate, useLocation } from '../../app/router.tsx';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { Async, Empty, ErrorState } from '../../components/States.tsx';
import { formatAgo, formatTime } from '../../lib/format.ts';
import type { AlertView, IncidentDetail, IncidentView } from '../../../../src/hub/alerts/schema.ts';
import { ChannelsCard, SilencesCard } from './Notifications.tsx';
import { RulesView } from './Rules.tsx';
import { explorerAt, explorerRange, SEVERITY_TONE, STATE_TONE } from './shared.ts';
import './incidents.css';

const TABS = ['incidents', 'rules', 'silences'] as const;
/** Incidents per page of the list. */
const PAGE = 50;
type Tab = (typeof TABS)[number];

const ALERT_TONE: Record<AlertView['state'], Tone> = {
  firing: 'bad',
  pending: 'warn',
  resolved: 'ok',
  ok: 'neutral',
};

export default function IncidentsPage() {
  const { path, search } = useLocation();
  const tab = (TABS as readonly string[]).includes(search.get('tab') ?? '')
    ? (search.get('tab') as Tab)
    : 'incidents';
  const setParams = (patch: Record<string, string | null>, push = false) => {
    const params = new URLSearchParams(search);
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || v === '') params.delete(k);
      else params.set(k, v);
    }
    const q = params.toString();
    navigate(`${path}${q ? `?${q}` : ''}`, { replace: !push });
  };
  return (
    <>
      <PageHeader
        title="Incidents"
        description="Alert rules evaluated on every new journal event; the incidents they open, their notifications and silences."
        actions={
          <Segmented
            label="View"
            options={[
              { value: 'incidents', label: 'Incidents' },
              { value: 'rules', label: 'Rules' },
              { value: 'silences', label: 'Silences & channels' },
            ]}
            value={tab}
            onChange={(t) => setParams({ tab: t === 'incidents' ? null : t, incident: null }, true)}
          />
        }
      />
      {tab === 'incidents' && <IncidentsView search={search} setParams={setParams} />}
      {tab === 'rules' && <RulesView />}
      {tab === 'silences' && (
        <div className="incidents-layout">
          <SilencesCard />
          <ChannelsCard />
        </div>
      )}
    </>
  );
}

function IncidentsView({
  search,
  setParams,
}: {
  search: URLSearchParams;
  setParams: (patch: Record<string, string | null>, push?: boolean) => void;
}) {
  const state = search.get('state') ?? '';
  const severity = search.get('severity') ?? '';
  const rule = search.get('rule') ?? '';
  const selected = Number(search.get('incident') ?? '') || null;
  const offset = Math.max(0, Number(search.get('offset') ?? '') || 0);
  const alerts = useApi((signal) => getAlerts({ signal }), [], { refresh: 'auto' });
  const rules = useApi((signal) => listAlertRules({ signal }), []);
  const incidents = useApi(
    (signal) =>
      listIncidents(
        {
          state: state || undefined,
          severity: severity || undefined,
          rule: rule || undefined,
          limit: PAGE,
          offset,
        },
        { signal },
      ),
    [state, severity, rule, offset],
    { refresh: 'auto' },
  );
  const [testError, setTestError] = useState<string | null>(null);
  const openTest = async () => {
    setTestError(null);
    try {
      const created = await openTestIncident('Test incident from the control center');
      incidents.reload();
      setParams({ incident: String(created.id) }, true);
    } catch (error) {
      setTestError(toApiError(error).message);
    }
  };

  const incidentColumns: Column<IncidentView>[] = [
    { id: 'id', header: '#', align: 'right', cell: (i) => i.id, width: '56px' },
    {
      id: 'title',
      header: 'Incident',
      cell: (i) => (
        <div className="incidents-title">
          <strong>{i.title}</strong>
          <span>
            {i.rule ?? (i.test ? 'test incident' : '')}
            {i.silenced && ' · silenced'}
            {i.refires > 0 && ` · fired ${i.refires} more time${i.refires === 1 ? '' : 's'}`}
          </span>
        </div>
      ),
    },
    {
      id: 'severity',
      header: 'Severity',
      cell: (i) => <Badge tone={SEVERITY_TONE[i.severity]}>{i.severity}</Badge>,
    },
    { id: 'state', header: 'State', cell: (i) => <Badge tone={STATE_TONE[i.state]}>{i.state}</Badge> },
    {
      id: 'opened',
      header: 'Opened',
      cell: (i) => <span title={formatTime(i.openedAt)}>{formatAgo(i.openedAt)}</span>,
    },
  ];

  return (
    <div className="incidents-layout">
      <Card title="Alerts now" subtitle="Pending, firing and recently resolved" flush>
        <Async
          state={alerts}
          what="Loading alert states"
          isEmpty={(d) => d.alerts.length === 0}
          empty={
            <Empty
              title="Nothing pending or firing."
              hint="Rules are evaluated on every new event and once a second."
            />
          }
        >
          {(d) => (
            <DataTable
              caption="Alerts that are not ok"
              rows={d.alerts}
              rowKey={(a) => `${a.ruleId}:${a.group ?? ''}`}
              onRowClick={(a) => a.incidentId !== null && setParams({ incident: String(a.incidentId) }, true)}
              columns={[
                {
                  id: 'state',
                  header: 'State',
                  cell: (a) => <Badge tone={ALERT_TONE[a.state]}>{a.state}</Badge>,
                },
                {
                  id: 'rule',
                  header: 'Rule',
                  cell: (a) => (a.group === null ? a.rule : `${a.rule} · ${a.group}`),
                },
                { id: 'value', header: 'Value', align: 'right', cell: (a) => a.value ?? '–' },
                { id: 'since', header: 'Since', cell: (a) => formatAgo(a.activeAt) },
                { id: 'desc', header: 'Description', cell: (a) => a.description },
              ]}
            />
          )}
        </Async>
      </Card>
      <Card
        title="Incidents"
        actions={
          <Button size="sm" onClick={() => void openTest()}>
            Open a test incident
          </Button>
        }
        flush
      >
        <form
          className="incidents-filters"
          aria-label="Filter incidents"
          onSubmit={(e) => e.preventDefault()}
        >
          <Field label="State">
            <select
              value={state}
              onChange={(e) => setParams({ state: e.target.value, incident: null, offset: null })}
            >
              <option value="">any</option>
              <option value="open">open</option>
              <option value="acknowledged">acknowledged</option>
              <option value="resolved">resolved</option>
            </select>
          </Field>
          <Field label="Severity">
            <select
              value={severity}
              onChange={(e) => setParams({ severity: e.target.value, incident: null, offset: null })}
            >
              <option value="">any</option>
              <option value="critical">critical</option>
              <option value="warning">warning</option>
              <option value="info">info</option>
            </select>
          </Field>
          <Field label="Rule">
            <select
              value={rule}
              onChange={(e) => setParams({ rule: e.target.value, incident: null, offset: null })}
            >
              <option value="">any</option>
              {(rules.data?.rules ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
        </form>
        {testError && (
          <p className="incidents-error" role="alert">
            {testError}
          </p>
        )}
        <Async
          state={incidents}
          what="Loading incidents"
          isEmpty={(d) => d.incidents.length === 0}
          empty={
            <Empty
              title="No incidents match."
              hint="Incidents open when a rule fires; try a test incident."
            />
          }
        >
          {(d) => (
            <DataTable
              caption="Incidents, newest first; choose one to see its timeline"
              columns={incidentColumns}
              rows={d.incidents}
              rowKey={(i) => i.id}
              selectedKey={selected}
              onRowClick={(i) => setParams({ incident: String(i.id) }, true)}
            />
          )}
        </Async>
        {incidents.data !== undefined && incidents.data.total > PAGE && (
          <Paging page={incidents.data} onOffset={(o) => setParams({ offset: o === 0 ? null : String(o) })} />
        )}
      </Card>
      {selected !== null && (
        <IncidentPanel
          key={selected}
          id={selected}
          onChanged={() => {
            incidents.reload();
            alerts.reload();
          }}
        />
      )}
    </div>
  );
}

function Paging({
  page: d,
  onOffset,
}: {
  page: { offset: number; total: number; incidents: unknown[] };
  onOffset: (offset: number) => void;
}) {
  return (
    <nav className="incidents-paging" aria-label="Incident pages">
      <span>
        {d.offset + 1}–{d.offset + d.incidents.length} of {d.total}
      </span>
      <Button size="sm" disabled={d.offset === 0} onClick={() => onOffset(Math.max(0, d.offset - PAGE))}>
        Newer
      </Button>
      <Button
        size="sm"
        disabled={d.offset + d.incidents.length >= d.total}
        onClick={() => onOffset(d.offset + PAGE)}
      >
        Older
      </Button>
    </nav>
  );
}

function IncidentPanel({ id, onChanged }: { id: number; onChanged: () => void }) {
  const detail = useApi((signal) => getIncident(id, { signal }), [id], { refresh: 'auto' });
  return (
    <Card title={`Incident #${id}`}>
      <Async state={detail} what="Loading the incident">
        {(d) => <IncidentDetailView detail={d} reload={() => (detail.reload(), onChanged())} />}
      </Async>
    </Card>
  );
}

function IncidentDetailView({ detail: d, reload }: { detail: IncidentDetail; reload: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [note, setNote] = useState('');
  const act = async (work: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
      reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const submitNote = (event: FormEvent) => {
    event.preventDefault();
    if (note.trim() === '') return;
    void act(async () => {
      await addIncidentNote(d.id, note.trim());
      setNote('');
    });
  };
  const { firstSeq, lastSeq, samples, value } = d.evidence;
  return (
    <div className="incident-detail">
      <div className="incident-head">
        <h2>{d.title}</h2>
        <Badge tone={STATE_TONE[d.state]}>{d.state}</Badge>
        <Badge tone={SEVERITY_TONE[d.severity]}>{d.severity}</Badge>
        {d.silenced && <Badge tone="neutral">silenced</Badge>}
        {d.test && <Badge tone="info">test</Badge>}
      </div>
      {d.description && <p>{d.description}</p>}
      <div className="incident-actions">
        <Button
          variant="primary"
          disabled={busy || d.state !== 'open'}
          onClick={() => void act(() => moveIncident(d.id, 'acknowledge'))}
        >
          Acknowledge
        </Button>
        <Button
          disabled={busy || d.state === 'resolved'}
          onClick={() => void act(() => moveIncident(d.id, 'resolve'))}
        >
          Resolve
        </Button>
      </div>
      {error !== null && <ErrorState compact what="Updating the incident" error={toApiError(error)} />}
      <dl className="incident-facts">
        <dt>Opened</dt>
        <dd>{formatTime(d.openedAt)}</dd>
        {d.acknowledgedAt !== null && (
          <>
            <dt>Acknowledged</dt>
            <dd>
              {formatTime(d.acknowledgedAt)} by {d.acknowledgedBy ?? 'unknown'}
            </dd>
          </>
        )}
        {d.resolvedAt !== null && (
          <>
            <dt>Resolved</dt>
            <dd>
              {formatTime(d.resolvedAt)} by {d.resolvedBy ?? 'unknown'}
            </dd>
          </>
        )}
        {d.rule !== null && (
          <>
            <dt>Rule</dt>
            <dd>
              {d.rule}
              {d.group ? ` · group ${d.group}` : ''}
            </dd>
          </>
        )}
        <dt>Evidence</dt>
        <dd>
          {firstSeq === null || lastSeq === null ? (
            'none (not opened by a rule)'
          ) : (
            <span className="incident-evidence">
              <Link to={explorerRange(firstSeq, lastSeq)}>
                sequences {firstSeq}–{lastSeq}
              </Link>
              {value !== null && <> · value {value}</>}
              {samples.length > 0 && ' · samples '}
              {samples.map((s) => (
                <Link key={s} to={explorerAt(s)} className="incident-slot">
                  {s}
                </Link>
              ))}
            </span>
          )}
        </dd>
        {Object.keys(d.labels).length > 0 && (
          <>
            <dt>Labels</dt>
            <dd>
              {Object.entries(d.labels).map(([k, v]) => (
                <code key={k} className="incident-label">
                  {k}={v}
                </code>
              ))}
            </dd>
          </>
        )}
      </dl>
      <h3>Timeline</h3>
      <ol className="incident-timeline" aria-label="Timeline">
        {d.timeline.map((t, i) => (
          <li key={i} className={`timeline-${t.kind}`}>
            <time dateTime={new Date(t.at).toISOString()}>{formatTime(t.at)}</time>
            <Badge tone={t.kind === 'notify-failed' ? 'bad' : t.kind === 'resolved' ? 'ok' : 'neutral'}>
              {t.kind}
            </Badge>
            <span>{t.text}</span>
          </li>
        ))}
      </ol>
      <form className="incident-note" onSubmit={submitNote} aria-label="Add a note">
        <Field label="Note">
          <input
            value={note}
            onChange={(e) => setNote(e.target.value)}
            placeholder="What you found, what you did"
            maxLength={4000}
          />
        </Field>
        <Button type="submit" disabled={busy || note.trim() === ''}>
          Add note
        </Button>
      </form>
      <h3>Deliveries</h3>
      {d.deliveries.length === 0 ? (
        <p className="incidents-muted">
          {d.silenced ? 'Silenced: nothing was sent.' : 'No notification channel received this incident.'}
        </p>
      ) : (
        <DataTable
          caption="Notification attempts"
          rows={d.deliveries}
          rowKey={(x) => x.id}
          columns={[
            { id: 'at', header: 'At', cell: (x) => formatTime(x.at) },
            { id: 'channel', header: 'Channel', cell: (x) => `${x.channel} (${x.kind})` },
            { id: 'event', header: 'Event', cell: (x) => x.event },
            { id: 'attempt', header: 'Attempt', align: 'right', cell: (x) => x.attempt },
            {
              id: 'result',
              header: 'Result',
              cell: (x) =>
                x.ok ? (
                  <Badge tone="ok">HTTP {x.status}</Badge>
                ) : (
                  <Badge tone="bad">{x.error ?? `HTTP ${x.status}`}</Badge>
                ),
            },
            { id: 'ms', header: 'Time', align: 'right', cell: (x) => `${x.durationMs} ms` },
          ]}
        />
      )}
    </div>
  );
}
