/**
 * API keys (admin): the list with scopes, times and status, a new key shown exactly once, and revocation after
 * a confirmation that says what it breaks.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import type { ApiKey, CreatedKey, KeyList, Scope } from '../../../../src/hub/auth/schema.ts';
import { createKey, revokeKey } from '../../api/auth.ts';
import { type ApiError, toApiError } from '../../api/errors.ts';
import type { ApiState } from '../../api/useApi.ts';
import { Badge, type Tone } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';

import { type Column, DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { Modal } from '../../components/Modal.tsx';
import { Async, ErrorState } from '../../components/States.tsx';
import { formatAgo, formatTime } from '../../lib/format.ts';
import { CopyButton } from '../../components/CopyButton.tsx';
import {
  EXPIRY_CHOICES,
  expiryFrom,
  highestScope,
  keyStatus,
  type KeyStatus,
  loginLink,
  SCOPE_CHOICES,
} from './model.ts';

const STATUS_TONE: Record<KeyStatus, Tone> = { active: 'ok', expired: 'warn', revoked: 'bad' };
const SCOPE_TONE: Record<Scope, Tone> = { read: 'neutral', write: 'info', admin: 'accent' };

function When({ at, none = 'never' }: { at: number | null; none?: string }) {
  if (at === null) return <span className="faint">{none}</span>;
  return <time title={formatTime(at)}>{formatAgo(at)}</time>;
}

export function KeysCard({
  keys,
  currentKeyId,
  onChanged,
}: {
  keys: ApiState<KeyList>;
  /** The id of the key this browser uses, when the hub has said (the `/ws` identity). */
  currentKeyId: string | null;
  /** After a key was created or revoked: reload the list and the audit log. */
  onChanged: () => void;
}) {
  const [showRevoked, setShowRevoked] = useState(false);
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const columns: Column<ApiKey>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (k) => (
        <span className="key-name">
          <span>{k.name}</span>
          {k.root && <Badge tone="accent">root</Badge>}
          {k.id === currentKeyId && <Badge tone="info">this browser</Badge>}
        </span>
      ),
    },
    { id: 'prefix', header: 'Key', cell: (k) => k.prefix, mono: true, width: '130px' },
    {
      id: 'scopes',
      header: 'Scope',
      width: '90px',
      cell: (k) => {
        const scope = highestScope(k.scopes);
        return (
          <Badge tone={SCOPE_TONE[scope]} title={`scopes: ${k.scopes.join(', ')}`}>
            {scope}
          </Badge>
        );
      },
    },
    { id: 'created', header: 'Created', cell: (k) => <When at={k.createdAt} />, width: '110px' },
    { id: 'used', header: 'Last used', cell: (k) => <When at={k.lastUsedAt} />, width: '110px' },
    {
      id: 'expires',
      header: 'Expires',
      cell: (k) =>
        k.expiresAt === null ? (
          <span className="faint">never</span>
        ) : (
          <time title={formatTime(k.expiresAt)}>{formatAgo(k.expiresAt)}</time>
        ),
      width: '110px',
    },
    {
      id: 'status',
      header: 'Status',
      width: '120px',
      cell: (k) => {
        const status = keyStatus(k);
        return (
          <Badge
            tone={STATUS_TONE[status]}
            title={k.revokedAt !== null ? `revoked ${formatTime(k.revokedAt)}` : undefined}
          >
            {status}
          </Badge>
        );
      },
    },
    {
      id: 'actions',
      header: <span className="visually-hidden">Actions</span>,
      align: 'right',
      width: '90px',
      cell: (k) =>
        k.revokedAt === null ? (
          <Button size="sm" variant="ghost" onClick={() => setRevoking(k)} aria-label={`Revoke ${k.name}`}>
            Revoke
          </Button>
        ) : null,
    },
  ];

  return (
    <Card
      title="API keys"
      subtitle="Who can use this hub. Keys are stored only as hashes: a key is shown once, when it is made."
      flush
      actions={
        <>
          <label className="choice settings-toggle">
            <input
              type="checkbox"
              checked={showRevoked}
              onChange={(event) => setShowRevoked(event.target.checked)}
            />
            Show revoked
          </label>
          <Button variant="primary" size="sm" onClick={() => setCreating(true)}>
            New key
          </Button>
        </>
      }
    >
      <Async state={keys} what="Loading the API keys" loadingLabel="Loading keys…">
        {(data) => {
          const rows = data.keys
            .filter((k) => showRevoked || k.revokedAt === null)
            .sort((a, b) => b.createdAt - a.createdAt);
          const hidden = data.keys.length - rows.length;
          return (
            <>
              <DataTable
                caption="API keys"
                columns={columns}
                rows={rows}
                rowKey={(k) => k.id}
                empty="No keys to show."
              />
              {hidden > 0 && (
                <p className="settings-note faint">
                  {hidden} revoked {hidden === 1 ? 'key' : 'keys'} hidden.
                </p>
              )}
            </>
          );
        }}
      </Async>
      {creating && (
        <CreateKeyModal
          onClose={() => setCreating(false)}
          onCreated={() => {
            onChanged();
          }}
        />
      )}
      {revoking && (
        <RevokeKeyModal
          apiKey={revoking}
          isCurrent={revoking.id === currentKeyId}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            onChanged();
          }}
        />
      )}
    </Card>
  );
}

function issueFor(error: ApiError | null, field: string): string | undefined {
  return error?.issues.find((i) => i.field === field)?.message;
}

function CreateKeyModal({ onClose, onCreated }: { onClose: () => void; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [scope, setScope] = useState<Scope>('read');
  const [expiry, setExpiry] = useState('never');
  const [customExpiry, setCustomExpiry] = useState('');
  const [expiryProblem, setExpiryProblem] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedKey | null>(null);

  if (created) return <CreatedKeyModal created={created} onClose={onClose} />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    const expires = expiryFrom(expiry, customExpiry);
    if ('error' in expires) {
      setExpiryProblem(expires.error);
      return;
    }
    setExpiryProblem(null);
    setBusy(true);
    try {
      const key = await createKey({
        name: name.trim(),
        scopes: [scope],
        ...(expires.expiresAt === undefined ? {} : { expiresAt: expires.expiresAt }),
      });
      setCreated(key);
      onCreated();
    } catch (error) {
      setFailure(toApiError(error));
    } finally {
      setBusy(false);
    }
  };

  const nameIssue = issueFor(failure, 'body.name');
  const expiryIssue = expiryProblem ?? issueFor(failure, 'body.expiresAt');
  const fieldIssue = nameIssue !== undefined || expiryIssue !== undefined || issueFor(failure, 'body.scopes');
  return (
    <Modal
      title="New API key"
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="create-key-form" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </Button>
        </>
      }
    >
      <form id="create-key-form" onSubmit={submit} noValidate>
        <Field label="Name" hint="What uses it: grafana, ci, alice's laptop." error={nameIssue}>
          <input
            type="text"
            name="key-name"
            value={name}
            maxLength={64}
            autoComplete="off"
            onChange={(event) => setName(event.target.value)}
            data-autofocus
            className="input-wide"
          />
        </Field>
        <fieldset className="choice-group settings-fieldset">
          <legend className="field-label">Scope</legend>
          {SCOPE_CHOICES.map((choice) => (
            <label key={choice.value} className="choice choice-described">
              <input
                type="radio"
                name="key-scope"
                value={choice.value}
                checked={scope === choice.value}
                onChange={() => setScope(choice.value)}
              />
              <span>
                {choice.label}
                <span className="field-hint"> — {choice.hint}</span>
              </span>
            </label>
          ))}
        </fieldset>
        <Field label="Expires" error={expiryIssue}>
          <select name="key-expiry" value={expiry} onChange={(event) => setExpiry(event.target.value)}>
            {EXPIRY_CHOICES.map((choice) => (
              <option key={choice.value} value={choice.value}>
                {choice.label}
              </option>
            ))}
          </select>
        </Field>
        {expiry === 'custom' && (
          <Field label="Expiry date and time (local)">
            <input
              type="datetime-local"
              name="key-expiry-at"
              value={customExpiry}
              onChange={(event) => setCustomExpiry(event.target.value)}
            />
          </Field>
        )}
      </form>
      {failure && !fieldIssue && <ErrorState what="Creating the key" error={failure} compact />}
    </Modal>
  );
}

function CreatedKeyModal({ created, onClose }: { created: CreatedKey; onClose: () => void }) {
  const link = loginLink(window.location.origin, created.key);
  return (
    <Modal
      title={`Key “${created.name}” created`}
      onClose={onClose}
      footer={
        <Button variant="primary" onClick={onClose}>
          Done
        </Button>
      }
    >
      <p className="modal-reason">
        Copy the key now: this is the only time it is shown. The hub keeps only its hash.
      </p>
      <Field label="The new key">
        <input
          type="text"
          readOnly
          value={created.key}
          className="input-wide mono"
          name="created-key"
          onFocus={(event) => event.target.select()}
          data-autofocus
        />
      </Field>
      <div className="row settings-copy-row">
        <CopyButton text={created.key} label="Copy key" />
        <CopyButton text={link} label="Copy login link" title="A #key= link that logs a browser in" />
        <span className="muted">
          {highestScope(created.scopes)} ·{' '}
          {created.expiresAt === null ? 'never expires' : `expires ${formatTime(created.expiresAt)}`}
        </span>
      </div>
    </Modal>
  );
}

function RevokeKeyModal({
  apiKey,
  isCurrent,
  onClose,
  onRevoked,
}: {
  apiKey: ApiKey;
  isCurrent: boolean;
  onClose: () => void;
  onRevoked: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const revoke = async () => {
    setBusy(true);
    setFailure(null);
    try {
      await revokeKey(apiKey.id);
      onRevoked();
    } catch (error) {
      setFailure(toApiError(error));
      setBusy(false);
    }
  };
  return (
    <Modal
      title={`Revoke “${apiKey.name}”?`}
      onClose={onClose}
      footer={
        <>
          <Button variant="ghost" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="danger" onClick={revoke} disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke key'}
          </Button>
        </>
      }
    >
      <p>
        <code>{apiKey.prefix}</code> ({highestScope(apiKey.scopes)}) stops working at once: its next request
        gets <code>401</code>. This cannot be undone; make a new key instead.
      </p>
      {apiKey.root && (
        <p className="modal-reason">
          This is the root key. Keep another admin key first, or you will lock yourself out of key management.
        </p>
      )}
      {isCurrent && (
        <p className="modal-reason">This browser uses this key: you will be asked for another one.</p>
      )}
      {failure && <ErrorState what="Revoking the key" error={failure} compact />}
    </Modal>
  );
}
