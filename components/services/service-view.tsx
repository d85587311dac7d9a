"use client";
import { NO_ENVIRONMENT, serviceNodeId } from "@/lib/node-id";
import { inEnvironment } from "../ui/choose-environment";
import { useEnvironment } from "../ui/use-environment";
import Link from "next/link";
import { formatCount, formatMs, formatPercent, formatRate } from "@/lib/format";
import { useOperations } from "../api/use-operations";
import { useServiceTimeseries } from "../api/use-service-timeseries";
import { useServices } from "../api/use-services";
import { RedCharts } from "../charts/red-charts";
import { prepareRedSeries } from "../charts/prepare-red-series";
import { ErrorBox, HealthBadge, Loading } from "../ui/status";
import { useRangeQuery } from "../ui/use-time-range";
import { Dependencies } from "./dependencies";
import { OperationsTable } from "./operations-table";
import { RecentTraces } from "./recent-traces";
import { ServiceLogs } from "./service-logs";

function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="stat">
      <div className="label">{label}</div>
      <div className="value">{value}</div>
    </div>
  );
}

/** One service: headline numbers, RED charts, operations, dependencies and recent slow / failed traces. */
export function ServiceView({ name }: { name: string }) {
  const rangeQuery = useRangeQuery();
  const services = useServices();
  const env = useEnvironment();
  // The same name may run in several environments: show the chosen one's, else the first seen.
  const rows = services.data?.services.filter((s) => s.name === name) ?? [];
  const summary = rows.find((s) => inEnvironment(s.environment, env.choice)) ?? rows[0];
  const apiEnvironment = summary ? summary.environment || NO_ENVIRONMENT : env.environment;
  const ts = useServiceTimeseries(name, 60, apiEnvironment);
  const ops = useOperations(name, apiEnvironment);
  const nodeId = serviceNodeId(name, summary?.environment);

  return (
    <div className="stack">
      <div className="page-header">
        <h1 data-testid="service-name">{name}</h1>
        {summary && <HealthBadge health={summary.health} />}
        {summary?.namespace && <span className="badge">ns: {summary.namespace}</span>}
        {summary?.environment && <span className="badge">env: {summary.environment}</span>}
        <span className="spacer" />
        <Link className="btn" href={`/map?focus=${encodeURIComponent(nodeId)}&depth=1&${rangeQuery}`}>
          Show on map
        </Link>
        <Link className="btn" href={`/traces?service=${encodeURIComponent(name)}&${rangeQuery}`}>
          Traces
        </Link>
        <Link className="btn" href={`/metrics-explorer?service=${encodeURIComponent(name)}&${rangeQuery}`}>
          Metrics
        </Link>
        <Link className="btn" href={`/logs?service=${encodeURIComponent(name)}&${rangeQuery}`}>
          Logs
        </Link>
      </div>
      {services.data && !summary && <p className="muted">No data for this service in the selected range.</p>}
      {summary && (
        <div className="stats" data-testid="service-stats">
          <Stat label="Requests" value={formatCount(summary.requests)} />
          <Stat label="Rate" value={formatRate(summary.rps)} />
          <Stat label="Error rate" value={formatPercent(summary.errorRate)} />
          <Stat label="p50" value={formatMs(summary.p50Ms)} />
          <Stat label="p95" value={formatMs(summary.p95Ms)} />
          <Stat label="p99" value={formatMs(summary.p99Ms)} />
        </div>
      )}
      <section className="panel">
        {ts.isLoading && <Loading what="time series" />}
        {ts.isError && <ErrorBox error={ts.error} />}
        {ts.data && <RedCharts series={prepareRedSeries(ts.data.points, ts.data.fromMs, ts.data.toMs, ts.data.step)} />}
      </section>
      <section className="panel">
        <h2>Operations</h2>
        {ops.isLoading && <Loading what="operations" />}
        {ops.isError && <ErrorBox error={ops.error} />}
        {ops.data && <OperationsTable service={name} operations={ops.data.operations} />}
      </section>
      <section>
        <h2>Dependencies</h2>
        <Dependencies nodeId={nodeId} />
      </section>
      <RecentTraces service={name} />
      <ServiceLogs service={name} />
    </div>
  );
}
