import type { NodeKind } from "@/lib/api-types";

export const KIND_LABELS: Record<NodeKind, string> = {
  service: "Service",
  database: "Database",
  messaging: "Queue / topic",
  external: "External API",
  client: "Client",
};
