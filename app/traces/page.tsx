import { TracesExplorer } from "@/components/traces/traces-explorer";

export default function TracesPage() {
  return (
    <>
      <div className="page-header">
        <h1>Traces</h1>
      </div>
      <TracesExplorer />
    </>
  );
}
