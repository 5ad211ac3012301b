/**
 * The control center's API client: one function per hub endpoint, each validating the answer with the hub's
 * own zod schema (src/hub/<feature>/schema.ts), each throwing `ApiError` on any failure. Pages import from
 * here; `useApi` loads and refreshes data in components. The hub's shapes are re-exported as types.
 *
 * @module
 */
export { ApiError, adviceFor, CLIENT_CODES, isAborted, toApiError } from './errors.ts';
export { configureApi, type RequestOptions } from './transport.ts';
export { type ApiState, useApi, type UseApiOptions } from './useApi.ts';

export { getJournalLayout, getRing, getStatus, getStreams, getSystem, getTopology } from './runtime.ts';
export { type AuditQuery, createKey, getAuditLog, listKeys, revokeKey } from './auth.ts';
export {
  type EventSelection,
  type EventsQuery,
  type ExportFile,
  type ExportQuery,
  exportEvents,
  getEvent,
  getReplay,
  getSimulation,
  listEvents,
  listReplays,
  listSimulations,
  startReplay,
  startSimulation,
  stopReplay,
  stopSimulation,
} from './events.ts';
export { controlPlayback, getPlayback, type PlaybackActionInput } from './playback.ts';
export { getVerifyRun, listVerifyRuns, startVerifyRun } from './verify.ts';
export { getMetricsHistory, getPrometheusText, type HistoryQuery } from './metrics.ts';
export {
  createConnector,
  deleteConnector,
  ingestToConnector,
  listConnectors,
  setConnectorPaused,
  testConnector,
} from './connectors.ts';
export { getServiceGraph, getTrace, ingestSpans, listTraces, type TracesQuery } from './traces.ts';
export {
  checkQuery,
  deleteSavedQuery,
  downloadQuery,
  getQueryHistory,
  listSavedQueries,
  type QueryDownload,
  runQuery,
  saveQuery,
  updateSavedQuery,
} from './query.ts';
export {
  createDashboard,
  deleteDashboard,
  exportDashboard,
  getDashboard,
  getWidgetData,
  importDashboard,
  listDashboards,
  previewWidget,
  updateDashboard,
} from './dashboards.ts';

export {
  createPipeline,
  deletePipeline,
  dryRunPipeline,
  getPipeline,
  listPipelines,
  setPipelineRunning,
  updatePipeline,
} from './pipelines.ts';

export type {
  LayoutResponse,
  RingResponse,
  StatusResponse,
  StreamsResponse,
  SystemResponse,
  TopologyResponse,
} from '../../../src/hub/runtime/schema.ts';
export type {
  ApiKey,
  AuditEntry,
  AuditPage,
  CreatedKey,
  CreateKeyBody,
  Scope,
} from '../../../src/hub/auth/schema.ts';
export type {
  EventDetail,
  EventsPage,
  EventView,
  PayloadMode,
  ReplayJob,
  SimulateJob,
} from '../../../src/hub/events/schema.ts';
export type { PlaybackState } from '../../../src/hub/playback/schema.ts';
export type {
  JournalCheckView,
  PropertyResultView,
  VerifyRunList,
  VerifyRunSummary,
  VerifyRunView,
} from '../../../src/hub/verify/schema.ts';
export type { HistoryResponse, MetricsSnapshotView, SeriesName } from '../../../src/hub/metrics/schema.ts';
