import "server-only";
/**
 * Coupling analysis (docs/architecture.md, "Coupling rules"): pure rules over a model built from a
 * window's spans, the architecture policy (stored in the control plane), and per-service coupling metrics.
 */
export {
  analyzeCoupling,
  runGraphRules,
  applyPolicy,
  sortFindings,
  type AnalysisResult,
  type SuppressedFinding,
} from "./analyze";
export { computeCouplingMetrics, type ServiceCouplingMetrics, type SystemCouplingMetrics } from "./metrics";
export { buildCouplingModel, EvidenceAcc, type CouplingModel } from "./model/build-model";
export { loadCouplingSpans, type LoadedSpans } from "./model/load-spans";
export { buildDependencyGraph, type DependencyGraph, type DependencyEdge } from "./graph/dependency-graph";
export {
  createControlPolicyStore,
  stringifyPolicy,
  type PolicyStore,
  type PolicyState,
  type PolicySaveResult,
} from "./policy/store";
export { parsePolicyText, type PolicyError } from "./policy/parse";
export { PolicySchema, defaultPolicy, ROLE_NAMES, type Policy, type Role } from "./policy/schema";
export { resolveOwnership, type Ownership } from "./policy/resolve";
export { detectSharedDatabases } from "./rules/shared-database";
export { detectSharedTables } from "./rules/shared-table";
export { detectCycles } from "./rules/cyclic-dependency";
export { detectHubs, detectFanOut } from "./rules/degree";
export { detectChattyCommunication } from "./rules/chatty-communication";
export { detectDeepCallChains } from "./rules/deep-call-chain";
export { detectGatewayBypass } from "./rules/gateway-bypass";
export { detectHardCodedEndpoints } from "./rules/hard-coded-endpoint";
export { detectSharedTopics } from "./rules/shared-topic";
export { detectForbiddenDependencies } from "./rules/forbidden-dependency";
export { RULE_IDS, KIND, severityOfLevel, type Finding, type RuleId, type Severity, type Level } from "./types";
export { getViolations, getCouplingMetrics } from "./service";
