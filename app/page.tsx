import { ServicesOverview } from "@/components/services/services-overview";

export default function OverviewPage() {
  return (
    <>
      <div className="page-header">
        <h1>Overview</h1>
        <span className="muted">Services that sent telemetry in the selected range</span>
      </div>
      <ServicesOverview />
    </>
  );
}
