/**
 * Which builds `./lacrimosa` decides to run: `planBuilds` on fixture timestamps, and `collectBuildFacts` on
 * a fixture checkout whose file times are set with utimes.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type BuildFacts, collectBuildFacts, planBuilds } from './builds.ts';

const T = 1_800_000_000_000;

/** A checkout where everything is built and up to date. */
const fresh: BuildFacts = {
  nodeModules: true,
  lockMs: T,
  installedLockMs: T + 1_000,
  addonMs: T + 2_000,
  nativeSource: { path: 'native/src/addon.cc', mtimeMs: T },
  hasUiScript: true,
  uiBuiltMs: T + 3_000,
  uiSource: { path: 'ui/src/main.tsx', mtimeMs: T },
};

const names = (facts: BuildFacts): string[] => planBuilds(facts).steps.map((s) => s.name);

describe('planBuilds', () => {
  it('builds nothing when every artifact is newer than its sources', () => {
    expect(planBuilds(fresh)).toEqual({ steps: [], notes: [] });
  });

  it('builds everything, dependencies first, on a fresh clone', () => {
    const plan = planBuilds({
      ...fresh,
      nodeModules: false,
      installedLockMs: null,
      addonMs: null,
      uiBuiltMs: null,
    });
    expect(plan.steps).toEqual([
      { name: 'dependencies', reason: 'node_modules is missing (first run)' },
      { name: 'addon', reason: 'native/build/Release/lacrimosa.node is missing' },
      { name: 'ui', reason: 'ui/dist/index.html is missing' },
    ]);
  });

  it('reinstalls when package-lock.json is newer than the last install, or that record is missing', () => {
    expect(names({ ...fresh, lockMs: T + 1_001 })).toEqual(['dependencies']);
    expect(names({ ...fresh, lockMs: T + 1_000 })).toEqual([]);
    expect(names({ ...fresh, installedLockMs: null })).toEqual(['dependencies']);
  });

  it('rebuilds the addon when a native source is newer, naming it', () => {
    const plan = planBuilds({
      ...fresh,
      nativeSource: { path: 'native/CMakeLists.txt', mtimeMs: T + 2_001 },
    });
    expect(plan.steps).toEqual([
      { name: 'addon', reason: 'native/CMakeLists.txt changed since the last build' },
    ]);
    expect(names({ ...fresh, nativeSource: { path: 'native/x.h', mtimeMs: T + 2_000 } })).toEqual([]);
    expect(names({ ...fresh, nativeSource: null })).toEqual([]);
  });

  it('rebuilds the UI when a UI file or a hub schema is newer than ui/dist/index.html', () => {
    expect(names({ ...fresh, uiSource: { path: 'ui/src/App.tsx', mtimeMs: T + 3_001 } })).toEqual(['ui']);
    const schema = planBuilds({
      ...fresh,
      uiSource: { path: 'src/hub/events/schema.ts', mtimeMs: T + 9_000 },
    });
    expect(schema.steps).toEqual([
      { name: 'ui', reason: 'src/hub/events/schema.ts changed since the last build' },
    ]);
  });

  it('skips the UI build with a note while there is no build:ui script', () => {
    const plan = planBuilds({ ...fresh, hasUiScript: false, uiBuiltMs: null });
    expect(plan.steps).toEqual([]);
    expect(plan.notes).toEqual([
      'skipping the UI build: package.json has no build:ui script yet (the API still works)',
    ]);
  });
});

describe('collectBuildFacts', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `files` (path → mtime in seconds after T) under a new temp dir. */
  function checkout(files: Record<string, number>, scripts: Record<string, string> = {}): string {
    const root = mkdtempSync(join(tmpdir(), 'cz-builds-'));
    dirs.push(root);
    writeFileSync(join(root, 'package.json'), JSON.stringify({ scripts }));
    for (const [path, at] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), '');
      const time = new Date(T + at * 1000);
      utimesSync(join(root, path), time, time);
    }
    return root;
  }

  it('reads a fully built checkout as up to date, ignoring build outputs and non-source files', () => {
    const root = checkout(
      {
        'package-lock.json': 0,
        'node_modules/.package-lock.json': 1,
        'native/src/addon.cc': 0,
        'native/CMakeLists.txt': 0,
        'native/README.md': 50, // documentation: not a reason to rebuild
        'native/build/CMakeCache.txt': 60, // the build directory itself
        'native/build/Release/lacrimosa.node': 2,
        'ui/src/main.tsx': 0,
        'ui/node_modules/x/index.js': 70,
        'ui/src/pages/Overview/Overview.test.tsx': 71, // tests and prose never change the bundle
        'ui/README.md': 72,
        'ui/test-results/overview.png': 73,
        'src/hub/events/schema.ts': 0,
        'src/hub/events/routes.ts': 80, // not a schema: the UI does not import it
        'ui/dist/index.html': 3,
      },
      { 'build:ui': 'vite build ui' },
    );
    const facts = collectBuildFacts(root);
    expect(facts.nativeSource).toEqual({ path: 'native/CMakeLists.txt', mtimeMs: T });
    expect(planBuilds(facts)).toEqual({ steps: [], notes: [] });
  });

  it('finds the newest source in nested folders and the missing artifacts', () => {
    const root = checkout(
      {
        'package-lock.json': 10,
        'node_modules/.package-lock.json': 1,
        'native/src/engine/journal.h': 5,
        'native/build/Release/lacrimosa.node': 2,
        'ui/src/pages/Overview/index.tsx': 1,
        'src/hub/metrics/schema.ts': 7,
        'ui/dist/index.html': 3,
      },
      { 'build:ui': 'vite build ui' },
    );
    expect(planBuilds(collectBuildFacts(root)).steps).toEqual([
      { name: 'dependencies', reason: 'package-lock.json changed since the last install' },
      { name: 'addon', reason: 'native/src/engine/journal.h changed since the last build' },
      { name: 'ui', reason: 'src/hub/metrics/schema.ts changed since the last build' },
    ]);
    rmSync(join(root, 'node_modules'), { recursive: true });
    rmSync(join(root, 'native/build'), { recursive: true });
    expect(planBuilds(collectBuildFacts(root)).steps.map((s) => s.reason)).toEqual([
      'node_modules is missing (first run)',
      'native/build/Release/lacrimosa.node is missing',
      'src/hub/metrics/schema.ts changed since the last build',
    ]);
  });
});
