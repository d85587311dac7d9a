import "@/components/logs/logs.css";
import { TraceView } from "@/components/traces/trace-view";

export default async function TracePage({ params }: { params: Promise<{ traceId: string }> }) {
  const { traceId } = await params;
  return <TraceView traceId={traceId} />;
}
