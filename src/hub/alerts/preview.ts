/**
 * The rule editor's live preview: a rule evaluated over a recent stretch of the journal, cut into tumbling
 * windows of the rule's size — each window's value per group, whether it breaches the threshold, and a few
 * matching sequences to open in the Event Explorer. Read-only, bounded in slots scanned.
 *
 * @module
 */
import type { JournalReader } from '../../journal/reader.ts';
import { AlertEngine } from './engine.ts';
import { printRule, type RuleSpec } from './rule.ts';
import type { Preview } from './schema.ts';
import { breaches } from './state.ts';

/** Slots a preview reads at most (the most recent ones). */
export const PREVIEW_MAX_SLOTS = 2_000_000;
const MAX_WINDOWS = 120;
const MAX_GROUPS_SHOWN = 20;

export function previewRule(
  reader: JournalReader,
  spec: RuleSpec,
  now: number,
  lookbackMs?: number,
): Preview {
  const lookback = Math.min(lookbackMs ?? spec.windowMs * 10, spec.windowMs * MAX_WINDOWS);
  const sinceMs = now - lookback;
  const { head } = reader.publication();
  let from = reader.findByTime(sinceMs);
  const truncated = head - from > PREVIEW_MAX_SLOTS;
  if (truncated) from = head - PREVIEW_MAX_SLOTS;

  // The engine's own matching (streams, conditions, group and value fields), its windows left untouched.
  const windows = new Map<number, Map<string, { count: number; values: number[] }>>();
  const samples: number[] = [];
  let matched = 0;
  const engine = new AlertEngine({ now: () => now });
  engine.setRule('preview', { ...spec, enabled: true }, { createdAt: now, updatedAt: now }, null);
  const hits = engine.collect(reader, from, head);
  for (const hit of hits) {
    matched++;
    samples.push(hit.seq);
    if (samples.length > 20) samples.shift();
    const start = hit.time - ((hit.time - sinceMs) % spec.windowMs);
    let groups = windows.get(start);
    if (!groups) windows.set(start, (groups = new Map()));
    let g = groups.get(hit.group);
    if (!g) groups.set(hit.group, (g = { count: 0, values: [] }));
    g.count++;
    if (!Number.isNaN(hit.value)) g.values.push(hit.value);
  }
  const fold = (count: number, values: number[]): number | null => {
    switch (spec.aggregate.fn) {
      case 'count':
        return count;
      case 'sum':
        return values.length === 0 ? null : values.reduce((a, b) => a + b, 0);
      case 'avg':
        return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
      case 'min':
        return values.length === 0 ? null : Math.min(...values);
      case 'max':
        return values.length === 0 ? null : Math.max(...values);
    }
  };
  const out: Preview['windows'] = [];
  let wouldFire = false;
  for (let start = sinceMs; start < now; start += spec.windowMs) {
    const groups = windows.get(start);
    const rows: Preview['windows'][number]['groups'] = [];
    if (groups) {
      for (const [group, g] of groups) {
        const value = fold(g.count, g.values);
        const breach = breaches(value, spec.threshold.op, spec.threshold.value);
        wouldFire ||= breach;
        rows.push({ group: spec.groupBy === null ? null : group, value, count: g.count, breaches: breach });
      }
    }
    if (spec.groupBy === null && rows.length === 0) {
      const value = fold(0, []);
      const breach = breaches(value, spec.threshold.op, spec.threshold.value);
      wouldFire ||= breach;
      rows.push({ group: null, value, count: 0, breaches: breach });
    }
    rows.sort((a, b) => b.count - a.count);
    out.push({ start, groups: rows.slice(0, MAX_GROUPS_SHOWN) });
  }
  return {
    query: printRule(spec),
    range: { from, to: head, sinceMs, untilMs: now },
    scanned: head - from,
    matched,
    windows: out,
    samples,
    wouldFire,
    truncated,
  };
}
