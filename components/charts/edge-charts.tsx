"use client";
import type { EdgePoint } from "../api/use-edge-timeseries";
import { prepareRedSeries, RED_COLORS } from "./prepare-red-series";
import { SeriesChart, type LineSpec } from "./red-charts";

const LATENCY: LineSpec[] = [
  { key: "p50", name: "p50", color: RED_COLORS.p50 },
  { key: "p95", name: "p95", color: RED_COLORS.p95 },
  { key: "p99", name: "p99", color: RED_COLORS.p99 },
];

/**
 * One edge's history: requests and errors, then latency as the caller measured it and as the
 * callee did (network, queueing and retries live in the difference). The callee side is
 * absent when the callee is not instrumented.
 */
export function EdgeCharts({
  points,
  fromMs,
  toMs,
  stepSeconds,
}: {
  points: EdgePoint[];
  fromMs: number;
  toMs: number;
  stepSeconds: number;
}) {
  const side = (pick: (p: EdgePoint) => EdgePoint["client"]) =>
    prepareRedSeries(
      points.map((p) => ({ t: p.t, requests: p.requests, errors: p.errors, ...pick(p) })),
      fromMs,
      toMs,
      stepSeconds,
    );
  const client = side((p) => p.client);
  const server = side((p) => p.server);
  const hasServer = points.some((p) => p.server.p50Ms !== null);
  const hasClient = points.some((p) => p.client.p50Ms !== null);
  return (
    <div className="stack" data-testid="edge-charts">
      <SeriesChart
        series={client}
        title="Requests (/s)"
        unit="/s"
        lines={[{ key: "rps", name: "req/s", color: RED_COLORS.requests }]}
      />
      <SeriesChart
        series={client}
        title="Errors (/s)"
        unit="/s"
        lines={[{ key: "errorsPerSec", name: "errors/s", color: RED_COLORS.errors }]}
      />
      {hasClient && (
        <SeriesChart
          series={client}
          title={`Latency, caller side (${client.latencyUnit})`}
          unit={client.latencyUnit}
          lines={LATENCY}
        />
      )}
      {hasServer && (
        <SeriesChart
          series={server}
          title={`Latency, callee side (${server.latencyUnit})`}
          unit={server.latencyUnit}
          lines={LATENCY}
        />
      )}
    </div>
  );
}
