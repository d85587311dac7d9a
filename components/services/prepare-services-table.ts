import type { Health, ServiceSummary } from "@/lib/api-types";

export type ServiceSortKey =
  "name" | "health" | "requests" | "rps" | "errorRate" | "p95Ms" | "namespace" | "environment";
export interface ServiceFilters {
  query: string;
  namespace: string;
  environment: string;
}

const HEALTH_RANK: Record<Health, number> = { critical: 3, warning: 2, ok: 1, unknown: 0 };

/** Filters by name substring (case-insensitive), exact namespace and environment; then sorts (nulls last). */
export function prepareServicesTable(
  services: ServiceSummary[],
  filters: ServiceFilters,
  sort: { key: ServiceSortKey; dir: "asc" | "desc" },
): ServiceSummary[] {
  const q = filters.query.trim().toLowerCase();
  const out = services.filter(
    (s) =>
      (!q || s.name.toLowerCase().includes(q)) &&
      (!filters.namespace || (s.namespace ?? "") === filters.namespace) &&
      (!filters.environment || (s.environment ?? "") === filters.environment),
  );
  const sign = sort.dir === "asc" ? 1 : -1;
  const value = (s: ServiceSummary): string | number | null => {
    if (sort.key === "health") return HEALTH_RANK[s.health] ?? 0;
    const v = s[sort.key];
    return v === undefined ? null : v;
  };
  return out.sort((a, b) => {
    const va = value(a);
    const vb = value(b);
    if (va === null && vb === null) return a.name.localeCompare(b.name);
    if (va === null) return 1;
    if (vb === null) return -1;
    const c = typeof va === "string" || typeof vb === "string" ? String(va).localeCompare(String(vb)) : va - vb;
    return c !== 0 ? c * sign : a.name.localeCompare(b.name);
  });
}

/** Distinct non-empty values of a field, sorted, for the filter dropdowns. */
export function listDistinct(services: ServiceSummary[], field: "namespace" | "environment"): string[] {
  return [...new Set(services.map((s) => s[field]).filter((v): v is string => !!v))].sort();
}

export function parseSort(
  raw: string,
  fallback: ServiceSortKey = "health",
): { key: ServiceSortKey; dir: "asc" | "desc" } {
  const [key, dir] = raw.split(":");
  const keys: ServiceSortKey[] = [
    "name",
    "health",
    "requests",
    "rps",
    "errorRate",
    "p95Ms",
    "namespace",
    "environment",
  ];
  return {
    key: keys.includes(key as ServiceSortKey) ? (key as ServiceSortKey) : fallback,
    dir: dir === "asc" ? "asc" : dir === "desc" ? "desc" : key === "name" ? "asc" : "desc",
  };
}
