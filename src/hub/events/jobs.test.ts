/**
 * Job plumbing: the pacer holds a rate without bursting after a stall, the registry caps running jobs, a full
 * submit queue is retried and counted (never lost), and simulated payloads have the asked-for shape.
 */
import { describe, expect, it } from 'vitest';
import type { IpcSubmitEventInput, IpcSubmitResult } from '../../ipc/protocol.ts';
import { HubError } from '../errors.ts';
import type { SequencerLink } from '../sequencer-link.ts';
import { batchSize, type Job, JobRegistry, Pacer, submitWithBackoff, type SubmitTally } from './jobs.ts';
import { checkTemplate, payloadMaker } from './simulate.ts';

describe('Pacer', () => {
  it('allows rate × elapsed events, in ~10 ms batches', () => {
    const pacer = new Pacer(1000, 0);
    expect(pacer.due(0, 0)).toBe(0);
    expect(pacer.due(10, 0)).toBe(10);
    expect(pacer.due(10, 10)).toBe(0);
    expect(pacer.wait(10, 20)).toBe(10);
    expect(pacer.due(55, 10)).toBe(45);
    expect(batchSize(100_000)).toBe(1000);
    expect(batchSize(10)).toBe(1);
  });

  it('catches up at most 100 ms worth after a stall', () => {
    const pacer = new Pacer(1000, 0);
    expect(pacer.due(5000, 0)).toBe(100);
    expect(pacer.due(5000, 100)).toBe(0);
    expect(pacer.due(5010, 100)).toBe(10);
  });
});

class FakeJob implements Job<string> {
  state: 'running' | 'completed' = 'running';
  constructor(readonly id: string) {}
  view() {
    return this.id;
  }
  async stop() {
    this.state = 'completed';
  }
}

describe('JobRegistry', () => {
  it('caps running jobs, lists newest first, keeps a bounded history', async () => {
    const registry = new JobRegistry<string, FakeJob>('test', { maxRunning: 2, keepFinished: 2 });
    registry.add(new FakeJob('one'));
    registry.add(new FakeJob('two'));
    expect(() => registry.checkCapacity()).toThrow(
      expect.objectContaining({ status: 429, code: 'TOO_MANY_JOBS' }),
    );
    expect(registry.list()).toEqual(['two', 'one']);
    await registry.get('one').stop();
    registry.checkCapacity();
    for (const id of ['three', 'four', 'five']) {
      registry.add(new FakeJob(id));
      await registry.get(id).stop();
    }
    expect(registry.list()).toEqual(['five', 'four', 'three', 'two']);
    expect(() => registry.get('one')).toThrow(expect.objectContaining({ status: 404 }));
    await registry.stopAll();
    expect(registry.list()).toHaveLength(4);
  });
});

describe('submitWithBackoff', () => {
  const tally = (): SubmitTally => ({
    submitted: 0,
    journaled: 0,
    dropped: 0,
    rejected: 0,
    backoffs: 0,
    firstSeq: null,
    lastSeq: null,
  });
  const events = (n: number): IpcSubmitEventInput[] =>
    Array.from({ length: n }, () => ({ streamId: 1, nodeId: 1, payload: new Uint8Array(1) }));

  it('retries a batch refused by a full queue, and counts each outcome', async () => {
    let calls = 0;
    const sequencer = {
      submit: async (batch: IpcSubmitEventInput[]): Promise<IpcSubmitResult> => {
        if (++calls <= 2) throw new HubError(503, 'SUBMIT_QUEUE_FULL', 'full');
        return {
          sequences: batch.map((_, i) => (i === 1 ? null : 100 + i)),
          statuses: batch.map((_, i) => (i === 1 ? 'dropped' : i === 2 ? 'too_large' : 'journaled')),
        };
      },
    } as unknown as SequencerLink;
    const t = tally();
    await expect(submitWithBackoff(sequencer, events(4), t, new AbortController().signal)).resolves.toBe(
      true,
    );
    expect(calls).toBe(3);
    expect(t).toEqual({
      submitted: 4,
      journaled: 2,
      dropped: 1,
      rejected: 1,
      backoffs: 2,
      firstSeq: 100,
      lastSeq: 103,
    });
  });

  it('gives up quietly when stopped while backing off, and throws other errors', async () => {
    const full = { submit: async () => Promise.reject(new HubError(503, 'SUBMIT_QUEUE_FULL', 'full')) };
    const abort = new AbortController();
    const t = tally();
    const pending = submitWithBackoff(full as unknown as SequencerLink, events(3), t, abort.signal);
    abort.abort();
    await expect(pending).resolves.toBe(false);
    expect(t.submitted).toBe(0);
    const down = { submit: async () => Promise.reject(new HubError(503, 'SEQUENCER_UNAVAILABLE', 'down')) };
    await expect(
      submitWithBackoff(down as unknown as SequencerLink, events(1), tally(), new AbortController().signal),
    ).rejects.toMatchObject({ code: 'SEQUENCER_UNAVAILABLE' });
  });
});

describe('simulated payloads', () => {
  const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');

  it('builds json, text and bytes of the asked-for size', () => {
    const json = payloadMaker({ kind: 'json' }, 'sim_000000000001');
    expect(JSON.parse(text(json({ i: 7, stream: 's', time: 99 })))).toEqual({
      sim: 'sim_000000000001',
      i: 7,
      stream: 's',
      t: 99,
    });
    const padded = payloadMaker(
      { kind: 'json', size: 200 },
      'sim_000000000001',
    )({ i: 1, stream: 's', time: 0 });
    expect(padded).toHaveLength(200);
    expect(JSON.parse(text(padded))).toMatchObject({ i: 1 });
    const templated = payloadMaker(
      { kind: 'text', template: '{{stream}}#{{i}}', size: 4 },
      'sim_0000000000ab',
    );
    expect(text(templated({ i: 12, stream: 'ab', time: 0 }))).toBe('ab#1');
    expect(text(templated({ i: 1, stream: 'a', time: 0 }))).toBe('a#1 ');
    const random = payloadMaker({ kind: 'bytes', size: 33 }, 'sim_0000000000ab');
    const [a, b] = [random({ i: 0, stream: 's', time: 0 }), random({ i: 1, stream: 's', time: 0 })];
    expect(a).toHaveLength(33);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
    expect(payloadMaker({ kind: 'bytes' }, 'sim_0000000000ab')({ i: 0, stream: 's', time: 0 })).toHaveLength(
      64,
    );
  });

  it('refuses a json template that does not render to JSON, naming the field', () => {
    expect(() =>
      checkTemplate({ kind: 'json', template: '{"s": {{stream}}}' }, ['orders'], 'sim_000000000001'),
    ).toThrow(
      expect.objectContaining({
        status: 400,
        message: expect.stringMatching(/^body\.payload\.template: does not render/),
      }),
    );
    checkTemplate(
      { kind: 'json', template: '{"s": "{{stream}}", "n": {{i}}}' },
      ['orders'],
      'sim_000000000001',
    );
  });
});
