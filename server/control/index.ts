import "server-only";

/**
 * Leader election for work that must run once per cluster (a lease in the control plane's
 * database, which server/store opens and migrates).
 */
export { assertFence, LeaderElection, LeadershipLostError, type Fence, type LeaderStatus } from "./leader";
export { defaultLeaseMs } from "./lease";
export { registerLeaderMetrics } from "./leader-metrics";
