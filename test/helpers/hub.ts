/**
 * A real hub for tests: in-process (the `Hub` class listening on a free port) with its own data directory,
 * pointed at a journal and IPC socket (usually those of a `startSequencer` process), plus a small HTTP client.
 */
import { join } from 'node:path';
import { FEATURES } from '../../src/hub/features.ts';
import { Hub, type HubConfig } from '../../src/hub/hub.ts';
import { tempDir } from './processes.ts';

export interface TestHub {
  hub: Hub;
  url: string;
  rootKey: string;
  dataDir: string;
  /** fetch against the hub: `key` becomes `Authorization: Bearer …`, objects become JSON bodies. */
  api(
    path: string,
    init?: { method?: string; key?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<Response>;
  close(): Promise<void>;
}

const open = new Set<TestHub>();

export async function startHub(
  options: Partial<HubConfig> & { journalPath: string; ipcPath: string },
): Promise<TestHub> {
  const dataDir = options.dataDir ?? join(tempDir('cz-hub-'), 'data');
  const hub = new Hub(
    {
      host: '127.0.0.1',
      port: 0,
      allowRemote: false,
      uiDir: null,
      maxBodyBytes: 1 << 20,
      ...options,
      dataDir,
    },
    FEATURES,
  );
  const { port } = await hub.listen();
  const url = `http://127.0.0.1:${port}`;
  const rootKey =
    hub.createdRootKey?.key ??
    (await import('../../src/hub/auth/service.ts')).AuthService.readRootKey(dataDir)!;
  let closed = false;
  const testHub: TestHub = {
    hub,
    url,
    rootKey,
    dataDir,
    api(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const key = init.key === undefined ? rootKey : init.key;
      if (key !== null) headers.authorization = `Bearer ${key}`;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      return fetch(`${url}${path}`, {
        method: init.method ?? (body === undefined ? 'GET' : 'POST'),
        headers,
        body,
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      open.delete(testHub);
      await hub.close();
    },
  };
  open.add(testHub);
  return testHub;
}

/** Closes every hub a test left open (call in afterEach). */
export async function closeHubs(): Promise<void> {
  await Promise.all([...open].map((h) => h.close()));
}
