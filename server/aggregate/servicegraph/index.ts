import "server-only";
/**
 * Service graph stage (docs/architecture.md, "Service graph"). Tier 1: createServiceGraphAggregator
 * (runs in the writer thread). Tier 2: buildGraphFromSpans over stored spans. Both share
 * classifySpan / PairingStore / settleExpired, so their semantics cannot drift.
 */
export {
  createServiceGraphAggregator,
  type ServiceGraphAggregator,
  type ServiceGraphAggregatorOptions,
} from "./aggregator";
export { buildGraphFromSpans, mergeAccumulatorEdges, sumCompleteness, type BuildGraphOptions } from "./build-graph";
export {
  pairSpans,
  PairingStore,
  settleExpired,
  createListLookup,
  type PairingSink,
  type PartnerLookup,
  type PairingOptions,
} from "./pairing-store";
export { pairCalls, type PairedCall } from "./pair-calls";
export { classifySpan, protocolOf, isConnectSpan, calleeOf, spanServiceKey } from "./classify-span";
export {
  databaseNode,
  messagingNode,
  externalNode,
  callerNode,
  serviceNode,
  serviceKey,
  splitServiceKey,
  withEnvironment,
  environmentOfNodeId,
  scopeNode,
  splitNamespace,
  pickPeerHost,
  userAgentFamily,
} from "./node-identity";
export { scopeServiceMap, environmentOfNode, matchesEnvironment, NO_ENVIRONMENT, type MapScope } from "./scope-map";
export { GraphAccumulator, mergeDetail, type NodeMeta, type EdgeMinute, type EdgeMeta } from "./graph-accumulator";
export { toGraphBatch } from "./graph-batch";
export {
  assembleServiceMap,
  computeStats,
  focusMap,
  addEdgeTotals,
  type ServiceMap,
  type MapNode,
  type MapEdge,
  type MapStats,
  type MapCompleteness,
  type MergedEdge,
  type ServedStats,
} from "./assemble-map";
export { classifyHealth, HEALTH_THRESHOLDS, type Health } from "./health";
export {
  registerServiceGraphMetrics,
  EdgeSeriesBook,
  LATENCY_BUCKETS_SECONDS,
  type ServiceGraphSnapshot,
} from "./metrics";
export * from "./types";
export { computeGraphPass, type ClusterPairingSource } from "./cluster-pairing";
export {
  runDuePairingPasses,
  runEarlyPairingPasses,
  type ClusterGraphStore,
  type PairingPassOptions,
} from "./cluster-pairing-job";
export { LatePassScanner, LATE_HORIZON_MS, type LateArrivalStore, type LatePassRun } from "./late-passes";
export { openPassGuards, seedPeerGuard, type PassGuards, type PassGuardLimits } from "./pass-guards";
export { PeerGuard } from "./peer-guard";
