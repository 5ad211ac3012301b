/**
 * `POST /api/connectors/test`: tries a connector's settings once without creating it — one GET for http-poll
 * (status, how many items at `path`, the first one), a connect and round trip for nats — so a wizard can say
 * what is wrong before anything is stored. A failed probe is an answer (`ok: false`), not an HTTP error.
 *
 * @module
 */
import { connect } from 'nats';
import { HubError } from '../errors.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { HttpPoller } from './poll.ts';
import type { CreateConnectorBody, ProbeResult } from './schema.ts';
import type { ConnectorHandle } from './service.ts';
import { zeroCounters } from './store.ts';

const SAMPLE_CHARS = 2000;

/** A handle that journals nothing: the probe only uses the poller's fetch. */
function inertHandle(body: CreateConnectorBody): ConnectorHandle {
  return {
    record: {
      id: 'probe',
      name: body.name,
      kind: body.kind,
      stream: body.stream ?? body.name,
      nodeId: 0,
      config: body.config,
      paused: true,
      createdAt: 0,
      counters: zeroCounters(),
      lastEventAt: null,
      lastError: null,
    },
    submit: () => Promise.reject(new Error('a probe journals nothing')),
    fail: () => undefined,
    save: () => undefined,
    seenKeys: () => [],
    remember: () => undefined,
  };
}

export async function probe(body: CreateConnectorBody, sequencer: SequencerLink): Promise<ProbeResult> {
  const started = Date.now();
  const base = { kind: body.kind, sequencer: sequencer.state };
  const done = (result: Omit<ProbeResult, 'kind' | 'sequencer' | 'elapsedMs'>): ProbeResult => ({
    ...base,
    ...result,
    elapsedMs: Date.now() - started,
  });
  try {
    if (body.kind === 'webhook')
      return done({
        ok: true,
        message: 'a webhook needs no connection: events are pushed to it',
        items: null,
        sample: null,
      });
    if (body.kind === 'http-poll') {
      const items = await new HttpPoller(inertHandle(body), body.config).fetchOnce(
        new AbortController().signal,
      );
      const sample = items.length === 0 ? null : JSON.stringify(items[0]).slice(0, SAMPLE_CHARS);
      return done({
        ok: true,
        message: `GET ${body.config.url} answered ${items.length} item${items.length === 1 ? '' : 's'} at "${body.config.path || '(root)'}"`,
        items: items.length,
        sample,
      });
    }
    const nc = await connect({ servers: body.config.servers, timeout: 2000, reconnect: false });
    try {
      await nc.flush();
      const info = nc.info;
      return done({
        ok: true,
        message: `connected to ${info?.server_name ?? 'a NATS server'} (version ${info?.version ?? 'unknown'}); subject ${body.config.subject} can be subscribed`,
        items: null,
        sample: null,
      });
    } finally {
      await nc.close();
    }
  } catch (error) {
    const code =
      error instanceof HubError ? error.code : body.kind === 'nats' ? 'NATS_CONNECT_FAILED' : 'POLL_FAILED';
    return done({ ok: false, message: `${code}: ${(error as Error).message}`, items: null, sample: null });
  }
}
