"use client";
import { useTraces } from "../api/use-traces";
import { TracesTable } from "../traces/traces-table";
import { ErrorBox, Loading } from "../ui/status";

/** The slowest of the latest 200 traces, and the latest failed ones, for one service. */
export function RecentTraces({ service }: { service: string }) {
  const recent = useTraces({ service, limit: 200 });
  const failed = useTraces({ service, status: "error", limit: 10 });
  const slow = [...(recent.data?.traces ?? [])].sort((a, b) => b.durationMs - a.durationMs).slice(0, 10);
  return (
    <div className="grid-2">
      <section className="panel">
        <h2>Slowest recent traces</h2>
        {recent.isLoading && <Loading what="traces" />}
        {recent.isError && <ErrorBox error={recent.error} />}
        {recent.data && <TracesTable traces={slow} testId="slow-traces" />}
      </section>
      <section className="panel">
        <h2>Recent failed traces</h2>
        {failed.isLoading && <Loading what="traces" />}
        {failed.isError && <ErrorBox error={failed.error} />}
        {failed.data && <TracesTable traces={failed.data.traces} testId="failed-traces" />}
      </section>
    </div>
  );
}
