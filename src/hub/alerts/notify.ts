/**
 * Notification delivery: an incident's opening or resolution is POSTed to every enabled channel the user
 * configured (and only there) — generic JSON for `webhook`, a Slack-compatible `{ text, blocks }` message for
 * `slack`. Each attempt has a timeout; a failure (network error, timeout, non-2xx) is retried after a delay
 * that doubles each time, up to the channel's attempt bound. Every attempt is written to the incident's
 * delivery log, and the outcome to its timeline.
 *
 * @module
 */
import type { ChannelView, IncidentView, Severity } from './schema.ts';
import type { AlertStore } from './store.ts';

export type NotifyEvent = 'opened' | 'resolved';

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/** The generic webhook body. */
export function webhookPayload(incident: IncidentView, event: NotifyEvent, sentAt: number) {
  return { version: 1, event, sentAt, incident };
}

const EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

/** A Slack incoming-webhook message: `text` as the fallback, `blocks` for the layout. */
export function slackPayload(incident: IncidentView, event: NotifyEvent) {
  const verb = event === 'opened' ? 'opened' : 'resolved';
  const text = `${EMOJI[incident.severity]} [${incident.severity.toUpperCase()}] Incident #${incident.id} ${verb}: ${incident.title}`;
  const fields = [
    { type: 'mrkdwn', text: `*Severity*\n${incident.severity}` },
    { type: 'mrkdwn', text: `*State*\n${incident.state}` },
    ...(incident.rule === null ? [] : [{ type: 'mrkdwn', text: `*Rule*\n${incident.rule}` }]),
    ...(incident.group === null || incident.group === ''
      ? []
      : [{ type: 'mrkdwn', text: `*Group*\n${incident.group}` }]),
  ];
  const { firstSeq, lastSeq } = incident.evidence;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: `Incident #${incident.id} ${verb}`, emoji: true } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${incident.title}*\n${incident.description || ' '}` },
      },
      { type: 'section', fields },
      {
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text:
              firstSeq === null
                ? 'lacrimosa'
                : `lacrimosa · evidence: journal sequences ${firstSeq}–${lastSeq}`,
          },
        ],
      },
    ],
  };
}

export interface NotifierOptions {
  now: () => number;
  /** Written to the incident timeline when a channel's delivery ends. */
  onOutcome(incidentId: number, channel: ChannelView, event: NotifyEvent, ok: boolean, detail: string): void;
}

export class Notifier {
  readonly #store: AlertStore;
  readonly #options: NotifierOptions;
  readonly #inFlight = new Set<Promise<void>>();
  readonly #stop = new AbortController();

  constructor(store: AlertStore, options: NotifierOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** Starts delivery to every matching channel; returns at once (the attempts run in the background). */
  send(incident: IncidentView, event: NotifyEvent): number {
    const channels = this.#store
      .channels()
      .filter((c) => c.enabled && RANK[incident.severity] >= RANK[c.minSeverity]);
    for (const channel of channels) {
      const p = this.#deliver(channel, incident, event).finally(() => this.#inFlight.delete(p));
      this.#inFlight.add(p);
    }
    return channels.length;
  }

  /** Resolves when every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.idle();
  }

  async #deliver(channel: ChannelView, incident: IncidentView, event: NotifyEvent): Promise<void> {
    const { now } = this.#options;
    const body = JSON.stringify(
      channel.kind === 'slack' ? slackPayload(incident, event) : webhookPayload(incident, event, now()),
    );
    let last = '';
    for (let attempt = 1; attempt <= channel.maxAttempts; attempt++) {
      if (this.#stop.signal.aborted) break;
      const started = now();
      let status: number | null = null;
      let error: string | null = null;
      try {
        const response = await fetch(channel.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'lacrimosa-alerts/1' },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(channel.timeoutMs)]),
        });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (!response.ok) error = `HTTP ${status}`;
      } catch (e) {
        const err = e as Error & { cause?: { code?: string; message?: string } };
        error =
          err.name === 'TimeoutError'
            ? `timed out after ${channel.timeoutMs} ms`
            : (err.cause?.code ?? err.cause?.message ?? err.message);
      }
      const ok = error === null;
      this.#store.addDelivery(incident.id, {
        channelId: channel.id,
        channel: channel.name,
        kind: channel.kind,
        event,
        attempt,
        at: started,
        status,
        error,
        ok,
        durationMs: Math.max(0, now() - started),
      });
      if (ok) {
        this.#options.onOutcome(incident.id, channel, event, true, `HTTP ${status} on attempt ${attempt}`);
        return;
      }
      last = error!;
      if (attempt < channel.maxAttempts) {
        const delay = channel.backoffMs * 2 ** (attempt - 1);
        await new Promise<void>((resolve) => {
          const signal = this.#stop.signal;
          const done = (): void => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          const timer = setTimeout(done, delay);
          signal.addEventListener('abort', done);
        });
      }
    }
    this.#options.onOutcome(incident.id, channel, event, false, last || 'stopped');
  }
}
