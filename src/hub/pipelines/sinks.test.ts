import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SequencerLink } from '../sequencer-link.ts';
import { PipelineEngine } from './engine.ts';
import { PipeRecord } from './record.ts';
import { pipelineGraphSchema, type SinkConfig, sinkConfigSchema } from './schema.ts';
import { incidentOf, SinkDelivery, sinkPayload } from './sinks.ts';
import { validatePipeline } from './validate.ts';

const record = new PipeRecord(7, 1_700_000_000_500, null, 0, 0, {
  fields: { user: 'ann', n: 3, nested: { v: 1.5 } },
});

let server: Server | null = null;
afterEach(() => {
  server?.close();
  server = null;
});

describe('sinks', () => {
  it('shapes alert and dashboard events, and keeps a stream sink’s fields as they are', () => {
    const parse = (c: unknown) => sinkConfigSchema.parse(c);
    expect(sinkPayload(parse({ kind: 'stream', stream: 's' }), record, 'pl_1')).toEqual(record.fields);
    expect(sinkPayload(parse({ kind: 'alert', stream: 's', name: 'busy user' }), record, 'pl_1')).toEqual({
      alert: 'busy user',
      severity: 'warning',
      pipeline: 'pl_1',
      time: 1_700_000_000_500,
      user: 'ann',
      n: 3,
      nested: { v: 1.5 },
    });
    expect(
      sinkPayload(
        parse({ kind: 'dashboard', stream: 's', series: 'load', valueField: 'nested.v' }),
        record,
        'pl_1',
      ),
    ).toEqual({ series: 'load', time: 1_700_000_000_500, value: 1.5 });
  });

  it('names a dashboard series after record fields, leaving unknown names as written', () => {
    const config = sinkConfigSchema.parse({
      kind: 'dashboard',
      stream: 's',
      series: 'spend {{user}} {{missing}} {{pipeline}}',
      valueField: 'n',
    });
    expect(sinkPayload(config, record, 'pl_1')).toEqual({
      series: 'spend ann {{missing}} pl_1',
      time: 1_700_000_000_500,
      value: 3,
    });
  });

  it('turns a record into the incident it opens: templates, labels, group key and evidence', () => {
    const config = sinkConfigSchema.parse({
      kind: 'incident',
      title: '{{user}} spent {{n}} ({{node}})',
      description: 'from {{pipeline}}: {{nested}}',
      severity: 'critical',
      labels: ['user', 'nested.v', 'absent'],
      valueField: 'n',
    });
    if (config.kind !== 'incident') throw new Error('not an incident sink');
    const windowed = new PipeRecord(40, 5, null, 0, 0, { fields: record.fields }, 31);
    const sink = { pipelineId: 'pl_0123456789ab', pipelineName: 'spend', nodeId: 'page' };
    expect(incidentOf(config, windowed, sink)).toEqual({
      source: 'pipeline:pl_0123456789ab/page',
      sourceName: 'pipeline "spend" → page',
      group: 'user=ann,nested.v=1.5,absent=null',
      severity: 'critical',
      title: 'ann spent 3 (page)',
      description: 'from spend: {"v":1.5}',
      labels: { user: 'ann', 'nested.v': '1.5' },
      evidence: { firstSeq: 31, lastSeq: 40, samples: [40, 31], value: 3 },
    });
    const byUser = { ...config, groupBy: ['user'] };
    expect(incidentOf(byUser, record, sink).group).toBe('user=ann');
    expect(incidentOf(byUser, record, sink).evidence).toEqual({
      firstSeq: 7,
      lastSeq: 7,
      samples: [7],
      value: 3,
    });
  });

  it('counts an incident sink’s records as errors when the hub runs without alerts', async () => {
    const config = sinkConfigSchema.parse({ kind: 'incident', title: 'x' });
    const compiled = validatePipeline(
      pipelineGraphSchema.parse({
        nodes: [
          { id: 'src', kind: 'source', config: { stream: 'a' } },
          { id: 'page', kind: 'sink', config },
        ],
        edges: [{ from: 'src', to: 'page' }],
      }),
    );
    if (!compiled.ok) throw new Error('invalid');
    const engine = new PipelineEngine(compiled.compiled);
    const link = new SequencerLink('/nonexistent/cz.sock');
    const opened: unknown[] = [];
    const without = new SinkDelivery(link, 'pl_1');
    const withAlerts = new SinkDelivery(link, 'pl_1', {
      incidents: () => ({ open: (i) => (opened.push(i), { id: opened.length, created: true }) }),
    });
    try {
      await without.deliver(engine, new Map([['page', [record]]]), new Map([['page', config]]));
      await withAlerts.deliver(engine, new Map([['page', [record, record]]]), new Map([['page', config]]));
    } finally {
      without.close();
      withAlerts.close();
      link.close();
    }
    expect(engine.counters().page).toMatchObject({ errors: 1, lag: 0 });
    expect(engine.counters().page!.lastError).toMatch(/without the alerts feature/);
    expect(opened).toHaveLength(2);
  });

  it('counts a webhook batch as the sink’s errors once every attempt failed, without throwing', async () => {
    let calls = 0;
    server = createServer((req, res) => {
      calls++;
      req.resume();
      req.on('end', () => res.writeHead(503).end());
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const config = sinkConfigSchema.parse({
      kind: 'webhook',
      url,
      retries: 1,
      timeoutMs: 1000,
    }) as SinkConfig;
    const compiled = validatePipeline(
      pipelineGraphSchema.parse({
        nodes: [
          { id: 'src', kind: 'source', config: { stream: 'a' } },
          { id: 'hook', kind: 'sink', config },
        ],
        edges: [{ from: 'src', to: 'hook' }],
      }),
    );
    if (!compiled.ok) throw new Error('invalid');
    const engine = new PipelineEngine(compiled.compiled);
    const link = new SequencerLink('/nonexistent/cz.sock');
    const delivery = new SinkDelivery(link, 'pl_1');
    try {
      await delivery.deliver(engine, new Map([['hook', [record, record]]]), new Map([['hook', config]]));
    } finally {
      delivery.close();
      link.close();
    }
    expect(calls).toBe(2);
    expect(engine.counters().hook).toMatchObject({
      errors: 2,
      lastError: `POST ${url} failed after 2 attempts (HTTP 503); 2 records were not delivered`,
    });
  });
});
