import "server-only";

/**
 * The control plane's door: its Prisma database (SQLite or PostgreSQL, migrated at start)
 * and leader election for work that must run once per cluster.
 */
export {
  connectControlDb,
  controlDbKind,
  describeControlDb,
  openControlDb,
  resolveControlDb,
  type ControlDb,
  type ControlDbKind,
  type ControlDbTarget,
} from "./control-db";
export { applyMigrations, type MigrationReport } from "./migrate";
export { insertRowBatches } from "./batch-insert";
export { assertFence, LeaderElection, LeadershipLostError, type Fence, type LeaderStatus } from "./leader";
export { defaultLeaseMs } from "./lease";
export { registerLeaderMetrics } from "./leader-metrics";
