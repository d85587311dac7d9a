import { FindingsView } from "@/components/coupling/findings-view";
import "@/components/coupling/coupling.css";

export default function FindingsPage() {
  return (
    <>
      <div className="page-header">
        <h1>Coupling findings</h1>
        <span className="muted">Dependencies that break microservice principles, with evidence from traces</span>
      </div>
      <FindingsView />
    </>
  );
}
