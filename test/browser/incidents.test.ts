/**
 * Incidents in a real browser against a real stack: a rule fires from UDP traffic, its incident appears on the
 * Incidents page with evidence links into the Event Explorer, is acknowledged then resolved from the UI, and
 * the timeline shows both transitions; the rule editor's live preview answers for the rule.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type Browser, expectNoErrors, SETUP_TIMEOUT_MS, type Stack, startLoggedIn } from './harness.ts';

let stack: Stack;
let browser: Browser;

beforeAll(async () => {
  ({ stack, browser } = await startLoggedIn({ listens: ['default', 'app'] }));
}, SETUP_TIMEOUT_MS);

async function api(path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${stack.hubUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path}: ${response.status} ${text}`);
  return JSON.parse(text) as unknown;
}

describe('incidents', () => {
  it('shows an incident opened by a rule firing on UDP traffic; acknowledge and resolve it from the UI', async () => {
    await api('/api/alerts/rules', {
      name: 'disk errors',
      query: 'SELECT COUNT(*) FROM app WHERE kind = "disk"',
      threshold: { op: '>=', value: 2 },
      window: '5m',
      severity: 'critical',
    });
    await stack.sendUdp(
      ['{"kind":"disk","dev":"sda"}', '{"kind":"net"}', '{"kind":"disk","dev":"sdb"}'],
      'app',
    );
    let incidentId = 0;
    for (let i = 0; i < 300 && incidentId === 0; i++) {
      const { incidents } = (await api('/api/alerts/incidents')) as { incidents: { id: number }[] };
      incidentId = incidents[0]?.id ?? 0;
      if (incidentId === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(incidentId).toBeGreaterThan(0);

    const { page } = browser;
    await page.getByRole('link', { name: 'Incidents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Incidents' }).waitFor();
    const row = page
      .getByRole('table', { name: /Incidents, newest first/ })
      .getByRole('row')
      .filter({ hasText: 'disk errors' });
    await row.getByText('open').waitFor();
    await row.click();
    expect(page.url()).toContain(`incident=${incidentId}`);

    const detail = page
      .getByRole('heading', { level: 2, name: 'disk errors' })
      .locator('xpath=ancestor::div[@class="incident-detail"]');
    const evidence = detail.getByRole('link', { name: /^sequences \d+–\d+$/ });
    await evidence.waitFor();
    expect(await evidence.getAttribute('href')).toMatch(/^\/explorer\?from=\d+&to=\d+&order=asc$/);

    await detail.getByRole('button', { name: 'Acknowledge' }).click();
    const timeline = detail.getByRole('list', { name: 'Timeline' });
    await timeline.getByText('acknowledged by root').waitFor();
    expect(await detail.getByRole('button', { name: 'Acknowledge' }).isDisabled()).toBe(true);

    await detail.getByRole('button', { name: 'Resolve' }).click();
    await timeline.getByText('resolved by root').waitFor();
    await timeline.getByText('acknowledged by root').waitFor();
    expect(await detail.getByRole('button', { name: 'Resolve' }).isDisabled()).toBe(true);
    await row.getByText('resolved').waitFor();

    await detail.getByRole('textbox', { name: 'Note' }).fill('replaced the disk');
    await detail.getByRole('button', { name: 'Add note' }).click();
    await timeline.getByText('replaced the disk').waitFor();
    await browser.screenshot('incidents');

    // The stored lifecycle matches what the page showed.
    const stored = (await api(`/api/alerts/incidents/${incidentId}`)) as {
      state: string;
      timeline: { kind: string; actor: string | null }[];
    };
    expect(stored.state).toBe('resolved');
    expect(stored.timeline.filter((t) => t.actor === 'root').map((t) => t.kind)).toEqual([
      'acknowledged',
      'resolved',
      'note',
    ]);

    // The rule editor previews what the rule would have matched.
    await page.getByRole('button', { name: 'Rules' }).click();
    await page.getByRole('row').filter({ hasText: 'disk errors' }).click();
    const preview = page.getByRole('region', { name: 'Preview' });
    await preview.getByText('would have fired').waitFor();
    await preview.getByText(/2 matching events/).waitFor();
    await browser.screenshot('incidents-rule-editor');
    expectNoErrors(browser);
  }, 90_000);
});
