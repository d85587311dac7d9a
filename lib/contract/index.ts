/**
 * The API contract (client-safe: zod only, never server code). Every route the server
 * answers is declared from an entry here; the UI infers its types from the same schemas;
 * /api/v1/openapi.json is generated from them.
 */
import * as access from "./access";
import * as alerting from "./alerting";
import * as coupling from "./coupling";
import * as logs from "./logs";
import * as jaeger from "./jaeger";
import * as serviceMap from "./service-map";
import * as system from "./system";
import * as telemetry from "./telemetry";
import type { AnyEndpoint } from "./endpoint";

export * from "./enums";
export * from "./common";
export * from "./endpoint";
export * from "./time-window";
export * from "./alert-inputs";
export * from "./telemetry";
export * from "./service-map";
export * from "./coupling";
export * from "./logs";
export * from "./jaeger";
export * from "./alerting";
export * from "./system";
export * from "./access";

/** Every endpoint by id: `contract.getServices`, ... */
export const contract = {
  getServices: telemetry.getServices,
  getOperations: telemetry.getOperations,
  getServiceTimeseries: telemetry.getServiceTimeseries,
  searchTraces: telemetry.searchTraces,
  getTrace: telemetry.getTrace,
  listMetrics: telemetry.listMetrics,
  queryMetric: telemetry.queryMetric,
  searchLogs: logs.searchLogs,
  getLogHistogram: logs.getLogHistogram,
  getTraceLogs: logs.getTraceLogs,
  getServiceMap: serviceMap.getServiceMap,
  getServiceMapSummary: serviceMap.getServiceMapSummary,
  getServiceMapDiff: serviceMap.getServiceMapDiff,
  getEdgeTimeseries: serviceMap.getEdgeTimeseries,
  layoutServiceMap: serviceMap.layoutServiceMap,
  getViolations: coupling.getViolations,
  getCouplingMetrics: coupling.getCouplingMetrics,
  getServiceCoupling: coupling.getServiceCoupling,
  getPolicy: coupling.getPolicy,
  putPolicy: coupling.putPolicy,
  listAlertRules: alerting.listAlertRules,
  createAlertRule: alerting.createAlertRule,
  previewAlertRule: alerting.previewAlertRule,
  getAlertRule: alerting.getAlertRule,
  updateAlertRule: alerting.updateAlertRule,
  deleteAlertRule: alerting.deleteAlertRule,
  listAlerts: alerting.listAlerts,
  getAlertHistory: alerting.getAlertHistory,
  listSilences: alerting.listSilences,
  createSilence: alerting.createSilence,
  deleteSilence: alerting.deleteSilence,
  listChannels: alerting.listChannels,
  createChannel: alerting.createChannel,
  getChannel: alerting.getChannel,
  updateChannel: alerting.updateChannel,
  deleteChannel: alerting.deleteChannel,
  jaegerServices: jaeger.jaegerServices,
  jaegerServiceOperations: jaeger.jaegerServiceOperations,
  jaegerOperations: jaeger.jaegerOperations,
  jaegerTraces: jaeger.jaegerTraces,
  jaegerTrace: jaeger.jaegerTrace,
  jaegerDependencies: jaeger.jaegerDependencies,
  getOpenApi: system.getOpenApi,
  getSession: access.getSession,
  login: access.login,
  logout: access.logout,
  completeSetup: access.completeSetup,
  listUsers: access.listUsers,
  createUser: access.createUser,
  updateUser: access.updateUser,
  deleteUser: access.deleteUser,
  listTokens: access.listTokens,
  createToken: access.createToken,
  revokeToken: access.revokeToken,
  listIngestKeys: access.listIngestKeys,
  createIngestKey: access.createIngestKey,
  revokeIngestKey: access.revokeIngestKey,
} as const satisfies Record<string, AnyEndpoint>;

/** Endpoints answered in front of the API router (OTLP receivers, probes, /metrics). */
export const outsideRouter = {
  exportTraces: system.exportTraces,
  exportMetrics: system.exportMetrics,
  exportLogs: logs.exportLogs,
  exportZipkinSpans: system.exportZipkinSpans,
  getSelfMetrics: system.getSelfMetrics,
  getHealthz: system.getHealthz,
  getReadyz: system.getReadyz,
} as const satisfies Record<string, AnyEndpoint>;

/** Every endpoint of the contract, for the OpenAPI document and the contract test. */
export const allEndpoints: AnyEndpoint[] = [...Object.values(contract), ...Object.values(outsideRouter)];
