/**
 * Benchmark entry point: `npm run bench` runs every benchmark, `npm run bench -- NAME…` only those.
 */
const benchmarks: Record<string, () => Promise<{ run: () => void | Promise<void> }>> = {
  'core-order': () => import('./core-order.ts'),
  'hub-events': () => import('./hub-events.ts'),
  ingest: () => import('./ingest/run.ts'),
  'hub-ws': () => import('./hub-ws.ts'),
  query: () => import('./query.ts'),
  pipelines: () => import('./pipelines.ts'),
  alerts: () => import('./alerts.ts'),
  'cli-startup': () => import('./cli-startup.ts'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${Object.keys(benchmarks).join(', ')}`);
  process.exit(2);
}
for (const name of wanted.length > 0 ? wanted : Object.keys(benchmarks)) {
  const module = await benchmarks[name]!();
  await module.run();
}
