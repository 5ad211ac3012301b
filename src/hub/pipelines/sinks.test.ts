import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SequencerLink } from '../sequencer-link.ts';
import { PipelineEngine } from './engine.ts';
import { PipeRecord } from './record.ts';
import { pipelineGraphSchema, type SinkConfig, sinkConfigSchema } from './schema.ts';
import { SinkDelivery, sinkPayload } from './sinks.ts';
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
