/**
 * Silences (list, create, expire) and notification channels (list, add, delete) of the Incidents page.
 *
 * @module
 */
import { type FormEvent, useState } from 'react';
import {
  createChannel,
  createSilence,
  deleteChannel,
  expireSilence,
  listChannels,
  listSilences,
} from '../../api/alerts.ts';
import { type ApiError, toApiError, useApi } from '../../api/index.ts';
import { Badge } from '../../components/Badge.tsx';
import { Button } from '../../components/Button.tsx';
import { Card } from '../../components/Card.tsx';
import { DataTable } from '../../components/DataTable.tsx';
import { Field } from '../../components/Field.tsx';
import { Async, Empty, ErrorState } from '../../components/States.tsx';
import { formatTime } from '../../lib/format.ts';

export function SilencesCard() {
  const silences = useApi((signal) => listSilences({ signal }), [], { refresh: 'auto' });
  const [form, setForm] = useState({
    name: 'rule',
    op: '=' as '=' | '!=',
    value: '',
    duration: '1h',
    comment: '',
  });
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await createSilence({
        matchers: [{ name: form.name.trim(), op: form.op, value: form.value }],
        duration: form.duration.trim(),
        comment: form.comment,
      });
      setForm((f) => ({ ...f, value: '', comment: '' }));
      silences.reload();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Card title="Silences" subtitle="Matching incidents still open, but notify nobody">
      <form className="incidents-filters" onSubmit={(e) => void submit(e)} aria-label="New silence">
        <Field label="Match" hint="rule, severity, group or a label">
          <input
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
            autoComplete="off"
          />
        </Field>
        <Field label="Operator">
          <select
            value={form.op}
            onChange={(e) => setForm((f) => ({ ...f, op: e.target.value as '=' | '!=' }))}
          >
            <option value="=">=</option>
            <option value="!=">!=</option>
          </select>
        </Field>
        <Field label="Value">
          <input
            value={form.value}
            onChange={(e) => setForm((f) => ({ ...f, value: e.target.value }))}
            autoComplete="off"
          />
        </Field>
        <Field label="For" hint="30m, 2h, 1d">
          <input
            value={form.duration}
            onChange={(e) => setForm((f) => ({ ...f, duration: e.target.value }))}
            autoComplete="off"
          />
        </Field>
        <Field label="Comment">
          <input
            value={form.comment}
            onChange={(e) => setForm((f) => ({ ...f, comment: e.target.value }))}
            autoComplete="off"
          />
        </Field>
        <Button type="submit" variant="primary">
          Silence
        </Button>
      </form>
      {error && <ErrorState compact what="Creating the silence" error={error} />}
      <Async
        state={silences}
        what="Loading silences"
        isEmpty={(d) => d.silences.length === 0}
        empty={<Empty title="No silences." />}
      >
        {(d) => (
          <DataTable
            caption="Silences"
            rows={d.silences}
            rowKey={(s) => s.id}
            columns={[
              {
                id: 'state',
                header: 'State',
                cell: (s) => <Badge tone={s.state === 'active' ? 'warn' : 'neutral'}>{s.state}</Badge>,
              },
              {
                id: 'matchers',
                header: 'Matchers',
                mono: true,
                cell: (s) => s.matchers.map((m) => `${m.name}${m.op}"${m.value}"`).join(', '),
              },
              {
                id: 'window',
                header: 'From – until',
                cell: (s) => `${formatTime(s.startsAt)} – ${formatTime(s.endsAt)}`,
              },
              { id: 'author', header: 'By', cell: (s) => s.author ?? '' },
              { id: 'comment', header: 'Comment', cell: (s) => s.comment },
              {
                id: 'expire',
                header: '',
                cell: (s) =>
                  s.state !== 'expired' && (
                    <Button size="sm" onClick={() => void expireSilence(s.id).then(silences.reload)}>
                      Expire
                    </Button>
                  ),
              },
            ]}
          />
        )}
      </Async>
    </Card>
  );
}

export function ChannelsCard() {
  const channels = useApi((signal) => listChannels({ signal }), [], { refresh: 'auto' });
  const [form, setForm] = useState({ name: '', kind: 'webhook' as 'webhook' | 'slack', url: '' });
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await createChannel({ name: form.name.trim(), kind: form.kind, url: form.url.trim() });
      setForm({ name: '', kind: form.kind, url: '' });
      channels.reload();
    } catch (e) {
      setError(toApiError(e));
    }
  };
  return (
    <Card title="Notification channels" subtitle="Incidents are POSTed here, and only here, with retries">
      <form className="incidents-filters" onSubmit={(e) => void submit(e)} aria-label="New channel">
        <Field label="Name">
          <input
            value={form.name}
            onChange={(e) => setForm((f) => ({ ...f, name: e.target.value }))}
            autoComplete="off"
          />
        </Field>
        <Field label="Kind">
          <select
            value={form.kind}
            onChange={(e) => setForm((f) => ({ ...f, kind: e.target.value as 'webhook' | 'slack' }))}
          >
            <option value="webhook">webhook (JSON)</option>
            <option value="slack">Slack incoming webhook</option>
          </select>
        </Field>
        <Field label="URL">
          <input
            value={form.url}
            onChange={(e) => setForm((f) => ({ ...f, url: e.target.value }))}
            placeholder="https://…"
            autoComplete="off"
          />
        </Field>
        <Button type="submit" variant="primary">
          Add channel
        </Button>
      </form>
      {error && <ErrorState compact what="Adding the channel" error={error} />}
      <Async
        state={channels}
        what="Loading channels"
        isEmpty={(d) => d.channels.length === 0}
        empty={<Empty title="No channels: incidents notify nobody." />}
      >
        {(d) => (
          <DataTable
            caption="Notification channels"
            rows={d.channels}
            rowKey={(c) => c.id}
            columns={[
              { id: 'name', header: 'Name', cell: (c) => c.name },
              { id: 'kind', header: 'Kind', cell: (c) => c.kind },
              { id: 'url', header: 'URL', mono: true, cell: (c) => c.url },
              { id: 'sev', header: 'Min severity', cell: (c) => c.minSeverity },
              {
                id: 'retry',
                header: 'Retries',
                cell: (c) =>
                  `${c.maxAttempts} attempts, ${c.backoffMs} ms doubling, ${c.timeoutMs} ms timeout`,
              },
              { id: 'enabled', header: 'Enabled', cell: (c) => (c.enabled ? 'yes' : 'no') },
              {
                id: 'delete',
                header: '',
                cell: (c) => (
                  <Button
                    size="sm"
                    variant="danger"
                    onClick={() => void deleteChannel(c.id).then(channels.reload)}
                  >
                    Delete
                  </Button>
                ),
              },
            ]}
          />
        )}
      </Async>
    </Card>
  );
}
