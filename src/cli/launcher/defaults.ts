/**
 * The launcher's defaults, apart from config.ts so that `cz lacrimosa --help` can show them without loading
 * what resolving a configuration needs (the hub module, for its loopback check).
 *
 * @module
 */
import { DEFAULT_IPC_PATH } from '../commands/start.ts';

export const LAUNCHER_DEFAULTS = {
  dataDir: '.lacrimosa',
  host: '127.0.0.1',
  port: 3000,
  udpPort: 9000,
  ipc: DEFAULT_IPC_PATH,
  readyTimeoutMs: 60_000,
} as const;
