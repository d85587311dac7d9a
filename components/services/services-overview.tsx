"use client";
import { useEffect, useState } from "react";
import { useServices } from "../api/use-services";
import { ExporterSetup } from "../ui/exporter-setup";
import { ErrorBox, Loading } from "../ui/status";
import { useUrlParams } from "../ui/use-url-params";
import { inEnvironment } from "../ui/choose-environment";
import { useEnvironment } from "../ui/use-environment";
import { parseSort, prepareServicesTable, type ServiceSortKey } from "./prepare-services-table";
import { ServicesTable } from "./services-table";

/** Overview: every service with health, requests, error rate, p95 and a sparkline; filters and sort in the URL. */
export function ServicesOverview() {
  const env = useEnvironment();
  const services = useServices({}, { enabled: env.ready });
  const { get, setParams } = useUrlParams();
  // Environment and namespace come from the top bar's picker (kept in the URL for every view).
  const filters = { query: get("q"), namespace: env.namespace ?? "", environment: "" };
  const sort = parseSort(get("sort"));
  // The text box keeps its own state (typing stays smooth); the URL follows it.
  const [query, setQuery] = useState(filters.query);
  const urlQuery = filters.query;
  useEffect(() => setQuery(urlQuery), [urlQuery]);

  if (services.isLoading) return <Loading what="services" />;
  if (services.isError && !services.data) return <ErrorBox error={services.error} />;
  const fleet = services.data?.services ?? [];
  if (fleet.length === 0) return <ExporterSetup title="No telemetry in this time range" />;

  const all = fleet.filter((s) => inEnvironment(s.environment, env.choice));
  const rows = prepareServicesTable(all, filters, sort);
  const onSort = (key: ServiceSortKey) =>
    setParams({
      sort: `${key}:${sort.key === key && sort.dir === "desc" ? "asc" : key === "name" && sort.key !== key ? "asc" : "desc"}`,
    });

  return (
    <>
      {services.isError && <ErrorBox error={services.error} />}
      <div className="filters">
        <input
          type="search"
          placeholder="Filter by name"
          aria-label="Filter by name"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setParams({ q: e.target.value });
          }}
        />
        <span className="muted" data-testid="service-count">
          {rows.length} of {all.length} services
        </span>
      </div>
      <ServicesTable rows={rows} sort={sort} onSort={onSort} />
    </>
  );
}
