import "server-only";
export { enforceRetention, measureUsedBytes, type RetentionPolicy, type RetentionResult } from "./retention";
