import type { NodeKind } from "@/lib/api-types";

/** One glyph per node kind; text glyphs keep the bundle free of an icon font. */
export const KIND_ICONS: Record<NodeKind, string> = {
  service: "⬢",
  database: "🛢",
  messaging: "✉",
  external: "🌐",
  client: "👤",
};

export const KIND_LABELS: Record<NodeKind, string> = {
  service: "Service",
  database: "Database",
  messaging: "Queue / topic",
  external: "External API",
  client: "Client",
};
