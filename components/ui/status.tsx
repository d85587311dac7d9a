"use client";
import type { Health } from "@/lib/api-types";

export function ErrorBox({ error }: { error: unknown }) {
  const message = error instanceof Error ? error.message : String(error);
  return (
    <div className="error-box" role="alert">
      <strong>Could not load data.</strong> {message}
    </div>
  );
}

export function Loading({ what = "data" }: { what?: string }) {
  return <div className="loading">Loading {what}…</div>;
}

export function HealthBadge({ health }: { health: Health | undefined }) {
  const h = health ?? "unknown";
  return (
    <span className={`health health-${h}`} title={`health: ${h}`}>
      <span className="dot" aria-hidden />
      {h}
    </span>
  );
}
