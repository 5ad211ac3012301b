/**
 * Rule bodies (the simple form and the v2 form) compiled into one `RuleSpec` the engine evaluates: the query
 * parsed with the query language's parser (errors name the body field and point into its text), conditions
 * combined, the group and value fields parsed as field paths. Also the description template.
 *
 * @module
 */
import { HubError, validationError } from '../errors.ts';
import type { Expr, Field, Query, StreamRef } from '../query/ast.ts';
import { parseCondition } from '../query/condition.ts';
import { parseQuery, positionOf } from '../query/parser.ts';
import { printExpr, printField, printQuery } from '../query/printer.ts';
import {
  type AggregateFn,
  type RuleView,
  ruleBodySchema,
  ruleV2BodySchema,
  type Severity,
  type Threshold,
} from './schema.ts';

export type RuleForm = 'v1' | 'v2';

export interface RuleSpec {
  name: string;
  form: RuleForm;
  from: StreamRef[] | null;
  where: Expr | null;
  aggregate: { fn: AggregateFn; field: Field | null };
  groupBy: Field | null;
  threshold: Threshold;
  windowMs: number;
  forMs: number;
  keepFiringForMs: number;
  severity: Severity;
  labels: Record<string, string>;
  description: string;
  enabled: boolean;
  /** The validated body, stored and shown so an editor can round-trip it. */
  body: Record<string, unknown>;
}

function syntaxError(
  field: string,
  text: string,
  prefix: string,
  error: { offset: number; message: string },
) {
  const offset = Math.max(0, error.offset - prefix.length);
  const { line, column } = positionOf(text, offset);
  const what = error.message.replace(/^line \d+, column \d+: /, '');
  return new HubError(400, 'QUERY_SYNTAX', `${field}: line ${line}, column ${column}: ${what}`, {
    field,
    line,
    column,
    offset,
  });
}

const FIELD_PREFIX = 'SELECT COUNT(*) FROM * GROUP BY ';

/** A condition of the query language alone (`amount > 100 AND status = "ok"`). */
export function parseRuleCondition(text: string, field: string): Expr {
  const parsed = parseCondition(text);
  if (parsed.ok) return parsed.expr;
  if (parsed.kind === 'syntax') {
    const { line, column, offset, message } = parsed;
    throw new HubError(400, 'QUERY_SYNTAX', `${field}: line ${line}, column ${column}: ${message}`, {
      field,
      line,
      column,
      offset,
    });
  }
  throw new HubError(
    400,
    'RULE_INVALID',
    `${field}: a condition only (like level = "error"), no other clauses`,
    { field },
  );
}

/** A field path (`service`, `customer.id`, `node`). */
export function parseFieldPath(text: string, field: string): Field {
  const parsed = parseQuery(FIELD_PREFIX + text);
  if (!parsed.ok) throw syntaxError(field, text, FIELD_PREFIX, parsed.error);
  const q = parsed.query;
  if (q.groupBy === null || q.where || q.since || q.until || q.bucketMs !== null || q.limit !== null)
    throw new HubError(400, 'RULE_INVALID', `${field}: expected one field (like service or customer.id)`, {
      field,
    });
  return q.groupBy;
}

/** The simple form's query: a bare condition, or `SELECT COUNT(*) FROM … [WHERE …] [GROUP BY …]`. */
function parseRuleQuery(text: string): Pick<RuleSpec, 'from' | 'where' | 'groupBy'> {
  if (!/^\s*(select|explain)\b/i.test(text))
    return { from: null, where: parseRuleCondition(text, 'body.query'), groupBy: null };
  const parsed = parseQuery(text);
  if (!parsed.ok) throw syntaxError('body.query', text, '', parsed.error);
  const q = parsed.query;
  const extra = [
    q.explain && 'EXPLAIN',
    q.since && 'SINCE',
    q.until && 'UNTIL',
    q.bucketMs !== null && 'BY <duration>',
    q.limit !== null && 'LIMIT',
    q.offset !== null && 'OFFSET',
  ].filter(Boolean);
  if (q.projection.kind !== 'count' || extra.length > 0) {
    throw new HubError(
      400,
      'RULE_INVALID',
      `body.query: a rule counts events over its window: use SELECT COUNT(*) FROM … WHERE … [GROUP BY …] or a bare condition${
        extra.length > 0 ? ` (the window replaces ${extra.join(', ')})` : ''
      }`,
      { field: 'body.query' },
    );
  }
  return { from: q.from, where: q.where, groupBy: q.groupBy };
}

/** Validates a body of either form and compiles it; every failure is a 400 naming the field. */
export function compileRule(form: RuleForm, raw: unknown): RuleSpec {
  if (form === 'v1') {
    const parsed = ruleBodySchema.safeParse(raw);
    if (!parsed.success) throw validationError('body', parsed.error);
    const b = parsed.data;
    return {
      name: b.name,
      form,
      ...parseRuleQuery(b.query),
      aggregate: { fn: 'count', field: null },
      threshold: b.threshold,
      windowMs: b.window,
      forMs: b.for,
      keepFiringForMs: 0,
      severity: b.severity,
      labels: b.labels,
      description: b.description,
      enabled: b.enabled,
      body: { ...b },
    };
  }
  const parsed = ruleV2BodySchema.safeParse(raw);
  if (!parsed.success) throw validationError('body', parsed.error);
  const b = parsed.data;
  let where: Expr | null = null;
  b.conditions.forEach((text, i) => {
    const expr = parseRuleCondition(text, `body.conditions.${i}`);
    where = where === null ? expr : { kind: b.match === 'all' ? 'and' : 'or', left: where, right: expr };
  });
  return {
    name: b.name,
    form,
    from: b.from.length === 0 ? null : b.from,
    where,
    aggregate: {
      fn: b.aggregate.fn,
      field:
        b.aggregate.field === undefined ? null : parseFieldPath(b.aggregate.field, 'body.aggregate.field'),
    },
    groupBy: b.group_by === undefined ? null : parseFieldPath(b.group_by, 'body.group_by'),
    threshold: b.threshold,
    windowMs: b.window,
    forMs: b.for,
    keepFiringForMs: b.keep_firing_for,
    severity: b.severity,
    labels: b.labels,
    description: b.description,
    enabled: b.enabled,
    body: { ...b },
  };
}

/** The rule as one line of the query language (with the aggregate in place of COUNT(*) when it is not a count). */
export function printRule(spec: RuleSpec): string {
  const q: Query = {
    explain: false,
    projection: { kind: 'count' },
    from: spec.from,
    where: spec.where,
    since: null,
    until: null,
    groupBy: spec.groupBy,
    bucketMs: null,
    limit: null,
    offset: null,
  };
  const text = printQuery(q);
  const { fn, field } = spec.aggregate;
  if (fn === 'count' || field === null) return text;
  return text.replace(/^SELECT COUNT\(\*\)/, `SELECT ${fn.toUpperCase()}(${printField(field)})`);
}

export function ruleView(
  id: string,
  spec: RuleSpec,
  times: { createdAt: number; updatedAt: number },
): RuleView {
  return {
    id,
    name: spec.name,
    form: spec.form,
    query: printRule(spec),
    from: spec.from ?? [],
    where: spec.where === null ? null : printExpr(spec.where),
    aggregate: {
      fn: spec.aggregate.fn,
      field: spec.aggregate.field === null ? null : printField(spec.aggregate.field),
    },
    groupBy: spec.groupBy === null ? null : printField(spec.groupBy),
    threshold: spec.threshold,
    windowMs: spec.windowMs,
    forMs: spec.forMs,
    keepFiringForMs: spec.keepFiringForMs,
    severity: spec.severity,
    labels: spec.labels,
    description: spec.description,
    enabled: spec.enabled,
    ...times,
    body: spec.body,
  };
}

/** Fills `{{value}}`, `{{threshold}}`, `{{group}}`, `{{rule}}`, `{{severity}}` and `{{labels.x}}`; unknown names stay as written. */
export function renderTemplate(
  template: string,
  vars: {
    value: number | null;
    threshold: number;
    group: string | null;
    rule: string;
    severity: string;
    labels: Record<string, string>;
  },
): string {
  return template.replace(
    /\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\s*\}\}/g,
    (whole, name: string) => {
      if (name.startsWith('labels.')) return vars.labels[name.slice(7)] ?? whole;
      switch (name) {
        case 'value':
          return vars.value === null ? 'n/a' : String(Math.round(vars.value * 1000) / 1000);
        case 'threshold':
          return String(vars.threshold);
        case 'group':
          return vars.group ?? '';
        case 'rule':
          return vars.rule;
        case 'severity':
          return vars.severity;
      }
      return whole;
    },
  );
}
