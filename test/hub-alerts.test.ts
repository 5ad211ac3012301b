/**
 * Alerts and incidents end to end: a real `cz start` process fed over UDP, the real hub in-process with its
 * SQLite file, local HTTP receivers started here standing in for webhook and Slack endpoints, and the journal
 * read back directly to check the evidence. Rules go pending then firing, incidents open with evidence that
 * holds the matching events, notifications are retried and logged, silences suppress them, the lifecycle
 * refuses invalid transitions, and a restarted hub resumes without alerting again.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  alertListSchema,
  type AlertView,
  channelSchema,
  incidentDetailSchema,
  incidentListSchema,
  incidentSchema,
  previewSchema,
  ruleListSchema,
  ruleSchema,
  silenceSchema,
} from '../src/hub/alerts/schema.ts';
import { main } from '../src/cli/main.ts';
import { JournalReader } from '../src/journal/reader.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';
import { failure, ok } from './helpers/answers.ts';

interface Received {
  path: string;
  body: unknown;
}

/**
 * A local HTTP receiver: answers each request with the next status of `statuses` (then 200); a status of 0
 * never answers (the connection hangs until the test ends).
 */
async function receiver(statuses: number[] = []): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const queue = [...statuses];
  const server = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      got.push({ path: req.url ?? '', body: JSON.parse(text) as unknown });
      const status = queue.shift() ?? 200;
      if (status === 0) return;
      res.statusCode = status;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, got, server };
}

const servers: Server[] = [];

afterEach(async () => {
  await closeHubs();
  await killAll();
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    }),
  );
});

async function setup(dataDir?: string, s?: TestSequencer): Promise<{ s: TestSequencer; hub: TestHub }> {
  s ??= await startSequencer({ backend: 'auto', listens: ['0=default', '0=app'] });
  const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath, ...(dataDir ? { dataDir } : {}) });
  await until(() => hub.hub.services.sequencer.state === 'connected', 'the hub to connect to the sequencer');
  return { s, hub };
}

async function alerts(hub: TestHub): Promise<AlertView[]> {
  return (await ok(hub.api('/api/alerts'), alertListSchema)).alerts;
}

/** Waits until the alert of `ruleId` (and group) is in `state`; returns every state seen on the way. */
async function waitForState(
  hub: TestHub,
  ruleId: string,
  state: string,
  group: string | null = null,
): Promise<{ seen: string[]; alert: AlertView }> {
  const seen: string[] = [];
  let found: AlertView | undefined;
  await until(
    async () => {
      found = (await alerts(hub)).find((a) => a.ruleId === ruleId && a.group === group);
      const now = found?.state ?? 'ok';
      if (seen.at(-1) !== now) seen.push(now);
      return now === state;
    },
    `alert ${ruleId} ${group ?? ''} to be ${state}`,
    30_000,
  );
  return { seen, alert: found! };
}

/** Payloads at the given sequences, read from the journal file. */
function payloadsAt(path: string, seqs: readonly number[]): unknown[] {
  const reader = JournalReader.open(path);
  try {
    return seqs.map((seq) => {
      const event = reader.readEvent(seq);
      if (event === null) return null;
      return JSON.parse(Buffer.from(reader.readPayload(seq, event).bytes).toString('utf8')) as unknown;
    });
  } finally {
    reader.close();
  }
}

const udp = (s: TestSequencer, stream: string, payloads: unknown[]) =>
  sendUdp(
    s.port(stream),
    payloads.map((p) => JSON.stringify(p)),
  );

describe('alert rules over live UDP traffic', () => {
  it('go pending, then fire after `for`; the incident holds evidence slots with the matching events; the webhook is retried and logged', async () => {
    const { s, hub } = await setup();
    const hook = await receiver([500]);
    const slack = await receiver();
    await ok(
      hub.api('/api/alerts/channels', {
        body: { name: 'ops-hook', kind: 'webhook', url: `${hook.url}/hook`, backoffMs: 20, maxAttempts: 3 },
      }),
      channelSchema,
      201,
    );
    await ok(
      hub.api('/api/alerts/channels', {
        body: { name: 'ops-slack', kind: 'slack', url: `${slack.url}/slack` },
      }),
      channelSchema,
      201,
    );
    const rule = await ok(
      hub.api('/api/alerts/rules', {
        body: {
          name: 'app errors',
          query: 'SELECT COUNT(*) FROM app WHERE level = "error"',
          threshold: { op: '>=', value: 3 },
          window: '1m',
          for: '1500ms',
          severity: 'critical',
          labels: { team: 'payments' },
          description: '{{value}} errors for team {{labels.team}}',
        },
      }),
      ruleSchema,
      201,
    );
    expect(rule).toMatchObject({
      form: 'v1',
      windowMs: 60_000,
      forMs: 1500,
      query: 'SELECT COUNT(*) FROM app WHERE level = "error"',
    });

    // Noise on the other stream and non-matching events on this one do not count.
    await udp(s, 'default', [
      { level: 'error', n: 0 },
      { level: 'error', n: 1 },
      { level: 'error', n: 2 },
    ]);
    await udp(s, 'app', [
      { level: 'info', n: 3 },
      { level: 'error', n: 4 },
      { level: 'warn', n: 5 },
    ]);
    await udp(s, 'app', [
      { level: 'error', n: 6 },
      { level: 'error', n: 7 },
    ]);

    const { seen, alert } = await waitForState(hub, rule.id, 'firing');
    expect(seen).toContain('pending');
    expect(seen.indexOf('pending')).toBeLessThan(seen.indexOf('firing'));
    expect(alert.value).toBe(3);
    expect(alert.incidentId).not.toBeNull();

    const incident = await ok(hub.api(`/api/alerts/incidents/${alert.incidentId}`), incidentDetailSchema);
    expect(incident).toMatchObject({
      state: 'open',
      severity: 'critical',
      ruleId: rule.id,
      title: 'app errors',
      description: '3 errors for team payments',
      silenced: false,
    });
    const { firstSeq, lastSeq, samples } = incident.evidence;
    expect(samples).toHaveLength(3);
    expect(samples[0]).toBe(firstSeq);
    expect(samples.at(-1)).toBe(lastSeq);
    expect(payloadsAt(s.journal, samples)).toEqual([
      { level: 'error', n: 4 },
      { level: 'error', n: 6 },
      { level: 'error', n: 7 },
    ]);

    // The webhook answered 500 first: a second attempt followed, and both are in the delivery log.
    await until(async () => {
      const d = await ok(hub.api(`/api/alerts/incidents/${incident.id}`), incidentDetailSchema);
      return d.deliveries.filter((x) => x.ok).length === 2;
    }, 'both channels to be delivered');
    const detail = await ok(hub.api(`/api/alerts/incidents/${incident.id}`), incidentDetailSchema);
    const hookLog = detail.deliveries.filter((d) => d.channel === 'ops-hook');
    expect(hookLog.map((d) => [d.attempt, d.status, d.ok])).toEqual([
      [1, 500, false],
      [2, 200, true],
    ]);
    expect(hookLog[0]!.error).toBe('HTTP 500');
    expect(hook.got).toHaveLength(2);
    expect(hook.got[1]).toMatchObject({
      path: '/hook',
      body: {
        version: 1,
        event: 'opened',
        incident: { id: incident.id, title: 'app errors', evidence: { firstSeq, lastSeq } },
      },
    });
    expect(detail.timeline.map((t) => t.kind)).toEqual(expect.arrayContaining(['opened', 'notified']));

    // Slack: a text fallback and blocks with a header.
    expect(slack.got).toHaveLength(1);
    const message = slack.got[0]!.body as {
      text: string;
      blocks: { type: string; text?: { text: string } }[];
    };
    expect(message.text).toContain(`Incident #${incident.id} opened: app errors`);
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `Incident #${incident.id} opened`, emoji: true },
    });
    expect(message.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context']);

    // More errors while firing are deduplicated into the open incident.
    await udp(s, 'app', [{ level: 'error', n: 8 }]);
    await until(async () => (await alerts(hub))[0]?.evidence.lastSeq !== lastSeq, 'the evidence to grow');
    const list = await ok(hub.api('/api/alerts/incidents'), incidentListSchema);
    expect(list.total).toBe(1);
  }, 60_000);

  it('v2 rules group by a field (one alert per group), combine conditions and resolve when the window empties', async () => {
    const { s, hub } = await setup();
    const rule = await ok(
      hub.api('/api/alerts/rules/v2', {
        body: {
          name: 'slow services',
          from: ['app'],
          conditions: ['latency > 100', 'region = "eu"'],
          match: 'all',
          aggregate: { fn: 'max', field: 'latency' },
          group_by: 'service',
          threshold: { op: '>', value: 200 },
          window: '2s',
          for: 0,
          keep_firing_for: 0,
          description: '{{group}} max latency {{value}} ms',
        },
      }),
      ruleSchema,
      201,
    );
    expect(rule).toMatchObject({
      form: 'v2',
      groupBy: 'service',
      aggregate: { fn: 'max', field: 'latency' },
    });
    await udp(s, 'app', [
      { service: 'api', latency: 250, region: 'eu' },
      { service: 'db', latency: 150, region: 'eu' },
      { service: 'web', latency: 900, region: 'us' },
      { service: 'db', latency: 300, region: 'eu' },
    ]);
    const api = await waitForState(hub, rule.id, 'firing', 'api');
    const db = await waitForState(hub, rule.id, 'firing', 'db');
    expect([api.alert.value, db.alert.value]).toEqual([250, 300]);
    expect((await alerts(hub)).some((a) => a.group === 'web')).toBe(false);
    const incidents = await ok(hub.api(`/api/alerts/incidents?rule=${rule.id}`), incidentListSchema);
    expect(incidents.incidents.map((i) => [i.group, i.description]).sort()).toEqual([
      ['api', 'api max latency 250 ms'],
      ['db', 'db max latency 300 ms'],
    ]);

    // Nothing new for 2 s: the windows empty and the alerts resolve; the incidents note it and stay open.
    await waitForState(hub, rule.id, 'resolved', 'api');
    const after = await ok(hub.api(`/api/alerts/incidents/${api.alert.incidentId}`), incidentDetailSchema);
    expect(after.state).toBe('open');
    expect(after.timeline.map((t) => t.kind)).toContain('alert-resolved');
  }, 60_000);

  it('edits and deletes rules, and rejects bad ones with the field and position', async () => {
    const { hub } = await setup();
    const rule = await ok(
      hub.api('/api/alerts/rules', { body: { name: 'x', query: 'level = "error"' } }),
      ruleSchema,
      201,
    );
    const edited = await ok(
      hub.api(`/api/alerts/rules/${rule.id}`, {
        method: 'PUT',
        body: { name: 'x2', conditions: ['level = "fatal"'], group_by: 'host' },
      }),
      ruleSchema,
    );
    expect(edited).toMatchObject({
      id: rule.id,
      name: 'x2',
      form: 'v2',
      where: 'level = "fatal"',
      groupBy: 'host',
    });
    expect((await ok(hub.api('/api/alerts/rules'), ruleListSchema)).rules.map((r) => r.name)).toEqual(['x2']);
    const message = await failure(
      hub.api('/api/alerts/rules', { body: { name: 'bad', query: 'level = ' } }),
      400,
      'QUERY_SYNTAX',
    );
    expect(message).toMatch(/^body\.query: line 1, column 9/);
    expect(
      await failure(
        hub.api('/api/alerts/rules/v2', { body: { name: 'bad', conditions: ['a = 1', 'b >'] } }),
        400,
        'QUERY_SYNTAX',
      ),
    ).toMatch(/^body\.conditions\.1:/);
    expect(
      await failure(
        hub.api('/api/alerts/rules', { body: { name: 'bad', query: 'x = 1', window: '5 minutes' } }),
        400,
        'INVALID_REQUEST',
      ),
    ).toMatch(/body\.window: window must be a duration/);
    await failure(
      hub.api('/api/alerts/rules', { body: { name: 'bad', query: 'SELECT * FROM app SINCE 5m' } }),
      400,
      'RULE_INVALID',
    );
    expect((await hub.api(`/api/alerts/rules/${rule.id}`, { method: 'DELETE' })).status).toBe(204);
    await failure(hub.api(`/api/alerts/rules/${rule.id}`, { method: 'DELETE' }), 404, 'NOT_FOUND');
    expect((await ok(hub.api('/api/alerts/rules'), ruleListSchema)).rules).toEqual([]);
  });

  it('previews what a rule would have matched, per window and group, with sample slots', async () => {
    const { s, hub } = await setup();
    await udp(s, 'app', [
      { level: 'error', host: 'a' },
      { level: 'error', host: 'b' },
      { level: 'error', host: 'a' },
      { level: 'info', host: 'a' },
    ]);
    await until(async () => {
      const r = JournalReader.open(s.journal);
      try {
        return r.loadHead() >= 4;
      } finally {
        r.close();
      }
    }, 'the events to be journaled');
    const preview = await ok(
      hub.api('/api/alerts/rules/preview', {
        body: {
          form: 'v2',
          rule: {
            conditions: ['level = "error"'],
            group_by: 'host',
            threshold: { op: '>=', value: 2 },
            window: '1m',
          },
          lookback: '5m',
        },
      }),
      previewSchema,
    );
    expect(preview.matched).toBe(3);
    expect(preview.wouldFire).toBe(true);
    const groups = preview.windows.flatMap((w) => w.groups);
    expect(groups.filter((g) => g.count > 0).map((g) => [g.group, g.count, g.breaches])).toEqual([
      ['a', 2, true],
      ['b', 1, false],
    ]);
    expect(payloadsAt(s.journal, preview.samples).map((p) => (p as { level: string }).level)).toEqual([
      'error',
      'error',
      'error',
    ]);
  });
});

describe('incidents', () => {
  it('acknowledge then resolve, refuse invalid transitions with 409, record who and when, take notes', async () => {
    const { hub } = await setup();
    const writer = (
      (await (
        await hub.api('/api/auth/keys', { body: { name: 'oncall-alice', scopes: ['write'] } })
      ).json()) as {
        key: string;
      }
    ).key;
    const test = await ok(
      hub.api('/api/alerts/incidents/test', { body: { title: 'disk full', severity: 'warning' } }),
      incidentDetailSchema,
      201,
    );
    expect(test).toMatchObject({ state: 'open', test: true, title: 'disk full' });
    const acked = await ok(
      hub.api(`/api/alerts/incidents/${test.id}/acknowledge`, { key: writer, body: { comment: 'looking' } }),
      incidentSchema,
    );
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'oncall-alice' });
    expect(acked.acknowledgedAt).toBeGreaterThan(0);
    expect(
      await failure(
        hub.api(`/api/alerts/incidents/${test.id}/acknowledge`, { method: 'POST' }),
        409,
        'INVALID_TRANSITION',
      ),
    ).toMatch(/already acknowledged \(by oncall-alice\)/);
    await ok(
      hub.api(`/api/alerts/incidents/${test.id}/notes`, { key: writer, body: { text: 'freed 20 GB' } }),
      incidentDetailSchema,
      201,
    );
    const resolved = await ok(
      hub.api(`/api/alerts/incidents/${test.id}/resolve`, { method: 'POST' }),
      incidentSchema,
    );
    expect(resolved).toMatchObject({ state: 'resolved', resolvedBy: 'root' });
    await failure(
      hub.api(`/api/alerts/incidents/${test.id}/resolve`, { method: 'POST' }),
      409,
      'INVALID_TRANSITION',
    );
    await failure(
      hub.api(`/api/alerts/incidents/${test.id}/acknowledge`, { method: 'POST' }),
      409,
      'INVALID_TRANSITION',
    );
    await failure(hub.api('/api/alerts/incidents/999999/resolve', { method: 'POST' }), 404, 'NOT_FOUND');

    const detail = await ok(hub.api(`/api/alerts/incidents/${test.id}`), incidentDetailSchema);
    expect(detail.timeline.map((t) => [t.kind, t.actor])).toEqual([
      ['opened', null],
      ['acknowledged', 'oncall-alice'],
      ['note', 'oncall-alice'],
      ['resolved', 'root'],
    ]);
    expect(detail.timeline[1]!.text).toBe('acknowledged by oncall-alice: looking');

    // Resolving straight from open is allowed.
    const second = await ok(
      hub.api('/api/alerts/incidents/test', { method: 'POST' }),
      incidentDetailSchema,
      201,
    );
    await ok(hub.api(`/api/alerts/incidents/${second.id}/resolve`, { method: 'POST' }), incidentSchema);

    const filtered = await ok(
      hub.api('/api/alerts/incidents?state=resolved&severity=warning&limit=1'),
      incidentListSchema,
    );
    expect(filtered).toMatchObject({ total: 1, limit: 1, offset: 0 });
    expect(filtered.incidents.map((i) => i.id)).toEqual([test.id]);
    await failure(hub.api('/api/alerts/incidents?state=closed'), 400, 'INVALID_REQUEST');
  });

  it('a silence suppresses notifications: the incident opens marked silenced, nothing is sent', async () => {
    const { hub } = await setup();
    const hook = await receiver();
    await ok(
      hub.api('/api/alerts/channels', { body: { name: 'hook', kind: 'webhook', url: hook.url } }),
      channelSchema,
      201,
    );
    const silence = await ok(
      hub.api('/api/alerts/silences', {
        body: { matchers: [{ name: 'team', value: 'db' }], duration: '1h', comment: 'maintenance' },
      }),
      silenceSchema,
      201,
    );
    expect(silence).toMatchObject({ state: 'active', author: 'root', comment: 'maintenance' });
    const silenced = await ok(
      hub.api('/api/alerts/incidents/test', { body: { title: 'db down', labels: { team: 'db' } } }),
      incidentDetailSchema,
      201,
    );
    expect(silenced).toMatchObject({ silenced: true, silenceId: silence.id });
    expect(silenced.timeline.map((t) => t.kind)).toEqual(['opened', 'silenced']);
    // A later, unsilenced incident is delivered; the silenced one never was.
    const loud = await ok(
      hub.api('/api/alerts/incidents/test', { body: { title: 'api down', labels: { team: 'api' } } }),
      incidentDetailSchema,
      201,
    );
    await until(() => hook.got.length >= 1, 'the unsilenced incident to be delivered');
    expect(hook.got.map((g) => (g.body as { incident: { id: number } }).incident.id)).toEqual([loud.id]);
    expect(
      (await ok(hub.api(`/api/alerts/incidents/${silenced.id}`), incidentDetailSchema)).deliveries,
    ).toEqual([]);
    // Resolving the loud one announces it; resolving the silenced one stays silent.
    await ok(hub.api(`/api/alerts/incidents/${silenced.id}/resolve`, { method: 'POST' }), incidentSchema);
    await ok(hub.api(`/api/alerts/incidents/${loud.id}/resolve`, { method: 'POST' }), incidentSchema);
    await until(() => hook.got.length >= 2, 'the resolution to be delivered');
    const announced = hook.got.map(
      (g) => g.body as { event: string; incident: { id: number; state: string } },
    );
    expect(announced.map((b) => [b.event, b.incident.id, b.incident.state])).toEqual([
      ['opened', loud.id, 'open'],
      ['resolved', loud.id, 'resolved'],
    ]);

    const expired = await ok(
      hub.api(`/api/alerts/silences/${silence.id}`, { method: 'DELETE' }),
      silenceSchema,
    );
    expect(expired.state).toBe('expired');
    await failure(
      hub.api('/api/alerts/silences', { body: { matchers: [], duration: '1h' } }),
      400,
      'INVALID_REQUEST',
    );
    await failure(
      hub.api('/api/alerts/channels', { body: { name: 'x', kind: 'webhook', url: 'file:///etc/passwd' } }),
      400,
      'INVALID_REQUEST',
    );
  });
});

describe('delivery failures', () => {
  it('a receiver that never answers times out; attempts are bounded and each is logged; the timeline says it failed', async () => {
    const { hub } = await setup();
    const hang = await receiver([0, 0, 0]);
    await ok(
      hub.api('/api/alerts/channels', {
        body: { name: 'slow', kind: 'webhook', url: hang.url, timeoutMs: 200, maxAttempts: 2, backoffMs: 10 },
      }),
      channelSchema,
      201,
    );
    const incident = await ok(
      hub.api('/api/alerts/incidents/test', { method: 'POST' }),
      incidentDetailSchema,
      201,
    );
    let detail = incident;
    await until(async () => {
      detail = await ok(hub.api(`/api/alerts/incidents/${incident.id}`), incidentDetailSchema);
      return detail.timeline.some((t) => t.kind === 'notify-failed');
    }, 'the delivery to give up');
    expect(detail.deliveries.map((d) => [d.attempt, d.status, d.ok, d.error])).toEqual([
      [1, null, false, 'timed out after 200 ms'],
      [2, null, false, 'timed out after 200 ms'],
    ]);
    expect(hang.got).toHaveLength(2);
    expect(detail.timeline.find((t) => t.kind === 'notify-failed')!.text).toBe(
      'webhook channel "slow" could not be notified of the opened incident: timed out after 200 ms',
    );
  });
});

describe('restart', () => {
  it('keeps rule states and resumes from its journal position without alerting on history again', async () => {
    const first = await setup();
    const { s } = first;
    const hook = await receiver();
    await ok(
      first.hub.api('/api/alerts/channels', { body: { name: 'hook', kind: 'webhook', url: hook.url } }),
      channelSchema,
      201,
    );
    const rule = await ok(
      first.hub.api('/api/alerts/rules', {
        body: { name: 'fatal', query: 'level = "fatal"', threshold: { op: '>', value: 0 }, window: '10m' },
      }),
      ruleSchema,
      201,
    );
    await udp(s, 'app', [{ level: 'fatal' }, { level: 'fatal' }]);
    const { alert } = await waitForState(first.hub, rule.id, 'firing');
    await until(() => hook.got.length === 1, 'the notification');
    const dataDir = first.hub.dataDir;
    await first.hub.close();

    // While the hub is down, more matching events arrive: the restarted hub sees them once, as new events.
    await udp(s, 'app', [{ level: 'fatal' }]);
    const { hub } = await setup(dataDir, s);
    const again = await waitForState(hub, rule.id, 'firing');
    expect(again.alert).toMatchObject({ incidentId: alert.incidentId, firedAt: alert.firedAt });
    await until(
      async () => (await alerts(hub))[0]!.value === 3,
      'the event sent while down to be counted once',
    );
    const list = await ok(hub.api('/api/alerts/incidents'), incidentListSchema);
    expect(list.total).toBe(1);
    expect(list.incidents[0]!.refires).toBe(0);
    expect(hook.got).toHaveLength(1);
    const reader = JournalReader.open(s.journal);
    const head = reader.loadHead();
    reader.close();
    await until(
      async () => (await ok(hub.api('/api/alerts'), alertListSchema)).position === head,
      'the position to reach the head',
    );
  }, 60_000);
});

describe('cz incidents and cz alerts', () => {
  it('list, show, acknowledge, resolve and open test incidents; list rules and alert states', async () => {
    const { hub } = await setup();
    const run = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main([...args, '--hub', hub.url, '--key', hub.rootKey], {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      });
      return { code, out: out.join('\n'), err: err.join('\n') };
    };
    const opened = await run('incidents', 'test', '--title', 'cli drill');
    expect(opened).toMatchObject({ code: 0 });
    const id = /incident (\d+) opened: cli drill \(open\)/.exec(opened.out)![1]!;
    expect((await run('incidents', 'list', '--state', 'open')).out).toMatch(
      new RegExp(`^\\s*${id}\\s+open\\s+info.*cli drill`, 'm'),
    );
    expect((await run('incidents', 'ack', id, '--comment', 'on it')).out).toBe(
      `incident ${id} acknowledged: cli drill (acknowledged)`,
    );
    const again = await run('incidents', 'ack', id);
    expect(again.code).not.toBe(0);
    expect(again.err).toMatch(
      /409 INVALID_TRANSITION: cannot acknowledge incident \d+: it is already acknowledged \(by root\)/,
    );
    expect((await run('incidents', 'resolve', id)).out).toContain('(resolved)');
    const shown = await run('incidents', 'show', id);
    expect(shown.out).toMatch(/acked\s+\S+ by root/);
    expect(shown.out).toMatch(/acknowledged\s+root\s+acknowledged by root: on it/);
    expect((await run('incidents', 'show', 'abc')).err).toContain('"abc" is not an incident id');

    await ok(
      hub.api('/api/alerts/rules', { body: { name: 'cli rule', query: 'level = "error"', window: '5m' } }),
      ruleSchema,
      201,
    );
    expect((await run('alerts', 'rules')).out).toMatch(
      /cli rule\s+warning\s+SELECT COUNT\(\*\) FROM \* WHERE level = "error"\s+> 0\s+5m\s+0s\s+yes/,
    );
    expect((await run('alerts')).out).toContain('no alerts pending or firing');
  });
});
