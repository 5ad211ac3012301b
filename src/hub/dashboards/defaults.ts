/**
 * The dashboard a new hub starts with: the sequencer's health from the hub's own metrics (event rate, ring
 * fill, drops) next to what the journal holds (events by stream, the newest events), all over the last hour.
 *
 * @module
 */
import type { DashboardContent } from './store.ts';

export const DEFAULT_DASHBOARD_FLAG = 'default-dashboard-created';

export const DEFAULT_DASHBOARD: DashboardContent = {
  name: 'Sequencer health',
  description:
    'Created on first start: the sequencer’s rates, ring fill and drops, and what the journal holds.',
  timeRange: { since: '1h', until: null },
  refreshSec: 10,
  widgets: [
    {
      id: 'events-per-sec',
      type: 'timeseries',
      title: 'Events per second',
      metric: 'eventsPerSec',
      layout: { x: 0, y: 0, w: 8, h: 4 },
    },
    {
      id: 'ring-fill',
      type: 'value',
      title: 'Ring fill',
      metric: 'ringUtilization',
      layout: { x: 8, y: 0, w: 4, h: 2 },
    },
    {
      id: 'dropped-per-sec',
      type: 'value',
      title: 'Dropped per second',
      metric: 'droppedPerSec',
      layout: { x: 8, y: 2, w: 4, h: 2 },
    },
    {
      id: 'events-by-stream',
      type: 'timeseries',
      title: 'Events by stream',
      query: 'SELECT COUNT(*) FROM * GROUP BY stream',
      layout: { x: 0, y: 4, w: 8, h: 4 },
    },
    {
      id: 'events-in-range',
      type: 'value',
      title: 'Events in range',
      query: 'SELECT COUNT(*) FROM *',
      layout: { x: 8, y: 4, w: 4, h: 2 },
    },
    {
      id: 'evicted-per-sec',
      type: 'value',
      title: 'Evicted per second',
      metric: 'evictedPerSec',
      layout: { x: 8, y: 6, w: 4, h: 2 },
    },
    {
      id: 'latest-events',
      type: 'log',
      title: 'Latest events',
      query: 'SELECT seq, time, stream, node, payload FROM * LIMIT 50',
      layout: { x: 0, y: 8, w: 12, h: 5 },
    },
  ],
};
