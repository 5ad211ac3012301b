/**
 * The creation wizard: pick a kind, fill in its settings (checked with the hub's own schema before sending, and
 * field errors from the hub shown at their fields), try them with "Test connection", then create.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import { type ApiError, createConnector, testConnector, toApiError } from '../../api/index.ts';
import { Button } from '../../components/Button.tsx';
import { Field } from '../../components/Field.tsx';
import { Segmented } from '../../components/Segmented.tsx';
import { ErrorState } from '../../components/States.tsx';
import type {
  ConnectorView,
  CreateConnectorInput,
  ProbeResult,
} from '../../../../src/hub/connectors/schema.ts';

type Kind = 'webhook' | 'http-poll' | 'nats';

const KINDS: { value: Kind; label: string; title: string }[] = [
  { value: 'webhook', label: 'Webhook', title: 'Events are pushed to the hub over HTTP' },
  { value: 'http-poll', label: 'HTTP poll', title: 'The hub polls a JSON feed' },
  { value: 'nats', label: 'NATS', title: 'The hub subscribes to a NATS subject' },
];

export interface Form {
  name: string;
  stream: string;
  url: string;
  intervalMs: string;
  path: string;
  dedupeKey: string;
  headers: string;
  servers: string;
  subject: string;
  queue: string;
  jsStream: string;
  durable: string;
}

export const EMPTY: Form = {
  name: '',
  stream: '',
  url: '',
  intervalMs: '5000',
  path: '',
  dedupeKey: '',
  headers: '',
  servers: 'nats://127.0.0.1:4222',
  subject: '',
  queue: '',
  jsStream: '',
  durable: '',
};

/** "Name: value" lines → headers; a line without a colon is left to the hub's validation as a bad name. */
function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf(':');
    if (at < 0) out[line.trim()] = '';
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function bodyOf(kind: Kind, form: Form): CreateConnectorInput {
  // Values are passed as typed; the hub's schema (checked before sending) names what is wrong.
  const common = { name: form.name.trim(), ...(form.stream.trim() ? { stream: form.stream.trim() } : {}) };
  if (kind === 'webhook') return { kind, ...common };
  if (kind === 'http-poll') {
    const interval = Number(form.intervalMs);
    return {
      kind,
      ...common,
      config: {
        url: form.url.trim(),
        intervalMs: Number.isFinite(interval) && form.intervalMs.trim() !== '' ? interval : 5000,
        path: form.path.trim(),
        ...(form.dedupeKey.trim() ? { dedupeKey: form.dedupeKey.trim() } : {}),
        headers: parseHeaders(form.headers),
      },
    };
  }
  return {
    kind,
    ...common,
    config: {
      servers: form.servers
        .split(/[\s,]+/)
        .map((s) => s.trim())
        .filter(Boolean),
      subject: form.subject.trim(),
      ...(form.queue.trim() ? { queue: form.queue.trim() } : {}),
      ...(form.jsStream.trim() || form.durable.trim()
        ? { jetstream: { stream: form.jsStream.trim(), durable: form.durable.trim() } }
        : {}),
    },
  };
}

export function NewConnector({ onCreated }: { onCreated: (connector: ConnectorView) => void }) {
  const [kind, setKind] = useState<Kind>('webhook');
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<ApiError | null>(null);
  const [probe, setProbe] = useState<ProbeResult | null>(null);
  const [busy, setBusy] = useState<'test' | 'create' | null>(null);

  const issue = (field: string): string | undefined =>
    error?.issues.find((i) => i.field === field || i.field.startsWith(`${field}.`))?.message;
  const set = (key: keyof Form) => (event: { target: { value: string } }) => {
    setForm((f) => ({ ...f, [key]: event.target.value }));
    setProbe(null);
  };

  const onTest = async () => {
    setBusy('test');
    setError(null);
    setProbe(null);
    try {
      setProbe(await testConnector(bodyOf(kind, form)));
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy('create');
    setError(null);
    try {
      const created = await createConnector(bodyOf(kind, form));
      setForm(EMPTY);
      setProbe(null);
      onCreated(created);
    } catch (e) {
      setError(toApiError(e));
    } finally {
      setBusy(null);
    }
  };

  const fieldless = error !== null && error.issues.length === 0;
  return (
    <form className="connectors-form" aria-label="New connector" onSubmit={(e) => void onSubmit(e)}>
      <Segmented
        label="Kind"
        options={KINDS}
        value={kind}
        onChange={(k) => {
          setKind(k);
          setError(null);
          setProbe(null);
        }}
      />
      <Field label="Name" hint="Letters, digits, _ - . (unique)" error={issue('body.name')}>
        <input value={form.name} onChange={set('name')} required autoComplete="off" />
      </Field>
      <Field
        label="Stream"
        hint="Where its events are journaled; default: the name"
        error={issue('body.stream')}
      >
        <input value={form.stream} onChange={set('stream')} autoComplete="off" />
      </Field>
      {kind === 'http-poll' && (
        <>
          <Field label="URL" error={issue('body.config.url')}>
            <input value={form.url} onChange={set('url')} placeholder="http://127.0.0.1:8080/feed" />
          </Field>
          <Field label="Interval (ms)" error={issue('body.config.intervalMs')}>
            <input value={form.intervalMs} onChange={set('intervalMs')} inputMode="numeric" />
          </Field>
          <Field
            label="Path to the list"
            hint="e.g. data.items; empty: the answer itself"
            error={issue('body.config.path')}
          >
            <input value={form.path} onChange={set('path')} />
          </Field>
          <Field
            label="Dedupe key"
            hint="A field identifying an item, e.g. id"
            error={issue('body.config.dedupeKey')}
          >
            <input value={form.dedupeKey} onChange={set('dedupeKey')} />
          </Field>
          <Field label="Headers" hint="One “Name: value” per line" error={issue('body.config.headers')}>
            <textarea value={form.headers} onChange={set('headers')} rows={2} />
          </Field>
        </>
      )}
      {kind === 'nats' && (
        <>
          <Field
            label="Servers"
            hint="nats://host:port, comma separated"
            error={issue('body.config.servers')}
          >
            <input value={form.servers} onChange={set('servers')} />
          </Field>
          <Field label="Subject" hint="Wildcards * and > allowed" error={issue('body.config.subject')}>
            <input value={form.subject} onChange={set('subject')} placeholder="orders.>" />
          </Field>
          <Field label="Queue group" hint="Optional" error={issue('body.config.queue')}>
            <input value={form.queue} onChange={set('queue')} />
          </Field>
          <Field
            label="JetStream stream"
            hint="Optional: read through a durable consumer, acknowledged once journaled"
            error={issue('body.config.jetstream.stream')}
          >
            <input value={form.jsStream} onChange={set('jsStream')} />
          </Field>
          <Field
            label="Durable consumer"
            hint="With a JetStream stream"
            error={issue('body.config.jetstream.durable')}
          >
            <input value={form.durable} onChange={set('durable')} />
          </Field>
        </>
      )}
      {kind === 'webhook' && (
        <p className="connectors-note">
          Events are pushed to <code>POST /api/connectors/&lt;id&gt;/ingest</code>: a JSON object, an array or
          NDJSON.
        </p>
      )}
      {fieldless && <ErrorState what="The hub refused" error={error} compact />}
      {probe && (
        <div className={probe.ok ? 'connectors-probe ok' : 'connectors-probe bad'} role="status">
          {probe.ok ? '✓ ' : '✗ '}
          {probe.message}
          {probe.sample !== null && <pre>{probe.sample}</pre>}
        </div>
      )}
      <div className="connectors-actions">
        <Button onClick={() => void onTest()} disabled={busy !== null}>
          {busy === 'test' ? 'Testing…' : 'Test connection'}
        </Button>
        <Button type="submit" variant="primary" disabled={busy !== null}>
          {busy === 'create' ? 'Creating…' : 'Create connector'}
        </Button>
      </div>
    </form>
  );
}
