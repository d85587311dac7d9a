import { Suspense } from "react";
import "@/components/logs/logs.css";
import { LogsView } from "@/components/logs/logs-view";

export default function LogsPage() {
  return (
    <>
      <div className="page-header">
        <h1>Logs</h1>
      </div>
      <Suspense>
        <LogsView />
      </Suspense>
    </>
  );
}
