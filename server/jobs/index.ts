import "server-only";
export { retentionPolicyFrom, runRetention } from "./retention";
