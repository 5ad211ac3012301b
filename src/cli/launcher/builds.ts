/**
 * What `./lacrimosa` must build before it can start anything, and building it. The decision is a pure
 * function of file timestamps (`planBuilds`), so it is tested on fixtures; `collectBuildFacts` reads those
 * timestamps from a checkout and `runBuildStep` runs one step with its output captured to a log file.
 *
 * Artifacts are touched after a successful build: a build tool may rightly decide that nothing needs
 * relinking after a source changed (a comment in CMakeLists.txt), and without the touch every later launch
 * would see the same "stale" artifact and rebuild again.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

export type BuildStepName = 'dependencies' | 'addon' | 'ui';

/** File timestamps (ms since the epoch) that decide what to build; null where the file is missing. */
export interface BuildFacts {
  /** `node_modules/` exists. */
  nodeModules: boolean;
  /** package-lock.json. */
  lockMs: number | null;
  /** node_modules/.package-lock.json, which npm writes at the end of every install. */
  installedLockMs: number | null;
  /** native/build/Release/lacrimosa.node. */
  addonMs: number | null;
  /** The newest C++ source or CMake file under native/ (build/ excluded). */
  nativeSource: NewestFile | null;
  /** package.json has a `build:ui` script. */
  hasUiScript: boolean;
  /** ui/dist/index.html. */
  uiBuiltMs: number | null;
  /**
   * The newest file under ui/, or of the hub modules the UI bundles (schema.ts files under src/hub/ and the
   * helpers they import, the same list eslint.config.js allows); ui/dist, tools' output folders, tests and
   * Markdown excluded, as they never change the bundle.
   */
  uiSource: NewestFile | null;
}

export interface NewestFile {
  /** Relative to the repository root. */
  path: string;
  mtimeMs: number;
}

export interface BuildStep {
  name: BuildStepName;
  /** Why it is needed, for the progress line. */
  reason: string;
}

export interface BuildPlan {
  steps: BuildStep[];
  /** Things the user should know that are not steps (a build that cannot run yet). */
  notes: string[];
}

export const ADDON_FILE = 'native/build/Release/lacrimosa.node';
export const UI_INDEX_FILE = 'ui/dist/index.html';

/**
 * Decides which builds are needed, in the order they must run.
 * @example
 * planBuilds(collectBuildFacts(root)).steps.map((s) => s.name) // e.g. ['addon']
 */
export function planBuilds(facts: BuildFacts): BuildPlan {
  const steps: BuildStep[] = [];
  const notes: string[] = [];
  if (!facts.nodeModules) {
    steps.push({ name: 'dependencies', reason: 'node_modules is missing (first run)' });
  } else if (facts.installedLockMs === null) {
    steps.push({ name: 'dependencies', reason: 'node_modules/.package-lock.json is missing' });
  } else if (facts.lockMs !== null && facts.lockMs > facts.installedLockMs) {
    steps.push({ name: 'dependencies', reason: 'package-lock.json changed since the last install' });
  }

  if (facts.addonMs === null) {
    steps.push({ name: 'addon', reason: `${ADDON_FILE} is missing` });
  } else if (facts.nativeSource !== null && facts.nativeSource.mtimeMs > facts.addonMs) {
    steps.push({ name: 'addon', reason: `${facts.nativeSource.path} changed since the last build` });
  }

  if (!facts.hasUiScript) {
    notes.push('skipping the UI build: package.json has no build:ui script yet (the API still works)');
  } else if (facts.uiBuiltMs === null) {
    steps.push({ name: 'ui', reason: `${UI_INDEX_FILE} is missing` });
  } else if (facts.uiSource !== null && facts.uiSource.mtimeMs > facts.uiBuiltMs) {
    steps.push({ name: 'ui', reason: `${facts.uiSource.path} changed since the last build` });
  }
  return { steps, notes };
}

function mtimeOf(path: string): number | null {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
}

/** The newest regular file under `dir` that `accept` takes, skipping directories `skip` names. */
function newestFile(
  root: string,
  dir: string,
  accept: (name: string, path: string) => boolean,
  skip: (path: string) => boolean,
): NewestFile | null {
  let newest: NewestFile | null = null;
  const walk = (path: string): void => {
    let entries;
    try {
      entries = readdirSync(path, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(path, entry.name);
      const rel = relative(root, full);
      if (entry.isDirectory()) {
        if (!skip(rel)) walk(full);
      } else if (entry.isFile() && accept(entry.name, rel)) {
        const mtimeMs = mtimeOf(full);
        if (mtimeMs !== null && (newest === null || mtimeMs > newest.mtimeMs))
          newest = { path: rel, mtimeMs };
      }
    }
  };
  walk(join(root, dir));
  return newest;
}

const NATIVE_SOURCE = /\.(cc|cpp|cxx|c|h|hh|hpp|cmake)$|^CMakeLists\.txt$/;

/** Files under ui/ that never change the bundle: tests and prose. */
const NOT_IN_BUNDLE = /\.(test|spec)\.[cm]?[jt]sx?$|\.md$/;
/** Folders under ui/ that hold tools' output, not sources. */
const UI_SKIPPED_DIRS = new Set([
  'node_modules',
  'test-results',
  'coverage',
  'screenshots',
  '__screenshots__',
]);

function newer(a: NewestFile | null, b: NewestFile | null): NewestFile | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.mtimeMs > a.mtimeMs ? b : a;
}

/** Reads the timestamps `planBuilds` needs from the checkout at `root`. */
export function collectBuildFacts(root: string): BuildFacts {
  const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: object })
    .scripts;
  return {
    nodeModules: existsSync(join(root, 'node_modules')),
    lockMs: mtimeOf(join(root, 'package-lock.json')),
    installedLockMs: mtimeOf(join(root, 'node_modules/.package-lock.json')),
    addonMs: mtimeOf(join(root, ADDON_FILE)),
    nativeSource: newestFile(
      root,
      'native',
      (name) => NATIVE_SOURCE.test(name),
      (rel) => rel === join('native', 'build'),
    ),
    hasUiScript: scripts !== undefined && 'build:ui' in scripts,
    uiBuiltMs: mtimeOf(join(root, UI_INDEX_FILE)),
    uiSource: newer(
      newestFile(
        root,
        'ui',
        (name) => !NOT_IN_BUNDLE.test(name),
        (rel) => rel === join('ui', 'dist') || UI_SKIPPED_DIRS.has(basename(rel)),
      ),
      newestFile(
        root,
        join('src', 'hub'),
        (name) => name === 'schema.ts' || name === 'time.ts',
        () => false,
      ),
    ),
  };
}

/** The command each step runs, and what the progress line calls it. */
export const BUILD_STEPS: Record<BuildStepName, { title: string; command: string[]; artifact?: string }> = {
  dependencies: { title: 'installing dependencies', command: ['npm', 'ci', '--no-audit', '--no-fund'] },
  addon: {
    title: 'building the native addon',
    command: ['npm', 'run', 'build:native'],
    artifact: ADDON_FILE,
  },
  ui: { title: 'building the UI', command: ['npm', 'run', 'build:ui'], artifact: UI_INDEX_FILE },
};

/**
 * Runs one step in `root` with stdout and stderr appended to `logPath`. Resolves with the exit code; a
 * successful step gets its artifact touched (see the module note).
 */
export async function runBuildStep(root: string, name: BuildStepName, logPath: string): Promise<number> {
  const { command, artifact } = BUILD_STEPS[name];
  const log = openSync(logPath, 'a', 0o600);
  try {
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { cwd: root, stdio: ['ignore', log, log] });
      child.once('error', reject);
      child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal ? 128 : 1)));
    });
    if (code === 0 && artifact !== undefined && existsSync(join(root, artifact))) {
      const now = new Date();
      utimesSync(join(root, artifact), now, now);
    }
    return code;
  } finally {
    closeSync(log);
  }
}
