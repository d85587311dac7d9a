"use client";
import { useServices } from "../api/use-services";
import { useTraces } from "../api/use-traces";
import { useEnvironment } from "../ui/use-environment";
import { ExporterSetup } from "../ui/exporter-setup";
import { ErrorBox, Loading } from "../ui/status";
import { useRangeQuery, useTimeRange } from "../ui/use-time-range";
import { useUrlParams } from "../ui/use-url-params";
import { DurationScatter } from "./duration-scatter";
import { prepareTraceScatter } from "./prepare-trace-scatter";
import { TraceSearchForm, readTraceFilters } from "./trace-search-form";
import { TracesTable } from "./traces-table";

/** /traces: search form (in the URL), duration scatter and results. */
export function TracesExplorer() {
  const { get, setParams } = useUrlParams();
  const env = useEnvironment();
  const filters = readTraceFilters(get);
  const traces = useTraces({ ...filters, environment: env.environment }, { enabled: env.ready });
  const services = useServices();
  const rangeQuery = useRangeQuery();
  const { resolve } = useTimeRange();
  const window = resolve(traces.dataUpdatedAt || Date.now());
  // `via`: traces that also pass through these services (the map links an edge's traces this way).
  const via = get("via").split(",").filter(Boolean);
  const list = (traces.data?.traces ?? []).filter((t) => via.every((v) => t.services.includes(v)));
  const noFilters = !Object.values(filters).some(Boolean) && via.length === 0;

  return (
    <div className="stack">
      <TraceSearchForm
        filters={filters}
        services={(services.data?.services ?? []).map((s) => s.name)}
        onSearch={(f) => setParams(f, "push")}
      />
      {via.length > 0 && (
        <div className="row">
          <span className="badge" data-testid="via-filter">
            also through: {via.join(", ")}
          </span>
          <button type="button" className="btn small" onClick={() => setParams({ via: null })}>
            Remove
          </button>
        </div>
      )}
      {traces.isLoading && <Loading what="traces" />}
      {traces.isError && <ErrorBox error={traces.error} />}
      {traces.data && list.length === 0 && noFilters && <ExporterSetup title="No traces in this range" />}
      {list.length > 0 && (
        <>
          <section className="panel">
            <p className="chart-title">Duration over time ({list.length} traces)</p>
            <DurationScatter
              data={prepareTraceScatter(list)}
              domain={[window.fromMs, window.toMs]}
              rangeQuery={rangeQuery}
            />
          </section>
          <section className="panel">
            <TracesTable traces={list} />
          </section>
        </>
      )}
      {traces.data && list.length === 0 && !noFilters && (
        <p className="muted">No traces match these filters in this range.</p>
      )}
    </div>
  );
}
