import { AlertsPage } from "@/components/alerts/alerts-page";
import "@/components/alerts/alerts.css";

export default function Alerts() {
  return (
    <>
      <div className="page-header">
        <h1>Alerts</h1>
        <span className="muted">
          Rules over RED, metrics, coupling findings and the dependency graph; silences and notification channels
        </span>
      </div>
      <AlertsPage />
    </>
  );
}
