/**
 * The one door other features use to open incidents: a pipeline's `incident` sink opens (or joins) incidents
 * here, so silences, channels, deduplication and the timeline work exactly as for a rule's alert. Other
 * features import this module and never the alerts internals; the alerts feature imports no other feature
 * (ARCHITECTURE.md: imports between features are deliberate and one-way).
 *
 * The hub builds each feature with the same services object, so the incident service is found by it: a hub
 * without the alerts feature has none, and two hubs in one process (tests) never share one.
 *
 * @module
 */
import type { HubServices } from '../hub.ts';
import type { IncidentService } from './incidents.ts';
import type { Evidence, Severity } from './schema.ts';

export interface ExternalIncident {
  /**
   * Who raises it, as a stable key (`pipeline:pl_0123456789ab/node`): an incident still unresolved for the same
   * source and group is joined instead of opening another. Shown where a rule's id would be.
   */
  source: string;
  /** The source as people read it, shown where a rule's name would be. */
  sourceName: string;
  group: string;
  severity: Severity;
  title: string;
  description: string;
  labels: Record<string, string>;
  evidence: Evidence;
}

export interface IncidentOpener {
  open(incident: ExternalIncident): { id: number; created: boolean };
}

const openers = new WeakMap<HubServices, IncidentOpener>();

/** Called by the alerts feature when it is created. */
export function registerIncidentOpener(services: HubServices, incidents: IncidentService): void {
  openers.set(services, {
    open(i) {
      const { incident, created } = incidents.open({
        ruleId: i.source,
        rule: i.sourceName,
        group: i.group,
        severity: i.severity,
        labels: i.labels,
        title: i.title,
        description: i.description,
        evidence: i.evidence,
      });
      return { id: incident.id, created };
    },
  });
}

/** The incident opener of the hub these services belong to, or null when it runs without the alerts feature. */
export function incidentOpenerOf(services: HubServices): IncidentOpener | null {
  return openers.get(services) ?? null;
}
