import { describe, expect, it } from 'vitest';
import { createConnectorBodySchema } from '../../../../src/hub/connectors/schema.ts';
import { bodyOf, EMPTY } from './NewConnector.tsx';

describe('bodyOf', () => {
  it('builds bodies the hub accepts, leaving optional fields out when empty', () => {
    const webhook = bodyOf('webhook', { ...EMPTY, name: ' shop ' });
    expect(webhook).toEqual({ kind: 'webhook', name: 'shop' });
    const poll = bodyOf('http-poll', {
      ...EMPTY,
      name: 'feed',
      stream: 'feeds',
      url: 'http://127.0.0.1:8080/x',
      intervalMs: '250',
      path: 'data.items',
      dedupeKey: 'id',
      headers: 'Authorization: Bearer t:1\n\nX-A:b',
    });
    expect(poll).toEqual({
      kind: 'http-poll',
      name: 'feed',
      stream: 'feeds',
      config: {
        url: 'http://127.0.0.1:8080/x',
        intervalMs: 250,
        path: 'data.items',
        dedupeKey: 'id',
        headers: { Authorization: 'Bearer t:1', 'X-A': 'b' },
      },
    });
    const nats = bodyOf('nats', {
      ...EMPTY,
      name: 'bus',
      servers: 'nats://a:4222, nats://b:4222',
      subject: 'orders.>',
      jsStream: 'ORDERS',
      durable: 'hub',
    });
    expect(nats).toMatchObject({
      config: {
        servers: ['nats://a:4222', 'nats://b:4222'],
        jetstream: { stream: 'ORDERS', durable: 'hub' },
      },
    });
    for (const body of [webhook, poll, nats])
      expect(createConnectorBodySchema.safeParse(body).success).toBe(true);
  });

  it('lets the schema name a bad field', () => {
    const result = createConnectorBodySchema.safeParse(
      bodyOf('http-poll', { ...EMPTY, name: 'p', url: 'nope' }),
    );
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['config', 'url']);
  });
});
