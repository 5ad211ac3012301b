/**
 * The alerts endpoints: alert states, rules (both forms, edit, delete, preview), incidents and their
 * lifecycle, notification channels and silences. Who acted is the name of the key that made the request.
 *
 * @module
 */
import { z } from 'zod';
import { timeParam } from '../events/params.ts';
import { resolveTimeBound } from '../events/time.ts';
import type { Principal } from '../auth/service.ts';
import { type AnyRoute, defineRoute, limitParam, queryInteger } from '../routes.ts';
import type { RuleForm } from './rule.ts';
import {
  type AlertList,
  channelBodySchema,
  idParams,
  incidentActionBodySchema,
  incidentNoteBodySchema,
  incidentParams,
  INCIDENT_STATES,
  type IncidentList,
  previewBodySchema,
  ruleIdParams,
  SEVERITIES,
  silenceBodySchema,
  testIncidentBodySchema,
} from './schema.ts';
import type { AlertService } from './service.ts';

const incidentListQuery = z.strictObject({
  state: z.enum(INCIDENT_STATES).optional(),
  severity: z.enum(SEVERITIES).optional(),
  rule: z.string().min(1).max(100).optional(),
  since: timeParam('since').optional(),
  limit: limitParam(500, 50),
  offset: queryInteger('offset').optional(),
});

/** Either rule form, told apart by its fields: `conditions`, `aggregate`, `group_by`, `from` or `keep_firing_for` make it v2. */
const V2_KEYS = ['conditions', 'aggregate', 'group_by', 'from', 'keep_firing_for', 'match'];
const formOf = (body: unknown): RuleForm =>
  body !== null && typeof body === 'object' && V2_KEYS.some((k) => k in body) ? 'v2' : 'v1';

const anyObject = z.record(z.string(), z.unknown(), { error: 'expected a JSON object' });

const who = (p: Principal | null): string | null => p?.keyName ?? null;

export function alertRoutes(service: AlertService, now: () => number): AnyRoute[] {
  return [
    defineRoute({
      method: 'GET',
      path: '/api/alerts',
      summary: 'Current alert states (pending, firing, recently resolved)',
      handler: (c) => {
        const body: AlertList = {
          alerts: service.engine.alerts(),
          position: service.position,
          lag: service.lag,
        };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/alerts/rules',
      summary: 'List alert rules',
      handler: (c) => c.json({ rules: service.rules() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/rules',
      summary: 'Create an alert rule (a query, a threshold, a window and a for duration)',
      body: anyObject,
      handler: (c, { body }) => {
        const rule = service.saveRule('v1', body);
        c.set('auditTarget', rule.id);
        return c.json(rule, 201);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/rules/v2',
      summary: 'Create an alert rule in the richer form (conditions, aggregate, group_by, keep_firing_for)',
      body: anyObject,
      handler: (c, { body }) => {
        const rule = service.saveRule('v2', body);
        c.set('auditTarget', rule.id);
        return c.json(rule, 201);
      },
    }),
    defineRoute({
      method: 'PUT',
      path: '/api/alerts/rules/:id',
      summary: 'Replace an alert rule (either form); its alerts start again from ok',
      params: ruleIdParams,
      body: anyObject,
      handler: (c, { params, body }) => c.json(service.saveRule(formOf(body), body, params.id)),
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/alerts/rules/:id',
      summary: 'Delete an alert rule (its incidents stay)',
      params: ruleIdParams,
      handler: (c, { params }) => {
        service.deleteRule(params.id);
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/rules/preview',
      summary: 'What a rule would have matched over a recent stretch of the journal',
      readOnly: true,
      body: previewBodySchema,
      handler: (c, { body }) => c.json(service.preview(body.form, body.rule, body.lookback)),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/alerts/incidents',
      summary: 'List incidents, newest first (filters: state, severity, rule, since; limit/offset)',
      query: incidentListQuery,
      handler: (c, { query }) => {
        const filter = {
          limit: query.limit,
          offset: query.offset ?? 0,
          ...(query.state === undefined ? {} : { state: query.state }),
          ...(query.severity === undefined ? {} : { severity: query.severity }),
          ...(query.rule === undefined ? {} : { rule: query.rule }),
          ...(query.since === undefined ? {} : { since: resolveTimeBound(query.since, now()) }),
        };
        const { incidents, total } = service.incidents.list(filter);
        const body: IncidentList = { incidents, total, limit: filter.limit, offset: filter.offset };
        return c.json(body);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/alerts/incidents/:id',
      summary: 'One incident with its timeline, evidence and delivery log',
      params: incidentParams,
      handler: (c, { params }) => c.json(service.incidents.detail(params.id)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/incidents/test',
      summary: 'Open a test incident through the normal path (silences and notifications included)',
      body: testIncidentBodySchema,
      handler: (c, { body, principal }) => {
        const { incident } = service.incidents.open({
          ruleId: null,
          rule: null,
          group: null,
          severity: body?.severity ?? 'info',
          labels: { test: 'true', ...body?.labels },
          title: body?.title ?? 'Test incident',
          description: body?.description ?? `a test incident opened by ${who(principal) ?? 'unknown'}`,
          evidence: { firstSeq: null, lastSeq: null, samples: [], value: null },
          test: true,
        });
        c.set('auditTarget', String(incident.id));
        return c.json(service.incidents.detail(incident.id), 201);
      },
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/incidents/:id/acknowledge',
      summary: 'Acknowledge an open incident',
      params: incidentParams,
      body: incidentActionBodySchema,
      handler: (c, { params, body, principal }) =>
        c.json(service.incidents.transition(params.id, 'acknowledged', who(principal), body?.comment)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/incidents/:id/resolve',
      summary: 'Resolve an open or acknowledged incident',
      params: incidentParams,
      body: incidentActionBodySchema,
      handler: (c, { params, body, principal }) =>
        c.json(service.incidents.transition(params.id, 'resolved', who(principal), body?.comment)),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/incidents/:id/notes',
      summary: "Add a note to an incident's timeline",
      params: incidentParams,
      body: incidentNoteBodySchema,
      handler: (c, { params, body, principal }) =>
        c.json(service.incidents.note(params.id, who(principal), body.text), 201),
    }),
    defineRoute({
      method: 'GET',
      path: '/api/alerts/channels',
      summary: 'List notification channels',
      handler: (c) => c.json({ channels: service.store.channels() }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/channels',
      summary: 'Add a notification channel (webhook or slack)',
      body: channelBodySchema,
      handler: (c, { body }) => {
        const channel = service.addChannel(body);
        c.set('auditTarget', channel.id);
        return c.json(channel, 201);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/alerts/channels/:id',
      summary: 'Delete a notification channel',
      params: idParams,
      handler: (c, { params }) => {
        service.deleteChannel(params.id);
        return c.body(null, 204);
      },
    }),
    defineRoute({
      method: 'GET',
      path: '/api/alerts/silences',
      summary: 'List silences (pending, active and expired)',
      handler: (c) => c.json({ silences: service.store.silences(now()) }),
    }),
    defineRoute({
      method: 'POST',
      path: '/api/alerts/silences',
      summary: 'Silence notifications of matching incidents for a while',
      body: silenceBodySchema,
      handler: (c, { body, principal }) => {
        const silence = service.addSilence(body, who(principal));
        c.set('auditTarget', silence.id);
        return c.json(silence, 201);
      },
    }),
    defineRoute({
      method: 'DELETE',
      path: '/api/alerts/silences/:id',
      summary: 'Expire a silence now (it stays listed as expired)',
      params: idParams,
      handler: (c, { params }) => c.json(service.expireSilence(params.id)),
    }),
  ];
}
