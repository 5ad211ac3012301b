/**
 * The hub serving a built UI: files as they are, index.html for page routes (deep links survive a reload),
 * JSON 404s kept for the API, caching headers, a UI built after the hub started, and a clear error while none
 * is built.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeHubs, startHub, type TestHub } from './helpers/hub.ts';
import { killAll, tempDir } from './helpers/processes.ts';

afterEach(async () => {
  await closeHubs();
  await killAll();
});

const INDEX = '<!doctype html><title>lacrimosa</title><div id="root"></div>';

function build(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'app-1a2b3c.js'), 'console.log("app")');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
}

function hubWithUi(uiDir: string): Promise<TestHub> {
  const dir = tempDir('cz-hubui-');
  return startHub({ journalPath: join(dir, 'journal.db'), ipcPath: join(dir, 'none.sock'), uiDir });
}

describe('hub UI serving', () => {
  it('serves files, falls back to index.html for page routes, and keeps API 404s as JSON', async () => {
    const ui = join(tempDir('cz-ui-'), 'dist');
    build(ui);
    const hub = await hubWithUi(ui);

    const root = await fetch(`${hub.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get('content-type')).toMatch(/text\/html/);
    expect(root.headers.get('cache-control')).toBe('no-cache');
    expect(await root.text()).toBe(INDEX);

    const asset = await fetch(`${hub.url}/assets/app-1a2b3c.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toMatch(/immutable/);
    expect(await asset.text()).toBe('console.log("app")');

    for (const page of ['/explorer', '/settings', '/explorer/123', '/journal?from=4']) {
      const response = await fetch(`${hub.url}${page}`);
      expect(response.status, page).toBe(200);
      expect(await response.text(), page).toBe(INDEX);
    }

    const missingAsset = await fetch(`${hub.url}/assets/gone-000000.js`);
    expect(missingAsset.status).toBe(404);
    expect(await missingAsset.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });

    const api = await fetch(`${hub.url}/api/nope`, { headers: { authorization: `Bearer ${hub.rootKey}` } });
    expect(api.status).toBe(404);
    expect(await api.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect((await fetch(`${hub.url}/api/status`)).headers.get('content-type')).toMatch(/json/);

    const traversal = await fetch(`${hub.url}/..%2f..%2fetc%2fpasswd`);
    expect(await traversal.text()).not.toMatch(/root:/);
  });

  it('answers UI_NOT_BUILT until the UI is built, then serves it without a restart', async () => {
    const ui = join(tempDir('cz-ui-'), 'dist');
    const hub = await hubWithUi(ui);
    const before = await fetch(`${hub.url}/overview`);
    expect(before.status).toBe(404);
    const { error } = (await before.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('UI_NOT_BUILT');
    expect(error.message).toContain('npm run build:ui');

    build(ui);
    const after = await fetch(`${hub.url}/overview`);
    expect(after.status).toBe(200);
    expect(await after.text()).toBe(INDEX);
  });
});
