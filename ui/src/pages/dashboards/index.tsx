/**
 * Dashboards: the list of dashboards kept in the hub, and the one selected (`?id=…`, so a dashboard can be
 * linked) with its widgets on a grid. Create, rename, delete, and JSON import (a file or pasted text) live
 * here; the dashboard itself — range, refresh, widgets, layout, export — in DashboardView.
 *
 * @module
 */
import { useState } from 'react';
import {
  type ApiError,
  createDashboard,
  deleteDashboard,
  importDashboard,
  listDashboards,
  toApiError,
  useApi,
} from '../../api/index.ts';
import { useSearchParam } from '../../app/router.tsx';
import { Button } from '../../components/Button.tsx';
import { Field } from '../../components/Field.tsx';
import { Modal } from '../../components/Modal.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { Empty, ErrorState, Loading } from '../../components/States.tsx';
import type { Dashboard } from '../../../../src/hub/dashboards/schema.ts';
import { DashboardView } from './DashboardView.tsx';
import './dashboards.css';

type Dialog =
  | { kind: 'create' }
  | { kind: 'import' }
  | { kind: 'rename'; dashboard: Dashboard; save: (name: string) => Promise<void> }
  | { kind: 'delete'; dashboard: Dashboard };

function NameDialog({
  title,
  initial,
  action,
  onSubmit,
  onClose,
}: {
  title: string;
  initial: string;
  action: string;
  onSubmit: (name: string) => Promise<void>;
  onClose: () => void;
}) {
  const [name, setName] = useState(initial);
  const [error, setError] = useState<ApiError | null>(null);
  return (
    <Modal
      title={title}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="dash-name-form">
            {action}
          </Button>
        </>
      }
    >
      <form
        id="dash-name-form"
        onSubmit={(e) => {
          e.preventDefault();
          onSubmit(name).catch((failure: unknown) => setError(toApiError(failure)));
        }}
      >
        <Field label="Name" error={error?.message}>
          <input value={name} maxLength={100} data-autofocus onChange={(e) => setName(e.target.value)} />
        </Field>
      </form>
    </Modal>
  );
}

function ImportDialog({ onImported, onClose }: { onImported: (d: Dashboard) => void; onClose: () => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = async () => {
    setError(null);
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch (e) {
      setError(`This is not JSON: ${(e as Error).message}`);
      return;
    }
    try {
      onImported(await importDashboard(document));
    } catch (e) {
      setError(toApiError(e).message);
    }
  };
  return (
    <Modal
      title="Import a dashboard"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={() => void submit()} disabled={text.trim() === ''}>
            Import
          </Button>
        </>
      }
    >
      <div className="dash-editor">
        <Field label="A file exported from a dashboard">
          <input
            type="file"
            accept="application/json,.json"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void file.text().then(setText);
            }}
          />
        </Field>
        <Field label="Or paste its JSON" error={error ?? undefined}>
          <textarea
            className="dash-query"
            rows={10}
            spellCheck={false}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder='{ "format": "lacrimosa.dashboard", "formatVersion": 1, "dashboard": { … } }'
          />
        </Field>
      </div>
    </Modal>
  );
}

export default function DashboardsPage() {
  const [idParam, setId] = useSearchParam('id');
  const [listTick, setListTick] = useState(0);
  const [dialog, setDialog] = useState<Dialog | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const list = useApi((signal) => listDashboards({ signal }), [listTick]);
  const dashboards = list.data?.dashboards ?? [];
  const selected =
    idParam !== null && dashboards.some((d) => d.id === idParam) ? idParam : (dashboards[0]?.id ?? null);
  const reloadList = () => setListTick((n) => n + 1);
  const open = (id: string) => {
    setId(id, { push: true });
    reloadList();
  };

  return (
    <>
      <PageHeader
        title="Dashboards"
        description="Your own views of the journal and the hub: time series, numbers, tables and logs from queries and metrics, on a grid you arrange."
        actions={
          <>
            <Button onClick={() => setDialog({ kind: 'import' })}>Import</Button>
            <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
              New dashboard
            </Button>
          </>
        }
      />
      {error && <ErrorState compact what="Deleting the dashboard" error={error} />}
      {list.data === undefined ? (
        list.error ? (
          <ErrorState what="Loading dashboards" error={list.error} onRetry={list.reload} />
        ) : (
          <Loading label="Loading dashboards…" />
        )
      ) : dashboards.length === 0 ? (
        <Empty
          title="No dashboards"
          hint="Create one and add widgets backed by queries or the hub's metrics, or import an exported one."
          action={
            <Button variant="primary" onClick={() => setDialog({ kind: 'create' })}>
              New dashboard
            </Button>
          }
        />
      ) : (
        <div className="dash-page">
          <nav className="dash-list" aria-label="Dashboards">
            <ul>
              {dashboards.map((d) => (
                <li key={d.id}>
                  <button
                    type="button"
                    className={d.id === selected ? 'dash-list-item dash-list-item-on' : 'dash-list-item'}
                    aria-current={d.id === selected ? 'page' : undefined}
                    onClick={() => setId(d.id, { push: true })}
                  >
                    <span className="dash-list-name">{d.name}</span>
                    <span className="dash-list-count">
                      {d.widgetCount} widget{d.widgetCount === 1 ? '' : 's'}
                    </span>
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {selected !== null && (
            <DashboardView
              key={selected}
              id={selected}
              onChanged={reloadList}
              onRename={(dashboard, save) => setDialog({ kind: 'rename', dashboard, save })}
              onDelete={(dashboard) => setDialog({ kind: 'delete', dashboard })}
            />
          )}
        </div>
      )}

      {dialog?.kind === 'create' && (
        <NameDialog
          title="New dashboard"
          initial=""
          action="Create"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            const created = await createDashboard({ name });
            setDialog(null);
            open(created.id);
          }}
        />
      )}
      {dialog?.kind === 'rename' && (
        <NameDialog
          title="Rename the dashboard"
          initial={dialog.dashboard.name}
          action="Rename"
          onClose={() => setDialog(null)}
          onSubmit={async (name) => {
            await dialog.save(name);
            setDialog(null);
          }}
        />
      )}
      {dialog?.kind === 'import' && (
        <ImportDialog
          onClose={() => setDialog(null)}
          onImported={(created) => {
            setDialog(null);
            open(created.id);
          }}
        />
      )}
      {dialog?.kind === 'delete' && (
        <Modal
          title={`Delete “${dialog.dashboard.name}”?`}
          onClose={() => setDialog(null)}
          footer={
            <>
              <Button onClick={() => setDialog(null)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={() => {
                  const { id } = dialog.dashboard;
                  setDialog(null);
                  setError(null);
                  deleteDashboard(id).then(
                    () => {
                      setId(null);
                      reloadList();
                    },
                    (e: unknown) => setError(toApiError(e)),
                  );
                }}
              >
                Delete
              </Button>
            </>
          }
        >
          <p>
            Its {dialog.dashboard.widgets.length} widget{dialog.dashboard.widgets.length === 1 ? '' : 's'} go
            with it; the events they showed stay in the journal. Export it first to keep a copy.
          </p>
        </Modal>
      )}
    </>
  );
}
