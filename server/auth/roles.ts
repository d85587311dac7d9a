import "server-only";

/**
 * Roles and the per-route access decision (pure). viewer: read; editor: change rules,
 * channels, silences and the policy; admin: also manage users, API tokens and ingest keys.
 */
import { ROLES, type Role } from "../../lib/enums";

export { ROLES, type Role };
/** What a route requires. `public`: anyone who reaches the port (login, health). */
export type Access = "public" | Role;

const RANK: Record<Access, number> = { public: 0, viewer: 1, editor: 2, admin: 3 };

export interface Principal {
  /** User id ("" for the anonymous principal when authentication is off). */
  userId: string;
  name: string;
  role: Role;
  via: "session" | "token" | "none";
  /** Set when `via` is "token". */
  tokenId?: string;
}

/** Everyone is this principal when authentication is off. */
export const ANONYMOUS_ADMIN: Principal = { userId: "", name: "anonymous", role: "admin", via: "none" };

export function hasRole(role: Role, needed: Access): boolean {
  return RANK[role] >= RANK[needed];
}

/** The lower of two roles (a token never exceeds its owner's current role). */
export function minRole(a: Role, b: Role): Role {
  return RANK[a] <= RANK[b] ? a : b;
}

/** GET (and HEAD) needs viewer; anything else editor; routes override with their own `access`. */
export function defaultAccess(method: string): Access {
  return method === "GET" || method === "HEAD" ? "viewer" : "editor";
}

export type AccessVerdict = { ok: true } | { ok: false; status: 401 | 403; code: string; message: string };

export function decideAccess(principal: Principal | null, needed: Access, what: string): AccessVerdict {
  if (needed === "public") return { ok: true };
  if (!principal) {
    return {
      ok: false,
      status: 401,
      code: "unauthenticated",
      message: `sign in, or send Authorization: Bearer <API token>, to use ${what}`,
    };
  }
  if (!hasRole(principal.role, needed)) {
    return {
      ok: false,
      status: 403,
      code: "forbidden",
      message: `${what} needs the ${needed} role; ${principal.name} has ${principal.role}`,
    };
  }
  return { ok: true };
}

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}
