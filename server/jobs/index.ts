import "server-only";
export { retentionPolicyFrom, runRetention } from "./retention";
export { startClickHouseJobs } from "./clickhouse-jobs";
export { runEveryAsLeader, type LeaderJobs } from "./leader-interval";
