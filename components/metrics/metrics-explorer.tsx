"use client";
import type { MetricAggregation } from "@/lib/api-types";
import { useMetricQuery } from "../api/use-metric-query";
import { useMetrics } from "../api/use-metrics";
import { useServices } from "../api/use-services";
import { MetricChart } from "../charts/metric-chart";
import { listMetricAggregations } from "@/lib/metric-aggregations";
import { displayUnit, prepareMetricSeries } from "../charts/prepare-metric-series";
import { ExporterSetup } from "../ui/exporter-setup";
import { ErrorBox, Loading } from "../ui/status";
import { useUrlParams } from "../ui/use-url-params";

/** /metrics-explorer: pick a service and a metric; the aggregation defaults to what the metric type calls for. */
export function MetricsExplorer() {
  const { get, setParams } = useUrlParams();
  const service = get("service") || null;
  const metricName = get("metric") || null;
  const services = useServices();
  const metrics = useMetrics(service);
  const descriptor = metrics.data?.metrics.find((m) => m.name === metricName) ?? null;
  const allowed = descriptor ? listMetricAggregations(descriptor.type, descriptor.monotonic) : [];
  const aggParam = get("agg") as MetricAggregation;
  const agg = allowed.includes(aggParam) ? aggParam : (allowed[0] ?? null);
  const query = useMetricQuery(service, descriptor ? metricName : null, agg);

  const serviceNames = (services.data?.services ?? []).map((s) => s.name);
  if (services.data && serviceNames.length === 0) return <ExporterSetup />;

  return (
    <div className="stack">
      <div className="filters panel">
        <label>
          Service
          <select
            aria-label="Service"
            value={service ?? ""}
            onChange={(e) => setParams({ service: e.target.value, metric: null, agg: null }, "push")}
          >
            <option value="">Pick a service…</option>
            {serviceNames.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Metric
          <select
            aria-label="Metric"
            value={metricName ?? ""}
            disabled={!metrics.data}
            onChange={(e) => setParams({ metric: e.target.value, agg: null }, "push")}
          >
            <option value="">{metrics.isLoading ? "Loading…" : "Pick a metric…"}</option>
            {(metrics.data?.metrics ?? []).map((m) => (
              <option key={m.name} value={m.name}>
                {m.name} ({m.type})
              </option>
            ))}
          </select>
        </label>
        <label>
          Aggregation
          <select
            aria-label="Aggregation"
            value={agg ?? ""}
            disabled={!descriptor}
            onChange={(e) => setParams({ agg: e.target.value })}
          >
            {allowed.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      </div>
      {services.isError && <ErrorBox error={services.error} />}
      {metrics.isError && <ErrorBox error={metrics.error} />}
      {service && metrics.data && metrics.data.metrics.length === 0 && (
        <p className="muted">
          {service} reported no metrics in this range. Traces still give it RED charts on its service page.
        </p>
      )}
      {descriptor && (
        <section className="panel">
          <h2>{descriptor.name}</h2>
          <p className="muted">
            {descriptor.description || "No description."} · type {descriptor.type}
            {descriptor.temporality ? ` · ${descriptor.temporality}` : ""}
            {descriptor.unit ? ` · unit ${descriptor.unit}` : ""}
          </p>
          {query.isLoading && <Loading what="metric" />}
          {query.isError && <ErrorBox error={query.error} />}
          {query.data &&
            (() => {
              const data = prepareMetricSeries(query.data, descriptor.name, query.data.fromMs, query.data.toMs);
              const unit = displayUnit(query.data.unit ?? descriptor.unit, agg!);
              return data.series.length === 0 ? (
                <p className="muted">No points in this range.</p>
              ) : (
                <>
                  <MetricChart data={data} unit={unit} />
                  {data.hiddenSeries > 0 && <p className="muted">{data.hiddenSeries} smaller series not shown.</p>}
                </>
              );
            })()}
        </section>
      )}
    </div>
  );
}
