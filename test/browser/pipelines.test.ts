/**
 * Pipelines in a real browser against a real sequencer and hub: a source → filter → aggregate → sink pipeline
 * is built by dragging node kinds from the palette onto the canvas and connecting handles with the mouse,
 * configured in the side panel (a missing condition comes back as an issue on its node), saved and run; UDP
 * events sent to the stack move the counters on the graph, the derived stream gets the windows, and the dry-run
 * panel shows the same pipeline's output over the recorded events. Stopped, its sink is turned into an incident
 * sink in the side panel and saved with the config the hub expects.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { JournalReader } from '../../src/journal/reader.ts';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['orders'] }));
}, SETUP_TIMEOUT_MS);

/** The JSON payloads journaled into a stream, read from the journal file. */
function derivedEvents(stream: string): Record<string, unknown>[] {
  const reader = JournalReader.open(stack.journalPath);
  try {
    const id = reader.streamId(stream);
    const { head, tail } = reader.publication();
    const out: Record<string, unknown>[] = [];
    reader.scan(tail, head, (e) => {
      if (e.streamId === id)
        out.push(JSON.parse(Buffer.from(reader.payloadView(e)).toString('utf8')) as Record<string, unknown>);
    });
    return out;
  } finally {
    reader.close();
  }
}

async function center(testId: string): Promise<{ x: number; y: number }> {
  const box = await browser.page.getByTestId(testId).boundingBox();
  if (!box) throw new Error(`${testId} is not visible`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Presses at `from`, moves in steps, releases at `to`: a real mouse drag. */
async function drag(from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  const { mouse } = browser.page;
  await mouse.move(from.x, from.y);
  await mouse.down();
  await mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await mouse.move(to.x, to.y, { steps: 10 });
  await mouse.up();
}

describe('pipelines', () => {
  it('builds a pipeline by drag and drop, runs it on live UDP events, and dry-runs it', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Pipelines' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pipelines' }).waitFor();
    const canvas = page.getByTestId('pipeline-canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = (await canvas.boundingBox())!;

    const place = async (kind: string, x: number, y: number) => {
      await drag(await center(`palette-${kind}`), { x: box.x + x, y: box.y + y });
      await page.getByTestId(`pipe-node-${kind}-1`).waitFor();
    };
    await place('source', 110, 60);
    await page.getByTestId('config-stream').fill('orders');
    await place('filter', 350, 60);
    await place('aggregate', 110, 300);
    await page.getByTestId('config-window-size').fill('1000');
    await page.getByTestId('config-group-by').fill('user');
    await place('sink', 350, 300);
    await page.getByTestId('config-stream').fill('big-per-user');

    await drag(await center('handle-source-1-out'), await center('handle-filter-1-in'));
    await drag(await center('handle-filter-1-out'), await center('handle-aggregate-1-in'));
    await drag(await center('handle-aggregate-1-out'), await center('handle-sink-1-in'));
    await page.locator('.react-flow__edge').nth(2).waitFor();
    expect(await page.locator('.react-flow__edge').count()).toBe(3);

    await page.getByTestId('pipeline-name').fill('big orders per user');
    await page.getByTestId('pipeline-save').click();
    // The filter has no condition yet: the hub's issue comes back onto the node.
    await page.getByTestId('issues-filter-1').filter({ hasText: 'nodes[1].config.condition' }).waitFor();
    await page.getByTestId('pipe-node-filter-1').click();
    await page.getByTestId('config-condition').fill('amount > 10');
    await page.getByTestId('pipeline-save').click();
    await page
      .getByTestId('pipeline-notice')
      .filter({ hasText: /^Saved$/ })
      .waitFor();
    await page.getByTestId('issues-filter-1').waitFor({ state: 'detached' });
    expect(new URL(page.url()).searchParams.get('id')).toMatch(/^pl_[0-9a-f]{12}$/);

    await page.getByTestId('pipeline-run').click();
    await page.getByTestId('pipeline-state').filter({ hasText: 'running' }).waitFor();
    await stack.sendUdp(
      [
        { user: 'ann', amount: 20 },
        { user: 'bob', amount: 5 },
        { user: 'ann', amount: 15 },
        { user: 'cy', amount: 30 },
      ].map((o) => JSON.stringify(o)),
      'orders',
    );
    await page.getByTestId('counters-source-1').filter({ hasText: 'in 4' }).waitFor();
    await page.getByTestId('counters-filter-1').filter({ hasText: 'out 3' }).waitFor();
    // The windows close about a second after their end on a quiet journal; then the derived stream gets them.
    const countsPerUser = () => {
      const totals: Record<string, number> = {};
      for (const w of derivedEvents('big-per-user'))
        totals[w.user as string] = (totals[w.user as string] ?? 0) + (w.n as number);
      return totals;
    };
    await expect.poll(countsPerUser, { timeout: 15_000 }).toEqual({ ann: 2, cy: 1 });
    await page
      .getByTestId('counters-sink-1')
      .filter({ hasText: /out [1-9]/ })
      .waitFor();
    // Every node shows its lag; once the run has caught up with the journal nothing is left behind.
    for (const node of ['source-1', 'filter-1', 'sink-1'])
      await page
        .getByTestId(`lag-${node}`)
        .filter({ hasText: /^lag 0$/ })
        .waitFor();
    await browser.screenshot('pipelines');

    await page.getByTestId('dry-since').fill('1h');
    await page.getByTestId('dry-run').click();
    await page.getByTestId('dry-result').waitFor();
    await page.getByTestId('dry-out-filter-1').filter({ hasText: '3' }).waitFor();
    const sample = await page.getByTestId('dry-sample').textContent();
    expect(sample).toContain('"user":"ann"');
    expect(sample).toContain('"user":"cy"');

    await page.getByTestId('pipeline-run').click();
    await page.getByTestId('pipeline-state').filter({ hasText: 'stopped' }).waitFor();

    // The stopped pipeline's sink becomes an incident sink: the title is required, labels are a list.
    await page.getByTestId('pipe-node-sink-1').click();
    await page.getByTestId('config-sink-kind').selectOption('incident');
    await page.getByTestId('pipeline-save').click();
    await page.getByTestId('issues-sink-1').filter({ hasText: 'nodes[3].config.title' }).waitFor();
    await page.getByTestId('pipe-node-sink-1').click();
    await page.getByTestId('config-title').fill('{{user}} ordered {{n}} big orders');
    await page.getByTestId('config-severity').selectOption('critical');
    await page.getByTestId('config-labels').fill('user, window_start');
    await page.getByTestId('config-valueField').fill('n');
    await page.getByTestId('pipeline-save').click();
    await page.getByTestId('issues-sink-1').waitFor({ state: 'detached' });
    await page.getByTestId('pipe-node-sink-1').filter({ hasText: 'incident: {{user}} ordered' }).waitFor();
    const id = new URL(page.url()).searchParams.get('id')!;
    const stored = (await (
      await fetch(`${stack.hubUrl}/api/pipelines/${id}`, {
        headers: { authorization: `Bearer ${stack.key}` },
      })
    ).json()) as { nodes: { id: string; config: unknown }[]; validation: { ok: boolean } };
    expect(stored.validation.ok).toBe(true);
    expect(stored.nodes.find((n) => n.id === 'sink-1')!.config).toEqual({
      kind: 'incident',
      title: '{{user}} ordered {{n}} big orders',
      description: '',
      severity: 'critical',
      labels: ['user', 'window_start'],
      valueField: 'n',
    });
    expectNoErrors(browser);
  });
});
