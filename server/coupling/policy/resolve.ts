import "server-only";
import type { Policy, Role } from "./schema";
import { ROLE_NAMES } from "./schema";

/**
 * Owner groups and roles resolved for one analysis. Owner group precedence: an explicit
 * `groups` entry, then `app.kubernetes.io/part-of`, then `service.namespace` (opt-in), then
 * the name stem (`orders-api` -> `orders`, opt-out), else the service name itself.
 */
export interface Ownership {
  ownerOf(service: string): string;
  rolesOf(service: string): ReadonlySet<Role>;
  hasRole(service: string, ...roles: Role[]): boolean;
}

/** Suffixes that name a deployable of a context rather than the context. */
const DEPLOYABLE_SUFFIX =
  /[-_.](api|app|web|worker|workers|consumer|consumers|cron|cronjob|job|jobs|migrator|migrations?|scheduler|server|service|svc|grpc|http|rest|backend|processor|listener|daemon)$/i;

export function stemOf(service: string): string {
  let s = service;
  for (let i = 0; i < 2; i++) {
    const next = s.replace(DEPLOYABLE_SUFFIX, "");
    if (next === s || next.length < 2) break;
    s = next;
  }
  return s;
}

function toMatcher(pattern: string): (s: string) => boolean {
  if (!pattern.includes("*")) return (s) => s === pattern;
  const re = new RegExp(
    "^" +
      pattern
        .split("*")
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join(".*") +
      "$",
  );
  return (s) => re.test(s);
}

export interface ServiceFacts {
  /** service.name -> resource facts seen for it */
  namespace?: string | null;
  partOf?: string | null;
}

export function resolveOwnership(policy: Policy, facts: ReadonlyMap<string, ServiceFacts>): Ownership {
  const explicit = new Map<string, string>();
  const groupPatterns: Array<[(s: string) => boolean, string]> = [];
  for (const [group, members] of Object.entries(policy.groups)) {
    for (const m of members) {
      if (m.includes("*")) groupPatterns.push([toMatcher(m), group]);
      else explicit.set(m, group);
    }
  }
  // Stems are only merged when at least two services share them; a lone `billing-api`
  // keeps its own name so messages name what the user deployed.
  const stemCount = new Map<string, number>();
  if (policy.inferGroups) for (const s of facts.keys()) stemCount.set(stemOf(s), (stemCount.get(stemOf(s)) ?? 0) + 1);

  const ownerCache = new Map<string, string>();
  const ownerOf = (service: string): string => {
    const hit = ownerCache.get(service);
    if (hit !== undefined) return hit;
    let owner = explicit.get(service) ?? groupPatterns.find(([m]) => m(service))?.[1];
    const f = facts.get(service);
    if (owner === undefined && f?.partOf) owner = f.partOf;
    if (owner === undefined && policy.groupByNamespace && f?.namespace) owner = f.namespace;
    if (owner === undefined && policy.inferGroups) {
      const stem = stemOf(service);
      if (stem !== service && (stemCount.get(stem) ?? 0) >= 2) owner = stem;
    }
    owner ??= service;
    ownerCache.set(service, owner);
    return owner;
  };

  const roleMatchers: Array<[(s: string) => boolean, Role]> = [];
  for (const role of ROLE_NAMES) {
    for (const m of policy.roles[role] ?? []) roleMatchers.push([toMatcher(m), role]);
  }
  const roleCache = new Map<string, Set<Role>>();
  const rolesOf = (service: string): Set<Role> => {
    let set = roleCache.get(service);
    if (set) return set;
    set = new Set();
    const owner = ownerOf(service);
    for (const [m, role] of roleMatchers) if (m(service) || m(owner)) set.add(role);
    for (const role of inferRoles(service)) if (!hasExplicitRoles(policy)) set.add(role);
    roleCache.set(service, set);
    return set;
  };
  return { ownerOf, rolesOf, hasRole: (s, ...roles) => roles.some((r) => rolesOf(s).has(r)) };
}

function hasExplicitRoles(policy: Policy): boolean {
  return Object.values(policy.roles).some((v) => (v?.length ?? 0) > 0);
}

/**
 * Roles guessed from well-known names, used only while the policy declares no roles at
 * all: a fleet with a policy says what it means, a fleet without one still gets sensible
 * gateway and sidecar handling.
 */
export function inferRoles(service: string): Role[] {
  const s = service.toLowerCase();
  const out: Role[] = [];
  if (
    /(^|[-_.])(api[-_.]?gateway|gateway|gw|ingress|edge[-_.]?proxy|kong|traefik|nginx|envoy[-_.]?gateway)([-_.]|$)/.test(
      s,
    )
  )
    out.push("gateway");
  if (/(^|[-_.])bff([-_.]|$)/.test(s)) out.push("bff");
  if (/^(istio-proxy|envoy|linkerd-proxy|daprd|otel-collector|otelcol)$/.test(s)) out.push("sidecar");
  if (/(^|[-_.])(flyway|liquibase|migrat(e|or|ion|ions))([-_.]|$)/.test(s)) out.push("migration");
  if (/(^|[-_.])(debezium|cdc)([-_.]|$)/.test(s)) out.push("cdc");
  return out;
}
