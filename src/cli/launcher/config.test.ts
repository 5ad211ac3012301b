/**
 * The launcher's settings: flags win over environment variables, which win over the defaults; bad values
 * and contradictions are one-line `UserError`s.
 */
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.ts';
import { resolveLauncherConfig } from './config.ts';

describe('resolveLauncherConfig', () => {
  it('defaults: .lacrimosa, its journal.db, 127.0.0.1:3000, udp 9000, /tmp/cz-io.sock', () => {
    expect(resolveLauncherConfig({}, {}, '/work')).toEqual({
      dataDir: '/work/.lacrimosa',
      journal: '/work/.lacrimosa/journal.db',
      host: '127.0.0.1',
      port: 3000,
      listens: ['9000=default'],
      ipcPath: '/tmp/cz-io.sock',
      build: true,
    });
  });

  it('reads CZ_DATA_DIR, CZ_JOURNAL, CZ_HUB_PORT, CZ_UDP_PORT and CZ_IPC; the journal follows the data dir', () => {
    const env = { CZ_DATA_DIR: 'state', CZ_HUB_PORT: '3100', CZ_UDP_PORT: '9100', CZ_IPC: 'io.sock' };
    expect(resolveLauncherConfig({}, env, '/work')).toMatchObject({
      dataDir: '/work/state',
      journal: '/work/state/journal.db',
      port: 3100,
      listens: ['9100=default'],
      ipcPath: '/work/io.sock',
    });
    expect(resolveLauncherConfig({}, { CZ_JOURNAL: '/data/j.db' }, '/work').journal).toBe('/data/j.db');
  });

  it('lets flags win over the environment', () => {
    const env = { CZ_DATA_DIR: 'state', CZ_HUB_PORT: '3100', CZ_UDP_PORT: '9100', CZ_IPC: '/tmp/env.sock' };
    const config = resolveLauncherConfig(
      { 'data-dir': '/d', port: 0, 'udp-port': 0, ipc: '/tmp/flag.sock', build: false },
      env,
      '/work',
    );
    expect(config).toMatchObject({
      dataDir: '/d',
      port: 0,
      listens: ['0=default'],
      ipcPath: '/tmp/flag.sock',
      build: false,
    });
  });

  it('takes --bind as HOST or HOST:PORT, loopback only', () => {
    expect(resolveLauncherConfig({ bind: 'localhost' }, {}, '/')).toMatchObject({
      host: 'localhost',
      port: 3000,
    });
    expect(resolveLauncherConfig({ bind: '127.0.0.2:4000' }, {}, '/')).toMatchObject({
      host: '127.0.0.2',
      port: 4000,
    });
    expect(resolveLauncherConfig({ bind: '::1' }, {}, '/')).toMatchObject({ host: '::1', port: 3000 });
    expect(resolveLauncherConfig({ bind: '[::1]:4001' }, {}, '/')).toMatchObject({ host: '::1', port: 4001 });
    expect(() => resolveLauncherConfig({ bind: '0.0.0.0' }, {}, '/')).toThrow(/loopback addresses only/);
    expect(() => resolveLauncherConfig({ bind: '127.0.0.1:4000', port: 4001 }, {}, '/')).toThrow(/disagree/);
  });

  it('passes --listen specs through instead of --udp-port, and refuses both at once', () => {
    const config = resolveLauncherConfig(
      { listen: ['9000=default', '9001=orders'] },
      { CZ_UDP_PORT: '1' },
      '/',
    );
    expect(config.listens).toEqual(['9000=default', '9001=orders']);
    expect(() => resolveLauncherConfig({ listen: ['9000'], 'udp-port': 9001 }, {}, '/')).toThrow(/either/);
    expect(() => resolveLauncherConfig({ listen: ['nope=a=b'] }, {}, '/')).toThrow(UserError);
  });

  it('refuses flags given without a value, and treats empty environment variables as unset', () => {
    expect(() => resolveLauncherConfig({ 'data-dir': '' }, {}, '/')).toThrow('--data-dir needs a value');
    expect(() => resolveLauncherConfig({ ipc: '' }, {}, '/')).toThrow('--ipc needs a value');
    expect(resolveLauncherConfig({}, { CZ_DATA_DIR: '', CZ_IPC: '' }, '/w')).toMatchObject({
      dataDir: '/w/.lacrimosa',
      ipcPath: '/tmp/cz-io.sock',
    });
  });

  it('rejects ports that are not ports, naming the source', () => {
    expect(() => resolveLauncherConfig({}, { CZ_HUB_PORT: 'http' }, '/')).toThrow(
      /CZ_HUB_PORT must be a port/,
    );
    expect(() => resolveLauncherConfig({ 'udp-port': 70_000 }, {}, '/')).toThrow(/--udp-port must be a port/);
    expect(() => resolveLauncherConfig({ port: Number.NaN }, {}, '/')).toThrow(/--port must be a port/);
  });
});
