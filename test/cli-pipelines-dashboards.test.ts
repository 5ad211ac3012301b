/**
 * `cz pipelines` and `cz dashboards` in-process against a real `cz start` sequencer (UDP on 127.0.0.1) and a
 * real hub with its SQLite file: a pipeline created from a file runs on live datagrams and `show` prints its
 * counters; a dry run prints per-node outputs; an invalid graph prints its node issues and exits 1; a
 * dashboard goes through export → delete → import files unchanged, and `data` prints a widget's numbers; an
 * answer of another shape (a hub of another version) is refused, naming the field.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dashboardExportSchema, dashboardSchema } from '../src/hub/dashboards/schema.ts';
import { dryRunResultSchema, pipelineViewSchema } from '../src/hub/pipelines/schema.ts';
import { main } from '../src/cli/main.ts';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir, until } from './helpers/processes.ts';
import { sendUdp, startSequencer, type TestSequencer } from './helpers/sequencer.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

async function setup(): Promise<{ s: TestSequencer; hub: TestHub; cz: Cz }> {
  const s = await startSequencer({ backend: 'auto', listens: ['0=orders'] });
  const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
  await until(() => hub.hub.services.sequencer.state === 'connected', 'the hub to connect to the sequencer');
  const cz: Cz = async (...args) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main([...args, '--hub', hub.url, '--key', hub.rootKey], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  return { s, hub, cz };
}

type Cz = (...args: string[]) => Promise<{ code: number; out: string; err: string }>;

const bigOrders = {
  name: 'big orders',
  nodes: [
    { id: 'orders', kind: 'source', config: { stream: 'orders' } },
    { id: 'big', kind: 'filter', config: { condition: 'amount > 10' } },
    { id: 'tag', kind: 'transform', config: { ops: [{ op: 'set', field: 'from', expr: '$seq' }] } },
    { id: 'out', kind: 'sink', config: { kind: 'stream', stream: 'big-orders' } },
  ],
  edges: [
    { from: 'orders', to: 'big' },
    { from: 'big', to: 'tag' },
    { from: 'tag', to: 'out' },
  ],
};

const order = (user: string, amount: number): string => JSON.stringify({ user, amount });

describe('cz pipelines', () => {
  it('creates from a file, runs on UDP, shows counters, stops, dry-runs, and reports issues', async () => {
    const { s, hub, cz } = await setup();
    const dir = tempDir('cz-cli-pipelines-');
    const graphFile = join(dir, 'big-orders.json');
    writeFileSync(graphFile, JSON.stringify(bigOrders));

    const created = await cz('pipelines', 'create', '--file', graphFile);
    expect(created).toMatchObject({ code: 0, err: '' });
    const id = /^created (pl_[0-9a-f]{12}) "big orders" \(4 nodes\)$/.exec(created.out)![1]!;
    expect((await cz('pipelines', 'list')).out).toMatch(
      new RegExp(`^${id}\\s+big orders\\s+stopped\\s+4\\s+yes\\s+-\\s+0\\s+0$`, 'm'),
    );

    const ran = await cz('pipelines', 'run', 'big orders');
    expect(ran).toMatchObject({ code: 0 });
    expect(ran.out).toMatch(new RegExp(`^${id} "big orders" is running at position \\d+$`));
    await sendUdp(s.port('orders'), [order('ann', 5), order('bob', 20), order('cy', 30)]);
    await until(async () => {
      const view = pipelineViewSchema.parse(JSON.parse((await cz('pipelines', 'show', id, '--json')).out));
      return view.status.nodes.out?.in === 2;
    }, 'the sink to receive the two big orders');

    const shown = await cz('pipelines', 'show', 'big orders');
    expect(shown).toMatchObject({ code: 0, err: '' });
    expect(shown.out).toContain(`pipeline ${id} "big orders"`);
    expect(shown.out).toMatch(/state\s+running since \S+Z · position \d+ · lag \d+ · lost 0/);
    expect(shown.out).toMatch(/^orders\s+source\s+3\s+3\s+0\s+0\s+-$/m);
    expect(shown.out).toMatch(/^big\s+filter\s+3\s+2\s+0\s+0\s+-$/m);
    expect(shown.out).toMatch(/^out\s+sink\s+2\s+\d+\s+0\s+0\s+-$/m);
    expect(shown.out).toContain('edges: orders → big, big → tag, tag → out');

    const stopped = await cz('pipelines', 'stop', id);
    expect(stopped.out).toMatch(new RegExp(`^${id} "big orders" is stopped at position \\d+$`));
    expect((await cz('pipelines', 'list')).out).toMatch(new RegExp(`^${id}\\s+big orders\\s+stopped`, 'm'));

    // The dry run replays the whole retained journal: the three orders (and the two copies the run journaled
    // into big-orders, which the source does not read).
    const dry = await cz('pipelines', 'dry-run', 'big orders', '--from', '0', '--sample', '2');
    expect(dry).toMatchObject({ code: 0, err: '' });
    expect(dry.out).toMatch(/^dry run of pl_[0-9a-f]{12} "big orders" over sequences 0–\d+: scanned \d+/);
    expect(dry.out).toMatch(/^big\s+filter\s+3\s+2\s+0\s+0\s+-$/m);
    expect(dry.out).toMatch(/^tag \(transform\): 2 of 2 records$/m);
    expect(dry.out).toMatch(/^ {2}seq \d+ {2}\S+Z {2}\{"user":"bob","amount":20,"from":\d+\}$/m);
    const dryJson = dryRunResultSchema.parse(
      JSON.parse((await cz('pipelines', 'dry-run', id, '--since', '1h', '--json')).out),
    );
    expect(dryJson.nodes.tag!.sample.map((r) => (r.fields as { user: string }).user)).toEqual(['bob', 'cy']);
    const both = await cz('pipelines', 'dry-run', id, '--from', '0', '--since', '1h');
    expect(both.code).toBe(1);
    expect(both.err).toContain('not both');

    // An invalid graph is kept as a draft; its issues are printed per node and every command on it exits 1.
    const draftFile = join(dir, 'draft.json');
    writeFileSync(
      draftFile,
      JSON.stringify({
        name: 'draft',
        nodes: [
          { id: 'a', kind: 'source', config: { stream: 'orders' } },
          { id: 'b', kind: 'filter', config: { condition: 'amount >>' } },
        ],
        edges: [{ from: 'a', to: 'b' }],
      }),
    );
    const draft = await cz('pipelines', 'create', '--file', draftFile);
    expect(draft.code).toBe(1);
    expect(draft.out).toMatch(/^created pl_[0-9a-f]{12} "draft" \(2 nodes, a draft with issues/);
    expect(draft.err.split('\n')).toEqual([
      expect.stringMatching(/^node b \(nodes\[1\]\.config\.condition\): line 1, column 9: /),
      'graph (nodes): a pipeline needs a sink',
    ]);
    const draftShown = await cz('pipelines', 'show', 'draft');
    expect(draftShown.code).toBe(1);
    expect(draftShown.out).toContain('valid     no (2 issues)');
    expect(draftShown.err).toMatch(/^node b \(nodes\[1\]\.config\.condition\): /);
    const refused = await cz('pipelines', 'run', 'draft');
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(
      /^node b \(nodes\[1\]\.config\.condition\): [^\n]+\ngraph \(nodes\): a pipeline/,
    );
    expect(refused.err).toContain('cz: pl_');
    expect(refused.err).toContain('"draft" has issues (above) and cannot run');
    expect((await cz('pipelines', 'dry-run', 'draft')).code).toBe(1);

    // `show --json` output is taken back by update (its view-only fields are dropped); a fix makes it valid.
    const fixedFile = join(dir, 'fixed.json');
    writeFileSync(fixedFile, JSON.stringify({ ...bigOrders, name: 'draft' }));
    const fixed = await cz('pipelines', 'update', 'draft', '--file', fixedFile);
    expect(fixed).toMatchObject({ code: 0, err: '' });
    expect(fixed.out).toMatch(/^updated pl_[0-9a-f]{12} "draft" \(4 nodes; its progress starts over\)$/);
    writeFileSync(join(dir, 'shown.json'), (await cz('pipelines', 'show', 'draft', '--json')).out);
    expect(await cz('pipelines', 'update', 'draft', '--file', join(dir, 'shown.json'))).toMatchObject({
      code: 0,
    });

    const malformed = join(dir, 'malformed.json');
    writeFileSync(
      malformed,
      JSON.stringify({ name: 'x', nodes: [{ id: 'a', kind: 'teleport' }], edges: [] }),
    );
    const bad = await cz('pipelines', 'create', '--file', malformed);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/^cz: the hub answered 400 INVALID_REQUEST: body\.nodes\.0\.kind: /);
    expect((await cz('pipelines', 'create', '--file', join(dir, 'missing.json'))).err).toMatch(
      /^cz: cannot read .*missing\.json: ENOENT/,
    );
    expect((await cz('pipelines', 'show', 'nope')).err).toBe(
      'cz: no pipeline named "nope" (cz pipelines list shows them)',
    );

    expect((await cz('pipelines', 'delete', 'draft')).out).toMatch(/^deleted pl_\S+ "draft"/);
    expect((await cz('pipelines', 'delete', id)).out).toBe(
      `deleted ${id} "big orders" (the events it journaled stay)`,
    );
    expect((await cz('pipelines', 'list')).out).toMatch(/^no pipelines/);
    void hub;
  }, 60_000);
});

describe('cz dashboards', () => {
  it('lists, shows, exports to a file, deletes, imports it back, and prints a widget’s data', async () => {
    const { s, hub, cz } = await setup();
    const dir = tempDir('cz-cli-dashboards-');
    const created = await hub.api('/api/dashboards', {
      body: {
        name: 'Orders',
        description: 'what sells',
        timeRange: { since: '1h', until: null },
        refreshSec: 30,
        widgets: [
          {
            id: 'big',
            type: 'value',
            title: 'Big orders',
            query: 'SELECT COUNT(*) FROM orders WHERE amount > 10',
            layout: { x: 0, y: 0, w: 3, h: 2 },
          },
          {
            id: 'latest',
            type: 'table',
            title: 'Latest',
            query: 'SELECT user, amount FROM orders',
            layout: { x: 3, y: 0, w: 9, h: 4 },
          },
          { type: 'timeseries', title: 'Rate', metric: 'eventsPerSec', layout: { x: 0, y: 4, w: 12, h: 3 } },
        ],
      },
    });
    expect(created.status).toBe(201);
    const original = dashboardSchema.parse(await created.json());
    await sendUdp(s.port('orders'), [order('ann', 5), order('bob', 20), order('cy', 30)]);
    await until(
      async () => (await cz('dashboards', 'data', 'Orders', 'big')).out.startsWith('big: 2 events'),
      'the value widget to count the two big orders',
    );

    const list = await cz('dashboards', 'list');
    expect(list.out).toMatch(new RegExp(`^${original.id}\\s+Orders\\s+3\\s+1\\s+\\S+Z$`, 'm'));
    expect(list.out).toMatch(/Sequencer health/);
    const shown = await cz('dashboards', 'show', original.id);
    expect(shown.out).toContain(`dashboard ${original.id} "Orders" — what sells`);
    expect(shown.out).toContain('range     since 1h until now · refresh 30s · version 1');
    expect(shown.out).toMatch(
      /^big\s+value\s+Big orders\s+0,0 3×2\s+SELECT COUNT\(\*\) FROM orders WHERE amount > 10$/m,
    );
    expect(shown.out).toMatch(/^w1\s+timeseries\s+Rate\s+0,4 12×3\s+metric eventsPerSec$/m);

    const value = await cz('dashboards', 'data', 'Orders', 'big');
    expect(value.out).toMatch(
      /^big: 2 events\nvalue big over \S+Z – \S+Z · 2 matched · scanned \d+ in \d+ ms$/,
    );
    const table = await cz('dashboards', 'data', 'Orders', 'latest');
    expect(table.out).toMatch(/^user\s+amount$/m);
    expect(table.out).toMatch(/^bob\s+20$/m);
    expect(table.out).toMatch(/^cy\s+30$/m);
    expect((await cz('dashboards', 'data', 'Orders', 'w1')).out).toMatch(/^timeseries w1 over /m);
    const missingWidget = await cz('dashboards', 'data', 'Orders', 'nope');
    expect(missingWidget.code).toBe(1);
    expect(missingWidget.err).toMatch(/404 NOT_FOUND: .*widget nope/);

    // export → file → delete → import → export again: the same document.
    const file = join(dir, 'orders.dashboard.json');
    const exported = await cz('dashboards', 'export', 'Orders', '--out', file);
    expect(exported).toMatchObject({ code: 0, out: '', err: `exported "Orders" to ${file}` });
    const document = dashboardExportSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
    expect(document.dashboard.widgets.map((w) => w.id)).toEqual(['big', 'latest', 'w1']);
    expect((await cz('dashboards', 'delete', 'Orders')).out).toBe(`deleted ${original.id} "Orders"`);
    expect((await cz('dashboards', 'list')).out).not.toContain('Orders');
    const imported = await cz('dashboards', 'import', '--file', file);
    expect(imported).toMatchObject({ code: 0, err: '' });
    const newId = /^imported (\S+) "Orders" \(3 widgets\)$/.exec(imported.out)![1]!;
    expect(newId).not.toBe(original.id);
    const again = await cz('dashboards', 'export', newId);
    expect(JSON.parse(again.out)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
    expect((await cz('dashboards', 'data', newId, 'big')).out).toMatch(/^big: 2 events$/m);

    const notDocument = join(dir, 'plain.json');
    writeFileSync(notDocument, JSON.stringify({ name: 'plain' }));
    const refused = await cz('dashboards', 'import', '--file', notDocument);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/^cz: the hub answered 400 INVALID_REQUEST: body\.format: /);
    expect((await cz('dashboards', 'show', 'Nothing')).err).toBe(
      'cz: no dashboard named "Nothing" (cz dashboards list shows them)',
    );
    expect((await cz('dashboards', 'list', '--json')).out).toContain('"widgetCount": 3');
  }, 60_000);
});

describe('answers checked with the hub schemas', () => {
  it('a hub answering another shape is named, not printed as undefined', async () => {
    // A stand-in for a hub of another version: the list route answers pipelines without their status.
    const server = createServer((_, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ pipelines: [{ id: 'pl_000000000000', name: 'old' }] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const err: string[] = [];
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const code = await main(['pipelines', 'list', '--hub', url, '--key', 'cz_x'], {
        out: () => undefined,
        err: (t) => err.push(t),
      });
      expect(code).toBe(1);
      expect(err.join('\n')).toMatch(
        /^cz: the hub's answer to GET \/api\/pipelines is not what this cz expects \(pipelines\.0\.description: .*\); are the hub and cz the same version\?$/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
