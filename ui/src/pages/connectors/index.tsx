/**
 * Connectors: every source of events besides raw UDP — webhooks, HTTP polling, NATS subjects — with live state
 * and counters (re-read every second), pause/resume/delete, a test push for webhooks, and the creation wizard.
 * The sequencer's UDP listeners are listed too, read-only.
 *
 * @module
 */
import { useState } from 'react';
import {
  deleteConnector,
  ingestToConnector,
  listConnectors,
  setConnectorPaused,
  toApiError,
  useApi,
  type ApiError,
} from '../../api/index.ts';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { type Column, DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { ErrorState, Loading } from '../../components/States.tsx';
import { formatAgo, formatNumber } from '../../lib/format.ts';
import type { ConnectorView } from '../../../../src/hub/connectors/schema.ts';
import { NewConnector } from './NewConnector.tsx';
import './connectors.css';

const LIVE_MS = 1000;

const STATE_TONES: Record<ConnectorView['state'], Tone> = {
  active: 'ok',
  paused: 'neutral',
  waiting: 'warn',
  backoff: 'warn',
  error: 'bad',
};

export default function ConnectorsPage() {
  const [changed, setChanged] = useState(0);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useApi((signal) => listConnectors({ signal }), [changed], { refresh: LIVE_MS });

  const act = async (what: string, run: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await run();
      setNotice(what);
    } catch (e) {
      setActionError(toApiError(e));
    }
    setChanged((n) => n + 1);
  };

  const columns: Column<ConnectorView>[] = [
    {
      id: 'name',
      header: 'Connector',
      cell: (c) => (
        <div className="connectors-name">
          <strong>{c.name}</strong>
          <code>{c.id}</code>
        </div>
      ),
    },
    {
      id: 'kind',
      header: 'Kind',
      cell: (c) => <Badge tone={c.kind === 'udp' ? 'info' : 'accent'}>{c.kind}</Badge>,
    },
    { id: 'stream', header: 'Stream', cell: (c) => c.stream, mono: true },
    {
      id: 'state',
      header: 'State',
      cell: (c) => <Badge tone={STATE_TONES[c.state]}>{c.state}</Badge>,
    },
    {
      id: 'journaled',
      header: 'Journaled',
      align: 'right',
      cell: (c) => (c.counters ? formatNumber(c.counters.journaled) : '—'),
    },
    {
      id: 'pending',
      header: 'Pending',
      align: 'right',
      cell: (c) => (c.counters ? formatNumber(c.counters.pending) : '—'),
    },
    {
      id: 'errors',
      header: 'Errors',
      align: 'right',
      cell: (c) => (c.counters ? formatNumber(c.counters.errors) : '—'),
    },
    {
      id: 'last',
      header: 'Last event',
      cell: (c) => (c.lastEventAt === null ? '—' : formatAgo(c.lastEventAt)),
    },
    {
      id: 'error',
      header: 'Last error',
      cell: (c) =>
        c.lastError ? (
          <span className="connectors-error" title={c.lastError.message}>
            {c.lastError.code}
          </span>
        ) : (
          '—'
        ),
    },
    {
      id: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      cell: (c) =>
        c.readOnly ? (
          <span className="connectors-readonly" title="Set with cz start --listen">
            read-only
          </span>
        ) : (
          <div className="connectors-row-actions">
            {c.kind === 'webhook' && (
              <Button
                size="sm"
                aria-label={`Send a test event to ${c.name}`}
                onClick={() =>
                  void act(`Sent a test event to ${c.name}`, () =>
                    ingestToConnector(c.id, { test: true, from: 'control center', at: Date.now() }),
                  )
                }
              >
                Send test
              </Button>
            )}
            <Button
              size="sm"
              aria-label={`${c.state === 'paused' ? 'Resume' : 'Pause'} ${c.name}`}
              onClick={() =>
                void act(`${c.state === 'paused' ? 'Resumed' : 'Paused'} ${c.name}`, () =>
                  setConnectorPaused(c.id, c.state !== 'paused'),
                )
              }
            >
              {c.state === 'paused' ? 'Resume' : 'Pause'}
            </Button>
            <Button
              size="sm"
              variant="danger"
              aria-label={`Delete ${c.name}`}
              onClick={() => {
                if (window.confirm(`Delete ${c.name}? Its events stay in the journal.`))
                  void act(`Deleted ${c.name}`, () => deleteConnector(c.id));
              }}
            >
              Delete
            </Button>
          </div>
        ),
    },
  ];

  return (
    <>
      <PageHeader
        title="Connectors"
        description="Sources of events besides raw UDP. Each journals into its own stream through the sequencer; while the sequencer is down, pushes are refused and pollers and subscribers hold what they have."
      />
      <div className="connectors-layout">
        <Card title="Connectors">
          {notice && (
            <div className="connectors-notice" role="status">
              {notice}
            </div>
          )}
          {actionError && <ErrorState what="That action" error={actionError} compact />}
          {list.data ? (
            <DataTable
              caption="Connectors"
              columns={columns}
              rows={list.data.connectors}
              rowKey={(c) => c.id}
              empty="No connectors yet: create one with the form."
            />
          ) : list.error ? (
            <ErrorState what="Loading the connectors" error={list.error} onRetry={list.reload} />
          ) : (
            <Loading label="Loading the connectors…" />
          )}
        </Card>
        <Card title="New connector">
          <NewConnector
            onCreated={(c) => {
              setNotice(`Created ${c.name} (${c.id})`);
              setChanged((n) => n + 1);
            }}
          />
        </Card>
      </div>
    </>
  );
}
