/**
 * The rule editor's form state (strings, as the inputs hold them), made from a stored rule and turned into the
 * request body of either rule form. The hub validates the body and names the field of any mistake.
 *
 * @module
 */
import { formatDuration, type RuleView } from '../../../../src/hub/alerts/schema.ts';

export interface Draft {
  form: 'v1' | 'v2';
  name: string;
  query: string;
  from: string;
  conditions: string;
  match: 'all' | 'any';
  fn: string;
  field: string;
  groupBy: string;
  op: string;
  threshold: string;
  window: string;
  for: string;
  keepFiringFor: string;
  severity: string;
  description: string;
  /** `team=db, env=prod` */
  labels: string;
  enabled: boolean;
}

export const EMPTY: Draft = {
  form: 'v1',
  name: '',
  query: 'level = "error"',
  from: '',
  conditions: 'level = "error"',
  match: 'all',
  fn: 'count',
  field: '',
  groupBy: '',
  op: '>',
  threshold: '0',
  window: '1m',
  for: '0s',
  keepFiringFor: '0s',
  severity: 'warning',
  description: '',
  labels: '',
  enabled: true,
};

export function draftOf(rule: RuleView): Draft {
  const b = rule.body as Record<string, unknown>;
  return {
    ...EMPTY,
    form: rule.form,
    name: rule.name,
    query: typeof b.query === 'string' ? b.query : rule.query,
    from: rule.from.join(', '),
    conditions: Array.isArray(b.conditions) ? (b.conditions as string[]).join('\n') : (rule.where ?? ''),
    match: b.match === 'any' ? 'any' : 'all',
    fn: rule.aggregate.fn,
    field: rule.aggregate.field ?? '',
    groupBy: rule.groupBy ?? '',
    op: rule.threshold.op,
    threshold: String(rule.threshold.value),
    window: formatDuration(rule.windowMs),
    for: formatDuration(rule.forMs),
    keepFiringFor: formatDuration(rule.keepFiringForMs),
    severity: rule.severity,
    description: rule.description,
    labels: Object.entries(rule.labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
    enabled: rule.enabled,
  };
}

/** The request body of a draft (the hub validates it and names the field of any mistake). */
export function bodyOf(d: Draft, forPreview = false): Record<string, unknown> {
  const common: Record<string, unknown> = {
    threshold: { op: d.op, value: Number(d.threshold) },
    window: d.window.trim(),
    for: d.for.trim() || 0,
    severity: d.severity,
    description: d.description,
  };
  if (!forPreview) Object.assign(common, { name: d.name, labels: labelsOf(d.labels), enabled: d.enabled });
  if (d.form === 'v1') return { ...common, query: d.query };
  const conditions = d.conditions
    .split('\n')
    .map((c) => c.trim())
    .filter(Boolean);
  const from = d.from
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  return {
    ...common,
    from,
    conditions,
    match: d.match,
    aggregate: d.fn === 'count' ? { fn: 'count' } : { fn: d.fn, field: d.field.trim() },
    ...(d.groupBy.trim() ? { group_by: d.groupBy.trim() } : {}),
    keep_firing_for: d.keepFiringFor.trim() || 0,
  };
}

/** `team=db, env=prod` as labels; a pair without `=` is a label with an empty value. */
export function labelsOf(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at === -1) labels[pair.trim()] = '';
    else labels[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return labels;
}
