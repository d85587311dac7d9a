import { AccessPage } from "@/components/auth/access-page";

export default function Access() {
  return (
    <>
      <div className="page-header">
        <h1>Access</h1>
        <span className="muted">Users, API tokens and ingest keys</span>
      </div>
      <AccessPage />
    </>
  );
}
