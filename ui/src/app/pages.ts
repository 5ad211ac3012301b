/**
 * The page registry: every page of the control center, in navigation order, with its path and the module
 * that renders it (`ui/src/pages/<folder>/index.tsx`, default export, loaded when first visited so that heavy
 * libraries such as recharts or @xyflow/react load only with the pages that use them).
 *
 * To add a page: create `ui/src/pages/<folder>/index.tsx` exporting the page component as default, and add an
 * entry here. The shell builds the navigation and the routes from this list.
 *
 * @module
 */
import { type ComponentType, lazy, type LazyExoticComponent } from 'react';

export type Section = 'Observe' | 'Journal' | 'Build' | 'System';

export interface PageEntry {
  /** Stable id, also the folder name under ui/src/pages/. */
  id: string;
  title: string;
  /** `/explorer`; sub-paths (`/explorer/42`) belong to the same page. */
  path: string;
  section: Section;
  /** One line, shown as the navigation link's tooltip. */
  summary: string;
  /** False while the hub feature behind it does not exist (the page says so). */
  available: boolean;
  component: LazyExoticComponent<ComponentType>;
}

const page = (
  id: string,
  title: string,
  path: string,
  section: Section,
  summary: string,
  load: () => Promise<{ default: ComponentType }>,
  available = true,
): PageEntry => ({ id, title, path, section, summary, available, component: lazy(load) });

export const PAGES: readonly PageEntry[] = [
  page(
    'overview',
    'Overview',
    '/',
    'Observe',
    'Live throughput, ring and blob use, counters, sequencer health',
    () => import('../pages/overview/index.tsx'),
  ),
  page(
    'event-explorer',
    'Event Explorer',
    '/explorer',
    'Journal',
    'Page through the journal; inspect payloads',
    () => import('../pages/event-explorer/index.tsx'),
  ),
  page(
    'journal-mirror',
    'Journal Mirror',
    '/journal',
    'Journal',
    'The ring and blob regions, live; playback',
    () => import('../pages/journal-mirror/index.tsx'),
  ),
  page(
    'topology',
    'Topology',
    '/topology',
    'Observe',
    'Nodes → streams → consumers with live rates',
    () => import('../pages/topology/index.tsx'),
  ),
  page(
    'analytics',
    'Analytics',
    '/analytics',
    'Observe',
    'Rates over time, payload sizes, clock skew',
    () => import('../pages/analytics/index.tsx'),
  ),
  page(
    'connectors',
    'Connectors',
    '/connectors',
    'Build',
    'Ingest from and export to NATS, HTTP and more',
    () => import('../pages/connectors/index.tsx'),
  ),
  page(
    'query-console',
    'Query Console',
    '/query',
    'Journal',
    'Ask the journal questions in the query language',
    () => import('../pages/query-console/index.tsx'),
  ),
  page(
    'traces',
    'Traces',
    '/traces',
    'Observe',
    'Distributed traces from OpenTelemetry exporters',
    () => import('../pages/traces/index.tsx'),
  ),
  page(
    'pipelines',
    'Pipelines',
    '/pipelines',
    'Build',
    'Transform and route events, live or replayed',
    () => import('../pages/pipelines/index.tsx'),
  ),
  page(
    'dashboards',
    'Dashboards',
    '/dashboards',
    'Observe',
    'Your own charts from queries',
    () => import('../pages/dashboards/index.tsx'),
  ),
  page(
    'incidents',
    'Incidents',
    '/incidents',
    'Observe',
    'Alert rules, incidents and notifications',
    () => import('../pages/incidents/index.tsx'),
  ),
  page(
    'verification',
    'Verification',
    '/verification',
    'System',
    'Run the property suites and journal checks',
    () => import('../pages/verification/index.tsx'),
  ),
  page(
    'settings',
    'Settings',
    '/settings',
    'System',
    'API keys, audit log, theme, refresh',
    () => import('../pages/settings/index.tsx'),
  ),
];

export const SECTIONS: readonly Section[] = ['Observe', 'Journal', 'Build', 'System'];

/** The page a path belongs to (`/explorer/42` → Event Explorer), or null. */
export function pageForPath(path: string): PageEntry | null {
  const clean = path.replace(/\/+$/, '') || '/';
  if (clean === '/') return PAGES.find((p) => p.path === '/') ?? null;
  return PAGES.find((p) => p.path !== '/' && (clean === p.path || clean.startsWith(`${p.path}/`))) ?? null;
}
