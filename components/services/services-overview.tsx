"use client";
import { useEffect, useState } from "react";
import { useServices } from "../api/use-services";
import { ExporterSetup } from "../ui/exporter-setup";
import { ErrorBox, Loading } from "../ui/status";
import { useUrlParams } from "../ui/use-url-params";
import { listDistinct, parseSort, prepareServicesTable, type ServiceSortKey } from "./prepare-services-table";
import { ServicesTable } from "./services-table";

/** Overview: every service with health, requests, error rate, p95 and a sparkline; filters and sort in the URL. */
export function ServicesOverview() {
  const services = useServices();
  const { get, setParams } = useUrlParams();
  const filters = { query: get("q"), namespace: get("namespace"), environment: get("env") };
  const sort = parseSort(get("sort"));
  // The text box keeps its own state (typing stays smooth); the URL follows it.
  const [query, setQuery] = useState(filters.query);
  const urlQuery = filters.query;
  useEffect(() => setQuery(urlQuery), [urlQuery]);

  if (services.isLoading) return <Loading what="services" />;
  if (services.isError && !services.data) return <ErrorBox error={services.error} />;
  const all = services.data?.services ?? [];
  if (all.length === 0) return <ExporterSetup title="No telemetry in this time range" />;

  const rows = prepareServicesTable(all, filters, sort);
  const namespaces = listDistinct(all, "namespace");
  const environments = listDistinct(all, "environment");
  const onSort = (key: ServiceSortKey) =>
    setParams({ sort: `${key}:${sort.key === key && sort.dir === "desc" ? "asc" : key === "name" && sort.key !== key ? "asc" : "desc"}` });

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
        <label>
          Namespace
          <select value={filters.namespace} onChange={(e) => setParams({ namespace: e.target.value })} aria-label="Namespace">
            <option value="">All</option>
            {namespaces.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <label>
          Environment
          <select value={filters.environment} onChange={(e) => setParams({ env: e.target.value })} aria-label="Environment">
            <option value="">All</option>
            {environments.map((n) => <option key={n} value={n}>{n}</option>)}
          </select>
        </label>
        <span className="muted" data-testid="service-count">
          {rows.length} of {all.length} services
        </span>
      </div>
      <ServicesTable rows={rows} sort={sort} onSort={onSort} />
    </>
  );
}
