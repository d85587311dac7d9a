import "server-only";
export { AccessService, type Caller, type Credentials, type LoginResult } from "./access-service";
export { AccessError } from "./errors";
export type { IngestVerdict, IngestKeyView } from "./ingest-keys";
export type { TokenView } from "./api-tokens";
export type { UserView } from "./users";
export {
  ROLES,
  ANONYMOUS_ADMIN,
  decideAccess,
  defaultAccess,
  isRole,
  type Access,
  type Principal,
  type Role,
} from "./roles";
export {
  buildHostAllowList,
  checkHost,
  checkMutation,
  isMutation,
  resolveAuthEnabled,
  type GuardRefusal,
  type HostAllowList,
} from "./request-guard";
export { API_CSP, buildCsp, buildSecurityHeaders, createNonce } from "./security-headers";
