import { MetricsExplorer } from "@/components/metrics/metrics-explorer";

/** Not /metrics: that path is the Prometheus endpoint of the process itself. */
export default function MetricsExplorerPage() {
  return (
    <>
      <div className="page-header">
        <h1>Metrics</h1>
        <span className="muted">OpenTelemetry metrics your services export</span>
      </div>
      <MetricsExplorer />
    </>
  );
}
