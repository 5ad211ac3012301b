/**
 * The audit log (admin): every key action and every mutation, allowed or refused, newest first. Filters live
 * in the URL (`?action=…&key=…&outcome=…&range=…`), so a filtered view can be reloaded and shared; pages are
 * walked with the hub's cursor.
 *
 * @module
 */
import { useState } from 'react';
import type { AuditEntry, AuditPage, KeyList } from '../../../../src/hub/auth/schema.ts';
import { getAuditLog } from '../../api/auth.ts';
import { useApi } from '../../api/useApi.ts';
import { navigate, useSearchParam } from '../../app/router.tsx';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Async, Empty } from '../../components/States.tsx';
import { formatTime } from '../../lib/format.ts';
import {
  type AuditFilters,
  auditQuery,
  describeDetail,
  KNOWN_ACTIONS,
  localTime,
  RANGE_CHOICES,
} from './model.ts';

const PAGE_SIZES = [25, 50, 100, 200];

const columns: Column<AuditEntry>[] = [
  {
    id: 'at',
    header: 'Time',
    cell: (e) => (
      <time className="audit-time" dateTime={new Date(e.at).toISOString()}>
        {formatTime(e.at)}
      </time>
    ),
    width: '190px',
    mono: true,
  },
  {
    id: 'key',
    header: 'Key',
    cell: (e) =>
      e.keyName !== null ? (
        <span title={e.keyId ?? undefined}>{e.keyName}</span>
      ) : (
        <span className="faint">{e.keyId ?? 'no key'}</span>
      ),
    width: '130px',
  },
  { id: 'action', header: 'Action', cell: (e) => e.action, mono: true },
  {
    id: 'target',
    header: 'Target',
    cell: (e) => e.target ?? <span className="faint">—</span>,
    mono: true,
    width: '140px',
  },
  {
    id: 'outcome',
    header: 'Outcome',
    width: '100px',
    cell: (e) => (
      <Badge tone={e.outcome === 'success' ? 'ok' : 'bad'} title={`HTTP ${e.status}`}>
        {e.outcome} {e.status}
      </Badge>
    ),
  },
  { id: 'remote', header: 'From', cell: (e) => e.remote ?? '—', mono: true, width: '110px' },
  {
    id: 'detail',
    header: 'Detail',
    cell: (e) => {
      const text = describeDetail(e.detail);
      return text === '' ? (
        <span className="faint">—</span>
      ) : (
        <span className="audit-detail" title={text}>
          {text}
        </span>
      );
    },
  },
];

function useAuditFilters(): [AuditFilters, (name: keyof AuditFilters, value: string) => void, () => void] {
  const [action, setAction] = useSearchParam('action');
  const [key, setKey] = useSearchParam('key');
  const [outcome, setOutcome] = useSearchParam('outcome');
  const [range, setRange] = useSearchParam('range');
  const [since, setSince] = useSearchParam('since');
  const [until, setUntil] = useSearchParam('until');
  const filters: AuditFilters = {
    action: action ?? '',
    key: key ?? '',
    outcome: outcome === 'success' || outcome === 'failure' ? outcome : '',
    range: range ?? '',
    since: since ?? '',
    until: until ?? '',
  };
  const setters = {
    action: setAction,
    key: setKey,
    outcome: setOutcome,
    range: setRange,
    since: setSince,
    until: setUntil,
  };
  const set = (name: keyof AuditFilters, value: string) => setters[name](value === '' ? null : value);
  const clear = () => {
    const params = new URLSearchParams(window.location.search);
    for (const name of Object.keys(setters)) params.delete(name);
    const query = params.toString();
    navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, { replace: true });
  };
  return [filters, set, clear];
}

export function AuditCard({ keys, changes }: { keys: KeyList | undefined; changes: number }) {
  const [filters, setFilter, clearFilters] = useAuditFilters();
  const [limit, setLimit] = useState(50);
  /** Cursors of the pages before the current one; the current cursor is the last (undefined: first page). */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const filterKey = JSON.stringify([filters, limit]);
  const [seenFilterKey, setSeenFilterKey] = useState(filterKey);
  if (seenFilterKey !== filterKey) {
    // Different filters: back to the newest page.
    setSeenFilterKey(filterKey);
    setCursors([undefined]);
  }

  const page = useApi<AuditPage>(
    (signal) => getAuditLog(auditQuery(filters, { cursor, limit }), { signal }),
    [filterKey, cursor, changes],
    // Only the newest page follows new entries; older pages stay put while you read them.
    { refresh: cursor === undefined ? 'auto' : 0 },
  );

  const active =
    filters.action !== '' || filters.key !== '' || filters.outcome !== '' || filters.range !== '';
  const badRange =
    filters.range === 'custom' &&
    ((filters.since !== '' && localTime(filters.since) === null) ||
      (filters.until !== '' && localTime(filters.until) === null));

  return (
    <Card
      title="Audit log"
      subtitle="Every key action and every change made through the hub, allowed or refused, newest first."
      flush
      actions={
        <Button size="sm" variant="ghost" onClick={page.reload} disabled={page.loading}>
          {page.loading ? 'Loading…' : 'Refresh'}
        </Button>
      }
    >
      <form className="audit-filters" onSubmit={(event) => event.preventDefault()} aria-label="Audit filters">
        <label className="audit-filter">
          <span className="field-label">Action</span>
          <input
            type="search"
            name="audit-action"
            list="audit-actions"
            placeholder="key.create, POST /api/…"
            value={filters.action}
            onChange={(event) => setFilter('action', event.target.value)}
          />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </label>
        <label className="audit-filter">
          <span className="field-label">Key</span>
          <select
            name="audit-key"
            value={filters.key}
            onChange={(event) => setFilter('key', event.target.value)}
          >
            <option value="">Any key</option>
            {keys?.keys.map((k) => (
              <option key={k.id} value={k.id}>
                {k.name} ({k.prefix}){k.revokedAt !== null ? ' — revoked' : ''}
              </option>
            ))}
            {filters.key !== '' && !keys?.keys.some((k) => k.id === filters.key) && (
              <option value={filters.key}>{filters.key}</option>
            )}
          </select>
        </label>
        <label className="audit-filter">
          <span className="field-label">Outcome</span>
          <select
            name="audit-outcome"
            value={filters.outcome}
            onChange={(event) => setFilter('outcome', event.target.value)}
          >
            <option value="">Success and failure</option>
            <option value="success">Success</option>
            <option value="failure">Failure (incl. refused)</option>
          </select>
        </label>
        <label className="audit-filter">
          <span className="field-label">Time</span>
          <select
            name="audit-range"
            value={filters.range}
            onChange={(event) => setFilter('range', event.target.value)}
          >
            {RANGE_CHOICES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        {filters.range === 'custom' && (
          <>
            <label className="audit-filter">
              <span className="field-label">From</span>
              <input
                type="datetime-local"
                name="audit-since"
                value={filters.since}
                onChange={(event) => setFilter('since', event.target.value)}
              />
            </label>
            <label className="audit-filter">
              <span className="field-label">Until</span>
              <input
                type="datetime-local"
                name="audit-until"
                value={filters.until}
                onChange={(event) => setFilter('until', event.target.value)}
              />
            </label>
          </>
        )}
        {active && (
          <Button size="sm" variant="ghost" onClick={clearFilters} className="audit-clear">
            Clear filters
          </Button>
        )}
        {badRange && <span className="field-error">A date is not valid; it is ignored.</span>}
      </form>
      <Async
        state={page}
        what="Loading the audit log"
        loadingLabel="Loading the audit log…"
        isEmpty={(data) => data.entries.length === 0}
        empty={
          cursor !== undefined ? (
            <Empty title="No older entries." />
          ) : active ? (
            <Empty
              title="No entries match these filters."
              action={
                <Button size="sm" onClick={clearFilters}>
                  Clear filters
                </Button>
              }
            />
          ) : (
            <Empty
              title="The audit log is empty."
              hint="Key actions and every change made through the hub (simulations, replays, runs) are recorded here."
            />
          )
        }
      >
        {(data) => (
          <DataTable caption="Audit log entries" columns={columns} rows={data.entries} rowKey={(e) => e.id} />
        )}
      </Async>
      <div className="audit-pager">
        <span className="muted">
          Page {cursors.length}
          {page.data
            ? ` · ${page.data.entries.length} ${page.data.entries.length === 1 ? 'entry' : 'entries'}`
            : ''}
        </span>
        <label className="row">
          <span className="muted">Per page</span>
          <select name="audit-limit" value={limit} onChange={(event) => setLimit(Number(event.target.value))}>
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <Button size="sm" disabled={cursors.length === 1} onClick={() => setCursors([undefined])}>
          Newest
        </Button>
        <Button size="sm" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer
        </Button>
        <Button
          size="sm"
          disabled={!page.data || page.data.nextCursor === null || page.loading}
          onClick={() => {
            const next = page.data?.nextCursor;
            if (next !== null && next !== undefined) setCursors((c) => [...c, next]);
          }}
        >
          Older
        </Button>
      </div>
    </Card>
  );
}
