/**
 * `/api/verify` against a real hub and a real journal: runs in a worker, reports per-property results and the
 * journal checks, refuses a second concurrent run, and keeps its history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { coreSuites } from '../proofs/index.ts';
import {
  VERIFY_SUITES,
  verifyRunListSchema,
  verifyRunSchema,
  type VerifyRunView,
  verifyRunSummarySchema,
} from '../src/hub/verify/schema.ts';
import { closeHubs, startHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { sendUdp, startSequencer } from './helpers/sequencer.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

describe('/api/verify', () => {
  it('runs the suites and the journal checks in a worker and keeps the run', async () => {
    const s = await startSequencer({ backend: 'uring' });
    await sendUdp(
      s.port(),
      Array.from({ length: 50 }, (_, i) => `event ${i}`),
    );
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    const started = await hub.api('/api/verify', { body: { runs: 50, seed: 7 } });
    expect(started.status).toBe(202);
    const run = verifyRunSummarySchema.parse(await started.json());
    expect(run).toMatchObject({ state: 'running' });
    const second = await hub.api('/api/verify', { body: { runs: 50 } });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'VERIFY_RUNNING' } });
    let detail: VerifyRunView | undefined;
    await until(
      async () => {
        detail = verifyRunSchema.parse(await (await hub.api(`/api/verify/${run.id}`)).json());
        return detail.state !== 'running';
      },
      'the run to finish',
      60_000,
    );
    const done = detail!;
    expect(done, JSON.stringify(done).slice(0, 600)).toMatchObject({ state: 'passed' });
    expect(done.progress.done).toBe(done.progress.total);
    expect(done.results.length).toBeGreaterThanOrEqual(30);
    expect(done.results.every((r) => r.passed && r.seed === 7)).toBe(true);
    expect(done.journalChecks!.map((c) => c.passed)).not.toContain(false);
    expect(done.journalChecks!.find((c) => c.name.includes('CRC32C'))!.examined).toBe(50);
    const list = verifyRunListSchema.parse(await (await hub.api('/api/verify')).json());
    expect(list.runs[0]!.id).toBe(run.id);
    expect(list.running).toBe(false);
  });

  it('offers exactly the suites of proofs/ (the list the UI shows comes from the shared schema)', () => {
    expect(coreSuites().map((suite) => suite.name)).toEqual([...VERIFY_SUITES]);
  });

  it('validates its options, naming the field', async () => {
    const s = await startSequencer({ backend: 'recvmmsg' });
    const hub = await startHub({ journalPath: s.journal, ipcPath: s.ipcPath });
    const bad = await hub.api('/api/verify', { body: { suites: ['nope'], runs: 0 } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.suites\.0: must be one of order, sort/,
    );
    expect((await hub.api('/api/verify/vr_000000000000')).status).toBe(404);
  });
});
