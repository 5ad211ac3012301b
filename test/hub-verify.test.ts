/**
 * `/api/verify` against a real hub and a real journal: runs in a worker, reports per-property results and the
 * journal checks, refuses a second concurrent run, and keeps its history.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeHubs, startHub } from './helpers/hub.ts';
import { killAll, until } from './helpers/processes.ts';
import { sendUdp, startSequencer } from './helpers/sequencer.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

interface RunView {
  id: string;
  state: string;
  progress: { done: number; total: number };
  failed: number;
  results?: { suite: string; property: string; passed: boolean; runs: number; seed: number }[];
  journalChecks?: { name: string; passed: boolean; examined: number }[] | null;
}

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
    const run = (await started.json()) as RunView;
    expect(run).toMatchObject({ state: 'running' });
    const second = await hub.api('/api/verify', { body: { runs: 50 } });
    expect(second.status).toBe(409);
    expect(await second.json()).toMatchObject({ error: { code: 'VERIFY_RUNNING' } });
    let detail: RunView = run;
    await until(
      async () => {
        detail = (await (await hub.api(`/api/verify/${run.id}`)).json()) as RunView;
        return detail.state !== 'running';
      },
      'the run to finish',
      60_000,
    );
    expect(detail, JSON.stringify(detail).slice(0, 600)).toMatchObject({ state: 'passed' });
    expect(detail.progress.done).toBe(detail.progress.total);
    expect(detail.results!.length).toBeGreaterThanOrEqual(30);
    expect(detail.results!.every((r) => r.passed && r.seed === 7)).toBe(true);
    expect(detail.journalChecks!.map((c) => c.passed)).not.toContain(false);
    expect(detail.journalChecks!.find((c) => c.name.includes('CRC32C'))!.examined).toBe(50);
    const list = (await (await hub.api('/api/verify')).json()) as { runs: RunView[]; running: boolean };
    expect(list.runs[0]!.id).toBe(run.id);
    expect(list.running).toBe(false);
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
