/**
 * `GET /api/events` on a journal of 10 million events: p50/p99 latency of a 100-event page at the head, in the
 * middle (by sequence) and by time, and the hub's RSS before and after paging through the whole journal —
 * which must not grow with the journal's size, since the hub reads the mapping and keeps only a page.
 *
 * Run: npm run bench -- hub-events   (BENCH_EVENTS=10000000 by default; BENCH_PAGES=300 requests per case)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { buildJournal } from './lib/journal-fixture.ts';
import { median, percentile, publish } from './lib/report.ts';

const CZ = fileURLToPath(new URL('../bin/cz', import.meta.url));

/**
 * Resident memory in MiB, split: `anon` is the hub's own memory (heap, buffers) — what must not grow with the
 * journal; `file` is pages of the mapped journal the kernel keeps resident after a read, shared with the page
 * cache and dropped under memory pressure, so it grows with what was read, by design.
 */
function rssMiB(pid: number): { anon: number; file: number; total: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): number => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { anon: field('RssAnon'), file: field('RssFile') + field('RssShmem'), total: field('VmRSS') };
}

const formatRss = (r: { anon: number; file: number }): string =>
  `${r.anon.toFixed(0)} MiB own + ${r.file.toFixed(0)} MiB mapped journal`;

async function timed(
  url: string,
  key: string,
): Promise<{ ms: number; body: { events: unknown[]; nextCursor: string | null } }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const body = (await response.json()) as { events: unknown[]; nextCursor: string | null };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_EVENTS ?? 10_000_000);
  const pages = Number(process.env.BENCH_PAGES ?? 300);
  const dir = mkdtempSync(join(tmpdir(), 'cz-bench-events-'));
  const journal = join(dir, 'journal.db');
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const buildStarted = performance.now();
    await buildJournal(journal, {
      count,
      slots: 2 ** 24,
      blobSize: 2 ** 30,
      onProgress: (n) => n % 1_000_000 === 0 && process.stderr.write(`hub-events: ${n} events journaled\n`),
    });
    const buildSeconds = (performance.now() - buildStarted) / 1000;

    const hub = spawn(
      CZ,
      [
        'hub',
        '--bind',
        '127.0.0.1:0',
        '--journal',
        journal,
        '--ipc',
        join(dir, 'none.sock'),
        '--data-dir',
        join(dir, 'data'),
        '--json',
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(hub);
    const ready = await new Promise<{ url: string; rootKey: string }>((resolve, reject) => {
      createInterface({ input: hub.stdout! }).on('line', (line) => {
        if (line.includes('"event":"ready"')) resolve(JSON.parse(line) as { url: string; rootKey: string });
      });
      hub.once('exit', (code) => reject(new Error(`hub exited with ${code}`)));
    });
    const { url, rootKey: key } = ready;
    // Warm up the routes and the JIT before measuring.
    for (let i = 0; i < 20; i++) await timed(`${url}/api/events?limit=100`, key);
    const rssBefore = rssMiB(hub.pid!);
    const timeOf = async (order: 'asc' | 'desc'): Promise<number> =>
      ((await timed(`${url}/api/events?limit=1&order=${order}`, key)).body.events[0] as { timeMs: number })
        .timeMs;
    const firstMs = await timeOf('asc');
    // Leave room for a full page after the random point.
    const lastMs = (await timeOf('desc')) - 50;

    const cases: [string, () => string][] = [
      ['newest 100 (head)', () => `${url}/api/events?limit=100&order=desc`],
      [
        '100 from the middle (by sequence)',
        () =>
          `${url}/api/events?limit=100&order=asc&from=${Math.floor(count / 2) + Math.floor(Math.random() * 1000)}`,
      ],
      [
        '100 by time (since a random point)',
        () =>
          `${url}/api/events?limit=100&order=asc&since=${firstMs + Math.floor(Math.random() * (lastMs - firstMs))}`,
      ],
      ['100 of one stream, newest', () => `${url}/api/events?limit=100&stream=payments`],
    ];
    const rows: string[][] = [];
    for (const [name, makeUrl] of cases) {
      const latencies: number[] = [];
      for (let i = 0; i < pages; i++) {
        const { ms, body } = await timed(makeUrl(), key);
        if (body.events.length !== 100) throw new Error(`${name}: got ${body.events.length} events`);
        latencies.push(ms);
      }
      rows.push([
        name,
        `${median(latencies).toFixed(2)} ms`,
        `${percentile(latencies, 99).toFixed(2)} ms`,
        String(pages),
      ]);
    }

    // Page through everything, 1000 at a time, oldest first — twice. Growth that scales with what was read
    // would show again in the second walk; V8 sizing its heap up under load shows only in the first.
    let rssPeak = rssBefore;
    const walk = async (): Promise<{ seconds: number; rss: ReturnType<typeof rssMiB> }> => {
      const started = performance.now();
      let cursor: string | null = null;
      let seen = 0;
      for (let page = 0; ; page++) {
        const { body }: { body: { events: unknown[]; nextCursor: string | null } } = await timed(
          `${url}/api/events?limit=1000&order=asc${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          key,
        );
        seen += body.events.length;
        if (page % 100 === 0) {
          const now = rssMiB(hub.pid!);
          if (now.anon > rssPeak.anon) rssPeak = now;
        }
        if (body.nextCursor === null) break;
        cursor = body.nextCursor;
      }
      if (seen !== count) throw new Error(`paged through ${seen} events, expected ${count}`);
      return { seconds: (performance.now() - started) / 1000, rss: rssMiB(hub.pid!) };
    };
    const first = await walk();
    const second = await walk();
    const seen = count;
    const walkSeconds = first.seconds;
    const rssAfter = first.rss;

    publish({
      title: `hub-events: GET /api/events on a journal of ${count.toLocaleString('en-US')} events`,
      command: 'npm run bench -- hub-events',
      headers: ['page', 'p50', 'p99', 'requests'],
      rows,
      notes: [
        `journal: ${count.toLocaleString('en-US')} JSON events (≈80 B) on 4 streams from 8 nodes over ${((lastMs - firstMs) / 1000).toFixed(0)} s of clock time, 2^24 slots, 1 GiB blob; built through the submit path in ${buildSeconds.toFixed(1)} s`,
        `hub RSS: ${formatRss(rssBefore)} after warm-up; ${formatRss(rssPeak)} at the highest own-memory sample while paging (every 100 pages); ${formatRss(rssAfter)} after paging through all ${seen.toLocaleString('en-US')} events (1000 per page, ${walkSeconds.toFixed(1)} s, ${(seen / walkSeconds / 1000).toFixed(0)} k events/s); ${formatRss(second.rss)} after paging through all of them a second time (${second.seconds.toFixed(1)} s)`,
        'own = RssAnon (heap and buffers: must not grow with the journal); mapped journal = RssFile, pages of the read-only mapping that stay resident after being read, reclaimable page cache',
        'the hub runs as its own process (cz hub); requests are sequential over keep-alive HTTP from the benchmark process',
      ],
    });
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
