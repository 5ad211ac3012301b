/**
 * Walks the hub's whole route table — generated from `hub.routes`, so a new route cannot escape — with no key,
 * a malformed key, an unknown key, a revoked key and read, write and admin keys, expecting 401/403/2xx exactly
 * as the scope rules say. Then a property test posts arbitrary JSON to every mutating route and checks the hub
 * never answers 5xx and always uses the error shape (under /v1/, OTLP's google.rpc.Status).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnyRoute, effectiveScope } from '../src/hub/routes.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll } from './helpers/processes.ts';
import { sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

interface Example {
  path: string;
  body?: unknown;
}

/** The trace the traces examples write and read. */
const WALK_TRACE = '5ca1ab1e'.repeat(4);

/** How to call each route validly. `prepare` may create what the call needs (a key to revoke, …). */
type ExampleFactory = (ctx: { hub: TestHub; sequencer: TestSequencer }) => Promise<Example> | Example;

const EXAMPLES: Record<string, ExampleFactory> = {
  'GET /api/status': () => ({ path: '/api/status' }),
  'GET /api/auth/keys': () => ({ path: '/api/auth/keys' }),
  'POST /api/auth/keys': () => ({ path: '/api/auth/keys', body: { name: 'walk', scopes: ['read'] } }),
  'DELETE /api/auth/keys/:id': async ({ hub }) => {
    const created = (await (
      await hub.api('/api/auth/keys', { body: { name: 'to-revoke', scopes: ['read'] } })
    ).json()) as { id: string };
    return { path: `/api/auth/keys/${created.id}` };
  },
  'GET /api/auth/audit': () => ({ path: '/api/auth/audit?limit=5' }),
  'POST /api/verify': () => ({ path: '/api/verify', body: { runs: 1, suites: ['crc32c'], journal: false } }),
  'GET /api/verify': () => ({ path: '/api/verify' }),
  'GET /api/verify/:id': async ({ hub }) => {
    const { runs } = (await (await hub.api('/api/verify')).json()) as { runs: { id: string }[] };
    return { path: `/api/verify/${runs[0]!.id}` };
  },
  'GET /api/system': () => ({ path: '/api/system' }),
  'GET /api/ring': () => ({ path: '/api/ring' }),
  'GET /api/journal/layout': () => ({ path: '/api/journal/layout' }),
  'GET /api/streams': () => ({ path: '/api/streams' }),
  'GET /api/topology': () => ({ path: '/api/topology' }),
  'GET /api/metrics/history': () => ({ path: '/api/metrics/history?since=5m' }),
  'GET /metrics': () => ({ path: '/metrics' }),
  'GET /api/events': () => ({ path: '/api/events?limit=5&order=asc' }),
  'GET /api/events/:slot': () => ({ path: '/api/events/3' }),
  'GET /api/export': () => ({ path: '/api/export?format=ndjson&from=0&to=10' }),
  'POST /api/simulate': () => ({
    path: '/api/simulate',
    body: { streams: ['walk'], rate: 1000, count: 2 },
  }),
  'GET /api/simulate': () => ({ path: '/api/simulate' }),
  'GET /api/simulate/:id': async ({ hub }) => ({ path: `/api/simulate/${await newJobId(hub, 'simulate')}` }),
  'DELETE /api/simulate/:id': async ({ hub }) => ({
    path: `/api/simulate/${await newJobId(hub, 'simulate')}`,
  }),
  'POST /api/replay': ({ sequencer }) => ({
    path: '/api/replay',
    body: { from: 0, to: 5, target: { kind: 'udp', host: '127.0.0.1', port: sequencer.port() }, rate: 1000 },
  }),
  'GET /api/replay': () => ({ path: '/api/replay' }),
  'GET /api/replay/:id': async ({ hub }) => ({ path: `/api/replay/${await newJobId(hub, 'replay')}` }),
  'DELETE /api/replay/:id': async ({ hub }) => ({ path: `/api/replay/${await newJobId(hub, 'replay')}` }),
  'GET /api/connectors': () => ({ path: '/api/connectors' }),
  'POST /api/connectors': () => ({ path: '/api/connectors', body: { kind: 'webhook', name: walkName() } }),
  'POST /api/connectors/test': () => ({
    path: '/api/connectors/test',
    body: { kind: 'webhook', name: 'probe' },
  }),
  'GET /api/connectors/:id': async ({ hub }) => ({ path: `/api/connectors/${await newConnector(hub)}` }),
  'DELETE /api/connectors/:id': async ({ hub }) => ({ path: `/api/connectors/${await newConnector(hub)}` }),
  'POST /api/connectors/:id/pause': async ({ hub }) => ({
    path: `/api/connectors/${await newConnector(hub)}/pause`,
  }),
  'POST /api/connectors/:id/resume': async ({ hub }) => ({
    path: `/api/connectors/${await newConnector(hub)}/resume`,
  }),
  'POST /api/connectors/:id/ingest': async ({ hub }) => ({
    path: `/api/connectors/${await newConnector(hub)}/ingest`,
    body: [{ walk: 1 }, { walk: 2 }],
  }),
  'GET /api/playback': () => ({ path: '/api/playback' }),
  'POST /v1/traces': () => ({
    path: '/v1/traces',
    body: {
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'walk' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: WALK_TRACE,
                  spanId: 'a'.repeat(16),
                  name: 'walk',
                  kind: 1,
                  startTimeUnixNano: '1700000000000000000',
                  endTimeUnixNano: '1700000000001000000',
                },
              ],
            },
          ],
        },
      ],
    },
  }),
  'POST /api/traces/ingest': () => ({
    path: '/api/traces/ingest',
    body: {
      spans: [
        {
          traceId: WALK_TRACE,
          spanId: 'b'.repeat(16),
          parentSpanId: 'a'.repeat(16),
          service: 'walk-db',
          operation: 'select',
          startTimeUnixMs: 1700000000000,
          durationMs: 0.5,
        },
      ],
    },
  }),
  'GET /api/traces': () => ({ path: '/api/traces?service=walk&limit=5' }),
  'GET /api/traces/service-graph': () => ({ path: '/api/traces/service-graph?since=1d' }),
  'GET /api/pipelines': () => ({ path: '/api/pipelines' }),
  'POST /api/pipelines': () => ({ path: '/api/pipelines', body: walkPipeline() }),
  'GET /api/pipelines/:id': async ({ hub }) => ({
    path: `/api/pipelines/${await sharedPipeline(hub, 'idle')}`,
  }),
  'PUT /api/pipelines/:id': async ({ hub }) => ({
    path: `/api/pipelines/${await sharedPipeline(hub, 'idle')}`,
    body: walkPipeline(),
  }),
  'DELETE /api/pipelines/:id': async ({ hub }) => ({ path: `/api/pipelines/${await newPipeline(hub)}` }),
  'POST /api/pipelines/:id/run': async ({ hub }) => ({
    path: `/api/pipelines/${await sharedPipeline(hub, 'running')}/run`,
  }),
  'POST /api/pipelines/:id/stop': async ({ hub }) => ({
    path: `/api/pipelines/${await sharedPipeline(hub, 'stopping')}/stop`,
  }),
  'POST /api/pipelines/:id/dry-run': async ({ hub }) => ({
    path: `/api/pipelines/${await sharedPipeline(hub, 'idle')}/dry-run`,
    body: { from: 0, to: 20, sample: 2 },
  }),
  'GET /api/traces/:id': async ({ hub }) => {
    await hub.api('/api/traces/ingest', {
      body: {
        spans: [
          {
            traceId: WALK_TRACE,
            spanId: 'c'.repeat(16),
            service: 'walk',
            operation: 'root',
            startTimeUnixMs: 1700000000000,
            durationMs: 1,
          },
        ],
      },
    });
    return { path: `/api/traces/${WALK_TRACE}` };
  },
  'POST /api/query': () => ({
    path: '/api/query',
    body: { query: 'SELECT seq, n FROM * WHERE n >= 3 SINCE 1h LIMIT 5' },
  }),
  'POST /api/query/check': () => ({ path: '/api/query/check', body: { query: 'SELECT * FROM * LIMIT' } }),
  'GET /api/query/history': () => ({ path: '/api/query/history?limit=5' }),
  'GET /api/query/saved': () => ({ path: '/api/query/saved' }),
  'POST /api/query/saved': () => ({
    path: '/api/query/saved',
    body: { name: walkName(), query: 'SELECT seq FROM * SINCE 5m' },
  }),
  'PUT /api/query/saved/:id': async ({ hub }) => ({
    path: `/api/query/saved/${await newSavedQuery(hub)}`,
    body: { name: walkName(), query: 'SELECT COUNT(*) FROM * GROUP BY n' },
  }),
  'DELETE /api/query/saved/:id': async ({ hub }) => ({
    path: `/api/query/saved/${await newSavedQuery(hub)}`,
  }),
  'GET /api/dashboards': () => ({ path: '/api/dashboards' }),
  'POST /api/dashboards': () => ({
    path: '/api/dashboards',
    body: { name: walkName(), widgets: [WALK_WIDGET] },
  }),
  'POST /api/dashboards/import': () => ({
    path: '/api/dashboards/import',
    body: {
      format: 'lacrimosa.dashboard',
      formatVersion: 1,
      dashboard: { name: walkName(), widgets: [WALK_WIDGET] },
    },
  }),
  'POST /api/dashboards/preview': () => ({
    path: '/api/dashboards/preview',
    body: { widget: WALK_WIDGET, since: '1h' },
  }),
  'GET /api/dashboards/:id': async ({ hub }) => ({ path: `/api/dashboards/${(await newDashboard(hub)).id}` }),
  'PUT /api/dashboards/:id': async ({ hub }) => {
    const { id, version } = await newDashboard(hub);
    return { path: `/api/dashboards/${id}`, body: { name: walkName(), version, widgets: [WALK_WIDGET] } };
  },
  'DELETE /api/dashboards/:id': async ({ hub }) => ({
    path: `/api/dashboards/${(await newDashboard(hub)).id}`,
  }),
  'GET /api/dashboards/:id/export': async ({ hub }) => ({
    path: `/api/dashboards/${(await newDashboard(hub)).id}/export`,
  }),
  'POST /api/dashboards/:id/widgets/:widgetId/data': async ({ hub }) => ({
    path: `/api/dashboards/${(await newDashboard(hub)).id}/widgets/walk/data`,
    body: { since: '1h' },
  }),
  'GET /api/alerts': () => ({ path: '/api/alerts' }),
  'GET /api/alerts/rules': () => ({ path: '/api/alerts/rules' }),
  'POST /api/alerts/rules': () => ({
    path: '/api/alerts/rules',
    body: { name: walkName(), query: 'n >= 3', threshold: { op: '>', value: 100 }, window: '1m' },
  }),
  'POST /api/alerts/rules/v2': () => ({
    path: '/api/alerts/rules/v2',
    body: { name: walkName(), conditions: ['n >= 3'], group_by: 'n', threshold: { op: '>', value: 100 } },
  }),
  'PUT /api/alerts/rules/:id': async ({ hub }) => ({
    path: `/api/alerts/rules/${await newAlertRule(hub)}`,
    body: { name: walkName(), query: 'n >= 5', threshold: { op: '>', value: 100 } },
  }),
  'DELETE /api/alerts/rules/:id': async ({ hub }) => ({
    path: `/api/alerts/rules/${await newAlertRule(hub)}`,
  }),
  'POST /api/alerts/rules/preview': () => ({
    path: '/api/alerts/rules/preview',
    body: { form: 'v1', rule: { query: 'n >= 3', window: '1m' }, lookback: '5m' },
  }),
  'GET /api/alerts/incidents': () => ({ path: '/api/alerts/incidents?state=open&limit=5' }),
  'GET /api/alerts/incidents/:id': async ({ hub }) => ({
    path: `/api/alerts/incidents/${await newIncident(hub)}`,
  }),
  'POST /api/alerts/incidents/test': () => ({ path: '/api/alerts/incidents/test', body: { title: 'walk' } }),
  'POST /api/alerts/incidents/:id/acknowledge': async ({ hub }) => ({
    path: `/api/alerts/incidents/${await newIncident(hub)}/acknowledge`,
  }),
  'POST /api/alerts/incidents/:id/resolve': async ({ hub }) => ({
    path: `/api/alerts/incidents/${await newIncident(hub)}/resolve`,
    body: { comment: 'walked' },
  }),
  'POST /api/alerts/incidents/:id/notes': async ({ hub }) => ({
    path: `/api/alerts/incidents/${await newIncident(hub)}/notes`,
    body: { text: 'a note' },
  }),
  'GET /api/alerts/channels': () => ({ path: '/api/alerts/channels' }),
  'POST /api/alerts/channels': () => ({
    path: '/api/alerts/channels',
    // Disabled: the walk must not send notifications anywhere.
    body: { name: walkName(), kind: 'webhook', url: 'http://127.0.0.1:9/walk', enabled: false },
  }),
  'DELETE /api/alerts/channels/:id': async ({ hub }) => ({
    path: `/api/alerts/channels/${await created(hub, '/api/alerts/channels', { name: walkName(), kind: 'slack', url: 'http://127.0.0.1:9/walk', enabled: false })}`,
  }),
  'GET /api/alerts/silences': () => ({ path: '/api/alerts/silences' }),
  'POST /api/alerts/silences': () => ({
    path: '/api/alerts/silences',
    body: { matchers: [{ name: 'team', value: 'walk' }], duration: '1h', comment: 'walk' },
  }),
  'DELETE /api/alerts/silences/:id': async ({ hub }) => ({
    path: `/api/alerts/silences/${await created(hub, '/api/alerts/silences', { matchers: [{ name: 'team', value: 'walk' }], duration: '1h' })}`,
  }),
  'POST /api/playback': () => ({
    path: '/api/playback',
    body: { action: 'play', from: 0, to: 5, speed: 10 },
  }),
};

let walkNames = 0;
const walkName = (): string => `walk-${++walkNames}`;

/** POSTs `body` with the admin key and returns the created object's id. */
async function created(hub: TestHub, path: string, body: unknown): Promise<string> {
  const response = await hub.api(path, { body });
  const answer = (await response.json()) as { id?: string | number };
  if (response.status !== 201 || answer.id === undefined)
    throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(answer)}`);
  return String(answer.id);
}

const newAlertRule = (hub: TestHub): Promise<string> =>
  created(hub, '/api/alerts/rules', { name: walkName(), query: 'n = 1', threshold: { op: '>', value: 100 } });

/** An open test incident (channels in the walk are disabled, so nothing is sent). */
const newIncident = (hub: TestHub): Promise<string> =>
  created(hub, '/api/alerts/incidents/test', { title: walkName() });

/** The widget the dashboard examples save and read. */
const WALK_WIDGET = {
  id: 'walk',
  type: 'value',
  title: 'walk',
  query: 'SELECT COUNT(*) FROM * WHERE n >= 3',
  layout: { x: 0, y: 0, w: 3, h: 2 },
};

/** Creates a dashboard with the root key and returns its id and version. */
async function newDashboard(hub: TestHub): Promise<{ id: string; version: number }> {
  const response = await hub.api('/api/dashboards', { body: { name: walkName(), widgets: [WALK_WIDGET] } });
  const created = (await response.json()) as { id?: string; version?: number };
  if (response.status !== 201 || created.id === undefined || created.version === undefined)
    throw new Error(`creating a dashboard answered ${response.status}: ${JSON.stringify(created)}`);
  return { id: created.id, version: created.version };
}

/** Creates a webhook connector with the admin key and returns its id. */
async function newConnector(hub: TestHub): Promise<string> {
  const response = await hub.api('/api/connectors', { body: { kind: 'webhook', name: walkName() } });
  const created = (await response.json()) as { id?: string };
  if (response.status !== 201 || created.id === undefined)
    throw new Error(`creating a connector answered ${response.status}: ${JSON.stringify(created)}`);
  return created.id;
}

/** A valid source → filter → stream pipeline (runs reuse shared ones: at most 8 run at once). */
const walkPipeline = () => ({
  name: walkName(),
  nodes: [
    { id: 'src', kind: 'source', config: { stream: 'walk' } },
    { id: 'keep', kind: 'filter', config: { condition: 'n >= 3' } },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'walk-pipeline' } },
  ],
  edges: [
    { from: 'src', to: 'keep' },
    { from: 'keep', to: 'out' },
  ],
});

/** Creates a pipeline with the root key and returns its id. */
async function newPipeline(hub: TestHub): Promise<string> {
  const response = await hub.api('/api/pipelines', { body: walkPipeline() });
  const created = (await response.json()) as { id?: string };
  if (response.status !== 201 || created.id === undefined)
    throw new Error(`creating a pipeline answered ${response.status}: ${JSON.stringify(created)}`);
  return created.id;
}

const sharedPipelines = new Map<string, Promise<string>>();
/** One pipeline per purpose for the whole walk, so repeated run calls do not pile up running pipelines. */
function sharedPipeline(hub: TestHub, purpose: string): Promise<string> {
  let id = sharedPipelines.get(purpose);
  if (id === undefined) sharedPipelines.set(purpose, (id = newPipeline(hub)));
  return id;
}

/** Saves a query with the admin key and returns its id. */
async function newSavedQuery(hub: TestHub): Promise<number> {
  const response = await hub.api('/api/query/saved', {
    body: { name: walkName(), query: 'SELECT * FROM *' },
  });
  const created = (await response.json()) as { id?: number };
  if (response.status !== 201 || created.id === undefined)
    throw new Error(`saving a query answered ${response.status}: ${JSON.stringify(created)}`);
  return created.id;
}

/** Starts a small simulate or replay job with the admin key and returns its id. */
async function newJobId(hub: TestHub, kind: 'simulate' | 'replay'): Promise<string> {
  await jobsIdle(hub, kind);
  const body =
    kind === 'simulate'
      ? { streams: ['walk'], rate: 1000, count: 1 }
      : { from: 0, to: 2, target: { kind: 'stream', stream: 'walk-replay' }, rate: 1000 };
  const response = await hub.api(`/api/${kind}`, { body });
  const job = (await response.json()) as { id?: string };
  if (response.status !== 202 || job.id === undefined)
    throw new Error(`starting a ${kind} job answered ${response.status}: ${JSON.stringify(job)}`);
  return job.id;
}

/**
 * Waits until no simulate or replay job is running: the hub runs at most a few at once (429 TOO_MANY_JOBS
 * beyond), and on a loaded machine the small jobs the walk starts may not have finished by the next example.
 */
async function jobsIdle(hub: TestHub, kind: 'simulate' | 'replay'): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { jobs } = (await (await hub.api(`/api/${kind}`)).json()) as { jobs: { state: string }[] };
    if (!jobs.some((job) => job.state === 'running')) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const routeId = (r: AnyRoute): string => `${r.method} ${r.path}`;

let sequencer: TestSequencer;
let hub: TestHub;
const keys: Record<'read' | 'write' | 'admin' | 'revoked', string> = {
  read: '',
  write: '',
  admin: '',
  revoked: '',
};

beforeAll(async () => {
  sequencer = await startSequencer({ backend: 'uring' });
  await sendUdp(
    sequencer.port(),
    Array.from({ length: 20 }, (_, i) => `{"n":${i}}`),
  );
  hub = await startHub({
    journalPath: sequencer.journal,
    ipcPath: sequencer.ipcPath,
    authFailureLimit: 1_000_000,
  });
  for (const scope of ['read', 'write', 'admin'] as const) {
    keys[scope] = (
      (await (await hub.api('/api/auth/keys', { body: { name: scope, scopes: [scope] } })).json()) as {
        key: string;
      }
    ).key;
  }
  const revoked = (await (
    await hub.api('/api/auth/keys', { body: { name: 'revoked', scopes: ['admin'] } })
  ).json()) as { key: string; id: string };
  await hub.api(`/api/auth/keys/${revoked.id}`, { method: 'DELETE' });
  keys.revoked = revoked.key;
});

afterAll(async () => {
  await closeHubs();
  await killAll();
});

/** Waits until no verification run is in progress, so POST /api/verify examples do not collide. */
async function verifyIdle(): Promise<void> {
  for (let i = 0; i < 400; i++) {
    const { running } = (await (await hub.api('/api/verify')).json()) as { running: boolean };
    if (!running) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('route table walk', () => {
  it('has an example for every registered route, and none for routes that do not exist', () => {
    const registered = hub.hub.routes.map(routeId).sort();
    expect(
      registered.filter((id) => !(id in EXAMPLES)),
      'routes without an example in EXAMPLES',
    ).toEqual([]);
    expect(
      Object.keys(EXAMPLES).filter((id) => !registered.includes(id)),
      'examples for unknown routes',
    ).toEqual([]);
  });

  it('is documented: docs/api.md has a section for every route and none for a route that does not exist', () => {
    const docs = readFileSync(new URL('../docs/api.md', import.meta.url), 'utf8');
    const documented = [...docs.matchAll(/^### (GET|POST|PUT|PATCH|DELETE) (\S+)$/gm)].map(
      (m) => `${m[1]} ${m[2]}`,
    );
    const registered = hub.hub.routes.map(routeId);
    expect(
      registered.filter((id) => !documented.includes(id)),
      'routes missing from docs/api.md',
    ).toEqual([]);
    expect(
      documented.filter((id) => !registered.includes(id)),
      'docs/api.md sections for unknown routes',
    ).toEqual([]);
  });

  it('answers each route with 401, 403 or 2xx exactly as its scope requires', async () => {
    const rank = { public: 0, read: 1, write: 2, admin: 3 } as const;
    const problems: string[] = [];
    for (const route of hub.hub.routes) {
      const scope = effectiveScope(route);
      const credentials: [string, string | null, number | 'ok'][] = [
        ['no key', null, scope === 'public' ? 'ok' : 401],
        ['malformed key', 'cz_short', scope === 'public' ? 'ok' : 401],
        ['unknown key', `cz_${'Z'.repeat(43)}`, scope === 'public' ? 'ok' : 401],
        ['revoked key', keys.revoked, scope === 'public' ? 'ok' : 401],
        ...(['read', 'write', 'admin'] as const).map((s): [string, string, number | 'ok'] => [
          `${s} key`,
          keys[s],
          rank[s] >= rank[scope] ? 'ok' : 403,
        ]),
      ];
      for (const [label, key, expected] of credentials) {
        if (route.path === '/api/verify' && route.method === 'POST') await verifyIdle();
        if (route.method === 'POST' && (route.path === '/api/simulate' || route.path === '/api/replay'))
          await jobsIdle(hub, route.path === '/api/simulate' ? 'simulate' : 'replay');
        const example = await EXAMPLES[routeId(route)]!({ hub, sequencer });
        const response = await hub.api(example.path, {
          method: route.method,
          key,
          ...(example.body === undefined ? {} : { body: example.body }),
        });
        const ok =
          expected === 'ok' ? response.status >= 200 && response.status < 300 : response.status === expected;
        if (!ok)
          problems.push(
            `${routeId(route)} with ${label}: expected ${expected}, got ${response.status} ${await response.text()}`,
          );
        else await response.arrayBuffer();
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);
});

describe('arbitrary request bodies', () => {
  it('never produce a 5xx, and every error uses the error shape', async () => {
    const mutating = hub.hub.routes.filter((r) => r.method !== 'GET');
    const problems: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...mutating),
        fc.oneof(fc.jsonValue(), fc.string(), fc.constant(undefined)),
        fc.string({ maxLength: 20 }),
        async (route, body, segment) => {
          const path = route.path.replace(/:[a-zA-Z]+/g, encodeURIComponent(segment) || 'x');
          const response = await hub.api(path, {
            method: route.method,
            ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          });
          const text = await response.text();
          if (response.status >= 500)
            problems.push(`${route.method} ${path} ${JSON.stringify(body)} → ${response.status} ${text}`);
          if (response.status >= 400 && path.startsWith('/v1/')) {
            // OTLP/HTTP: a google.rpc.Status, the hub's code as its ErrorInfo reason.
            const parsed = JSON.parse(text) as {
              code?: unknown;
              message?: unknown;
              details?: { reason?: unknown }[];
            };
            if (
              typeof parsed.code !== 'number' ||
              typeof parsed.message !== 'string' ||
              typeof parsed.details?.[0]?.reason !== 'string'
            ) {
              problems.push(
                `${route.method} ${path} → ${response.status} without the OTLP Status shape: ${text}`,
              );
            }
          } else if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
            if (typeof parsed.error?.code !== 'string' || typeof parsed.error.message !== 'string') {
              problems.push(`${route.method} ${path} → ${response.status} without the error shape: ${text}`);
            }
          }
          return problems.length === 0;
        },
      ),
      { numRuns: 300 },
    );
    expect(problems).toEqual([]);
  }, 120_000);
});
