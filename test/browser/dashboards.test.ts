/**
 * Dashboards in a real browser against a real sequencer fed over UDP and a real hub: the default dashboard
 * renders the sequencer's health; a new dashboard gets one widget of each type from the editor (a bad query
 * first, whose error comes from the hub's parser), each shows the numbers of the events sent; a widget moved
 * and resized by mouse keeps its place after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  expectNoErrors,
  login,
  openBrowser,
  SETUP_TIMEOUT_MS,
  type Stack,
  startStack,
} from './harness.ts';

let stack: Stack;
let browser: Browser;
const ORDERS = 25;
const LOGS = 8;

beforeAll(async () => {
  stack = await startStack({ listens: ['orders', 'logs'] });
  await stack.sendUdp(
    Array.from({ length: ORDERS }, (_, i) =>
      JSON.stringify({ id: i, amount: i * 10, status: i % 5 === 0 ? 'failed' : 'ok' }),
    ),
    'orders',
  );
  await stack.sendUdp(
    Array.from({ length: LOGS }, (_, i) => (i % 4 === 0 ? `error: disk ${i}` : `info: tick ${i}`)),
    'logs',
  );
  // Wait until the hub reads all of them from the journal.
  for (;;) {
    const response = await fetch(`${stack.hubUrl}/api/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'SELECT COUNT(*) FROM *' }),
    });
    const { rows } = (await response.json()) as { rows?: number[][] };
    if (rows?.[0]?.[0] === ORDERS + LOGS) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  browser = await openBrowser();
  await login(browser, stack);
}, SETUP_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

const widget = (title: string) => browser.page.getByRole('region', { name: title, exact: true });

async function addWidget(type: string, title: string, query: string): Promise<void> {
  const { page } = browser;
  await page.getByRole('button', { name: 'Add widget', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a widget' });
  await dialog.getByLabel('Type').selectOption({ label: type });
  await dialog.getByLabel('Title').fill(title);
  await dialog.getByLabel('Query').fill(query);
  await dialog.getByRole('button', { name: 'Add widget' }).click();
  await dialog.waitFor({ state: 'detached' });
  await widget(title).waitFor();
}

async function dashboardVia(name: string) {
  const response = await fetch(`${stack.hubUrl}/api/dashboards`, {
    headers: { authorization: `Bearer ${stack.key}` },
  });
  const { dashboards } = (await response.json()) as { dashboards: { id: string; name: string }[] };
  const id = dashboards.find((d) => d.name === name)!.id;
  const one = await fetch(`${stack.hubUrl}/api/dashboards/${id}`, {
    headers: { authorization: `Bearer ${stack.key}` },
  });
  return (await one.json()) as {
    version: number;
    widgets: { title: string; layout: { x: number; y: number; w: number; h: number } }[];
  };
}

describe('dashboards', () => {
  it('shows the default sequencer-health dashboard with real numbers', async () => {
    const { page } = browser;
    await page.getByRole('link', { name: 'Dashboards' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboards' }).waitFor();
    await page.getByRole('heading', { level: 2, name: 'Sequencer health' }).waitFor();
    await widget('Events in range')
      .locator('.dash-value-number', { hasText: String(ORDERS + LOGS) })
      .waitFor();
    await widget('Ring fill').locator('.dash-value-number', { hasText: '%' }).waitFor();
    await widget('Latest events').getByText('error: disk 4').waitFor();
    await widget('Events by stream').locator('.dash-legend', { hasText: 'orders' }).waitFor();
    await browser.screenshot('dashboards-default');
  });

  it('builds a dashboard with one widget of each type, each showing the events sent', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'New dashboard' }).click();
    const create = page.getByRole('dialog', { name: 'New dashboard' });
    await create.getByLabel('Name').fill('Orders board');
    await create.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 2, name: 'Orders board' }).waitFor();

    // A bad query is refused with the hub's parser error, at the query field (the 400 is expected).
    browser.allowErrors(/status of 400 \(Bad Request\) \(http:\/\/127\.0\.0\.1:\d+\/api\/dashboards\//);
    await page.getByRole('button', { name: 'Add widget', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a widget' });
    await dialog.getByLabel('Type').selectOption({ label: 'Single value' });
    await dialog.getByLabel('Title').fill('Failed orders');
    await dialog.getByLabel('Query').fill('SELECT COUNT(*) FROM orders WHERE status =');
    await dialog.getByRole('button', { name: 'Add widget' }).click();
    await dialog.getByText(/body\.widgets\.0\.query: line 1, column 43: expected a string/).waitFor();
    await dialog.getByLabel('Query').fill('SELECT COUNT(*) FROM orders WHERE status = "failed"');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.locator('.dash-value-number', { hasText: '5' }).waitFor();
    await dialog.getByRole('button', { name: 'Add widget' }).click();
    await dialog.waitFor({ state: 'detached' });
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^5$/ }).waitFor();

    await addWidget('Time series', 'Orders by status', 'SELECT COUNT(*) FROM orders GROUP BY status BY 1m');
    await addWidget('Table', 'Big orders', 'SELECT id, amount FROM orders WHERE amount >= 220');
    await addWidget('Log stream', 'Disk errors', 'SELECT * FROM logs WHERE payload STARTSWITH "error"');

    const series = widget('Orders by status');
    await series.locator('.dash-legend', { hasText: 'failed' }).waitFor();
    await series.locator('.dash-legend', { hasText: 'ok' }).waitFor();
    await series.locator('.recharts-line-curve').first().waitFor();
    expect(await series.locator('.recharts-line-curve').count()).toBe(2);

    const table = widget('Big orders');
    await table.getByRole('cell', { name: '240', exact: true }).waitFor();
    expect(await table.getByRole('row').count()).toBe(1 + 3); // the header, then ids 22, 23, 24

    const log = widget('Disk errors');
    await log.getByText('error: disk 4').waitFor();
    expect(await log.getByRole('listitem').allTextContents()).toEqual([
      expect.stringContaining('error: disk 4'),
      expect.stringContaining('error: disk 0'),
    ]);
    await browser.screenshot('dashboards-orders');
    expectNoErrors(browser);
  });

  it('keeps a widget moved and resized by mouse after a reload', async () => {
    const { page } = browser;
    const before = await dashboardVia('Orders board');
    const value = page.locator('.dash-widget', { has: widget('Failed orders') });
    const start = (await value.boundingBox())!;

    // Drag by the title to the right, then pull the corner to make it larger.
    const handle = (await widget('Failed orders').locator('.dash-widget-handle').boundingBox())!;
    await page.mouse.move(handle.x + 20, handle.y + handle.height / 2);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(handle.x + 20 + step * 50, handle.y + handle.height / 2);
    }
    await page.mouse.up();
    await page.getByText(`version ${before.version + 1}`).waitFor();

    const moved = (await value.boundingBox())!;
    expect(moved.x).toBeGreaterThan(start.x + 100);
    const corner = (await value.locator('.react-resizable-handle').boundingBox())!;
    await page.mouse.move(corner.x + corner.width / 2, corner.y + corner.height / 2);
    await page.mouse.down();
    for (let step = 1; step <= 10; step++) {
      await page.mouse.move(
        corner.x + corner.width / 2 + step * 12,
        corner.y + corner.height / 2 + step * 14,
      );
    }
    await page.mouse.up();
    await page.getByText(`version ${before.version + 2}`).waitFor();
    const resized = (await value.boundingBox())!;
    expect(resized.width).toBeGreaterThan(moved.width + 50);
    expect(resized.height).toBeGreaterThan(moved.height + 50);

    const after = await dashboardVia('Orders board');
    const was = before.widgets.find((w) => w.title === 'Failed orders')!.layout;
    const now = after.widgets.find((w) => w.title === 'Failed orders')!.layout;
    expect(now.x).toBeGreaterThan(was.x);
    expect(now.w).toBeGreaterThan(was.w);
    expect(now.h).toBeGreaterThan(was.h);

    await page.reload();
    await page.getByRole('heading', { level: 2, name: 'Orders board' }).waitFor();
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^5$/ }).waitFor();
    const reloaded = (await value.boundingBox())!;
    expect(Math.round(reloaded.x)).toBe(Math.round(resized.x));
    expect(Math.round(reloaded.y)).toBe(Math.round(resized.y));
    expect(Math.round(reloaded.width)).toBe(Math.round(resized.width));
    expect(Math.round(reloaded.height)).toBe(Math.round(resized.height));
    expectNoErrors(browser);
  });

  it('edits a widget, renames, imports a pasted export and deletes', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'Edit Big orders' }).click();
    const edit = page.getByRole('dialog', { name: 'Edit widget' });
    await edit.getByLabel('Query').fill('SELECT id, amount FROM orders WHERE amount >= 230');
    await edit.getByRole('button', { name: 'Save widget' }).click();
    await edit.waitFor({ state: 'detached' });
    await widget('Big orders').getByRole('cell', { name: '220', exact: true }).waitFor({ state: 'detached' });
    expect(await widget('Big orders').getByRole('row').count()).toBe(1 + 2);

    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '15m' }).click();
    await page.getByText(/range last 15m/).waitFor();
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^5$/ }).waitFor();
    // A custom range that ends before the events were sent shows none of them.
    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: 'Custom' }).click();
    await page.getByLabel('Since').fill('2020-01-01T00:00:00Z');
    await page.getByLabel('Until').fill('2020-01-02T00:00:00Z');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/range 2020-01-01T00:00:00Z → 2020-01-02T00:00:00Z/).waitFor();
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^0$/ }).waitFor();
    await page.getByRole('group', { name: 'Time range' }).getByRole('button', { name: '1h' }).click();
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^5$/ }).waitFor();

    await page.getByRole('button', { name: 'Rename' }).click();
    const rename = page.getByRole('dialog', { name: 'Rename the dashboard' });
    await rename.getByLabel('Name').fill('Orders (EU)');
    await rename.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('heading', { level: 2, name: 'Orders (EU)' }).waitFor();
    await page.getByRole('navigation', { name: 'Dashboards' }).getByText('Orders (EU)').waitFor();

    const id = new URL(page.url()).searchParams.get('id')!;
    const exported = await (
      await fetch(`${stack.hubUrl}/api/dashboards/${id}/export`, {
        headers: { authorization: `Bearer ${stack.key}` },
      })
    ).text();
    await page.getByRole('button', { name: 'Import' }).click();
    const importing = page.getByRole('dialog', { name: 'Import a dashboard' });
    await importing.getByLabel('Or paste its JSON').fill(exported.replace('Orders (EU)', 'Orders copy'));
    await importing.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('heading', { level: 2, name: 'Orders copy' }).waitFor();
    await widget('Failed orders').locator('.dash-value-number', { hasText: /^5$/ }).waitFor();
    await widget('Big orders').getByRole('cell', { name: '240', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Delete' }).click();
    await page
      .getByRole('dialog', { name: 'Delete “Orders copy”?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await page
      .getByRole('navigation', { name: 'Dashboards' })
      .getByText('Orders copy')
      .waitFor({ state: 'detached' });
    expectNoErrors(browser);
  });

  it('plots a field’s values folded per bucket, one line per group', async () => {
    const { page } = browser;
    await page.getByRole('button', { name: 'New dashboard' }).click();
    const create = page.getByRole('dialog', { name: 'New dashboard' });
    await create.getByLabel('Name').fill('Amounts');
    await create.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { level: 2, name: 'Amounts' }).waitFor();

    await page.getByRole('button', { name: 'Add widget', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a widget' });
    await dialog.getByLabel('Type').selectOption({ label: 'Time series' });
    await dialog.getByLabel('Title').fill('Largest order by status');
    await dialog.getByLabel('Query').fill('SELECT COUNT(*) FROM orders GROUP BY status BY 1d');
    await dialog.getByLabel('Plot').selectOption({ label: 'A field’s values' });
    await dialog.getByLabel('Value field').fill('amount');
    await dialog.getByLabel('Per bucket').selectOption({ label: 'maximum' });
    await dialog.getByRole('button', { name: 'Preview' }).click();
    await dialog.locator('.dash-legend', { hasText: 'failed' }).waitFor();
    await dialog.getByRole('button', { name: 'Add widget' }).click();
    await dialog.waitFor({ state: 'detached' });
    const chart = widget('Largest order by status');
    await chart.locator('.dash-legend', { hasText: 'ok' }).waitFor();
    // One bucket per line over the hour: each line is a lone point, drawn as a dot.
    await chart.locator('.recharts-dot').first().waitFor();
    expect(await chart.locator('.recharts-dot').count()).toBe(2);

    // What the editor saved, and the numbers behind the lines: amounts are 10·i, failed when i % 5 = 0.
    const saved = await dashboardVia('Amounts');
    const stored = saved.widgets[0] as unknown as { id: string; value: string; agg: string };
    expect(stored).toMatchObject({ value: 'amount', agg: 'max' });
    const id = new URL(page.url()).searchParams.get('id')!;
    const data = (await (
      await fetch(`${stack.hubUrl}/api/dashboards/${id}/widgets/${stored.id}/data`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.key}` },
      })
    ).json()) as { series: { key: string; label: string }[]; points: Record<string, number>[] };
    const max: Record<string, number> = {};
    for (const point of data.points)
      for (const line of data.series)
        if (line.key in point) max[line.label] = Math.max(max[line.label] ?? 0, point[line.key]!);
    expect(max).toEqual({ ok: 240, failed: 200 });
    expectNoErrors(browser);
  });
});
